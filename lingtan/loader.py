"""The one YAML loader: scenario files, uploads, plans and tariff files all go through it.

It is PyYAML's safe loader (no Python objects) with limits, so that no file can make the twin run
out of memory, recurse past Python's stack or silently take the wrong value:

* size, aliases, expanded values and nesting depth are bounded (:mod:`lingtan.limits`);
* a key repeated in one mapping is refused with both lines (YAML would keep the last one);
* ``.inf``, ``.nan`` and floats that overflow (``1.0e999``) are refused with their line.

After validation, :func:`check_numbers` refuses what pydantic's lax mode lets through: ``true`` or
``false`` where a number is expected (pydantic reads them as 1 and 0) and non-finite numbers that
arrived as text (``"inf"``) or from code. Every problem is a :class:`~lingtan.errors.ScenarioError`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from lingtan.errors import ScenarioError, require_file
from lingtan.limits import MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Refused(Exception):
    """A limit broken inside PyYAML's machinery; turned into a ScenarioError with the file named."""

    def __init__(self, where: str, expected: str, found: str) -> None:
        super().__init__(where, expected, found)
        self.where, self.expected, self.found = where, expected, found


def _line(mark: yaml.Mark | None) -> str:
    return f"line {mark.line + 1}" if mark is not None else "file"


try:  # libyaml's parser when PyYAML was built with it: five times faster; composing stays in Python, below
    from yaml._yaml import CParser as _Parser

    def _init_parser(loader: Any, stream: str) -> None:
        _Parser.__init__(loader, stream)

    _PARSER_BASES: tuple = (_Parser,)
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    def _init_parser(loader: Any, stream: str) -> None:
        Reader.__init__(loader, stream)
        Scanner.__init__(loader)
        Parser.__init__(loader)

    _PARSER_BASES = (Reader, Scanner, Parser)


# The composer, constructor and resolver below are checked; the parser bases (libyaml's or PyYAML's) are not.
class _LimitedLoader(*_PARSER_BASES, Composer, SafeConstructor, Resolver):  # type: ignore[misc]  # bases chosen at import
    """PyYAML's safe loader (parser, composer, safe constructor, resolver) that counts aliases and depth
    while composing, and checks keys and floats while constructing."""

    def __init__(self, stream: str) -> None:
        _init_parser(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._aliases = 0
        self._depth = 0

    def get_single_node(self) -> yaml.Node | None:
        return Composer.get_single_node(self)  # the Python composer, with the limits (libyaml has its own)

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(
                    _line(self.peek_event().start_mark), f"at most {MAX_ALIASES} YAML aliases", "more (an alias bomb?)"
                )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(_line(self.peek_event().start_mark), f"at most {MAX_DEPTH} levels of nesting", "deeper")
            return Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue  # merged keys (<<: *base) may be overridden on purpose
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:
                    continue  # an unhashable key: SafeConstructor refuses it below
                if first is not None:
                    raise _Refused(
                        _line(key_node.start_mark),
                        "each key once in a mapping",
                        f"{key!r} again (first on line {first})",
                    )
                seen[key] = key_node.start_mark.line + 1
        return SafeConstructor.construct_mapping(self, node, deep)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value = SafeConstructor.construct_yaml_float(self, node)
        if not math.isfinite(value):
            raise _Refused(_line(node.start_mark), "a finite number", repr(node.value))
        return value

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return SafeConstructor.construct_yaml_timestamp(self, node)
        except (ValueError, OverflowError) as exc:
            raise _Refused(_line(node.start_mark), "a valid date (YYYY-MM-DD)", f"{node.value!r} ({exc})") from None


_LimitedLoader.add_constructor("tag:yaml.org,2002:float", _LimitedLoader.construct_yaml_float)
_LimitedLoader.add_constructor("tag:yaml.org,2002:timestamp", _LimitedLoader.construct_yaml_timestamp)


def _expanded_size(root: yaml.Node) -> None:
    """Refuse a node graph whose aliases expand beyond :data:`MAX_NODES` values or :data:`MAX_DEPTH` levels,
    without expanding it: sizes and heights are memoised per node."""
    memo: dict[int, tuple[int, int]] = {}

    def visit(node: yaml.Node, depth: int) -> tuple[int, int]:
        if depth > MAX_DEPTH:
            raise _Refused(
                _line(node.start_mark), f"at most {MAX_DEPTH} levels of nesting (aliases expanded)", "deeper"
            )
        known = memo.get(id(node))
        if known is not None:
            if depth + known[1] - 1 > MAX_DEPTH:
                raise _Refused(
                    _line(node.start_mark), f"at most {MAX_DEPTH} levels of nesting (aliases expanded)", "deeper"
                )
            return known
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        size, height = 1, 1
        for child in children:
            s, h = visit(child, depth + 1)
            size, height = size + s, max(height, h + 1)
            if size > MAX_NODES:
                raise _Refused("file", f"at most {MAX_NODES:,} values (aliases expanded)", "more (an alias bomb?)")
        memo[id(node)] = (size, height)
        return size, height

    visit(root, 1)


def parse_yaml(text: str, file: str | Path = "<scenario>") -> Any:
    """Parse YAML text within the limits of :mod:`lingtan.limits`.

    Parameters
    ----------
    text : str
        The YAML document.
    file : str or Path
        Named in errors.

    Returns
    -------
    Any
        Plain Python data (dicts, lists, str, int, float, bool, dates, None).

    Raises
    ------
    ScenarioError
        Not YAML, too large, too many aliases or values, too deep, a repeated key or a non-finite number,
        with the line where it is.
    """
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_FILE_BYTES:
        raise ScenarioError(file, "file", f"at most {MAX_FILE_BYTES // 1024} KB of YAML", f"{size // 1024} KB")
    loader = _LimitedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node)
        return loader.construct_document(node)
    except _Refused as err:
        raise ScenarioError(file, err.where, err.expected, err.found) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        raise ScenarioError(file, where, "valid YAML", getattr(exc, "problem", None) or str(exc)) from None
    except (ValueError, TypeError, OverflowError) as exc:
        # PyYAML's constructors raise these for values that match a tag's pattern but are not valid
        # (a date 2025-13-45, a huge exponent); the mark of the node being built is not at hand.
        raise ScenarioError(file, "file", "valid YAML values", f"{type(exc).__name__}: {exc}") from None
    finally:
        loader.dispose()


