"""The leaf both sides share: what the parent asks a child to run, what comes back, and the
limits it runs under. Imports nothing of the grader, so the spec, the checks and the front
ends can use these types without pulling in the process machinery."""

from __future__ import annotations

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
