"""TOY1: the smallest assignment, declared the way README's "Adding an assignment" says.
One graded function `add(a, b)`; the probe calls it in the child, the check judges in the
parent. tests/test_toy_assignment.py registers it and grades notebooks end to end."""

from __future__ import annotations

from pathlib import Path

from grader.assignments.common.feedback import call_problem
from grader.model.observed import Called
from grader.model.spec import (
    AssignmentSpec,
    Checks,
    Context,
    PartSpec,
    Test,
    Verdict,
    all_fail,
    part,
)

TESTS = (  # the part's checks in report order, each with its points
    Test("adds", "adds two numbers", points=75),
    Test("int_for_ints", "returns an int for ints", points=25),
)


class Added(Called, total=False):
    """What the probe reports: declared, so the parent keeps only these fields."""

    value: int | float | str
    type: str


def probe_add(ns: dict, args: dict) -> Added:
    from grader.sandbox.probe_tools import call_learner

    call = call_learner(ns, "add", *args["operands"])
    obs: Added = {"call": call.summary()}
    if call.ok:
        obs["value"] = call.value if isinstance(call.value, int | float) else repr(call.value)
        obs["type"] = type(call.value).__name__
    return obs


def prepare(workdir: Path) -> tuple[dict, dict[str, dict]]:
    return {}, {"add": {"operands": [2, 3]}}


PROBES = {"add": probe_add}  # the module the child imports holds its probes

CHECKS = Checks()


@CHECKS.part("add")
def check_add(ctx: Context, part: PartSpec) -> list[Verdict]:
    problem = call_problem(ctx, "add", "add")
    if problem:
        return all_fail(part, problem)
    obs = ctx.outcomes["add"].observation
    right = obs["value"] == 5
    return [part.test("adds").verdict(right, "add(2, 3) is 5." if right else
                                      f"Expected add(2, 3) to be 5; found {obs['value']!r}."),
            part.test("int_for_ints").verdict(obs["type"] == "int",
                                              f"add(2, 3) returned a {obs['type']}.")]


SPEC = AssignmentSpec(
    code="TOY1",
    title="Toy: add two numbers",
    functions=("add",),
    parts=(part("add", TESTS, probes=("add",)),),
    pass_mark=75.0,
    history=None,
    probe_timeouts={"add": 30},
    prepare=prepare,
    checks=CHECKS,
    probes=PROBES,
    module=__name__,
)
