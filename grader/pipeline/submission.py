"""Resolve what to grade (assignment, history file) for a notebook path, then grade it.

`grader check`, the CI action and the Gradescope runner share this, so each front end
detects the assignment and finds the history the same way `grader grade` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.assignments import UnknownAssignment, get_spec
from grader.model.protocol import Limits
from grader.model.results import GradeResult
from grader.model.spec import AssignmentSpec


class CannotGrade(Exception):
    """The notebook cannot be graded at all (exit status 2); the message says why."""


@dataclass(frozen=True)
class Submission:
    notebook: Path
    spec: AssignmentSpec
    history: Path | None
    detected: str | None = None  # how the assignment was told, when it was not given


def resolve(notebook: Path, assignment: str | None = None,
            history: Path | None = None) -> Submission:
    """Check the files exist, detect the assignment if needed, default the history."""
    from grader.pipeline.detect import detect
    from grader.pipeline.notebook import NotebookError, read_notebook

    if not notebook.is_file():
        raise CannotGrade(f"{notebook}: no such file")
    detected = None
    if assignment is None:
        try:
            assignment, reason = detect(read_notebook(notebook))
        except NotebookError as exc:
            raise CannotGrade(f"{notebook}: cannot tell which assignment this is ({exc}); "
                              "pass --assignment to grade it anyway") from None
        if assignment is None:
            raise CannotGrade(f"{notebook}: {reason}; pass --assignment C2W1|C2W2|C2W3|C2W4")
        detected = f"Graded as {assignment}, detected because {reason}."
    try:
        spec = get_spec(assignment)
    except UnknownAssignment as exc:
        raise CannotGrade(str(exc)) from None
    if history is not None and not history.is_file():
        raise CannotGrade(f"{history}: no such history file")
    if history is None and spec.history is not None:
        history = notebook.parent / spec.history.file_name
    return Submission(notebook, spec, history, detected)


def grade_submission(submission: Submission, keras: str = "2", limits: Limits | None = None,
                     use_gpu: bool = False) -> GradeResult:
    from grader.pipeline.grade import Options, grade

    result = grade(submission.spec, submission.notebook, submission.history,
                   Options(keras=keras, limits=limits or Limits(), use_gpu=use_gpu))
    if submission.detected:
        result.notes.insert(0, submission.detected)
    return result
