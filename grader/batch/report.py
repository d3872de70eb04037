"""report.html: one self-contained page for the instructor (charts as base64 PNG; one script,
the learner table's sorter, which the Content-Security-Policy allows by its hash, and no
other). Every learner-provided string (ids, file names,
failure messages that quote learner code or exceptions) goes through html.escape."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from grader.api import curves_of, load_history, unit_curve
from grader.batch.journal import now_iso
from grader.batch.rows import CRASHED, GRADED, MISSING, LearnerRow
from grader.batch.similarity import Pair
from grader.model.files import atomic_write
from grader.model.memo import Memo
from grader.model.spec import AssignmentSpec
from grader.reporters import charts
from grader.reporters.feedback.page import CSP

TOP_MESSAGES = 10
MAX_PAIRS_SHOWN = 200
_SLASH = re.compile(r"(?<=\w)/+(?=['\")\s,.;:]|$)")  # '/tmp/x/' and '/tmp/x': one path
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1500px; }
.wide { overflow-x: auto; } #learners { font-size: 0.85em; } #learners td { white-space: nowrap; }
#learners td:last-child { white-space: normal; min-width: 16em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; }
.fail { color: #b03a2e; } .ok { color: #1e7b3c; }
.curves { display: flex; flex-wrap: wrap; gap: 0.5em; }
figure { margin: 0; border: 1px solid #ddd; padding: 0.3em; }
figcaption { font-size: 0.8em; text-align: center; }
a.aside { font-size: 0.8em; color: #666; }
th a { color: inherit; text-decoration: none; } th a::after { content: " \\2195"; color: #999; }
.bar { height: 0.5em; min-width: 1px; background: #5a9e6f; margin-left: auto; }
td.num:has(.bar) { width: 10em; }
"""
# The learner table sorts itself on a click on a header (which sets `#sort=N` or `#sort=N-desc`,
# so a sorted view is also a link). The page's policy runs this script and no other: it is
# allowed by its SHA-256, and no learner string is ever part of it (they are escaped text).
_SORT_SCRIPT = """(() => {
  const table = document.getElementById('learners');
  if (!table) return;
  const body = table.tBodies[0];
  const sort = () => {
    const m = /^#sort=(\\d+)(-desc)?$/.exec(location.hash);
    if (!m) return;
    const col = Number(m[1]), sign = m[2] ? -1 : 1;
    const key = row => {
      const cell = row.cells[col];
      return cell ? (cell.dataset.sort ?? cell.textContent.trim()) : '';
    };
    const rows = [...body.rows];
    rows.sort((a, b) => {
      const x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
      return sign * (!isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y));
    });
    rows.forEach(row => body.appendChild(row));
    [...table.tHead.rows[0].cells].forEach((th, i) => {
      const link = th.querySelector('a');
      if (link) link.href = '#sort=' + i + (i === col && !m[2] ? '-desc' : '');
    });
  };
  addEventListener('hashchange', sort);
  sort();
})();"""
_SORT_HASH = base64.b64encode(hashlib.sha256(_SORT_SCRIPT.encode()).digest()).decode()
REPORT_CSP = f"{CSP}; script-src 'sha256-{_SORT_HASH}'"


@dataclass(frozen=True)
class Curves:
    accuracy: list[float]
    val_accuracy: list[float]


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def read_curves(path: Path) -> Curves | str:
    """The learner's accuracy curves, read with the grader's safe loader (never
    pickle.load), or why there are none."""
    found = curves_of(path, *load_history(path))
    return Curves(found["accuracy"], found["val_accuracy"]) if "accuracy" in found else (
        found["error"])


def load_all_curves(rows: list[LearnerRow]) -> dict[str, Curves | str]:
    """From each result, where the worker that graded it read the history already; a result
    written by an older grader has none, and its history is read again here."""
    curves: dict[str, Curves | str] = {}
    for row in rows:
        history, found = row.entry.history, row.result.curves
        if isinstance(found, dict) and "accuracy" in found:
            acc, val = unit_curve(found.get("accuracy")), unit_curve(found.get("val_accuracy"))
            curves[row.learner] = Curves(acc, val) if acc and val else "unusable curves"
        elif isinstance(found, dict) and "error" in found:
            curves[row.learner] = str(found["error"])
        else:
            curves[row.learner] = read_curves(history) if history else (
                "no history file was submitted")
    return curves


