"""Derive the learners' notebooks in student_template/ from the solutions/ notebooks we edit.

Edit ``solutions/<name>.ipynb`` in Jupyter, clear its outputs, then run::

    python tools/notebooks.py            # rewrite every student_template/<name>.ipynb
    python tools/notebooks.py --check    # CI: write nothing; exit 1 naming stale or invalid files
    python tools/notebooks.py C2W1       # only the named assignment(s)

A template has the solution's cells, ids, tags and notebook metadata, no outputs and no
execution counts; only the code learners write differs. Learners write in regions between a
``### START CODE HERE`` line and a ``### END CODE HERE`` line of a graded cell (tag ``graded``).
For each region the solution cell keeps, in its metadata, the text the template has instead::

    "metadata": {"grader": {"placeholders": ["    model = None\\n", ...]}, "tags": ["graded"]}

one string per region, in order: the template's lines between the two marker lines, markers
excluded, each ending in ``\\n`` (added if missing; ``""`` for an empty region). The template
cell drops this ``grader`` key: learners don't need it. Output is deterministic
(``nbformat.writes`` + newline), so running the tool twice gives byte-identical files.

Conventions checked on every solution, since the grader relies on them: cell ids valid and
unique; no outputs, no execution counts; markdown cells carry no tags; a graded cell starts with
``# grader-required-cell`` (in the 2023 notebooks; those of 2024, with ``grader_version`` in their
metadata, have none); markers are balanced, appear only in graded cells, and each region
has exactly one placeholder.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[1]
GRADED_TAG = "graded"
GRADER_REQUIRED = "# grader-required-cell"
START_MARKER = "### START CODE HERE"
END_MARKER = "### END CODE HERE"
_CELL_ID_RE = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")


def regions(lines: Sequence[str]) -> list[tuple[int, int]]:
    """(START line, END line) index pairs; ValueError unless the markers alternate."""
    found: list[tuple[int, int]] = []
    start: int | None = None
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(START_MARKER):
            if start is not None:
                raise ValueError(f"{START_MARKER!r} on line {index + 1} before an {END_MARKER!r}")
            start = index
        elif stripped.startswith(END_MARKER):
            if start is None:
                raise ValueError(f"{END_MARKER!r} on line {index + 1} without a {START_MARKER!r}")
            found.append((start, index))
            start = None
    if start is not None:
        raise ValueError(f"{START_MARKER!r} on line {start + 1} has no {END_MARKER!r}")
    return found


def placeholders(cell: nbformat.NotebookNode) -> list[str]:
    """The placeholder strings in a cell's metadata; ValueError if malformed."""
    meta = cell.metadata.get("grader", {})
    found = meta.get("placeholders", []) if isinstance(meta, dict) else None
    if not isinstance(found, list) or not all(isinstance(p, str) for p in found):
        raise ValueError('metadata "grader" must be {"placeholders": [str, ...]}')
    if any(regions(p.splitlines()) or START_MARKER in p or END_MARKER in p for p in found):
        raise ValueError("a placeholder must not contain the START/END markers")
    return found


def problems(raw: dict, nb: nbformat.NotebookNode) -> list[str]:
    """Every convention the solution breaks (``raw``: its JSON, before nbformat repairs ids)."""
    found: list[str] = []
    seen: set[str] = set()
    v3 = "grader_version" not in nb.metadata  # the 2024 (v4) notebooks dropped the comment
    for index, (raw_cell, cell) in enumerate(zip(raw.get("cells", []), nb.cells, strict=True)):
        cell_id = raw_cell.get("id")
        where = f"cell {index + 1} ({cell_id})"
        if not isinstance(cell_id, str) or not _CELL_ID_RE.match(cell_id):
            found.append(f"{where}: invalid or missing cell id")
        elif cell_id in seen:
            found.append(f"{where}: duplicate cell id")
        seen.add(str(cell_id))
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code":
            if tags or "grader" in cell.metadata:
                found.append(f"{where}: a {cell.cell_type} cell takes no tags and no placeholders")
            continue
        if cell.get("outputs") or cell.get("execution_count") is not None:
            found.append(f"{where}: has outputs or an execution count; clear all outputs "
                         "in Jupyter (Edit > Clear Outputs of All Cells) and save")
        try:
            count, given = len(regions(cell.source.splitlines())), len(placeholders(cell))
        except ValueError as exc:
            found.append(f"{where}: {exc}")
            continue
        if GRADED_TAG not in tags:
            if count or "grader" in cell.metadata:
                found.append(f"{where}: markers or placeholders in a cell not tagged graded")
            continue
        if v3 and cell.source.split("\n", 1)[0] != GRADER_REQUIRED:
            found.append(f"{where}: a graded cell must start with {GRADER_REQUIRED!r}")
        if count != given:
            found.append(f"{where}: {count} START/END region(s) but {given} placeholder(s)")
    return found


def derive(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The template of a valid solution: placeholders in, outputs and grader metadata out."""
    nb = copy.deepcopy(solution)
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        cell.outputs, cell.execution_count = [], None
        if "grader" not in cell.metadata:
            continue
        lines = cell.source.splitlines(keepends=True)
        pairs = zip(regions(lines), placeholders(cell), strict=True)
        for (start, end), text in reversed(list(pairs)):
            lines[start + 1 : end] = [text if not text or text.endswith("\n") else text + "\n"]
        cell.source = "".join(lines)
        del cell.metadata["grader"]
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb, version=4) + "\n"


def template_text(path: Path) -> tuple[str | None, list[str]]:
    """The template derived from the solution at ``path``, or None and what is wrong."""
    text = path.read_text(encoding="utf-8")
    try:
        raw = json.loads(text)
    except ValueError as exc:
        return None, [f"not JSON: {exc}"]
    error: dict = {}
    with warnings.catch_warnings():  # nbformat warns while it repairs ids; problems() reports
        warnings.simplefilter("ignore")
        nb = nbformat.reads(text, as_version=4, capture_validation_error=error)
    if "ValidationError" in error:
        return None, [f"not a valid notebook: {str(error['ValidationError']).splitlines()[0]}"]
    found = problems(raw, nb)
    return (None, found) if found else (render(derive(nb)), [])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="e.g. C2W1 (default: all)")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a template is stale or a solution invalid")
    args = parser.parse_args(argv)

    solutions = sorted((args.root / "solutions").glob("*.ipynb"))
    by_name = {n: p for p in solutions for n in (p.stem, p.stem.removesuffix("_Assignment"))}
    unknown = [n for n in args.names if n not in by_name]
    if unknown:
        parser.error(f"unknown notebook(s): {', '.join(unknown)}; have {sorted(by_name)}")
    chosen = sorted({by_name[n] for n in args.names}) if args.names else solutions

    failed = False
    for solution in chosen:
        template = args.root / "student_template" / solution.name
        text, found = template_text(solution)
        for problem in found:
            print(f"invalid: {solution}: {problem}", file=sys.stderr)
        current = template.read_text(encoding="utf-8") if template.exists() else None
        if text is None or current == text:
            failed |= text is None
        elif args.check:
            print(f"out of date: {template} (run python tools/notebooks.py)", file=sys.stderr)
            failed = True
        else:
            template.parent.mkdir(parents=True, exist_ok=True)
            template.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {template}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
