"""Human-readable report: one line per check, with the expected vs found message."""

from __future__ import annotations

import textwrap

from grader.model.results import GradeResult

_COLORS = {"ok": "\033[32m", "fail": "\033[31m", "dim": "\033[2m", "bold": "\033[1m",
           "end": "\033[0m"}


def render_text(result: GradeResult, color: bool = False) -> str:
    def paint(text: str, key: str) -> str:
        return f"{_COLORS[key]}{text}{_COLORS['end']}" if color else text

    lines = [paint(f"{result.assignment}: {result.notebook}", "bold"),
             paint(f"graded with {result.graded_with()} in {result.duration_s:.1f} s", "dim"), ""]
    for note in result.notes:
        lines += textwrap.wrap(note, 96, initial_indent="! ", subsequent_indent="  ")
    if result.notes:
        lines.append("")
    for part in result.parts:
        header = paint(part.name, "bold") + f"  {part.score:g}/{part.max_score:g}"
        if part.source_rule:
            header += paint(f"   (from {part.source_rule})", "dim")
        lines.append(header)
        previous = None
        for test in part.tests:
            mark = paint("PASS", "ok") if test.passed else paint("FAIL", "fail")
            lines.append(f"  {mark} {test.name}  [{test.points:g}/{test.max_points:g}]")
            if not test.passed:
                if test.message == previous:
                    lines.append(paint("       (same reason as above)", "dim"))
                else:
                    lines += textwrap.wrap(test.message, 92, initial_indent="       ",
                                           subsequent_indent="       ")
                previous = test.message
        for note in part.notes:
            lines += textwrap.wrap(note, 92, initial_indent="  note: ",
                                   subsequent_indent="        ")
        lines.append("")
    verdict = paint("PASSED", "ok") if result.passed else paint("NOT PASSED", "fail")
    lines.append(f"Score: {result.score:g}/{result.max_score:g} (pass mark "
                 f"{result.pass_mark:g})  {verdict}")
    return "\n".join(lines) + "\n"
