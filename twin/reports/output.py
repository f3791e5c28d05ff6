"""Writing a run's results into its results folder.

Every writer goes through :func:`lingtan.twin.core.results_dir.write_results`: the files are written into a
temporary folder beside the target, marked as the twin's, and put in place only when every file
is complete, so a failed or interrupted run never leaves a half-written folder, never replaces
an earlier good result, and never writes into a folder that holds anything but the twin's own
results.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from lingtan.twin.core.results_dir import inside, write_results

if TYPE_CHECKING:
    import pandas as pd

    from lingtan.twin.network import NetworkResult, SubstationLimitResult
    from lingtan.twin.reports.tornado import UncertaintyResult
    from lingtan.twin.run import RunResult
    from lingtan.twin.studies.ensemble import EnsembleResult
    from lingtan.twin.studies.park import ParkResult
    from lingtan.twin.studies.plan import PlanResult


def write_atomically(out_dir: str | Path, write: Callable[[Path], None], *, kind: str = "run") -> Path:
    """Call ``write(tmp_dir)`` and then put ``tmp_dir`` in place at ``out_dir``.

    Parameters
    ----------
    out_dir : path
        Final results folder: new, empty or an earlier result of the same ``kind``
        (:func:`lingtan.twin.core.results_dir.check_out`); an earlier result is replaced only after
        ``write`` has returned without error.
    write : callable
        Writes every result file into the folder it is given.
    kind : {"run", "size"}
        What the folder holds.

    Returns
    -------
    Path
        ``out_dir``, absolute.

    Raises
    ------
    InputError
        When the folder is refused or cannot be written (:func:`lingtan.twin.core.results_dir.write_results`).
    """
    return write_results(out_dir, write, kind=kind)


_LOCAL_TIME: dict[bytes, Any] = {}
"""The CSV time column of an index already written, by a hash of its instants and zone: a park writes some
twenty tables on one index, and formatting 8760 timestamps costs more than writing the table."""


def _local_time(index: pd.DatetimeIndex) -> Any:
    """``index`` as local time with its UTC offset (``2025-01-01T00:00:00+0800``), as a pyarrow array."""
    import pyarrow as pa

    key = hashlib.sha1(index.asi8.tobytes() + str(index.tz).encode()).digest()
    if key not in _LOCAL_TIME:
        _LOCAL_TIME.clear()  # one index at a time is all a writer needs
        _LOCAL_TIME[key] = pa.array(_iso_local(index))
    return _LOCAL_TIME[key]


def _iso_local(index: pd.DatetimeIndex) -> np.ndarray:
    """``index.strftime("%Y-%m-%dT%H:%M:%S%z")``, ten times faster: numpy formats the wall-clock part and
    the few distinct UTC offsets are formatted once each (whole minutes, as every zone since 1970 has)."""
    naive = index.tz_localize(None)
    wall = np.datetime_as_string(naive.values.astype("datetime64[s]"), unit="s")
    offset_s, which = np.unique((naive.asi8 - index.asi8) // 10**9, return_inverse=True)
    zones = np.array([f"{'-' if o < 0 else '+'}{abs(o) // 3600:02d}{abs(o) % 3600 // 60:02d}" for o in offset_s])
    return np.char.add(wall, zones[which])


def _write_table(frame: pd.DataFrame, stem: Path) -> None:
    """Write an hourly table as ``stem.parquet`` and ``stem.csv``."""
    import pyarrow as pa
    import pyarrow.csv
    import pyarrow.parquet

    pyarrow.parquet.write_table(pa.Table.from_pandas(frame, preserve_index=True), stem.with_suffix(".parquet"))
    # The CSV carries local time with its UTC offset, and plain strings for categories;
    # pyarrow writes it ten times faster than pandas' float formatting.
    local = _local_time(frame.index)
    plain = pa.Table.from_pandas(
        frame.astype({c: str for c in frame.columns if frame[c].dtype == "category"}), preserve_index=False
    )
    pyarrow.csv.write_csv(plain.add_column(0, "time", local), stem.with_suffix(".csv"))


def write_run(
    result: RunResult,
    out_dir: str | Path,
    *,
    lang: str = "en",
    reports: str = "all",
    economics: dict[str, Any] | None = None,
    ensemble: EnsembleResult | None = None,
    uncertainty: UncertaintyResult | None = None,
) -> Path:
    """Write a :class:`lingtan.twin.run.RunResult`: hourly tables (Parquet and CSV), ``kpis.json`` (with
    ``flexibility``), ``flexibility.csv`` (:func:`lingtan.twin.studies.flexibility.flexibility_report`),
    ``accounting.json``,
    ``criteria.json``, ``economics.json`` (when ``economics`` is given:
    :func:`lingtan.twin.studies.economics.project_economics`),
    the scenario, and the reports: ``report.html`` (``reports`` 'html' or 'all') and ``report.xlsx`` ('all').
    With ``ensemble``, ``kpis.json`` gains ``ensemble``, each simulated verdict in ``criteria.json`` its ``odds``,
    and ``ensemble.parquet`` holds one row per member (:func:`_ensemble_files`). With ``uncertainty``,
    ``ensemble.parquet`` holds its members and ``tornado.json`` its tornado
    (:func:`lingtan.twin.reports.tornado.write_uncertainty`), and the report gains its section.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult
        The run (flows in [kW], energies in [kWh], units in the column and key names).
    out_dir : str or Path
        The results folder (:func:`write_atomically`).
    lang : {"en", "zh"}
        Language of the reports.
    reports : {"none", "html", "all"}
        Which reports to write.
    economics : dict, optional
        :func:`lingtan.twin.studies.economics.project_economics` of the run.
    ensemble : lingtan.twin.studies.ensemble.EnsembleResult, optional
        The weather-year ensemble whose typical year is ``result``.
    uncertainty : lingtan.twin.reports.tornado.UncertaintyResult, optional
        The uncertainty ensemble around ``result`` (:func:`lingtan.twin.reports.tornado.run_uncertainty`).

    Returns
    -------
    Path
        The results folder, absolute.

    Raises
    ------
    InputError
        When the folder is refused or cannot be written.
    """
    return write_atomically(
        out_dir, lambda folder: _write_run_files(result, folder, lang, reports, economics, ensemble, uncertainty)
    )


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=float), encoding="utf-8")


def _ensemble_files(folder: Path, kpis: dict, verdicts: list, ensemble: EnsembleResult | None) -> tuple[dict, list]:
    """``kpis`` and ``verdicts`` as written: with an ensemble, its ``ensemble`` entry and each simulated verdict's
    ``odds`` added, and ``ensemble.parquet`` (one row per member) written into ``folder``; unchanged without."""
    if ensemble is None:
        return kpis, verdicts
    ensemble.members.to_parquet(folder / "ensemble.parquet", index=False)
    odds = ensemble.criterion_odds
    return (
        dict(kpis, ensemble=ensemble.kpis_entry()),
        [dict(v, odds=odds[v["criterion_id"]]) if v["criterion_id"] in odds else v for v in verdicts],
    )


def _write_run_files(
    result: RunResult,
    folder: Path,
    lang: str = "en",
    reports: str = "none",
    economics: dict[str, Any] | None = None,
    ensemble: EnsembleResult | None = None,
    uncertainty: UncertaintyResult | None = None,
) -> None:
    """The files of one factory run, into ``folder``."""
    from lingtan.twin.studies.flexibility import flexibility_report

    _write_table(result.hourly, folder / "hourly")
    if len(result.hourly_heat.columns):
        _write_table(result.hourly_heat, folder / "hourly_heat")
    kpis, verdicts = _ensemble_files(folder, result.kpis, result.verdicts, ensemble)
    flex = flexibility_report(result.scenario, result.hourly, result.hourly_heat, flexible_kw=result.flexible_kw)
    flex.table.to_csv(folder / "flexibility.csv", index=False)
    _write_json(folder / "kpis.json", dict(kpis, flexibility=flex.summary))
    _write_json(folder / "accounting.json", result.accounting.to_dict() if result.accounting is not None else {})
    _write_json(folder / "criteria.json", {"packs": result.packs, "verdicts": verdicts})
    (folder / "scenario.json").write_text(result.scenario.model_dump_json(indent=2), encoding="utf-8")
    if economics is not None:
        _write_json(folder / "economics.json", economics)
    if uncertainty is not None:
        from lingtan.twin.reports.tornado import write_uncertainty

        write_uncertainty(uncertainty, folder)
    if reports in ("html", "all"):
        from lingtan.twin.reports.html import write_html

        write_html(
            result, folder / "report.html", lang=lang, economics=economics, ensemble=ensemble, uncertainty=uncertainty
        )
    if reports == "all":
        from lingtan.twin.reports.excel import write_excel

        write_excel(result, folder / "report.xlsx", lang=lang, economics=economics)


def write_park(
    result: ParkResult,
    out_dir: str | Path,
    *,
    lang: str = "en",
    reports: str = "all",
    economics: dict[str, Any] | None = None,
    ensemble: EnsembleResult | None = None,
    uncertainty: UncertaintyResult | None = None,
) -> Path:
    """Write a :class:`lingtan.twin.studies.park.ParkResult`: the park bus, the tenant table, the allocation, the
    heat network, the park's KPIs (with ``flexibility``) and ``flexibility.csv``
    (:func:`lingtan.twin.studies.flexibility.park_flexibility_report`), accounting, verdicts and (when given)
    ``economics.json``, and each tenant's own run under ``tenants/<name>/``; with ``ensemble`` or
    ``uncertainty``, their entries as :func:`write_run` writes them.

    Parameters
    ----------
    result : lingtan.twin.studies.park.ParkResult
        The simulated park.
    out_dir : str or Path
        The results folder (:func:`write_atomically`).
    lang : {"en", "zh"}
        Language of the reports.
    reports : {"none", "html", "all"}
        Which reports to write.
    economics : dict, optional
        :func:`lingtan.twin.studies.economics.project_economics` of the park.
    ensemble : lingtan.twin.studies.ensemble.EnsembleResult, optional
        The weather-year ensemble whose typical year is ``result``.
    uncertainty : lingtan.twin.reports.tornado.UncertaintyResult, optional
        The park's uncertainty ensemble around ``result`` (:func:`lingtan.twin.reports.tornado.run_uncertainty`).

    Returns
    -------
    Path
        The results folder, absolute.

    Raises
    ------
    InputError
        When the folder is refused or cannot be written, or a tenant's name would leave it.
    """

    def _write(folder: Path) -> None:
        from lingtan.twin.studies.flexibility import park_flexibility_report

        _write_table(result.bus, folder / "hourly")
        _write_table(result.allocation_kw, folder / "allocation")
        if len(result.heat_links.columns):
            _write_table(result.heat_links, folder / "heat_network")
        result.tenant_table.rename_axis("tenant").to_csv(folder / "tenants.csv")
        kpis, verdicts = _ensemble_files(folder, result.kpis, result.verdicts, ensemble)
        flex = park_flexibility_report(result)
        flex.table.to_csv(folder / "flexibility.csv", index=False)
        _write_json(folder / "kpis.json", dict(kpis, flexibility=flex.summary))
        _write_json(folder / "accounting.json", result.accounting.to_dict())
        _write_json(
            folder / "criteria.json",
            {"packs": result.packs, "verdicts": verdicts, "tenant_verdicts": result.tenant_verdicts},
        )
        if economics is not None:
            _write_json(folder / "economics.json", economics)
        if uncertainty is not None:
            from lingtan.twin.reports.tornado import write_uncertainty

            write_uncertainty(uncertainty, folder)
        (folder / "scenario.json").write_text(result.park.model_dump_json(indent=2), encoding="utf-8")
        if result.network is not None:
            net = folder / "network"
            net.mkdir()
            n = cast("NetworkResult", result.network)
            for name, table in (
                ("res_bus", n.res_bus),
                ("res_line", n.res_line),
                ("res_trafo", n.res_trafo),
                ("worst_hours", n.worst_hours),
            ):
                table.to_csv(net / f"{name}.csv", index=False)
            _write_table(n.substation, net / "substation")
            _write_json(
                net / "findings.json",
                {
                    "violations": n.violations,
                    "reverse_flow_hours": int(n.reverse_flow_hours),
                    "at_substation_limits": cast("SubstationLimitResult", result.substation_limits).findings,
                },
            )
        for i, (name, run) in enumerate(result.tenants.items()):
            sub = inside(folder, "tenants", name, field=f"tenants[{i}].name")
            sub.mkdir(parents=True)
            _write_table(run.hourly, sub / "hourly")
            if len(run.hourly_heat.columns):
                _write_table(run.hourly_heat, sub / "hourly_heat")
            _write_json(sub / "kpis.json", run.kpis)
        if reports in ("html", "all"):
            from lingtan.twin.reports.park import write_park_html

            write_park_html(
                result,
                folder / "report.html",
                lang=lang,
                economics=economics,
                ensemble=ensemble,
                uncertainty=uncertainty,
            )
        if reports == "all":
            from types import SimpleNamespace

            import pandas as pd

            from lingtan.twin.reports.excel import write_excel

            extra = {"Tenants": (result.tenant_table, "tenant"), "Allocation": (result.allocation_kw, "time")}
            if result.network is not None:
                n = cast("NetworkResult", result.network)
                extra.update(
                    {
                        "Network buses": (n.res_bus, "bus"),
                        "Network lines": (n.res_line, "line"),
                        "Network transformers": (n.res_trafo, "transformer"),
                    }
                )
            # The park bus stands where a factory's electric table stands; tenants' heat is in their own folders.
            write_excel(
                SimpleNamespace(
                    scenario=result.park,
                    hourly=result.bus,
                    hourly_heat=pd.DataFrame(index=result.bus.index),
                    kpis=result.kpis,
                    accounting=result.accounting,
                    verdicts=result.verdicts,
                    packs=result.packs,
                    extra_tables=extra,
                ),
                folder / "report.xlsx",
                lang=lang,
                economics=economics,
            )

    return write_atomically(out_dir, _write)


def write_plan(result: PlanResult, out_dir: str | Path, *, lang: str = "en", reports: str = "all") -> Path:
    """Write a :class:`lingtan.twin.studies.plan.PlanResult`: per-year KPIs, trends and the verdicts on the last year
    with its
    trends, the reports of the last year with the per-year trends, then each year's own run under ``year_<Y>/``.

    Parameters
    ----------
    result : lingtan.twin.studies.plan.PlanResult
        The simulated plan.
    out_dir : str or Path
        The results folder (:func:`write_atomically`).
    lang : {"en", "zh"}
        Language of the reports.
    reports : {"none", "html", "all"}
        Which reports to write.

    Returns
    -------
    Path
        The results folder, absolute.

    Raises
    ------
    InputError
        When the folder is refused or cannot be written.
    """
    from types import SimpleNamespace

    import pandas as pd

    def _write(folder: Path) -> None:
        per_year = pd.DataFrame(result.per_year)
        per_year.to_csv(folder / "per_year.csv", index=False)
        per_year.to_parquet(folder / "per_year.parquet")
        _write_json(folder / "trends.json", {"trends": result.trends, "trend_verdicts": result.trend_verdicts})
        _write_json(folder / "criteria.json", {"packs": result.packs, "verdicts": result.verdicts})
        for year, run in zip(per_year["year"], result.years, strict=True):
            sub = folder / f"year_{int(year)}"
            sub.mkdir()
            _write_run_files(run, sub)
        # The plan's report: the last year, its verdicts with the trend criteria, and the per-year trends.
        last = SimpleNamespace(
            **{f: getattr(result.years[-1], f) for f in result.years[-1].__dataclass_fields__}, years=result.per_year
        )
        last.verdicts, last.packs = result.verdicts, result.packs
        if reports in ("html", "all"):
            from lingtan.twin.reports.html import write_html

            write_html(last, folder / "report.html", lang=lang)
        if reports == "all":
            from lingtan.twin.reports.excel import write_excel

            write_excel(last, folder / "report.xlsx", lang=lang)

    return write_atomically(out_dir, _write)
