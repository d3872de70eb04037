"""What a Gradescope bundle's `run_autograder` runs for each submission.

Finds the notebook and history in <root>/submission as every front end does, grades them
through the core in this process, and writes <root>/results/results.json whatever happens:
a submission that cannot be graded gets score 0 and the reason. The root is
$AUTOGRADER_ROOT (default /autograder), so tests can simulate the tree in a folder.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from grader.api import CannotGrade, find_notebook, get_spec, grade_submission, resolve
from grader.i18n import LANGUAGES, language, tr
from grader.model.files import atomic_write
from grader.model.redact import redact
from grader.reporters.gradescope import render_gradescope


def zero_results(message: str, max_score: float) -> dict:
    return {
        "score": 0,
        "output": message,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [{"name": "grading", "score": 0, "max_score": max_score, "status": "failed",
                   "output": message, "visibility": "visible"}],
    }


def grade_into(root: Path, code: str, keras: str | None, lang: str = "en") -> dict:
    with language(lang):
        return _grade_into(root, code, keras)


def _grade_into(root: Path, code: str, keras: str | None) -> dict:
    spec = get_spec(code)
    max_score = sum(p.points for p in spec.parts)
    submission = root / "submission"
    notebook = find_notebook(submission, code) if submission.is_dir() else None
    if notebook is None:
        name = f"{code}_Assignment.ipynb"
        return zero_results(
            tr("No notebook (.ipynb) was found in your submission. Upload {notebook} and "
               "{history}, then submit again.", notebook=name, history=spec.history.file_name)
            if spec.history else
            tr("No notebook (.ipynb) was found in your submission. Upload {notebook}, then "
               "submit again.", notebook=name), max_score)
    try:
        resolved = resolve(notebook, code, folder=submission, keras=keras)
    except CannotGrade as exc:
        why = str(exc).replace(str(submission) + os.sep, "")
        return zero_results(redact(tr("Your submission could not be graded: {why}.", why=why)),
                            max_score)
    return json.loads(render_gradescope(grade_submission(resolved, keras=keras)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.gradescope.run")
    parser.add_argument("--assignment", type=str.upper, required=True)
    parser.add_argument("--keras", choices=("2", "3"), default=None)
    parser.add_argument("--lang", choices=LANGUAGES, default="en")
    parser.add_argument("--root", type=Path,
                        default=Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")))
    args = parser.parse_args(argv)
    results = args.root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    payload = grade_into(args.root, args.assignment, args.keras, args.lang)
    atomic_write(results, json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
