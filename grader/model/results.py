"""The one result model every reporter renders."""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.i18n import tr


@dataclass
class TestResult:
    """One check: a learner-facing verdict with the points it carries."""

    name: str  # as shown, in the result's language
    passed: bool
    message: str
    points: float = 0.0
    max_points: float = 0.0
    id: str = ""  # the check's English name, the same in every language (JSON, gradebooks)

    def __post_init__(self) -> None:
        self.id = self.id or self.name


@dataclass
class PartResult:
    """All checks of one graded function (or of the training history)."""

    name: str
    tests: list[TestResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source_rule: str | None = None
    cell: int | None = None  # the notebook cell (0-based, over all cells) graded; None: none

    @property
    def score(self) -> float:
        return round(sum(t.points for t in self.tests), 2)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_points for t in self.tests), 2)


@dataclass
class GradeResult:
    assignment: str
    parts: list[PartResult]
    pass_mark: float
    keras: str
    duration_s: float = 0.0
    notebook: str = ""
    notes: list[str] = field(default_factory=list)
    # From the learner's history, for reports: {"accuracy": [...], "val_accuracy": [...]},
    # or {"error": why there are none}; None when no history was given.
    curves: dict | None = None
    # What graded: {"python", "tensorflow", "keras" (the package's version), "sandbox"}.
    environment: dict = field(default_factory=dict)
    # The clean cache's use: {"hits": n, "misses": m} clean probes; None when none was used.
    clean_cache: dict | None = None
    language: str = "en"  # what the messages are written in (grader/i18n)
    # Why this grading cannot be trusted through no fault of the learner (the grader's
    # environment failed, its own data was changed): None for a complete grading. Front ends
    # exit 2 ("could not grade") and still write the report.
    fault: str | None = None
    # The history weighed against the notebook's saved training output
    # (grader/pipeline/history_evidence.py): {"status": "corroborated" | "contradicted" |
    # "unverifiable", "detail": why, in `language`, "file": the history graded, "others":
    # other .pkl names beside the notebook, "cell": the fit cell compared (0-based) or None,
    # "policy": the instructor's history policy}; None without a history file.
    history_evidence: dict | None = None
    # Parts a rescore (grader/pipeline/rescore.py) left as they were graded because the code
    # that observes them changed since: they need a regrade. Empty for a fresh grading.
    needs_regrade: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(sum(p.score for p in self.parts), 2)

    @property
    def max_score(self) -> float:
        return round(sum(p.max_score for p in self.parts), 2)

    @property
    def passed(self) -> bool:
        return self.score >= self.pass_mark and not self.fault

    def graded_with(self) -> str:
        """One line for every rendering: which Keras, TensorFlow, Python and sandbox."""
        env = self.environment
        if not env:
            return f"Keras {self.keras}"
        return tr("Keras {keras} ({package}), TensorFlow {tensorflow}, Python {python}, "
                  "sandbox: {sandbox}", keras=self.keras, package=env.get("keras", "?"),
                  tensorflow=env.get("tensorflow", "?"), python=env.get("python", "?"),
                  sandbox=tr(str(env.get("sandbox", "?"))))

    def to_dict(self) -> dict:
        """The JSON contract: stable keys first, extensions after."""
        return {
            "assignment": self.assignment,
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "parts": [
                {
                    "name": p.name,
                    "score": p.score,
                    "max_score": p.max_score,
                    "tests": [
                        {
                            "name": t.name,
                            "id": t.id,
                            "passed": t.passed,
                            "message": t.message,
                            "score": t.points,
                            "max_score": t.max_points,
                        }
                        for t in p.tests
                    ],
                    "notes": list(p.notes),
                    "found_by": p.source_rule,
                    "cell": p.cell,
                }
                for p in self.parts
            ],
            "duration_s": round(self.duration_s, 3),
            "pass_mark": self.pass_mark,
            "keras": self.keras,
            "notebook": self.notebook,
            "notes": list(self.notes),
            "curves": self.curves,
            "environment": dict(self.environment),
            "clean_cache": self.clean_cache,
            "language": self.language,
            "fault": self.fault,
            "history_evidence": self.history_evidence,
            "needs_regrade": list(self.needs_regrade),
        }

    @classmethod
    def from_dict(cls, data: dict) -> GradeResult:
        """The inverse of to_dict (the JSON contract loses nothing)."""
        parts = [PartResult(p["name"],
                            [TestResult(t["name"], bool(t["passed"]), t["message"],
                                        float(t["score"]), float(t["max_score"]),
                                        str(t.get("id") or t["name"]))
                             for t in p["tests"]],
                            list(p.get("notes", [])), p.get("found_by"),
                            p["cell"] if isinstance(p.get("cell"), int) else None)
                 for p in data["parts"]]
        curves, environment = data.get("curves"), data.get("environment")
        cache, evidence = data.get("clean_cache"), data.get("history_evidence")
        return cls(data["assignment"], parts, float(data["pass_mark"]), str(data["keras"]),
                   float(data.get("duration_s", 0.0)), str(data.get("notebook", "")),
                   list(data.get("notes", [])), curves if isinstance(curves, dict) else None,
                   dict(environment) if isinstance(environment, dict) else {},
                   dict(cache) if isinstance(cache, dict) else None,
                   str(data.get("language") or "en"),
                   str(data["fault"]) if data.get("fault") else None,
                   history_evidence=dict(evidence) if isinstance(evidence, dict) else None,
                   needs_regrade=[str(p) for p in data.get("needs_regrade") or []])
