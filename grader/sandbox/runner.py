"""Run learner code in a fresh child process with limits, and collect its observations.

The child runs the probes one after another; the parent watches each probe's clock. A probe
that hangs or kills its process costs only that probe: a new child picks up the rest.
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from grader.i18n import N_
from grader.model.protocol import (
    DEFAULT_LIMITS,
    DEFAULT_VIEW,
    Limits,
    ProbeOutcome,
    ProbeRequest,
    View,
    said,
)
from grader.pipeline.extract import Snippet
from grader.sandbox import confine
from grader.sandbox.confine import PidsCgroup, child_env
from grader.sandbox.outcomes import outcomes_from_events
from grader.sandbox.zygote import Zygote, ZygoteGone


@dataclass
class RunReport:
    outcomes: dict[str, ProbeOutcome]
    load_problems: list[dict]
    output: str
    output_truncated: bool


def _set_limits(limits: Limits, use_gpu: bool, cgroup: PidsCgroup):
    # RLIMIT_NPROC counts every process of the user, so leave room for the ones that exist.
    nproc = confine.own_process_count() + limits.max_processes

    def apply() -> None:
        os.setsid()
        cgroup.add(os.getpid())
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_bytes,) * 2)
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        if not use_gpu:  # CUDA reserves vast address space; an address-space cap breaks it
            resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes,) * 2)

    return apply


def _drain(stream, sink: list[bytes], limit: int, flags: dict) -> None:
    size = 0
    for chunk in iter(lambda: stream.read(65536), b""):
        if size < limit:
            sink.append(chunk[: limit - size])
        if size + len(chunk) > limit:
            flags["truncated"] = True
        size += len(chunk)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


class _Events:
    """JSON lines from the child's report pipe, collected by a thread as they arrive. The
    pipe is the learner's too (its code runs in that process), so what arrives is bounded
    here before it is parsed: a line over MAX_LINE is dropped while it is read (never held
    whole), and past MAX_TOTAL bytes or MAX_EVENTS events the rest is drained unread."""

    MAX_LINE = 4 * 2**20
    MAX_TOTAL = 16 * 2**20
    MAX_EVENTS = 10_000

    def __init__(self, fd: int) -> None:
        self.items: list[dict] = []
        self.dropped = 0  # lines refused: too long, not JSON, or past the caps
        self._thread = threading.Thread(target=self._read, args=(fd,), daemon=True)
        self._thread.start()

    def _read(self, fd: int) -> None:
        pending, skipping, total = bytearray(), False, 0
        try:
            while chunk := os.read(fd, 65536):
                total += len(chunk)
                if total > self.MAX_TOTAL or len(self.items) >= self.MAX_EVENTS:
                    self.dropped += 1
                    continue  # drain, so the child never blocks on a full pipe
                lines = chunk.split(b"\n")
                for i, part in enumerate(lines):
                    last = i == len(lines) - 1
                    if not skipping:
                        pending += part
                    if len(pending) > self.MAX_LINE:
                        pending.clear()
                        skipping = True
                    if not last:  # a newline ended this line
                        if skipping:
                            self.dropped += 1
                        else:
                            self._take(bytes(pending))
                        pending.clear()
                        skipping = False
        finally:
            os.close(fd)

    def _take(self, line: bytes) -> None:
        try:
            event = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            self.dropped += 1
            return
        if isinstance(event, dict) and isinstance(event.get("event"), str):
            self.items.append(event)
        else:
            self.dropped += 1

    def join(self) -> list[dict]:
        self._thread.join(timeout=5)
        return list(self.items)


@dataclass
class Spawned:
    """A started child waiting for its task on stdin (so it can import TensorFlow first)."""

    proc: subprocess.Popen
    events: _Events
    cgroup: PidsCgroup
    output: list[bytes]
    flags: dict
    drain: threading.Thread

    def discard(self) -> None:
        _kill(self.proc)
        self.cgroup.close()


def _watch(proc, events_fd: int, cgroup: PidsCgroup, limits: Limits) -> Spawned:
    """Start draining a started child's output and reading its events."""
    output: list[bytes] = []
    flags: dict = {}
    drain = threading.Thread(target=_drain, args=(proc.stdout, output, limits.output_bytes,
                                                  flags), daemon=True)
    drain.start()
    return Spawned(proc, _Events(events_fd), cgroup, output, flags, drain)


