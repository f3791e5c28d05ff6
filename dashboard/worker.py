"""Background jobs: every run or sizing search has its own id and its own results folder, in a worker process.

:class:`RunManager` keeps ``workers`` warm worker processes (spawned; each imports the model
once) and hands each one scenario at a time over a pipe (threads with ``processes=False``,
used by the callback tests). A run writes its files to ``RESULTS/runs/<run id>/``
(atomically, by :mod:`lingtan.twin.reports.output`) and sends its result object back; the manager keeps the
latest few in memory for the pages. A failed run (bad input, model error, a crashed worker)
is reported on its own job and touches no other run. A sizing search (:func:`lingtan.twin.studies.sizing.size`,
the function ``twin size`` calls) is a job like a run: ``submit(..., sizing={...})``.

A run that exceeds the wall-clock limit (``run_timeout_s``) has its worker process
terminated and replaced, and is reported as stopped: one hostile upload cannot hold a
worker for hours. (A :class:`concurrent.futures.ProcessPoolExecutor` cannot stop one task,
hence the workers of our own.) :meth:`RunManager.cancel` stops one job the same way, at the user's request.
:meth:`RunManager.shutdown` terminates every worker; a worker whose server died without it exits by itself
within a second.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import queue
import signal
import threading
import time
import traceback
import uuid
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lingtan.dashboard.safety import confine, valid_run_id

MAX_PENDING = 8
"""Runs queued or running at once, over all users; more are refused with a message."""
KEEP_RESULTS = 12
"""Finished results kept in memory (the files stay on disk)."""
EXPECTED_SECONDS = {"run": 4.0, "plan": 15.0, "park": 25.0}
"""Typical duration of a run by kind on a small machine, for the progress bar."""
EXPECTED_SIZING_SIMULATION_S = {"run": 1.5, "park": 12.0}
"""Typical duration of one simulated design of a sizing search on a small machine [s], by scenario kind: a
factory's profiles are built once for the search, a park's design years skip the power flow."""
MAX_WEATHER_YEARS = 100
"""Most weather years of an ensemble run from the dashboard [-]. The members run one after the other in the
run's worker (a daemon process may not start a pool), each costing about what the typical year does, and the
run's wall-clock limit (:data:`RUN_TIMEOUT_S`) still holds: a hundred factory years fit on a small machine, a
park's fewer (a run past the limit is stopped and says so); ``twin run --weather-years`` has neither limit."""
RUN_TIMEOUT_S = 300.0
"""Default wall-clock limit of one run [s]: twelve times the slowest library scenario (the park)."""
_STOP_GRACE_S = 2.0
"""Time a terminated worker gets to exit before it is killed [s]."""


def _warm() -> bool:
    """Import the model in a fresh worker so the first real run does not pay for it."""
    import lingtan.twin.run  # noqa: F401
    import lingtan.twin.studies.park  # noqa: F401
    import lingtan.twin.studies.plan  # noqa: F401

    return True


def execute(
    data: dict, label: str, base_dir: str, out_dir: str, sizing: dict | None = None
) -> tuple[str, Any, list[str]]:
    """Validate and simulate one scenario mapping, write its files; runs in the worker.

    With ``sizing`` (the keyword arguments of :func:`run_sizing`) the job is a sizing search instead, and the
    kind ``"size"`` (:class:`lingtan.twin.studies.sizing.SizingResult`).

    Returns ``(kind, result, warnings)``: kind ``"run"`` (:class:`lingtan.twin.run.RunResult`), ``"plan"``
    (:class:`lingtan.twin.studies.plan.PlanResult`) or ``"park"`` (:class:`lingtan.twin.studies.park.ParkResult`),
    where a scenario with ``weather.ensemble`` gives its :class:`lingtan.twin.studies.ensemble.EnsembleResult`; or
    ``("error", message, [])``. Errors travel as text: exception objects with their own
    constructors do not always survive the trip between processes.
    """
    from lingtan.errors import BalanceError, InputError

    try:
        if sizing is not None:
            return run_sizing(data, label, base_dir, out_dir, **sizing)
        return _execute(data, label, base_dir, out_dir)
    except InputError as err:
        return "error", str(err), []
    except BalanceError as err:
        return "error", f"internal model error (please report): {err}", []
    except Exception as err:  # noqa: BLE001 - a run's failure stays on its own job
        traceback.print_exc()
        return "error", f"the run failed: {type(err).__name__}: {err}", []


