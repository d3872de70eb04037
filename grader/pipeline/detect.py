"""Tell which assignment a notebook is, and say how it was decided."""

from __future__ import annotations

import re

from grader.assignments import CODES, get_spec
from grader.pipeline.notebook import Notebook

# Functions only one assignment has; C2W1 and C2W2 share all theirs and are told apart by
# their specs' own scoring (augmentation settings, history file name).
_SIGNATURES = {
    "C2W3": "create_pre_trained_model",
    "C2W4": "parse_data_from_input",
}


def detect(notebook: Notebook) -> tuple[str | None, str]:
    """(code, reason). Code is None when nothing points to an assignment."""
    text = "\n".join(c.source for c in notebook.code_cells)
    meta = notebook.metadata.get("grader")
    if isinstance(meta, dict) and str(meta.get("assignment", "")).upper() in CODES:
        return str(meta["assignment"]).upper(), "the notebook's metadata names it"
    for code, name in _SIGNATURES.items():
        if re.search(rf"def\s+{name}\s*\(", text):
            return code, f"the notebook defines {name}()"
    match = re.search(r"C2_?W([1-4])", notebook.path.name.upper())
    if match:
        code = f"C2W{match.group(1)}"
        return code, f"the file name {notebook.path.name} says {code}"
    scores = {code: get_spec(code).detect(notebook.path.name, text)
              for code in CODES if get_spec(code).detect}
    best = max(scores, key=scores.get, default=None)
    if best and scores[best] > 0:
        how = ("it configures augmentation (rotation_range / history_augmented.pkl)"
               if best == "C2W2" else f"it defines the {best} functions without augmentation")
        return best, how
    return None, "no assignment's functions were found in the notebook"
