"""Resolve what to grade (assignment, notebook, history file), then grade it.

Every front end (`grader grade`/`check`, the CI action, the Gradescope runner, the batch)
finds notebooks and history files with these functions, so a learner's files are found the
same way wherever they are graded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.assignments import UnknownAssignment, codes, get_spec
from grader.i18n import tr
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
    detected: str | None = None  # how the assignment was told (in the current language)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith((".", "__MACOSX")) for part in path.relative_to(root).parts)


def find_notebook(folder: Path, code: str) -> Path | None:
    """In an uploaded folder: the assignment's own file name first, then any name mentioning
    the code, then any notebook (hidden folders and macOS archive debris skipped)."""
    found = sorted(p for p in folder.rglob("*.ipynb") if not _hidden(p, folder))
    preferred = f"{code}_Assignment.ipynb".lower()
    code_names = (code.lower(), code.lower().replace("w", "_w"))
    for rank in (lambda p: p.name.lower() == preferred,
                 lambda p: any(c in p.name.lower() for c in code_names),
                 lambda p: True):
        for path in found:
            if rank(path):
                return path
    return None


def history_names(spec: AssignmentSpec) -> tuple[str, ...]:
    """The assignment's history file, then plain `history.pkl` (C2W2 learners often keep it)."""
    if spec.history is None:
        return ()
    return tuple(dict.fromkeys((spec.history.file_name, "history.pkl")))


def find_history(notebook: Path, spec: AssignmentSpec, folder: Path | None = None) -> Path | None:
    """For each accepted name in turn: beside the notebook, else, when the submission is a
    folder of its own, anywhere in it. None when there is none."""
    for name in history_names(spec):
        if (notebook.parent / name).is_file():
            return notebook.parent / name
        found = sorted(p for p in folder.rglob(name)
                       if p.is_file() and not _hidden(p, folder)) if folder else []
        if found:
            return found[0]
    return None


def resolve(notebook: Path, assignment: str | None = None,
            history: Path | None = None, folder: Path | None = None,
            keras: str | None = None) -> Submission:
    """Check the environment can grade with `keras` and the files exist, detect the
    assignment if needed, find the history. `folder`: the learner's own upload folder,
    searched for a history not beside the notebook. `keras` None: the assignment's own."""
    from grader.pipeline.detect import detect
    from grader.pipeline.notebook import NotebookError, read_notebook
    from grader.sandbox.course_env import missing

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
            raise CannotGrade(f"{notebook}: {reason}; pass --assignment {'|'.join(codes())}")
        detected = tr("Graded as {code}, detected because {reason}.", code=assignment,
                      reason=reason)
    try:
        spec = get_spec(assignment)
    except UnknownAssignment as exc:
        raise CannotGrade(str(exc)) from None
    unable = missing(keras or spec.keras)
    if unable:
        raise CannotGrade(f"cannot grade here: {unable}")
    if history is not None and not history.is_file():
        raise CannotGrade(f"{history}: no such history file")
    if history is None and spec.history is not None:
        # A missing file is graded as missing: the history part says what to save where.
        history = (find_history(notebook, spec, folder)
                   or notebook.parent / spec.history.file_name)
    return Submission(notebook, spec, history, detected)


def grade_submission(submission: Submission, keras: str | None = None, limits: Limits | None = None,
                     use_gpu: bool = False) -> GradeResult:
    from grader.pipeline.grade import Options, grade

    result = grade(submission.spec, submission.notebook, submission.history,
                   Options(keras=keras, limits=limits or Limits(), use_gpu=use_gpu))
    if submission.detected:
        result.notes.insert(0, submission.detected)
    return result
