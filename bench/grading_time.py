"""How long grading C2W1 takes, and how close that is to the floor of the work itself.

Measures, in one run, on this machine:

(a) grading: the reference solution `solutions/C2W1_Assignment.ipynb` with
    `solutions/history.pkl` through the real CLI
    (`python -m grader grade ... --assignment C2W1 --format json`), as a subprocess;
(b) the floor: a bare `python -c` subprocess (TF_USE_LEGACY_KERAS=1) that imports
    TensorFlow, loads the same reference functions (grader.extract.extract +
    grader.child.load_submission), and calls them once each on the fixture data the grader
    uses, then runs the same brief, seeded training (grader.assignments.c2w1.probe_train with
    the arguments prepare() builds). No isolation, no second process, no checks;
(c) fixture generation into an empty temporary GRADER_CACHE (cold) and again (warm).

Each measured command runs under a fresh wrapper process, so
`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` is the peak RSS of the largest single
process below it (the grader's child, for (a)); psutil, when installed, also samples the
summed RSS of the whole process tree every 50 ms.

Before measuring, the default fixture cache is filled and TensorFlow is imported once
(untimed), so the first measured run does not pay for a cold page cache.

Run by hand from the repository root (never from the test suite; prints, never asserts):

    . .venv/bin/activate
    python bench/grading_time.py              # one run of each
    python bench/grading_time.py --repeat 3   # medians of three runs of each
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import psutil
except ImportError:  # optional: the tree sampling column is left out without it
    psutil = None

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "solutions" / "C2W1_Assignment.ipynb"
HISTORY = ROOT / "solutions" / "history.pkl"
MARK = "BENCH_JSON "

# Runs argv[1:], then reports its wall time, CPU time and the peak RSS of its descendants.
WRAPPER = """\
import json, resource, subprocess, sys, time
started = time.monotonic()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = time.monotonic() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "wall_s": wall, "rc": proc.returncode, "maxrss_kb": usage.ru_maxrss,
    "cpu_s": usage.ru_utime + usage.ru_stime,
    "stdout": proc.stdout.decode(errors="replace"),
    "stderr": proc.stderr.decode(errors="replace")[-4000:],
}))
"""

# The floor: the reference functions called directly, once each, in one process.
FLOOR = """\
import json, os, shutil, sys, tempfile, time
marks = {}
begun = time.monotonic()

def lap(name, since):
    now = time.monotonic()
    marks[name] = now - since
    return now

t = time.monotonic()
import tensorflow as tf
tf.keras.layers.Dense  # with TF_USE_LEGACY_KERAS=1, `import tensorflow` already loads tf_keras
t = lap("import tensorflow (+ tf_keras)", t)
from grader import fixtures
from grader.assignments import c2w1
from grader.child import load_submission
from grader.extract import extract
from grader.notebook import read_notebook
t = lap("import grader modules", t)
extraction = extract(read_notebook(sys.argv[1]), c2w1.FUNCTIONS)
ns, problems = load_submission([s.__dict__ for s in extraction.snippets])
if problems:
    raise SystemExit(f"the reference did not load: {problems}")
t = lap("extract + load solution", t)
pets = fixtures.petimages()
t = lap("fixtures (warm cache)", t)
work = tempfile.mkdtemp(prefix="bench-floor-")
ns["create_train_val_dirs"](os.path.join(work, "cats-v-dogs"))
t = lap("create_train_val_dirs", t)
source = os.path.join(work, "source")
os.makedirs(source)
for name in os.listdir(pets.cats):
    if name.lower().endswith(".jpg"):
        shutil.copyfile(os.path.join(pets.cats, name), os.path.join(source, name))
for sub in ("training", "validation"):
    os.makedirs(os.path.join(work, sub))
t = lap("copy Cat folder (setup)", t)
ns["split_data"](source + os.sep, os.path.join(work, "training") + os.sep,
                 os.path.join(work, "validation") + os.sep, 0.9)
