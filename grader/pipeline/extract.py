"""Turn notebook cells into the code the grader may run: imports, definitions and constants.

Every other top-level statement (training runs, `shutil.rmtree`, `!shell`, `%magic`) is
dropped, because graded cells in the course notebooks do have side effects on the
learner's machine that must never run on ours.
"""

from __future__ import annotations

import ast
import contextlib
import re
from dataclasses import dataclass, field, replace

from IPython.core.inputtransformer2 import TransformerManager

from grader.i18n import N_
from grader.model.protocol import said
from grader.pipeline.notebook import Cell, Notebook

# How a graded function's cell was found: stored in English (compared by code), shown with tr().
# What the learner is told (`missing`, `notes`) is kept as `said()` messages, shown in the
# language of whoever reads the result (pipeline/judge), so a grading stored in one language
# is judged again in another (`grader rescore`) with no sentence left in the first.
RULE_TAG = N_("cell tagged 'graded'")
RULE_COMMENT = N_("cell with a '# GRADED FUNCTION' comment")
RULE_ANYWHERE = N_("cell without a graded tag or comment")

_GRADED_COMMENT = re.compile(r"^\s*#\s*GRADED (?:FUNCTION|CLASS)\s*:?\s*(\w+)", re.MULTILINE)
_DEF_NAME = re.compile(r"^\s*(?:(?:async\s+)?def|class)\s+(\w+)\s*[(:]", re.MULTILINE)
COLAB_MODULES = ("google.colab",)


@dataclass
class Snippet:
    """One top-level statement to execute, padded so line numbers match the cell."""

    cell: int
    kind: str  # import | def | class | const
    name: str
    source: str


@dataclass
class FoundFunction:
    name: str
    cell: int
    rule: str
    defined_as: str = ""  # the name in the notebook when it is an earlier one (2022's)

    @property
    def renamed(self) -> bool:
        return bool(self.defined_as) and self.defined_as != self.name


@dataclass
class Extraction:
    snippets: list[Snippet] = field(default_factory=list)
    functions: dict[str, FoundFunction] = field(default_factory=dict)
    missing: dict[str, dict] = field(default_factory=dict)  # said() messages, as the notes
    notes: dict[str, list[dict]] = field(default_factory=dict)
    general_notes: list[dict] = field(default_factory=list)

    def note(self, function: str | None, text: dict) -> None:
        if function is None:
            if text not in self.general_notes:
                self.general_notes.append(text)
        else:
            self.notes.setdefault(function, [])
            if text not in self.notes[function]:
                self.notes[function].append(text)


@dataclass
class _ParsedCell:
    cell: Cell
    tree: ast.Module | None
    python: str
    error: dict | str | None  # a said() message, or IPython's own words
    defines: list[str]
    commented: list[str]
    lead: int = 0  # leading blank lines IPython's transformer drops; added back to line numbers


_transformer = TransformerManager()


def _leading_blank_lines(source: str) -> int:
    count = 0
    for line in source.splitlines():
        if line.strip():
            break
        count += 1
    return count


