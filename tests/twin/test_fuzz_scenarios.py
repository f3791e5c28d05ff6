"""Property-based fuzzing of the one loader and the scenario schema.

Each example takes a shipped scenario (factory, heat, plan, park), applies a few hostile mutations
(type swaps, sign flips, NaN and infinity, huge values, unknown, deleted and duplicate keys, hostile
names and paths, alias bombs, deep nesting), serialises it to YAML text and feeds it through
:func:`lingtan.loader.parse_yaml`, :func:`lingtan.twin.core.scenario.scenario_from_dict` and, for plans,
:func:`lingtan.twin.studies.plan.check_plan`. Anything but a :class:`~lingtan.errors.InputError` (or a valid scenario)
is a failure. The number of examples and of distinct error messages is printed at the end of the
module, through pytest's terminal reporter, so that ``make test`` shows them.
"""

from __future__ import annotations

import copy
import math
import re
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lingtan.errors import InputError
from lingtan.loader import parse_yaml
from lingtan.twin.core.scenario import scenario_from_dict

from .test_absorption import with_absorption
from .test_run_load_stores import factory as with_load_stores
from .test_vehicles_v2b_run import _with_vans

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SHIPPED = {p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(SCENARIOS.glob("*.yaml"))}
# A component no shipped scenario holds yet is fuzzed on the test case that builds it.
SHIPPED["absorption chiller (tests/twin/test_absorption.py)"] = with_absorption(SHIPPED["hefei_auto_parts.yaml"])
SHIPPED["vehicle-to-building (tests/twin/test_vehicles_v2b_run.py)"] = _with_vans()
SHIPPED["ice store and air receiver (tests/twin/test_run_load_stores.py)"] = with_load_stores(True)
SHIPPED["hydrogen boiler (tests/twin/test_hydrogen_boiler.py)"] = dict(
    SHIPPED["hefei_cold_chain_park.yaml"],
    hydrogen_boilers=[{"name": "h2_boiler", "capacity_q_kw_th": 300, "efficiency": 0.9, "t_c": 90}],
)

HOSTILE_STRINGS = [
    "../../etc/passwd",
    "/etc/passwd",
    "C:\\Windows\\win.ini",
    "a\x00b",
    "x" * 5000,
    "",
    " ",
    "..",
    ".",
    "~/.ssh/id_rsa",
    "铸造车间",
    "\u202e",
    "${HOME}",
    "nan",
    "inf",
    "-inf",
    "1e999",
    "true",
    "null",
    "2025-13-45",
    "NUL",
    "con",
]
HUGE = [1e300, -1e300, 10**400, 2**63, -(2**63), 1e-300, 1e9 + 1, 1e12 + 1]
ODD = [True, False, None, [], {}, [1, 2], {"a": 1}, "text", 0, -1, 0.5, math.nan, math.inf, -math.inf]

# Collected for the report printed at the end of the session.
STATS = {"examples": 0, "valid": 0, "unexpected": 0, "messages": set()}


def _leaves(node, path=()):
    """Every (path, value) of a nested mapping/list, the containers included."""
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, path + (i,))


def _set(root, path, value):
    node = root
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = copy.deepcopy(value)  # never share the module's sample lists between examples


def _delete(root, path):
    node = root
    for k in path[:-1]:
        node = node[k]
    del node[path[-1]]


