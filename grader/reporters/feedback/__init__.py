"""`grader feedback`: the learner's own notebook with the grade written into it, as an HTML
page (`render_feedback_html`) or a notebook (`render_feedback_notebook`).

Both read the notebook again (the grade does not keep it), trim and mark it with one
preprocessor, then render. A notebook that cannot be read still gets a page: the summary,
every part's feedback and why the cells cannot be shown.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from grader.i18n import in_its_language, tr
from grader.model.memo import Memo
from grader.model.results import GradeResult
from grader.pipeline.notebook import NotebookError, read_notebook
from grader.reporters.feedback.cells import render_notebook
from grader.reporters.feedback.page import render_page
from grader.reporters.feedback.prepare import Marks, TrimAndMark, marks_for

FORMATS = (".html", ".ipynb")


class FeedbackError(Exception):
    """The notebook cannot be rendered as a notebook (the .ipynb output); says why."""


def _prepared(result: GradeResult, path: Path) -> tuple[object | None, Marks, str | None]:
    """The trimmed, marked notebook, its marks, and why it cannot be shown (or None)."""
    try:
        read_notebook(path)  # the grader's own checks and messages for unreadable files
        nb = nbformat.read(path, as_version=4)
    except NotebookError as exc:
        return None, Marks(), str(exc)
    except Exception as exc:  # nbformat raises many types for malformed notebooks
        return None, Marks(), tr("it could not be read ({error})", error=type(exc).__name__)
    sources = [str(c.get("source", "")) for c in nb.cells]
    marks = marks_for(result, sources)
    nb, _ = TrimAndMark(marks).preprocess(nb, {})
    return nb, marks, None


@in_its_language
def render_feedback_html(result: GradeResult, notebook: Path | None,
                         memo: Memo | None = None) -> str:
    """The page; `notebook` None when there was none to grade. Whatever the notebook holds,
    there is a page: one its cells cannot be rendered into shows the feedback alone. `memo`
    (a batch's, grader/model/memo.py) keeps its costly renderings for the next time."""
    if notebook is None:
        return render_page(result, None, Marks(), tr("no notebook was submitted"), memo)
    try:
        nb, marks, problem = _prepared(result, notebook)
        return render_page(result, nb, marks, problem, memo)
    except Exception as exc:  # a notebook no renderer expected: the feedback still shows
        return render_page(result, None, Marks(), tr("its cells could not be rendered ({error})",
                                                     error=type(exc).__name__), memo)


@in_its_language
def render_feedback_notebook(result: GradeResult, notebook: Path) -> str:
    nb, marks, problem = _prepared(result, notebook)
    if nb is None:
        raise FeedbackError(tr("{notebook}: cannot write feedback into it: {problem}",
                               notebook=notebook, problem=problem))
    return render_notebook(result, nb, marks)
