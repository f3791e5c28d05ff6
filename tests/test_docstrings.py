"""numpydoc docstrings on every public function, method and class of the engine (issue 14).

The source is walked with ``ast``, nothing is imported. Public means that no name on the way
from the module to the definition starts with ``_`` (module, class, function); functions
nested in functions are not public. Dunder methods and pydantic validators are skipped.

A public definition has a docstring. A function or method with parameters other than
``self``/``cls`` has a numpydoc ``Parameters`` section naming each of them (and nothing
else); one that returns a value (a return annotation other than ``None``/``NoReturn``, or a
``return <value>`` when unannotated) has a ``Returns`` section (``Yields`` for a generator);
a property is read as an attribute, so its docstring describes the value, no Returns needed.
A public class whose ``__init__`` takes parameters documents them in a ``Parameters`` section
of the class or of ``__init__``, as numpydoc allows both.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("lingtan", "components", "weather", "twin", "meters")

# Decorators that make a method a pydantic hook rather than API (called by pydantic, not by a person).
PYDANTIC_HOOKS = {
    "field_validator",
    "model_validator",
    "validator",
    "root_validator",
    "field_serializer",
    "model_serializer",
    "computed_field",
}
PROPERTIES = {"property", "cached_property"}
# A numpydoc section header: the title alone on its line, underlined by dashes of the same indent.
_SECTION = re.compile(r"^(?P<indent>[ \t]*)(?P<title>[A-Z][A-Za-z ]+)\n(?P=indent)-{3,}[ \t]*$", re.MULTILINE)
# One entry of a Parameters section: ``name``, ``name : type`` or ``a, b : type``, at the section's indent.
_ENTRY = re.compile(r"^(?P<names>\*{0,2}[A-Za-z_]\w*(?:\s*,\s*\*{0,2}[A-Za-z_]\w*)*)\s*(?::.*)?$")


def source_files() -> list[Path]:
    """Every module of the checked folders, ``lingtan/`` holding only the base."""
    files = sorted((ROOT / "lingtan").glob("*.py"))
    for folder in CHECKED[1:]:
        files += sorted((ROOT / folder).rglob("*.py"))
    return files


def sections(doc: str) -> dict[str, str]:
    """numpydoc sections of a cleaned docstring, by title, each mapped to its body."""
    heads = list(_SECTION.finditer(doc))
    ends = [h.start() for h in heads[1:]] + [len(doc)] if heads else []
    return {h["title"].strip(): doc[h.end() : end] for h, end in zip(heads, ends, strict=True)}


def documented_names(body: str) -> set[str]:
    """Parameter names a Parameters section describes, stars removed."""
    lines = [ln for ln in body.splitlines() if ln.strip()]
    if not lines:
        return set()
    indent = min(len(ln) - len(ln.lstrip()) for ln in lines)
    names = set()
    for ln in lines:
        if len(ln) - len(ln.lstrip()) == indent and (m := _ENTRY.match(ln.strip())):
            names |= {n.strip().lstrip("*") for n in m["names"].split(",")}
    return names


def decorator_names(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> set[str]:
    """Last dotted part of each decorator (``@x.setter`` -> ``setter``, ``@f(...)`` -> ``f``)."""
    out = set()
    for d in node.decorator_list:
        d = d.func if isinstance(d, ast.Call) else d
        if isinstance(d, ast.Attribute):
            out.add(d.attr)
        elif isinstance(d, ast.Name):
            out.add(d.id)
    return out


def parameters(fn: ast.FunctionDef | ast.AsyncFunctionDef, in_class: bool) -> list[str]:
    """Names of the parameters a caller passes: without ``self``/``cls`` of a method."""
    a = fn.args
    names = [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]]
    names += [p.arg for p in (a.vararg, a.kwarg) if p is not None]
    if in_class and "staticmethod" not in decorator_names(fn) and names and names[0] in ("self", "cls"):
        names = names[1:]
    return names


def own_nodes(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """Nodes of the function's body, not descending into nested functions, classes or lambdas."""
    scopes = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
    todo = [n for n in fn.body if not isinstance(n, scopes)]
    while todo:
        node = todo.pop()
        yield node
        todo += [c for c in ast.iter_child_nodes(node) if not isinstance(c, scopes)]


