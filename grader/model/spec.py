"""Declarative description of an assignment: what is graded, for how many points, how.

An assignment declares its parts (their `Test`s, each with its points, and probes), registers
one check per graded function with `Checks.part`, and names its history rule; `AssignmentSpec`
validates the whole when the assignment module is imported, so a check registered under a
misspelled part, a part without a check, a probe without a timeout or a duplicated test name
or key is an error at import, never a zero at grading time.
"""

from __future__ import annotations

import copy
import json
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.i18n import N_
from grader.model.expected import Expected
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


Verdict = tuple[str, bool, str]  # (test name, passed, message)


class SpecError(Exception):
    """An assignment's declaration is inconsistent (a grader bug, raised at import)."""


@dataclass(frozen=True)
class Test:
    """One graded check. Code names it by `key` (a stable identifier, never shown); learners
    and reports by `name`, its `text` filled from `params`, so that a number in a name is the
    value the check uses and cannot drift from it. The name is the test's id in JSON, JUnit
    and gradebooks, and what `tr()` translates (tools/i18n.py puts the built-in specs' names
    in the catalog)."""

    __test__ = False  # for pytest: a class, not a test case

    key: str
    text: str
    points: float = 0
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.text.format(**self.params) if self.params else self.text

    def worth(self, points: float, **params: object) -> Test:
        """This check at `points`, with `params` filled in: how an assignment takes a check
        another one declares (the same name for other values, other points)."""
        return replace(self, points=points, params={**self.params, **params})

    def verdict(self, passed: bool, message: str) -> Verdict:
        return (self.name, passed, message)

    def __hash__(self) -> int:  # params is a dict
        return hash((self.key, self.name, self.points))


def weigh(tests: Iterable[Test], **points: float) -> tuple[Test, ...]:
    """`tests`, in their order, each worth the points given under its key: a part's points
    for checks declared elsewhere. A key left out or unknown is a SpecError."""
    tests = tuple(tests)
    keys = [t.key for t in tests]
    if sorted(points) != sorted(keys):
        raise SpecError(f"points for {sorted(points)} do not match the tests {keys}")
    return tuple(t.worth(points[t.key]) for t in tests)


@dataclass(frozen=True)
class PartSpec:
    """A graded function (or the history) and its tests with their points, in report order."""

    name: str
    tests: tuple[Test, ...]
    probes: tuple[str, ...] = ()
    is_history: bool = False

    @property
    def points(self) -> float:
        return sum(t.points for t in self.tests)

    @property
    def test_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tests)

    def test(self, key: str) -> Test:
        """The test a check judges, by key. A key the part lacks is the grader's bug: a
        SpecError, which grading does not take for a learner's malformed report."""
        for t in self.tests:
            if t.key == key:
                return t
        raise SpecError(f"part {self.name!r} has no test {key!r}")


def part(name: str, tests: Iterable[Test], probes: tuple[str, ...] = ()) -> PartSpec:
    return PartSpec(name, tuple(tests), probes)


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

    def tests(self) -> tuple[Test, ...]:
        tests = (
            Test("readable", "history file is readable plain data"),
            Test("lists", "has 'accuracy' and 'val_accuracy' lists of equal length"),
            Test("epochs", "at most {most} epochs", params={"most": self.max_epochs}),
            Test("finite", "values are finite numbers in [0, 1]"),
            Test("train_accuracy", "final training accuracy >= {least:.2f}",
                 params={"least": self.min_train_accuracy}),
            Test("val_accuracy", "final validation accuracy >= {least:.2f}",
                 params={"least": self.min_val_accuracy}),
        )
        if self.max_gap is not None:
            tests += (Test("gap", "final validation accuracy within {gap:.2f} of training",
                           params={"gap": self.max_gap}),)
        if self.max_curve_mse is not None:
            tests += (Test("curve_mse", "curves' mean squared difference at most {most:.2f}",
                           params={"most": self.max_curve_mse}),)
        if self.max_slope_difference is not None:
            tests += (Test("slopes", "curves' slopes within {most:.0%} of each other",
                           params={"most": self.max_slope_difference}),)
        return tests

    def part(self, **points: float) -> PartSpec:
        """The history part, each of the rule's tests worth the points given by its key."""
        return PartSpec(HISTORY_PART, weigh(self.tests(), **points), is_history=True)


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
    spec: AssignmentSpec | None = None  # for the expected values it declares (.expected)
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


def all_fail(part: PartSpec, message: str) -> list[Verdict]:
    """Every check of a part fails for one reason (the function could not be judged)."""
    return [(name, False, message) for name in part.test_names]


def fail_the_rest(part: PartSpec, verdicts: list[Verdict], message: str) -> list[Verdict]:
    """`verdicts`, then every test of `part` they do not judge, failed for one reason (what
    the later checks need could not be read)."""
    judged = {name for name, _, _ in verdicts}
    return verdicts + [(name, False, message) for name in part.test_names if name not in judged]


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
    # The numbers the notebook expects and the grader's seeded runs use (model/expected.py):
    # checks read them here, test names are filled from them, prepare() hands them to probes.
    expected: Expected | None = None
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
        for test in self.history.tests() if self.history else ():
            if test.name not in HISTORY_TEST_NAMES:
                yield f"history test {test.name!r} is not in HISTORY_TEST_NAMES (not translatable)"
        known = set(self.probes) | set(self.clean_probes)
        for p in self.parts:
            yield from _test_problems(p)
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


def _test_problems(p: PartSpec):
    """What is wrong with a part's tests: keys are how checks find them, names what reports
    and the catalog know them by, so both must be unique and every name fully rendered."""
    keys = [t.key for t in p.tests]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        yield f"part {p.name!r} has the test key {key!r} twice"
    named = True
    for t in p.tests:
        if not t.key.isidentifier():
            yield f"part {p.name!r}: test key {t.key!r} is not a Python identifier"
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(t.text) if f is not None}
            unfilled = sorted(fields - set(t.params)) if t.name == t.text else []
        except (KeyError, IndexError, ValueError) as exc:  # a text its params cannot fill
            unfilled = [str(exc)]
        if unfilled:
            named = False
            yield f"part {p.name!r}: test {t.key!r} leaves {unfilled} unfilled in its name"
    if named and len(set(p.test_names)) != len(p.tests):
        yield f"part {p.name!r} has a test name twice"
    if any(t.points < 0 for t in p.tests):
        yield f"part {p.name!r} has a test worth negative points"
