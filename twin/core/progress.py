"""Progress of long work: the engine names its stages and counts its steps; whoever listens draws them.

A park run, a plan, a sizing search or the validation calls :func:`stage` when it starts a stage
("tenants", "network power flow", ...) and :func:`advance` after each step of it. Nothing happens
unless a listener is installed with :func:`listening` (the command line installs a progress bar,
:mod:`lingtan.twin.cli.progress`); the engine never draws anything itself. :func:`muted` silences
the stages of work done inside another one (the park runs of a sizing search are its steps, not
stages of their own).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Protocol


class Listener(Protocol):
    """What :func:`listening` accepts: anything with these two methods."""

    def stage(self, name: str, total: int | None) -> None:
        """A new stage begins (the previous one is over).

        Parameters
        ----------
        name : str
            The stage.
        total : int or None
            Its steps; None when unknown, 0 for a stage done in one block.
        """

    def advance(self, n: int) -> None:
        """``n`` more steps of the current stage are done.

        Parameters
        ----------
        n : int
            Steps just done.
        """


_LISTENER: ContextVar[Listener | None] = ContextVar("lingtan_progress", default=None)


def stage(name: str, total: int | None = 0) -> None:
    """Tell the listener that a stage begins.

    Parameters
    ----------
    name : str
        What is being done, in a few words (a key of :data:`lingtan.twin.reports.i18n.LABELS` when
        it is to be translated, as ``progress_tenants``).
    total : int or None
        Steps of the stage; None when they are counted but their number is unknown (a search that stops when it
        converges); 0 (default) for a stage done in one block, whose steps are not counted.
    """
    listener = _LISTENER.get()
    if listener is not None:
        listener.stage(name, total)


def advance(n: int = 1) -> None:
    """Tell the listener that ``n`` more steps of the current stage are done.

    Parameters
    ----------
    n : int
        Steps just finished.
    """
    listener = _LISTENER.get()
    if listener is not None:
        listener.advance(n)


@contextmanager
def listening(listener: Listener | None) -> Iterator[None]:
    """Send the stages and steps of the work inside the block to ``listener``.

    Parameters
    ----------
    listener : Listener or None
        The listener; None silences the block.

    Yields
    ------
    None
    """
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


def muted() -> AbstractContextManager[None]:
    """A block whose stages nobody hears: work done as one step of an enclosing stage.

    Returns
    -------
    contextlib.AbstractContextManager
        The block.
    """
    return listening(None)


__all__ = ["Listener", "advance", "listening", "muted", "stage"]