def _fork_from(zygote: Zygote, workdir: Path, keras: str, limits: Limits,
               use_gpu: bool, view: View) -> Spawned:
    namespaces = confine.mode()
    env = child_env(keras, workdir, view, bool(namespaces))
    if namespaces:
        env["GRADER_CONFINE"] = "1"
    cgroup = confine.PidsCgroup(limits.max_processes)
    try:
        proc, events_fd = zygote.spawn({
            "workdir": str(workdir), "env": env, "limits": dataclasses.asdict(limits),
            "use_gpu": use_gpu, "namespaces": namespaces,
            "cgroup": str(cgroup.path) if cgroup.path else None})
    except BaseException:
        cgroup.close()
        raise
    return _watch(proc, events_fd, cgroup, limits)


def _spawn(workdir: Path, keras: str, limits: Limits, use_gpu: bool,
           prewarm: bool = False, zygote: Zygote | None = None,
           view: View = DEFAULT_VIEW) -> Spawned:
    if zygote is not None:
        try:
            return _fork_from(zygote, workdir, keras, limits, use_gpu, view)
        except ZygoteGone:
            pass  # start one the ordinary way
    prefix = confine.wrapper()
    env = child_env(keras, workdir, view, bool(prefix))
    if prefix:
        env["GRADER_CONFINE"] = "1"
    if prewarm:
        env["GRADER_PREWARM"] = "1"
    read_fd, write_fd = os.pipe()
    env["GRADER_EVENTS_FD"] = str(write_fd)
    cgroup = confine.PidsCgroup(limits.max_processes)
    try:
        proc = subprocess.Popen(
            [*prefix, sys.executable, "-m", "grader.sandbox.child"],
            cwd=workdir, env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, pass_fds=(write_fd,),
            preexec_fn=_set_limits(limits, use_gpu, cgroup),
        )
    finally:
        os.close(write_fd)
    return _watch(proc, read_fd, cgroup, limits)


def prestart(workdir: Path, keras: str = "2", limits: Limits = DEFAULT_LIMITS,
             use_gpu: bool = False, prewarm: bool = True, view: View = DEFAULT_VIEW) -> Spawned:
    """Start a child (importing TensorFlow, with `prewarm`) that waits for its task while
    other work goes on; hand it to `run_probes(prestarted=...)` or `discard()` it."""
    (Path(workdir) / "tmp").mkdir(parents=True, exist_ok=True)
    return _spawn(Path(workdir), keras, limits, use_gpu, prewarm=prewarm, view=view)


LOAD_TIMEOUT_S = 120.0


def _supervise(spawned: Spawned, task: bytes, remaining: list[ProbeRequest], deadline: float,
               limits: Limits) -> dict | None:
    """Hand the child its task, then watch the clocks; kill the child when one runs out and
    say which, as a `said()` sentence about "{subject}" (None: the child ended by itself).

    Only the parent's clock and the process's exit end a run. The learner's code shares the
    report pipe, so a "done" it writes stops nothing: a probe's clock runs from its "start"
    until the next probe starts or the process exits, and the group as a whole never gets
    more than loading plus the sum of its probes' budgets, whatever "start"s arrive."""
    proc, events_reader = spawned.proc, spawned.events
    try:
        proc.stdin.write(task)
        proc.stdin.close()
    except OSError:  # it died before reading: reported by outcomes_from_events
        pass
    budgets = {p.name: p.timeout_s for p in remaining}
    group_budget = sum(budgets.values())
    launched = time.monotonic()
    current: str | None = None
    seen_starts = 0
    probe_started = first_started = launched
    while proc.poll() is None:
        time.sleep(0.05)
        now = time.monotonic()
        starts = [e.get("probe") for e in list(events_reader.items)
                  if e.get("event") == "start" and e.get("probe") in budgets]
        if len(starts) > seen_starts:
            if seen_starts == 0:
                first_started = now
            seen_starts = len(starts)
            current, probe_started = starts[-1], now
        if current is not None:
            budget = budgets[current]
            if now - probe_started > budget or now - first_started > group_budget:
                _kill(proc)
                return said(N_("{subject} did not finish within {seconds} s."),
                            seconds=f"{budget:.0f}")
        elif now - launched > LOAD_TIMEOUT_S:
            _kill(proc)
            return said(N_("{subject} loading your code did not finish within {seconds} s."),
                        seconds=f"{LOAD_TIMEOUT_S:.0f}")
        if now >= deadline:
            _kill(proc)
            return said(N_("{subject} was stopped: the submission used up its {seconds} s "
                           "time limit."), seconds=f"{limits.submission_timeout_s:.0f}")
    return None


