"""Find the submissions in a batch folder, in either of the two layouts LMS exports use.

(a) one folder per learner: SUBMISSIONS/<learner>/<anything>.ipynb with the history file
    beside it (or anywhere in that folder);
(b) flat: SUBMISSIONS/<learner>.ipynb with SUBMISSIONS/<learner>_history.pkl (or
    `-history.pkl`; for C2W2 `_history_augmented.pkl` first).

Learner ids become folder names under RESULTS, so they are sanitised and made unique.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from grader.api import AssignmentSpec, find_history, find_notebook, history_names

# Names the batch writes at the top of RESULTS: a learner may not be called that.
RESERVED = {"journal.jsonl", "gradebook.csv", "report.html", "similarity.csv", ".work",
            ".clean-cache", "batch.json",
            "unmatched.csv", "gradebook-canvas.csv", "gradebook-moodle.csv",
            "gradebook-roster.csv"}
MAX_ID_LENGTH = 80


class LayoutError(Exception):
    """The folder holds no submissions, or mixes both layouts; the message says which."""


@dataclass(frozen=True)
class Entry:
    """One learner's submission as found; `notebook` is None when the folder has none."""

    learner: str  # safe file name, unique in the batch
    source: str  # the folder or file name as found, for the instructor
    notebook: Path | None
    history: Path | None

    def shown(self, path: Path | None) -> str:
        """A graded file as the instructor finds it: its path in the learner's folder, or
        its name in a flat layout; "-" for none."""
        if path is None:
            return "-"
        if self.source.endswith("/"):
            for parent in path.parents:
                if parent.name == self.source[:-1]:
                    return path.relative_to(parent).as_posix()
        return path.name


def safe_id(name: str) -> str:
    """Letters, digits, `.`, `_` and `-` only; no leading dot or dash (hidden files, options,
    spreadsheet formulas)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")[:MAX_ID_LENGTH]
    return cleaned.rstrip(".") or "learner"


def _hidden(path: Path) -> bool:
    return path.name.startswith((".", "__MACOSX"))


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    while candidate.lower() in used or candidate.lower() in RESERVED:
        n += 1
        candidate = f"{name}-{n}"
    used.add(candidate.lower())
    return candidate


def _folder_entry(folder: Path, spec: AssignmentSpec, learner: str) -> Entry:
    notebook = find_notebook(folder, spec.code)
    history = find_history(notebook, spec, folder) if notebook is not None else None
    return Entry(learner, folder.name + "/", notebook, history)


def _flat_entry(notebook: Path, spec: AssignmentSpec, learner: str) -> Entry:
    history = None
    stems = [Path(n).stem for n in history_names(spec)]
    for candidate in (notebook.parent / f"{notebook.stem}{sep}{stem}.pkl"
                      for stem in stems for sep in ("_", "-")):
        if candidate.is_file():
            history = candidate
            break
    return Entry(learner, notebook.name, notebook, history)


def discover(root: Path, spec: AssignmentSpec,
             exclude: Path | None = None) -> tuple[str, list[Entry]]:
    """(layout, entries sorted by source name); `exclude` is the results folder if it lies
    inside `root`."""
    if not root.is_dir():
        raise LayoutError(f"{root}: no such folder")
    excluded = exclude.resolve() if exclude else None
    children = sorted(p for p in root.iterdir()
                      if not _hidden(p) and p.resolve() != excluded)
    notebooks = [p for p in children if p.is_file() and p.suffix == ".ipynb"]
    folders = [p for p in children if p.is_dir()]
    used: set[str] = set()
    if notebooks:
        nested = [f.name for f in folders if find_notebook(f, spec.code) is not None]
        if nested:
            raise LayoutError(
                f"{root} mixes both layouts: notebooks directly in it ({notebooks[0].name}, "
                f"...) and learner folders with notebooks ({nested[0]}/, ...); put every "
                "submission in one layout")
        return "flat", [_flat_entry(nb, spec, _unique(safe_id(nb.stem), used))
                        for nb in notebooks]
    if not folders:
        raise LayoutError(f"{root} holds no submissions: expected one folder per learner or "
                          "<learner>.ipynb files")
    return "folders", [_folder_entry(f, spec, _unique(safe_id(f.name), used)) for f in folders]
