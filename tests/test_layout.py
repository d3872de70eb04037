"""The package's shape: no import cycle among grader modules (imports inside functions
included), and no module far over 400 lines."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "grader"


def _modules() -> dict[str, Path]:
    return {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
            for p in PACKAGE.rglob("*.py")}


def _graph() -> dict[str, set[str]]:
    """Each grader module's imports of other grader modules (a copy: callers may change it)."""
    return {name: set(deps) for name, deps in _parsed_graph().items()}


@functools.cache
def _parsed_graph() -> dict[str, set[str]]:
    """Parsed once per test process: the week rule asks for it once per module."""
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                deps.add(node.module)
                deps |= {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names}
        graph[name] = {d for d in deps if d in modules and d != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return path + [node, dep]
            if not state.get(dep) and (found := visit(dep, path + [node])):
                return found
        state[node] = 2
        return None

    for node in sorted(graph):
        if not state.get(node) and (found := visit(node, [])):
            return found
    return None


def test_no_import_cycle():
    graph = _graph()
    assert graph["grader.sandbox.child"], "the graph must see the child's imports"
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_the_cycle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_module_far_over_400_lines():
    sizes = {p.name: len(p.read_text().splitlines()) for p in PACKAGE.rglob("*.py")}
    assert max(sizes.values()) <= 420, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]


FRONT_ENDS = ("grader.cli", "grader.selfcheck", "grader.ci_action", "grader.batch",
              "grader.gradescope", "grader.__main__")
CORE = ("grader.model", "grader.pipeline", "grader.sandbox", "grader.assignments",
        "grader.reporters", "grader.api")


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_front_ends_reach_the_core_through_the_api():
    """A front end imports grader.api, the result model and the reporters; its own package,
    and the other front ends it dispatches to (the cli), but never pipeline, sandbox or
    assignments directly."""
    graph = _graph()
    assert any(_within(m, FRONT_ENDS) for m in graph), "the front ends must be found"
    wrong = {(m, d) for m, deps in graph.items() if _within(m, FRONT_ENDS) for d in deps
             if _within(d, ("grader.pipeline", "grader.sandbox", "grader.assignments"))}
    assert not wrong, sorted(wrong)


def test_the_core_never_imports_a_front_end():
    graph = _graph()
    wrong = {(m, d) for m, deps in graph.items() if _within(m, CORE) for d in deps
             if _within(d, FRONT_ENDS)}
    assert not wrong, sorted(wrong)


def test_the_model_is_a_leaf():
    """Beside itself it may only use the message catalog, which every layer speaks through."""
    graph = _graph()
    wrong = {(m, d) for m, deps in graph.items() if _within(m, ("grader.model",)) for d in deps
             if not _within(d, ("grader.model", "grader.i18n"))}
    assert not wrong, sorted(wrong)


def test_the_catalog_is_a_leaf():
    graph = _graph()
    assert any(_within(m, ("grader.i18n",)) for m in graph)
    wrong = {(m, d) for m, deps in graph.items() if _within(m, ("grader.i18n",)) for d in deps
             if not _within(d, ("grader.i18n",))}
    assert not wrong, sorted(wrong)