def _table(headers: list[str], body: list[list[str]], numeric: set[int] = frozenset(),
           table_id: str = "") -> str:
    """`body` cells are already-escaped HTML, or (html, sort key) pairs; a table with an id
    has headers that sort it (`_SORT_SCRIPT`)."""
    if table_id:
        head = "".join(f'<th><a href="#sort={i}">{_e(h)}</a></th>' for i, h in enumerate(headers))
    else:
        head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    lines = []
    for cells in body:
        tds = []
        for i, cell in enumerate(cells):
            content, key = cell if isinstance(cell, tuple) else (cell, None)
            attrs = (' class="num"' if i in numeric else "") + (
                f' data-sort="{_e(key)}"' if key is not None else "")
            tds.append(f"<td{attrs}>{content}</td>")
        lines.append(f"<tr>{''.join(tds)}</tr>")
    ident = f' id="{table_id}"' if table_id else ""
    return (f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}"
            "</tbody></table>")


def _summary(spec: AssignmentSpec, rows: list[LearnerRow], keras: str) -> str:
    scores = [r.result.score for r in rows]
    counts = Counter(r.status for r in rows)
    passed = sum(r.result.passed for r in rows)
    stats = (f"mean {statistics.fmean(scores):.1f}, median {statistics.median(scores):g}"
             if scores else "no scores")
    return (f"<p>{len(rows)} learners: {counts[GRADED]} graded, {counts[CRASHED]} could not be "
            f"graded, {counts[MISSING]} without a notebook. Scores out of "
            f"{_e(f'{rows[0].result.max_score:g}' if rows else '?')}: {stats}; "
            f"{passed} passed (pass mark {spec.pass_mark:g}). Graded with Keras {_e(keras)}; "
            f"{_cache_use(rows)}report written {now_iso()}.</p>")


def served_from_cache(rows: list[LearnerRow]) -> tuple[int, int]:
    """(gradings whose every clean rebuild came from the cache, gradings with some)."""
    uses = [r.result.clean_cache for r in rows if r.result.clean_cache]
    return (sum(u.get("hits", 0) > 0 and not u.get("misses") for u in uses),
            sum(u.get("hits", 0) > 0 for u in uses))


def _cache_use(rows: list[LearnerRow]) -> str:
    """Said only when a grading reused one: the same model's brief training measured before."""
    full, some = served_from_cache(rows)
    if not some:
        return ""
    return (f"{some} reused an earlier measurement of the same model's brief training "
            f"({full} for every model they built); ")


def _pass_rates(spec: AssignmentSpec, rows: list[LearnerRow]) -> str:
    """One row per check, in the assignment's order, its rate drawn as a bar in its row (a
    chart beside the table said the same with its labels cut off)."""
    if not rows:
        return "<p>No learners.</p>"
    body = []
    for part in spec.parts:
        for test in part.tests:
            name, points = test.name, test.points
            verdicts = [t.passed for r in rows for p in r.result.parts if p.name == part.name
                        for t in p.tests if t.id == name]
            rate = sum(verdicts) / len(verdicts) if verdicts else 0.0
            bar = f'<div class="bar" style="width: {100 * rate:.0f}%"></div>'
            body.append([_e(part.name), _e(name), f"{points:g}",
                         f"{sum(verdicts)}/{len(verdicts)}", f"{100 * rate:.0f}%{bar}"])
    return _table(["part", "check", "points", "passed", "rate"], body, {2, 3, 4})