def _parse(cell: Cell) -> _ParsedCell:
    commented = _GRADED_COMMENT.findall(cell.source)
    lead = _leading_blank_lines(cell.source)
    try:
        python = _transformer.transform_cell(cell.source)
    except Exception as exc:  # IPython rejects some malformed input outright
        return _ParsedCell(cell, None, "", f"{type(exc).__name__}: {exc}",
                           _DEF_NAME.findall(cell.source), commented)
    try:
        tree = ast.parse(python)
    except SyntaxError as exc:
        error = (said(N_("syntax error at line {line}: {message}"), line=exc.lineno + lead,
                      message=exc.msg) if exc.lineno
                 else said(N_("syntax error somewhere: {message}"), message=exc.msg))
        return _ParsedCell(cell, None, python, error, _DEF_NAME.findall(cell.source), commented)
    defines = [
        n.name for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    return _ParsedCell(cell, tree, python, None, defines, commented, lead)


def _is_constant(node: ast.expr) -> bool:
    """Literals and arithmetic on literals (e.g. `1./255`), nothing that calls code."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_is_constant(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _is_constant(k) for k in node.keys) and all(
            _is_constant(v) for v in node.values
        )
    if isinstance(node, ast.UnaryOp):
        return _is_constant(node.operand)
    if isinstance(node, ast.BinOp):
        return _is_constant(node.left) and _is_constant(node.right)
    return False


def _constant_names(node: ast.stmt) -> list[str] | None:
    if isinstance(node, ast.Assign) and _is_constant(node.value):
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        return names if len(names) == len(node.targets) else None
    if isinstance(node, ast.AnnAssign) and node.value is not None and _is_constant(node.value):
        return [node.target.id] if isinstance(node.target, ast.Name) else None
    return None


def _segment(parsed: _ParsedCell, node: ast.stmt) -> str:
    """The statement's own text, padded with blank lines so tracebacks show cell lines."""
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    last = node.end_lineno or node.lineno
    shares_line = any(
        other is not node
        and (other.lineno <= last and (other.end_lineno or other.lineno) >= first)
        for other in parsed.tree.body
    )
    if shares_line or node.col_offset != 0:
        text = ast.unparse(node)
    else:
        text = "\n".join(parsed.python.splitlines()[first - 1 : last])
    return "\n" * (first - 1 + parsed.lead) + text + "\n"


def _does_nothing(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Only a docstring, `pass`, `...` or `return None`: a body that cannot do the task."""
    for statement in node.body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue
        if isinstance(statement, ast.Return) and (
                statement.value is None or (isinstance(statement.value, ast.Constant)
                                            and statement.value.value is None)):
            continue
        return False
    return True


def _has_lr_keyword(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.keyword) and n.arg == "lr" for n in ast.walk(node)
    )


_UP_TO_HERE = re.compile(r"^[ \t]*#[ \t]*grade-up-to-here\b.*$", re.MULTILINE)


def _up_to_here(result: Extraction, cell: Cell) -> Cell:
    """A graded cell as the 2024 notebooks' tips define it: graded only up to a
    `# grade-up-to-here` comment, when it has one."""
    match = _UP_TO_HERE.search(cell.source) if cell.graded else None
    if match is None:
        return cell
    line = cell.source.count("\n", 0, match.start()) + 1
    result.note(None, said(N_("Cell {cell} is graded up to its '# grade-up-to-here' comment "
                              "(line {line}); what follows it is ignored."),
                           cell=cell.index + 1, line=line))
    return replace(cell, source=cell.source[:match.start()])


def extract(notebook: Notebook, required: tuple[str, ...],
            renamed: dict[str, str] | None = None) -> Extraction:
    """Parse every code cell, choose each graded function's definition (tag, comment, then
    anywhere; the last within a rule), then keep imports, definitions and constants.
    `renamed`: a graded function's earlier name (the 2022 notebooks'), graded as it when the
    notebook defines no function of the current name."""
    result = Extraction()
    parsed = [_parse(_up_to_here(result, c)) for c in notebook.code_cells]
    _note_unreadable(result, parsed, required)
    chosen = {name: _choose(result, parsed, name, (renamed or {}).get(name))
              for name in required}
    chosen = {name: p for name, p in chosen.items() if p is not None}
    aliases = {found.defined_as: name for name, found in result.functions.items()
               if found.renamed}
    selected = {id(p) for p in parsed if p.tree is not None and p.cell.graded}
    selected |= {id(p) for p in chosen.values()}
    for p in parsed:
        if p.tree is not None:
            _collect(result, p, required, chosen, id(p) in selected, aliases)
    return result


def _note_unreadable(result: Extraction, parsed: list[_ParsedCell],
                     required: tuple[str, ...]) -> None:
    for p in parsed:
        if p.error:
            for name in p.defines:
                if name in required:
                    result.missing.setdefault(
                        name, said(N_("cell {cell} defining {name} has a {error}"),
                                   cell=p.cell.index + 1, name=name, error=p.error)
                    )
            if p.cell.graded:
                result.note(None, said(N_("Graded cell {cell} could not be read: {error}."),
                                       cell=p.cell.index + 1, error=p.error))


_RULES = (
    (RULE_TAG, lambda p: p.cell.graded),
    (RULE_COMMENT, lambda p: bool(p.commented)),
    (RULE_ANYWHERE, lambda p: True),
)


def _choose(result: Extraction, parsed: list[_ParsedCell], name: str,
            earlier: str | None = None) -> _ParsedCell | None:
    """The cell whose definition of `name` is graded, noting what the learner should know;
    the `earlier` name's when no cell defines `name`."""
    graded = name
    if earlier and not any(p.tree is not None and name in p.defines for p in parsed) and any(
            p.tree is not None and earlier in p.defines for p in parsed):
        name = earlier
        result.note(graded, said(N_(
            "Your notebook is the early-2022 version, which calls this function {name}(): "
            "it is graded as {graded}(), the same task."), name=name, graded=graded))
    for rule, selects in _RULES:
        candidates = [p for p in parsed if p.tree is not None and selects(p)
                      and name in p.defines]
        if not candidates:
            continue
        winner = candidates[-1]
        result.functions[graded] = FoundFunction(graded, winner.cell.index, rule, name)
        result.missing.pop(graded, None)
        later = [p for p in parsed if p.tree is not None and name in p.defines
                 and p.cell.index > winner.cell.index]
        if later:
            cells = ", ".join(str(p.cell.index + 1) for p in later)
            result.note(
                graded,
                said(N_("{name} is defined again in cell(s) {cells}, which the grader "
                        "ignores because it grades the version in the {rule} (cell {cell}). "
                        "Put your final code in the graded cell."), name=name, cells=cells,
                     rule=said(rule), cell=winner.cell.index + 1),
            )
        if rule != RULE_TAG:
            result.note(
                graded,
                said(N_("{name} was found in a {rule}, not in a cell tagged 'graded'. "
                        "Did you copy the cell or lose its tag? Graded here anyway."),
                     name=name, rule=said(rule)),
            )
        return winner
    result.missing.setdefault(
        graded, said(N_("no definition of {name}() was found anywhere in the notebook"),
                     name=graded))
    return None


