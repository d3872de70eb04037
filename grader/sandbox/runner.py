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
from grader.model.protocol import DEFAULT_LIMITS, Limits, ProbeOutcome, ProbeRequest, said
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
    """JSON lines from the child's report pipe, collected by a thread as they arrive."""

    def __init__(self, fd: int) -> None:
        self.items: list[dict] = []
        self._thread = threading.Thread(target=self._read, args=(fd,), daemon=True)
        self._thread.start()

    def _read(self, fd: int) -> None:
        with os.fdopen(fd, "rb") as stream:
            for line in stream:
                if len(self.items) > 10_000:
                    break
                try:
                    event = json.loads(line[:4 * 2**20])
                except (json.JSONDecodeError, UnicodeDecodeError):
                    continue
                if isinstance(event, dict) and isinstance(event.get("event"), str):
                    self.items.append(event)

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
               use_gpu: bool, course_tmp: Path | None = None) -> Spawned:
    namespaces = confine.mode()
    env = child_env(keras, workdir, course_tmp if namespaces else None)
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
           course_tmp: Path | None = None) -> Spawned:
    if zygote is not None:
        try:
            return _fork_from(zygote, workdir, keras, limits, use_gpu, course_tmp)
        except ZygoteGone:
            pass  # start one the ordinary way
    prefix = confine.wrapper()
    env = child_env(keras, workdir, course_tmp if prefix else None)
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
             use_gpu: bool = False, prewarm: bool = True,
             course_tmp: Path | None = None) -> Spawned:
    """Start a child (importing TensorFlow, with `prewarm`) that waits for its task while
    other work goes on; hand it to `run_probes(prestarted=...)` or `discard()` it."""
    (Path(workdir) / "tmp").mkdir(parents=True, exist_ok=True)
    return _spawn(Path(workdir), keras, limits, use_gpu, prewarm=prewarm, course_tmp=course_tmp)


LOAD_TIMEOUT_S = 120.0


def _supervise(spawned: Spawned, task: bytes, remaining: list[ProbeRequest], deadline: float,
               limits: Limits) -> dict | None:
    """Hand the child its task, then watch the running probe's clock (or, before the first
    starts, loading's) and the submission's; kill the child when one runs out and say which,
    as a `said()` sentence about "{subject}" (None: the child ended by itself)."""
    proc, events_reader = spawned.proc, spawned.events
    try:
        proc.stdin.write(task)
        proc.stdin.close()
    except OSError:  # it died before reading: reported by outcomes_from_events
        pass
    current: str | None = None
    probe_started = time.monotonic()
    while proc.poll() is None:
        time.sleep(0.05)
        events = list(events_reader.items)
        started = [e for e in events if e.get("event") == "start"]
        done = {e.get("probe") for e in events if e.get("event") == "done"}
        running = [e.get("probe") for e in started if e.get("probe") not in done]
        if running and running[-1] != current:
            current = running[-1]
            probe_started = time.monotonic()
        elif not running and current is not None:
            current = None
            probe_started = time.monotonic()
        now = time.monotonic()
        if current is not None:
            budget = next((p.timeout_s for p in remaining if p.name == current), 60.0)
            if now - probe_started > budget:
                _kill(proc)
                return said(N_("{subject} did not finish within {seconds} s."),
                            seconds=f"{budget:.0f}")
        elif not started and now - probe_started > LOAD_TIMEOUT_S:
            _kill(proc)
            return said(N_("{subject} loading your code did not finish within {seconds} s."),
                        seconds=f"{LOAD_TIMEOUT_S:.0f}")
        if now >= deadline:
            _kill(proc)
            return said(N_("{subject} was stopped: the submission used up its {seconds} s "
                           "time limit."), seconds=f"{limits.submission_timeout_s:.0f}")
    return None


def run_probes(
    assignment: str,
    snippets: list[Snippet],
    probes: list[ProbeRequest],
    workdir: Path,
    keras: str = "2",
    limits: Limits = DEFAULT_LIMITS,
    use_gpu: bool = False,
    prestarted: Spawned | None = None,
    zygote: Zygote | None = None,
    deadline: float | None = None,
    course_tmp: Path | None = None,
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
            "assignment": assignment,
            "keras": keras,
            "snippets": [s.__dict__ for s in snippets],
            "probes": [{"name": p.name, "args": p.args} for p in remaining],
        }).encode()
        spawned = prestarted or _spawn(workdir, keras, limits, use_gpu, zygote=zygote,
                                       course_tmp=course_tmp)
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
                                       limits)
        outcomes.update(settled.outcomes)
        load_problems = load_problems or settled.load_problems
        remaining = settled.restart_from
    if prestarted is not None:  # no probe needed it
        prestarted.discard()
    text = b"".join(output)[: limits.output_bytes].decode("utf-8", errors="replace")
    return RunReport(outcomes, load_problems, text, truncated)


def run_groups(assignment: str, snippets: list[Snippet],
               groups: list[tuple[list[ProbeRequest], Path | None]], workdir: Path,
               keras: str = "2", limits: Limits = DEFAULT_LIMITS, use_gpu: bool = False,
               prestarted: Spawned | None = None, zygote: Zygote | None = None) -> RunReport:
    """Each group (one graded function's probes) in its own child with the learner's code
    loaded afresh, so that nothing one function does (a patched builtin, os.chdir, a global
    seed, a leftover thread) reaches another's verdict. With a zygote each child is a fork
    of it: milliseconds. Each group comes with the view its child sees as /tmp (see
    course_paths); the groups share the submission's time limit."""
    deadline = time.monotonic() + limits.submission_timeout_s
    merged = RunReport({}, [], "", False)
    for group, course_tmp in (g for g in groups if g[0]):
        report = run_probes(assignment, snippets, group, workdir, keras, limits, use_gpu,
                            prestarted=prestarted, zygote=zygote, deadline=deadline,
                            course_tmp=course_tmp)
        prestarted = None
        merged.outcomes.update(report.outcomes)
        merged.load_problems = merged.load_problems or report.load_problems
        room = limits.output_bytes - len(merged.output)
        merged.output += report.output[:max(room, 0)]
        merged.output_truncated |= report.output_truncated or len(report.output) > room
    if prestarted is not None:
        prestarted.discard()
    return merged
