from __future__ import annotations

import contextlib
import copy
import importlib.util
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("GRADER_CACHE", str(ROOT / ".grader-cache"))
# Messages default to the environment's language (grader/i18n): tests pick theirs explicitly.
os.environ["LANG"] = "C.UTF-8"
for _name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_name, None)

SOLUTION = ROOT / "solutions" / "C2W1_Assignment.ipynb"
TEMPLATE = ROOT / "student_template" / "C2W1_Assignment.ipynb"
SOLUTION_HISTORY = ROOT / "solutions" / "history.pkl"


def load_solution(code: str = "C2W1") -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "solutions" / f"{code}_Assignment.ipynb", as_version=4)


def solution_path(code: str) -> Path:
    return ROOT / "solutions" / f"{code}_Assignment.ipynb"


def template_path(code: str) -> Path:
    return ROOT / "student_template" / f"{code}_Assignment.ipynb"


def cell_by_id(nb, cell_id: str):
    for cell in nb.cells:
        if cell.get("id") == cell_id:
            return cell
    raise KeyError(cell_id)


def edit(nb, cell_id: str, old: str, new: str):
    """Replace text in one cell, failing loudly if the text is not there (no silent no-op)."""
    nb = copy.deepcopy(nb)
    cell = cell_by_id(nb, cell_id)
    assert old in cell.source, f"{old!r} not in cell {cell_id}"
    cell.source = cell.source.replace(old, new)
    return nb


def edited(code: str, edits) -> nbformat.NotebookNode:
    """The reference solution of `code` with (cell id, old, new) edits applied in order."""
    nb = load_solution(code)
    for cell_id, old, new in edits:
        nb = edit(nb, cell_id, old, new)
    return nb


@contextlib.contextmanager
def learner_module(code: str, folder: Path):
    """The graded cells of `code`'s reference solution imported as a module file, as a
    learner's script or imported module would hold them (for `check(fn)`); registered in
    sys.modules while in use, so that a class finds its source file."""
    source = "\n\n".join(c.source for c in load_solution(code).cells
                         if c.cell_type == "code" and "graded" in c.metadata.get("tags", []))
    name = f"learner_{code.lower()}"
    path = folder / f"{name}.py"
    path.write_text(source + "\n")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[name]


def write(nb, folder: Path, name: str = "C2W1_Assignment.ipynb") -> Path:
    """Write a notebook; the default name is C2W1's, pass another for other assignments."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    nbformat.write(nb, path)
    return path


def parts(result) -> dict:
    data = result.to_dict() if hasattr(result, "to_dict") else result
    return {p["name"]: p for p in data["parts"]}


def failing(result) -> dict[str, list[str]]:
    out = {}
    for name, part in parts(result).items():
        bad = [t["name"] for t in part["tests"] if not t["passed"]]
        if bad:
            out[name] = bad
    return out


def dump(result) -> str:
    return json.dumps(result.to_dict(), indent=1)


@pytest.fixture(scope="session", autouse=True)
def _fixtures_ready():
    from grader.assignments.common import fixtures

    fixtures.petimages()


@pytest.fixture(scope="module")
def zygote(tmp_path_factory):
    """As a batch worker's: every child forked from one process that imported TensorFlow."""
    from grader.sandbox.zygote import Zygote

    forks = Zygote(tmp_path_factory.mktemp("zygote"))
    yield forks
    forks.close()


def check_count(code: str = "C2W1") -> int:
    """How many checks an assignment reports (every one fails on the blank template)."""
    from grader.assignments import get_spec

    return sum(len(p.tests) for p in get_spec(code).parts)


def shared_notebooks(footprints: dict[str, tuple[object, set[str], set[str]]]
                     ) -> list[tuple[str, ...]]:
    """Names packed, in order, into as few notebooks as possible. A footprint is (what the
    notebook is, the cells edited, the parts that must fail): a notebook holds edits of one
    kind only, at most one per cell and per failing part. The grader isolates graded
    functions from each other (one child per function, each with its own course view), so a
    notebook with a mistake in three functions must fail exactly those three checks, and one
    with three ways of writing three functions must pass them all; grading it once tests
    each edit as alone would, and that isolation besides."""
    groups: list[list[str]] = []
    for name, (kind, cells, failing_parts) in footprints.items():
        for group in groups:
            if all(footprints[o][0] == kind and not cells & footprints[o][1]
                   and not failing_parts & footprints[o][2] for o in group):
                group.append(name)
                break
        else:
            groups.append([name])
    return [tuple(g) for g in groups]


