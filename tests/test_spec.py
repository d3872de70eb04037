"""A test is one object (issue 32, item 3): its name is its template filled from the values
the check uses, checks find it by key, and a part whose tests clash is refused when its
module is imported, never graded."""

from __future__ import annotations

import importlib
import re

import pytest

from grader.assignments import CODES, get_spec
from grader.model.spec import HistoryRule, SpecError, Test, part, weigh


def test_a_name_is_its_text_filled_from_its_params():
    shape = Test("input_shape", "input shape is {shape}", points=4,
                 params={"shape": (150, 150, 3)})
    assert shape.name == "input shape is (150, 150, 3)"
    assert shape.verdict(False, "why") == ("input shape is (150, 150, 3)", False, "why")
    letters = shape.worth(6, shape=(28, 28, 1))  # another assignment's values and points
    assert (letters.key, letters.name, letters.points) == (
        "input_shape", "input shape is (28, 28, 1)", 6)
    assert shape.points == 4 and Test("plain", "skips zero-length files").name == (
        "skips zero-length files")


def test_weigh_prices_each_test_by_key_and_keeps_their_order():
    first, second = Test("first", "one"), Test("second", "two")
    assert [(t.key, t.points) for t in weigh((first, second), second=2, first=1)] == [
        ("first", 1), ("second", 2)]
    for points in ({"first": 1}, {"first": 1, "second": 2, "third": 3}):
        with pytest.raises(SpecError, match="do not match the tests"):
            weigh((first, second), **points)


def test_a_check_finds_its_test_by_key_and_a_wrong_key_is_the_graders_bug():
    graded = part("f", (Test("first", "one", 1), Test("second", "two", 2)))
    assert graded.test("second").name == "two"
    assert (graded.points, graded.test_names) == (3, ("one", "two"))
    with pytest.raises(SpecError, match="has no test 'third'"):  # not a KeyError: grading
        graded.test("third")  # takes those for a learner's malformed report


def test_history_tests_follow_from_the_rule():
    rule = HistoryRule("h.pkl", max_epochs=35, min_train_accuracy=0.8, min_val_accuracy=0.8,
                       max_slope_difference=0.3)
    history = rule.part(readable=2, lists=2, epochs=1, finite=1, train_accuracy=6,
                        val_accuracy=6, slopes=5)
    assert history.test("epochs").name == "at most 35 epochs"
    assert history.test("slopes").name == "curves' slopes within 30% of each other"
    assert history.points == 23 and history.is_history
    with pytest.raises(SpecError):
        rule.part(readable=2)


def test_every_built_in_part_names_its_tests_by_unique_keys():
    for code in CODES:
        for graded in get_spec(code).parts:
            keys = [t.key for t in graded.tests]
            assert len(set(keys)) == len(keys) and all(k.isidentifier() for k in keys), (
                code, graded.name, keys)


MODULE = '''
from grader.model.spec import AssignmentSpec, Checks, Test, part

CHECKS = Checks()
CHECKS.part("add")(lambda ctx, p: [])
SPEC = AssignmentSpec(
    code="CLASH1", title="clashing tests", functions=("add",),
    parts=(part("add", ({tests}), probes=("add",)),), pass_mark=50.0, history=None,
    probe_timeouts={{"add": 5}}, prepare=lambda w: ({{}}, {{}}), checks=CHECKS,
    probes={{"add": lambda ns, a: {{}}}}, module=__name__)
'''


@pytest.mark.parametrize(("case", "tests", "says"), [
    ("key", 'Test("adds", "adds two numbers", 5), Test("adds", "adds again", 5)',
     "part 'add' has the test key 'adds' twice"),
    ("name", 'Test("adds", "adds", 5), Test("again", "adds", 5)', "a test name twice"),
    ("identifier", 'Test("adds two", "adds", 5),', "'adds two' is not a Python identifier"),
    ("unfilled", 'Test("shape", "input shape is {shape}", 5),', "leaves ['shape'] unfilled"),
])
def test_a_part_whose_tests_clash_is_refused_at_import(case, tests, says, tmp_path,
                                                       monkeypatch):
    module = f"clashing_spec_{case}"
    (tmp_path / f"{module}.py").write_text(MODULE.format(tests=tests))
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(SpecError, match=re.escape(says)):
        importlib.import_module(module)
