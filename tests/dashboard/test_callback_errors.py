"""An exception that no check foresaw, in an upload, a run or a sweep, is one line on the page and a
traceback in the server log: never an HTTP 500 that leaves the page silent."""

from __future__ import annotations

import base64
import json

import pytest
from dash import no_update

from lingtan.dashboard import pages_scenario, pages_sweep

pytestmark = pytest.mark.filterwarnings("ignore:.*dash_table.DataTable:DeprecationWarning")
NESTED = "name: x\ndescription: " + "[" * 3000 + "]" * 3000 + "\n"
"""The issue's ~3,000 nested ``[``: a RecursionError in the YAML parser."""


def _upload(text: str) -> str:
    return "data:application/x-yaml;base64," + base64.b64encode(text.encode()).decode()


def _boom(*args, **kwargs):
    raise ZeroDivisionError("boom")


def _logged(caplog, kind: type) -> bool:
    return any(r.name == "dashboard" and r.exc_info and r.exc_info[0] is kind for r in caplog.records)


def test_nested_brackets_upload_is_one_line_over_http(app):
    """Through the real server: HTTP 200 with the error line, as the browser would get it."""
    client = app.server.test_client()
    spec = next(
        d["output"] for d in client.get("/_dash-dependencies").get_json() if "scenario-message.children" in d["output"]
    )
    body = {
        "output": spec,
        "outputs": [dict(zip(("id", "property"), o.split(".", 1), strict=True)) for o in spec.strip(".").split("...")],
        "inputs": [
            {"id": "scenario-pick", "property": "value", "value": "hefei_auto_parts.yaml"},
            {"id": "scenario-upload", "property": "contents", "value": _upload(NESTED)},
        ],
        "state": [{"id": "scenario-upload", "property": "filename", "value": "deep.yaml"}],
        "changedPropIds": ["scenario-upload.contents"],
    }
    r = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert r.status_code == 200, r.get_data(as_text=True)[-2000:]
    msg = r.get_json()["response"]["scenario-message"]["children"]
    assert msg["props"]["id"] == "scenario-error" and msg["props"]["children"].startswith("deep.yaml")
    assert "\n" not in msg["props"]["children"] and "Traceback" not in msg["props"]["children"]


def test_unexpected_error_in_an_upload_is_logged_and_one_line(c, monkeypatch, caplog):
    monkeypatch.setattr(pages_scenario, "_validate", _boom)
    store, msg = pages_scenario.load_choice(c, "scenario-upload", None, _upload("name: x\n"), "../mine.yaml")
    assert store is no_update and msg.id == "scenario-error"
    assert msg.children == (
        "mine.yaml: unexpected ZeroDivisionError on the server (details in its log; please report it)"
    )
    assert _logged(caplog, ZeroDivisionError)
    store, msg = pages_scenario.load_choice(c, None, "hefei_auto_parts.yaml", None, None)
    assert store is no_update and msg.children.startswith("hefei_auto_parts.yaml: unexpected ZeroDivisionError")


def test_unexpected_error_when_a_run_starts_or_ends_is_one_line(c, monkeypatch, caplog):
    store, _ = pages_scenario.load_choice(c, None, "hefei_auto_parts.yaml", None, None)
    with monkeypatch.context() as m:
        m.setattr(c.manager, "submit", _boom)
        job, msg, poll_off = pages_scenario.start_run(c, store, [], [])
    assert job is no_update and poll_off is True and msg.id == "run-error"
    assert "unexpected ZeroDivisionError" in msg.children and _logged(caplog, ZeroDivisionError)

    job, msg, _ = pages_scenario.start_run(c, store, [], [])
    assert c.manager.wait(job["run_id"])["status"] == "done"
    caplog.clear()
    monkeypatch.setattr(pages_scenario, "headline", _boom)
    progress, run_store, poll_off, button_off, msg, top = pages_scenario.poll(c, job)
    assert run_store["run_id"] == job["run_id"]  # the run is done: the results page can still show it
    assert msg.id == "run-error" and "unexpected ZeroDivisionError" in msg.children and top is None
    assert _logged(caplog, ZeroDivisionError)


def test_unexpected_error_in_a_sweep_is_one_line(c, monkeypatch, caplog):
    monkeypatch.setattr(pages_sweep, "read_sweep", _boom)
    *_, msg = pages_sweep.render(c, "sweeps/x", None, None)
    assert msg.children.startswith("sweep sweeps/x: unexpected ZeroDivisionError")
    *_, msg = pages_sweep.load_design(c, "sweeps/x", 0, None)
    assert msg.children.startswith("sweep sweeps/x: unexpected ZeroDivisionError")
    assert _logged(caplog, ZeroDivisionError)
