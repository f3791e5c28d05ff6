"""What stands between the browser and the machine.

* Uploads are limited in size (:data:`MAX_UPLOAD_BYTES`) and parsed with the twin's one
  YAML loader, :func:`lingtan.loader.parse_yaml`, which also refuses alias bombs (:func:`parse_upload`).
* Every path the browser can name (a library scenario, a sweep folder, a run's files)
  is resolved and must stay inside the scenario library or the results folder
  (:func:`confine`); every file a scenario names (the list of :func:`lingtan.paths.scenario_paths`:
  weather, load CSVs, tariff and emission-factor files, pandapower JSON, in tenants and plan
  stages too) must be relative and stay inside the scenario library
  (:func:`check_scenario_paths`). Its messages repeat the path as written and never say
  whether a file outside exists.
* Run ids are random hex strings checked by :func:`valid_run_id` before they become
  part of a path.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from lingtan.errors import ScenarioError
from lingtan.loader import parse_yaml
from lingtan.paths import scenario_paths

MAX_UPLOAD_BYTES = 512 * 1024
"""Largest scenario file accepted from the browser (bytes)."""

_RUN_ID = re.compile(r"^[0-9a-f]{32}$")


class OutsideError(PermissionError):
    """A path that would leave its allowed folder."""


# --------------------------------------------------------------------------- YAML


def safe_yaml(text: str, file: str = "<upload>") -> Any:
    """Parse YAML text with the twin's one loader (:func:`lingtan.loader.parse_yaml`: safe, with limits on size,
    aliases, values and depth; repeated keys and non-finite numbers refused); problems are
    :class:`ScenarioError` naming the line."""
    return parse_yaml(text, file)


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
        raise ScenarioError(
            name, "file", f"at most {MAX_UPLOAD_BYTES // 1024} KB", f"about {len(b64) * 3 // 4 // 1024} KB"
        )
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


def check_scenario_paths(data: Any, scenarios_dir: str | Path, file: str = "<upload>") -> None:
    """Every file a scenario names must be a relative path inside the scenario library.

    The files are those :func:`lingtan.paths.scenario_paths` lists (the twin's own enumeration), resolved
    against the library folder, where the dashboard runs uploads and library scenarios. Symbolic links
    are followed before the check, so a link out of the library is refused too.

    Raises
    ------
    ScenarioError
        With the field path of the first file that is absolute or leaves the library; the message
        repeats the path as written and says nothing of what lies outside.
    """
    for field, value in scenario_paths(data):
        try:
            confine(scenarios_dir, value)
        except OutsideError:
            raise ScenarioError(
                file, field, "a file path relative to the scenario library, inside it", repr(value)
            ) from None
