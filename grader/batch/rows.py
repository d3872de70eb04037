"""One learner's line in the batch: what was found, how it went, and the result."""

from __future__ import annotations

from dataclasses import dataclass

from grader.batch.layout import Entry
from grader.model.results import GradeResult

GRADED, CRASHED, MISSING = "graded", "crashed", "missing"


@dataclass
class LearnerRow:
    entry: Entry
    status: str  # GRADED, CRASHED (the worker died or hung: 0 and the reason) or MISSING
    result: GradeResult
    reason: str = ""

    @property
    def learner(self) -> str:
        return self.entry.learner

    @property
    def history_status(self) -> str:
        """corroborated, contradicted or unverifiable (grader/pipeline/history_evidence.py);
        "" without a weighed history (none submitted, not graded, an older result)."""
        evidence = self.result.history_evidence
        status = evidence.get("status") if isinstance(evidence, dict) else None
        return status if isinstance(status, str) else ""

    @property
    def history_detail(self) -> str:
        evidence = self.result.history_evidence
        detail = evidence.get("detail") if isinstance(evidence, dict) else None
        return detail if isinstance(detail, str) else ""

    @property
    def progress_label(self) -> str:
        """What the progress line says once this learner is done, whichever engine graded."""
        if self.status == GRADED:
            return f"{self.learner} {self.result.score:g}/{self.result.max_score:g}"
        return f"{self.learner} could not be graded"
