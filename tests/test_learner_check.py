"""`grader check`: learner feedback, the same exit codes as `grade`, no grader internals."""

from __future__ import annotations

import nbformat
import pytest
from conftest import TEMPLATE

from grader.api import choose_for_function as choose_assignment
from grader.cli import main
from grader.model.cache import cache_root
from grader.model.results import GradeResult
from grader.reporters.learner import render_learner


def test_check_template_exits_1_with_learner_feedback(capsys):
    assert main(["check", str(TEMPLATE)]) == 1
    out = capsys.readouterr().out
    flat = " ".join(out.split())  # messages are wrapped
    assert "FAILED  creates the four directories under root_path" in out
    assert "Build every path from the root_path argument" in flat  # the hint travels along
    assert "grader-c2w1-" not in out and "(cats-v-dogs/)" in flat
    assert "save history.history with pickle as history.pkl and submit it" in flat
    assert "Score: 0/100 (pass mark 80)  NOT PASSED YET" in out
    assert "\033[" not in out and " in 0." not in out  # no colour to a pipe, no timings


def test_check_cannot_grade_exits_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "missing.ipynb")]) == 2
    assert "no such file" in capsys.readouterr().err
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    path = tmp_path / "something.ipynb"
    nbformat.write(nb, path)
    assert main(["check", str(path)]) == 2
    assert "pass --assignment" in capsys.readouterr().err


def test_results_redact_grader_paths_and_learner_rendering_says_passed():
    from grader.model.spec import PartSpec, Test
    from grader.pipeline.judge import part_result as _part_result

    leak = (f"raised OSError: cannot open /tmp/grader-c2w3-k2j4x9_q/weights/file.h5 or "
            f"{cache_root()}/petimages-v1/raw/Cat/1.jpg")
    spec = PartSpec("create_pre_trained_model", (Test("weights", "loads the weights", 10),
                                                  Test("frozen", "is frozen", 90)))
    part = _part_result(spec, [("loads the weights", False, leak),
                               ("is frozen", True, "0 trainable.")])
    text = render_learner(GradeResult("C2W3", [part], 80.0, "2", notebook="/x/C2W3.ipynb"))
    flat = " ".join(text.split())
    assert "grader-c2w3-" not in text and str(cache_root()) not in text
    assert "<grader-folder>/weights/file.h5" in flat and "<grader-fixtures>/petimages" in flat
    assert "passed  is frozen" in text and "Score: 90/100 (pass mark 80)  PASSED" in text


def test_selfcheck_chooses_the_assignment():
    assert choose_assignment("parse_data_from_input")[0] == "C2W4"
    assert choose_assignment("split_data", "c2w2")[0] == "C2W2"
    assert choose_assignment("split_data", text="ImageDataGenerator(rescale=1/255)")[0] == "C2W1"
    assert choose_assignment("split_data", text="rotation_range=40")[0] == "C2W2"
    assert choose_assignment("train_val_generators", scope={"create_final_model"})[0] == "C2W3"
    assert choose_assignment("create_model", notebook_name="work/C2W4_Assignment.ipynb")[
        0] == "C2W4"
    with pytest.raises(ValueError, match="not a graded function"):
        choose_assignment("my_helper")
