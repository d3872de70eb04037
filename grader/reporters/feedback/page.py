"""The feedback page: the learner's notebook through nbconvert's HTML exporter, with our
template placing a feedback block after each graded cell and our own highlighting (marked
lines, line numbers), inside a page that forbids every script.

Three layers keep learner content inert: every learner string we render is escaped
(pygments for code, `html.escape` for messages), markdown is cleaned with an allow-list that
keeps no class, id, style, script or handler (`sanitize`), and the page's
Content-Security-Policy allows no script, no fetch and no image but inline data.

The learner cannot impersonate the grader: the notebook sits in a frame labelled as the
learner's, the grader's summary and blocks in frames of their own with a "Grader" badge, and
both are drawn by classes that no learner content keeps (cells' tags and ids are dropped too).
"""

from __future__ import annotations

import functools
import html
import logging
import secrets
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.filters import strip_ansi
from pygments import highlight
from pygments.formatters import HtmlFormatter

try:  # IPython 9 moved its lexers (`!pip`, `%matplotlib` lines) into their own package
    from ipython_pygments_lexers import IPython3Lexer
except ImportError:  # IPython 8, the course's
    from IPython.lib.lexers import IPython3Lexer

from grader.i18n import N_, current, in_its_language, tr
from grader.model.memo import Memo, code_digest, key_of
from grader.model.results import GradeResult, PartResult
from grader.reporters import charts
from grader.reporters.feedback.prepare import META, Marks
from grader.reporters.feedback.sanitize import markdown_html
from grader.reporters.learner import checks_summary, repeated, verdict

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
# What a memo of rendered cells depends on beyond the notebook: this code and its libraries.
_CODE_DIGEST = code_digest(__file__, str(Path(__file__).with_name("sanitize.py")),
                           packages=("nbconvert", "pygments", "mistune", "bleach", "ipython"))