def _execute(data: dict, label: str, base_dir: str, out_dir: str) -> tuple[str, Any, list[str]]:
    from lingtan.twin.core.scenario import scenario_from_dict
    from lingtan.twin.core.schema.park import Park
    from lingtan.twin.reports.output import write_park, write_plan, write_run
    from lingtan.twin.studies.economics import project_economics
    from lingtan.twin.studies.park import simulate_park

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sc = scenario_from_dict(data, label)
        if sc.weather.ensemble is not None:
            from lingtan.errors import InputError
            from lingtan.twin.studies.ensemble import simulate_ensemble

            if not isinstance(sc, Park) and sc.plan is not None:
                raise InputError(
                    label, "weather.ensemble", "a single-year scenario (a plan runs its own years)", "a plan"
                )
            # One process: a worker is a daemon, which may not start a pool of its own.
            ens = simulate_ensemble(sc, base_dir, jobs=1, file=label)
            econ = project_economics(ens.typical)
            if isinstance(sc, Park):
                kind, result = "park", ens
                write_park(ens.typical, out_dir, economics=econ, ensemble=ens)
            else:
                kind, result = "run", ens
                write_run(ens.typical, out_dir, lang=sc.lang, reports="none", economics=econ, ensemble=ens)
        elif isinstance(sc, Park):
            kind, result = "park", simulate_park(sc, base_dir)
            write_park(result, out_dir, economics=project_economics(result))
        elif sc.plan is not None:
            from lingtan.twin.studies.plan import run_plan

            kind, result = "plan", run_plan(data, base_dir=base_dir, file=label)
            write_plan(result, out_dir)
        else:
            from lingtan.twin.run import simulate
            from lingtan.twin.studies.lp.rolling import optimal_strategy

            kind, result = "run", simulate(sc, base_dir, optimal_strategy)  # as twin run: dispatch: optimal runs
            write_run(result, out_dir, lang=sc.lang, reports="none", economics=project_economics(result))
    notes = list(dict.fromkeys(str(w.message) for w in caught))[:10]
    return kind, result, notes


def run_sizing(
    data: dict,
    label: str,
    base_dir: str,
    out_dir: str,
    *,
    criteria: list[str],
    vary: list[str] | None = None,
    levels: dict[str, list[float]] | None = None,
) -> tuple[str, Any, list[str]]:
    """The least-cost passing design of a scenario mapping, by :func:`lingtan.twin.studies.sizing.size` (what
    ``twin size`` runs), with its files (designs, Pareto plots, summary) written as ``twin size --out`` writes
    them.

    Parameters
    ----------
    data : dict
        The scenario mapping.
    label : str
        The scenario's name, for errors.
    base_dir : str
        Folder of the scenario's relative paths.
    out_dir : str
        The job's results folder.
    criteria : list of str
        Criteria packs the design must pass.
    vary : list of str, optional
        Levers (:data:`lingtan.twin.studies.sizing.LEVERS`); default the scenario's.
    levels : dict, optional
        Levels of each lever as factors of the scenario as written; default the search's own.

    Returns
    -------
    tuple
        ``("size", SizingResult, warnings)``.
    """
    from lingtan.twin.reports.sizing import write_outputs
    from lingtan.twin.studies.sizing import size

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = size(data, criteria, vary, base_dir, grid_points=levels)
        write_outputs(res, out_dir)
    return "size", res, list(dict.fromkeys(str(w.message) for w in caught))[:10]


def sizing_simulations(levels: dict[str, list[float]], vary: list[str]) -> int:
    """Designs a sizing search simulates when its lattice is searched point by point, with the base design.

    Parameters
    ----------
    levels : dict
        Levels of each lever.
    vary : list of str
        The levers; accounting levers (green power) cost no simulation.

    Returns
    -------
    int
        1 + the number of lattice points of the physical levers.
    """
    from lingtan.twin.studies.sizing import ACCOUNTING_LEVERS

    return 1 + math.prod(len(levels.get(lv, [])) or 1 for lv in vary if lv not in ACCOUNTING_LEVERS)


def weather_years(data: dict) -> int:
    """Members of the weather ensemble a scenario mapping asks for (0 without one or with file members)."""
    ens = data.get("weather", {}).get("ensemble") if isinstance(data.get("weather"), dict) else None
    years = ens.get("years") if isinstance(ens, dict) else None
    return years if isinstance(years, int) else 0


