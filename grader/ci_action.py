"""Grade the assignment notebooks a pull request changes (the script of action.yml).

    python -m grader.ci_action --base main [--notebooks '*_Assignment.ipynb'] [--keras 2]
                               [--output-dir grader-results] [--lang es]

Writes one JUnit XML per notebook, appends a Markdown table to $GITHUB_STEP_SUMMARY (stdout
when unset), and exits 1 when any notebook is below its pass mark or cannot be graded, 0 when
all pass or none changed, 2 when the changes cannot be listed (no base to compare with).

What reaches the log is the learner's too (a file name may hold a newline and `::error::`, a
message quotes learner code): every learner string goes through `grader.reporters.escape`, and
each notebook's grading and report run with workflow commands stopped under a token the
learner cannot know (`::stop-commands::`), so only the grader's own commands are read.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import secrets
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from grader.i18n import choose, language, tr
from grader.reporters.escape import log_text, workflow_command
from grader.reporters.junit import render_junit
from grader.reporters.markdown import SummaryRow, summary_table

DEFAULT_PATTERNS = "*_Assignment.ipynb"
HISTORY_SUFFIX = ".pkl"  # a changed history re-grades the notebooks beside it


class NoBase(Exception):
    """The base to compare with is unknown or not fetched."""


def _git(repo: Path, *args: str) -> str:
    """Git's output as file names are: bytes decoded as the file system does, no newline
    translation (a name may hold a carriage return)."""
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True)
    if proc.returncode != 0:
        raise NoBase(f"git {' '.join(args)} failed: {os.fsdecode(proc.stderr).strip()}")
    return os.fsdecode(proc.stdout)


def patterns(text: str) -> list[str]:
    """Globs given one per line or comma-separated."""
    return [p.strip() for p in re.split(r"[,\n]", text) if p.strip()]


def matches(path: str, globs: list[str]) -> bool:
    """fnmatch on the whole path (where `*` also crosses `/`) or on the file name."""
    name = PurePosixPath(path).name
    return any(fnmatch.fnmatch(path, g) or fnmatch.fnmatch(name, g) for g in globs)


def base_commit(repo: Path, base: str) -> str:
    """The base as fetched by actions/checkout (`origin/<base>`), else as a local ref."""
    if not base:
        raise NoBase("no base to compare with: run on pull_request (GITHUB_BASE_REF) or pass "
                     "--base")
    for ref in (f"origin/{base}", base):
        proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
                              cwd=repo, capture_output=True, text=True)
        if proc.returncode == 0:
            return ref
    raise NoBase(f"base {base!r} is not in this clone: check out with fetch-depth: 0")


def changed_notebooks(repo: Path, base: str, globs: list[str]) -> list[str]:
    """Notebooks changed since the merge base (deletions left out), plus those beside a changed
    history file."""
    names = _git(repo, "diff", "--name-only", "--diff-filter=d", "-z",
                 f"{base_commit(repo, base)}...HEAD").split("\0")
    changed = [n for n in names if n]
    found = [n for n in changed if n.endswith(".ipynb") and matches(n, globs)]
    for name in changed:
        if name.endswith(HISTORY_SUFFIX):
            folder = (repo / name).parent
            for nb in sorted(folder.glob("*.ipynb")):
                rel = nb.relative_to(repo).as_posix()
                if matches(rel, globs) and rel not in found:
                    found.append(rel)
    return sorted(found)


def _junit_error(notebook: str, message: str) -> str:
    suites = ET.Element("testsuites", name=f"grader {notebook}", tests="1", errors="1")
    suite = ET.SubElement(suites, "testsuite", name="grading", tests="1", errors="1")
    case = ET.SubElement(suite, "testcase", classname="grader", name=notebook)
    ET.SubElement(case, "error", message=message[:500], type="CannotGrade").text = message
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def grade_one(repo: Path, notebook: str, keras: str | None, out: Path) -> SummaryRow:
    from grader.api import CannotGrade, grade_submission, resolve

    junit = out / (notebook.replace("/", "__").removesuffix(".ipynb") + ".xml")
    try:
        result = grade_submission(resolve(repo / notebook, keras=keras), keras=keras)
    except CannotGrade as exc:
        message = str(exc).replace(str(repo) + os.sep, "")
        junit.write_text(_junit_error(notebook, message))
        return SummaryRow(notebook, error=message)
    junit.write_text(render_junit(result))
    return SummaryRow.from_result(notebook, result)


def log(text: object, file=None) -> None:
    """Print to the Action's log so that no line of `text` reads as a workflow command."""
    print(log_text(text), file=file or sys.stdout, flush=True)


@contextmanager
def commands_stopped() -> Iterator[None]:
    """No workflow command is read from the log inside: whatever grading or its report prints
    (the learner's strings included) stays text. The token is random per use, so no learner
    output can end the pause."""
    token = secrets.token_hex(16)
    print(workflow_command("stop-commands", token), flush=True)
    try:
        yield
    finally:
        sys.stderr.flush()
        print(f"::{token}::", flush=True)


def _write_summary(markdown: str) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as f:
            f.write(markdown)
    else:
        sys.stdout.write(markdown)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.ci_action", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=os.environ.get("GITHUB_BASE_REF", ""),
                        help="branch or commit to compare with (default: $GITHUB_BASE_REF)")
    parser.add_argument("--notebooks", default=DEFAULT_PATTERNS,
                        help="globs, one per line or comma-separated")
    parser.add_argument("--keras", choices=("2", "3"), default=None,
                        help="default: the Keras each notebook's assignment was written for")
    parser.add_argument("--output-dir", type=Path, default=Path("grader-results"))
    parser.add_argument("--repo", type=Path, default=Path.cwd(),
                        help="the checked-out repository (default: the current directory)")
    parser.add_argument("--lang", default=os.environ.get("GRADER_LANG") or None,
                        help="the learners' language, en or es (default: $GRADER_LANG, else "
                             "from LANG/LC_ALL, else en)")
    args = parser.parse_args(argv)
    try:
        lang = choose(args.lang)
    except ValueError as exc:
        log(f"grader: error: {exc}", file=sys.stderr)
        return 2
    with language(lang):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    repo = args.repo.resolve()
    try:
        notebooks = changed_notebooks(repo, args.base, patterns(args.notebooks))
    except NoBase as exc:
        log(f"grader: error: {exc}", file=sys.stderr)
        return 2
    if not notebooks:
        _write_summary(tr("### Assignment grading\n\nNo assignment notebook changed in this "
                          "pull request (looked for {patterns}); nothing to grade.\n",
                          patterns=", ".join(patterns(args.notebooks))))
        print("No assignment notebook changed; nothing to grade.")
        return 0
    out = args.output_dir.resolve()
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for notebook in notebooks:
        print(workflow_command("group", " ".join(notebook.split())), flush=True)
        with commands_stopped():
            row = grade_one(repo, notebook, args.keras, out)
            log(row.report or tr("could not grade: {error}", error=row.error))
        print(workflow_command("endgroup"), flush=True)
        rows.append(row)
    markdown = summary_table(rows)
    (out / "summary.md").write_text(markdown)
    _write_summary(markdown)
    return 0 if all(r.passed and not r.error for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
