"""The Gradescope bundle: its run_autograder, run against a simulated /autograder tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import SOLUTION_HISTORY, TEMPLATE, check_count

from grader.cli import main

TEST_KEYS = {"name", "score", "max_score", "output", "visibility"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """The zip, unpacked: what Gradescope puts in /autograder/source."""
    folder = tmp_path_factory.mktemp("bundle")
    assert main(["gradescope-bundle", "--assignment", "C2W1", "--output",
                 str(folder / "c2w1.zip")]) == 0
    with zipfile.ZipFile(folder / "c2w1.zip") as archive:
        names = archive.namelist()
        assert {"setup.sh", "run_autograder"} <= set(names)
        assert any(n.startswith("c2_grader-") and n.endswith(".whl") for n in names)
        assert archive.getinfo("run_autograder").external_attr >> 16 & 0o111
        archive.extractall(folder / "source")
    return folder / "source"


def _run_autograder(bundle: Path, root: Path, python: str = sys.executable) -> dict:
    """setup.sh is skipped: the package is already installed in this environment."""
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": python}
    proc = subprocess.run(["bash", str(bundle / "run_autograder")], env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    for test in results["tests"]:
        assert TEST_KEYS <= set(test), test
    return results


def test_template_submission_gets_results_json(bundle, tmp_path):
    submission = tmp_path / "submission"
    (submission / "work").mkdir(parents=True)
    shutil.copy(TEMPLATE, submission / "work" / "C2W1_Assignment.ipynb")
    shutil.copy(SOLUTION_HISTORY, submission / "history.pkl")  # not beside it: still found
    (submission / "scratch.ipynb").write_text("{}")  # the assignment's name wins
    results = _run_autograder(bundle, tmp_path)
    assert results["score"] == 20  # only the history passes
    assert len(results["tests"]) == check_count()
    by_name = {t["name"]: t for t in results["tests"]}
    assert by_name["history: history file is readable plain data"]["score"] == 2
    first = by_name["create_train_val_dirs: creates the four directories under root_path"]
    assert first["max_score"] == 6 and first["visibility"] == "visible"
    assert "(cats-v-dogs/)" in first["output"] and "grader-c2w1-" not in first["output"]
    assert "grader-c2w1-" not in json.dumps(results)


def test_no_notebook_and_no_python_still_write_results_json(bundle, tmp_path):
    (tmp_path / "submission").mkdir()
    results = _run_autograder(bundle, tmp_path)
    assert results["score"] == 0 and results["tests"][0]["max_score"] == 100
    assert "No notebook (.ipynb) was found" in results["output"]
    broken = _run_autograder(bundle, tmp_path, python="/bin/false")
    assert broken["score"] == 0 and "could not start" in broken["output"]
