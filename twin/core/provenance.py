"""What a result was computed from: the tool's version, the model's identity and the input files' hashes.

A results folder records them in its marker (:mod:`lingtan.twin.core.results_dir`) and a sweep keys its cases
by them (:mod:`lingtan.twin.studies.sweep`), so rows computed from other inputs or another model never mix.
"""

from __future__ import annotations

import hashlib
import importlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from lingtan.errors import InputError

MODEL_PACKAGES = ("lingtan", "lingtan.twin", "lingtan.components", "lingtan.weather")
"""Packages whose source and shipped data make up the model: a change to any of them is a new model."""
_MODEL_SUFFIXES = (".py", ".yaml", ".csv", ".json")


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes, read in blocks of 1 MiB.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    str
        The digest, 64 hexadecimal characters.

    Raises
    ------
    OSError
        When the file cannot be opened or read.
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@lru_cache(maxsize=1)
def tool_version() -> str:
    """The installed ``lingtan`` distribution's version.

    Returns
    -------
    str
        E.g. ``0.1.0``; ``unknown`` when run from a checkout that is not installed.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lingtan")
    except PackageNotFoundError:
        return "unknown"


@lru_cache(maxsize=1)
def model_version() -> str:
    """The tool's version and a hash of the engine's source and shipped data (:data:`MODEL_PACKAGES`).

    An edited checkout under an unchanged version number is another model.

    Returns
    -------
    str
        ``<version>+<first 12 hex digits of the sha256>``, e.g. ``0.1.0+3f2a9c1b4d5e``.

    Raises
    ------
    RuntimeError
        A package of :data:`MODEL_PACKAGES` without an ``__init__.py`` (an installation that lost files).
    """
    h = hashlib.sha256()
    for pkg in MODEL_PACKAGES:
        # Each package's own folder: they sit apart in a checkout (package-dir) and together when installed.
        init = importlib.import_module(pkg).__file__
        if init is None:  # a namespace package has no file of its own; every MODEL_PACKAGES entry is regular
            raise RuntimeError(f"{pkg}: expected a regular package with an __init__.py, found a namespace package")
        root = Path(init).resolve().parent
        for f in sorted(root.rglob("*") if pkg != "lingtan" else root.glob("*")):
            if f.suffix in _MODEL_SUFFIXES and f.is_file() and "__pycache__" not in f.parts:
                h.update(f"{pkg}/{f.relative_to(root).as_posix()}".encode() + b"\0" + f.read_bytes() + b"\0")
    return f"{tool_version()}+{h.hexdigest()[:12]}"


def input_hashes(file: str | Path, data: Any) -> dict[str, str]:
    """sha256 of the scenario file and of every file it names, keyed ``scenario`` and by field path.

    Parameters
    ----------
    file : str or Path
        The scenario file; the files it names resolve against its folder (:mod:`lingtan.paths`).
    data : mapping
        The parsed scenario.

    Returns
    -------
    dict of str to str
        Hex sha256 digest of each file: ``scenario`` for the scenario file, the field path (e.g.
        ``weather.path``) for each file it names.

    Raises
    ------
    InputError
        For a named file that is missing or unreadable, with its field path.
    """
    from lingtan.paths import referenced_files

    out = {"scenario": file_sha256(file)}
    for field, path in referenced_files(data, Path(file).parent, file):
        try:
            out[field] = file_sha256(path)
        except OSError as err:
            raise InputError(file, field, "a readable file", f"{path.name}: {err.strerror}") from None
    return out
