"""Helpers of the tests that edit the default scenario and write it as a user's file (a distinct module
name, as tests/weather/weather_testdata.py, so that nothing in the engine is shadowed)."""
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
