"""Grade every submission of a batch folder: parallel worker processes, a journal to resume
from, per-learner outputs, then the gradebook, similarity list and HTML report.

Each worker slot runs a serving `python -m grader.batch.worker` process, in a session of its
own (a terminal's Ctrl-C reaches only this process, which then stops the workers itself),
that grades one submission at a time, each with its own learner child. A worker that crashes,
or outlives the watchdog, gives that learner 0 and the reason and is replaced; nothing it did
reaches another learner's result.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from grader.api import DEFAULT_HISTORY_POLICY, get_spec, zero_result
from grader.batch.gradebook import write_gradebook
from grader.batch.journal import Journal, Record, now_iso, submission_digest
from grader.batch.layout import Entry, discover
from grader.batch.outputs import read_result, write_outputs
from grader.batch.platforms import Matched, Roster, read_roster, write_platform_gradebook
from grader.batch.proctree import kill_tree
from grader.batch.progress import Progress, format_duration
from grader.batch.report import served_from_cache, write_report
from grader.batch.rows import CRASHED, GRADED, MISSING, LearnerRow
from grader.batch.similarity import fingerprints, known_digests, similar_pairs, write_csv
from grader.batch.stored import (
    OBSERVATIONS_SUFFIX,
    attempt,
    keep,
    keep_observations,
    read_observations,
    settings_of,
    write_settings,
)
from grader.i18n import language, tr
from grader.model.files import atomic_write
from grader.model.memo import Memo
from grader.model.observations import Observations
from grader.model.protocol import Limits, describe_exit
from grader.model.results import GradeResult
from grader.model.spec import AssignmentSpec

STAGING = ".work"
CLEAN_CACHE = ".clean-cache"
SIMILARITY_MEMO = ".similarity.json"  # fingerprints per notebook (grader/model/memo.py)
POLL_S = 0.1
LOG_TAIL = 2000
LOG_KEEP = 1 << 20  # of a crashed worker's output, per learner


@dataclass(frozen=True)
class BatchOptions:
    assignment: str
    keras: str | None = None  # None: the assignment's own (spec.keras)
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    regrade: bool = False
    # grade() may use the submission limit twice (learner child, then clean child).
    timeout_s: float = 2 * Limits.submission_timeout_s + 120
    worker_command: tuple[str, ...] = (sys.executable, "-m", "grader.batch.worker")
    roster: Path | None = None  # with `gradebook`: a platform gradebook through the roster
    gradebook: str = "csv"  # canvas, moodle or csv (the roster's columns beside the grades)
    gradebook_column: str | None = None  # the platform's assignment column; default "CODE title"
    clean_cache: bool = True  # memoise clean rebuilds in RESULTS/.clean-cache
    engine: str = "local"  # or "ray" (grader/batch/ray_engine.py)
    address: str | None = None  # a Ray cluster to join; None: start a local Ray instance
    lang: str = "en"  # the learners' language (feedback, messages); reports stay English
    use_gpu: bool = False  # learner code may use a GPU; on Ray each grading asks for one
    # How the history's evidence counts (grader/pipeline/history_policy.py POLICIES).
    history_policy: str = DEFAULT_HISTORY_POLICY
    # Judge a learner graded before (whose files are unchanged) again from the stored
    # observations instead of grading it (grader/batch/rescore.py); grade only the rest.
    rescore: bool = False


@dataclass
class BatchSummary:
    layout: str
    rows: list[LearnerRow]
    graded: int = 0  # by this run
    skipped: int = 0  # graded before, unchanged
    crashed: int = 0
    seconds: float = 0.0
    platform: Matched | None = None  # how the roster matched, when one was given
    from_cache: int = 0  # graded by this run with every clean rebuild from the cache
    retried: int = 0  # gradings lost with their Ray actor or node and started again
    rescored: int = 0  # judged again from stored observations (--rescore), not graded


@dataclass
class _Slot:
    """A serving worker process and the acknowledgements it has printed so far."""

    index: int
    proc: subprocess.Popen
    log: Path
    acks: list[str] = field(default_factory=list)

    def read_acks(self) -> None:
        for line in self.proc.stdout:
            self.acks.append(line.decode(errors="replace").strip())


@dataclass
class _Job:
    entry: Entry
    digest: str
    slot: _Slot
    output: Path
    log_offset: int
    started: float

    def acknowledged(self) -> bool:
        return json.dumps({"output": str(self.output)}) in self.slot.acks


class Batch:
    def __init__(self, out: Path, spec: AssignmentSpec, options: BatchOptions,
                 stream: TextIO, submissions: Path | None = None) -> None:
        self.out, self.spec, self.options, self.stream = out, spec, options, stream
        # Hidden from every learner's code: the other learners' work and every result.
        self.hidden = tuple(str(p.resolve()) for p in (submissions, out) if p is not None)
        self.journal = Journal(out / "journal.jsonl")
        self.staging = out / STAGING
        self.clean_cache = out / CLEAN_CACHE if options.clean_cache else None

    def record(self, row: LearnerRow, digest: str, seconds: float,
               observed: Observations | None = None, written: bool = False) -> None:
        """Outputs first (each atomic), the observations the result was judged from (what
        `grader rescore` judges again; none: never rescored), then the journal line that
        marks them complete. `written`: the outputs are already in place, and the stored
        observations stand (a rescore)."""
        if not written:
            write_outputs(self.out / row.learner, row.result, row.entry.notebook)
            keep_observations(self.out / row.learner,
                              observed if row.status == GRADED else None)
        result = row.result
        self.journal.append(Record(row.learner, digest, row.status, result.score,
                                   result.max_score, result.passed, round(seconds, 2),
                                   now_iso(), row.reason))

    def _spawn_slot(self, index: int) -> _Slot:
        root = self.staging / f"slot-{index}"
        root.mkdir(parents=True, exist_ok=True)
        log = self.staging / f"worker-{index}.log"
        command = [*self.options.worker_command, f"--assignment={self.spec.code}",
                   f"--keras={self.options.keras}", f"--lang={self.options.lang}",
                   *(["--gpu"] if self.options.use_gpu else []),
                   f"--history-policy={self.options.history_policy}",
                   f"--workroot={root.resolve()}",
                   *(f"--hide={path}" for path in self.hidden),
                   *([f"--clean-cache={(self.out / CLEAN_CACHE).resolve()}"]
                     if self.options.clean_cache else [])]
        with log.open("ab") as sink:
            proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=sink, start_new_session=True)
        slot = _Slot(index, proc, log)
        threading.Thread(target=slot.read_acks, daemon=True).start()
        return slot

    def start(self, entry: Entry, digest: str, slots: list[_Slot | None], index: int) -> _Job:
        self.staging.mkdir(parents=True, exist_ok=True)
        slot = slots[index]
        if slot is None or slot.proc.poll() is not None:
            if slot is not None:
                kill_tree(slot.proc)
            slot = slots[index] = self._spawn_slot(index)
        output = self.staging / f"{entry.learner}.json"
        output.unlink(missing_ok=True)
        Path(str(output) + OBSERVATIONS_SUFFIX).unlink(missing_ok=True)
        job = _Job(entry, digest, slot, output.resolve(), slot.log.stat().st_size,
                   time.monotonic())
        line = {"notebook": str(entry.notebook.resolve()), "output": str(job.output),
                "history": str(entry.history.resolve()) if entry.history else None}
        try:
            slot.proc.stdin.write((json.dumps(line) + "\n").encode())
            slot.proc.stdin.flush()
        except OSError:
            pass  # the worker is gone: poll() reports it
        return job

    def _log_of(self, job: _Job) -> bytes:
        with contextlib.suppress(OSError), job.slot.log.open("rb") as log:
            log.seek(job.log_offset)
            return log.read()[-LOG_KEEP:]
        return b""

    def finish(self, job: _Job, timed_out: bool) -> LearnerRow:
        seconds = time.monotonic() - job.started
        result, reason = None, ""
        if timed_out:
            reason = (f"Grading did not finish within {format_duration(self.options.timeout_s)} "
                      "and was stopped.")
        elif job.acknowledged():
            try:
                result = GradeResult.from_dict(json.loads(job.output.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                reason = "The grading process finished without a readable result."
        else:
            how = describe_exit(job.slot.proc.returncode, learner=False)
            reason = f"The grading process {how}."
        observed = read_observations(Path(str(job.output) + OBSERVATIONS_SUFFIX)) \
            if result is not None else None
        row = self.conclude(job.entry, job.digest, seconds, result, reason,
                            lambda: self._log_of(job), observed)
        job.output.unlink(missing_ok=True)
        Path(str(job.output) + OBSERVATIONS_SUFFIX).unlink(missing_ok=True)
        return row

    def conclude(self, entry: Entry, digest: str, seconds: float, result: GradeResult | None,
                 reason: str, log, observed: Observations | None = None) -> LearnerRow:
        """Record a grading, whichever engine ran it: its result, or 0 and why there is none
        (`log()`: the worker's output meanwhile, kept for the instructor)."""
        if result is None:
            told = tr("The grader could not grade this submission: {reason} Your instructor "
                      "has the details.", reason=reason[0].lower() + reason[1:])
            result = zero_result(self.spec, told, self.options.keras, entry.notebook)
            folder = self.out / entry.learner
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write(folder / "grading.log", log())
        if not reason and result.fault:  # the grader failed, not the learner: say so
            reason = result.fault
        row = LearnerRow(entry, GRADED if not reason else CRASHED, result, reason)
        self.record(row, digest, seconds, observed)
        return row

    @staticmethod
    def _stop(slots: list[_Slot | None], patience: float) -> None:
        """Close every worker's job stream; kill whatever has not exited after `patience`."""
        for slot in slots:
            if slot is not None:
                with contextlib.suppress(OSError):
                    slot.proc.stdin.close()
        deadline = time.monotonic() + patience
        for slot in slots:
            if slot is None:
                continue
            with contextlib.suppress(subprocess.TimeoutExpired):
                slot.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            kill_tree(slot.proc)

    def grade_all(self, todo: list[tuple[Entry, str]], rows: dict[str, LearnerRow]) -> int:
        """Grade `todo` with the configured number of workers; returns how many crashed."""
        pending, running = deque(todo), []
        slots: list[_Slot | None] = [None] * max(1, min(self.options.workers, len(todo)))
        progress = Progress(len(todo), self.stream)
        crashed = 0
        try:
            while pending or running:
                while pending and len(running) < len(slots):
                    busy = {job.slot.index for job in running}
                    free = next(i for i in range(len(slots)) if i not in busy)
                    running.append(self.start(*pending.popleft(), slots, free))
                time.sleep(POLL_S)
                for job in list(running):
                    alive = job.slot.proc.poll() is None
                    timed_out = (alive and not job.acknowledged() and
                                 time.monotonic() - job.started > self.options.timeout_s)
                    if timed_out:
                        kill_tree(job.slot.proc)
                    elif alive and not job.acknowledged():
                        continue
                    running.remove(job)
                    if not job.acknowledged():
                        kill_tree(job.slot.proc)  # whatever it left behind goes with it
                        slots[job.slot.index] = None
                    row = self.finish(job, timed_out)
                    rows[row.learner] = row
                    crashed += row.status == CRASHED
                    progress.advance(row.progress_label)
        except BaseException:
            for slot in slots:
                if slot is not None:
                    kill_tree(slot.proc)
            for job in running:
                job.output.unlink(missing_ok=True)
            shutil.rmtree(self.staging, ignore_errors=True)
            progress.close()
            raise
        self._stop(slots, patience=30.0)
        return crashed

    def missing(self, entry: Entry) -> LearnerRow:
        name = self.spec.code + "_Assignment.ipynb"
        reason = tr("No notebook (.ipynb) was found in this submission: submit {name}.",
                    name=name)
        row = LearnerRow(entry, MISSING, zero_result(self.spec, reason, self.options.keras,
                                                     None), reason)
        self.record(row, "", 0.0)
        return row

    def aggregate(self, rows: list[LearnerRow], roster: Roster | None) -> Matched | None:
        memo = Memo.load(self.out / SIMILARITY_MEMO)  # a rescore parses no notebook again
        prints = {r.learner: fingerprints(r.entry.notebook, self.spec, memo)
                  for r in rows if r.entry.notebook is not None}
        pairs = similar_pairs(prints, known_digests(self.spec, memo=memo))
        memo.save()
        write_gradebook(self.out / "gradebook.csv", rows, self.spec)
        write_csv(self.out / "similarity.csv", pairs)
        write_report(self.out / "report.html", self.spec, rows, pairs, self.options.keras)
        if roster is None:
            return None
        matched = write_platform_gradebook(self.out, roster, rows, self.spec,
                                           self.options.gradebook_column)
        if matched.unmatched:
            names = ", ".join(r.learner for r in matched.unmatched[:10])
            print(f"grader: warning: {len(matched.unmatched)} submission(s) not in the roster "
                  f"(listed in {self.out / 'unmatched.csv'}): {names}"
                  + (", ..." if len(matched.unmatched) > 10 else ""),
                  file=self.stream, flush=True)
        return matched


def run_batch(submissions: Path, out: Path, options: BatchOptions,
              stream: TextIO | None = None) -> BatchSummary:
    """Raises LayoutError when there is nothing to grade, RosterError (before grading) for a
    roster that cannot be used, KeyboardInterrupt (after stopping every worker) when
    interrupted; what finished before stays recorded."""
    with language(options.lang):  # what learners read; the instructor's report stays English
        return _run_batch(submissions, out, options, stream)


def _run_batch(submissions: Path, out: Path, options: BatchOptions,
               stream: TextIO | None) -> BatchSummary:
    started = time.monotonic()
    stream = stream or sys.stderr
    spec = get_spec(options.assignment)
    options = replace(options, keras=options.keras or spec.keras)
    roster = read_roster(options.roster, options.gradebook) if options.roster else None
    print(f"grader: looking for {spec.code} submissions in {submissions} ...", file=stream,
          flush=True)  # the first grading ends a worker's TensorFlow import: say so before
    layout, entries = discover(submissions, spec, exclude=out)
    out.mkdir(parents=True, exist_ok=True)
    write_settings(out, settings_of(submissions, options))
    batch = Batch(out, spec, options, stream, submissions)
    if options.regrade:
        batch.journal.mark_regrade()
    done = batch.journal.latest()
    rows: dict[str, LearnerRow] = {}
    todo: list[tuple[Entry, str]] = []
    summary = BatchSummary(layout, [])
    for entry in entries:
        if entry.notebook is None:
            rows[entry.learner] = batch.missing(entry)
            continue
        digest = submission_digest(entry, spec.code, options.keras, options.lang,
                                   options.history_policy)
        record = done.get(entry.learner)
        unchanged = record is not None and record.digest == digest and record.status == GRADED
        result = read_result(out / entry.learner) if unchanged else None
        if result is None and options.rescore and record and record.status == GRADED:
            again = attempt(batch, entry)
            if again.rescored and not again.needs_regrade:
                rows[entry.learner] = keep(batch, entry, again)
                summary.rescored += 1
                continue
        if result is None:
            todo.append((entry, digest))
        else:
            rows[entry.learner] = LearnerRow(entry, record.status, result, record.reason)
            summary.skipped += 1
    print(f"grader: {len(entries)} submissions ({layout} layout): {len(todo)} to grade with "
          f"{min(options.workers, len(todo)) or 0} worker(s), {summary.skipped} already "
          "graded and unchanged" + ("" if options.regrade else " (--regrade grades them again)")
          + (f", {summary.rescored} rescored from their stored observations"
             if options.rescore else ""), file=stream, flush=True)
    if todo:
        print(f"grader: starting {'Ray' if options.engine == 'ray' else 'the'} worker(s); each "
              "loads TensorFlow once, so the first results take a few seconds", file=stream,
              flush=True)
    if options.engine == "ray":
        from grader.batch.ray_engine import grade_all_on_ray

        summary.crashed, summary.retried = grade_all_on_ray(batch, todo, rows)
    else:
        summary.crashed = batch.grade_all(todo, rows)
    summary.graded = len(todo)
    shutil.rmtree(batch.staging, ignore_errors=True)
    summary.rows = [rows[e.learner] for e in entries]
    graded_now = {e.learner for e, _ in todo}
    summary.from_cache = served_from_cache(
        [r for r in summary.rows if r.learner in graded_now])[0]
    summary.platform = batch.aggregate(summary.rows, roster)
    summary.seconds = time.monotonic() - started
    return summary
