"""Helpers of the tests that write a user's files and look at them afterwards: the default scenario to edit,
its writer, and a snapshot of a folder (a distinct module name, as tests/weather/weather_testdata.py, so
that nothing in the engine is shadowed)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "hefei_auto_parts.yaml"


@pytest.fixture
def base() -> dict:
    """The default scenario as a fresh mapping, to edit."""
    return yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))


def write(tmp_path: Path, data, name: str = "s.yaml") -> Path:
    """``data`` written as a scenario file ``tmp_path/name``."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` (hidden ones included) with its bytes (None for a folder, a pipe or a device:
    other tests' FIFOs may stand beside ``tmp_path``, and opening one would wait for a writer)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None for p in folder.rglob("*")}
