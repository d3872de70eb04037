"""The realistic corpus (tests/realistic/corpus.py): each submission gets exactly the
verdict a careful reading of its code gives, part by part."""

from __future__ import annotations

import pytest
from conftest import ROOT, dump, edit, failing, load_solution, write
from realistic.corpus import CASES

from grader.assignments import get_spec
from grader.grade import Options, grade

HISTORIES = {"C2W1": ROOT / "solutions" / "history.pkl",
             "C2W2": ROOT / "solutions" / "history_augmented.pkl"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_realistic_submission_gets_its_verdict(case, tmp_path):
    nb = load_solution(case.code)
    for cell_id, old, new in case.edits:
        nb = edit(nb, cell_id, old, new)
    path = write(nb, tmp_path, f"{case.code}_Assignment.ipynb")
    result = grade(get_spec(case.code), path, HISTORIES.get(case.code), Options())
    expected = {part: set(tests) for part, tests in case.expect.items()}
    assert {p: set(t) for p, t in failing(result).items()} == expected, dump(result)
