"""The feedback as a notebook: the learner's own (trimmed) notebook with a summary cell at
the top and a markdown cell after each graded cell, to open in Jupyter or Colab.

Learner strings are HTML-escaped and markdown's punctuation backslash-escaped, so a message
quoting `<script>` or `*args` shows as written and renders nothing."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat

from grader.model.results import GradeResult, PartResult
from grader.reporters.feedback.prepare import META, Marks
from grader.reporters.learner import checks_summary, verdict

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")


def md(text: object) -> str:
    """Plain text that renders as itself in Jupyter's markdown."""
    escaped = html.escape(str(text), quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped).replace("\n", "  \n")


def part_markdown(part: PartResult, lines: list[int] | None = None) -> str:
    out = [f"### Feedback on {md(part.name)}: {part.score:g}/{part.max_score:g} points, "
           f"{checks_summary(part)}", ""]
    if lines:
        out += [f"The failure comes from line{'s' * (len(lines) > 1)} "
                f"{', '.join(map(str, lines))} of the cell above.", ""]
    for test in part.tests:
        if test.passed:
            out.append(f"- ✔ passed: {md(test.name)}")
        else:
            out.append(f"- ✘ **failed** (0/{test.max_points:g}): {md(test.name)}  \n"
                       f"  {md(test.message)}")
    out += [f"\n*Note:* {md(n)}" for n in part.notes]
    return "\n".join(out)


def summary_markdown(result: GradeResult, marks: Marks) -> str:
    label, advice = verdict(result)
    placed = {part.name: cell for cell, part in marks.parts.items()}
    out = [f"# Feedback on {md(Path(result.notebook).name or 'your notebook')} "
           f"({md(result.assignment)})", "",
           f"**Score {result.score:g}/{result.max_score:g}, pass mark {result.pass_mark:g}: "
           f"{label}**  ", md(advice), "", "| part | points | checks passed | feedback |",
           "|---|---|---|---|"]
    for part in result.parts:
        where = f"after cell {placed[part.name] + 1}" if part.name in placed else "below"
        out.append(f"| {md(part.name)} | {part.score:g}/{part.max_score:g} | "
                   f"{sum(t.passed for t in part.tests)} of {len(part.tests)} | {where} |")
    curves = result.curves or {}
    if curves.get("accuracy") and curves.get("val_accuracy"):
        out += ["", f"Final training accuracy {curves['accuracy'][-1]:.3f}, validation "
                f"accuracy {curves['val_accuracy'][-1]:.3f} after {len(curves['accuracy'])} "
                "epochs."]
    out += [""] + [f"- {md(n)}" for n in result.notes]
    for part in result.parts:
        if part.name not in placed:
            out += ["", part_markdown(part)]
    out += ["", f"*Graded with {md(result.graded_with())}.*"]
    return "\n".join(out)


def _markdown_cell(nb, source: str, part: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source, metadata={"c2_grader_feedback": part})
    if nb.get("nbformat_minor", 0) < 5:  # cell ids came with nbformat 4.5
        del cell["id"]
    return cell


def render_notebook(result: GradeResult, nb, marks: Marks) -> str:
    """The prepared notebook with the feedback cells inserted, as .ipynb JSON."""
    cells = [_markdown_cell(nb, summary_markdown(result, marks), "summary")]
    for cell in nb.cells:
        meta = cell.metadata.pop(META, {})
        cells.append(cell)
        part = marks.parts.get(meta.get("index"))
        if part is not None:
            cells.append(_markdown_cell(nb, part_markdown(part, meta.get("lines")), part.name))
    nb.cells = cells
    return nbformat.writes(nb)
