"""Declarative description of an assignment: what is graded, for how many points, how.

An assignment declares its parts (tests with points, probes), registers one check per graded
function with `Checks.part`, and names its history rule; `AssignmentSpec` validates the whole
when the assignment module is imported, so a check registered under a misspelled part, a
part without a check, a probe without a timeout or a duplicated test name is an error at
import, never a zero at grading time.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader.i18n import N_
from grader.model.observations import StaleObservation
from grader.model.observed import declared
from grader.model.protocol import ProbeOutcome, ProbeRequest

HISTORY_PART = "history"  # the part name the JSON contract gives the history check

# Every history test name the assignments' rules produce, written out for the catalog: a
# test name is its id and is shown as tr(name), so a rule with new thresholds needs its names
# added here (AssignmentSpec refuses a rule whose names are missing).
HISTORY_TEST_NAMES = frozenset({
    N_("history file is readable plain data"),
    N_("has 'accuracy' and 'val_accuracy' lists of equal length"),
    N_("at most 15 epochs"),
    N_("values are finite numbers in [0, 1]"),
    N_("final training accuracy >= 0.95"),
    N_("final training accuracy >= 0.80"),
    N_("final validation accuracy >= 0.80"),
    N_("final validation accuracy within 0.05 of training"),
    N_("at most 35 epochs"),
    N_("curves' mean squared difference at most 0.20"),
    N_("curves' slopes within 30% of each other"),
})


@dataclass(frozen=True)
class PartSpec:
    """A graded function (or the history) and its tests with their points, in report order."""

    name: str
    tests: tuple[tuple[str, float], ...]
    probes: tuple[str, ...] = ()
    is_history: bool = False

    @property
    def points(self) -> float:
        return sum(p for _, p in self.tests)

    @property
    def test_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.tests)


def part(name: str, tests: tuple[str, ...], points: tuple[float, ...],
         probes: tuple[str, ...] = ()) -> PartSpec:
    return PartSpec(name, tuple(zip(tests, points, strict=True)), probes)


@dataclass(frozen=True)
class HistoryRule:
    """What the learner's pickled training history must show; its tests follow from it."""

    file_name: str
    max_epochs: int
    min_train_accuracy: float
    min_val_accuracy: float
    max_gap: float | None = None  # validation may trail training by at most this much
    # C2W2v4's "no overfitting": the mean squared difference of the two accuracy curves, and
    # the relative difference of their least-squares slopes (grader/pipeline/history.py).
    max_curve_mse: float | None = None
    max_slope_difference: float | None = None

    def tests(self) -> tuple[str, ...]:
        names = (
            "history file is readable plain data",
            "has 'accuracy' and 'val_accuracy' lists of equal length",
            f"at most {self.max_epochs} epochs",
            "values are finite numbers in [0, 1]",
            f"final training accuracy >= {self.min_train_accuracy:.2f}",
            f"final validation accuracy >= {self.min_val_accuracy:.2f}",
        )
        if self.max_gap is not None:
            names += (f"final validation accuracy within {self.max_gap:.2f} of training",)
        if self.max_curve_mse is not None:
            names += (f"curves' mean squared difference at most {self.max_curve_mse:.2f}",)
        if self.max_slope_difference is not None:
            names += (f"curves' slopes within {self.max_slope_difference:.0%} of each other",)
        return names

    def part(self, points: tuple[float, ...]) -> PartSpec:
        return PartSpec(HISTORY_PART, tuple(zip(self.tests(), points, strict=True)),
                        is_history=True)


@dataclass(frozen=True)
class ImageInput:
    """The images an assignment's model takes and its generators must yield: declared once in
    the spec; test names, checks and messages read it from there."""

    size: tuple[int, int] = (150, 150)
    channels: int = 3
    rescale: float = 1 / 255

    @property
    def shape(self) -> tuple[int, ...]:
        return (*self.size, self.channels)


@dataclass
class Context:
    """Everything a check may look at; built by the parent, never by learner code, from a
    grading's `Observations` (grader/model/observations.py)."""

    workdir: Path
    prepared: dict
    outcomes: dict[str, ProbeOutcome]
    extraction: object
    spec: AssignmentSpec | None = None  # for the expected values it declares
    # What the parent read from disk while judging, by key; `replay`: read back from a
    # stored record (a rescore), where the work directory is long gone.
    facts: dict = field(default_factory=dict)
    replay: bool = False

    def fact(self, observe: Callable, *args: object):
        """`observe(*args)`: a module-level function reading the work directory, which
        returns plain JSON data. Recorded when grading, replayed when rescoring; a fact the
        record lacks raises StaleObservation (the part needs a regrade)."""
        key = f"{observe.__module__}:{observe.__qualname__}:{json.dumps(args, default=str)}"
        if self.replay:
            if key not in self.facts:
                raise StaleObservation(key)
            return copy.deepcopy(self.facts[key])
        value = self.facts[key] = json.loads(json.dumps(observe(*args)))
        return copy.deepcopy(value)


Verdict = tuple[str, bool, str]


def all_fail(part: PartSpec, message: str) -> list[Verdict]:
    """Every check of a part fails for one reason (the function could not be judged)."""
    return [(name, False, message) for name in part.test_names]


