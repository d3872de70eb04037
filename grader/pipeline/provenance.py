"""Which code and which inputs produced a grading's observations: the digests `grader
rescore` compares before it judges a stored record again.

A part's digest covers the code that observes (this pipeline's observing modules, the
sandbox) and the modules its probes are defined in, each with the grader modules it imports
that also observe. The checks, their messages and points are never in it: changing those is
exactly what a rescore is for. A fact's digest covers the module of the function that read
it (grader/assignments/common/observers.py and the like); `prepared_digest` covers what the
assignment's prepare() laid out, paths made relative to the work directory.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import json
from pathlib import Path

from grader.model.spec import AssignmentSpec

# Modules whose code shapes an observation; imports are followed only into these.
OBSERVING = ("grader.sandbox", "grader.assignments", "grader.model.protocol",
             "grader.model.observations", "grader.pipeline.extract",
             "grader.pipeline.clean_inputs", "grader.pipeline.clean_cache",
             "grader.pipeline.notebook", "grader.pipeline.grade")
CHUNK = 1 << 20


def _observing(name: str) -> bool:
    return any(name == root or name.startswith(root + ".") for root in OBSERVING)


def _source(name: str) -> tuple[str, str]:
    """(file, text) of a module, without importing it; ("", "") for none found."""
    found = importlib.util.find_spec(name)
    if found is None or not found.origin or not found.origin.endswith(".py"):
        return "", ""
    return found.origin, Path(found.origin).read_text(encoding="utf-8")


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a name in a module, not a module in a package
        return False


def _imports(name: str, text: str) -> set[str]:
    """The observing grader modules `text` imports (a `from package import module` counts
    the module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                if _observing(candidate) and _is_module(candidate):
                    found.add(candidate)
    return {module for module in found if _observing(module) and module != name}


@functools.cache
def module_digest(name: str) -> str:
    """sha256 over the source of `name` and every observing module it imports, in turn."""
    seen, todo, digest = set(), [name], hashlib.sha256()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        _file, text = _source(module)
        todo.extend(sorted(_imports(module, text)) if text else ())
    for module in sorted(seen):
        digest.update(f"\0{module}\0{_source(module)[1]}".encode())
    return digest.hexdigest()


def part_digests(spec: AssignmentSpec) -> dict[str, str]:
    """Per graded part: the observing pipeline and the modules of its probes, the clean
    probes fed by them included."""
    common = module_digest("grader.pipeline.grade")
    digests = {}
    for part in spec.parts:
        probes = set(part.probes) | {clean for clean, source in spec.clean_probes.items()
                                     if source in part.probes}
        modules = sorted({(p, _probe_module(spec, p)) for p in probes})
        text = json.dumps([common, [(p, module_digest(m)) for p, m in modules]])
        digests[part.name] = hashlib.sha256(text.encode()).hexdigest()
    return digests


def _probe_module(spec: AssignmentSpec, probe: str) -> str:
    function = spec.probes.get(probe)
    return getattr(function, "__module__", None) or spec.probes_from


def fact_digests(facts: dict[str, dict]) -> dict[str, str]:
    """The module digest of every observer that read a fact (keys are "module:name:args")."""
    modules = {key.split(":", 1)[0] for by_key in facts.values() for key in by_key}
    return {module: module_digest(module) for module in sorted(modules)}


def prepared_digest(prepared: dict, args: dict, workdir: Path) -> str:
    """Of what prepare() returned, the work directory's own path left out."""
    text = json.dumps([prepared, args], sort_keys=True, default=str)
    return hashlib.sha256(text.replace(str(workdir), "<workdir>").encode()).hexdigest()


def file_digest(path: Path | None) -> str | None:
    if path is None or not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def input_digests(notebook: Path, history: Path | None) -> dict[str, str | None]:
    """What was graded: a rescore judges a record only while these files are unchanged."""
    return {"notebook": file_digest(notebook), "history": file_digest(history)}
