"""The feedback as a notebook: the learner's own (trimmed) notebook with a summary cell at
the top and a markdown cell after each graded cell, to open in Jupyter or Colab.

Learner strings are HTML-escaped and markdown's punctuation backslash-escaped, so a message
quoting `<script>` or `*args` shows as written and renders nothing.

A learner's markdown cell can say anything, so the grader's cells carry a seal: 16 hex digits of
a SHA-256 over the learner's cells and the grade, shown in every grader cell and in its
`c2_grader_seal` metadata. A cell of the notebook cannot hold the digest of itself, so a cell
without the seal of the summary at the top is not the grader's (and learner cells lose any
`c2_grader*` metadata in `prepare`)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import nbformat

from grader.i18n import in_its_language, tr
from grader.model.results import GradeResult, PartResult
from grader.reporters.escape import markdown_text as md
from grader.reporters.feedback.prepare import META, Marks
from grader.reporters.learner import checks_summary, repeated, verdict

SEAL_KEY = "c2_grader_seal"


def seal_of(nb, result: GradeResult) -> str:
    """The digest that marks the grader's cells: of the learner's cells and the grade."""
    digest = hashlib.sha256(nbformat.writes(nb).encode())
    digest.update(json.dumps(result.to_dict(), sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]


def _sealed(seal: str) -> str:
    return "> " + tr("**Grader's feedback** · seal `{seal}`", seal=seal)


def part_markdown(part: PartResult, lines: list[int] | None = None, seal: str = "") -> str:
    out = [_sealed(seal), ""] if seal else []
    out += ["### " + tr("Feedback on {name}: {score:g}/{max_score:g} points, {summary}",
                        name=md(part.name), score=part.score, max_score=part.max_score,
                        summary=checks_summary(part)), ""]
    if lines:
        shown = ", ".join(map(str, lines))
        out += [tr("The failure comes from lines {lines} of the cell above.", lines=shown)
                if len(lines) > 1 else
                tr("The failure comes from line {lines} of the cell above.", lines=shown), ""]
    again = repeated(part)
    for at, test in enumerate(part.tests):
        if test.passed:
            out.append(tr("- ✔ passed: {name}", name=md(test.name)))
        else:
            out.append(tr("- ✘ **failed** (0/{max_points:g}): {name}  \n  {text}",
                          max_points=test.max_points, name=md(test.name),
                          text=tr("(same reason as above)") if at in again
                          else md(test.message)))
    out += ["\n" + tr("*Note:* {note}", note=md(n)) for n in part.notes]
    return "\n".join(out)


@in_its_language
def summary_markdown(result: GradeResult, marks: Marks, seal: str = "") -> str:
    label, advice = verdict(result)
    placed = {part.name: cell for cell, part in marks.parts.items()}
    name = md(Path(result.notebook).name or tr("your notebook"))
    score = tr("Score {score:g}/{max_score:g}, pass mark {pass_mark:g}: {label}",
               score=result.score, max_score=result.max_score, pass_mark=result.pass_mark,
               label=label)
    header = " | ".join((tr("part"), tr("points"), tr("checks passed"), tr("feedback")))
    out = ([_sealed(seal), "> ", "> " + tr(
        "The grader wrote this cell and each cell that begins with this seal. The seal is "
        "computed from every cell of the notebook, so no cell the notebook held can carry it: "
        "a cell without it is not the grader's."), ""] if seal else [])
    out += ["# " + tr("Feedback on {name} ({assignment})", name=name,
                      assignment=md(result.assignment)), "",
            f"**{score}**  ", md(advice), "", f"| {header} |", "|---|---|---|---|"]
    for part in result.parts:
        where = (tr("after cell {n}", n=placed[part.name] + 1) if part.name in placed
                 else tr("below"))
        passed = tr("{passed} of {total}", passed=sum(t.passed for t in part.tests),
                    total=len(part.tests))
        out.append(f"| {md(part.name)} | {part.score:g}/{part.max_score:g} | "
                   f"{passed} | {where} |")
    curves = result.curves or {}
    if curves.get("accuracy") and curves.get("val_accuracy"):
        out += ["", tr("Final training accuracy {accuracy:.3f}, validation accuracy "
                       "{val_accuracy:.3f} after {epochs} epochs.",
                       accuracy=curves["accuracy"][-1], val_accuracy=curves["val_accuracy"][-1],
                       epochs=len(curves["accuracy"]))]
    out += [""] + [f"- {md(n)}" for n in result.notes]
    for part in result.parts:
        if part.name not in placed:
            out += ["", part_markdown(part)]  # in the sealed summary
    out += ["", "*" + tr("Graded with {how}.", how=md(result.graded_with())) + "*"]
    return "\n".join(out)


def _markdown_cell(nb, source: str, part: str, seal: str) -> nbformat.NotebookNode:
    """A grader's cell; its id (from the seal, so no learner cell has it) keeps the output
    the same for the same notebook and grade."""
    cell = nbformat.v4.new_markdown_cell(source, metadata={"c2_grader_feedback": part,
                                                           SEAL_KEY: seal})
    if nb.get("nbformat_minor", 0) < 5:  # cell ids came with nbformat 4.5
        del cell["id"]
    else:
        cell["id"] = re.sub(r"[^\w-]", "-", f"grader-{seal}-{part}", flags=re.ASCII)[:64]
    return cell


@in_its_language
def render_notebook(result: GradeResult, nb, marks: Marks) -> str:
    """The prepared notebook with the feedback cells inserted, as .ipynb JSON."""
    metas = [cell.metadata.pop(META, {}) for cell in nb.cells]
    seal = seal_of(nb, result)
    cells = [_markdown_cell(nb, summary_markdown(result, marks, seal), "summary", seal)]
    for cell, meta in zip(nb.cells, metas, strict=True):
        cells.append(cell)
        part = marks.parts.get(meta.get("index"))
        if part is not None:
            cells.append(_markdown_cell(nb, part_markdown(part, meta.get("lines"), seal),
                                        part.name, seal))
    nb.cells = cells
    return nbformat.writes(nb)
