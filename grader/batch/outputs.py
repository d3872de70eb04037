"""Per-learner outputs: the contract JSON, the learner's feedback (as text, and written into
their notebook as a page), Gradescope and JUnit, all rendered from one GradeResult (rebuilt
from the worker's JSON) and written atomically."""

from __future__ import annotations

import json
from pathlib import Path

from grader.model.files import atomic_write
from grader.model.memo import Memo
from grader.model.results import GradeResult
from grader.reporters.feedback import render_feedback_html
from grader.reporters.gradescope import render_gradescope
from grader.reporters.json_report import render_json
from grader.reporters.junit import render_junit
from grader.reporters.learner import render_learner

RESULT = "result.json"
# result.json last: its presence (with the journal record) marks a complete set.
RENDERINGS = (("feedback.txt", render_learner), ("results.json", render_gradescope),
              ("junit.xml", render_junit), (RESULT, render_json))


FEEDBACK_PAGE = "feedback.html"
RENDERINGS_MEMO = ".renderings.json"  # the page's costly parts, for a rescore (model/memo.py)


def write_outputs(folder: Path, result: GradeResult, notebook: Path | None) -> None:
    """Every rendering, the learner's notebook with its feedback among them, result.json
    last."""
    memo = Memo.load(folder / RENDERINGS_MEMO)
    atomic_write(folder / FEEDBACK_PAGE, render_feedback_html(result, notebook, memo))
    memo.save()
    for name, render in RENDERINGS:
        atomic_write(folder / name, render(result, color=False))


def read_result(folder: Path) -> GradeResult | None:
    """The learner's graded result, or None when it is missing or unreadable."""
    try:
        return GradeResult.from_dict(json.loads((folder / RESULT).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
