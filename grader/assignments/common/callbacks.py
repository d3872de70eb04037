"""The 2024 notebooks' graded EarlyStoppingCallback: stop once both accuracies reach their
targets, and not before.

A callback is behaviour, not configuration, so it is judged by what it does: the child
instantiates the learner's class, attaches it to a small model and calls `on_epoch_end`
with chosen logs, one case at a time, reporting whether each set `stop_training`. The cases
sit on both sides of each threshold, so a callback that stops on `or`, on `>` instead of
`>=`, or on one accuracy alone fails exactly one of the two behaviour checks. The child
side is probes_callbacks.py; this module holds the checks.
"""

from __future__ import annotations

from grader.assignments.common.feedback import describe_error, outcome_problem
from grader.assignments.common.probes_callbacks import NAME
from grader.i18n import tr
from grader.model.spec import Context, PartSpec, Test, Verdict, all_fail

CALLBACK_TESTS = (  # each assignment weighs them (model.spec.weigh)
    Test("subclass", "is a tf.keras.callbacks.Callback with its own on_epoch_end"),
    Test("stops", "stops once both accuracies reach their targets"),
    Test("keeps_training", "keeps training while either accuracy is below its target"),
)


def cases(train: float, val: float) -> list[dict]:
    """(logs, whether training must stop) around the thresholds."""
    return [
        {"accuracy": train + 0.01, "val_accuracy": val + 0.05, "stop": True},
        {"accuracy": train, "val_accuracy": val, "stop": True},
        {"accuracy": 0.999, "val_accuracy": 0.999, "stop": True},
        {"accuracy": train + 0.01, "val_accuracy": val - 0.01, "stop": False},
        {"accuracy": train - 0.01, "val_accuracy": val + 0.05, "stop": False},
        {"accuracy": 0.5, "val_accuracy": 0.5, "stop": False},
    ]


def check_callback(ctx: Context, part: PartSpec, train: float, val: float) -> list[Verdict]:
    outcome = ctx.outcomes.get(NAME)
    problem = outcome_problem(NAME, outcome)
    if problem:
        return all_fail(part, problem)
    obs = outcome.observation
    if not obs["call"]["ok"]:
        return all_fail(part, describe_error(NAME, obs["call"]["error"]))
    subclass = part.test("subclass")
    if not obs["subclass"]:
        first = subclass.verdict(False, tr(
            "{name} does not subclass tf.keras.callbacks.Callback: write class {name}"
            "(tf.keras.callbacks.Callback), so model.fit can call it.", name=NAME))
    elif not obs["own_method"]:
        first = subclass.verdict(False, tr(
            "{name} does not define on_epoch_end(self, epoch, logs=None), so it never looks "
            "at the accuracies.", name=NAME))
    else:
        first = subclass.verdict(True, tr(
            "{name} subclasses tf.keras.callbacks.Callback and defines on_epoch_end.",
            name=NAME))
    verdicts: list[Verdict] = [first]
    expected = cases(train, val)
    stops = any(r.get("stopped") for r in obs["results"])
    for test, stop in ((part.test("stops"), True), (part.test("keeps_training"), False)):
        wrong = []
        for case, result in zip(expected, obs["results"], strict=True):
            if case["stop"] != stop:
                continue
            logs = tr("accuracy {train:.2f}, val_accuracy {val:.2f}", train=case["accuracy"],
                      val=case["val_accuracy"])
            if "error" in result:
                wrong.append(tr("at {logs} it raised: {error}", logs=logs, error=describe_error(
                    "on_epoch_end", result["error"], bare=True)))
            elif result["stopped"] != stop:
                wrong.append(tr("at {logs} it stopped", logs=logs) if result["stopped"]
                             else tr("at {logs} it did not stop", logs=logs))
        if not stop and not stops:  # never stopping is no credit for not stopping early
            verdicts.append(test.verdict(False, tr(
                "It never stopped training, even at accuracy 0.999 and val_accuracy 0.999, "
                "so whether it waits for both targets cannot be told.")))
            continue
        if not wrong:
            verdicts.append(test.verdict(True, tr(
                "Stops at accuracy >= {train} and val_accuracy >= {val}.", train=train,
                val=val) if stop else tr("Keeps training while either accuracy is short.")))
            continue
        verdicts.append(test.verdict(False, tr(
            "Training must stop when accuracy >= {train} and val_accuracy >= {val} (both), "
            "and only then: {wrong}. In on_epoch_end(self, epoch, logs=None), set "
            "self.model.stop_training = True when logs['accuracy'] >= {train} and "
            "logs['val_accuracy'] >= {val}.", train=train, val=val, wrong="; ".join(wrong))))
    return verdicts