@st.composite
def mutation(draw, data):
    """One mutation of ``data`` in place; returns a description."""
    places = [p for p, _ in _leaves(data) if p]
    path = draw(st.sampled_from(places))
    node = data
    for k in path:
        node = node[k]
    kind = draw(
        st.sampled_from(["swap", "sign", "nonfinite", "huge", "unknown", "delete", "string", "path", "name", "odd"])
    )
    if kind == "swap":
        _set(data, path, draw(st.sampled_from(ODD + [str(node), [node]])))
    elif kind == "sign" and isinstance(node, (int, float)) and not isinstance(node, bool):
        _set(data, path, -node if node else -1)
    elif kind == "nonfinite":
        _set(data, path, draw(st.sampled_from([math.nan, math.inf, -math.inf, "nan", "inf"])))
    elif kind == "huge":
        _set(data, path, draw(st.sampled_from(HUGE)))
    elif kind == "unknown":
        parent = data
        for k in path[:-1]:
            parent = parent[k]
        if isinstance(parent, dict):
            parent[draw(st.sampled_from(["bogus", "capacity_kw", "Path", "__class__", "<<"]))] = 1
    elif kind == "delete" and isinstance(path[-1], str):
        _delete(data, path)
    elif kind in ("string", "path", "name"):
        key = {"path": "path", "name": "name"}.get(kind)
        parent = data
        for k in path[:-1]:
            parent = parent[k]
        if key and isinstance(parent, dict):
            parent[key] = draw(st.sampled_from(HOSTILE_STRINGS))  # strings: immutable
        else:
            _set(data, path, draw(st.sampled_from(HOSTILE_STRINGS)))
    elif kind == "odd":
        _set(data, path, draw(st.sampled_from(ODD)))
    return f"{kind} at {path}"


def _alias_bomb(levels: int, width: int) -> str:
    lines = ['  a0: &a0 ["lol"]']
    for i in range(1, levels):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "description:\n" + "\n".join(lines) + "\n"


@st.composite
def scenario_text(draw):
    name = draw(st.sampled_from(sorted(SHIPPED)))
    data = copy.deepcopy(SHIPPED[name])
    notes = [draw(mutation(data)) for _ in range(draw(st.integers(1, 3)))]
    try:
        text = yaml.dump(
            data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True, sort_keys=False
        )
    except yaml.YAMLError:  # a value PyYAML cannot write (it never is one here, but keep the test honest)
        text = "name: x\n"
    extra = draw(st.sampled_from(["none", "duplicate", "bomb", "deep", "tab", "binary", "anchor"]))
    if extra == "duplicate":
        key = draw(st.sampled_from(["name", "year", "site", "grid"]))
        text += f"{key}: 1\n"
    elif extra == "bomb":
        text = re.sub(r"^description:.*\n", "", text, flags=re.M) + _alias_bomb(
            draw(st.integers(3, 12)), draw(st.integers(2, 12))
        )
    elif extra == "deep":
        n = draw(st.integers(50, 4000))
        text += "bogus: " + "[" * n + "]" * n + "\n"
    elif extra == "tab":
        text = text.replace("  ", "\t", 1)
    elif extra == "binary":
        text += "blob: !!binary AAEC\nobj: !!python/object/apply:os.system ['true']\n"
    elif extra == "anchor":
        text += "extra_site: &s {latitude: 1}\nsite2: *s\n"
    return name, text, notes + [extra]


def _validate(text: str):
    data = parse_yaml(text, "fuzz.yaml")
    sc = scenario_from_dict(data, "fuzz.yaml")
    if getattr(sc, "plan", None) is not None:
        from lingtan.twin.studies.plan import check_plan

        check_plan(data, file="fuzz.yaml")
    return sc


@settings(
    max_examples=2000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario_text())
def test_mutated_scenarios_give_input_errors_only(case):
    name, text, notes = case
    STATS["examples"] += 1
    try:
        _validate(text)
        STATS["valid"] += 1
    except InputError as err:
        message = str(err)
        assert "\n" not in message, message
        assert len(message) < 2000, message[:300]
        # The message, not the value found, is what differs between kinds of problem.
        STATS["messages"].add(f"{err.field}: expected {err.expected}")
    except Exception as exc:  # noqa: BLE001 - the point of the test
        STATS["unexpected"] += 1
        pytest.fail(f"{name} mutated by {notes}: {type(exc).__name__}: {exc}")


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    """Print the counts after the module, past pytest's output capture, so that ``make test`` shows them."""
    yield
    if not STATS["examples"]:
        return
    line = (
        f"fuzz: {STATS['examples']} mutated scenarios, {STATS['valid']} still valid, "
        f"{len(STATS['messages'])} distinct error messages, {STATS['unexpected']} unexpected exceptions"
    )
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(line, file=sys.__stdout__)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(line)
