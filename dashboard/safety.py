"""What stands between the browser and the machine.

* Uploads are limited in size (:data:`MAX_UPLOAD_BYTES`) and parsed with a safe YAML
  loader that also refuses alias bombs (:func:`parse_upload`).
* Every path the browser can name (a library scenario, a sweep folder, a run's files)
  is resolved and must stay inside the scenario library or the results folder
  (:func:`confine`); file paths *inside* a scenario (weather, load CSVs, tariffs,
  pandapower JSON) must be relative and stay inside the scenario library
  (:func:`check_scenario_paths`).
* Run ids are random hex strings checked by :func:`valid_run_id` before they become
  part of a path.
"""
from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import yaml

from twin.errors import ScenarioError

MAX_UPLOAD_BYTES = 512 * 1024
"""Largest scenario file accepted from the browser (bytes)."""
MAX_ALIASES = 200
"""Largest number of YAML aliases (``*name``) in an upload: enough for any scenario, too few for a bomb."""
MAX_NODES = 200_000
"""Largest number of values in a parsed upload (after aliases are expanded)."""

_RUN_ID = re.compile(r"^[0-9a-f]{32}$")
_FILE_SUFFIXES = (".csv", ".json", ".yaml", ".yml", ".epw", ".parquet", ".txt", ".xlsx", ".xls", ".tmy", ".dat")
_PATH_KEYS = {"path", "pandapower_json", "file"}


class OutsideError(PermissionError):
    """A path that would leave its allowed folder."""


# --------------------------------------------------------------------------- YAML


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that counts aliases, so that a small file cannot expand into a huge tree."""

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise ScenarioError(self._file, "file", f"at most {MAX_ALIASES} YAML aliases", "more")
        return super().compose_node(parent, index)


def _count_nodes(data: Any, limit: int) -> int:
    seen = 0
    stack = [data]
    while stack:
        x = stack.pop()
        seen += 1
        if seen > limit:
            break
        if isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return seen


def safe_yaml(text: str, file: str = "<upload>") -> Any:
    """Parse YAML text with the safe loader; problems are :class:`ScenarioError` naming the line."""
    loader = _Loader(text)
    loader._file = file
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        raise ScenarioError(file, where, "valid YAML", getattr(exc, "problem", None) or str(exc)) from None
    finally:
        loader.dispose()
    if _count_nodes(data, MAX_NODES) > MAX_NODES:
        raise ScenarioError(file, "file", f"at most {MAX_NODES:,} values", "more")
    return data


def display_name(filename: str | None) -> str:
    """The base name of an uploaded file, as shown and as named in error messages (never a path)."""
    name = PureWindowsPath(PurePosixPath(filename or "upload.yaml").name).name
    name = re.sub(r"[^\w.\-() ]+", "_", name).strip() or "upload.yaml"
    return name[:80]


def parse_upload(contents: str | None, filename: str | None) -> Any:
    """Decode a ``dcc.Upload`` value (``data:...;base64,...``) and parse it as YAML.

    Raises
    ------
    ScenarioError
        Too large, not base64, not UTF-8, not YAML; the message names the file.
    """
    name = display_name(filename)
    if not contents:
        raise ScenarioError(name, "file", "a scenario YAML file", "nothing")
    _, _, b64 = contents.partition(",")
    if len(b64) * 3 // 4 > MAX_UPLOAD_BYTES + 3:
        raise ScenarioError(name, "file", f"at most {MAX_UPLOAD_BYTES // 1024} KB",
                            f"about {len(b64) * 3 // 4 // 1024} KB")
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise ScenarioError(name, "file", "a file upload (base64)", "undecodable data") from None
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ScenarioError(name, "file", f"at most {MAX_UPLOAD_BYTES // 1024} KB", f"{len(raw) // 1024} KB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(name, "file", "UTF-8 text", "undecodable bytes") from None
    return safe_yaml(text, name)


# --------------------------------------------------------------------------- paths


def confine(root: str | Path, *parts: str) -> Path:
    """``root / parts``, resolved; :class:`OutsideError` unless it stays inside ``root``."""
    base = Path(root).resolve()
    for p in parts:
        if not isinstance(p, str) or not p or "\x00" in p or Path(p).is_absolute() or PureWindowsPath(p).drive:
            raise OutsideError(f"not a relative name: {p!r}")
    target = base.joinpath(*parts).resolve()
    if target != base and not target.is_relative_to(base):
        raise OutsideError(f"{'/'.join(parts)!r} is outside {base}")
    return target


def valid_run_id(run_id: Any) -> bool:
    return isinstance(run_id, str) and bool(_RUN_ID.match(run_id))


def list_scenarios(scenarios_dir: str | Path) -> list[str]:
    """Scenario files of the library: ``*.yaml``/``*.yml`` names relative to it (sub-folders included)."""
    base = Path(scenarios_dir).resolve()
    if not base.is_dir():
        return []
    out = []
    for f in sorted(base.rglob("*.y*ml")):
        rel = f.relative_to(base)
        if f.is_file() and f.suffix in (".yaml", ".yml") and not any(p.startswith(".") for p in rel.parts):
            if f.resolve().is_relative_to(base):
                out.append(rel.as_posix())
    return out


def _walk_strings(data: Any, path: str = ""):
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _walk_strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _walk_strings(v, f"{path}[{i}]")
    elif isinstance(data, str):
        yield path, data


def check_scenario_paths(data: Any, scenarios_dir: str | Path, file: str = "<upload>") -> None:
    """Every file a scenario names must be a relative path inside the scenario library.

    Raises
    ------
    ScenarioError
        With the field path of the first file that is absolute or leaves the library.
    """
    for field, value in _walk_strings(data):
        key = field.rsplit(".", 1)[-1].split("[")[0]
        if key not in _PATH_KEYS and not value.lower().endswith(_FILE_SUFFIXES):
            continue
        try:
            confine(scenarios_dir, value)
        except OutsideError:
            raise ScenarioError(file, field, "a file path relative to the scenario library, inside it",
                                repr(value)) from None
