"""Read a submitted notebook into plain cells, turning every way it can be unreadable into
one learner-facing error."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.i18n import N_, say
from grader.model.protocol import said

MAX_NOTEBOOK_BYTES = 200 * 1024 * 1024


class NotebookError(Exception):
    """The file is not a notebook we can read. `message` (a said() message) is what the
    learner is told, kept apart from any language so that a stored grading can be judged
    again in another; `str()` shows it in the current language."""

    def __init__(self, message: dict) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return say(self.message)


@dataclass
class Cell:
    index: int
    cell_id: str | None
    cell_type: str
    source: str
    tags: list[str] = field(default_factory=list)
    # Saved stream output, each stream's text joined ({"stdout": ...}): what model.fit
    # printed, which the history is weighed against (pipeline/history_evidence).
    streams: dict[str, str] = field(default_factory=dict)

    @property
    def graded(self) -> bool:
        return "graded" in self.tags


@dataclass
class Notebook:
    path: Path
    cells: list[Cell]
    metadata: dict
    nbformat_version: int

    @property
    def code_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.cell_type == "code"]


def _source(value) -> str:
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return value if isinstance(value, str) else ""


def _streams(outputs) -> dict[str, str]:
    streams: dict[str, str] = {}
    for output in outputs if isinstance(outputs, list) else ():
        if isinstance(output, dict) and output.get("output_type") == "stream":
            name = str(output.get("name") or "stdout")
            streams[name] = streams.get(name, "") + _source(output.get("text", ""))
    return streams


def read_notebook(path: str | Path) -> Notebook:
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise NotebookError(said(N_(
            "The notebook is {size:.0f} MB, over the {limit} MB limit. Clear all outputs "
            "(Edit > Clear all outputs) and submit again."),
            size=size / 2**20, limit=MAX_NOTEBOOK_BYTES // 2**20))
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookError(said(N_(
            "The file is not UTF-8 text (byte {byte} cannot be decoded), so it is not a "
            "Jupyter notebook. Download it again with File > Download > .ipynb."),
            byte=exc.start)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(said(N_(
            "The file is not valid JSON (line {line}, column {column}: {error}), so it is not "
            "a Jupyter notebook. Was it edited by hand or saved as a .py file?"),
            line=exc.lineno, column=exc.colno, error=exc.msg)) from None
    if not isinstance(data, dict) or "nbformat" not in data:
        raise NotebookError(said(N_(
            "The file is JSON but not a Jupyter notebook (it has no 'nbformat' field).")))
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises many types for malformed notebooks
        error = f"{type(exc).__name__}: {exc}"
        raise NotebookError(said(N_("The notebook could not be read as nbformat 4 ({error})."),
                                 error=error)) from None
    cells: list[Cell] = []
    for index, cell in enumerate(nb.get("cells", [])):
        if not isinstance(cell, dict):
            continue
        meta = cell.get("metadata") or {}
        tags = meta.get("tags") if isinstance(meta, dict) else None
        cells.append(
            Cell(
                index=index,
                cell_id=cell.get("id"),
                cell_type=str(cell.get("cell_type", "")),
                source=_source(cell.get("source", "")),
                tags=[str(t) for t in tags] if isinstance(tags, list) else [],
                streams=_streams(cell.get("outputs")),
            )
        )
    return Notebook(
        path=path,
        cells=cells,
        metadata=dict(nb.get("metadata") or {}),
        nbformat_version=int(data.get("nbformat", 4)),
    )
