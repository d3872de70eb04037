"""Human-readable report: one line per check, with the expected vs found message."""

from __future__ import annotations

import textwrap

from grader.i18n import in_its_language, tr
from grader.model.results import GradeResult
from grader.reporters.learner import repeated

_COLORS = {"ok": "\033[32m", "fail": "\033[31m", "dim": "\033[2m", "bold": "\033[1m",
           "end": "\033[0m"}


@in_its_language
def render_text(result: GradeResult, color: bool = False) -> str:
    def paint(text: str, key: str) -> str:
        return f"{_COLORS[key]}{text}{_COLORS['end']}" if color else text

    lines = [paint(f"{result.assignment}: {result.notebook}", "bold"),
             paint(tr("graded with {how} in {seconds:.1f} s", how=result.graded_with(),
                      seconds=result.duration_s), "dim"), ""]
    for note in result.notes:
        lines += textwrap.wrap(note, 96, initial_indent="! ", subsequent_indent="  ")
    if result.notes:
        lines.append("")
    for part in result.parts:
        header = paint(part.name, "bold") + f"  {part.score:g}/{part.max_score:g}"
        if part.source_rule:
            header += paint("   " + tr("(from {rule})", rule=part.source_rule), "dim")
        lines.append(header)
        again = repeated(part)
        for at, test in enumerate(part.tests):
            mark = paint(tr("PASS"), "ok") if test.passed else paint(tr("FAIL"), "fail")
            lines.append(f"  {mark} {test.name}  [{test.points:g}/{test.max_points:g}]")
            if not test.passed:
                if at in again:
                    lines.append(paint("       " + tr("(same reason as above)"), "dim"))
                else:
                    lines += textwrap.wrap(test.message, 92, initial_indent="       ",
                                           subsequent_indent="       ")
        label = "  " + tr("note:") + " "
        for note in part.notes:
            lines += textwrap.wrap(note, 92, initial_indent=label,
                                   subsequent_indent=" " * len(label))
        lines.append("")
    verdict = paint(tr("PASSED"), "ok") if result.passed else paint(tr("NOT PASSED"), "fail")
    lines.append(tr("Score: {score:g}/{max_score:g} (pass mark {pass_mark:g})  {verdict}",
                    score=result.score, max_score=result.max_score,
                    pass_mark=result.pass_mark, verdict=verdict))
    return "\n".join(lines) + "\n"
