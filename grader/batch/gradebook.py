"""gradebook.csv: one row per learner, a column per part score, then total, passed, status,
and, for an assignment with a history, how the history compares with the notebook's training
output (history_evidence: corroborated, contradicted, unverifiable; empty without one), to
sort by."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from grader.batch.rows import LearnerRow
from grader.model.files import atomic_write
from grader.model.spec import AssignmentSpec

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral(text: str) -> str:
    """Spreadsheets run a cell that starts like a formula; learner text must not."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def gradebook(rows: list[LearnerRow], spec: AssignmentSpec) -> pd.DataFrame:
    records = []
    for row in rows:
        scores = {p.name: p.score for p in row.result.parts}
        records.append({
            "learner": neutral(row.learner),
            **{part.name: scores.get(part.name, 0.0) for part in spec.parts},
            "total": row.result.score,
            "max_score": row.result.max_score,
            "passed": row.result.passed,
            "status": row.status,
            "source": neutral(row.entry.source),
            "reason": neutral(row.reason),
            "history_evidence": row.history_status,
        })
    columns = ["learner", *(p.name for p in spec.parts), "total", "max_score", "passed",
               "status", "source", "reason", *(["history_evidence"] if spec.history else [])]
    return pd.DataFrame.from_records(records, columns=columns)


def points(value: float) -> str:
    """A score as a person writes it: 6, 6.5, 33.33; never 6.0."""
    return f"{round(value, 2):g}"


def write_gradebook(path: Path, rows: list[LearnerRow], spec: AssignmentSpec) -> None:
    atomic_write(path, gradebook(rows, spec).to_csv(index=False, float_format=points))
