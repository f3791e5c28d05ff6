"""A dashboard served in a subprocess and driven by Debian's Chromium through Playwright, for the browser tests
of the results and park pages (the app on 127.0.0.1 with a free port and its own results folder, stopped at the
end), and the checks every page must pass: no ``nan``, ``None`` or ``undefined`` in its text, nothing wider than
its column."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
RUN_TIMEOUT_MS = 240_000  # a park year on a busy 2-core machine
WIDTHS = (1280, 1920)
"""Viewport widths every page is checked at [px]."""
BAD_WORDS = re.compile(r"\b(nan|NaN|None|undefined)\b")
"""What a page's text never holds: a number or a field that was not there."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(results: Path, log_dir: Path | None = None) -> Iterator[tuple[str, Path]]:
    """The dashboard on a free port with one worker, its log in ``log_dir`` (default ``results``); yields (its
    URL, its log file)."""
    port = _free_port()
    log_path = (log_dir or results) / "server.log"
    log = open(log_path, "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "lingtan.dashboard.app", "--port", str(port), "--results", str(results)]
        + ["--workers", "1"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONWARNINGS": "always::DeprecationWarning"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                log.seek(0)
                pytest.fail(f"the dashboard did not start:\n{log.read()[-3000:]}")
            time.sleep(0.2)
    try:
        yield url, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()


@contextmanager
def chromium_browser(chromium: str, references) -> Iterator:
    """A headless Chromium (Debian's) under Playwright."""
    sync_api = references.module("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield b
        finally:
            b.close()


def run_scenario(pg, url: str, scenario: str, sizes: dict[str, float] | None = None) -> None:
    """Pick a library scenario on the scenario page, set sizes by field path, run it and wait for the headline."""
    pg.goto(url + "/scenario")
    pg.wait_for_selector("#scenario-pick")
    pg.wait_for_selector("input[id*='capacity_kwp']")  # the default scenario's sizes: the page is live
    if scenario not in pg.locator("#scenario-pick").inner_text():
        old = pg.locator("#sizes").inner_text()
        pg.click("#scenario-pick")
        pg.click(f"[role=option]:has(input[value='{scenario}'])")
        pg.wait_for_function("old => document.getElementById('sizes').innerText !== old", arg=old)
    for path, value in (sizes or {}).items():
        box = pg.locator(f"input[id*='{path}']").first
        box.fill(str(value))
        box.press("Enter")
    pg.wait_for_timeout(300)
    old = pg.locator("#run-state").get_attribute("data-run") if pg.locator("#run-state").count() else None
    pg.click("#run-btn")
    pg.wait_for_function(
        "old => { const s = document.getElementById('run-state');"
        " return s && s.dataset.status === 'done' && s.dataset.run !== old"
        " && document.getElementById('headline-re'); }",
        arg=old,
        timeout=RUN_TIMEOUT_MS,
    )


def bad_words(pg) -> list[str]:
    """Every ``nan``, ``None`` or ``undefined`` in the visible text of the page, with some context."""
    text = pg.evaluate("() => document.body.innerText")
    return [text[max(0, m.start() - 40) : m.end() + 20] for m in BAD_WORDS.finditer(text)]


TOO_WIDE_JS = """root => {
    const out = [];
    for (const el of document.querySelectorAll(root + ' *')) {
        if (el.closest('.js-plotly-plot, .tbl-wrap, svg') || !el.offsetParent) continue;
        const r = el.getBoundingClientRect(), p = el.parentElement.getBoundingClientRect();
        const tag = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + el.className;
        if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible')
            out.push(tag + ': content ' + el.scrollWidth + ' > box ' + el.clientWidth);
        else if (r.width > 0 && r.right > p.right + 1)
            out.push(tag + ': right ' + r.right + ' > parent ' + p.right);
    }
    return out;
}"""


def too_wide(pg, root: str, settle_ms: int = 5000) -> list[str]:
    """Elements under ``root`` whose content runs past their own box or whose box runs past their parent's
    (1 px of rounding allowed), as "tag#id.class: widths"; plotly's own SVG and scrolling tables excepted.

    Plotly refits a responsive figure some time after the window or its container changes size (on a loaded
    machine, seen later than 500 ms), so the check waits up to ``settle_ms`` for the page to fit and then
    reports what still does not: a layout that never fits fails, one that fits once plotly has refitted
    passes.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        pg.wait_for_function(f"root => ({TOO_WIDE_JS})(root).length === 0", arg=root, timeout=settle_ms)
    except PlaywrightTimeout:
        pass
    return pg.evaluate(TOO_WIDE_JS, root)


def shot(pg, name: str) -> Path:
    """A full-page screenshot into tests/artifacts/, from the top: scrolled, the sticky header would be drawn
    across the middle of the page."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"dashboard_{name}.png"
    pg.evaluate("window.scrollTo(0, 0)")
    pg.screenshot(path=str(path), full_page=True)
    return path


def app_run(c, name: str, sizes: dict[str, float] | None = None) -> dict:
    """Run the library scenario ``name`` through an in-process app's context ``c`` (the Scenario page's callbacks),
    with sizes set by field path; the run's store once it is done."""
    from lingtan.dashboard import pages_scenario

    store, msg = pages_scenario.load_choice(c, None, name, None, None)
    assert msg is None
    paths = list(sizes or {})
    job, msg, disabled = pages_scenario.start_run(c, store, [sizes[p] for p in paths], [{"path": p} for p in paths])
    assert msg is None and disabled is False, msg
    assert c.manager.wait(job["run_id"], 600)["status"] == "done"
    _, run_store, *_ = pages_scenario.poll(c, job)
    return run_store
