"""Gradescope autograder `results.json`: one test per check, feedback in `output`."""

from __future__ import annotations

import json

from grader.i18n import in_its_language, tr
from grader.model.results import GradeResult


@in_its_language
def render_gradescope(result: GradeResult, color: bool = False) -> str:
    tests = []
    for part in result.parts:
        for test in part.tests:
            tests.append({
                "name": f"{part.name}: {test.name}",
                "score": test.points,
                "max_score": test.max_points,
                "status": "passed" if test.passed else "failed",
                "output": test.message + "".join("\n" + tr("Note: {note}", note=n)
                                                 for n in part.notes),
                "visibility": "visible",
            })
    payload = {
        "score": result.score,
        "execution_time": round(result.duration_s, 2),
        "output": (tr("{assignment}: {score:g}/{max_score:g} (graded with {how})",
                      assignment=result.assignment, score=result.score,
                      max_score=result.max_score, how=result.graded_with())
                   + "".join(f"\n{n}" for n in result.notes)),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    return json.dumps(payload, indent=2) + "\n"
