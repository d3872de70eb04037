"""Rebuild, from a function living in a kernel, the code the grader would extract for it.

The self-check grades a live function without the saved notebook, so it has to recover what
extraction would have kept: the function's source, the imports of the session's cells, the
helper functions and classes it calls, and the literal constants it reads. Anything else it
reads from globals is reported, because the real grader will not have it either.
"""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap
import types
from dataclasses import dataclass, field
from pathlib import Path

from grader.i18n import tr

MAX_CONSTANT_CHARS = 10_000


@dataclass
class Definition:
    """A function or class, padded with blank lines so its line numbers match its cell."""

    name: str
    source: str


@dataclass
class LiveSource:
    imports: list[str] = field(default_factory=list)
    constants: list[str] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)  # helpers first, target last
    skipped: list[str] = field(default_factory=list)  # globals that cannot be carried over


def kernel_cells() -> list[str]:
    """The cells run so far in this IPython session (`In`), or [] outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    if shell is None:
        return []
    return [c for c in shell.user_ns.get("In") or [] if isinstance(c, str) and c.strip()]


def _parse(cell: str) -> tuple[str, ast.Module] | None:
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        python = TransformerManager().transform_cell(cell)
        return python, ast.parse(python)
    except Exception:  # noqa: BLE001 - a cell that does not parse has nothing to offer
        return None


def _bound_by(node: ast.Import | ast.ImportFrom) -> set[str]:
    if isinstance(node, ast.Import):
        return {a.asname or a.name.split(".")[0] for a in node.names}
    return {a.asname or a.name for a in node.names if a.name != "*"}


def _imports(parsed: list[tuple[str, ast.Module]]) -> tuple[list[str], set[str]]:
    statements: list[str] = []
    bound: set[str] = set()
    for _, tree in parsed:
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                text = ast.unparse(node)
                if text not in statements:
                    statements.append(text)
                bound |= _bound_by(node)
    return statements, bound


def _pad(first_line: int) -> str:
    """Comment lines, not blank ones: IPython's transformer drops leading blank lines."""
    return "#\n" * max(first_line - 1, 0)


def _from_cells(name: str, parsed: list[tuple[str, ast.Module]]) -> str | None:
    """The last top-level definition of `name` in the cells, padded to its line."""
    for python, tree in reversed(parsed):
        for node in reversed(tree.body):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and (
                node.name == name
            ):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                lines = python.splitlines()[first - 1 : node.end_lineno]
                return _pad(first) + "\n".join(lines) + "\n"
    return None


def source_of(obj, parsed: list[tuple[str, ast.Module]]) -> str | None:
    """inspect first (IPython registers cell sources), then the session's cells (classes
    defined in a notebook have no source file before Python 3.13)."""
    try:
        lines, first = inspect.getsourcelines(obj)
        return _pad(first) + textwrap.dedent("".join(lines))
    except (OSError, TypeError):
        return _from_cells(obj.__name__, parsed)


def _names_read(source: str) -> list[str]:
    tree = ast.parse(textwrap.dedent(source))
    names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)]
    return list(dict.fromkeys(names))


def _literal(value) -> str | None:
    """`repr(value)` when it is a literal that evaluates back to an equal value."""
    if isinstance(value, (types.ModuleType, type)) or callable(value):
        return None
    try:
        text = repr(value)
        if len(text) > MAX_CONSTANT_CHARS or ast.literal_eval(text) != value:
            return None
    except Exception:  # noqa: BLE001 - any repr that does not round-trip is not a constant
        return None
    return text


def _import_for(name: str, value) -> str | None:
    if isinstance(value, types.ModuleType):
        module = value.__name__
        return f"import {module}" if module == name else f"import {module} as {name}"
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if not module or not isinstance(qualname, str) or "." in qualname or "<" in qualname:
        return None
    return (f"from {module} import {qualname}" if qualname == name
            else f"from {module} import {qualname} as {name}")


def scope_of(obj) -> dict:
    """The globals a function or class sees (a class has no __globals__: its module's)."""
    scope = getattr(obj, "__globals__", None)
    if scope is None:
        module = sys.modules.get(getattr(obj, "__module__", None) or "")
        scope = vars(module) if module is not None else {}
    return scope


def collect(function, cells: list[str]) -> LiveSource:
    """Walk the globals `function` reads (and those of the helpers it reads, in turn)."""
    parsed = [p for p in map(_parse, cells) if p is not None]
    live = LiveSource()
    live.imports, bound = _imports(parsed)
    scope = scope_of(function)
    home = function.__module__
    source = source_of(function, parsed)
    if source is None:
        raise ValueError(tr("the source of {name} cannot be found; define it with `{keyword}` "
                            "in a cell and run that cell again", name=function.__name__,
                            keyword="class" if isinstance(function, type) else "def"))
    target = Definition(function.__name__, source)
    helpers: list[Definition] = []
    queue, seen = [target], {function.__name__}
    while queue:
        for name in _names_read(queue.pop(0).source):
            if name in seen or name not in scope:
                continue
            seen.add(name)
            if name in bound:
                continue
            value = scope[name]
            own = getattr(value, "__module__", None) == home and (
                inspect.isfunction(value) or inspect.isclass(value))
            helper_source = source_of(value, parsed) if own else None
            if helper_source is not None:
                helper = Definition(name, helper_source)
                helpers.append(helper)
                queue.append(helper)
            elif (statement := _import_for(name, value)) and not own:
                live.imports.append(statement)
            elif (literal := _literal(value)) is not None:
                live.constants.append(f"{name} = {literal}")
            else:
                live.skipped.append(name)
    live.definitions = list(reversed(helpers)) + [target]
    return live


def module_file_cells(function) -> list[str]:
    """Outside IPython: the function's own module file stands in for the cells."""
    try:
        path = inspect.getsourcefile(function)
    except TypeError:
        return []
    if not path or not Path(path).is_file():
        return []
    return [Path(path).read_text(errors="replace")]
