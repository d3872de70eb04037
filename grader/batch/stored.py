"""What a batch keeps for `grader rescore` beside the per-learner outputs: each learner's
observations (RESULTS/<learner>/observations.json) and the batch's own settings
(RESULTS/batch.json: where the submissions are and how they were graded).

Both are written by the grader's processes only, in a folder hidden from learner code, and
both are still read defensively (size caps, a schema): a results folder is a file anyone
can edit, and a bad one costs a regrade, never a wrong grade.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.api import Rescored, rescore
from grader.batch.journal import submission_digest
from grader.batch.layout import Entry
from grader.batch.outputs import read_result, write_outputs
from grader.batch.rows import GRADED, LearnerRow
from grader.model.files import atomic_write
from grader.model.observations import MAX_BYTES, ObservationError, Observations
from grader.model.results import GradeResult

OBSERVATIONS = "observations.json"
OBSERVATIONS_SUFFIX = ".observations"  # beside a worker's staged result
SETTINGS = "batch.json"
SETTINGS_KEYS = {"submissions": str, "assignment": str, "keras": str, "lang": str,
                 "history_policy": str, "gradebook": str, "roster": (str, type(None)),
                 "gradebook_column": (str, type(None))}


def observations_from(text: object) -> Observations | None:
    """A record sent back by a worker (JSON text), or None when it is not a valid one."""
    if not isinstance(text, str | bytes):
        return None
    try:
        return Observations.from_json(text)
    except ObservationError:
        return None


def read_observations(path: Path) -> Observations | None:
    """The record at `path`, or None when it is missing, too large or malformed."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        return observations_from(path.read_bytes())
    except OSError:
        return None


def keep_observations(folder: Path, observed: Observations | None) -> None:
    """Store the record a learner's result was judged from; without one, drop any older
    record, which no longer matches the result beside it."""
    if observed is None:
        (folder / OBSERVATIONS).unlink(missing_ok=True)
    else:
        atomic_write(folder / OBSERVATIONS, observed.to_json())


def write_settings(out: Path, settings: dict) -> None:
    atomic_write(out / SETTINGS, json.dumps(settings, indent=2, sort_keys=True) + "\n")


def read_settings(out: Path) -> dict:
    """The batch's settings, checked against SETTINGS_KEYS; ValueError says what is wrong."""
    path = out / SETTINGS
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.stat().st_size < 2**20 \
            else None
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} is missing or unreadable ({exc.__class__.__name__}): was "
                         "this folder written by `grader batch`?") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a JSON object")
    for key, kind in SETTINGS_KEYS.items():
        if not isinstance(data.get(key), kind):
            raise ValueError(f"{path}: {key!r} is missing or of the wrong type")
    return {key: data[key] for key in SETTINGS_KEYS}


def settings_of(submissions: Path, options) -> dict:
    """What `grader rescore` needs to know of the batch (its BatchOptions) that wrote a
    results folder."""
    return {"submissions": str(submissions.resolve()), "assignment": options.assignment,
            "keras": options.keras, "lang": options.lang,
            "history_policy": options.history_policy, "gradebook": options.gradebook,
            "roster": str(options.roster.resolve()) if options.roster else None,
            "gradebook_column": options.gradebook_column}


def attempt(batch, entry: Entry) -> Rescored:
    """The learner's stored result judged again (nothing written), or why it cannot be;
    `batch` is grader/batch/run.py's Batch."""
    folder = batch.out / entry.learner
    stored = read_result(folder)
    observed = read_observations(folder / OBSERVATIONS)
    if stored is None or observed is None:
        return Rescored(stored, reason="no stored observations (graded before rescoring "
                                       "existed, or could not be graded)")
    return rescore(batch.spec, observed, stored, entry.notebook, entry.history,
                   batch.options.history_policy, batch.options.lang)


def rescored_row(batch, entry: Entry, done: Rescored) -> tuple[LearnerRow, str]:
    """A rescored learner's row, and its journal digest: none for one with a part left as
    graded, so the next `grader batch` grades it in full."""
    # Through the JSON model, as a worker's result comes back, so the files match a grading's.
    row = LearnerRow(entry, GRADED, GradeResult.from_dict(done.result.to_dict()))
    digest = "" if done.needs_regrade else submission_digest(
        entry, batch.spec.code, batch.options.keras, batch.options.lang,
        batch.options.history_policy)
    return row, digest


def keep(batch, entry: Entry, done: Rescored) -> LearnerRow:
    """Record a rescored learner: its files (when its result changed), then the journal."""
    row, digest = rescored_row(batch, entry, done)
    if not done.unchanged:
        write_outputs(batch.out / entry.learner, row.result, entry.notebook)
    batch.record(row, digest, done.result.duration_s, written=True)
    return row
