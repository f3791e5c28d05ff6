"""The dashboard's language: the reader's choice in the header, else the browser's, never the scenario's.

The header's switch (:mod:`lingtan.dashboard.app`) stores the choice in the cookie :data:`COOKIE` and
reloads the page; every page layout and callback runs inside a request of that browser, so
:func:`current_lang` reads the same answer everywhere: the cookie, else the browser's
``Accept-Language`` (what ``navigator.languages`` holds), else English. A scenario's ``lang:``
field is for the files a run writes (``twin run``); in the browser the reader decides.
"""

from __future__ import annotations

from lingtan.twin.reports.i18n import LANGS

COOKIE = "lingtan_lang"
"""Name of the cookie that holds the reader's choice (``en`` or ``zh``)."""


def browser_lang(accept_language: str | None) -> str:
    """The first of :data:`~lingtan.twin.reports.i18n.LANGS` in an ``Accept-Language`` header, by its weights.

    Parameters
    ----------
    accept_language : str or None
        The header, e.g. ``"zh-CN,zh;q=0.9,en;q=0.8"``.

    Returns
    -------
    str
        ``"zh"`` or ``"en"``; English when the header names neither.
    """
    ranked = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and q > 0:
            ranked.append((-q, i, primary))
    return min(ranked)[2] if ranked else "en"


def current_lang() -> str:
    """The language of the page being served: the header switch's cookie, else the browser's language.

    Returns
    -------
    str
        ``"en"`` or ``"zh"``; English outside a request (scripts, tests calling layouts directly).
    """
    import flask

    if not flask.has_request_context():
        return "en"
    chosen = flask.request.cookies.get(COOKIE)
    if chosen in LANGS:
        return chosen
    return browser_lang(flask.request.headers.get("Accept-Language"))


__all__ = ["COOKIE", "browser_lang", "current_lang"]
