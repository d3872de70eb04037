"""A graded class judged again under the current rubric: `grader rescore RESULTS` and
`grader batch --rescore`.

Each learner's stored observations (grader/batch/stored.py) are judged by the current
checks (grader/pipeline/rescore.py); the outputs, journal, gradebooks and report are written
again as a batch writes them. No notebook runs: `grader rescore` leaves what it cannot
vouch for as it was and lists it (a part whose observing code changed, a learner whose files
changed or who has no record), while `batch --rescore` grades those in full instead.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from grader.api import Rescored, get_spec
from grader.batch.layout import discover
from grader.batch.outputs import read_result, write_outputs
from grader.batch.platforms import Matched, read_roster
from grader.batch.rows import GRADED, LearnerRow
from grader.batch.run import Batch, BatchOptions
from grader.batch.stored import attempt, read_settings, rescored_row
from grader.i18n import language
from grader.model.results import GradeResult


@dataclass
class RescoreSummary:
    rows: list[LearnerRow] = field(default_factory=list)  # every learner with a result
    rescored: int = 0  # judged again, every part
    partly: dict[str, list[str]] = field(default_factory=dict)  # learner -> parts kept
    kept: dict[str, str] = field(default_factory=dict)  # learner -> why it was not rescored
    seconds: float = 0.0
    platform: Matched | None = None


def _write(job: tuple[Path, GradeResult, Path | None]) -> None:
    write_outputs(*job)


def write_all(jobs: list[tuple[Path, GradeResult, Path | None]]) -> None:
    """Every rescored learner's files, rendered on every core: a feedback page (the
    notebook through nbconvert, the history's plots) costs most of a rescore."""
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for job in jobs:
            _write(job)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_write, jobs, chunksize=max(1, len(jobs) // (4 * workers)))


def rescore_results(out: Path, stream: TextIO | None = None) -> RescoreSummary:
    """`grader rescore RESULTS`. Raises ValueError (no batch settings), LayoutError (the
    submissions folder is gone) or RosterError."""
    settings = read_settings(out)
    options = BatchOptions(settings["assignment"], keras=settings["keras"],
                           lang=settings["lang"], history_policy=settings["history_policy"],
                           gradebook=settings["gradebook"],
                           roster=Path(settings["roster"]) if settings["roster"] else None,
                           gradebook_column=settings["gradebook_column"])
    with language(options.lang):
        return _rescore_results(out, Path(settings["submissions"]), options,
                                stream or sys.stderr)


def _rescore_results(out: Path, submissions: Path, options: BatchOptions,
                     stream: TextIO) -> RescoreSummary:
    started = time.monotonic()
    spec = get_spec(options.assignment)
    roster = read_roster(options.roster, options.gradebook) if options.roster else None
    _layout, entries = discover(submissions, spec, exclude=out)
    batch = Batch(out, spec, options, stream, submissions)
    records = batch.journal.latest()
    summary = RescoreSummary()
    todo: list[tuple[LearnerRow, str, Rescored]] = []
    for entry in entries:
        if entry.notebook is None:  # nothing was run: the new rubric's zero, at once
            summary.rows.append(batch.missing(entry))
            continue
        record = records.get(entry.learner)
        done = attempt(batch, entry) if record and record.status == GRADED else Rescored(
            read_result(out / entry.learner),
            reason="not graded yet" if record is None else "it could not be graded")
        if done.rescored:
            row, digest = rescored_row(batch, entry, done)
            summary.rows.append(row)
            todo.append((row, digest, done))
            summary.rescored += not done.needs_regrade
            if done.needs_regrade:
                summary.partly[entry.learner] = done.needs_regrade
            continue
        summary.kept[entry.learner] = done.reason
        if done.result is not None and record is not None:
            summary.rows.append(LearnerRow(entry, record.status, done.result, record.reason))
    write_all([(out / row.learner, row.result, row.entry.notebook)
               for row, _, done in todo if not done.unchanged])
    for row, digest, done in todo:  # each journal line after its learner's files
        batch.record(row, digest, done.result.duration_s, written=True)
    summary.platform = batch.aggregate(summary.rows, roster)
    summary.seconds = time.monotonic() - started
    return summary
