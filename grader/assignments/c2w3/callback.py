"""C2W3's myCallback: provided by the course, checked (a learner may break it) but worth no
points. Judged on behaviour: fresh instances at accuracy 0.999 (go on) and 0.9995 (stop), the
week's `stop_above` and a value above it (`accuracies`, handed to the probe)."""

from __future__ import annotations

from grader.assignments.common.feedback import call_problem
from grader.i18n import tr
from grader.model.spec import Context, PartSpec, Test, Verdict, all_fail

CALLBACK_TESTS = (  # filled with the week's stop_above (`callback_tests`)
    Test("goes_on", "keeps training while accuracy <= {above}"),
    Test("stops", "stops training once accuracy > {above}"),
)


def callback_tests(stop_above: float) -> tuple[Test, ...]:
    return tuple(t.worth(0, above=stop_above) for t in CALLBACK_TESTS)


def accuracies(stop_above: float) -> dict[str, float]:
    """The logs myCallback is given: at its threshold (go on) and halfway above it (stop)."""
    return {"below": stop_above, "above": round(stop_above + (1 - stop_above) / 2, 6)}


def check_callback(ctx: Context, part: PartSpec) -> list[Verdict]:
    problem = call_problem(ctx, "myCallback", "myCallback")
    if problem:
        return all_fail(part, problem)
    stops = ctx.outcomes["myCallback"].observation.get("stops", {})
    return [
        part.test("goes_on").verdict(stops.get("below") is False, (
            tr("Training goes on at accuracy 0.999.") if stops.get("below") is False else
            tr("myCallback stopped training at accuracy 0.999; it should stop only above it."))),
        part.test("stops").verdict(stops.get("above") is True, (
            tr("Training stops at accuracy 0.9995.") if stops.get("above") is True else
            tr("myCallback did not stop training at accuracy 0.9995: set "
               "self.model.stop_training = True when logs['accuracy'] > 0.999."))),
    ]