def returns_value(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether calling ``fn`` gives a value: by its annotation, or by its body when unannotated."""
    if fn.returns is not None:
        return ast.unparse(fn.returns).strip("'\"") not in ("None", "NoReturn", "typing.NoReturn", "Never")
    return any(isinstance(n, ast.Return) and n.value is not None for n in own_nodes(fn))


def is_generator(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether ``fn`` yields (its values are documented under Yields)."""
    return any(isinstance(n, ast.Yield | ast.YieldFrom) for n in own_nodes(fn))


def check_function(fn: ast.FunctionDef | ast.AsyncFunctionDef, where: str, in_class: bool) -> list[str]:
    """What the docstring of one public function or method lacks, one line per finding."""
    doc = ast.get_docstring(fn)
    if not doc:
        return [f"{where} {fn.name}: no docstring"]
    found = sections(doc)
    problems = []
    names = parameters(fn, in_class)
    if names:
        if "Parameters" not in found:
            problems.append(f"{where} {fn.name}: no Parameters section (parameters: {', '.join(names)})")
        else:
            described = documented_names(found["Parameters"])
            if missing := [n for n in names if n not in described]:
                problems.append(f"{where} {fn.name}: Parameters does not name {', '.join(missing)}")
            if extra := sorted(described - set(names)):
                problems.append(f"{where} {fn.name}: Parameters names {', '.join(extra)}, not in the signature")
    if is_generator(fn):
        if "Yields" not in found:
            problems.append(f"{where} {fn.name}: no Yields section")
    elif returns_value(fn) and "Returns" not in found and not decorator_names(fn) & PROPERTIES:
        problems.append(f"{where} {fn.name}: no Returns section")
    return problems


def check_class(cls: ast.ClassDef, where: str) -> list[str]:
    """What a public class's docstring lacks: the docstring, and its constructor's parameters."""
    problems = [] if ast.get_docstring(cls) else [f"{where} {cls.name}: no docstring"]
    init = next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
    if init is None or not (names := parameters(init, in_class=True)):
        return problems
    described: set[str] = set()
    for doc in (ast.get_docstring(cls), ast.get_docstring(init)):
        described |= documented_names(sections(doc or "").get("Parameters", ""))
    if missing := [n for n in names if n not in described]:
        problems.append(f"{where} {cls.name}: Parameters (of the class or __init__) does not name {', '.join(missing)}")
    return problems


def walk(body: list[ast.stmt], path: Path, in_class: bool) -> Iterator[str]:
    """Findings for the public definitions in ``body`` and the public classes' members."""
    for node in body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if node.name.startswith("_"):
            continue  # private, and dunders (skipped by the rule as well)
        where = f"{path.relative_to(ROOT)}:{node.lineno}"
        if isinstance(node, ast.ClassDef):
            yield from check_class(node, where)
            yield from walk(node.body, path, in_class=True)
        elif not decorator_names(node) & (PYDANTIC_HOOKS | {"overload"}):
            yield from check_function(node, where, in_class)


def findings(files: list[Path]) -> list[str]:
    """Every finding in ``files``, public modules only (no ``_`` part but ``__init__``/``__main__``)."""
    out = []
    for f in files:
        parts = f.relative_to(ROOT).with_suffix("").parts
        if any(p.startswith("_") and p not in ("__init__", "__main__") for p in parts):
            continue
        out += walk(ast.parse(f.read_text(encoding="utf-8"), str(f)).body, f, in_class=False)
    return out


def test_every_public_definition_has_a_numpydoc_docstring():
    problems = findings(source_files())
    assert not problems, f"{len(problems)} docstring findings:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f(x):\n    return x\n", ["f: no docstring"]),
        ('def f(x_kw):\n    """Doubles."""\n', ["f: no Parameters section (parameters: x_kw)"]),
        (
            'def f(a, *, b) -> float:\n    """D.\n\n    Parameters\n    ----------\n'
            '    a : float\n        A [kW].\n    """\n',
            ["f: Parameters does not name b", "f: no Returns section"],
        ),
        (
            'def f(a):\n    """D.\n\n    Parameters\n    ----------\n    a, z : float\n        A.\n    """\n',
            ["f: Parameters names z, not in the signature"],
        ),
        ('def f():\n    """D."""\n    yield 1\n', ["f: no Yields section"]),
        ('def f():\n    """D."""\n    def g():\n        return 1\n', []),
        ('class C:\n    """C."""\n    def m(self) -> None:\n        """M."""\n', []),
        ('class C:\n    """C."""\n    @property\n    def p_kw(self) -> float:\n        """P [kW]."""\n', []),
        ('class C:\n    """C."""\n    def p_kw(self) -> float:\n        """P [kW]."""\n', ["p_kw: no Returns section"]),
        (
            'class C:\n    """C."""\n    def __init__(self, k):\n        pass\n',
            ["C: Parameters (of the class or __init__) does not name k"],
        ),
        (
            'class C:\n    """C."""\n    @field_validator("a")\n    @classmethod\n'
            "    def v(cls, a):\n        return a\n",
            [],
        ),
        (
            'def f(*args, **kw) -> int:\n    """D.\n\n    Parameters\n    ----------\n    *args : float\n        P.\n'
            '    **kw\n        Q.\n\n    Returns\n    -------\n    int\n        N.\n    """\n',
            [],
        ),
    ],
)
def test_the_checker_finds_what_is_missing(source, expected):
    """The checker itself, on small sources: each finding it should report, and no other."""
    f = ROOT / "tests" / "_docstring_case.py"  # findings name paths relative to ROOT
    tree = ast.parse(source)
    got = [p.split(" ", 1)[1] for p in walk(tree.body, f, in_class=False)]
    assert got == expected
