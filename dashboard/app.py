"""``twin dashboard``: the command line, with pictures, in the browser.

Pages: Scenario (pick, upload, edit sizes, run in the background), Results (KPI cards against
the criteria, the criteria table, dispatch, monthly balances, Sankey, emissions waterfall,
per-year trends, downloads), Park (tenants, network, worst hours) and Sweep (a sweep's dataset).

Serves on 127.0.0.1:8050 unless told otherwise::

    twin dashboard [--host 127.0.0.1] [--port 8050] [--scenarios DIR] [--results DIR] [--workers N]
                   [--run-timeout-s S]

SIGTERM and SIGINT (Ctrl+C) stop the server and every worker process it started.
"""

from __future__ import annotations

import argparse
import ipaddress
import math
import signal
import sys
from pathlib import Path

import dash
from dash import Input, Output, State, dcc, html

from lingtan.dashboard import (
    pages_explore,
    pages_meters,
    pages_park,
    pages_results,
    pages_scenario,
    pages_size,
    pages_sweep,
)
from lingtan.dashboard.lang import COOKIE, current_lang
from lingtan.dashboard.safety import MAX_UPLOAD_BYTES
from lingtan.dashboard.ui import INDEX, Context
from lingtan.dashboard.worker import RUN_TIMEOUT_S, RunManager
from lingtan.twin.reports.i18n import LABELS, label

PAGES = [
    ("/scenario", "Scenario", "page-scenario"),
    ("/results", "Results", "page-results"),
    ("/park", "Park", "page-park"),
    ("/sweep", "Sweep", "page-sweep"),
    ("/size", "Size", "page-size"),
    ("/meters", "Meters", "page-meters"),
    ("/explore", "Explore", "page-explore"),
]


def default_scenarios_dir() -> Path:
    from lingtan import scenarios

    return Path(scenarios.__file__).resolve().parent


def create_app(
    scenarios_dir: str | Path | None = None,
    results_dir: str | Path | None = None,
    *,
    workers: int = 2,
    processes: bool = True,
    run_timeout_s: float | None = RUN_TIMEOUT_S,
) -> dash.Dash:
    """The Dash app. Runs go to ``workers`` worker processes (threads with ``processes=False``), are
    stopped after ``run_timeout_s`` seconds (None or 0: never), and write under
    ``results_dir/runs/<run id>/``; only ``scenarios_dir`` and ``results_dir`` are read."""
    scenarios_dir = Path(scenarios_dir or default_scenarios_dir()).resolve()
    results_dir = Path(results_dir or Path.cwd() / "results" / "dashboard").resolve()
    results_dir.mkdir(parents=True, exist_ok=True)
    c = Context(
        scenarios_dir,
        results_dir,
        RunManager(results_dir, workers=workers, processes=processes, run_timeout_s=run_timeout_s),
    )

    app = dash.Dash(
        __name__,
        title="lingtan 灵碳 · dashboard",
        suppress_callback_exceptions=True,
        assets_folder=str(Path(__file__).parent / "assets"),
        serve_locally=True,
        update_title=None,
    )
    app.index_string = INDEX
    # The upload travels base64-encoded inside a JSON callback body: allow for that, and no more.
    app.server.config["MAX_CONTENT_LENGTH"] = 8 * MAX_UPLOAD_BYTES

    def layout() -> html.Div:
        # Built for each page load: the header and the pages speak the reader's language (dashboard.lang).
        lang = current_lang()
        return html.Div(
            [
                dcc.Location(id="url"),
                dcc.Store(id="scenario-store", storage_type="session"),
                dcc.Store(id="job-store", storage_type="memory"),
                dcc.Store(id="run-store", storage_type="session"),
                dcc.Store(id="lang-served", data=lang),
                html.Div(
                    className="topbar",
                    children=[
                        html.Div(["lingtan 灵碳", html.Small(label("dash_tagline", lang))], className="brand"),
                        html.Nav(
                            [
                                dcc.Link(_nav_text(text, pid, lang), href=href, id=f"nav-{pid}")
                                for href, text, pid in PAGES
                            ],
                            className="nav",
                        ),
                        html.Div(
                            label("dash_folders", lang).format(scenarios=scenarios_dir.name, results=results_dir.name),
                            className="status",
                        ),
                        dcc.RadioItems(
                            id="lang-switch",
                            options=[{"label": "English", "value": "en"}, {"label": "中文", "value": "zh"}],
                            value=lang,
                            inline=True,
                            className="lang-switch",
                            inputStyle={"marginRight": "3px", "marginLeft": "8px"},
                        ),
                    ],
                ),
                pages_scenario.layout(c),
                pages_results.layout(c),
                pages_park.layout(c),
                pages_sweep.layout(c),
                pages_size.layout(c),
                pages_meters.layout(c),
                pages_explore.layout(c),
            ],
            lang=lang,
        )

    app.layout = layout

    # The choice goes into a cookie that every later request carries (dashboard.lang), and the page is
    # served again in it; the document's own lang attribute follows (screen readers, fonts).
    app.clientside_callback(
        f"""function(value, served) {{
            document.documentElement.lang = served === "zh" ? "zh-CN" : "en";
            if (!value || value === served) {{ return window.dash_clientside.no_update; }}
            document.cookie = "{COOKIE}=" + value + "; path=/; max-age=31536000; SameSite=Lax";
            window.location.reload();
            return window.dash_clientside.no_update;
        }}""",
        Output("lang-switch", "className"),
        Input("lang-switch", "value"),
        State("lang-served", "data"),
    )

    @app.callback(
        [Output(pid, "style") for _, _, pid in PAGES] + [Output(f"nav-{pid}", "className") for _, _, pid in PAGES],
        Input("url", "pathname"),
    )
    def _show(path):
        current = path if path in [p for p, _, _ in PAGES] else "/scenario"
        styles = [{} if p == current else {"display": "none"} for p, _, _ in PAGES]
        return styles + ["active" if p == current else "" for p, _, _ in PAGES]

    for page in (pages_scenario, pages_results, pages_park, pages_sweep, pages_size, pages_meters, pages_explore):
        page.register(app, c)
    app._twin_context = c  # for tests and scripts
    return app


