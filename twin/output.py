"""Writing a run's results atomically.

Results are written into a temporary folder beside the target and moved into
place only when every file is complete, so a failed or interrupted run never
leaves a half-written folder and never replaces an earlier good result.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(out_dir: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_dir)`` and then move ``tmp_dir`` to ``out_dir``.

    Parameters
    ----------
    out_dir : path
        Final results folder. An existing folder is replaced only after
        ``write`` has returned without error.
    write : callable
        Writes every result file into the folder it is given.

    Returns
    -------
    Path
        ``out_dir``.
    """
    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        write(tmp)
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            os.replace(out_dir, old / "previous")
            os.replace(tmp, out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _write_table(frame, stem: Path) -> None:
    """Write an hourly table as ``stem.parquet`` and ``stem.csv``."""
    import pyarrow as pa
    import pyarrow.csv
    import pyarrow.parquet

    pyarrow.parquet.write_table(pa.Table.from_pandas(frame, preserve_index=True), stem.with_suffix(".parquet"))
    # The CSV carries local time with its UTC offset, and plain strings for categories;
    # pyarrow writes it ten times faster than pandas' float formatting.
    local = pa.array(frame.index.strftime("%Y-%m-%dT%H:%M:%S%z"))
    plain = pa.Table.from_pandas(frame.astype({c: str for c in frame.columns if frame[c].dtype == "category"}),
                                 preserve_index=False)
    pyarrow.csv.write_csv(plain.add_column(0, "time", local), stem.with_suffix(".csv"))


def write_run(result, out_dir: str | Path) -> Path:
    """Write a :class:`twin.run.RunResult`: hourly tables (Parquet and CSV), ``kpis.json``, the scenario."""

    def _write(folder: Path) -> None:
        _write_table(result.hourly, folder / "hourly")
        if len(result.hourly_heat.columns):
            _write_table(result.hourly_heat, folder / "hourly_heat")
        (folder / "kpis.json").write_text(json.dumps(result.kpis, indent=2, ensure_ascii=False), encoding="utf-8")
        (folder / "accounting.json").write_text(json.dumps(result.accounting, indent=2, ensure_ascii=False),
                                                encoding="utf-8")
        (folder / "criteria.json").write_text(json.dumps({"packs": result.packs, "verdicts": result.verdicts},
                                                         indent=2, ensure_ascii=False, default=str),
                                              encoding="utf-8")
        (folder / "scenario.json").write_text(result.scenario.model_dump_json(indent=2), encoding="utf-8")

    return write_atomically(out_dir, _write)
