"""The command-line contract: formats, exit codes, detection."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib import metadata

import nbformat
import pytest
from conftest import SOLUTION, SOLUTION_HISTORY, TEMPLATE, check_count

from grader.cli import main


def test_solution_json_contract_and_exit_0(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "grader", "grade", str(SOLUTION), "--history",
         str(SOLUTION_HISTORY), "--format", "json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {"assignment", "score", "max_score", "passed", "parts", "duration_s"} <= set(data)
    assert data["assignment"] == "C2W1" and data["score"] == 100 and data["passed"] is True
    assert [p["name"] for p in data["parts"]] == [
        "create_train_val_dirs", "split_data", "train_val_generators", "create_model",
        "history"]
    for part in data["parts"]:
        assert {"name", "score", "max_score", "tests"} <= set(part)
        for test in part["tests"]:
            assert {"name", "passed", "message"} <= set(test)
    assert data["keras"] == "2"
    env = data["environment"]  # as tests/test_environments.py asserts in other environments
    assert env["tensorflow"] == metadata.version("tensorflow")
    assert env["python"] == ".".join(map(str, sys.version_info[:3]))
    assert env["sandbox"] in ("namespaces as root", "user namespaces", "limits only")
    assert "detected" in proc.stderr
    for noise in ("oneDNN", "cuda drivers", "absl", "I0000"):  # issue 31, item 5
        assert noise not in proc.stderr, proc.stderr


def test_template_exits_1_and_every_format_renders(tmp_path):
    out = tmp_path / "r.json"
    assert main(["grade", str(TEMPLATE), "--format", "json", "--output", str(out)]) == 1
    data = json.loads(out.read_text())
    assert data["score"] == 0 and data["passed"] is False
    for fmt in ("gradescope", "junit", "text"):
        target = tmp_path / f"r.{fmt}"
        bad = tmp_path / "broken.ipynb"
        bad.write_text("{")
        assert main(["grade", str(bad), "--assignment", "C2W1", "--format", fmt,
                     "--output", str(target)]) == 1
        text = target.read_text()
        if fmt == "gradescope":
            payload = json.loads(text)
            assert payload["score"] == 0 and len(payload["tests"]) == check_count()
            assert {"name", "score", "max_score", "output", "visibility"} <= set(
                payload["tests"][0])
        elif fmt == "junit":
            root = ET.fromstring(text)
            assert root.tag == "testsuites" and root.get("failures") == str(check_count())
        else:
            assert "not valid JSON" in text and "Score: 0/100" in text


def test_cannot_grade_exits_2(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "missing.ipynb")]) == 2
    assert "no such file" in capsys.readouterr().err
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    path = tmp_path / "something.ipynb"
    nbformat.write(nb, path)
    assert main(["grade", str(path)]) == 2
    assert "pass --assignment" in capsys.readouterr().err
    assert main(["grade", str(path), "--assignment", "C2W1", "--history",
                 str(tmp_path / "nope.pkl")]) == 2
    script = tmp_path / "C2W1_Assignment.py"  # issue 31, item 4: a .py is no notebook
    script.write_text("def create_model():\n    return None\n")
    capsys.readouterr()
    assert main(["grade", str(script)]) == 2
    err = capsys.readouterr().err
    assert "cannot be graded" in err and "--assignment" not in err, err


def test_unknown_assignment_is_rejected_by_argparse():
    with pytest.raises(SystemExit) as exc:
        main(["grade", "x.ipynb", "--assignment", "C9W9"])
    assert exc.value.code == 2


def test_detection_tells_assignments_apart(tmp_path):
    from grader.pipeline.detect import detect
    from grader.pipeline.notebook import read_notebook

    path = tmp_path / "my_submission.ipynb"
    shutil.copy(SOLUTION, path)
    code, reason = detect(read_notebook(path))
    assert code == "C2W1" and "functions" in reason
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("def parse_data_from_input(f):\n    pass"))
    nbformat.write(nb, path)
    assert detect(read_notebook(path))[0] == "C2W4"


def test_another_course_s_notebook_is_refused_naming_what_is_graded(tmp_path, capsys):
    """Issue 31, item 2: course 1's C1W4 defines myCallback, which C2W3 grades; it was
    graded as C2W3 and failed (exit 1). Refused, exit 2, listing the codes graded here."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(
        "import tensorflow as tf\nclass myCallback(tf.keras.callbacks.Callback):\n    pass\n"
        "def train_happy_sad_model(train_generator):\n    return None\n"))
    path = tmp_path / "C1W4_Assignment.ipynb"
    nbformat.write(nb, path)
    assert main(["grade", str(path)]) == 2
    err = capsys.readouterr().err
    assert "course 1, week 4" in err and "C2W3" in err and "C2W1v4" in err, err
