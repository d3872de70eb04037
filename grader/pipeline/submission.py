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
from grader.pipeline.history_policy import DEFAULT_POLICY, beside, choose_history


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


def _foreign_names(spec: AssignmentSpec) -> set[str]:
    """Other assignments' history file names (last week's `history_augmented.pkl` in a
    week-1 folder): taken only when the notebook's training output corroborates them."""
    specs = (get_spec(code) for code in codes())
    return {s.history.file_name for s in specs if s.history} - set(history_names(spec))


def find_history(notebook: Path, spec: AssignmentSpec, folder: Path | None = None) -> Path | None:
    """Candidates: each accepted name beside the notebook, else, when the submission is a
    folder of its own, anywhere in it; and, when the notebook is alone in its folder, every
    other .pkl beside it (`history (1).pkl`, `C2W1history.pkl`). One file under an accepted
    name is taken as it is; between several, the content decides (choose_history: the one
    the notebook's training output corroborates first). None when there is none."""
    names = history_names(spec)
    own: list[Path] = []
    for name in names:
        if (notebook.parent / name).is_file():
            own.append(notebook.parent / name)
            continue
        found = sorted(p for p in folder.rglob(name)
                       if p.is_file() and not _hidden(p, folder)) if folder else []
        own += found[:1]
    others = [p for p in beside(notebook) if p.name not in names]
    if len(own) == 1 and not others:
        return own[0]
    if not own and not others:
        return None
    return choose_history(notebook, own + others, names, _foreign_names(spec))


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
            # Not a notebook at all: no --assignment could grade it (issue 31, item 4).
            raise CannotGrade(f"{notebook}: cannot be graded: {exc}") from None
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


def policy_options(history_policy: str) -> dict:
    """Options' keyword for the history policy (grader/pipeline/history_policy.py); none for
    the default, which Options already holds."""
    return {} if history_policy == DEFAULT_POLICY else {"history_policy": history_policy}


def grade_submission(submission: Submission, keras: str | None = None, limits: Limits | None = None,
                     use_gpu: bool = False, history_policy: str = DEFAULT_POLICY) -> GradeResult:
    from grader.pipeline.grade import Options, grade

    result = grade(submission.spec, submission.notebook, submission.history,
                   Options(keras=keras, limits=limits or Limits(), use_gpu=use_gpu,
                           **policy_options(history_policy)))
    if submission.detected:
        result.notes.insert(0, submission.detected)
    return result