CheckFn = Callable[[Context, PartSpec], list[Verdict]]


class Checks:
    """An assignment's checks, one per graded function, registered with a decorator:

        CHECKS = Checks()

        @CHECKS.part("split_data")
        def check_split_data(ctx, part): ...

    `extend()` starts a sibling assignment's registry from this one (C2W2 from C2W1)."""

    def __init__(self, by_part: dict[str, CheckFn] | None = None) -> None:
        self.by_part: dict[str, CheckFn] = dict(by_part or {})

    def part(self, name: str) -> Callable[[CheckFn], CheckFn]:
        def register(fn: CheckFn) -> CheckFn:
            self.by_part[name] = fn
            return fn
        return register

    def extend(self) -> Checks:
        return Checks(self.by_part)


class SpecError(Exception):
    """An assignment's declaration is inconsistent (a grader bug, raised at import)."""


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
    checks: Checks
    probes: dict[str, Callable] = field(default_factory=dict)
    # Probes run in a second, clean child where no learner code is loaded: each is fed the
    # `export` (configuration) observed by the named learner-side probe.
    clean_probes: dict[str, str] = field(default_factory=dict)
    # Words in a notebook's code that tell this assignment from a sibling grading the same
    # functions (C2W2's augmentation settings against C2W1).
    detect_words: tuple[str, ...] = ()
    detect_means: str = ""  # what those words show, for the reason detection gives
    # Builds (once, into the cache) the data this assignment's checks run against.
    fixtures: Callable[[], object] = lambda: None
    module: str = ""  # where SPEC lives: the child imports it to find the probes
    images: ImageInput | None = None  # expected model input / generator output, if images
    # The Keras the notebook was written for: what grades it when the caller names none.
    keras: str = "2"
    # Which release of the course's notebooks: "v3" (ImageDataGenerator, 2023) or "v4" (the
    # 2024 Keras 3 notebooks); detection keeps a notebook among the specs of its release.
    course_version: str = "v3"
    # The graded globals the 2024 notebooks' functions read (DATA_DIR, TRAIN_DIR, ...), with
    # the course's values: the grader provides them, whatever a learner's own machine needed.
    provided: dict[str, str] = field(default_factory=dict)
    # A graded function's earlier name in a release still handed in (the Jan-Apr 2022 week 1
    # and 2 notebooks' create_train_test_dirs): graded as the same function, same task.
    renamed: dict[str, str] = field(default_factory=dict)
    # The module whose PROBES the child runs (child side: it imports the sandbox's helpers
    # and the model, never a check or the registry); `module` itself when empty.
    probe_module: str = ""

    @property
    def probes_from(self) -> str:
        return self.probe_module or self.module

    @property
    def defined_names(self) -> set[str]:
        """Every name a notebook of this assignment may define its graded functions under."""
        return set(self.functions) | set(self.renamed.values())

    def __post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise SpecError(f"{self.code}: " + "; ".join(problems))

    def _problems(self):
        graded = [p.name for p in self.parts if not p.is_history]
        if tuple(graded) != self.functions:
            yield f"parts {graded} do not match functions {list(self.functions)}"
        for name in set(graded) - set(self.checks.by_part):
            yield f"part {name!r} has no registered check"
        for name in set(self.checks.by_part) - set(graded):
            yield f"a check is registered for {name!r}, which is not a part"
        for name in set(self.renamed) - set(graded):
            yield f"renamed names {name!r}, which is not a graded function"
        histories = [p for p in self.parts if p.is_history]
        if (self.history is None) != (not histories) or len(histories) > 1:
            yield "a history part needs exactly one history rule, and the other way round"
        for name in self.history.tests() if self.history else ():
            if name not in HISTORY_TEST_NAMES:
                yield f"history test {name!r} is not in HISTORY_TEST_NAMES (not translatable)"
        known = set(self.probes) | set(self.clean_probes)
        for p in self.parts:
            if len(set(p.test_names)) != len(p.tests):
                yield f"part {p.name!r} has a test name twice"
            if any(points < 0 for _, points in p.tests):
                yield f"part {p.name!r} has a test worth negative points"
            for probe in p.probes:
                if probe not in known:
                    yield f"part {p.name!r} names probe {probe!r}, which is not defined"
                elif probe not in self.probe_timeouts:
                    yield f"probe {probe!r} has no timeout"
        for name, probe in self.probes.items():
            if declared(probe) is None:
                yield (f"probe {name!r} declares no return TypedDict (grader/model/observed.py):"
                       " nothing would say what it may report")
        for clean, source in self.clean_probes.items():
            if source not in self.probes:
                yield f"clean probe {clean!r} reads {source!r}, which is not a probe"
        if self.keras not in ("2", "3"):
            yield f"keras is {self.keras!r}, not '2' or '3'"
        if self.probes and not self.module:
            yield "module is not set (the child could not find the probes)"

    def part_named(self, name: str) -> PartSpec:
        return next(p for p in self.parts if p.name == name)

    def probe_requests(self, names: list[str], args: dict[str, dict],
                       timeouts: dict[str, float] | None = None) -> list[ProbeRequest]:
        timeouts = {**self.probe_timeouts, **(timeouts or {})}
        return [ProbeRequest(n, timeouts[n], args.get(n, {})) for n in names]
