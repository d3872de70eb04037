"""The brief training's calibration, printed: for each reference solution with a "learns"
check and each case of tests/realistic/learning.py that changes the model, what the check
measured (right answers against what was needed), its verdict against the expected one, and
the grading's wall time. Run by hand (`python bench/learning_calibration.py [NAME ...]`) on
an otherwise idle machine; the tests assert the verdicts, this prints the margins.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from conftest import edited, load_solution, write  # noqa: E402
from realistic.learning import CASES  # noqa: E402

from grader.assignments import get_spec  # noqa: E402
from grader.pipeline.grade import Options, grade  # noqa: E402

HISTORIES = {"C2W1": "history.pkl", "C2W1v4": "history.pkl", "C2W2v4": "C2W2v4_history.pkl"}
REFERENCES = ("C2W1", "C2W4", "C2W1v4", "C2W2v4", "C2W4v4")


def learns_test(result):
    return next((t for p in result.parts for t in p.tests if t.name.startswith("learns")), None)


def margin(message: str) -> str:
    right = re.search(r"(\d+) of (\d+) images", message)
    needed = re.search(r"(?:and|takes) (\d+) right", message)
    if not right and "changed none" in message:
        return "no weight changed"
    if right and needed:
        return f"{right.group(1)}/{right.group(2)} right, {needed.group(1)} needed"
    return message[:60]


def main(names: list[str]) -> int:
    runs = [(code, code, load_solution(code), True) for code in REFERENCES]
    runs += [(case.name, case.code, edited(case.code, case.edits),
              not any(t.startswith("learns") for ts in case.expect.values() for t in ts))
             for case in CASES if any("create-model" in cell for cell, _, _ in case.edits)]
    if names:
        runs = [r for r in runs if r[0] in names]
    wrong = 0
    print(f"{'case':52} {'code':7} {'expect':6} {'got':6} {'wall s':>7}  measured")
    with tempfile.TemporaryDirectory() as folder:
        for name, code, nb, expected in runs:
            spec = get_spec(code)
            history = ROOT / "solutions" / HISTORIES[code] if code in HISTORIES else None
            path = write(nb, Path(folder) / name, f"{code}_Assignment.ipynb")
            started = time.monotonic()
            result = grade(spec, path, history, Options(keras=spec.keras))
            wall = time.monotonic() - started
            test = learns_test(result)
            got = bool(test and test.passed)
            wrong += got != expected
            print(f"{name:52} {code:7} {'pass' if expected else 'fail':6} "
                  f"{'pass' if got else 'fail':6} {wall:7.1f}  "
                  f"{margin(test.message) if test else '-'}", flush=True)
    print(f"{len(runs) - wrong} of {len(runs)} as expected")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
