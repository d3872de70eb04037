"""The realistic corpus (tests/realistic/corpus.py): each submission gets exactly the
verdict a careful reading of its code gives, part by part."""

from __future__ import annotations

import pytest
from conftest import (
    ROOT,
    dump,
    edit,
    failing,
    grading_options,
    load_solution,
    shared_notebooks,
    write,
)
from realistic.corpus import CASES

from grader.assignments import get_spec
from grader.pipeline.grade import Options, grade

HISTORIES = {"C2W1": ROOT / "solutions" / "history.pkl",
             "C2W2": ROOT / "solutions" / "history_augmented.pkl",
             "C2W1v4": ROOT / "solutions" / "history.pkl",
             "C2W2v4": ROOT / "solutions" / "C2W2v4_history.pkl"}


def _groups(cases) -> list[tuple]:
    """Cases of one assignment that edit different cells and expect failures in different
    parts share a notebook, as broken variants do (conftest.shared_notebooks): each
    function is graded in isolation, so the notebook owes the union of their verdicts."""
    by_name = {case.name: case for case in cases}
    assert len(by_name) == len(cases), "two realistic cases share a name"
    names = shared_notebooks({case.name: (case.code, {cell for cell, _, _ in case.edits},
                                          set(case.expect)) for case in cases})
    return [tuple(by_name[name] for name in group) for group in names]


GROUPS = _groups(CASES)


@pytest.mark.parametrize("group", GROUPS, ids=["+".join(c.name for c in g) for g in GROUPS])
def test_realistic_submissions_get_their_verdicts(group, tmp_path):
    code = group[0].code
    nb = load_solution(code)
    expected: dict[str, set[str]] = {}
    for case in group:
        for cell_id, old, new in case.edits:
            nb = edit(nb, cell_id, old, new)
        for part, tests in case.expect.items():
            expected[part] = set(tests)
    path = write(nb, tmp_path, f"{code}_Assignment.ipynb")
    spec = get_spec(code)
    result = grade(spec, path, HISTORIES.get(code), grading_options(keras=spec.keras))
    assert {p: set(t) for p, t in failing(result).items()} == expected, dump(result)


def test_without_namespaces_a_notebook_path_is_explained(tmp_path, monkeypatch):
    """No private /tmp without namespaces: the old failure stays, in the learner's terms."""
    monkeypatch.setenv("GRADER_SANDBOX", "0")
    missing = f"/tmp/no-such-course-dir-{tmp_path.name}/training/"
    nb = edit(load_solution("C2W1"), "c2w1-train-val-generators", "directory=TRAINING_DIR",
              f"directory={missing!r}")
    result = grade(get_spec("C2W1"), write(nb, tmp_path), HISTORIES["C2W1"],
                   Options(probe_timeouts=()))
    assert set(failing(result)) == {"train_val_generators"}, dump(result)
    message = failing_messages(result)["train_val_generators"]
    assert missing in message and "a path from the notebook" in message
    assert "Errno" not in message and "No such file" not in message


def failing_messages(result) -> dict[str, str]:
    return {p["name"]: next(t["message"] for t in p["tests"] if not t["passed"])
            for p in result.to_dict()["parts"] if any(not t["passed"] for t in p["tests"])}


def test_shared_notebooks_keep_cells_parts_and_assignments_apart():
    """The packing every grouped grading test relies on: one edit per cell, one failing
    part per notebook, one assignment per notebook, every name exactly once."""
    footprints = {"a": ("C2W1", {"model"}, {"create_model"}),
                  "b": ("C2W1", {"split"}, {"split_data"}),
                  "c": ("C2W1", {"model"}, set()),            # the same cell as a
                  "d": ("C2W1", {"dirs"}, {"create_model"}),   # the same failing part as a
                  "e": ("C2W2", {"other"}, set()),             # another assignment
                  "f": ("C2W1", {"callback"}, set())}
    groups = shared_notebooks(footprints)
    assert groups == [("a", "b", "f"), ("c", "d"), ("e",)]
    assert sorted(n for g in groups for n in g) == sorted(footprints)
