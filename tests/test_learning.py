"""The "learns" verdict as statistics (grader/model/learning.py) and as the check reads the
clean child's counts (grader/assignments/common/learning.py): no TensorFlow here; the
calibration on real models is tests/realistic/learning.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.assignments.common.learning import CATS_FROM_DOGS, training_verdict
from grader.model import learning
from grader.model.protocol import ProbeOutcome
from grader.model.spec import Context


def test_chance_is_the_largest_class_share():
    assert learning.chance([49, 51]) == 0.51
    assert learning.chance([8] * 24) == pytest.approx(1 / 24)
    assert learning.chance([0, 0]) == 1.0  # nothing measured: nothing beats it


def test_p_value_is_the_binomial_tail():
    assert learning.p_value(0, 100, 0.5) == 1.0
    assert learning.p_value(100, 100, 0.5) == pytest.approx(0.5 ** 100)
    assert learning.p_value(2, 2, 0.5) == pytest.approx(0.25)
    assert learning.p_value(1, 2, 0.5) == pytest.approx(0.75)  # P(X >= 1)


@pytest.mark.parametrize("correct,measured,level", [
    (70, 100, 0.51), (21, 192, 1 / 24), (99, 148, 0.5067), (1, 30, 0.5), (30, 30, 0.5),
    (600, 1000, 0.55)])
def test_p_value_matches_scipy(correct, measured, level):
    from scipy.stats import binom

    expected = binom.sf(correct - 1, measured, level)
    assert learning.p_value(correct, measured, level) == pytest.approx(expected, rel=1e-9)


def test_more_looks_need_more_right_answers():
    one, eight = learning.needed(100, 0.5, 1), learning.needed(100, 0.5, 8)
    assert 60 < one < eight < 75
    assert learning.learns(eight, 100, 0.5, 8) and not learning.learns(eight - 1, 100, 0.5, 8)
    assert learning.needed(192, 1 / 24, 10) == 21  # the letters: 11% is far above 4%
    assert not learning.learns(51, 100, 0.51, 1)  # at chance, never


def _context(observation: dict) -> Context:
    return Context(Path("."), {}, {"train": ProbeOutcome("train", observation)}, None)


BASE = {"model": {}, "measured": 100, "class_counts": [49, 51], "max_epochs": 8,
        "modes": ["inference"], "confidence": learning.CONFIDENCE}
NAME = "learns to tell the fixture's cats from dogs"


@pytest.mark.parametrize("looks,passed,words", [
    ([52, 97], True, ["after 2 short epoch(s)", "97 of 100", "70 right show learning"]),
    ([50, 52, 49, 55, 51, 53, 50, 52], False, ["52%, 49%, 55%", "takes 70 right"]),
    ([69] * 8, False, ["takes 70 right"]),  # just short, every time: no
])
def test_the_verdict_reads_the_counts_against_chance(looks, passed, words):
    observation = {**BASE, "looks": [{"epoch": i + 1, "mode": "inference", "correct": c}
                                     for i, c in enumerate(looks)]}
    name, ok, message = training_verdict(_context(observation), CATS_FROM_DOGS)
    assert (name, ok) == (NAME, passed), message
    for word in words:
        assert word in message, message


def test_a_settled_batchnorm_pass_says_so_and_a_still_epoch_fails_at_once():
    settled = {**BASE, "modes": ["settled"],
               "looks": [{"epoch": 1, "mode": "settled", "correct": 100}]}
    _, ok, message = training_verdict(_context(settled), CATS_FROM_DOGS)
    assert ok and "BatchNormalization" in message, message
    still = {**BASE, "looks": [], "unchanged_epoch": 1}
    _, ok, message = training_verdict(_context(still), CATS_FROM_DOGS)
    assert not ok and "changed none of the model's weights" in message, message