def variant_groups(variants: dict) -> list[tuple[str, ...]]:
    """Broken variants (cell id, old, new, part, test) packed into shared notebooks."""
    return shared_notebooks({name: (None, {variants[name][0]},
                                    {variants[name][3]} - {None})
                             for name in sorted(variants)})


def edit_groups(mistakes: dict) -> list[tuple[str, ...]]:
    """Mistakes or realistic rewrites given as (edits, {part: tests that fail}) or as bare
    edits (nothing fails), packed into shared notebooks."""
    return shared_notebooks({name: (None, {cell for cell, _, _ in _edits_of(mistakes[name])},
                                    set(_failures_of(mistakes[name])))
                             for name in sorted(mistakes)})


def _edits_of(entry) -> list:
    return entry[0] if isinstance(entry, tuple) else entry


def _failures_of(entry) -> dict:
    return entry[1] if isinstance(entry, tuple) else {}


def grouped(code: str, mistakes: dict, names: tuple[str, ...]):
    """The reference solution of `code` with every named entry's edits, and the checks
    that must fail in it, part by part (every other check passes)."""
    expected: dict[str, set[str]] = {}
    for name in names:
        for part, tests in _failures_of(mistakes[name]).items():
            expected.setdefault(part, set()).update(tests)
    return edited(code, [e for name in names for e in _edits_of(mistakes[name])]), expected


def apply_variants(nb, variants: dict, names: tuple[str, ...]):
    for name in names:
        cell, old, new = variants[name][:3]
        nb = edit(nb, cell, old, new)
    return nb


def assert_fails_exactly(result, variants: dict, names: tuple[str, ...]) -> None:
    """Each variant's part fails with its test among the failures; no other part fails."""
    expected: dict[str, list[str]] = {}
    for name in names:
        part, test = variants[name][3:5]
        if part is not None:
            expected.setdefault(part, []).append(test)
    failed = failing(result)
    assert set(failed) == set(expected), dump(result)
    for part, tests in expected.items():
        for test in tests:
            assert test in failed[part], (test, dump(result))


_SHARED: dict = {}
SUITE_CACHE = "GRADER_TEST_CLEAN_CACHE"


def pytest_configure(config):
    """One clean cache for the whole run, its workers included (they inherit the variable):
    the process that made it removes it."""
    if not os.environ.get(SUITE_CACHE):
        os.environ[SUITE_CACHE] = tempfile.mkdtemp(prefix="grader-test-clean-cache-")
        _SHARED["own-cache"] = os.environ[SUITE_CACHE]


def pytest_unconfigure(config):
    if "own-cache" in _SHARED:
        shutil.rmtree(_SHARED.pop("own-cache"), ignore_errors=True)
        os.environ.pop(SUITE_CACHE, None)


def grading_options(**options):
    """Options for a grading test: gradings share one zygote per test process and Keras
    version, as a batch worker's submissions do, so each pays no TensorFlow import of its
    own, and one clean cache for the whole run, as a class's gradings do, so a model that
    several tests submit (the reference's, beside a mistake in another function) is
    measured once (pipeline/clean_cache: the key holds everything the measurement reads, and
    test_clean_cache shows a measurement from the cache gives the fresh verdicts).
    `keras` defaults to "2" here (pass "3" for the 2024 assignments); pass `clean_cache`
    (None: no cache) for a cache of the test's own. Gradings with their own zygote, no
    forking or a GPU get exactly what they ask for; the CLI, hostile, isolation and zygote
    tests still cover a grading's own zygote, fresh children and the clean child itself."""
    from grader.pipeline.grade import Options

    options.setdefault("keras", "2")
    options.setdefault("clean_cache", Path(os.environ[SUITE_CACHE]) if os.environ.get(
        SUITE_CACHE) else None)
    if "zygote" in options or options.get("fork_children") is False or options.get("use_gpu"):
        return Options(**options)
    key = f"zygote-keras{options['keras']}"
    if key not in _SHARED:
        from grader.sandbox.zygote import Zygote

        _SHARED[key] = Zygote(Path(tempfile.mkdtemp(prefix="grader-test-zygote-")),
                              options["keras"])
    return Options(zygote=_SHARED[key], **options)


def pytest_sessionfinish(session, exitstatus):
    for key in [k for k in _SHARED if k.startswith("zygote")]:
        zygote = _SHARED.pop(key)
        zygote.close()
        shutil.rmtree(zygote.root, ignore_errors=True)
