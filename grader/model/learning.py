"""Whether a model learns, as a statistical question answered against chance.

The brief training (sandbox/brief_training.py) fits the clean rebuild of the learner's model
on the grader's fixture images and, after each short epoch, counts how many images it never
trained on it classifies right. A model that has learned nothing does no better than always
naming the most common class, so chance is that class's share. It learns when, at some look,
so many images are right that guessing would get as many with probability below the level
the confidence allows, split evenly over every look the budget permits (Bonferroni), so
looking after every epoch does not raise the false alarm rate. Both the clean child (to stop
as soon as the evidence is clear) and the parent's check (to judge) use these functions.
"""

from __future__ import annotations

import math

CONFIDENCE = 0.999  # one-sided, over all looks of a brief training together


def chance(class_counts: list[int]) -> float:
    """The accuracy of the best guess that ignores the image: the largest class's share."""
    total = sum(class_counts)
    return max(class_counts) / total if total else 1.0


def p_value(correct: int, measured: int, chance_level: float) -> float:
    """P(at least `correct` of `measured` right by guessing at `chance_level`): the binomial
    tail, summed in log space. Written out rather than scipy.stats.binom.sf (the same
    number; tests/test_learning.py compares them) because importing scipy.stats costs each
    grading process 0.6 s and 100 MB, for a sum of at most a few hundred terms."""
    if correct <= 0:
        return 1.0
    if correct > measured or chance_level <= 0:
        return 0.0
    if chance_level >= 1:
        return 1.0
    log_p, log_q = math.log(chance_level), math.log1p(-chance_level)
    head = math.lgamma(measured + 1)
    return min(1.0, math.fsum(
        math.exp(head - math.lgamma(i + 1) - math.lgamma(measured - i + 1)
                 + i * log_p + (measured - i) * log_q)
        for i in range(correct, measured + 1)))


def per_look_level(looks: int, confidence: float = CONFIDENCE) -> float:
    return (1 - confidence) / max(looks, 1)


def learns(correct: int, measured: int, chance_level: float, looks: int,
           confidence: float = CONFIDENCE) -> bool:
    return (measured > 0 and correct / measured > chance_level
            and p_value(correct, measured, chance_level) < per_look_level(looks, confidence))


def needed(measured: int, chance_level: float, looks: int,
           confidence: float = CONFIDENCE) -> int:
    """The fewest right answers that show learning at one look (for the messages)."""
    for correct in range(measured + 1):
        if learns(correct, measured, chance_level, looks, confidence):
            return correct
    return measured + 1