def _failure_messages(rows: list[LearnerRow]) -> str:
    """Counted per learner; messages that differ only in their numbers, or in a path's
    trailing slash, count as one (the first one seen is shown), filed under the check that
    failed first for it in the assignment's order (one cause under every history check is
    the first history check's, not the alphabetically first's)."""
    learners: dict[str, set[str]] = {}
    example: dict[str, str] = {}
    checks: dict[str, dict[str, tuple[int, int]]] = {}  # label -> (order, learners)
    variants: dict[str, set[str]] = {}
    for row in rows:
        order = 0
        for part in row.result.parts:
            for test in part.tests:
                order += 1
                if test.passed:
                    continue
                key = _SLASH.sub("", _NUMBER.sub("#", test.message))
                learners.setdefault(key, set()).add(row.learner)
                example.setdefault(key, test.message)
                label = f"{part.name}: {test.id}"
                first, count = checks.setdefault(key, {}).get(label, (order, 0))
                checks[key][label] = (min(first, order), count + 1)
                variants.setdefault(key, set()).add(test.message)
    if not learners:
        return "<p>No check failed.</p>"
    ranked = sorted(learners, key=lambda k: (-len(learners[k]), -len(checks[k]), example[k]))
    body = []
    for key in ranked[:TOP_MESSAGES]:
        where = sorted(checks[key], key=lambda label: checks[key][label])
        more = f" (+{len(where) - 1} more)" if len(where) > 1 else ""
        vary = (f" <em>({len(variants[key])} variants differing only in numbers or a "
                "trailing slash)</em>"
                if len(variants[key]) > 1 else "")
        body.append([str(len(learners[key])), _e(where[0]) + _e(more),
                     _e(example[key]) + vary])
    return _table(["learners", "check", "message"], body, {0})


def _learners(rows: list[LearnerRow], spec: AssignmentSpec) -> str:
    """The table an instructor reads first: each learner's score and each part's, the files
    graded, sortable by any column."""
    body = []
    for row in rows:
        link = (f'<a href="{_e(row.learner)}/feedback.html">{_e(row.learner)}</a> '
                f'<a class="aside" href="{_e(row.learner)}/feedback.txt">(text)</a>')
        verdict = (('<span class="ok">yes</span>', "1") if row.result.passed
                   else ('<span class="fail">no</span>', "0"))
        scores = {p.name: p for p in row.result.parts}
        parts = []
        for part in spec.parts:
            got = scores.get(part.name)
            parts.append((f"{got.score:g}", f"{got.score:g}") if got else ("-", "-1"))
        history = [(_evidence_label(row.history_status),
                    str(_EVIDENCE_ORDER.get(row.history_status, 3)))] if spec.history else []
        files = [_e(row.entry.shown(row.entry.notebook))]
        if spec.history:
            files.append(_e(row.entry.shown(row.entry.history)))
        body.append([link, (f"{row.result.score:g}/{row.result.max_score:g}",
                            f"{row.result.score:g}"), verdict, *parts, _e(row.status),
                     *history, _e(row.entry.source), *files, _e(row.reason)])
    headers = ["learner", "score", "passed",
               *(f"{p.name} /{p.points:g}" for p in spec.parts), "status",
               *(["history evidence"] if spec.history else []), "submitted as",
               "notebook graded", *(["history graded"] if spec.history else []), "reason"]
    numeric = {1, *range(3, 3 + len(spec.parts))}
    note = ("<p>Click a column's header to sort by it (again to reverse). Each learner's "
            "name opens their feedback page.</p>")
    return f'{note}<div class="wide">{_table(headers, body, numeric, table_id="learners")}</div>'


_EVIDENCE_ORDER = {"contradicted": 0, "unverifiable": 1, "corroborated": 2, "": 3}


def _evidence_label(status: str) -> str:
    css = {"contradicted": "fail", "corroborated": "ok"}.get(status)
    return f'<span class="{css}">{_e(status)}</span>' if css else _e(status or "-")


def _history_evidence(rows: list[LearnerRow]) -> str:
    """Each history weighed against its notebook's saved training output, contradicted
    first: what an instructor reviews (the policy, not this table, decides points)."""
    counts = Counter(row.history_status or "no history" for row in rows)
    summary = ", ".join(f"{counts[s]} {s}" for s in (*_EVIDENCE_ORDER, "no history")
                        if s and counts[s])
    ranked = sorted((r for r in rows if r.history_status),
                    key=lambda r: (_EVIDENCE_ORDER.get(r.history_status, 3), r.learner))
    body = []
    for row in ranked:
        evidence = row.result.history_evidence or {}
        others = evidence.get("others") if isinstance(evidence.get("others"), list) else []
        body.append([_e(row.learner), _evidence_label(row.history_status),
                     _e(evidence.get("file", "")), _e(", ".join(map(str, others))),
                     _e(row.history_detail)])
    policy = next((str(r.result.history_evidence.get("policy")) for r in ranked
                   if r.result.history_evidence.get("policy")), "flag")
    return (f"<p>The history each learner submitted, against the training output saved in "
            f"their notebook (Keras prints every epoch): {_e(summary or 'no histories')}. "
            f"Policy: {_e(policy)} (flag: reported, costs nothing; --history-policy "
            "require-corroborated or reject-contradicted make it cost the history part). "
            "Sort gradebook.csv by its history_evidence column.</p>"
            + (_table(["learner", "evidence", "file graded", "other .pkl beside it", "detail"],
                      body) if body else ""))


