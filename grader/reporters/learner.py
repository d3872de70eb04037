"""Feedback for the learner (`grader check`, the notebook self-check, CI logs).

Unlike the text report it shows no grading internals: no timings, no rule that found the
function, and the grader's own folders are redacted from every message. Each failure keeps
its expected-vs-found message, which already says what to try.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from grader.i18n import in_its_language, tr
from grader.model.results import GradeResult, PartResult

_COLORS = {"ok": "\033[32m", "fail": "\033[31m", "bold": "\033[1m", "end": "\033[0m"}
WIDTH = 96


def _paint(text: str, key: str, color: bool) -> str:
    return f"{_COLORS[key]}{text}{_COLORS['end']}" if color else text


def wrap(text: str, indent: str) -> list[str]:
    """Wrapped, never splitting a word or path (a learner copies them); grade() has already
    redacted the grader's folders."""
    return textwrap.wrap(text, WIDTH, initial_indent=indent,
                         subsequent_indent=" " * len(indent), break_on_hyphens=False,
                         break_long_words=False) or [indent.rstrip()]


def checks_summary(part: PartResult) -> str:
    """'all 6 checks passed' or '2 of 6 checks failed', for every learner rendering."""
    failed = sum(not t.passed for t in part.tests)
    return (tr("all {n} checks passed", n=len(part.tests)) if not failed
            else tr("{failed} of {n} checks failed", failed=failed, n=len(part.tests)))


def repeated(part: PartResult) -> set[int]:
    """The failed checks whose message an earlier failed check of the part already gave: one
    cause is told once, and these say "(same reason as above)" in every rendering."""
    told, out = set(), set()
    for at, test in enumerate(part.tests):
        if not test.passed:
            if test.message in told:
                out.add(at)
            told.add(test.message)
    return out


def render_part(part: PartResult, color: bool = False) -> list[str]:
    """One function's checks: every check named, failures with their message."""
    summary = checks_summary(part)
    lines = [tr("{name}: {score:g}/{max_score:g} points, {summary}",
                name=_paint(part.name, "bold", color), score=part.score,
                max_score=part.max_score, summary=summary)]
    again = repeated(part)
    for at, test in enumerate(part.tests):
        if test.passed:
            lines.append("  " + _paint(tr("passed"), "ok", color) + f"  {test.name}")
            continue
        lines.append("  " + _paint(tr("FAILED"), "fail", color)
                     + f"  {test.name}  (0/{test.max_points:g})")
        if at in again:
            lines.append("          " + tr("(same reason as above)"))
        else:
            lines += wrap(test.message, "          ")
    for note in part.notes:
        lines += wrap(note, "  " + tr("note:") + " ")
    return lines


def verdict(result: GradeResult) -> tuple[str, str]:
    """The verdict and what to do next, shared by every learner rendering."""
    if result.passed:
        advice = tr("Your notebook reaches the pass mark: submit it as it is.")
        if any(not t.passed for p in result.parts for t in p.tests):
            advice += " " + tr("The failures still cost points if you want to fix them.")
        return tr("PASSED"), advice
    return tr("NOT PASSED YET"), tr("Fix the first failing check of each function (later "
                                    "checks often fail for the same reason), save the "
                                    "notebook, and run the check again.")


@in_its_language
def render_learner(result: GradeResult, color: bool = False) -> str:
    name = Path(result.notebook).name or tr("your notebook")
    lines = [_paint(tr("Checking {name} as {assignment} ({how})", name=name,
                       assignment=result.assignment, how=result.graded_with()),
                    "bold", color), ""]
    for note in result.notes:
        lines += wrap(note, "! ")
    if result.notes:
        lines.append("")
    for part in result.parts:
        lines += render_part(part, color) + [""]
    label, advice = verdict(result)
    verdict_text = _paint(label, "ok" if result.passed else "fail", color)
    lines.append(tr("Score: {score:g}/{max_score:g} (pass mark {pass_mark:g})  {verdict}",
                    score=result.score, max_score=result.max_score,
                    pass_mark=result.pass_mark, verdict=verdict_text))
    lines += textwrap.wrap(advice, WIDTH)
    return "\n".join(lines) + "\n"
