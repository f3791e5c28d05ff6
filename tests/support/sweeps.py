"""Sweeps run on both paths, for the tests that compare the fast path's rows with the whole-scenario path's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def both_paths(file, params: list[str], out: Path, jobs: int = 1, **kw) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of one sweep on the fast path (``path="auto"``, which must choose it) and on the whole-scenario path,
    each sorted by case hash."""
    from lingtan.twin.studies.sweep import read_results, run_sweep

    rows = []
    for path in ("auto", "whole"):
        s = run_sweep(file, params, out=out / path, path=path, jobs=jobs, progress=False, **kw)
        assert s["path"] == ("fast" if path == "auto" else "whole")
        rows.append(read_results(out / path).sort_values("case_hash").reset_index(drop=True))
    return rows[0], rows[1]


def assert_same_columns(a: pd.DataFrame, b: pd.DataFrame, columns) -> None:
    """The columns of two paths' rows equal: flags and text exactly, numbers within float round-off of the same
    arithmetic."""
    for c in columns:
        x, y = a[c].to_numpy(), b[c].to_numpy()
        if x.dtype.kind in "bO" or y.dtype.kind in "bO":
            assert list(x) == list(y), c
        else:
            np.testing.assert_allclose(x, y.astype(float), rtol=1e-9, atol=1e-6, err_msg=c)
