"""The learner's notebook made safe and small to render: outputs trimmed, active content
dropped, and each graded cell told which part it holds and which of its lines to mark.

An nbconvert preprocessor, so the HTML and the `.ipynb` renderings start from the same cells.
Notebooks saved from Colab carry megabytes of widget state, HTML tables and images; a feedback
page needs the learner's code and enough output to recognise it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from nbconvert.preprocessors import Preprocessor

from grader.i18n import cell_and_line, cell_reference, tr
from grader.model.results import GradeResult, PartResult

MAX_TEXT_LINES = 60
MAX_TEXT_CHARS = 8_000
MAX_OUTPUTS = 12
MAX_IMAGE_BYTES = 400_000
MAX_SOURCE_CHARS = 30_000
KEPT_MIME = ("image/png", "image/jpeg", "text/plain")  # never html, svg, js, widgets, latex
META = "c2_grader"  # the cell metadata key the exporters read

_QUOTED = re.compile(r"'([^'\s]*/[^'\s]*)'")
_ASSIGNED = re.compile(r"\s*(\w+)\s*=\s*['\"]")
_LITERAL = re.compile(r"""(['"])([^'"\n]*/[^'"\n]*)\1""")


def _trim_text(text: str) -> str:
    lines = text.splitlines(keepends=True)
    kept = "".join(lines[:MAX_TEXT_LINES])[:MAX_TEXT_CHARS]
    if len(kept) < len(text):
        dropped = len(text) - len(kept)
        kept += "\n" + tr("[... {dropped:,} more characters left out of this feedback page]",
                          dropped=dropped) + "\n"
    return kept


def _image_bytes(value) -> int:
    text = "".join(value) if isinstance(value, list) else str(value)
    return len(text) * 3 // 4


def _trim_output(output: dict) -> dict | None:
    """The output with only what renders safely and briefly, or None to drop it."""
    kind = output.get("output_type")
    if kind == "stream":
        text = output.get("text", "")
        output["text"] = _trim_text("".join(text) if isinstance(text, list) else str(text))
        return output
    if kind == "error":
        output["traceback"] = [_trim_text("\n".join(map(str, output.get("traceback", []))))]
        output["evalue"] = _trim_text(str(output.get("evalue", "")))
        return output
    if kind not in ("display_data", "execute_result"):
        return None
    data = {k: v for k, v in (output.get("data") or {}).items() if k in KEPT_MIME}
    for mime in ("image/png", "image/jpeg"):
        if mime in data and _image_bytes(data[mime]) > MAX_IMAGE_BYTES:
            del data[mime]
            data.setdefault("text/plain", tr("[an image too large for this page was left out]"))
    if "text/plain" in data:
        text = data["text/plain"]
        data["text/plain"] = _trim_text("".join(text) if isinstance(text, list) else str(text))
    if not data:
        return None
    output["data"] = data
    output["metadata"] = {}
    return output


@dataclass
class Marks:
    """What the renderings attach to cells: the part each graded cell holds and the lines
    (1-based, in the cell) a failure comes from."""

    parts: dict[int, PartResult] = field(default_factory=dict)
    lines: dict[int, set[int]] = field(default_factory=dict)


def _failed_texts(part: PartResult) -> list[str]:
    return [t.message for t in part.tests if not t.passed] + list(part.notes)


def marks_for(result: GradeResult, sources: list[str]) -> Marks:
    """Cells from the parts' `cell`; lines from '(cell N, line L: ...)' in any failure, and
    lines of a part's own cell whose string literal is a path a failure quotes (a hard-coded
    '/tmp/cats-v-dogs' that the grader's paths replaced)."""
    marks = Marks()
    for part in result.parts:
        if part.cell is not None and 0 <= part.cell < len(sources):
            marks.parts[part.cell] = part
    texts = [m for p in result.parts for m in _failed_texts(p)] + list(result.notes)
    for text in texts:
        for cell, line in map(cell_and_line, cell_reference().finditer(text)):
            index = int(cell) - 1
            if 0 <= index < len(sources) and 0 < int(line) <= sources[index].count("\n") + 1:
                marks.lines.setdefault(index, set()).add(int(line))
    for index, part in marks.parts.items():
        quoted = {q.rstrip("/") for m in _failed_texts(part) for q in _QUOTED.findall(m)}
        if not quoted:
            continue
        found = _path_lines(sources[index], part.name, quoted)
        if found:
            marks.lines.setdefault(index, set()).update(found)
    return marks


def _names_in_function(source: str, function: str, names: set[str]) -> set[int]:
    """Lines of `function` (in this cell) that read one of `names`: the global a path was
    assigned to, used where an argument belonged."""
    lines = ["" if line.lstrip().startswith(("!", "%")) else line
             for line in source.splitlines()]  # shell and magic lines: no Python
    try:
        tree = ast.parse("\n".join(lines))
    except (SyntaxError, ValueError):
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function:
            found |= {n.lineno for n in ast.walk(node)
                      if isinstance(n, ast.Name) and n.id in names}
    return found


def _path_lines(source: str, function: str, quoted: set[str]) -> set[int]:
    """Lines holding a path literal a failure quotes (or its parent folder), and lines of the
    function reading a global assigned such a literal."""
    found, names = set(), set()
    for number, line in enumerate(source.splitlines(), start=1):
        literals = {lit.rstrip("/") for _, lit in _LITERAL.findall(line)}
        if any(q == lit or q.startswith(lit + "/") for q in quoted for lit in literals if lit):
            found.add(number)
            assigned = _ASSIGNED.match(line)
            if assigned:
                names.add(assigned.group(1))
    return found | _names_in_function(source, function, names)


def _drop_grader_keys(metadata: dict) -> None:
    """Only the grader marks a cell (or the notebook) as its own: learner metadata under our
    keys (`c2_grader`, `c2_grader_feedback`, `c2_grader_seal`) goes."""
    for key in [k for k in metadata if str(k).startswith(META)]:
        del metadata[key]


class TrimAndMark(Preprocessor):
    """Trim every cell; store on graded cells the part's index in `parts` and their marked
    lines under `metadata.c2_grader` (plain data, read by the templates' filters)."""

    def __init__(self, marks: Marks, **kwargs) -> None:
        super().__init__(**kwargs)
        self.marks = marks

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        _drop_grader_keys(nb.metadata)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        source = cell.get("source", "")
        if len(source) > MAX_SOURCE_CHARS:
            cell.source = (source[:MAX_SOURCE_CHARS] + "\n"
                           + tr("[... the rest of this cell was left out]"))
        cell.pop("attachments", None)
        _drop_grader_keys(cell.metadata)
        if cell.cell_type == "raw":  # raw cells pass into HTML unescaped: show them as text
            cell.cell_type = "markdown"
            cell.source = "\n".join("    " + line for line in cell.source.splitlines())
        if cell.cell_type == "code":
            outputs = [_trim_output(o) for o in cell.get("outputs", [])[:MAX_OUTPUTS]]
            cell.outputs = [o for o in outputs if o is not None]
        part = self.marks.parts.get(index)
        cell.metadata[META] = {
            "index": index,
            "part": part.name if part else None,
            "lines": sorted(self.marks.lines.get(index, ())),
        }
        return cell, resources
