"""Rescoring a graded class after a rubric change, against grading it again.

The class is bench/class_batch.py's: 46 C2W1/C2W2 submissions (30 + 16) that share a few
models, each with its history. Measured in one run, on this machine, 2 workers, both weeks:

1. cold: `grader batch` into fresh results folders with the clean cache (what a first
   grading costs);
2. warm regrade: the same folders again with `--regrade` (the cache warm: no model trains
   again; what "regrade after a rubric change" costs without rescoring);
3. rescore, same rubric: `grader rescore` of both folders; every learner's result.json,
   feedback and gradebook must come out byte for byte as graded (printed);
4. rescore after a points change: every create_model test worth twice its points and the
   pass mark 5 higher (the spec is swapped in this process; no notebook runs). Each
   learner's new total must equal the total recomputed by hand from the graded verdicts
   under the new points (printed), and the ratio to (2) is the headline.

Targets (issue 32, item 5): rescore under 5 s for the class, over 20x faster than (2).
Measured 2026-12-07: 0.74 s, 78x (docs/performance.md).

    . .venv/bin/activate
    python bench/rescore.py
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from class_batch import build  # noqa: E402

from grader.assignments import get_spec  # noqa: E402
from grader.assignments.common import fixtures  # noqa: E402
from grader.batch import rescore as batch_rescore  # noqa: E402
from grader.batch.rescore import rescore_results  # noqa: E402
from grader.batch.run import BatchOptions, run_batch  # noqa: E402

LEARNER_FILES = ("result.json", "feedback.txt", "feedback.html", "results.json", "junit.xml")


def new_rubric(code: str):
    spec = get_spec(code)
    parts = tuple(replace(p, tests=tuple(t.worth(2 * t.points) for t in p.tests))
                  if p.name == "create_model" else p for p in spec.parts)
    return replace(spec, parts=parts, pass_mark=spec.pass_mark + 5)


def expected_total(result: dict, code: str) -> float:
    """The graded verdicts under the new points, by hand."""
    points = {(p.name, t.name): t.points for p in new_rubric(code).parts for t in p.tests}
    return round(sum(points[(p["name"], t["id"])] for p in result["parts"]
                     for t in p["tests"] if t["passed"]), 2)


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and (p.name in LEARNER_FILES or p.name == "gradebook.csv")}


def timed(call) -> tuple[float, object]:
    started = time.monotonic()
    value = call()
    return time.monotonic() - started, value


def main() -> int:
    fixtures.petimages()
    subprocess.run([sys.executable, "-c", "import tensorflow"], check=True,
                   env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})  # warm the page cache
    with tempfile.TemporaryDirectory(prefix="bench-rescore-") as tmp:
        folders = build(Path(tmp) / "class")
        outs = {code: Path(tmp) / "out" / code for code in folders}
        learners = sum(len(list(f.glob("*.ipynb"))) for f in folders.values())

        def batch(regrade: bool) -> None:
            for code, folder in folders.items():
                run_batch(folder, outs[code], BatchOptions(code, workers=2, regrade=regrade),
                          stream=io.StringIO())

        cold, _ = timed(lambda: batch(False))
        warm, _ = timed(lambda: batch(True))
        graded = {code: snapshot(out) for code, out in outs.items()}
        same, summaries = timed(lambda: [rescore_results(out, io.StringIO())
                                         for out in outs.values()])
        identical = sum(snapshot(out) == graded[code] for code, out in outs.items())
        differing = [f"{code}/{name}" for code, out in outs.items()
                     for name, data in snapshot(out).items() if graded[code].get(name) != data]
        rescored = sum(s.rescored for s in summaries)

        def changed() -> list:
            done = []
            for code, out in outs.items():
                batch_rescore.get_spec = lambda _code, code=code: new_rubric(code)
                done.append(rescore_results(out, io.StringIO()))
            return done

        points, summaries = timed(changed)
        batch_rescore.get_spec = get_spec
        wrong = []
        for code, out in outs.items():
            for path in sorted(out.glob("*/result.json")):
                now = json.loads(path.read_text())
                before = json.loads(graded[code][str(path.relative_to(out))])
                if now["score"] != expected_total(before, code):
                    wrong.append(f"{code}/{path.parent.name}")
    print(f"class: {learners} submissions (bench/class_batch.py), {os.cpu_count()} CPUs, "
          "2 workers, clean cache on")
    print(f"  1. cold grading:            {cold:6.1f} s")
    print(f"  2. warm regrade (--regrade): {warm:6.1f} s")
    print(f"  3. rescore, same rubric:     {same:6.2f} s; {rescored} of {learners} rescored; "
          f"{identical} of {len(outs)} weeks byte-identical to the grading"
          + (f" (differ: {differing[:5]})" if differing else ""))
    print(f"  4. rescore, points changed:  {points:6.2f} s; "
          f"{sum(s.rescored for s in summaries)} rescored; totals as recomputed by hand: "
          + ("all" if not wrong else f"{len(wrong)} differ: {wrong[:5]}"))
    print(f"  rescore vs warm regrade: {warm / points:.0f}x faster (target over 20x, under 5 s);"
          f" vs cold: {cold / points:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
