"""Flag graded functions that are the same code under different names, for an instructor to
review (no penalty: short functions written from the same instructions do coincide).

A function's fingerprint is a hash of its AST after normalising what copying usually changes:
names of arguments and local variables (renamed v0, v1, ... in order of appearance),
docstrings, comments and whitespace (gone with the AST), type annotations. Functions equal to
the blank template's or the reference solution's, and bodies that do nothing, are not
flagged.
"""

from __future__ import annotations

import ast
import copy
import csv
import hashlib
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from grader.model.files import atomic_write
from grader.model.memo import Memo, code_digest, key_of
from grader.model.spec import AssignmentSpec

ROOT = Path(__file__).resolve().parent.parent.parent
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


@dataclass(frozen=True)
class Fingerprint:
    digest: str
    size: int  # AST nodes: tiny functions coincide more often


@dataclass(frozen=True)
class Pair:
    function: str
    learner_a: str
    learner_b: str
    group_size: int  # learners sharing this exact code
    size: int
    digest: str


def _in_order(node: ast.AST) -> Iterator[ast.AST]:
    """Depth-first in field order: the same structure always yields the same order."""
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _in_order(child)


def _drop_docstrings_and_annotations(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(
                    getattr(body[0], "value", None), ast.Constant) and isinstance(
                    body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.returns = None
        if isinstance(node, ast.arg):
            node.annotation = None
        if isinstance(node, ast.AnnAssign):
            node.annotation = ast.Constant(None)


def _bound_names(tree: ast.AST) -> set[str]:
    """Names the definition binds itself: arguments, assignments, loop and `with`/`except`
    targets, nested definitions and imports; minus names declared global or nonlocal."""
    bound, shared = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, _SCOPES[:3]) and node is not tree:
            bound.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            shared.update(node.names)
    return bound - shared


def normalise(definition: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str:
    """ast.dump of the definition with locals renamed v0, v1, ... and the noise removed."""
    tree = copy.deepcopy(definition)
    _drop_docstrings_and_annotations(tree)
    local = _bound_names(tree)
    names: dict[str, str] = {}

    def rename(name: str) -> str:
        if name not in local:
            return name
        return names.setdefault(name, f"v{len(names)}")

    tree.name = "f"
    for node in _in_order(tree):
        if isinstance(node, ast.Name):
            node.id = rename(node.id)
        elif isinstance(node, ast.arg):
            node.arg = rename(node.arg)
        elif isinstance(node, _SCOPES[:3]) and node is not tree:
            node.name = rename(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            node.name = rename(node.name)
        elif isinstance(node, ast.alias):
            bound = node.asname or node.name.split(".")[0]
            if bound in local:
                node.asname = rename(bound)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            node.names = [rename(n) for n in node.names]
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def _does_nothing(definition: ast.AST) -> bool:
    body = [s for s in definition.body if not (isinstance(s, ast.Expr) and isinstance(
        s.value, ast.Constant))]
    return all(isinstance(s, ast.Pass) or (isinstance(s, ast.Return) and (
        s.value is None or isinstance(s.value, ast.Constant) and s.value.value is None))
        for s in body)


def fingerprints(notebook: Path, spec: AssignmentSpec,
                 memo: Memo | None = None) -> dict[str, Fingerprint]:
    """The graded functions the grader would extract from `notebook`, fingerprinted; a
    notebook that cannot be read, or a function that does nothing, gives none. With a
    `memo` (a batch's), a notebook fingerprinted before is not parsed again (a rescore)."""
    if memo is not None:
        try:
            content = hashlib.sha256(notebook.read_bytes()).hexdigest()
        except OSError:
            return {}
        key = key_of("fingerprints", content, spec.functions, sorted(spec.renamed.items()),
                     _code())
        found = json.loads(memo.get(key, lambda: json.dumps(
            {name: [fp.digest, fp.size] for name, fp in fingerprints(notebook, spec).items()})))
        return {name: Fingerprint(digest, size) for name, (digest, size) in found.items()}
    from grader.api import extract, read_notebook

    found: dict[str, Fingerprint] = {}
    try:
        extraction = extract(read_notebook(notebook), spec.functions, spec.renamed)
        for snippet in extraction.snippets:
            if snippet.kind not in ("def", "class") or snippet.name not in spec.functions:
                continue
            node = ast.parse(snippet.source).body[0]
            if _does_nothing(node):
                continue
            text = normalise(node)
            found[snippet.name] = Fingerprint(hashlib.sha256(text.encode()).hexdigest()[:16],
                                              sum(1 for _ in ast.walk(node)))
    except Exception:  # noqa: BLE001 - an unreadable or pathological notebook is not compared
        return found
    return found


def _code() -> str:
    """What fingerprints are made by: this module, extraction and notebook reading."""
    import grader.api

    modules = {sys.modules[f.__module__].__file__ for f in (grader.api.extract,
                                                             grader.api.read_notebook)}
    return code_digest(__file__, *sorted(modules))


def known_digests(spec: AssignmentSpec, root: Path = ROOT,
                  memo: Memo | None = None) -> dict[str, set[str]]:
    """Per function, the fingerprints of the blank template and the reference solution."""
    known: dict[str, set[str]] = {}
    for folder in ("student_template", "solutions"):
        path = root / folder / f"{spec.code}_Assignment.ipynb"
        if path.is_file():
            for name, fp in fingerprints(path, spec, memo).items():
                known.setdefault(name, set()).add(fp.digest)
    return known


def similar_pairs(prints: dict[str, dict[str, Fingerprint]],
                  known: dict[str, set[str]]) -> list[Pair]:
    """`prints` maps learner -> function -> fingerprint; pairs sharing a fingerprint."""
    groups: dict[tuple[str, str], list[str]] = {}
    sizes: dict[tuple[str, str], int] = {}
    for learner in sorted(prints):
        for function, fp in prints[learner].items():
            if fp.digest in known.get(function, set()):
                continue
            groups.setdefault((function, fp.digest), []).append(learner)
            sizes[(function, fp.digest)] = fp.size
    pairs = []
    for (function, digest), learners in sorted(groups.items()):
        for a, b in combinations(learners, 2):
            pairs.append(Pair(function, a, b, len(learners), sizes[(function, digest)], digest))
    return pairs


def write_csv(path: Path, pairs: list[Pair]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["function", "learner_a", "learner_b", "group_size", "ast_nodes", "digest"])
    for p in pairs:
        writer.writerow([p.function, p.learner_a, p.learner_b, p.group_size, p.size, p.digest])
    atomic_write(path, buffer.getvalue())
