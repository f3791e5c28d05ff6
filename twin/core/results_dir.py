"""Results folders: where ``--out`` may write, and how an earlier result is replaced.

The rules (``twin run``, ``twin size``, ``twin sweep`` and the dashboard's run folders all
come through here):

* ``--out`` names a folder that is new, empty, or was written by the twin: it holds the
  marker :data:`MARKER` (the run's identity and the list of files the twin wrote there), of
  the same kind (a run's folder is not a sweep's), and nothing the marker does not list.
  Anything else (a folder with other files, the scenario's own folder, a plain file, a path
  under a plain file, a folder that cannot be written) is refused with an
  :class:`~lingtan.errors.InputError` before anything is touched. There is no way to force it.
* A run writes into ``.NAME.tmp-PID-XXXX`` beside the folder, marker first. The finished
  folder takes the place of an earlier result in one step, ``renameat2(RENAME_EXCHANGE)``
  where the system has it; elsewhere the earlier result is first renamed to
  ``.NAME.old-PID-XXXX`` and the next start puts it back if the run died before the new
  folder was in place. The earlier result, now the twin's own folder beside, is deleted.
* At every start the leftovers of killed runs (``.NAME.tmp-PID-*`` and ``.NAME.old-PID-*``
  whose process is gone) are cleaned or restored.
* ``.NAME.lock`` beside the folder is held (``flock``) for as long as a run or sweep uses the
  folder; a second one is refused with the first one's PID.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import fnmatch
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from lingtan.errors import InputError

MARKER = ".lingtan-results.json"
"""The file that marks a folder as the twin's results, with the run's identity and the files written."""

KINDS = ("run", "size", "sweep")
"""Kinds of results folder: a run (factory, park or plan: ``twin run`` and the dashboard), a sizing, a sweep."""

SWEEP_PATTERNS = ("sweep.json", ".sweep-*.json", "cases/part-*.parquet", "cases/.tmp-*.parquet", "plots/*")
"""Files a sweep writes into its folder, which grows case by case (a run's folder lists its files exactly)."""

_EXPECTED = "a new folder, an empty one, or one that holds only results the twin wrote"
_AT_FDCWD = -100  # <fcntl.h>: paths relative to the working directory
_RENAME_EXCHANGE = 2  # <linux/fs.h>: swap two existing paths atomically

_held: dict[Path, list[Any]] = {}  # out folder -> [lock fd, thread ident, depth, source]
_held_guard = threading.Lock()


# --------------------------------------------------------------------------- checks


def resolve_out(out_dir: str | Path) -> Path:
    """``out_dir`` made absolute, ``~`` expanded and symbolic links followed.

    Parameters
    ----------
    out_dir : str or Path
        The ``--out`` folder as given.

    Returns
    -------
    Path
        The absolute folder; it need not exist.

    Raises
    ------
    InputError
        For the root of the file system.
    """
    out = Path(out_dir).expanduser().resolve()
    if out == out.parent:
        raise InputError(out, "--out", _EXPECTED, "the root of the file system")
    return out


def _refuse(out: Path, found: str) -> InputError:
    return InputError(out, "--out", _EXPECTED, found)


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of a results folder.

    Parameters
    ----------
    folder : Path
        The results folder.

    Returns
    -------
    dict or None
        The parsed :data:`MARKER` when it is a JSON object of a known kind (:data:`KINDS`); None when the
        folder has none, or one that cannot be read or parsed.
    """
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) and marker.get("kind") in KINDS else None


def _owned(rel: str, is_dir: bool, marker: dict[str, Any]) -> bool:
    """Whether the twin wrote ``rel`` (a path inside the folder) according to ``marker``."""
    if rel == MARKER:
        return True
    files = marker.get("files") or []
    patterns = marker.get("patterns") or []
    if is_dir:
        prefix = rel + "/"
        return any(str(f).startswith(prefix) for f in files) or any(str(p).startswith(prefix) for p in patterns)
    return rel in files or any(fnmatch.fnmatchcase(rel, str(p)) for p in patterns)


def foreign_entries(folder: Path, marker: dict[str, Any], limit: int = 3) -> list[str]:
    """Paths inside ``folder`` that the marker does not list; symbolic links are always foreign.

    Parameters
    ----------
    folder : Path
        The results folder.
    marker : dict
        Its marker (:func:`read_marker`), with ``files`` and/or ``patterns``.
    limit : int
        Most paths returned; the walk stops once it has found them.

    Returns
    -------
    list of str
        Up to ``limit`` POSIX paths relative to ``folder``, sorted within each folder; a foreign
        folder ends in ``/`` and is not descended into.
    """
    out: list[str] = []
    for root, dirs, files in os.walk(folder):
        base = Path(root).relative_to(folder)
        keep = []
        for name in sorted(dirs):
            rel = (base / name).as_posix()
            if (Path(root) / name).is_symlink():
                out.append(rel)
            elif not _owned(rel, True, marker):
                out.append(rel + "/")  # not descended into
            else:
                keep.append(name)
        dirs[:] = keep
        out += [
            (base / name).as_posix()
            for name in sorted(files)
            if (Path(root) / name).is_symlink() or not _owned((base / name).as_posix(), False, marker)
        ]
        if len(out) >= limit:
            break
    return out[:limit]


def check_out(out_dir: str | Path, kind: str) -> dict[str, Any] | None:
    """Refuse ``out_dir`` unless a ``kind`` result may be written there; touches nothing.

    Parameters
    ----------
    out_dir : str or Path
        The ``--out`` folder.
    kind : {"run", "size", "sweep"}
        What would be written there (:data:`KINDS`).

    Returns
    -------
    dict or None
        The folder's marker when it holds an earlier result, None when it is new or empty.

    Raises
    ------
    InputError
        Naming the folder, ``--out``, what is expected and what was found.
    """
    out = resolve_out(out_dir)
    if os.path.lexists(out):
        if not out.is_dir():
            raise _refuse(out, "a file, not a folder")
        try:
            entries = sorted(os.listdir(out))
        except OSError as err:
            raise _refuse(out, f"a folder that cannot be read ({err.strerror})") from None
        if not entries:
            _check_writable(out.parent, out)
            return None
        marker = read_marker(out)
        if marker is None:
            shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
            raise _refuse(out, f"a folder holding other files ({shown}); choose another folder")
        if marker["kind"] != kind:
            raise _refuse(out, f"the results of a {marker['kind']}, where this writes a {kind}'s")
        foreign = foreign_entries(out, marker)
        if foreign:
            raise _refuse(
                out,
                f"results with files the twin did not write ({', '.join(foreign)}); "
                f"move them away or choose another folder",
            )
        _check_writable(out.parent, out)
        return marker
    ancestor = out.parent
    while not os.path.lexists(ancestor):
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise _refuse(out, f"a path under the plain file {ancestor}")
    _check_writable(ancestor, out)
    return None


def _check_writable(folder: Path, out: Path) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _refuse(out, f"a place the twin cannot write ({folder} is read-only)")


def inside(folder: Path, *parts: str, field: str, file: str | Path | None = None) -> Path:
    """``folder / parts...``, refused unless every part is one plain name that keeps the path inside ``folder``.

    Names from the scenario (tenants) become folder names; ``../x``, ``/abs``, ``a/b`` or ``..`` would write
    elsewhere.

    Parameters
    ----------
    folder : Path
        The results folder.
    *parts : str
        Names of the sub-folders and file, one path component each.
    field : str
        Field path named in the error, e.g. ``park.tenants[0].name``.
    file : str or Path, optional
        The scenario file, named in the error.

    Returns
    -------
    Path
        ``folder`` joined with ``parts`` (not resolved).

    Raises
    ------
    InputError
        For an empty part, ``.``, ``..``, a part with a slash, backslash or NUL, or a path that resolves
        outside ``folder`` (through a symbolic link).
    """
    path = folder
    for part in parts:
        text = str(part)
        if not text or text in (".", "..") or "/" in text or "\\" in text or "\x00" in text:
            raise InputError(file, field, "a name usable as a folder name (no '/', '\\', '..')", repr(text))
        path = path / text
    if not path.resolve().is_relative_to(folder.resolve()):
        raise InputError(file, field, "a name that stays inside the results folder", repr("/".join(parts)))
    return path


# --------------------------------------------------------------------------- locking and leftovers


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    try:  # a zombie has finished
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


def _acquire(out: Path) -> int:
    """Hold ``.NAME.lock`` beside ``out`` (exclusive, non-blocking); its PID is written into it."""
    lock = _lock_path(out)
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # The holder writes its PID just after it takes the lock: give it a moment to appear.
            for _ in range(20):
                text = os.pread(fd, 32, 0).decode(errors="replace").strip()
                if text.isdigit():
                    break
                time.sleep(0.005)
            os.close(fd)
            raise InputError(
                out,
                "--out",
                "a results folder no other run or sweep is using",
                f"in use by PID {text}" if text.isdigit() else "in use by another process",
            ) from None
        # The previous holder unlinks the file as it lets go: a lock on an unlinked file guards nothing.
        try:
            st, now = os.fstat(fd), os.stat(lock)
            same = (st.st_dev, st.st_ino) == (now.st_dev, now.st_ino)
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            return fd
        os.close(fd)


def _release(out: Path, fd: int) -> None:
    with contextlib.suppress(OSError):
        os.unlink(_lock_path(out))
    os.close(fd)


_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?P<what>tmp|old)-(?P<pid>\d+)-[a-z0-9_]+")


def recover(out: Path) -> None:
    """Complete what killed runs left beside ``out`` (call with the lock held).

    ``.NAME.old-PID-*`` of a dead process with no ``NAME`` is the earlier result of a replacement
    cut between its two renames: it is put back. Other leftovers of dead processes (the run's
    unfinished ``.NAME.tmp-PID-*``, an earlier result not yet deleted) are deleted when they are
    empty or carry the marker; anything else is left alone.

    Parameters
    ----------
    out : Path
        The results folder, absolute (:func:`resolve_out`).

    Raises
    ------
    OSError
        When a leftover cannot be renamed or deleted.
    """
    found = []
    for entry in out.parent.iterdir():
        m = _LEFTOVER.fullmatch(entry.name)
        if m and m["name"] == out.name and entry.is_dir() and not entry.is_symlink() and not _alive(int(m["pid"])):
            found.append((m["what"] != "old", entry))
    for is_tmp, entry in sorted(found):  # restore an earlier result before deleting anything
        if not is_tmp and not os.path.lexists(out) and read_marker(entry) is not None:
            os.rename(entry, out)
        elif read_marker(entry) is not None or not any(entry.iterdir()):
            remove_results(entry)


def remove_results(folder: Path) -> None:
    """Delete a folder the twin wrote, its marker last: a deletion cut short stays recognisable.

    Parameters
    ----------
    folder : Path
        A folder the twin wrote (the caller has checked its marker or that it is empty).

    Raises
    ------
    OSError
        When an entry cannot be deleted.
    """
    for child in folder.iterdir():
        if child.name == MARKER:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    (folder / MARKER).unlink(missing_ok=True)
    folder.rmdir()


@contextlib.contextmanager
def reserve(out_dir: str | Path, kind: str, *, source: str | Path | None = None) -> Iterator[Path]:
    """Check ``out_dir`` for a ``kind`` result, lock it and clean what killed runs left; yields the folder.

    Re-entrant within one thread (``twin run`` reserves its folder before simulating, and the writer
    reserves it again); another thread or process is refused with the holder's PID.

    Parameters
    ----------
    out_dir : str or Path
        The results folder.
    kind : {"run", "size", "sweep"}
        What is written there.
    source : str or Path, optional
        The scenario file, recorded in the marker.

    Yields
    ------
    Path
        The results folder, absolute; it may not exist yet.

    Raises
    ------
    InputError
        When :func:`check_out` refuses the folder, another thread or process holds it, or the lock or the
        leftovers cannot be handled.
    """
    out = resolve_out(out_dir)
    with _held_guard:
        held = _held.get(out)
        if held is not None and held[1] == threading.get_ident():
            held[2] += 1
            mine = True
        elif held is not None:
            raise InputError(
                out, "--out", "a results folder no other run or sweep is using", f"in use by PID {os.getpid()}"
            )
        else:
            mine = False
    if mine:
        try:
            yield out
        finally:
            with _held_guard:
                _held[out][2] -= 1
        return
    check_out(out, kind)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd = _acquire(out)
    except OSError as err:
        raise _refuse(out, f"a place the twin cannot write ({err.strerror})") from None
    with _held_guard:
        _held[out] = [fd, threading.get_ident(), 1, source]
    try:
        try:
            recover(out)
        except OSError as err:
            raise _refuse(out, f"leftovers of an earlier run that cannot be cleaned ({err.strerror})") from None
        check_out(out, kind)  # again, under the lock: a leftover may have been put back
        yield out
    finally:
        with _held_guard:
            del _held[out]
        _release(out, fd)


def _source(out: Path, source: str | Path | None) -> str | None:
    if source is None:
        held = _held.get(out)
        source = held[3] if held else None
    return None if source is None else str(Path(source).resolve())


def write_marker(
    folder: Path,
    kind: str,
    *,
    source: str | Path | None = None,
    files: list[str] | None = None,
    patterns: tuple[str, ...] | None = None,
) -> None:
    """Write the marker: tool and model version, kind, time, PID, the scenario file and its hash, the files.

    Written to a temporary file then renamed, so a reader never sees half a marker.

    Parameters
    ----------
    folder : Path
        The folder being written.
    kind : {"run", "size", "sweep"}
        The folder's kind (:data:`KINDS`).
    source : str or Path, optional
        The scenario file; its sha256 is recorded when it is a file.
    files : list of str, optional
        The files written, relative POSIX paths (a run's folder).
    patterns : tuple of str, optional
        Glob patterns of the files written (a sweep's folder, which grows case by case).

    Raises
    ------
    OSError
        When the marker cannot be written.
    """
    from lingtan.twin.core.provenance import file_sha256, model_version, tool_version

    src = Path(source) if source is not None else None
    marker = {
        "tool": "lingtan",
        "version": tool_version(),
        "model": model_version(),
        "kind": kind,
        "written_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "pid": os.getpid(),
        "scenario": str(src) if src else None,
        "scenario_sha256": file_sha256(src) if src and src.is_file() else None,
    }
    if files is not None:
        marker["files"] = files
    if patterns is not None:
        marker["patterns"] = list(patterns)
    tmp = folder / f"{MARKER}.tmp"
    tmp.write_text(json.dumps(marker, indent=1), encoding="utf-8")
    os.replace(tmp, folder / MARKER)


def _listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != MARKER)


# --------------------------------------------------------------------------- replacing a result


def _renameat2() -> Callable[..., int] | None:
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # glibc < 2.28, or not Linux
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step (``renameat2`` with ``RENAME_EXCHANGE``).

    Parameters
    ----------
    a, b : Path
        The two paths, both existing.

    Returns
    -------
    bool
        True when swapped; False where the C library, kernel or file system lacks the call or the flag.

    Raises
    ------
    OSError
        For any other failure of the call, naming ``b``.
    """
    fn = _renameat2()
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # kernel or file system without the flag
        return False
    raise OSError(err, os.strerror(err), str(b))


def install(tmp: Path, out: Path) -> None:
    """Put the finished folder ``tmp`` at ``out``; an earlier result there is deleted afterwards.

    Parameters
    ----------
    tmp : Path
        The finished folder, beside ``out`` (same file system).
    out : Path
        The results folder: absent, empty (it stays, the files move in) or an earlier result.

    Raises
    ------
    OSError
        When a rename or deletion fails.
    """
    if not os.path.lexists(out):
        os.rename(tmp, out)
    elif not any(out.iterdir()):
        # The user's empty folder stays (its permissions, a shell inside it): the files move in, a copy of the
        # marker first, so that a kill midway leaves two folders recognisably the twin's.
        shutil.copyfile(tmp / MARKER, out / MARKER)
        for child in tmp.iterdir():
            if child.name != MARKER:
                os.rename(child, out / child.name)
        remove_results(tmp)
    elif exchange(tmp, out):
        remove_results(tmp)  # now the earlier result
    else:
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=out.parent))
        os.rename(out, old)  # onto the empty folder; a kill now leaves it for recover() to put back
        os.rename(tmp, out)
        remove_results(old)


def write_results(
    out_dir: str | Path, write: Callable[[Path], None], *, kind: str = "run", source: str | Path | None = None
) -> Path:
    """Call ``write(folder)`` on a temporary folder beside ``out_dir``, then put it in place.

    Parameters
    ----------
    out_dir : str or Path
        The results folder: new, empty or the twin's own of the same ``kind`` (:func:`check_out`).
        An earlier result is replaced only after ``write`` has returned without error.
    write : callable
        Writes every result file into the folder it is given.
    kind : {"run", "size"}
        What is written.
    source : str or Path, optional
        The scenario file, recorded in the marker (default: the one given to :func:`reserve`).

    Returns
    -------
    Path
        The results folder, absolute.

    Raises
    ------
    InputError
        When the folder is refused (:func:`reserve`) or cannot be written; whatever ``write`` raises passes
        through, the temporary folder deleted and an earlier result untouched.
    """
    with reserve(out_dir, kind, source=source) as out:
        src = _source(out, source)
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
        except OSError as err:
            raise _refuse(out, f"a place the twin cannot write ({err.strerror})") from None
        try:
            write_marker(tmp, kind, source=src, files=[])  # first: a killed run's folder is recognisably the twin's
            write(tmp)
            write_marker(tmp, kind, source=src, files=_listing(tmp))
            install(tmp, out)
        except OSError as err:
            _discard(tmp)
            raise InputError(
                out, "--out", "a folder the twin can write its results into", f"{err.strerror or err}"
            ) from None
        except BaseException:
            _discard(tmp)
            raise
    return out


def _discard(tmp: Path) -> None:
    if tmp.is_dir():
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def results_in_place(
    out_dir: str | Path, kind: str, *, source: str | Path | None = None, patterns: tuple[str, ...] = SWEEP_PATTERNS
) -> Iterator[Path]:
    """A results folder written in place, file by file (a sweep): reserved, created and marked.

    Parameters
    ----------
    out_dir : str or Path
        The results folder.
    kind : {"run", "size", "sweep"}
        What is written there.
    source : str or Path, optional
        The scenario file, recorded in a new marker.
    patterns : tuple of str
        Glob patterns of the files that will be written, recorded in a new marker.

    Yields
    ------
    Path
        The results folder, absolute and existing.

    Raises
    ------
    InputError
        When the folder is refused (:func:`reserve`) or cannot be created or marked.
    """
    with reserve(out_dir, kind, source=source) as out:
        try:
            out.mkdir(exist_ok=True)
            if read_marker(out) is None:
                write_marker(out, kind, source=_source(out, source), patterns=patterns)
        except OSError as err:
            raise _refuse(out, f"a place the twin cannot write ({err.strerror})") from None
        yield out