def _collect(result: Extraction, p: _ParsedCell, required: tuple[str, ...],
             chosen: dict[str, _ParsedCell], selected: bool, aliases: dict[str, str]) -> None:
    """Imports from every cell; definitions and constants from selected cells only. A graded
    function under its earlier name (`aliases`: earlier -> graded) is also bound to the graded
    name, which the probes call."""
    for node in p.tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            for module in modules:
                if any(module == m or module.startswith(m + ".") for m in COLAB_MODULES):
                    result.note(
                        None,
                        said(N_("'{module}' exists only on Google Colab; the grader replaced "
                                "it with an empty stand-in. That is fine as long as graded "
                                "functions do not use it."), module=module),
                    )
            result.snippets.append(Snippet(p.cell.index, "import", "", _segment(p, node)))
            continue
        if not selected:
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            graded = aliases.get(node.name, node.name)
            if graded in required and chosen.get(graded) is not p:
                continue
            if isinstance(node, ast.ClassDef):
                result.snippets.append(
                    Snippet(p.cell.index, "class", node.name, _segment(p, node)))
                continue
            if graded in required and _has_lr_keyword(node):
                result.note(
                    graded,
                    said(N_("{name} passes `lr=` to an optimizer. Keras 2.11+ ignores `lr` "
                            "(the default learning rate is used instead) and Keras 3 rejects "
                            "it: write `learning_rate=`."), name=node.name),
                )
            if graded in required and _does_nothing(node):
                result.note(graded, said(N_(
                    "The body of {name}() does nothing: only a docstring, `pass` or `return "
                    "None` (cell {cell}, line {line}). Check its indentation: code moved out "
                    "of the function (a de-indented `try:` or `for:`) no longer belongs to it."),
                    name=node.name, cell=p.cell.index + 1, line=node.lineno + p.lead))
            source = _segment(p, node)
            if graded != node.name:  # on a line of its own after the def: line numbers hold
                source += f"\n{graded} = {node.name}\n"
            result.snippets.append(Snippet(p.cell.index, "def", graded, source))
        elif (names := _constant_names(node)) is not None:
            result.snippets.append(
                Snippet(p.cell.index, "const", ",".join(names), _segment(p, node))
            )


def provide_globals(result: Extraction, provided: dict[str, str]) -> list[Snippet]:
    """The 2024 notebooks' graded globals (DATA_DIR, TRAIN_DIR, LOCAL_WEIGHTS_FILE...) with
    the course's values, set after the learner's own: a globals cell edited for the
    learner's machine ('/home/me/PetImages', a get_file download) is noted, never charged;
    a function that ignores the global is charged by its part's checks."""
    if not provided:
        return []
    for snippet in result.snippets:
        if snippet.kind != "const" or not set(snippet.name.split(",")) & set(provided):
            continue
        with contextlib.suppress(SyntaxError, ValueError):
            node = ast.parse(snippet.source).body[0]
            value = ast.literal_eval(node.value)
            for name in snippet.name.split(","):
                if name in provided and value != provided[name]:
                    result.note(None, said(N_(
                        "Your notebook sets {name} = {value}; the grader gives your "
                        "functions the course's {name} = {course}, with its own copy of "
                        "the data. Not charged."), name=name, value=repr(value),
                        course=repr(provided[name])))
    assignments = "".join(f"{name} = {value!r}\n" for name, value in provided.items())
    # Run after the learner's snippets (a cell of its own: -1, "cell 0"), not kept in
    # `result`, which stays the learner's code alone (batch similarity reads it).
    return [Snippet(-1, "const", ",".join(provided), assignments)]
