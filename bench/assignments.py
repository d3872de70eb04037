"""Grading time and peak memory of each assignment's reference solution, one run each.

    python bench/assignments.py [C2W1 C2W2 C2W3 C2W4]

Each grading runs through the real CLI in a fresh wrapper process, whose RUSAGE_CHILDREN
gives the peak resident memory of the largest process below it (the learner-code child).
Fixtures are generated before timing. Run by hand; nothing here is asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRAPPER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"wall": time.perf_counter() - started, "rc": proc.returncode,
                  "stdout": proc.stdout,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def grade(code: str) -> dict:
    notebook = ROOT / "solutions" / f"{code}_Assignment.ipynb"
    argv = [sys.executable, "-c", WRAPPER, sys.executable, "-m", "grader", "grade",
            str(notebook), "--assignment", code, "--format", "json"]
    out = json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)
    result = json.loads(out["stdout"])
    return {"wall": out["wall"], "rss_mib": out["maxrss_kb"] / 1024, "score": result["score"],
            "duration_s": result["duration_s"]}


def main() -> int:
    codes = sys.argv[1:] or ["C2W1", "C2W2", "C2W3", "C2W4"]
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader", "fixtures", "--assignment", "all"],
                   check=True, capture_output=True)
    print(f"fixtures ready in {time.perf_counter() - started:.1f} s")
    print(f"{'assignment':<11}{'score':>7}{'wall s':>9}{'peak RSS MiB':>14}")
    for code in codes:
        row = grade(code)
        print(f"{code:<11}{row['score']:>7g}{row['wall']:>9.1f}{row['rss_mib']:>14,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
