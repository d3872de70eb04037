"""Tell which assignment a notebook is, and say how it was decided."""

from __future__ import annotations

import importlib
import re

from grader.assignments import CODES, IMPLEMENTED
from grader.notebook import Notebook

_SIGNATURES = {
    "C2W3": ("create_pre_trained_model", "output_of_last_layer", "create_final_model"),
    "C2W4": ("parse_data_from_input",),
}


def detect(notebook: Notebook) -> tuple[str | None, str]:
    """(code, reason). Code is None when nothing points to an assignment."""
    name = notebook.path.name.upper()
    match = re.search(r"C2_?W([1-4])", name)
    text = "\n".join(c.source for c in notebook.code_cells)
    for code, names in _SIGNATURES.items():
        if any(f"def {n}" in text for n in names):
            return code, f"the notebook defines {names[0]}()"
    meta = str(notebook.metadata.get("grader", {}).get("assignment", "")).upper()
    if meta in CODES:
        return meta, "the notebook's metadata names it"
    scores = {}
    for code in IMPLEMENTED:
        module = importlib.import_module(f"grader.assignments.{code.lower()}")
        scores[code] = module.SPEC.detect(notebook.path.name, text)
    if match:
        code = f"C2W{match.group(1)}"
        return code, f"the file name {notebook.path.name} says {code}"
    if "history_augmented" in text or "rotation_range" in text:
        return "C2W2", "the notebook uses augmentation (history_augmented.pkl / rotation_range)"
    best = max(scores, key=scores.get) if scores else None
    if best and scores[best] > 0:
        return best, f"the notebook defines the {best} functions"
    return None, "no assignment's functions were found in the notebook"