def _strings(path: Path) -> list[str]:
    return [n.value for n in ast.walk(ast.parse(path.read_text()))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_the_sandbox_never_reaches_the_assignments():
    """Issue 32, item 1: the child is handed the module of the probes it runs; the sandbox
    imports no assignment and no registry of them, neither by an import statement (inside a
    function included) nor by a module path in a string (import_module, a registry)."""
    graph = _graph()
    wrong = {(m, d) for m, deps in graph.items() if _within(m, ("grader.sandbox",))
             for d in deps if _within(d, ("grader.assignments",))}
    assert not wrong, sorted(wrong)
    named = {p.name: s for p in (PACKAGE / "sandbox").glob("*.py") for s in _strings(p)
             if "grader.assignments" in s or "grader/assignments" in s}
    assert not named, named


def test_the_string_rule_finds_a_string_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import importlib\nimportlib.import_module('grader.assignments.c2w1')\n")
    assert "grader.assignments.c2w1" in _strings(module)


def test_each_spec_runs_the_probes_of_the_module_it_names():
    import importlib

    from grader.assignments import codes, get_spec

    for code in codes():
        spec = get_spec(code)
        probes = importlib.import_module(spec.probes_from).PROBES
        assert probes == spec.probes, (code, spec.probes_from)


def _is_probes(module: str) -> bool:
    leaf = module.rsplit(".", 1)[-1]
    return _within(module, ("grader.assignments",)) and (leaf == "probes"
                                                          or leaf.startswith("probes_"))


def test_probe_modules_import_only_the_sandbox_the_model_and_other_probes():
    """Issue 32, item 1: what the child runs is apart from what judges it. A probe module
    (an assignment's probes.py, common/probes_*.py) imports the sandbox's child-side
    helpers, the model and other probe modules: never a check, a message or the registry."""
    graph = _graph()
    probes = [m for m in graph if _is_probes(m)]
    assert len(probes) >= 8, probes
    wrong = {(m, d) for m in probes for d in graph[m]
             if not (_within(d, ("grader.sandbox", "grader.model")) or _is_probes(d)
                     or d in ("grader", "grader.assignments")
                     or (d.startswith("grader.assignments.") and d.count(".") == 2))}
    assert not wrong, sorted(wrong)


def test_the_child_loads_no_check_with_its_probes():
    """What the import of each spec's probe module brings into a process: no check module."""
    import subprocess
    import sys

    from grader.assignments import CODES, get_spec

    modules = sorted({get_spec(code).probes_from for code in CODES})  # built-in ones
    script = ("import importlib, json, sys\n"
              f"for m in {modules!r}: importlib.import_module(m)\n"
              "print(json.dumps(sorted(m for m in sys.modules if m.startswith('grader.'))))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    import json

    loaded = json.loads(out)
    checks = [m for m in loaded if _within(m, ("grader.assignments",)) and not _is_probes(m)
              and m.count(".") > 2]
    assert not checks, checks
    assert not [m for m in loaded if _within(m, ("grader.pipeline", "grader.reporters"))]


# A test picked by its place in a tuple: SPLIT_TESTS[2], part.test_names[0], names[4:].
_POSITIONAL = re.compile(r"_TESTS\[|test_names\[|\bnames\[|\.tests\[")


def _positional(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if _POSITIONAL.search(line)]


def test_checks_never_pick_a_test_by_position():
    """Issue 32, item 3: a check names the test it judges by key (`part.test("cut_09")`) or
    by object (`ZERO_LENGTH.verdict(...)`), never by its place in a tuple of names, which
    judged the wrong test silently when a tuple changed."""
    files = [*(PACKAGE / "assignments").rglob("*.py"), PACKAGE / "pipeline" / "history.py"]
    found = {str(p.relative_to(ROOT)): lines for p in files
             if (lines := _positional(p.read_text()))}
    assert not found, found


def test_the_position_rule_finds_an_index():
    assert _positional("verdicts.append((SPLIT_TESTS[2], ok, message))")
    assert _positional("x = generators.GENERATOR_TESTS[:4]")
    assert _positional("return [compiled_verdict(names[0], info)]")
    assert _positional("name = part.test_names[1]")
    assert not _positional('verdicts.append(part.test("cut_09").verdict(ok, message))')


ASSIGNMENTS = PACKAGE / "assignments"


def _week(module: str) -> str | None:
    """The assignment folder a module or module path is in (`c2w1v4`), or None: common/, the
    registry and anything outside grader.assignments are in no week."""
    parts = module.split(".")
    if parts[:2] != ["grader", "assignments"] or len(parts) < 3 or parts[2] == "common":
        return None
    return parts[2] if (ASSIGNMENTS / parts[2]).is_dir() else None


def _named_modules(path: Path) -> set[str]:
    """The grader.assignments module paths a file's strings name, dotted or as a path."""
    found = set()
    for text in _strings(path):
        for match in re.finditer(r"grader[./]assignments[./][A-Za-z0-9_./]+", text):
            found.add(match.group().replace("/", ".").removesuffix(".py").rstrip("."))
    return found


def _cross_week(path: Path, own: str | None) -> set[str]:
    """What a module under grader/assignments imports, by statement (inside a function
    included) or by a module path in a string, from a week folder other than its own."""
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    reached = _graph()[name] | _named_modules(path)
    return {d for d in reached if _week(d) is not None and _week(d) != own}


def test_a_week_imports_only_common_never_another_week():
    """Issue 32, item 4: what weeks share lives in common/; a module of a week folder imports
    its own folder, common/ and the rest of the grader, never another week's (by an import
    statement or a module path in a string), and common/ imports no week at all."""
    weeks = [p for p in ASSIGNMENTS.iterdir() if p.is_dir() and (p / "spec.py").is_file()]
    assert len(weeks) >= 8, weeks
    wrong = {}
    for folder in [*weeks, ASSIGNMENTS / "common"]:
        own = None if folder.name == "common" else folder.name
        for path in folder.rglob("*.py"):
            if found := _cross_week(path, own):
                wrong[str(path.relative_to(ROOT))] = sorted(found)
    assert not wrong, wrong


def test_the_week_rule_finds_an_import_and_a_string(tmp_path):
    assert _week("grader.assignments.c2w1v4.probes") == "c2w1v4"
    assert _week("grader.assignments.common.files") is None
    assert _week("grader.assignments") is None
    module = tmp_path / "m.py"
    module.write_text("PROBE_MODULE = 'grader.assignments.c2w1.probes'\n"
                      "DOC = 'see grader/assignments/c2w3/spec.py'\n")
    assert _named_modules(module) == {"grader.assignments.c2w1.probes",
                                      "grader.assignments.c2w3.spec"}
