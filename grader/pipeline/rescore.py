"""A stored grading judged again under the current rubric, without running a notebook.

A batch keeps each learner's `Observations` (grader/model/observations.py) beside the
result. After an instructor changes the rubric (points, a threshold, a check's wording or
rule), `rescore` runs the checks again on that record, the facts the checks read from disk
included, and the result is what a full regrade under the same rubric would give (tested).
It never runs learner code. What it cannot vouch for it leaves as it was and says so:
- a part whose observing code changed since (its probes, the sandbox, the observers of its
  facts: grader/pipeline/provenance.py), or whose check asks for a fact the record lacks,
  keeps its stored result and is listed in `needs_regrade`;
- a learner whose notebook or history changed since, whose record is of another assignment
  or Keras, or whose assignment's prepare() now lays out other data, is not rescored at all.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.i18n import current, language, say
from grader.model.observations import Observations
from grader.model.redact import redact
from grader.model.results import GradeResult
from grader.model.spec import AssignmentSpec
from grader.pipeline.history import kept_history
from grader.pipeline.history_policy import weigh_history
from grader.pipeline.judge import judge, zero_result
from grader.pipeline.provenance import (
    input_digests,
    module_digest,
    part_digests,
    prepared_digest,
)


@dataclass
class Rescored:
    """`result` is the new result, or the stored one when `reason` says why the learner
    could not be rescored (and needs a regrade)."""

    result: GradeResult
    needs_regrade: list[str] = field(default_factory=list)  # parts left as graded
    reason: str = ""
    unchanged: bool = False  # the same result as stored: its files need no rewriting

    @property
    def rescored(self) -> bool:
        return not self.reason


def current_prepared_digest(spec: AssignmentSpec) -> str:
    """What the assignment's prepare() lays out now (once per process and assignment)."""
    return _prepared_now(spec.code, spec.prepare)


@functools.cache
def _prepared_now(code: str, prepare) -> str:
    workdir = Path(tempfile.mkdtemp(prefix=f"grader-rescore-{code.lower()}-"))
    try:
        prepared, args = prepare(workdir)
        return prepared_digest(prepared, args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def stale_parts(spec: AssignmentSpec, obs: Observations) -> list[str]:
    """The graded parts whose observations the current code would not produce alike."""
    now = part_digests(spec)
    graded = [p.name for p in spec.parts if not p.is_history]
    if obs.prepared_digest != current_prepared_digest(spec):
        return graded
    stale = [name for name in graded if obs.digests.get(name) != now[name]]
    for name in graded:
        modules = {key.split(":", 1)[0] for key in obs.facts.get(name, {})}
        if any(obs.fact_digests.get(m) != module_digest(m) for m in modules):
            stale.append(name)
    return list(dict.fromkeys(stale))


def why_not(spec: AssignmentSpec, obs: Observations, keras: str, notebook: Path | None,
            history: Path | None) -> str:
    """Why this record cannot be judged again for this submission; "" when it can."""
    if obs.assignment != spec.code or obs.keras != keras:
        return f"the record is of {obs.assignment} with Keras {obs.keras}"
    if notebook is None or obs.inputs != input_digests(notebook, history):
        return "the notebook or history changed since it was graded"
    return ""


def rescore(spec: AssignmentSpec, obs: Observations, stored: GradeResult,
            notebook: Path | None, history: Path | None, history_policy: str,
            lang: str | None = None) -> Rescored:
    """`stored` judged again from `obs` under the current `spec` (see the module's doc)."""
    with language(lang):
        reason = why_not(spec, obs, stored.keras, notebook, history)
        if reason:
            return Rescored(stored, reason=reason)
        if obs.unreadable is not None:
            result = zero_result(spec, obs.unreadable, obs.keras, notebook)
            result.notebook = stored.notebook
        else:
            stale = stale_parts(spec, obs)
            judged = obs.copy()
            parts, notes, curves = judge(spec, judged, history, replay=True,
                                         skip=frozenset(stale))
            obs = judged  # with the history as judging read it
            kept = {p.name: p for p in stored.parts}
            for index, part in enumerate(spec.parts):
                if parts[index] is None:
                    if part.name not in kept:
                        return Rescored(stored, reason=f"{part.name} is new in the rubric")
                    parts[index] = kept[part.name]
                    stale.append(part.name)
            result = GradeResult(
                spec.code, parts, spec.pass_mark, obs.keras, notebook=stored.notebook,
                notes=[redact(n) for n in notes], curves=curves, clean_cache=stored.clean_cache,
                language=current(), fault=redact(say(obs.fault)) if obs.fault else None,
                needs_regrade=list(dict.fromkeys(stale)))
        result.duration_s, result.environment = stored.duration_s, dict(stored.environment)
        result = weigh_history(result, spec, notebook, history, history_policy,
                               kept_history(obs))
        return Rescored(result, result.needs_regrade,
                        unchanged=result.to_dict() == stored.to_dict())
