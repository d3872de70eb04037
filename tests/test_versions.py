"""The course's earlier notebook versions still handed in (ASSIGNMENTS.md, "The early-2022
notebooks"): the Jan-Apr 2022 weeks 1 and 2 call the first function create_train_test_dirs and
its folders testing/, with no graded tags and no grader-required-cell comments. The task is the
same, so they are graded as the same assignment (issue 31, item 1), never given a zero that
says the function is missing."""

from __future__ import annotations

import pytest
from conftest import ROOT, dump, edit, failing, grading_options, load_solution, write

from grader.api import detect, get_spec, grade, read_notebook

HISTORIES = {"C2W1": ROOT / "solutions" / "history.pkl",
             "C2W2": ROOT / "solutions" / "history_augmented.pkl"}
# (the 2023 text, the 2022 text) over every code cell, in order.
TO_2022 = (("# grader-required-cell\n\n", ""), ("create_train_val_dirs", "create_train_test_dirs"),
           ("VALIDATION", "TESTING"), ("'validation'", "'testing'"), ("/validation/", "/testing/"))


def early_2022(code: str):
    """The reference solution as the early-2022 notebook has it."""
    nb = load_solution(code)
    for cell in nb.cells:
        cell.metadata.pop("tags", None)
        if cell.cell_type == "code":
            for old, new in TO_2022:
                cell.source = cell.source.replace(old, new)
    return nb


@pytest.mark.parametrize("code", ["C2W1", "C2W2"])
def test_an_early_2022_notebook_is_detected_as_its_week(code, tmp_path):
    nb = early_2022(code)
    assert "create_train_val_dirs" not in nb.cells[8].source
    assert "def create_train_test_dirs(root_path)" in nb.cells[8].source
    # Learners rename their files; the functions and the words still tell the week.
    found, reason = detect(read_notebook(write(nb, tmp_path, "Copy_of_assignment.ipynb")))
    assert found == code, reason


@pytest.mark.parametrize("code", ["C2W1", "C2W2"])
def test_an_early_2022_notebook_is_graded_as_the_same_task(code, tmp_path):
    nb = early_2022(code)
    result = grade(get_spec(code), write(nb, tmp_path, f"{code}_Assignment.ipynb"),
                   HISTORIES[code], grading_options())
    assert result.score == 100, dump(result)
    dirs = next(p for p in result.parts if p.name == "create_train_val_dirs")
    assert any("early-2022" in n and "create_train_test_dirs" in n for n in dirs.notes), dirs
    assert "testing/cats, testing/dogs, training/cats, training/dogs" in dirs.tests[0].message


def test_early_2022_mistakes_cost_one_check_each(tmp_path):
    """The notebook's own testing/ path inside train_val_generators costs the arguments check
    alone; a create_train_test_dirs that makes the 2023 folders (validation/) misses the 2022
    task's tree, and only that check."""
    nb = early_2022("C2W1")
    nb = edit(nb, "c2w1-train-val-generators", "directory=TESTING_DIR",
              "directory='/tmp/cats-v-dogs/testing/'")
    nb = edit(nb, "c2w1-create-train-val-dirs", "os.path.join(root_path, 'testing', 'cats')",
              "os.path.join(root_path, 'validation', 'cats')")
    nb = edit(nb, "c2w1-create-train-val-dirs", "os.path.join(root_path, 'testing', 'dogs')",
              "os.path.join(root_path, 'validation', 'dogs')")
    result = grade(get_spec("C2W1"), write(nb, tmp_path), HISTORIES["C2W1"],
                   grading_options())
    assert failing(result) == {
        "create_train_val_dirs": ["creates the four directories under root_path"],
        "train_val_generators": ["uses its arguments, not the notebook's paths"]}, dump(result)
    dirs = next(p for p in result.parts if p.name == "create_train_val_dirs")
    assert "missing testing, testing/cats, testing/dogs" in dirs.tests[0].message, dirs.tests[0]


def test_check_fn_takes_the_early_2022_function(tmp_path, capsys):
    """`check(create_train_test_dirs)` in an early-2022 notebook grades it as C2W1's first
    function, with the 2022 folders."""
    import importlib.util
    import sys

    from grader.selfcheck import check

    source = load_solution("C2W1").cells[8].source
    start = source.index("def create_train_val_dirs")
    function = source[start:source.index("\ntry:", start)]
    for old, new in TO_2022[1:]:
        function = function.replace(old, new)
    path = tmp_path / "learner_2022.py"
    path.write_text("import os\n\n" + function + "\n")
    spec = importlib.util.spec_from_file_location("learner_2022", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["learner_2022"] = module
    try:
        spec.loader.exec_module(module)
        result = check(module.create_train_test_dirs, lang="en")
    finally:
        del sys.modules["learner_2022"]
    out = capsys.readouterr().out
    assert result.score == 10, out
    assert "create_train_test_dirs as C2W1" in " ".join(out.split()), out
