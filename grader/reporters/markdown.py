"""Markdown for CI job summaries: one table row per notebook, then each learner report.

The summary is shown to whoever opened the pull request (the learner), so every message goes
through the learner rendering and its redaction, and every learner string (a notebook's name
can hold `|`, newlines or HTML) is escaped by `grader.reporters.escape`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from grader.i18n import in_its_language, language, tr
from grader.model.redact import redact
from grader.model.results import GradeResult
from grader.reporters.escape import html_line, markdown_cell
from grader.reporters.learner import render_learner

MAX_FAILING_LISTED = 3


@dataclass
class SummaryRow:
    """One graded (or ungradable) notebook, as the summary table shows it."""

    notebook: str
    assignment: str = "?"
    score: float = 0.0
    max_score: float = 0.0
    passed: bool = False
    failing: list[str] = field(default_factory=list)
    error: str | None = None  # why it could not be graded
    report: str = ""  # the learner rendering, shown folded under the table
    graded_with: str = ""  # Keras, TensorFlow, Python and sandbox level
    language: str | None = None  # the result's (grader/i18n); None: the summary's current one

    @classmethod
    def from_result(cls, notebook: str, result: GradeResult) -> SummaryRow:
        failing = [f"{p.name}: {t.name}" for p in result.parts for t in p.tests if not t.passed]
        with language(result.language):
            return cls(notebook, result.assignment, result.score, result.max_score,
                       result.passed, failing, report=render_learner(result),
                       graded_with=result.graded_with(), language=result.language)


@in_its_language
def render_markdown(result: GradeResult, color: bool = False) -> str:
    """One result as a CI job summary shows it: its table row, then its feedback."""
    return summary_table([SummaryRow.from_result(Path(result.notebook).name or result.notebook,
                                                 result)])


def _failing(row: SummaryRow) -> str:
    """Each failing check by name when there are few, else a count per function."""
    if row.error:
        return tr("could not grade: {error}", error=redact(row.error))
    if not row.failing:
        return tr("none")
    if len(row.failing) <= MAX_FAILING_LISTED:
        return "; ".join(row.failing)
    counts: dict[str, int] = {}
    for check in row.failing:
        part = check.split(": ", 1)[0]
        counts[part] = counts.get(part, 0) + 1
    return "; ".join(tr("{part} ({n} failed)", part=part, n=n) for part, n in counts.items())


def summary_table(rows: list[SummaryRow], title: str | None = None) -> str:
    """The summary in the rows' language (the first that has one), else the current one."""
    with language(next((r.language for r in rows if r.language), None)):
        return _summary_table(rows, title)


def _summary_table(rows: list[SummaryRow], title: str | None) -> str:
    lines = ["### " + (title or tr("Assignment grading")), "",
             tr("| notebook | assignment | score | passed | failing checks |"),
             "| --- | --- | --- | --- | --- |"]
    for row in rows:
        score = "-" if row.error else f"{row.score:g}/{row.max_score:g}"
        passed = tr("yes") if row.passed else tr("**no**")
        lines.append(f"| {markdown_cell(row.notebook)} | {markdown_cell(row.assignment)} | "
                     f"{score} | {passed} | {markdown_cell(_failing(row))} |")
    lines.append("")
    for how in dict.fromkeys(r.graded_with for r in rows if r.graded_with):
        lines += [tr("Graded with {how}.", how=markdown_cell(how)), ""]
    for row in rows:
        if row.report:
            report = html.escape(row.report.rstrip(), quote=False)  # in <pre>: lines kept
            summary = tr("{name}: feedback", name=html_line(row.notebook))
            lines += [f"<details><summary>{summary}</summary>", "", "<pre>", report,
                      "</pre>", "", "</details>", ""]
    return "\n".join(lines) + "\n"
