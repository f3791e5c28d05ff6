"""Field paths into a scenario mapping, as error messages, sweeps and the dashboard write them.

A path names one value of a parsed scenario file: ``pv[0].capacity_kwp``, ``grid.import_limit_kw``,
``tenants[2].battery[0].energy_kwh``. Each dot-separated part is a key, optionally followed by list
indices. Parsed, a path is a list of segments: keys (``str``) and indices (``int``)::

    parse("tenants[2].pv[0].capacity_kwp") == ["tenants", 2, "pv", 0, "capacity_kwp"]
    format_path(["tenants", 2, "pv", 0, "capacity_kwp"]) == "tenants[2].pv[0].capacity_kwp"

:func:`get_value` and :func:`set_value` read and write the value a path names; both refuse a path the
mapping does not have with an :class:`~lingtan.errors.InputError` naming the path, the deepest part that
exists and what it holds. :func:`with_values` returns a copy with several values set, copying only
the containers along the paths (a sweep makes one such copy per case).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lingtan.errors import InputError

Segment = str | int
"""A key of a mapping or an index of a list."""

_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")
EXAMPLE = "a field path such as pv[0].capacity_kwp"


def parse(
    text: str, *, file: str | Path | None = None, field: str | None = None, error: type[InputError] = InputError
) -> list[Segment]:
    """Split a field path into its keys and indices.

    Parameters
    ----------
    text : str
        A path such as ``battery[0].energy_kwh``.
    file : str or Path, optional
        The file the path refers to, for the error.
    field : str, optional
        Where the path was written, for the error (e.g. ``--param battery[0].energy_kwh``); default the
        path itself.
    error : type of InputError
        The error raised (``ScenarioError`` where the path is a scenario's).

    Returns
    -------
    list of str and int
        ``["battery", 0, "energy_kwh"]``.

    Raises
    ------
    InputError
        A part that is not a name followed by ``[index]`` groups.
    """
    out: list[Segment] = []
    for part in text.split("."):
        m = _PART.fullmatch(part)
        if not m:
            raise error(file, text if field is None else field, EXAMPLE, f"{part!r} in {text!r}")
        out.append(m.group(1))
        out += [int(i) for i in _INDEX.findall(m.group(2))]
    return out


def format_path(segments: Sequence[Segment]) -> str:
    """Write segments as a field path: ``["pv", 0, "capacity_kwp"]`` -> ``pv[0].capacity_kwp``.

    Parameters
    ----------
    segments : sequence of str and int
        Keys and list indices, outermost first.

    Returns
    -------
    str
        The path; ``""`` for no segments (the top level).
    """
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in segments).lstrip(".")


def _segments(
    path: str | Sequence[Segment], file: str | Path | None, field: str | None, error: type[InputError]
) -> tuple[str, list[Segment]]:
    """The path's name in errors (``field``, else the path as text) and its segments."""
    if isinstance(path, str):
        return path if field is None else field, parse(path, file=file, field=field, error=error)
    return format_path(path) if field is None else field, list(path)


def _has(node: Any, seg: Segment) -> bool:
    if isinstance(seg, int):
        return isinstance(node, list) and 0 <= seg < len(node)
    return isinstance(node, Mapping) and seg in node


def _contents(node: Any) -> str:
    """What a container holds, for an error: its keys or its number of entries."""
    if isinstance(node, Mapping):
        return "fields " + ", ".join(sorted(map(str, node)))
    if isinstance(node, list):
        return f"{len(node)} entries"
    return "no sub-fields"


def _missing(
    file: str | Path | None, text: str, segments: list[Segment], depth: int, node: Any, error: type[InputError]
) -> InputError:
    """The error for a path whose part ``segments[depth]`` is not in ``node``."""
    where = format_path(segments[:depth]) or "top level"
    return error(file, text, f"a field of the scenario ({where} has {_contents(node)})", "no such field")


def get_value(
    data: Any,
    path: str | Sequence[Segment],
    *,
    file: str | Path | None = None,
    field: str | None = None,
    error: type[InputError] = InputError,
) -> Any:
    """The value at ``path`` in ``data``.

    Parameters
    ----------
    data : mapping
        A parsed scenario (nested dicts and lists).
    path : str or sequence of str and int
        The field path, as text or as segments.
    file : str or Path, optional
        The scenario file, for the error.
    field : str, optional
        Where the path was written, for the error; default the path.
    error : type of InputError
        The error raised.

    Returns
    -------
    object
        The value (``None`` for a field that is present and null).

    Raises
    ------
    InputError
        A bad path, or one ``data`` does not have (the message names the deepest part that exists and
        what it holds).
    """
    text, segments = _segments(path, file, field, error)
    node = data
    for depth, seg in enumerate(segments):
        if not _has(node, seg):
            raise _missing(file, text, segments, depth, node, error)
        node = node[seg]
    return node


def set_value(
    data: Any,
    path: str | Sequence[Segment],
    value: Any,
    *,
    file: str | Path | None = None,
    field: str | None = None,
    error: type[InputError] = InputError,
) -> None:
    """Replace the value at ``path`` in ``data``, in place; the field must exist already.

    Parameters
    ----------
    data : mapping
        A parsed scenario (nested dicts and lists), modified.
    path : str or sequence of str and int
        The field path, as text or as segments.
    value : object
        The new value.
    file : str or Path, optional
        The scenario file, for the error.
    field : str, optional
        Where the path was written, for the error; default the path.
    error : type of InputError
        The error raised.

    Raises
    ------
    InputError
        As :func:`get_value`: a field that does not exist is not created (a misspelt path must not add
        a field the schema then ignores or refuses elsewhere).
    """
    text, segments = _segments(path, file, field, error)
    if not segments:
        raise _missing(file, text, segments, 0, data, error)
    parent = get_value(data, segments[:-1], file=file, field=text, error=error)
    if not _has(parent, segments[-1]):
        raise _missing(file, text, segments, len(segments) - 1, parent, error)
    parent[segments[-1]] = value


def with_values(
    data: Mapping[str, Any],
    values: Mapping[str, Any] | Sequence[tuple[str, Any]],
    *,
    file: str | Path | None = None,
    error: type[InputError] = InputError,
) -> dict[str, Any]:
    """A copy of ``data`` with each path set to its value; ``data`` is left as it was.

    Only the containers along the paths are copied, everything else is shared with ``data``: cheap for
    a sweep's many cases, but the copy's untouched parts must not be modified in place.

    Parameters
    ----------
    data : mapping
        A parsed scenario (nested dicts and lists).
    values : mapping or sequence of (path, value)
        The fields to set; each must exist in ``data``.
    file : str or Path, optional
        The scenario file, for the error.
    error : type of InputError
        The error raised.

    Returns
    -------
    dict
        The copy.

    Raises
    ------
    InputError
        As :func:`set_value`.
    """
    out = dict(data)
    # ``node`` walks nested dicts and lists with mixed str and int segments: no narrower static type.
    node: Any
    for path, value in values.items() if isinstance(values, Mapping) else values:
        text, segments = _segments(path, file, None, error)
        if not segments:
            raise _missing(file, text, segments, 0, data, error)
        get_value(out, segments, file=file, field=text, error=error)  # every part exists: refuse before copying
        node = out
        for seg in segments[:-1]:
            child = node[seg]
            child = dict(child) if isinstance(child, Mapping) else list(child)
            node[seg] = child
            node = child
        node[segments[-1]] = value
    return out
