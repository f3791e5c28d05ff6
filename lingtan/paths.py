"""The one path policy: every file a scenario names resolves against the scenario file's folder.

A scenario names files in a few fields (weather, load CSVs, a tariff file, an hourly emission
factor, a pandapower network, and the same fields inside park tenants and plan stages).
:func:`referenced_files` lists them from the parsed mapping with their field paths, and
:func:`resolve_input` turns one into a path, so the CLI, the dashboard, sweeps and ``twin check``
all see the same files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator

from lingtan.errors import InputError
from lingtan.limits import MAX_NAME_CHARS

PATH_KEYS = frozenset({"path", "pandapower_json", "forecast_file"})
"""Keys whose string value is always a file path."""

_SUFFIXES = (".yaml", ".yml", ".json", ".csv")


def looks_like_path(text: str) -> bool:
    """Whether a name-or-path field (``grid.tariff``, ``grid.emission_factor``) holds a path, not a shipped name.

    Parameters
    ----------
    text : str
        The field's value as written.

    Returns
    -------
    bool
        True when it holds a slash or backslash or ends in ``.yaml``, ``.yml``, ``.json`` or ``.csv``.
    """
    return "/" in text or "\\" in text or text.lower().endswith(_SUFFIXES)


def _walk(node: Any, field: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            sub = f"{field}.{key}" if field else str(key)
            if isinstance(value, str) and (
                key in PATH_KEYS or (key in ("tariff", "emission_factor") and looks_like_path(value))
            ):
                yield sub, value
            else:
                yield from _walk(value, sub)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{field}[{i}]")


def scenario_paths(data: Any) -> list[tuple[str, str]]:
    """Every file a parsed scenario mapping names, as ``(field path, text as written)``.

    Parameters
    ----------
    data : mapping
        The parsed scenario (plain data, before validation); other values give an empty list.

    Returns
    -------
    list of (str, str)
        Field path (``weather.path``, ``park.tenants[1].loads[0].path``) and the path as written, in the
        order of the file.

    Examples
    --------
    >>> scenario_paths({"weather": {"source": "epw", "path": "w.epw"}, "grid": {"tariff": "t.yaml"}})
    [('weather.path', 'w.epw'), ('grid.tariff', 't.yaml')]
    """
    return list(_walk(data, ""))


def resolve_input(
    base_dir: str | Path, raw: str | Path, *, file: str | Path | None = None, field: str = "path"
) -> Path:
    """A file a scenario names, resolved against the scenario file's folder ``base_dir``.

    Parameters
    ----------
    base_dir : str or Path
        Folder of the scenario file (``"."`` for a scenario built in memory).
    raw : str or Path
        The path as written; absolute paths stay absolute.
    file, field : optional
        Named in the error for an empty or NUL-bearing path.

    Returns
    -------
    Path
        The absolute path, symbolic links followed; it need not exist.

    Raises
    ------
    InputError
        For an empty path or one with a NUL byte.
    """
    text = str(raw)
    if not text.strip() or "\x00" in text:
        raise InputError(file, field, "a file path", repr(text))
    return (Path(base_dir) / text).resolve()


_SAFE_NAME = re.compile(r"[A-Za-z0-9_\-.\u4e00-\u9fff ]+")


def safe_name(text: str) -> str:
    """Check a name that becomes a file or folder name (a tenant's results go to ``tenants/<name>/``).

    Letters, digits, CJK ideographs, space, ``_ - .``; 1 to :data:`lingtan.limits.MAX_NAME_CHARS` characters;
    not starting with a dot or a space, not ending with a space (so never ``.`` or ``..``, a hidden file or
    a name Windows trims), never a slash, backslash or NUL.

    Parameters
    ----------
    text : str
        The name as written.

    Returns
    -------
    str
        ``text``, unchanged.

    Raises
    ------
    ValueError
        For a name too short or too long or with other characters (pydantic turns it into a field error).

    Examples
    --------
    >>> safe_name("铸造车间 A-1")
    '铸造车间 A-1'
    """
    if not 1 <= len(text) <= MAX_NAME_CHARS:
        raise ValueError(f"a name of 1 to {MAX_NAME_CHARS} characters (lingtan.limits.MAX_NAME_CHARS), not {len(text)}")
    if not _SAFE_NAME.fullmatch(text) or text[0] in ". " or text[-1] == " ":
        raise ValueError(
            "a name usable as a folder name: letters, digits, Chinese characters, space, _ - . (not first), no / or \\"
        )
    return text


SafeName = Annotated[str, AfterValidator(safe_name)]
"""A name that becomes a file or folder name: see :func:`safe_name`."""


def referenced_files(data: Any, base_dir: str | Path, file: str | Path | None = None) -> list[tuple[str, Path]]:
    """Every file a parsed scenario mapping names, resolved against ``base_dir``.

    Parameters
    ----------
    data : mapping
        The parsed scenario (plain data, before validation).
    base_dir : str or Path
        Folder of the scenario file.
    file : str or Path, optional
        The scenario file, named in errors.

    Returns
    -------
    list of (str, Path)
        Field path and absolute path of each file (:func:`scenario_paths`, :func:`resolve_input`).

    Raises
    ------
    InputError
        For an empty path or one with a NUL byte.
    """
    return [(field, resolve_input(base_dir, raw, file=file, field=field)) for field, raw in scenario_paths(data)]