def kind_of(data: dict) -> str:
    """``park``, ``plan`` or ``run``, from a parsed scenario mapping (for the progress bar)."""
    if isinstance(data, dict) and "tenants" in data:
        return "park"
    if isinstance(data, dict) and data.get("plan") is not None:
        return "plan"
    return "run"


# --------------------------------------------------------------------------- worker processes


def _exit_with_parent(parent_pid: int) -> None:
    """End this worker when the server is gone (killed without a chance to stop its workers)."""
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(1)


def _serve(conn, parent_pid: int) -> None:
    """A worker process: warm up, say so, then run the scenarios that arrive until the pipe closes."""
    # Ctrl+C in a terminal reaches the whole process group; the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()
    _warm()
    conn.send("ready")
    while True:
        try:
            args = conn.recv()
        except EOFError:
            return
        outcome = execute(*args)
        try:
            conn.send(outcome)
        except (BrokenPipeError, ConnectionResetError):
            return
        except Exception as err:  # noqa: BLE001 - a result that cannot travel fails its own run only
            traceback.print_exc()
            conn.send(("error", f"the run failed: its result cannot be sent back: {type(err).__name__}: {err}", []))


class _WorkerDied(Exception):
    """The worker process ended in the middle of a run."""


class _Cancelled(Exception):
    """The job was cancelled while it waited for its worker to warm up."""


