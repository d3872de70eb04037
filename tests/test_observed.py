"""Declared observations (issue 32, item 2): every probe names what it returns, and the
parent keeps only that where an observation leaves a child."""

from __future__ import annotations

import pytest
from hostile.corpus import GOOD_DIRS, GOOD_SPLIT, WIDENS_ITS_REPORT, notebook

from grader.assignments import codes, get_spec
from grader.model.observed import (
    MAX_TEXT,
    Calls,
    ModelMade,
    Trained,
    conform,
    declared,
)
from grader.pipeline.grade import grade_observed

CALL = {"ok": True, "stdout": "", "error": None}


@pytest.mark.parametrize("code", codes())
def test_every_probe_declares_what_it_returns(code):
    spec = get_spec(code)
    for name, probe in spec.probes.items():
        assert declared(probe) is not None, f"{code}: probe {name!r}"


def test_undeclared_fields_and_wrong_types_are_dropped():
    forged = {"call": {**CALL, "ok": "yes", "learns": True}, "returned": "Sequential",
              "model": {"layers": []}, "export": ["not", "a", "dict"], "looks": [1],
              "score": 100}
    kept, dropped = conform(forged, ModelMade)
    assert kept == {"call": {"stdout": "", "error": None}, "returned": "Sequential",
                    "model": {"layers": []}}
    assert sorted(dropped) == ["export", "looks", "score"]


def test_declared_shapes_pass_untouched():
    real = {"calls": [CALL, {**CALL, "ok": False, "error": {"type": "OSError"}}]}
    assert conform(real, Calls) == (real, [])
    trained = {"model": {"units": 1}, "looks": [{"epoch": 1, "correct": 30}], "measured": 40,
               "class_counts": [20, 20], "max_epochs": 6, "modes": ["settled"],
               "confidence": 0.99, "steps_per_epoch": 3}
    assert conform(trained, Trained) == (trained, [])
    assert conform({"confidence": 1}, Trained) == ({"confidence": 1}, [])  # an int is a float
    assert conform({"measured": True}, Trained) == ({}, ["measured"])  # a bool is no count


def test_a_string_over_the_cap_is_dropped():
    kept, dropped = conform({"call": CALL, "returned": "x" * (MAX_TEXT + 1)}, ModelMade)
    assert kept == {"call": CALL} and dropped == ["returned"]


def test_a_real_grading_drops_nothing(tmp_path):
    _result, observed = grade_observed(get_spec("C2W1"), notebook(tmp_path, GOOD_DIRS,
                                                                  split=GOOD_SPLIT), None)
    assert observed.outcomes and observed.dropped == {}


def test_a_widened_report_is_graded_on_what_it_did_and_the_record_says_so(tmp_path):
    result, observed = grade_observed(get_spec("C2W1"), notebook(tmp_path, WIDENS_ITS_REPORT,
                                                                 split=GOOD_SPLIT), None)
    assert {p.name: p.score for p in result.parts}["create_train_val_dirs"] == 10
    calls = observed.outcomes["create_train_val_dirs"].observation["calls"]
    assert all(set(call) == {"ok", "stdout", "error"} for call in calls)