def run_probes(
    probe_module: str,
    snippets: list[Snippet],
    probes: list[ProbeRequest],
    workdir: Path,
    keras: str = "2",
    limits: Limits = DEFAULT_LIMITS,
    use_gpu: bool = False,
    prestarted: Spawned | None = None,
    zygote: Zygote | None = None,
    deadline: float | None = None,
    view: View = DEFAULT_VIEW,
    partials: bool = False,
) -> RunReport:
    workdir = Path(workdir)
    (workdir / "tmp").mkdir(parents=True, exist_ok=True)
    outcomes: dict[str, ProbeOutcome] = {}
    load_problems: list[dict] = []
    output: list[bytes] = []
    truncated = False
    if deadline is None:
        deadline = time.monotonic() + limits.submission_timeout_s
    remaining = list(probes)
    while remaining:
        if time.monotonic() >= deadline:
            for p in remaining:
                outcomes[p.name] = ProbeOutcome.failed(p.name, said(
                    N_("{subject} was not run: the submission used up its {seconds} s time "
                       "limit."), seconds=f"{limits.submission_timeout_s:.0f}"))
            break
        task = json.dumps({
            "probe_module": probe_module,
            "keras": keras,
            "snippets": [s.__dict__ for s in snippets],
            "probes": [{"name": p.name, "args": p.args} for p in remaining],
        }).encode()
        spawned = prestarted or _spawn(workdir, keras, limits, use_gpu, zygote=zygote,
                                       view=view)
        prestarted = None
        timed_out = _supervise(spawned, task, remaining, deadline, limits)
        spawned.proc.wait()
        exit_code = spawned.proc.returncode
        spawned.cgroup.close()
        spawned.drain.join(timeout=5)
        room = limits.output_bytes - sum(len(chunk) for chunk in output)
        output.extend(chunk for chunk in spawned.output if room > 0)
        truncated = truncated or bool(spawned.flags.get("truncated"))
        settled = outcomes_from_events(remaining, spawned.events.join(), exit_code, timed_out,
                                       limits, partials)
        outcomes.update(settled.outcomes)
        load_problems = load_problems or settled.load_problems
        remaining = settled.restart_from
    if prestarted is not None:  # no probe needed it
        prestarted.discard()
    text = b"".join(output)[: limits.output_bytes].decode("utf-8", errors="replace")
    return RunReport(outcomes, load_problems, text, truncated)


def run_groups(probe_module: str, snippets: list[Snippet],
               groups: list[tuple[list[ProbeRequest], Path | None]], workdir: Path,
               keras: str = "2", limits: Limits = DEFAULT_LIMITS, use_gpu: bool = False,
               prestarted: Spawned | None = None, zygote: Zygote | None = None,
               hide: tuple[str, ...] = ()) -> RunReport:
    """Each group (one graded function's probes) in its own child with the learner's code
    loaded afresh, so that nothing one function does (a patched builtin, os.chdir, a global
    seed, a leftover thread) reaches another's verdict. With a zygote each child is a fork
    of it: milliseconds. Each group comes with the view its child sees as /tmp (see
    course_paths); the groups share the submission's time limit."""
    deadline = time.monotonic() + limits.submission_timeout_s
    merged = RunReport({}, [], "", False)
    for group, course_tmp in (g for g in groups if g[0]):
        report = run_probes(probe_module, snippets, group, workdir, keras, limits, use_gpu,
                            prestarted=prestarted, zygote=zygote, deadline=deadline,
                            view=View(course_tmp, hide=hide))
        prestarted = None
        merged.outcomes.update(report.outcomes)
        merged.load_problems = merged.load_problems or report.load_problems
        room = limits.output_bytes - len(merged.output)
        merged.output += report.output[:max(room, 0)]
        merged.output_truncated |= report.output_truncated or len(report.output) > room
    if prestarted is not None:
        prestarted.discard()
    return merged
