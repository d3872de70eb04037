"""The "learns" check of every assignment with a brief training (C2W1, C2W4 and their 2024
versions, C2W2v4): judged from the clean child's counts (sandbox/brief_training.py) against
chance, at the confidence model/learning.py states. It exists to catch models that cannot
learn (a learning rate of 0, frozen layers, an output or loss with no gradient); how well a
model does on the real data is the history check's question, never this one's.
"""

from __future__ import annotations

from grader.assignments.common.feedback import describe_error, outcome_problem
from grader.i18n import N_, say, tr
from grader.model import learning
from grader.model.spec import Context, Test, Verdict

# The check, as the weeks with a brief training name it (each assignment weighs it).
CATS_FROM_DOGS = Test("learns", "learns to tell the fixture's cats from dogs")
LETTERS_APART = Test("learns", "learns to tell the fixture's letters apart")
ADVICE = N_("Check that the optimizer's learning rate is above 0, that the layers are "
          "trainable, and that the output layer's activation fits the loss.")


def _curve(looks: list[dict], measured: int) -> str:
    best: dict[int, int] = {}
    for look in looks:
        best[look["epoch"]] = max(best.get(look["epoch"], 0), look["correct"])
    return ", ".join(f"{best[e] / measured:.0%}" for e in sorted(best))


def training_verdict(ctx: Context, test: Test) -> Verdict:
    name = test.name
    outcome = ctx.outcomes.get("train")
    problem = outcome_problem(tr("Training the model"), outcome)
    if problem:
        return (name, False, problem)
    obs = outcome.observation
    if "rebuild_error" in obs:
        return (name, False, tr(
            "The grader trains a copy of your model rebuilt from its configuration, and it "
            "could not be rebuilt: {error}.", error=say(obs["rebuild_error"])))
    if "fit_error" in obs:
        return (name, False, tr("Training the model failed: {error}", error=describe_error(
            "model.fit", obs["fit_error"], bare=True)))
    measured, counts = obs.get("measured") or 0, obs.get("class_counts") or []
    looks = obs.get("looks") or []
    if "unchanged_epoch" in obs:
        return (name, False, tr(
            "A whole epoch of training changed none of the model's weights, so it cannot "
            "learn. {advice}", advice=tr(ADVICE)))
    if not measured or not looks:
        return (name, False, tr("The model could not be trained."))
    level = learning.chance(counts)
    budget = obs["max_epochs"] * len(obs.get("modes") or [None])
    confidence = obs.get("confidence", learning.CONFIDENCE)
    for look in looks:
        if learning.learns(look["correct"], measured, level, budget, confidence):
            epochs = look["epoch"]
            note = (tr(" (BatchNormalization's running averages were first re-estimated "
                       "from training images, as a longer training settles them)")
                    if look["mode"] != "inference" else "")
            return (name, True, tr(
                "It learns: after {epochs} short epoch(s) on the fixture data, {right} of "
                "{n} images it never trained on were right ({share:.0%}; guessing gets "
                "{chance:.0%} at best, and {needed} right show learning at {confidence:.1%} "
                "confidence).{note}", epochs=epochs, right=look["correct"], n=measured,
                share=look["correct"] / measured, chance=level,
                needed=learning.needed(measured, level, budget, confidence),
                confidence=confidence, note=note))
    return (name, False, tr(
        "After {epochs} short epochs on easy fixture data, the model got {curve} of {n} "
        "images it never trained on right; guessing gets {chance:.0%}, and showing it "
        "learns at {confidence:.1%} confidence takes {needed} right. It does not learn. "
        "{advice}", epochs=max(look["epoch"] for look in looks), curve=_curve(looks, measured),
        n=measured, chance=level, confidence=confidence,
        needed=learning.needed(measured, level, budget, confidence), advice=tr(ADVICE)))
