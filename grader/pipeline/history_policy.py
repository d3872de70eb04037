"""The history's evidence in a grading (issue 30): the notebook's saved training output read,
the history weighed against it (grader/pipeline/history_evidence.py), the file chosen among
several pickles, and the instructor's policy applied.

Measured on real learner pickles, most contradictions are innocent (a re-run after the pickle
was saved, last week's file beside this week's notebook), so by default (FLAG) the evidence is
reported and costs nothing; an instructor may make an unconfirmed history cost the history
part (REQUIRE_CORROBORATED) or only a contradicted one (REJECT_CONTRADICTED).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from grader.i18n import N_, tr
from grader.model.redact import redact
from grader.model.results import GradeResult, PartResult, TestResult
from grader.model.spec import HISTORY_PART, AssignmentSpec
from grader.pipeline.history import load_history
from grader.pipeline.history_evidence import (
    CONTRADICTED,
    CORROBORATED,
    Evidence,
    history_lists,
    training_runs,
    weigh,
)
from grader.pipeline.notebook import NotebookError, read_notebook

FLAG, REQUIRE_CORROBORATED, REJECT_CONTRADICTED = (
    "flag", "require-corroborated", "reject-contradicted")
POLICIES = (FLAG, REQUIRE_CORROBORATED, REJECT_CONTRADICTED)
DEFAULT_POLICY = FLAG
# The check a stricter policy puts first in the history part (0 points: failing it takes
# the part's points, each test then says why).
AGREES = N_("history agrees with the notebook's training output")
_ADVICE = {
    REQUIRE_CORROBORATED: N_(
        "Your instructor counts a history only when the notebook's saved training output "
        "confirms it: run the training cell, save the notebook with its output, and submit it "
        "together with the history that run saved."),
    REJECT_CONTRADICTED: N_(
        "Your instructor does not count a history that the notebook's saved training output "
        "contradicts: submit the history saved by the training run your notebook shows."),
}
MAX_CANDIDATES = 12  # .pkl files weighed when choosing (each read in a child, ~25 ms)
MAX_SHOWN = 8  # other .pkl names a note lists


def notebook_outputs(path: Path) -> list[tuple[int, str]]:
    """(cell index, text) of each code cell's stream outputs, one entry per stream (stdout,
    stderr), in notebook order; [] for a file that is no readable notebook (the grading
    says why; its history is then unverifiable)."""
    try:
        notebook = read_notebook(path)
    except (OSError, NotebookError):
        return []
    return [(cell.index, text) for cell in notebook.code_cells for text in cell.streams.values()]


def beside(notebook: Path) -> list[Path]:
    """The .pkl files beside the notebook, when it is the only notebook in its folder: in a
    folder shared by several (a flat batch, the bundled solutions) a pickle may be anyone's,
    so none is offered or named."""
    try:
        entries = sorted(notebook.parent.iterdir())
    except OSError:
        return []
    if any(p.suffix == ".ipynb" and p.name != notebook.name for p in entries):
        return []
    return [p for p in entries if p.suffix == ".pkl" and not p.name.startswith(".")
            and p.is_file() and not p.is_symlink()]


def evidence_for(notebook: Path, history: Path, loaded: tuple | None = None) -> Evidence:
    """`history` weighed against `notebook`'s training output; `loaded`: load_history's
    answer, when the caller has it."""
    data, error = loaded or load_history(history)
    runs = training_runs(notebook_outputs(notebook))
    return weigh(runs, None if error else data, history.name)


def choose_history(notebook: Path, candidates: list[Path], names: tuple[str, ...],
                   foreign: Iterable[str] = ()) -> Path | None:
    """Among the pickles found, by content first: one the notebook's training output
    corroborates, then a usable history (accuracy lists), then the assignment's names in
    `names`' order. A file under another name is taken only when it is a usable history,
    and under another assignment's name (`foreign`) only when corroborated."""
    foreign = set(foreign)
    runs = training_runs(notebook_outputs(notebook))
    ranked = []
    for path in candidates[:MAX_CANDIDATES]:
        data, error = load_history(path)
        usable = error is None and history_lists(data) is not None
        corroborated = usable and bool(runs) and (
            weigh(runs, data, path.name).status == CORROBORATED)
        own = path.name in names
        if not (own or (usable and (corroborated or path.name not in foreign))):
            continue
        rank = names.index(path.name) if own else len(names) + (path.name in foreign)
        ranked.append(((not corroborated, not usable, rank, path.name), path))
        if corroborated and own and rank == 0:
            break  # nothing ranks higher
    return min(ranked, key=lambda item: item[0])[1] if ranked else None


def known_policy(policy: str) -> str:
    if policy not in POLICIES:
        raise ValueError(f"unknown history policy {policy!r}: choose {', '.join(POLICIES)}")
    return policy


def policy_passes(status: str, policy: str) -> bool | None:
    """Whether the evidence satisfies `policy`; None under FLAG (it never costs points)."""
    if known_policy(policy) == FLAG:
        return None
    return status == CORROBORATED if policy == REQUIRE_CORROBORATED else status != CONTRADICTED


def _gate(part: PartResult, passed: bool, line: str, policy: str) -> None:
    """The policy's check first in the part; when it fails, every other check of the part
    that passed is not counted (one that failed keeps its own message)."""
    message = line if passed else f"{line} {tr(_ADVICE[policy])}"
    part.tests.insert(0, TestResult(tr(AGREES), passed, message, 0.0, 0.0, id=AGREES))
    if passed:
        return
    for test in part.tests[1:]:
        if test.passed:
            test.passed, test.points = False, 0.0
            test.message = tr("Not counted, because the history does not pass the first "
                              "check (its agreement with the notebook's training output).")


def weigh_history(result: GradeResult, spec: AssignmentSpec, notebook: Path,
                  history: Path | None, policy: str = DEFAULT_POLICY,
                  loaded: tuple | None = None) -> GradeResult:
    """A grading's last step (grader/pipeline/grade.py): the history part's evidence as data
    (`result.history_evidence`) and as one line (a note, or the message of the policy's
    first check where that fails), and which other pickles lay beside the notebook. Nothing
    without a history file: the part already asks for one. `loaded`: the history as judging
    read it (grader/pipeline/history.py `load_kept`), so it is not unpickled twice."""
    known_policy(policy)
    part = next((p for p in result.parts if p.name == HISTORY_PART), None)
    if spec.history is None or part is None or history is None or not history.is_file():
        return result
    chosen = history.resolve()
    evidence = evidence_for(notebook, history, loaded).with_others(
        p.name for p in beside(notebook) if p.resolve() != chosen)
    result.history_evidence = {**evidence.to_dict(), "policy": policy}
    line = redact(evidence.line())
    passes = policy_passes(evidence.status, policy)
    if passes is not None:
        _gate(part, passes, line, policy)
    if passes is not False:  # a failed policy check shows the line as its message
        part.notes.insert(0, line)
    if evidence.others:
        shown = list(evidence.others[:MAX_SHOWN]) + (
            ["..."] if len(evidence.others) > MAX_SHOWN else [])
        part.notes.append(redact(tr("Graded {file}; also beside the notebook: {others}.",
                                    file=evidence.file, others=", ".join(shown))))
    return result
