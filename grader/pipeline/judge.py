"""Observations -> verdicts: the checks run on a grading's `Observations` alone.

`grade()` (grader/pipeline/grade.py) observes, then calls `judge` while the work directory
still exists, so the facts the checks read from disk are recorded; `rescore`
(grader/pipeline/rescore.py) calls it again on the stored record with `replay=True`. Both
judge a JSON copy of the record, so a rescore under the same rubric gives the same verdicts.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from grader.assignments.common.feedback import describe_error
from grader.i18n import current, say, tr
from grader.model.observations import Observations, StaleObservation
from grader.model.redact import redact
from grader.model.results import GradeResult, PartResult, TestResult
from grader.model.spec import AssignmentSpec, Context, PartSpec, Verdict, all_fail
from grader.pipeline.extract import Extraction, FoundFunction
from grader.pipeline.history import check_history, curves_of, load_kept
from grader.sandbox.course_env import environment


def part_result(part: PartSpec, verdicts: list[Verdict]) -> PartResult:
    by_name = {name: (passed, message) for name, passed, message in verdicts}
    tests = []
    for test in part.tests:
        name, points = test.name, test.points
        passed, message = by_name.get(name, (False, tr("This check produced no verdict.")))
        tests.append(TestResult(tr(name), bool(passed), redact(message),
                                points if passed else 0.0, points, id=name))
    return PartResult(part.name, tests)


def zero_result(spec: AssignmentSpec, message: dict | str, keras: str,
                notebook: Path | None) -> GradeResult:
    """Every check failed for one reason (a said() message, shown in the current language):
    a submission that could not be graded at all."""
    message = say(message)
    parts = [part_result(p, all_fail(p, message)) for p in spec.parts]
    return GradeResult(spec.code, parts, spec.pass_mark, keras, notebook=str(notebook or ""),
                       notes=[redact(message)], environment=environment(keras),
                       language=current())


def extraction_record(extraction: Extraction) -> dict:
    """What the checks and the report need of an extraction (not the learner's source)."""
    return {"functions": {name: asdict(found) for name, found in extraction.functions.items()},
            "missing": dict(extraction.missing), "notes": dict(extraction.notes),
            "general_notes": list(extraction.general_notes)}


def extraction_of(record: dict) -> Extraction:
    return Extraction(
        functions={str(name): FoundFunction(**found)
                   for name, found in (record.get("functions") or {}).items()},
        missing=dict(record.get("missing") or {}), notes=dict(record.get("notes") or {}),
        general_notes=list(record.get("general_notes") or []))


def _judged(part: PartSpec, check) -> list[Verdict]:
    """A part's verdicts; a check that cannot read what the learner's process reported (a
    field missing or of the wrong type: that process is the learner's, so its report may be
    anything) fails that part's checks with a message, never the grading."""
    try:
        return check()
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:200]
        return all_fail(part, tr(
            "The grader could not judge this: what your code's process reported was "
            "incomplete or malformed ({error}), as happens when code writes to the grader's "
            "report channel.", error=error))


def judge(spec: AssignmentSpec, obs: Observations, history_path: Path | None,
          replay: bool = False, skip: frozenset[str] = frozenset(),
          ) -> tuple[list[PartResult | None], list[str], dict | None]:
    """Each part's result (None for a part in `skip`, or whose record lacks what its check
    asked for: only when `replay`), the grading's notes (the grader's fault first) and the
    history's curves. Facts read while judging land in `obs.facts`."""
    extraction = extraction_of(obs.extraction)
    ctx = Context(Path(obs.workdir), obs.prepared, obs.outcomes, extraction, spec,
                  replay=replay)
    parts: list[PartResult | None] = []
    curves = None
    for part in spec.parts:
        ctx.facts = obs.facts.setdefault(part.name, {})
        if part.name in skip:
            parts.append(None)
            continue
        if part.is_history:
            loaded, obs.history = load_kept(obs.history, history_path, replay)
            if loaded is not None:
                curves = curves_of(history_path, *loaded)
                if "accuracy" in curves:  # the lines its plots draw (issue 31, item 6)
                    curves["targets"] = [spec.history.min_train_accuracy,
                                         spec.history.min_val_accuracy]
            verdicts = check_history(part, spec.history, history_path, loaded)
        elif part.name in extraction.missing:
            verdicts = all_fail(part, tr("Not graded: {reason}.",
                                         reason=say(extraction.missing[part.name])))
        else:
            try:
                verdicts = _judged(part, lambda p=part: spec.checks.by_part[p.name](ctx, p))
            except StaleObservation:
                if not replay:
                    raise
                parts.append(None)
                continue
        result = part_result(part, verdicts)
        found = extraction.functions.get(part.name)
        if found:
            result.source_rule = tr("{rule}, cell {cell}", rule=tr(found.rule), cell=found.cell + 1)
            result.cell = found.cell
        result.notes.extend(say(n) for n in extraction.notes.get(part.name, []))
        for problem in obs.load_problems:
            if problem.get("name") == part.name:
                result.notes.append(tr("Defining it failed: {error}.",
                                       error=describe_error(part.name, problem)))
        result.notes = [redact(n) for n in result.notes]
        parts.append(result)
    notes = [say(n) for n in [*([obs.fault] if obs.fault else []), *extraction.general_notes]]
    for problem in obs.load_problems:
        if problem.get("snippet") == "import":
            notes.append(tr("An import in your notebook failed and was skipped: {error}.",
                            error=describe_error("import", problem, bare=True)))
        else:
            notes.append(tr("Defining {function} failed: {error}.", function=problem.get("name"),
                            error=describe_error(problem.get("name"), problem)))
    if obs.output_truncated:
        notes.append(tr("Your code printed more than the grader keeps; the rest was dropped."))
    return parts, notes, curves