def _similarity(pairs: list[Pair]) -> str:
    if not pairs:
        return ("<p>No two learners share a graded function (functions equal to the template "
                "or the reference solution are not compared).</p>")
    body = [[_e(p.function), _e(p.learner_a), _e(p.learner_b), str(p.group_size), str(p.size)]
            for p in pairs[:MAX_PAIRS_SHOWN]]
    more = (f"<p>{len(pairs) - MAX_PAIRS_SHOWN} more pairs in similarity.csv.</p>"
            if len(pairs) > MAX_PAIRS_SHOWN else "")
    return ("<p>Graded functions that are identical once names of variables and arguments, "
            "comments, docstrings and whitespace are set aside. For review only: short "
            "functions written from the same instructions can coincide (see their size).</p>"
            + _table(["function", "learner", "learner", "learners with this code",
                      "size (AST nodes)"], body, {3, 4}) + more)


def _curves(rows: list[LearnerRow], curves: dict[str, Curves | str],
            spec: AssignmentSpec, memo: Memo | None) -> str:
    targets = ((spec.history.min_train_accuracy, spec.history.min_val_accuracy)
               if spec.history else None)
    figures, without = [], []
    for row in rows:
        found = curves.get(row.learner, "no history")
        if isinstance(found, Curves):
            image = charts.accuracy_curves(found.accuracy, found.val_accuracy, row.learner,
                                           targets, memo)
            figures.append(f'<figure><img alt="accuracy curves of {_e(row.learner)}" '
                           f'src="data:image/png;base64,{image}">'
                           f"<figcaption>{_e(row.learner)}</figcaption></figure>")
        else:
            without.append(f"<li>{_e(row.learner)}: {_e(found)}</li>")
    parts = [f'<div class="curves">{"".join(figures)}</div>'] if figures else [
        "<p>No learner submitted a usable history.</p>"]
    if without:
        parts.append(f"<p>Without curves:</p><ul>{''.join(without)}</ul>")
    return "".join(parts)


def render_report(spec: AssignmentSpec, rows: list[LearnerRow], pairs: list[Pair],
                  curves: dict[str, Curves | str], keras: str, memo: Memo | None = None) -> str:
    scores = [r.result.score for r in rows]
    max_score = sum(p.points for p in spec.parts) or 100.0
    histogram = charts.score_histogram(scores, max_score, spec.pass_mark) if rows else ""
    sections = [
        ("Learners", _learners(rows, spec)),
        ("Score distribution",
         f'<img alt="score distribution" src="data:image/png;base64,{histogram}">'
         if histogram else "<p>No learners.</p>"),
        ("Pass rate per check", _pass_rates(spec, rows)),
        ("Most common failure messages", _failure_messages(rows)),
        *([("History evidence", _history_evidence(rows))] if spec.history else []),
        ("Similar submissions", _similarity(pairs)),
        ("Training and validation accuracy", _curves(rows, curves, spec, memo)),
    ]
    title = f"{spec.code} batch report: {spec.title}"
    body = "".join(f"<h2>{_e(name)}</h2>\n{content}\n" for name, content in sections)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{REPORT_CSP}">'
            f"<title>{_e(title)}</title><style>{_STYLE}</style></head>\n<body>"
            f"<h1>{_e(title)}</h1>\n{_summary(spec, rows, keras)}\n{body}"
            f"<script>{_SORT_SCRIPT}</script></body></html>\n")


def write_report(path: Path, spec: AssignmentSpec, rows: list[LearnerRow], pairs: list[Pair],
                 keras: str) -> None:
    """The report; its learners' charts are kept in a memo beside it (grader/model/memo.py),
    so writing it again (a rescore, a resumed batch) draws only new curves."""
    curves = load_all_curves(rows)
    memo = Memo.load(path.with_name(f".{path.stem}-renderings.json"))
    atomic_write(path, render_report(spec, rows, pairs, curves, keras, memo))
    memo.save()
