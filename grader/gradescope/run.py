"""What a Gradescope bundle's `run_autograder` runs for each submission.

Finds the notebook in <root>/submission, grades it with `grader grade --format gradescope`
into <root>/results/results.json, and makes sure a results.json exists whatever happens: a
submission that cannot be graded gets score 0 and the reason. The root is $AUTOGRADER_ROOT
(default /autograder), so tests can simulate the tree in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from grader.assignments import get_spec
from grader.model.redact import redact

GRADE_TIMEOUT_S = 1800  # beyond the grader's own 900 s per submission, with room to start


def find_notebook(submission: Path, code: str) -> Path | None:
    """The assignment's own file name first, then any name mentioning the code, then any."""
    found = sorted(p for p in submission.rglob("*.ipynb")
                   if not any(part.startswith((".", "__MACOSX"))
                              for part in p.relative_to(submission).parts))
    preferred = f"{code}_Assignment.ipynb".lower()
    code_names = (code.lower(), code.lower().replace("w", "_w"))
    for rank in (lambda p: p.name.lower() == preferred,
                 lambda p: any(c in p.name.lower() for c in code_names),
                 lambda p: True):
        for path in found:
            if rank(path):
                return path
    return None


def find_history(notebook: Path, submission: Path, file_name: str) -> Path | None:
    """None when it is beside the notebook (the grader's default) or nowhere."""
    if (notebook.parent / file_name).is_file():
        return None
    others = sorted(submission.rglob(file_name))
    return others[0] if others else None


def zero_results(message: str, max_score: float) -> dict:
    return {
        "score": 0,
        "output": message,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [{"name": "grading", "score": 0, "max_score": max_score, "status": "failed",
                   "output": message, "visibility": "visible"}],
    }


def grade_into(root: Path, code: str, keras: str) -> dict:
    spec = get_spec(code)
    max_score = sum(p.points for p in spec.parts)
    submission = root / "submission"
    results = root / "results" / "results.json"
    notebook = find_notebook(submission, code) if submission.is_dir() else None
    if notebook is None:
        wanted = f"{code}_Assignment.ipynb" + (
            f" and {spec.history.file_name}" if spec.history else "")
        return zero_results(f"No notebook (.ipynb) was found in your submission. Upload "
                            f"{wanted}, then submit again.", max_score)
    command = [sys.executable, "-m", "grader", "grade", str(notebook), "--assignment", code,
               "--keras", keras, "--format", "gradescope", "--output", str(results)]
    if spec.history and (history := find_history(notebook, submission, spec.history.file_name)):
        command += ["--history", str(history)]
    results.unlink(missing_ok=True)
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=GRADE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return zero_results(f"Grading did not finish within {GRADE_TIMEOUT_S} s.", max_score)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    if proc.returncode in (0, 1) and results.is_file():
        return json.loads(results.read_text())  # messages are redacted by grade()
    errors = [line.removeprefix("grader: error: ") for line in proc.stderr.splitlines()
              if line.startswith("grader: error: ")]
    why = errors[-1] if errors else f"the grader stopped with status {proc.returncode}"
    why = why.replace(str(submission) + os.sep, "")
    return zero_results(redact(f"Your submission could not be graded: {why}."), max_score)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.gradescope.run")
    parser.add_argument("--assignment", type=str.upper, required=True)
    parser.add_argument("--keras", choices=("2", "3"), default="2")
    parser.add_argument("--root", type=Path,
                        default=Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")))
    args = parser.parse_args(argv)
    results = args.root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    payload = grade_into(args.root, args.assignment, args.keras)
    tmp = results.with_name("results.json.tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    tmp.replace(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
