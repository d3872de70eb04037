"""The GitHub Action's script, run as the action runs it, on a throwaway git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import TEMPLATE, check_count

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})


def _pull_request(tmp_path: Path, change) -> Path:
    """main holds a README; branch `learner` adds one commit made by `change(repo)`."""
    repo = tmp_path / "classroom"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("assignments\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "checkout", "-q", "-b", "learner")
    change(repo)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "learner's work")
    return repo


def _run_action(repo: Path, summary: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GITHUB_BASE_REF": "main", "GITHUB_STEP_SUMMARY": str(summary)}
    return subprocess.run([sys.executable, "-m", "grader.ci_action", "--output-dir", "results"],
                          cwd=repo, env=env, capture_output=True, text=True)


def test_changed_template_is_graded_and_fails(tmp_path):
    def add_notebook(repo: Path) -> None:
        (repo / "week1").mkdir()
        shutil.copy(TEMPLATE, repo / "week1" / "C2W1_Assignment.ipynb")
        (repo / "week1" / "notes.ipynb").write_text("{}")  # not an assignment: not graded

    repo = _pull_request(tmp_path, add_notebook)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    proc = _run_action(repo, summary)
    assert proc.returncode == 1, proc.stderr
    root = ET.parse(repo / "results" / "week1__C2W1_Assignment.xml").getroot()
    assert root.tag == "testsuites" and root.get("failures") == str(check_count())
    assert sorted(p.name for p in (repo / "results").iterdir()) == [
        "summary.md", "week1__C2W1_Assignment.xml"]
    text = summary.read_text()
    assert text.startswith("earlier step\n")  # appended, not overwritten
    assert "| notebook | assignment | score | passed | failing checks |" in text
    assert ("| week1/C2W1_Assignment.ipynb | C2W1 | 0/100 | **no** | "
            "create_train_val_dirs (2 failed); split_data (7 failed)") in text
    assert "grader-c2w1-" not in text and "(cats-v-dogs/)" in text
    assert "Graded with Keras 2 (" in text and ", sandbox: " in text  # the level that graded
    assert root.find("testsuite/properties/property[@name='sandbox']") is not None


def test_nothing_relevant_changed_exits_0_with_a_note(tmp_path):
    def edit_readme(repo: Path) -> None:
        (repo / "README.md").write_text("assignments, edited\n")
        (repo / "scratch.ipynb").write_text("{}")  # a notebook, but not an assignment

    repo = _pull_request(tmp_path, edit_readme)
    summary = tmp_path / "summary.md"
    proc = _run_action(repo, summary)
    assert proc.returncode == 0, proc.stderr
    assert "No assignment notebook changed" in summary.read_text()
    assert not (repo / "results").exists()
