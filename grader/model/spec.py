"""Declarative description of an assignment: what is graded, for how many points, how."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader.model.protocol import ProbeOutcome, ProbeRequest


@dataclass(frozen=True)
class PartSpec:
    """A graded function (or `history`) and its tests with their points, in report order."""

    name: str
    tests: tuple[tuple[str, float], ...]
    probes: tuple[str, ...] = ()

    @property
    def points(self) -> float:
        return sum(p for _, p in self.tests)


def part(name: str, tests: tuple[str, ...], points: tuple[float, ...],
         probes: tuple[str, ...] = ()) -> PartSpec:
    return PartSpec(name, tuple(zip(tests, points, strict=True)), probes)


@dataclass(frozen=True)
class HistoryRule:
    file_name: str
    max_epochs: int
    min_train_accuracy: float
    min_val_accuracy: float
    max_gap: float | None = None  # validation may trail training by at most this much


@dataclass
class Context:
    """Everything a check may look at; built by the parent, never by learner code."""

    workdir: Path
    prepared: dict
    outcomes: dict[str, ProbeOutcome]
    extraction: object


Verdict = tuple[str, bool, str]


def all_fail(part: PartSpec, message: str) -> list[Verdict]:
    """Every check of a part fails for one reason (the function could not be judged)."""
    return [(name, False, message) for name, _ in part.tests]


CheckFn = Callable[[Context, PartSpec], list[Verdict]]


@dataclass(frozen=True)
class AssignmentSpec:
    code: str
    title: str
    functions: tuple[str, ...]
    parts: tuple[PartSpec, ...]
    pass_mark: float
    history: HistoryRule | None
    probe_timeouts: dict[str, float]
    prepare: Callable[[Path], tuple[dict, dict[str, dict]]]
    checks: dict[str, CheckFn]
    probes: dict[str, Callable] = field(default_factory=dict)
    # Probes run in a second, clean child where no learner code is loaded: each is fed the
    # `export` (configuration) observed by the named learner-side probe.
    clean_probes: dict[str, str] = field(default_factory=dict)
    detect: Callable[[str, str], int] | None = None

    def probe_requests(self, names: list[str], args: dict[str, dict],
                       timeouts: dict[str, float] | None = None) -> list[ProbeRequest]:
        timeouts = {**self.probe_timeouts, **(timeouts or {})}
        return [ProbeRequest(n, timeouts[n], args.get(n, {})) for n in names]
