"""Expected values as data (issue 32, item 4): each week declares the numbers it expects once
(`AssignmentSpec.expected`, grader/model/expected.py); its checks read them from the spec and
its test names are filled from them, so changing one value changes both the verdict and the
name. Judged here on hand-made observations: no TensorFlow, no child process."""

from __future__ import annotations

import importlib
from dataclasses import replace

import pytest

from grader.assignments import CODES, get_spec
from grader.model.observations import Observations
from grader.model.protocol import ProbeOutcome
from grader.pipeline.judge import judge

OK = {"ok": True, "stdout": "", "error": None}


def test_every_week_declares_its_expected_values_and_names_its_tests_from_them():
    for code in CODES:
        spec = get_spec(code)
        assert spec.expected is not None, code
        week = importlib.import_module(spec.module)
        assert week.EXPECTED is spec.expected, code
        assert week.parts(spec.expected) == spec.parts, code  # names from this very value


def _judged(spec, part: str, outcomes: dict) -> dict[str, tuple[str, bool]]:
    """The part's verdicts, key -> (test name, passed), judged as a grading judges them."""
    obs = Observations(spec.code, spec.keras, outcomes={
        name: ProbeOutcome(name, observation) for name, observation in outcomes.items()})
    skip = frozenset(p.name for p in spec.parts if p.name != part)
    parts, _, _ = judge(spec, obs, None, skip=skip)
    result = next(r for r in parts if r is not None)
    graded = spec.part_named(part)
    return {t.key: (r.id, r.passed) for t, r in zip(graded.tests, result.tests, strict=True)}


def _expecting(code: str, **changes):
    """The built-in spec with some expected values changed, its tests named from them."""
    spec = get_spec(code)
    expected = replace(spec.expected, **changes)
    return replace(spec, expected=expected,
                   parts=importlib.import_module(spec.module).parts(expected))


THREE_CONVS = {"call": OK, "returned": "Sequential", "model": {
    "type": "Sequential", "compiled": True, "loss": "binary_crossentropy",
    "input_shape": [None, 150, 150, 3], "output_shape": [None, 1],
    "output_activation": "sigmoid", "metrics": ["accuracy"],
    "layers": ["Conv2D", "MaxPooling2D"] * 3 + ["Flatten", "Dense", "Dense"]}}
MIXED7 = {"call": OK, "returned": "KerasTensor", "layer": "mixed7",
          "shape": [None, 7, 7, 768]}


@pytest.mark.parametrize(("code", "part", "outcomes", "key", "change", "names"), [
    ("C2W1", "create_model", {"create_model": THREE_CONVS}, "convs",
     {"convs_at_least": 4}, ("has at least 3 Conv2D layers", "has at least 4 Conv2D layers")),
    ("C2W3", "output_of_last_layer", {"output_of_last_layer": MIXED7}, "mixed7",
     {"last_layer": "mixed6"}, ("returns the output of layer 'mixed7'",
                                "returns the output of layer 'mixed6'")),
])
def test_changing_an_expected_value_changes_the_verdict_and_the_name(code, part, outcomes,
                                                                     key, change, names):
    graded = _judged(get_spec(code), part, outcomes)
    assert graded[key] == (names[0], True)
    changed = _judged(_expecting(code, **change), part, outcomes)
    assert changed[key] == (names[1], False)
    # the rest of the part is judged as before
    assert {k: v for k, v in changed.items() if k != key} == {
        k: v for k, v in graded.items() if k != key}


def test_prepare_hands_the_probes_the_expected_values(tmp_path):
    spec = get_spec("C2W3")
    _, args = spec.prepare(tmp_path)
    expected = spec.expected
    for probe in ("output_of_last_layer", "create_final_model"):
        assert args[probe] == {"seed": expected.seed, "shape": list(spec.images.shape),
                               "last_layer": expected.last_layer}
    assert args["final_model_training"]["last_layer"] == expected.last_layer
    assert args["myCallback"]["accuracies"]["below"] == expected.stop_above
