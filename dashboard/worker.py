"""Background runs: every run has its own id and its own results folder, in a worker process.

:class:`RunManager` hands scenarios to a :class:`concurrent.futures.ProcessPoolExecutor`
(threads with ``processes=False``, used by the callback tests). A run writes its files to
``RESULTS/runs/<run id>/`` (atomically, by :mod:`twin.output`) and sends its result object
back; the manager keeps the latest few in memory for the pages. A failed run (bad input,
model error, a crashed worker) is reported on its own job and touches no other run; a
broken pool is replaced for the next run.
"""
from __future__ import annotations

import threading
import time
import traceback
import uuid
import warnings
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard.safety import confine, valid_run_id

MAX_PENDING = 8
"""Runs queued or running at once, over all users; more are refused with a message."""
KEEP_RESULTS = 12
"""Finished results kept in memory (the files stay on disk)."""
EXPECTED_SECONDS = {"run": 4.0, "plan": 15.0, "park": 25.0}
"""Typical duration of a run by kind on a small machine, for the progress bar."""


def _warm() -> bool:
    """Import the model in a fresh worker so the first real run does not pay for it."""
    import twin.park  # noqa: F401
    import twin.plan  # noqa: F401
    import twin.run  # noqa: F401

    return True


def execute(data: dict, label: str, base_dir: str, out_dir: str) -> tuple[str, Any, list[str]]:
    """Validate and simulate one scenario mapping, write its files; runs in the worker.

    Returns ``(kind, result, warnings)``: kind ``"run"`` (:class:`twin.run.RunResult`), ``"plan"``
    (:class:`twin.plan.PlanResult`) or ``"park"`` (:class:`twin.park.ParkResult`); or
    ``("error", message, [])``. Errors travel as text: exception objects with their own
    constructors do not always survive the trip between processes.
    """
    from twin.errors import BalanceError, InputError

    try:
        return _execute(data, label, base_dir, out_dir)
    except InputError as err:
        return "error", str(err), []
    except BalanceError as err:
        return "error", f"internal model error (please report): {err}", []
    except Exception as err:  # noqa: BLE001 - a run's failure stays on its own job
        traceback.print_exc()
        return "error", f"the run failed: {type(err).__name__}: {err}", []


def _execute(data: dict, label: str, base_dir: str, out_dir: str) -> tuple[str, Any, list[str]]:
    from twin.economics import project_economics
    from twin.output import write_park, write_plan, write_run
    from twin.park import Park, simulate_park
    from twin.scenario import scenario_from_dict

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sc = scenario_from_dict(data, label)
        if isinstance(sc, Park):
            kind, result = "park", simulate_park(sc, base_dir)
            write_park(result, out_dir, economics=project_economics(result))
        elif sc.plan is not None:
            from twin.plan import run_plan

            kind, result = "plan", run_plan(data, base_dir=base_dir, file=label)
            write_plan(result, out_dir)
        else:
            from twin.run import simulate

            kind, result = "run", simulate(sc, base_dir)
            write_run(result, out_dir, lang=sc.lang, reports="none", economics=project_economics(result))
    notes = list(dict.fromkeys(str(w.message) for w in caught))[:10]
    return kind, result, notes


def kind_of(data: dict) -> str:
    """``park``, ``plan`` or ``run``, from a parsed scenario mapping (for the progress bar)."""
    if isinstance(data, dict) and "tenants" in data:
        return "park"
    if isinstance(data, dict) and data.get("plan") is not None:
        return "plan"
    return "run"


@dataclass
class Job:
    id: str
    label: str
    kind: str
    folder: Path
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    status: str = "queued"  # queued, running, done, error
    message: str = ""
    notes: list = field(default_factory=list)
    future: Future | None = None

    def public(self) -> dict:
        now = self.finished or time.time()
        return {"id": self.id, "label": self.label, "kind": self.kind, "status": self.status,
                "message": self.message, "notes": self.notes,
                "elapsed": round(now - (self.started or self.submitted), 1),
                "expected": EXPECTED_SECONDS.get(self.kind, 5.0)}


class RunManager:
    """Runs scenarios in the background; one folder per run under ``results_dir/runs``."""

    def __init__(self, results_dir: str | Path, *, workers: int = 2, processes: bool = True):
        self.results_dir = Path(results_dir).resolve()
        self.runs_dir = self.results_dir / "runs"
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self.workers = max(1, int(workers))
        self.processes = processes
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._results: OrderedDict[str, tuple[str, Any]] = OrderedDict()
        self._pool = self._new_pool()

    def _new_pool(self):
        if self.processes:
            import multiprocessing

            pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
            for _ in range(self.workers):
                pool.submit(_warm)
            return pool
        return ThreadPoolExecutor(self.workers, thread_name_prefix="twin-run")

    # ------------------------------------------------------------------ submitting

    def submit(self, data: dict, label: str, base_dir: str | Path) -> str:
        """Queue a run; returns its id. :class:`RuntimeError` when too many runs are pending."""
        with self._lock:
            pending = sum(j.status in ("queued", "running") for j in self._jobs.values())
            if pending >= MAX_PENDING:
                raise RuntimeError(f"the server is busy ({pending} runs pending); try again in a minute")
            run_id = uuid.uuid4().hex
            job = Job(run_id, label, kind_of(data), self.runs_dir / run_id)
            self._jobs[run_id] = job
            while len(self._jobs) > 500:
                old_id, old = next(iter(self._jobs.items()))
                if old.status in ("queued", "running"):
                    break
                self._jobs.pop(old_id)
        job.started = time.time()  # shown as "waiting" until the pool starts it
        job.status = "running"
        try:
            job.future = self._pool.submit(execute, data, label, str(base_dir), str(job.folder))
        except (BrokenProcessPool, RuntimeError):
            self._pool = self._new_pool()
            job.future = self._pool.submit(execute, data, label, str(base_dir), str(job.folder))
        job.future.add_done_callback(lambda fut, j=job: self._finish(j, fut))
        return run_id

    def _finish(self, job: Job, fut: Future) -> None:
        job.finished = time.time()
        try:
            kind, result, notes = fut.result()
        except BrokenProcessPool:
            job.status, job.message = "error", "the worker running this scenario stopped; please run it again"
            self._pool = self._new_pool()
            return
        except Exception as err:  # noqa: BLE001 - a run's failure stays on its own job
            job.status = "error"
            job.message = f"the run failed: {type(err).__name__}: {err}"
            traceback.print_exception(err)
            return
        if kind == "error":
            job.status, job.message = "error", result
            return
        with self._lock:
            self._results[job.id] = (kind, result)
            while len(self._results) > KEEP_RESULTS:
                self._results.popitem(last=False)
        job.kind, job.notes, job.status = kind, notes, "done"

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

    def folder(self, run_id: str) -> Path | None:
        """The results folder of a finished run (confined to the results folder)."""
        if not valid_run_id(run_id):
            return None
        path = confine(self.runs_dir, run_id)
        return path if path.is_dir() else None

    def wait(self, run_id: str, timeout: float = 120.0) -> dict | None:
        """Block until a run ends (tests and scripts)."""
        job = self._jobs.get(run_id)
        if job is None or job.future is None:
            return None
        try:
            job.future.result(timeout)
        except Exception:  # noqa: BLE001 - reported by status()
            pass
        deadline = time.time() + 5
        while job.status in ("queued", "running") and time.time() < deadline:
            time.sleep(0.01)
        return job.public()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
