"""The progress bar of long commands (``twin run`` of a park or a plan, ``twin size``, ``twin validate``).

The engine names its stages and counts their steps (:mod:`lingtan.twin.core.progress`); this module
draws them on stderr with tqdm, one line per stage, left on screen when the stage ends so that the
terminal keeps where the time went. Nothing is drawn with ``--quiet`` or when stderr is not a
terminal (a pipe, a log file, a test), so that output read by programs stays as it was.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from tqdm import tqdm

from lingtan.twin.core.progress import listening
from lingtan.twin.reports.i18n import label

_KNOWN = "{desc}: {percentage:3.0f}%|{bar:24}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]"
_OPEN = "{desc}: {n_fmt} [{elapsed}]"
"""A stage whose number of steps is not known ahead (a search that stops when it converges)."""
_BLOCK = "{desc} [{elapsed}]"
"""A stage done in one block (the park bus, the power flow): its name and its time."""


class StageBars:
    """A listener of :mod:`lingtan.twin.core.progress`: one tqdm bar per stage.

    Parameters
    ----------
    stream : file-like
        Where the bars go (a terminal).
    lang : {"en", "zh"}
        Language of the stage names.
    """

    def __init__(self, stream: IO[str], lang: str = "en"):
        self.stream, self.lang = stream, lang
        self.bar: tqdm | None = None
        self.count = 0

    def stage(self, name: str, total: int | None) -> None:
        """Close the current stage's bar and open one for ``name``.

        Parameters
        ----------
        name : str
            The stage, a label key (``progress_tenants``).
        total : int or None
            Its steps; None when unknown, 0 for a stage done in one block.
        """
        self.close()
        self.count += 1
        self.bar = tqdm(
            total=total or None,
            desc=f"[{self.count}] {label(name, self.lang)}",
            file=self.stream,
            bar_format=_KNOWN if total else (_OPEN if total is None else _BLOCK),
            leave=True,
            dynamic_ncols=True,
        )

    def advance(self, n: int) -> None:
        """Count ``n`` more steps of the current stage.

        Parameters
        ----------
        n : int
            Steps just done.
        """
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        """End the current stage's bar, leaving its last line on screen."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@contextmanager
def progress_bars(quiet: bool = False, lang: str = "en", stream: IO[str] | None = None) -> Iterator[Callable[[], None]]:
    """Draw the stages of the work inside the block, unless ``quiet`` or ``stream`` is not a terminal.

    Parameters
    ----------
    quiet : bool
        The command's ``--quiet``: draw nothing.
    lang : {"en", "zh"}
        Language of the stage names.
    stream : file-like, optional
        Where to draw (default ``sys.stderr``).

    Yields
    ------
    callable
        Ends the last stage's bar, before the command prints its results below it.
    """
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    if quiet or not (isatty is not None and isatty()):
        with listening(None):
            yield lambda: None
        return
    bars = StageBars(stream, lang)
    try:
        with listening(bars):
            yield bars.close
    finally:
        bars.close()


__all__ = ["StageBars", "progress_bars"]
