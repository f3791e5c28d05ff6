"""The rooms of docs/architecture.md, checked by walking every import with ``ast``.

Imports inside functions count as much as those at the top of a module: a cycle hidden in a
function is still a cycle. A violation names the importing file and line, and the rule it breaks.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {
    "lingtan": "lingtan",
    "twin": "lingtan.twin",
    "components": "lingtan.components",
    "weather": "lingtan.weather",
    "scenarios": "lingtan.scenarios",
    "dashboard": "lingtan.dashboard",
    "validation": "lingtan.validation",
    "meters": "lingtan.meters",
}

# Rooms from the bottom up; a module may import its own room and the rooms below it, never above.
ROOMS = [
    ("base", ("lingtan.errors", "lingtan.limits", "lingtan.loader", "lingtan.paths", "lingtan")),
    ("leaves", ("lingtan.components", "lingtan.weather", "lingtan.scenarios")),
    ("core", ("lingtan.twin.core",)),
    ("accounting", ("lingtan.twin.accounting",)),
    ("run", ("lingtan.twin.run",)),
    ("meters", ("lingtan.meters",)),
    ("network", ("lingtan.twin.network",)),
    ("studies", ("lingtan.twin.studies",)),
    ("reports", ("lingtan.twin.reports",)),
    ("cli", ("lingtan.twin.check", "lingtan.twin.plausibility", "lingtan.twin.cli", "lingtan.twin")),
    ("apps", ("lingtan.dashboard", "lingtan.validation")),
]


def room_of(module: str) -> int:
    """Index in ROOMS of the most specific prefix that holds ``module``."""
    best, best_len = None, -1
    for i, (_, prefixes) in enumerate(ROOMS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best_len:
                best, best_len = i, len(p)
    if best is None:
        raise KeyError(
            f"{module} is in no room of ROOMS: add it to tests/test_architecture.py and docs/architecture.md"
        )
    return best


def modules() -> dict[str, Path]:
    """Every module of the installed namespace, by dotted name."""
    out = {}
    for folder, package in FOLDERS.items():
        for f in (ROOT / folder).rglob("*.py"):
            parts = f.relative_to(ROOT / folder).with_suffix("").parts
            name = ".".join((package, *parts))
            out[name.removesuffix(".__init__")] = f
    return out


def imports(path: Path, known: set[str]) -> list[tuple[str, int]]:
    """(module, line) of every import in ``path`` that names a module of the namespace."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                out.append((sub if sub in known else node.module, node.lineno))
    return [(m, line) for m, line in out if m in known]


MODULES = modules()
GRAPH = {m: imports(p, set(MODULES)) for m, p in MODULES.items()}


def test_every_module_is_in_a_room():
    for m in MODULES:
        room_of(m)


def test_imports_point_down_the_rooms():
    wrong = []
    for m, edges in GRAPH.items():
        for target, line in edges:
            if room_of(target) > room_of(m):
                wrong.append(
                    f"{MODULES[m].relative_to(ROOT)}:{line}: {m} ({ROOMS[room_of(m)][0]}) imports "
                    f"{target} ({ROOMS[room_of(target)][0]}), a room above it"
                )
    assert not wrong, "\n".join(wrong)


def cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, out, counter = {}, {}, set(), [], [], [0]
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(graph[w])))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
    return out


def test_cycles_finds_a_cycle():
    # The detector itself: a -> b -> c -> a is one cycle, d hangs off it.
    assert cycles({"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": []}) == [["a", "b", "c"]]


def test_no_import_cycle():
    graph = {m: sorted({t for t, _ in edges if t != m}) for m, edges in GRAPH.items()}
    found = cycles(graph)
    assert not found, "\n".join(" <-> ".join(c) for c in found)


@pytest.mark.parametrize("leaf", ["lingtan.components", "lingtan.weather"])
def test_leaves_import_no_engine(leaf):
    wrong = [
        f"{m} imports {t}"
        for m, edges in GRAPH.items()
        if m.startswith(leaf + ".") or m == leaf
        for t, _ in edges
        if t.startswith("lingtan.twin")
    ]
    assert not wrong, "\n".join(wrong)


def test_engine_imports_no_apps():
    engine = [m for m in GRAPH if room_of(m) < room_of("lingtan.dashboard")]
    wrong = [
        f"{m} imports {t}"
        for m in engine
        for t, _ in GRAPH[m]
        if t.startswith(("lingtan.dashboard", "lingtan.validation"))
    ]
    for m in engine:
        for node in ast.walk(ast.parse(MODULES[m].read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            wrong += [f"{m} imports {n}" for n in names if n.split(".")[0] in ("benchmarks", "dashboard", "validation")]
    assert not wrong, "\n".join(wrong)


def test_pyproject_lists_every_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {name for name, path in MODULES.items() if path.name == "__init__.py"}
    assert set(config["packages"]) == folders
    assert config["package-dir"] == {package: folder for folder, package in FOLDERS.items()}
