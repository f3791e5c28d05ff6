"""Every argument of every ``twin`` command says what it is for, and ``twin size --help`` lists the criteria packs."""

import argparse
import importlib

import pytest

from lingtan.twin.accounting.criteria import pack_names
from lingtan.twin.cli import _PASSTHROUGH, build_parser
from lingtan.twin.reports.i18n import pack_label


def _parsers():
    """The ``twin`` parser, its sub-parsers, and the parser of every pass-through command (and their sub-parsers)."""
    found = [("twin", build_parser())]
    for name, module in _PASSTHROUGH.items():
        mod = importlib.import_module(module)
        if hasattr(mod, "build_parser"):
            found.append((name, mod.build_parser()))
        else:  # twin sweep builds its parser from add_arguments
            p = argparse.ArgumentParser(prog=f"twin {name}")
            mod.add_arguments(p)
            found.append((name, p))
    out = []
    while found:
        name, p = found.pop()
        out.append((name, p))
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                found += [(f"{name} {sub}", sp) for sub, sp in action.choices.items()]
    return out


PARSERS = _parsers()


@pytest.mark.parametrize("name, parser", PARSERS, ids=[n for n, _ in PARSERS])
def test_every_argument_has_a_help_text(name, parser):
    bare = [
        a.dest
        for a in parser._actions
        if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction))
        and a.dest != "rest"  # a pass-through's remainder: its own parser documents it
        and not (a.help or "").strip()
    ]
    assert bare == [], f"{name}: arguments without help: {bare}"


def test_size_help_lists_every_criteria_pack_with_its_names():
    text = dict(PARSERS)["size"].format_help()
    for pack in pack_names():
        line = next((x for x in text.splitlines() if x.strip().startswith(pack)), None)
        assert line is not None, f"{pack} not in twin size --help"
        assert pack_label(pack, "en") in line and pack_label(pack, "zh") in line