_PART_COLUMNS = (N_("part"), N_("points"), N_("checks passed"), N_("feedback"))
_TEMPLATE = """{%- extends 'basic/index.html.j2' -%}
{% block input %}{{ resources.c2_inputs[cell.metadata.c2_grader.index] }}{% endblock input %}
{% block markdowncell %}<div class="cell text_cell"><div class="rendered_html">{{
  resources.c2_markdown[cell.metadata.c2_grader.index] }}</div></div>{% endblock markdowncell %}
{% block codecell %}{{ super() }}{{
  resources.c2_blocks.get(cell.metadata.c2_grader.index, '') }}{% endblock codecell %}
"""
_CSS = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d1f21; }
main { max-width: 1040px; margin: 0 auto; padding: 16px 24px 64px; background: #fff; }
h1 { font-size: 1.5em; margin: .4em 0; }
.c2-summary { border: 2px solid #2b4c7e; border-radius: 8px; background: #f3f6fb;
  padding: 10px 18px 12px; margin-bottom: 24px; }
.c2-badge { display: inline-block; margin: 0 0 4px; padding: 1px 8px; border-radius: 4px;
  background: #2b4c7e; color: #fff; font: 600 11px/1.6 system-ui, sans-serif;
  letter-spacing: .06em; text-transform: uppercase; }
.c2-notebook { border: 1px dashed #9aa3ad; border-radius: 8px; padding: 0 16px 16px; }
.c2-notebook-label { margin: 0 -16px 12px; padding: 6px 16px; background: #f4f5f7; color: #555;
  font-size: .9em; border-bottom: 1px dashed #9aa3ad; border-radius: 8px 8px 0 0; }
.rendered_html pre { background: #f7f8fa; padding: 6px 8px; overflow-x: auto; }
.rendered_html img { max-width: 100%; }
.rendered_html table { border-collapse: collapse; }
.rendered_html td, .rendered_html th { border: 1px solid #e0e3e8; padding: 2px 8px; }
.c2-verdict { font-size: 1.2em; font-weight: 600; }
.ok { color: #1e7b34; } .fail { color: #b3261e; }
table.c2-parts { border-collapse: collapse; margin: 8px 0; }
table.c2-parts td, table.c2-parts th { border: 1px solid #d0d4da; padding: 3px 10px;
  text-align: left; }
.c2-env { color: #555; font-size: .9em; }
.cell { margin: 10px 0; } .text_cell { padding: 0 4px; }
.input { display: flex; gap: 8px; }
.prompt { color: #607080; min-width: 5.5em; font: 12px monospace; }
.c2-cellno { color: #607080; font: 12px monospace; }
.highlight { background: #f7f8fa; border: 1px solid #e0e3e8; padding: 6px 8px; overflow-x: auto;
  flex: 1; }
.highlight pre { margin: 0; font: 13px/1.45 ui-monospace, monospace; }
.highlight .hll { background: #ffe3a3; display: block; }  /* its own row, full width */
.highlight .err { border: none; }
.linenos { color: #9aa3ad; margin-right: 8px; user-select: none; }
.output_area pre { margin: 2px 0 2px 6.5em; font: 12px/1.4 monospace; white-space: pre-wrap;
  overflow-x: auto; }
.output_area img { margin-left: 6.5em; max-width: 80%; }
.output_area .prompt { display: none; }
.c2-feedback { border: 2px solid #b3261e; background: #fdf3f2; border-radius: 6px;
  padding: 8px 14px; margin: 6px 0 22px 6.5em; box-shadow: 0 1px 4px rgba(0, 0, 0, .15); }
.c2-feedback.passed { border-color: #1e7b34; background: #f1f9f2; }
.c2-feedback h3 { margin: 4px 0; font-size: 1.05em; }
.c2-feedback ul { margin: 4px 0; padding-left: 1.2em; }
.c2-feedback li { margin: 3px 0; } .c2-message { margin: 2px 0 6px; white-space: pre-wrap; }
.c2-marked { background: #ffe3a3; padding: 0 4px; } .c2-again { color: #555; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _badge() -> str:
    """The mark on every block the grader wrote; learner content cannot carry its class."""
    return f'<p class="c2-badge">{_e(tr("Grader"))}</p>'


@functools.cache
def _exporter() -> HTMLExporter:
    """One exporter per process: building its Jinja environment is most of its cost."""
    exporter = HTMLExporter(template_name="basic", raw_template=_TEMPLATE, sanitize_html=True,
                            exclude_anchor_links=True)
    exporter.log.setLevel(logging.ERROR)  # not "alternative text is missing" per plot
    return exporter


def _code_html(source: str, index: int, lines: list[int], graded: bool) -> str:
    formatter = HtmlFormatter(hl_lines=lines, linenos="inline" if graded or lines else False,
                              cssclass="highlight")
    number = _e(tr("cell {n}", n=index + 1))
    return (f'<div class="c2-cellno">{number}</div>'
            + highlight(source or " ", IPython3Lexer(), formatter))


def part_block(part: PartResult, lines: list[int] | None = None) -> str:
    """Every check of one part: passed or failed with its message (expected, found, what to
    try), the part's notes, and the lines marked in its cell."""
    failed = [t for t in part.tests if not t.passed]
    state = "failed" if failed else "passed"
    items = []
    passed, failed_label = _e(tr("passed")), _e(tr("failed"))
    again = repeated(part)
    for at, test in enumerate(part.tests):
        if test.passed:
            items.append(f'<li><span class="ok">&#10004; {passed}</span> {_e(test.name)}</li>')
        else:
            message = (f'<p class="c2-message c2-again">{_e(tr("(same reason as above)"))}</p>'
                       if at in again else f'<p class="c2-message">{_e(test.message)}</p>')
            items.append(f'<li><span class="fail">&#10008; {failed_label}</span> '
                         f"{_e(test.name)} (0/{test.max_points:g}){message}</li>")
    notes = "".join('<p class="c2-note">' + _e(tr("Note: {note}", note=n)) + "</p>"
                    for n in part.notes)
    marked = ""
    if lines:
        shown = ", ".join(str(n) for n in lines)
        marked = ("<p>" + (tr('The <span class="c2-marked">marked</span> lines ({lines}) of '
                              "this cell are where a failure comes from.", lines=shown)
                           if len(lines) > 1 else
                           tr('The <span class="c2-marked">marked</span> line ({lines}) of '
                              "this cell is where a failure comes from.", lines=shown))
                  + "</p>")
    heading = _e(tr("Feedback on {name}: {score:g}/{max_score:g} points, {summary}",
                    name=part.name, score=part.score, max_score=part.max_score,
                    summary=checks_summary(part)))
    return (f'<section class="c2-feedback {state}" id="feedback-{_e(part.name)}" '
            f'data-part="{_e(part.name)}">{_badge()}<h3>{heading}</h3>'
            f"{marked}<ul>{''.join(items)}</ul>{notes}</section>")


def _curves(result: GradeResult, memo: Memo | None = None) -> str:
    curves = result.curves
    if not curves:
        return ""
    if "error" in curves:
        return "<p>" + _e(tr("No accuracy curves: {error}", error=curves["error"])) + "</p>"
    acc, val = curves.get("accuracy"), curves.get("val_accuracy")
    if not acc or not val:
        return ""
    targets = curves.get("targets")
    if not (isinstance(targets, list) and len(targets) == 2
            and all(isinstance(t, float) for t in targets)):
        targets = None  # a result written before targets were kept
    image = charts.accuracy_curves(list(acc), list(val), tr("your training history"),
                                   tuple(targets) if targets else None, memo)
    alt = _e(tr("training and validation accuracy per epoch"))
    return f'<figure><img alt="{alt}" src="data:image/png;base64,{image}"></figure>'


@in_its_language
def summary_html(result: GradeResult, marks: Marks, problem: str | None,
                 memo: Memo | None = None) -> str:
    label, advice = verdict(result)
    rows, unplaced = [], []
    placed = {part.name for part in marks.parts.values()}
    for part in result.parts:
        where = _e(tr("cell {n}", n=part.cell + 1) if part.name in placed else tr("below"))
        if part.name in placed:
            where = f'<a href="#feedback-{_e(part.name)}">{where}</a>'
        if part.name not in placed:
            unplaced.append(part_block(part))
        passed = _e(tr("{passed} of {total}", passed=sum(t.passed for t in part.tests),
                       total=len(part.tests)))
        rows.append(f"<tr><td>{_e(part.name)}</td><td>{part.score:g}/{part.max_score:g}</td>"
                    f"<td>{passed}</td><td>{where}</td></tr>")
    notes = "".join(f"<li>{_e(n)}</li>" for n in result.notes)
    shown = ('<p class="fail">' + _e(tr("Your notebook cannot be shown: {problem}",
                                         problem=problem)) + "</p>" if problem else "")
    name = Path(result.notebook).name or tr("your notebook")
    title = _e(tr("Feedback on {name} ({assignment})", name=name,
                  assignment=result.assignment))
    score = _e(tr("Score {score:g}/{max_score:g}, pass mark {pass_mark:g}: {label}",
                  score=result.score, max_score=result.max_score,
                  pass_mark=result.pass_mark, label=label))
    header = "".join(f"<th>{_e(tr(h))}</th>" for h in _PART_COLUMNS)
    graded = _e(tr("Graded with {how}.", how=result.graded_with()))
    return (f'<header class="c2-summary">{_badge()}<h1>{title}</h1>'
            f'<p class="c2-verdict {"ok" if result.passed else "fail"}">{score}</p>'
            f'<p>{_e(advice)}</p><table class="c2-parts"><tr>{header}</tr>{"".join(rows)}'
            f"</table>{_curves(result, memo)}"
            f"{f'<ul>{notes}</ul>' if notes else ''}{shown}{''.join(unplaced)}"
            f'<p class="c2-env">{graded}</p></header>')


def _without_colors(output: dict) -> None:
    """Terminal colors off a learner output: the exporter turns them into `style`
    attributes, and learner content keeps none."""
    for key in ("text", "traceback"):
        if key in output:
            value = output[key]
            output[key] = ([strip_ansi(str(v)) for v in value] if isinstance(value, list)
                           else strip_ansi(str(value)))
    data = output.get("data") or {}
    if "text/plain" in data:
        data["text/plain"] = strip_ansi(str(data["text/plain"]))


def _learner_frame(body: str) -> str:
    """The notebook's cells in a frame that says whose they are; the grader's blocks between
    them keep their own frame and badge."""
    label = _e(tr("Your notebook as submitted"))
    note = _e(tr("Everything in this dashed frame comes from the notebook. Only the framed "
                 "blocks marked “{badge}” are the grader's.", badge=tr("Grader")))
    return (f'<section class="c2-notebook" aria-label="{label}">'
            f'<p class="c2-notebook-label"><strong>{label}.</strong> {note}</p>{body}</section>')


def _cells_html(nb, marks: Marks, slot: str) -> str:
    """The notebook's cells through nbconvert, with `slot.format(index=i)` where the grader's
    block for cell i goes: the costly half of a page, and the same for every rubric."""
    inputs, markdown, slots = {}, {}, {}
    for cell in nb.cells:
        index = cell.metadata[META]["index"]
        lines = cell.metadata[META]["lines"]
        cell.metadata = {META: cell.metadata[META]}  # no learner tag becomes a class
        if "id" in cell:
            cell.id = f"cell-{index + 1}"
        if cell.cell_type == "code":
            graded = index in marks.parts
            inputs[index] = _code_html(cell.source, index, lines, graded)
            for output in cell.get("outputs", []):
                _without_colors(output)
            if graded:
                slots[index] = slot.format(index=index)
        elif cell.cell_type == "markdown":
            markdown[index] = markdown_html(cell.source)
    body, _ = _exporter().from_notebook_node(
        nb, resources={"c2_inputs": inputs, "c2_markdown": markdown, "c2_blocks": slots})
    return body


def _notebook_html(nb, marks: Marks, memo: Memo | None) -> str:
    """The learner's frame with each graded cell's block in place. The cells are rendered
    with a slot per block, named with a random nonce (learner content cannot name it), and
    kept in `memo` by what they were rendered from: a rescore, which changes only the blocks,
    renders no cell again."""
    def render() -> str:
        nonce = secrets.token_hex(16)
        return nonce + "\n" + _cells_html(nb, marks, f"<!--c2-block-{nonce}-{{index}}-->")

    if memo is None:  # `grader feedback`: nothing to keep, no key to compute
        cells = render()
    else:
        cells = memo.get(key_of("cells", nbformat.writes(nb), sorted(marks.parts), current(),
                                _CODE_DIGEST), render)
    nonce, _, body = cells.partition("\n")
    for index, part in marks.parts.items():
        block = part_block(part, sorted(marks.lines.get(index, ())))
        body = body.replace(f"<!--c2-block-{nonce}-{index}-->", block, 1)
    return _learner_frame(body)


@in_its_language
def render_page(result: GradeResult, nb, marks: Marks, problem: str | None,
                memo: Memo | None = None) -> str:
    """The whole page; `nb` is the prepared notebook (None when it cannot be shown); `memo`
    keeps its costly renderings for the next time (grader/model/memo.py)."""
    body = _notebook_html(nb, marks, memo) if nb is not None else ""
    title = _e(tr("Feedback: {name}", name=Path(result.notebook).name or result.assignment))
    style = _CSS + HtmlFormatter(cssclass="highlight").get_style_defs(".highlight")
    return (f'<!DOCTYPE html>\n<html lang="{current()}"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title><style>{style}</style></head><body><main>"
            f"{summary_html(result, marks, problem, memo)}{body}</main></body></html>\n")