class _Worker:
    """One warm worker process that runs one scenario at a time and can be stopped on its own."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, os.getpid()), name="twin-dashboard-run", daemon=True)
        self.process.start()
        child.close()  # the worker holds the only other end: its death shows here as end of file
        self.ready = False
        self.job: Job | None = None  # the job running in it, for a cancellation
        self._stopping = threading.Lock()  # a slot and the shutdown may both stop a worker

    def run(self, args: tuple, timeout_s: float | None, on_start) -> tuple:
        """Run ``execute(*args)`` in the worker; ``on_start()`` is called when the worker has warmed up and
        the run begins, and the limit counts from then. Raises :class:`TimeoutError` past ``timeout_s``,
        :class:`_WorkerDied` if the process ended."""
        try:
            if not self.ready:
                self.ready = self.conn.recv() == "ready"
            on_start()
            self.conn.send(args)
            if self.conn.poll(timeout_s):
                return self.conn.recv()
        except (EOFError, OSError) as err:
            raise _WorkerDied from err
        raise TimeoutError  # outside the try: it is an OSError too

    def terminate(self) -> None:
        if self.process.is_alive():
            self.process.terminate()

    def stop(self) -> None:
        """Terminate the process (killed if it has not exited after a grace time) and close the pipe."""
        with self._stopping:
            self.terminate()
            self.process.join(_STOP_GRACE_S)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(_STOP_GRACE_S)
            self.conn.close()


# --------------------------------------------------------------------------- runs


@dataclass
class Job:
    id: str
    label: str
    kind: str
    folder: Path
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    years: int = 0  # weather-ensemble members (0: a single year)
    expected_s: float | None = None  # the progress bar's typical duration, when the kind does not tell it
    runs: int = 1  # simulations the job holds: a sizing search gets the time limit of one run for each
    cancelled: bool = False  # stopped at the user's request
    status: str = "queued"  # queued, running, done, error, stopped
    message: str = ""
    notes: list = field(default_factory=list)
    args: tuple | None = field(default=None, repr=False)  # what the worker gets; dropped once sent
    ended: threading.Event = field(default_factory=threading.Event, repr=False)

    def public(self) -> dict:
        now = self.finished or time.time()
        return {
            "id": self.id,
            "label": self.label,
            "kind": self.kind,
            "status": self.status,
            "message": self.message,
            "notes": self.notes,
            "elapsed": round(now - (self.started or self.submitted), 1),
            # each member costs about what the typical year does
            "expected": self.expected_s or EXPECTED_SECONDS.get(self.kind, 5.0) * (1 + self.years),
        }


class RunManager:
    """Runs scenarios in the background; one folder per run under ``results_dir/runs``.

    Parameters
    ----------
    results_dir
        Folder of the dashboard's results; runs go to ``results_dir/runs/<run id>/``.
    workers
        Runs at once, each in its own process.
    processes
        False: runs in threads of this process (tests); the time limit is then not enforced,
        as a thread cannot be stopped.
    run_timeout_s
        Wall-clock limit of one run [s] (read at the start of each run; a sizing search gets it once per
        simulation it holds); None or 0: no limit.
    """

    def __init__(
        self,
        results_dir: str | Path,
        *,
        workers: int = 2,
        processes: bool = True,
        run_timeout_s: float | None = RUN_TIMEOUT_S,
    ):
        self.results_dir = Path(results_dir).resolve()
        self.runs_dir = self.results_dir / "runs"
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self.workers = max(1, int(workers))
        self.processes = processes
        self.run_timeout_s = run_timeout_s
        self._lock = threading.Lock()
        self._closed = False
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._results: OrderedDict[str, tuple[str, Any]] = OrderedDict()
        self._ensembles: dict[str, Any] = {}  # run id -> EnsembleResult, for the runs in _results that have one
        self._queue: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._workers: list[_Worker | None] = [_Worker() if processes else None for _ in range(self.workers)]
        for slot in range(self.workers):
            threading.Thread(target=self._dispatch, args=(slot,), name=f"twin-run-{slot}", daemon=True).start()

    # ------------------------------------------------------------------ submitting

    def submit(self, data: dict, label: str, base_dir: str | Path, *, sizing: dict | None = None) -> str:
        """Queue a run, or with ``sizing`` (the keyword arguments of :func:`run_sizing`) a sizing search; returns
        its id. :class:`RuntimeError` when too many jobs are pending."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the server is shutting down")
            pending = sum(j.status in ("queued", "running") for j in self._jobs.values())
            if pending >= MAX_PENDING:
                raise RuntimeError(f"the server is busy ({pending} runs pending); try again in a minute")
            run_id = uuid.uuid4().hex
            job = Job(run_id, label, kind_of(data), self.runs_dir / run_id, years=weather_years(data))
            job.args = (data, label, str(base_dir), str(job.folder))
            if sizing is not None:
                from lingtan.twin.studies.sizing import DEFAULT_LEVELS

                levels = {**DEFAULT_LEVELS, **(sizing.get("levels") or {})}
                each = EXPECTED_SIZING_SIMULATION_S["park" if job.kind == "park" else "run"]
                job.runs = sizing_simulations(levels, sizing.get("vary") or ["pv"])
                job.kind, job.expected_s = "size", each * job.runs
                job.args = (*job.args, sizing)
            self._jobs[run_id] = job
            while len(self._jobs) > 500:
                old_id, old = next(iter(self._jobs.items()))
                if old.status in ("queued", "running"):
                    break
                self._jobs.pop(old_id)
        self._queue.put(job)
        return run_id

    def _dispatch(self, slot: int) -> None:
        """One worker slot: run the queued jobs one after the other until :meth:`shutdown`."""
        while (job := self._queue.get()) is not None:
            if job.status != "queued":  # stopped by a shutdown while it waited
                continue
            try:
                self._run(slot, job)
            except Exception as err:  # noqa: BLE001 - a bug here must not take the slot down with it
                traceback.print_exc()
                self._end(job, "error", f"the run failed: {type(err).__name__}: {err}")

    def _run(self, slot: int, job: Job) -> None:
        """Run one job in this slot's worker; a worker stopped at the time limit, or dead, is replaced."""
        args, job.args = job.args, None

        def start() -> None:
            with self._lock:
                if job.cancelled:  # cancelled while the worker warmed up: it has ended already
                    raise _Cancelled
                job.started, job.status = time.time(), "running"

        worker = self._workers[slot]
        try:
            if worker is None:
                start()
                self._finish(job, execute(*args))
                return
            limit = self.run_timeout_s * job.runs if self.run_timeout_s else None
            worker.job = job
            outcome = worker.run(args, limit, start)
        except _Cancelled:
            return
        except (TimeoutError, _WorkerDied) as err:
            worker.stop()
            with self._lock:
                closed = self._closed
                if not closed:
                    self._workers[slot] = _Worker()
            if closed:
                self._end(job, "stopped", "stopped: the server is shutting down")
            elif job.cancelled:
                self._end(job, "stopped", "stopped at your request")
            elif isinstance(err, TimeoutError):
                self._end(
                    job,
                    "stopped",
                    f"stopped: exceeded the {limit:g} s limit of one run on this server (twin run has none)"
                    if job.runs == 1
                    else f"stopped: exceeded the {limit:g} s limit of a search of {job.runs} simulations on this "
                    f"server (twin size has none)",
                )
            else:
                self._end(job, "error", "the worker running this scenario stopped; please run it again")
            return
        finally:
            if worker is not None:
                worker.job = None
        self._finish(job, outcome)

    def _end(self, job: Job, status: str, message: str) -> None:
        job.finished, job.status, job.message = time.time(), status, message
        job.ended.set()

    def _finish(self, job: Job, outcome: tuple) -> None:
        from lingtan.twin.studies.ensemble import EnsembleResult

        kind, result, notes = outcome
        if kind == "error":
            self._end(job, "error", result)
            return
        with self._lock:
            if isinstance(result, EnsembleResult):  # the pages read the typical year as any run
                self._ensembles[job.id], result = result, result.typical
            self._results[job.id] = (kind, result)
            while len(self._results) > KEEP_RESULTS:
                old, _ = self._results.popitem(last=False)
                self._ensembles.pop(old, None)
        job.kind, job.notes = kind, notes
        self._end(job, "done", "")

    # ------------------------------------------------------------------ reading

    def status(self, run_id: str) -> dict | None:
        job = self._jobs.get(run_id) if valid_run_id(run_id) else None
        return job.public() if job else None

    def result(self, run_id: str) -> tuple[str, Any] | None:
        """``(kind, result)`` of a finished run still in memory, else None."""
        if not valid_run_id(run_id):
            return None
        with self._lock:
            return self._results.get(run_id)

    def results(self) -> list[tuple[str, str, Any]]:
        """Every finished result still in memory, oldest first.

        Returns
        -------
        list of tuple
            ``(run id, kind, result)``, as :meth:`result` gives them.
        """
        with self._lock:
            return [(rid, kind, res) for rid, (kind, res) in self._results.items()]

    def ensemble(self, run_id: str) -> Any | None:
        """The :class:`lingtan.twin.studies.ensemble.EnsembleResult` of a finished ensemble run still in memory,
        else None (a single-year run, or one no longer kept)."""
        if not valid_run_id(run_id):
            return None
        with self._lock:
            return self._ensembles.get(run_id)

    def folder(self, run_id: str) -> Path | None:
        """The results folder of a finished run (confined to the results folder)."""
        if not valid_run_id(run_id):
            return None
        path = confine(self.runs_dir, run_id)
        return path if path.is_dir() else None

    def wait(self, run_id: str, timeout: float = 120.0) -> dict | None:
        """Block until a run ends (tests and scripts); its status."""
        job = self._jobs.get(run_id)
        if job is None:
            return None
        job.ended.wait(timeout)
        return job.public()

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and the server log)."""
        return [w.process.pid for w in self._workers if w is not None and w.process.is_alive()]

    def cancel(self, run_id: str) -> bool:
        """Stop a queued or running job at the user's request: a queued one is dropped, a running one has its
        worker process terminated and replaced (the job ends as ``stopped``).

        Parameters
        ----------
        run_id : str
            The job.

        Returns
        -------
        bool
            Whether the job was stopped; False when it had ended already, is unknown, or runs in a thread
            (``processes=False``: a thread cannot be stopped).
        """
        job = self._jobs.get(run_id) if valid_run_id(run_id) else None
        if job is None:
            return False
        with self._lock:
            if job.status == "queued":
                job.cancelled = True
                self._end(job, "stopped", "stopped at your request")
                return True
            if job.status != "running" or not self.processes:
                return False
            job.cancelled = True
            worker = next((w for w in self._workers if w is not None and w.job is job), None)
        if worker is None:
            return False
        worker.terminate()  # the slot sees the worker die, replaces it and ends the job as stopped
        return True

    def shutdown(self) -> None:
        """Stop: queued runs are dropped, running ones stopped, every worker process terminated."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = [w for w in self._workers if w is not None]
            queued = [j for j in self._jobs.values() if j.status == "queued"]
        for job in queued:
            self._end(job, "stopped", "stopped: the server is shutting down")
        for _ in range(self.workers):
            self._queue.put(None)
        for w in workers:  # all at once, then wait for each
            w.terminate()
        for w in workers:
            w.stop()
