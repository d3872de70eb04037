"""An assignment is one module: register a toy one and grade notebooks end to end through
the same entry point the front ends use; a declaration that does not hold together fails
when it is made, not when a learner is graded."""

from __future__ import annotations

import json

import nbformat
import pytest

from grader.api import get_spec, grade_submission, register, resolve
from grader.model.spec import AssignmentSpec, Checks, SpecError, Test, part
from grader.reporters.json_report import render_json
from tests.toy.assignment import probe_add

TOY = "tests.toy.assignment"


def _notebook(tmp_path, body: str):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(body, metadata={"tags": ["graded"]}))
    path = tmp_path / "TOY1_Assignment.ipynb"
    nbformat.write(nb, path)
    return path


def _grade(tmp_path, body: str) -> dict:
    register(TOY)
    result = grade_submission(resolve(_notebook(tmp_path, body), "toy1"))
    return json.loads(render_json(result))


def test_a_registered_toy_assignment_grades_end_to_end(tmp_path):
    report = _grade(tmp_path, "def add(a, b):\n    return a + b\n")
    assert get_spec("TOY1").title.startswith("Toy")
    assert (report["assignment"], report["score"], report["passed"]) == ("TOY1", 100, True)
    assert [t["passed"] for t in report["parts"][0]["tests"]] == [True, True]


def test_a_toy_mistake_costs_its_own_check(tmp_path):
    report = _grade(tmp_path, "def add(a, b):\n    return float(a + b)\n")
    tests = {t["name"]: t for t in report["parts"][0]["tests"]}
    assert tests["adds two numbers"]["passed"] and not tests["returns an int for ints"]["passed"]
    assert report["score"] == 75


def test_a_toy_crash_is_graded_not_raised(tmp_path):
    report = _grade(tmp_path, "def add(a, b):\n    raise ValueError('no')\n")
    assert report["score"] == 0 and "ValueError" in report["parts"][0]["tests"][0]["message"]


def _declare(**changes) -> AssignmentSpec:
    checks = Checks()
    checks.part("add")(lambda ctx, p: [])
    fields = dict(code="BAD1", title="bad", functions=("add",),
                  parts=(part("add", (Test("a", "a", 1), Test("b", "b", 1)), probes=("add",)),),
                  pass_mark=50.0,
                  history=None, probe_timeouts={"add": 5}, prepare=lambda w: ({}, {}),
                  checks=checks, probes={"add": probe_add}, module="x")
    fields.update(changes)
    return AssignmentSpec(**fields)


def test_a_consistent_declaration_is_accepted():
    assert _declare().code == "BAD1"


@pytest.mark.parametrize(("changes", "says"), [
    ({"checks": Checks()}, "part 'add' has no registered check"),
    ({"parts": (part("add", (Test("a", "a", 1), Test("b", "a", 1)), probes=("add",)),)},
     "a test name twice"),
    ({"parts": (part("add", (Test("a", "a", 1), Test("a", "b", 1)), probes=("add",)),)},
     "the test key 'a' twice"),
    ({"parts": (part("add", (Test("a", "a", -1),), probes=("add",)),)}, "negative points"),
    ({"parts": (part("add", (Test("a", "a", 1),), probes=("ad",)),)}, "probe 'ad', which is not"),
    ({"probe_timeouts": {}}, "probe 'add' has no timeout"),
    ({"functions": ("add", "sub")}, "do not match functions"),
    ({"module": ""}, "module is not set"),
    ({"probes": {"add": lambda ns, a: {}}}, "probe 'add' declares no return TypedDict"),
])
def test_an_inconsistent_declaration_fails_at_once(changes, says):
    with pytest.raises(SpecError, match=says):
        _declare(**changes)


def test_a_check_registered_under_a_misspelled_part_fails_at_once():
    checks = Checks()
    checks.part("add")(lambda ctx, p: [])
    checks.part("ad")(lambda ctx, p: [])
    with pytest.raises(SpecError, match="registered for 'ad', which is not a part"):
        _declare(checks=checks)
