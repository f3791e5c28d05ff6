"""Errors that reach the user as one line, never as a traceback.

Every input problem is raised as :class:`InputError` (a scenario file, a weather
file, a load CSV, a tariff table ...). It names the file, the field path inside
it, what was expected and what was found. The CLI prints ``str(err)`` and exits
with code 2.
"""

from __future__ import annotations

import stat
from pathlib import Path


class InputError(Exception):
    """Bad input, reported with enough context to fix it.

    Parameters
    ----------
    file : str or Path or None
        The file that holds the problem (``None`` for in-memory input).
    field : str
        Field path inside the file, e.g. ``pv[0].tilt_deg`` for YAML, or
        ``column ghi, row 4381`` for a table.
    expected : str
        What a valid value looks like.
    found : str
        What was actually there.
    """

    def __init__(self, file: str | Path | None, field: str, expected: str, found: str) -> None:
        self.file = str(file) if file is not None else "<input>"
        self.field = field
        self.expected = expected
        self.found = found
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: expected {self.expected}, found {self.found}"


class ScenarioError(InputError):
    """An error in a scenario YAML file."""


class FieldPathError(ValueError):
    """A model check that names the YAML field at fault, relative to the model that raises
    (``heat_pumps[1].source``); the scenario loader makes it an :class:`InputError` of the file.

    Parameters
    ----------
    field_path : str
        The field.
    message : str
        What was expected.
    found : str
        What was found.
    """

    def __init__(self, field_path: str, message: str, found: str = "nothing"):
        self.field_path = field_path
        self.found = found
        super().__init__(message)


class BalanceError(RuntimeError):
    """An energy balance did not close: a bug in the model, never the user's input."""


def require_file(
    path: str | Path, field: str, expected: str, *, max_bytes: int | None = None, error: type[InputError] = InputError
) -> Path:
    """``path`` when it is a regular file of at most ``max_bytes``; otherwise ``error`` saying what is there.

    A folder, a device or a pipe is refused before anything reads it: reading ``/dev/zero`` or a FIFO
    would never end.

    Parameters
    ----------
    path : str or Path
        The file to check; symbolic links are followed.
    field : str
        Field path named in the error, e.g. ``weather.path``.
    expected : str
        What a valid file is, named in the error.
    max_bytes : int, optional
        Largest accepted size [bytes]; no bound when None.
    error : type of InputError
        The error class raised (:class:`ScenarioError` for a scenario file).

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    InputError
        (or ``error``) for a missing or unreadable path, a folder, a device, pipe or socket, or a file
        larger than ``max_bytes``.
    """
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        found = "no such file"
    except OSError as exc:
        found = exc.strerror or type(exc).__name__
    else:
        if stat.S_ISDIR(st.st_mode):
            found = "a folder"
        elif not stat.S_ISREG(st.st_mode):
            found = "not a regular file (a device, pipe or socket)"
        elif max_bytes is not None and st.st_size > max_bytes:
            found = f"{st.st_size / 2**20:,.0f} MiB, more than the {max_bytes / 2**20:,.0f} MiB limit"
        else:
            return p
    raise error(p, field, expected, found)
