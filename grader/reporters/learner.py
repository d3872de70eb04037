"""Feedback for the learner (`grader check`, the notebook self-check, CI logs).

Unlike the text report it shows no grading internals: no timings, no rule that found the
function, and the grader's own folders are redacted from every message. Each failure keeps
its expected-vs-found message, which already says what to try.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

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
    return (f"all {len(part.tests)} checks passed" if not failed
            else f"{failed} of {len(part.tests)} checks failed")


def render_part(part: PartResult, color: bool = False) -> list[str]:
    """One function's checks: every check named, failures with their message."""
    summary = checks_summary(part)
    lines = [_paint(part.name, "bold", color)
             + f": {part.score:g}/{part.max_score:g} points, {summary}"]
    previous = None
    for test in part.tests:
        if test.passed:
            lines.append(f"  {_paint('passed', 'ok', color)}  {test.name}")
            continue
        lines.append(f"  {_paint('FAILED', 'fail', color)}  {test.name}  "
                     f"(0/{test.max_points:g})")
        if test.message == previous:
            lines.append("          (same reason as above)")
        else:
            lines += wrap(test.message, "          ")
        previous = test.message
    for note in part.notes:
        lines += wrap(note, "  note: ")
    return lines


def verdict(result: GradeResult) -> tuple[str, str]:
    """The verdict and what to do next, shared by every learner rendering."""
    if result.passed:
        advice = "Your notebook reaches the pass mark: submit it as it is."
        if any(not t.passed for p in result.parts for t in p.tests):
            advice += " The failures still cost points if you want to fix them."
        return "PASSED", advice
    return "NOT PASSED YET", ("Fix the first failing check of each function (later checks "
                              "often fail for the same reason), save the notebook, and run "
                              "the check again.")


def render_learner(result: GradeResult, color: bool = False) -> str:
    name = Path(result.notebook).name or "your notebook"
    lines = [_paint(f"Checking {name} as {result.assignment} ({result.graded_with()})",
                    "bold", color), ""]
    for note in result.notes:
        lines += wrap(note, "! ")
    if result.notes:
        lines.append("")
    for part in result.parts:
        lines += render_part(part, color) + [""]
    label, advice = verdict(result)
    verdict_text = _paint(label, "ok" if result.passed else "fail", color)
    lines.append(f"Score: {result.score:g}/{result.max_score:g} (pass mark "
                 f"{result.pass_mark:g})  {verdict_text}")
    lines += textwrap.wrap(advice, WIDTH)
    return "\n".join(lines) + "\n"
