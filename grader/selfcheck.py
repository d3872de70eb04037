"""Check one graded function from a notebook cell, before submitting.

    from grader.selfcheck import check
    check(split_data)             # in the environment's language (LANG), else English
    check(split_data, lang="es")  # in Spanish

The live function is rebuilt as the grader would extract it (see live_source.py), graded in
an isolated child against the fixtures, and only its own part is printed. Importing this
module is cheap (no TensorFlow), because the grader also runs a notebook's imports.
"""

from __future__ import annotations

import os
import re
import tempfile
import textwrap
from pathlib import Path

from grader.i18n import cell_and_line, cell_reference, choose, language, tr
from grader.model.results import PartResult


def _notebook_name(scope: dict) -> str:
    for value in (scope.get("__vsc_ipynb_file__"), scope.get("__session__"),
                  os.environ.get("JPY_SESSION_NAME")):
        if isinstance(value, str) and value:
            return value
    return ""


def _relabel(part: PartResult, cell_names: dict[int, str], target: str) -> PartResult:
    """Messages name cells of the temporary notebook; say which function's cell instead."""

    def fix(text: str) -> str:
        def name(match: re.Match) -> str:
            cell, line = cell_and_line(match)
            owner = cell_names.get(int(cell))
            if owner and owner != target:
                return tr("(the cell defining {owner}, line {line}:", owner=owner, line=line)
            return tr("(your cell, line {line}:", line=line)

        return cell_reference().sub(name, text)

    for test in part.tests:
        test.message = fix(test.message)
    part.notes = [fix(n) for n in part.notes]
    return part


def _write_notebook(live, path: Path) -> dict[int, str]:
    """Cells: imports and constants, then one graded cell per definition."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    tags = {"tags": ["graded"]}
    nb.cells.append(nbformat.v4.new_code_cell("\n".join(live.imports + live.constants) + "\n",
                                              metadata=tags))
    cell_names = {}
    for definition in live.definitions:
        nb.cells.append(nbformat.v4.new_code_cell(definition.source, metadata=tags))
        cell_names[len(nb.cells)] = definition.name
    nbformat.write(nb, path)
    return cell_names


class SelfCheckResult(PartResult):
    """The function's PartResult, with a one-line repr: the checks are already printed, and
    Jupyter would otherwise echo every message again as the cell's value."""

    language: str | None = None  # what check() printed in

    def __repr__(self) -> str:
        with language(self.language):
            return tr("<self-check of {name}: {score:g}/{max_score:g} points>", name=self.name,
                      score=self.score, max_score=self.max_score)


def check(function, assignment: str | None = None, *, keras: str | None = None,
          timeout_s: float = 600.0, lang: str | None = None) -> SelfCheckResult:
    """Grade `function`'s part of the assignment, print its checks, and return them; in
    `lang` ("en" or "es"; None: the environment's, see grader.i18n.choose), with `keras`
    (None: the Keras the assignment was written for)."""
    lang = choose(lang)
    with language(lang):
        part = _check(function, assignment, keras, timeout_s, lang)
    part.language = lang
    return part


def _check(function, assignment: str | None, keras: str | None, timeout_s: float,
           lang: str) -> SelfCheckResult:
    from grader.api import (
        Limits,
        Options,
        choose_for_function,
        collect,
        environment_problem,
        get_spec,
        grade,
        kernel_cells,
        module_file_cells,
        scope_of,
    )
    from grader.reporters.learner import WIDTH, render_part, wrap

    name = getattr(function, "__name__", None)
    if not callable(function) or not name:
        raise TypeError(tr("check() takes the graded function itself, e.g. "
                           "check(split_data)"))
    cells = kernel_cells() or module_file_cells(function)
    live = collect(function, cells)
    text = "\n".join(cells + [d.source for d in live.definitions])
    scope = scope_of(function)
    code, why = choose_for_function(name, assignment, text,
                                  {k for k, v in scope.items() if callable(v)},
                                  _notebook_name(scope))
    spec = get_spec(code)
    keras = keras or spec.keras
    unable = environment_problem(keras)
    if unable:
        raise RuntimeError(tr("The self-check cannot run in this environment: {problem}",
                              problem=unable))
    with tempfile.TemporaryDirectory(prefix="grader-selfcheck-") as tmp:
        path = Path(tmp) / f"{code}_selfcheck.ipynb"
        cell_names = _write_notebook(live, path)
        result = grade(spec, path, None,
                       Options(keras=keras, limits=Limits(submission_timeout_s=timeout_s),
                               lang=lang))
    part_name = next((now for now, earlier in spec.renamed.items() if earlier == name), name)
    graded = _relabel(next(p for p in result.parts if p.name == part_name), cell_names, name)
    part = SelfCheckResult(graded.name, graded.tests, graded.notes)
    lines = textwrap.wrap(tr("Self-check of {name} as {code} with Keras {keras} ({why}; "
                             "choose another with assignment='C2Wn'):", name=name, code=code,
                             keras=keras, why=why), WIDTH)
    notes = list(result.notes)
    if live.skipped:
        notes.append(tr("{name} reads {variables} from the notebook's variables; the grader "
                        "keeps only imports, functions, classes and constants, so pass such "
                        "values as arguments.", name=name, variables=", ".join(live.skipped)))
    for note in notes:
        lines += wrap(note, "! ")
    lines += render_part(part)
    lines += textwrap.wrap(tr("This checked only this function, as defined in the running "
                              "kernel. Save the notebook and run `grader check` on it for the "
                              "full score."), WIDTH)
    print("\n".join(lines))
    return part