def read_yaml(path: str | Path) -> Any:
    """Read and parse a YAML file with :func:`parse_yaml`.

    Parameters
    ----------
    path : str or Path
        The YAML file.

    Returns
    -------
    Any
        Plain Python data, as :func:`parse_yaml` returns.

    Raises
    ------
    ScenarioError
        For a missing or unreadable file, a folder or device, a file over :data:`lingtan.limits.MAX_FILE_BYTES`,
        bytes that are not UTF-8, and everything :func:`parse_yaml` refuses.
    """
    path = Path(path)
    require_file(path, "file", "an existing YAML file", error=ScenarioError)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ScenarioError(path, "file", f"at most {MAX_FILE_BYTES // 1024} KB of YAML", f"{size // 1024} KB")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(path, "file", "UTF-8 text", "undecodable bytes") from None
    except OSError as exc:
        raise ScenarioError(path, "file", "a readable file", exc.strerror or type(exc).__name__) from None
    return parse_yaml(text, path)


# --------------------------------------------------------------------------- after validation


def _field_of(model: BaseModel, key: Any) -> str | None:
    fields = type(model).model_fields
    if key in fields:
        return key
    for name, info in fields.items():
        if info.alias == key or info.validation_alias == key:
            return name
    return None


def _join(path: str, key: Any) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))


def _walk(raw: Any, value: Any, path: str) -> tuple[str, str, str] | None:
    """The first place where ``value`` (validated) took a number from a boolean in ``raw`` (input), or holds a
    non-finite number: ``(field path, expected, found)``."""
    if isinstance(value, float) and not isinstance(value, bool) and not math.isfinite(value):
        return path, "a finite number", repr(raw)
    if isinstance(raw, bool):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return path, "a number (true and false are not numbers)", repr(raw).lower()
        return None
    if isinstance(raw, Mapping):
        if isinstance(value, BaseModel):
            pairs = [(k, getattr(value, f)) for k in raw if (f := _field_of(value, k)) is not None]
        elif isinstance(value, Mapping):
            pairs = [(k, value[k]) for k in raw if k in value]
        else:
            return None
        for k, v in pairs:
            found = _walk(raw[k], v, _join(path, k))
            if found:
                return found
    elif isinstance(raw, (list, tuple)) and isinstance(value, (list, tuple)) and len(raw) == len(value):
        for i, (r, v) in enumerate(zip(raw, value, strict=True)):
            found = _walk(r, v, _join(path, i))
            if found:
                return found
    return None


def check_numbers(raw: Any, model: BaseModel, file: str | Path = "<scenario>") -> None:
    """Refuse a validated record that took ``true``/``false`` as a number or holds NaN or infinity.

    Parameters
    ----------
    raw : mapping
        The input as parsed (before validation).
    model : pydantic.BaseModel
        What pydantic made of it.
    file : str or Path
        Named in the error.

    Raises
    ------
    ScenarioError
        With the field path, e.g. ``pv[0].capacity_kwp``.
    """
    found = _walk(raw, model, "")
    if found:
        raise ScenarioError(file, found[0] or "(top level)", found[1], found[2])


__all__ = ["parse_yaml", "read_yaml", "check_numbers"]
