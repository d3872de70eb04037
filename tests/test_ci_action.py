"""The GitHub Action's script, run as the action runs it, on a throwaway git repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
from conftest import TEMPLATE, check_count

from grader.reporters.escape import (
    command_data,
    command_property,
    log_text,
    markdown_cell,
    workflow_command,
)

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
    assert (r"| week1/C2W1\_Assignment\.ipynb | C2W1 | 0/100 | **no** | "
            r"create\_train\_val\_dirs \(2 failed\); split\_data \(7 failed\)") in text
    assert "grader-c2w1-" not in text and "(cats-v-dogs/)" in text
    assert r"Graded with Keras 2 \(" in text and ", sandbox: " in text  # the level that graded
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


# Hostile: a file name and messages that would be workflow commands (issue 30, item 11). Git
# allows a newline in a file name, and the runner reads "::name::" at the start of any line
# (after whitespace) and the legacy "##[name]" anywhere in one.
HOSTILE_NAME = ("week1/C2W1\n::error::pwned 100%\n  ::warning title=x::y\r##[error]legacy "
                "| C2W1 | 100 | yes | none |\\_Assignment.ipynb")
_LINES = re.compile(r"\r\n|\r|\n")


def workflow_commands(log: str, honour_stop: bool = True) -> list[str]:
    """The names of the workflow commands GitHub's runner reads from `log`, in order (a
    resumed pause as "resume"); with `honour_stop` False, as if `::stop-commands::` were
    ignored, each resume token read as a command of its own."""
    found, token = [], None
    for line in _LINES.split(log):
        text = line.lstrip()
        if text.startswith("::") and "::" in text[2:]:
            name = text[2:text.index("::", 2)].split(" ")[0]
        elif "##[" in line and "]" in line.split("##[", 1)[1]:
            name = line.split("##[", 1)[1].split("]")[0].split(" ")[0]
        else:
            continue
        if token is not None:
            if name == token:
                token = None
                found.append("resume")
            continue
        if name == "stop-commands" and honour_stop:
            token = text.split("::", 2)[2]
        found.append(name)
    return found


def test_hostile_file_name_and_messages_issue_no_workflow_command(tmp_path):
    def add_notebook(repo: Path) -> None:
        nb = nbformat.read(TEMPLATE, as_version=4)
        cell = next(c for c in nb.cells if "def create_train_val_dirs" in c.source)
        cell.source = cell.source.replace("  pass\n", "  print('::error::printed')\n  raise "
                                          "ValueError('\\n::error::raised\\n##[error]x %0A')\n", 1)
        path = repo / HOSTILE_NAME
        path.parent.mkdir()
        nbformat.write(nb, path)

    repo = _pull_request(tmp_path, add_notebook)
    summary = tmp_path / "summary.md"
    proc = _run_action(repo, summary)
    assert proc.returncode == 1, proc.stderr
    log = proc.stdout + "\n" + proc.stderr
    assert "pwned" in log and "raised" in log  # shown, as text
    assert workflow_commands(log) == ["group", "stop-commands", "resume", "endgroup"], log
    own = workflow_commands(log, honour_stop=False)
    assert own[:2] == ["group", "stop-commands"] and own[3:] == ["endgroup"], log
    assert re.fullmatch("[0-9a-f]{32}", own[2]), log  # the random token, and nothing else
    group = next(line for line in _LINES.split(log) if line.startswith("::group::"))
    assert "%25" in group and "\n" not in group and "pwned 100%25" in group

    rows = [line for line in summary.read_text().splitlines() if line.startswith("| week1/")]
    assert len(rows) == 1 and len(re.findall(r"(?<!\\)(?:\\\\)*\|", rows[0])) == 6, rows
    assert "<summary>week1/C2W1 ::error::pwned 100% ::warning" in summary.read_text()


def test_workflow_escaping_follows_githubs_rules():
    assert command_data("a%b\r\nc::d,e") == "a%25b%0D%0Ac::d,e"
    assert command_property("a%b\r\nc::d,e") == "a%25b%0D%0Ac%3A%3Ad%2Ce"
    assert workflow_command("error", "x\n::y", title="t: 1,2") == \
        "::error title=t%3A 1%2C2::x%0A::y"
    assert log_text("ok\n  ::error::x\r\u2003::warning::y\n##[error]z\na::b") == (
        "ok\n|   ::error::x\n| \u2003::warning::y\n## [error]z\na::b")
    assert markdown_cell("a |\n b\\") == "a \\| b\\\\"