t = lap("split_data (0.9)", t)
ns["train_val_generators"](str(pets.training) + os.sep, str(pets.validation) + os.sep)
t = lap("train_val_generators", t)
from grader.probe_tools import export_model
export = export_model(ns["create_model"]())
t = lap("create_model", t)
obs = c2w1.probe_train({}, {
    "training": str(pets.training), "validation": str(pets.validation), "seed": c2w1.SEED,
    "max_epochs": c2w1.TRAIN_MAX_EPOCHS, "target": c2w1.TRAIN_TARGET, "export": export,
})
t = lap("brief training (probe_train)", t)
marks["in-process total"] = t - begun
shutil.rmtree(work, ignore_errors=True)
print("BENCH_JSON " + json.dumps({"marks": marks, "accuracies": obs.get("accuracies"),
                                  "steps_per_epoch": obs.get("steps_per_epoch"),
                                  "error": obs.get("fit_error")}))
sys.stdout.flush()
os._exit(0)  # as grader.child does: skip TensorFlow's slow interpreter teardown
"""

# Fixture generation, cold then warm, into the GRADER_CACHE it is given.
FIXTURES = """\
import json, time
from grader import fixtures
t = time.monotonic()
fixtures.petimages()
cold = time.monotonic() - t
t = time.monotonic()
fixtures.petimages()
print("BENCH_JSON " + json.dumps({"cold": cold, "warm": time.monotonic() - t}))
"""


def measured(argv: list[str], env: dict[str, str], cwd: Path) -> dict:
    """Run argv under a fresh wrapper; add the sampled peak RSS of the whole tree."""
    wrapper = subprocess.Popen([sys.executable, "-c", WRAPPER, *argv], env=env, cwd=cwd,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak_tree = 0
    if psutil is not None:
        me = psutil.Process(wrapper.pid)
        while wrapper.poll() is None:
            total = 0
            try:
                for child in me.children(recursive=True):
                    try:
                        total += child.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                pass
            peak_tree = max(peak_tree, total)
            time.sleep(0.05)
    out, err = wrapper.communicate()
    if wrapper.returncode != 0:
        raise SystemExit(f"wrapper failed: {err.decode(errors='replace')[-2000:]}")
    result = json.loads(out)
    result["tree_peak_kb"] = peak_tree // 1024 if psutil is not None else None
    return result


def payload(result: dict, what: str) -> dict:
    for line in reversed(result["stdout"].splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    raise SystemExit(f"{what} printed no result (rc {result['rc']}):\n{result['stderr']}")


def grading_run(env: dict[str, str]) -> dict:
    argv = [sys.executable, "-m", "grader", "grade", str(NOTEBOOK), "--assignment", "C2W1",
            "--history", str(HISTORY), "--format", "json"]
    result = measured(argv, env, ROOT)
    try:
        report = json.loads(result["stdout"])
    except json.JSONDecodeError:
        raise SystemExit(f"grading printed no JSON (rc {result['rc']}):\n"
                         f"{result['stderr']}") from None
    result["score"] = report["score"]
    result["passed"] = report["passed"]
    result["duration_s"] = report["duration_s"]
    return result


def floor_run(env: dict[str, str]) -> dict:
    env = {**env, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory(prefix="bench-floor-cwd-") as cwd:
        result = measured([sys.executable, "-c", FLOOR, str(NOTEBOOK)], env, Path(cwd))
    result.update(payload(result, "the floor"))
    return result


def fixtures_run(env: dict[str, str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
        proc = subprocess.run([sys.executable, "-c", FIXTURES], env={**env, "GRADER_CACHE": cache},
                              cwd=ROOT, capture_output=True, text=True)
    return payload({"stdout": proc.stdout, "rc": proc.returncode, "stderr": proc.stderr},
                   "fixture generation")


def median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def mib(kb: float | None) -> str:
    return "n/a" if kb is None else f"{kb / 1024:,.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each measurement; medians are printed (default 1)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    started = time.monotonic()
    env = dict(os.environ)

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), psutil "
          f"{'yes' if psutil is not None else 'no (tree column left out)'}, "
          f"repeat {args.repeat}", flush=True)
    subprocess.run([sys.executable, "-m", "grader", "fixtures"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-c", "import tensorflow"], check=True,
                   env={**env, "TF_CPP_MIN_LOG_LEVEL": "2"}, stderr=subprocess.DEVNULL)

    gradings, floors, fixture_runs = [], [], []
    for i in range(args.repeat):
        print(f"run {i + 1}/{args.repeat}: grading ...", end="", flush=True)
        gradings.append(grading_run(env))
        print(" floor ...", end="", flush=True)
        floors.append(floor_run(env))
        print(" fixtures ...", end="", flush=True)
        fixture_runs.append(fixtures_run(env))
        print(" done", flush=True)

    g = {k: median([r[k] for r in gradings])
         for k in ("wall_s", "cpu_s", "maxrss_kb", "tree_peak_kb", "duration_s")}
    f = {k: median([r[k] for r in floors])
         for k in ("wall_s", "cpu_s", "maxrss_kb", "tree_peak_kb")}
    for r in gradings:
        if not r["passed"] or r["score"] != 100:
            print(f"NOTE: a grading run scored {r['score']} (passed {r['passed']}, rc {r['rc']})")

    print()
    print(f"{'C2W1 reference':<34}{'wall s':>9}{'CPU s':>9}{'peak RSS MiB':>14}"
          f"{'tree peak MiB':>15}")
    print(f"{'grading (CLI, subprocess)':<34}{g['wall_s']:>9.2f}{g['cpu_s']:>9.2f}"
          f"{mib(g['maxrss_kb']):>14}{mib(g['tree_peak_kb']):>15}")
    print(f"{'floor (bare python -c)':<34}{f['wall_s']:>9.2f}{f['cpu_s']:>9.2f}"
          f"{mib(f['maxrss_kb']):>14}{mib(f['tree_peak_kb']):>15}")
    print(f"  grading's own duration_s (grade() in the CLI): {g['duration_s']:.2f}")
    print("  peak RSS: largest single process (getrusage RUSAGE_CHILDREN);"
          " tree peak: sum over the tree, sampled")

    print()
    print(f"{'floor, piece by piece':<34}{'s':>9}")
    names = list(floors[0]["marks"])
    for name in names:
        print(f"{name:<34}{median([r['marks'][name] for r in floors]):>9.2f}")
    overhead = median([r["wall_s"] - r["marks"]["in-process total"] for r in floors])
    print(f"{'interpreter start + exit (rest)':<34}{overhead:>9.2f}")
    epochs = [len(r["accuracies"] or []) for r in floors]
    print(f"  brief training: {median(epochs):.0f} epoch(s) of {floors[0]['steps_per_epoch']} "
          f"steps; accuracies {floors[0]['accuracies']}")
    print()
    print(f"{'fixture generation':<34}{'s':>9}")
    print(f"{'cold (empty GRADER_CACHE)':<34}{median([r['cold'] for r in fixture_runs]):>9.2f}")
    print(f"{'warm (same cache again)':<34}{median([r['warm'] for r in fixture_runs]):>9.3f}")

    print()
    print(f"ratio grading/floor: wall {g['wall_s'] / f['wall_s']:.2f}x, "
          f"CPU {g['cpu_s'] / f['cpu_s']:.2f}x, peak RSS {g['maxrss_kb'] / f['maxrss_kb']:.2f}x"
          + (f", tree peak {g['tree_peak_kb'] / f['tree_peak_kb']:.2f}x"
             if g["tree_peak_kb"] and f["tree_peak_kb"] else ""))
    print(f"(this script took {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