def _nav_text(text: str, pid: str, lang: str) -> str:
    """A page's name in the header: its label ``nav_<page id>`` when the table has one, else as registered."""
    key = f"nav_{pid}"
    return label(key, lang) if key in LABELS else text


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_parser() -> argparse.ArgumentParser:
    """The ``twin dashboard`` parser.

    Returns
    -------
    argparse.ArgumentParser
        Its options.
    """
    p = argparse.ArgumentParser(prog="twin dashboard", description="Serve the lingtan dashboard in the browser.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8050, help="port to serve on (default 8050)")
    p.add_argument("--scenarios", default=None, help="scenario library (default: the packaged scenarios/)")
    p.add_argument("--results", default=None, help="results folder (default: ./results/dashboard)")
    p.add_argument("--workers", type=int, default=2, help="runs at once, each in its own process (default 2)")
    p.add_argument(
        "--run-timeout-s",
        type=float,
        default=RUN_TIMEOUT_S,
        metavar="S",
        help=f"wall-clock limit of one run: past it the run is stopped and its worker replaced "
        f"(default {RUN_TIMEOUT_S:g} s; 0: no limit)",
    )
    return p


def _interrupt(signum, frame):
    """SIGTERM ends the server as Ctrl+C does: the web server returns, and main stops the workers."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not 0 <= args.run_timeout_s < math.inf:
        parser.error(f"--run-timeout-s: a finite number of seconds >= 0 (0: no limit), not {args.run_timeout_s:g}")
    if not _is_loopback(args.host):
        print(f"warning: serving on {args.host}: anyone who can reach this address can run scenarios", file=sys.stderr)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        app = create_app(args.scenarios, args.results, workers=args.workers, run_timeout_s=args.run_timeout_s)
    except KeyboardInterrupt:  # stopped while starting: the workers already spawned are daemons, ended at exit
        return 0
    print(f"lingtan dashboard on http://{args.host}:{args.port}/ (Ctrl+C to stop)", flush=True)
    try:
        app.run(host=args.host, port=args.port, debug=False)
    except KeyboardInterrupt:
        pass
    finally:
        # A second signal must not cut the shutdown short and leave workers behind.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        app._twin_context.manager.shutdown()
    print("lingtan dashboard stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
