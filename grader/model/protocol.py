"""The leaf both sides share: what the parent asks a child to run, what comes back, and the
limits it runs under. Imports nothing of the grader, so the spec, the checks and the front
ends can use these types without pulling in the process machinery."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field

OUTPUT_LIMIT = 256 * 1024


@dataclass(frozen=True)
class Limits:
    submission_timeout_s: float = 900.0
    memory_bytes: int = 6 * 2**30
    cpu_seconds: int = 1800
    file_size_bytes: int = 512 * 2**20
    output_bytes: int = OUTPUT_LIMIT
    max_processes: int = 512


@dataclass(frozen=True)
class ProbeRequest:
    name: str
    timeout_s: float
    args: dict = field(default_factory=dict)


@dataclass
class ProbeOutcome:
    """Either an observation, or why there is none (timeout, crash, never reached)."""

    name: str
    observation: dict | None = None
    failure: str | None = None
    seconds: float = 0.0


DEFAULT_LIMITS = Limits()


_SIGNAL_HINTS = {
    "SIGKILL": " (often: it ran out of memory)",
    "SIGSEGV": " (a crash inside native code)",
    "SIGXFSZ": " (it wrote a file over the size limit)",
    "SIGXCPU": " (it used up its CPU time)",
}


def describe_exit(code: int | None, learner: bool = True) -> str:
    """How a process ended, to follow "the grading process": "was killed by SIGKILL (often:
    it ran out of memory)". `learner`: it ran learner code, so the hints name what in that
    code can end it so; otherwise (a batch worker) only running out of memory is hinted at."""
    if code is None:
        return "was still running"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = _SIGNAL_HINTS.get(name, "") if learner or name == "SIGKILL" else ""
        return f"was killed by {name}{hint}"
    return f"exited with status {code}" + (
        " (sys.exit or os._exit in your code?)" if learner else "")
