"""How long grading each assignment takes, and how close that is to the floor of the work.

For each assignment (all eight, C2W1..C2W4 and C2W1v4..C2W4v4, or those named on the command
line) it measures, in one run,
on this machine:

(a) grading: the reference solution `solutions/{CODE}_Assignment.ipynb` through the real CLI
    (`python -m grader grade ... --assignment CODE --format json`, plus `--history
    solutions/history.pkl` for C2W1 and C2W1v4, `solutions/history_augmented.pkl` for C2W2,
    `solutions/C2W2v4_history.pkl` for C2W2v4), as a
    subprocess; its score should be 100;
(b) the floor: one bare `python -c` subprocess (TF_USE_LEGACY_KERAS=1 for the Keras 2 weeks, 0
    for the 2024 ones, TF_CPP_MIN_LOG_LEVEL=2,
    PYTHONHASHSEED=0) that imports TensorFlow, extracts and loads the same reference functions
    (grader.pipeline.extract.extract + grader.sandbox.child.load_submission), calls
    spec.prepare() on a
    temporary workdir (fixtures from the warm cache), changes into that workdir as the
    grader's child does, and runs every probe grade() would run, in the same order: the
    learner-side probes, then the clean probes, each fed the `export` its source probe
    observed. Same probes, same arguments, one process: no isolation, no clean second child,
    no checks. `wanted`, the learner-side and the clean probes are recomputed here from
    spec.parts and spec.clean_probes the way grader/pipeline/grade.py's grade() computes them.

Each measured command runs under a fresh wrapper process, so
`resource.getrusage(RUSAGE_CHILDREN)` gives the CPU time of everything below it and ru_maxrss
the peak RSS of the largest single process (the grader's learner child, for (a)). With psutil
installed, the bench also samples, every 50 ms, the summed RSS and the summed PSS of every
process below the wrapper and keeps the peaks. The sum of RSS overstates what a tree of
TensorFlow processes costs: TensorFlow's shared libraries are ~500 MB of file-backed pages
that every TF process maps, and RSS counts them in full in each process, so two children
count them twice. PSS (proportional set size, Linux) splits each shared page among the
processes mapping it, so the PSS sum is what the tree really costs in RAM; the memory
targets are checked against it. PSS also splits pages with TensorFlow processes outside
the tree (other work on the machine), which lowers it: run on an otherwise idle machine (the
load average is printed). Reading PSS walks each process's page tables (~10 ms of
this script's CPU per TensorFlow process per sample), which competes for the same cores:
so timed runs are never sampled: the memory columns come from one more, sampled run
of each (its sampler's CPU time is printed); `--sample-ms 0` turns sampling off.

Before measuring, every assignment's fixtures are generated into the default cache
(`python -m grader fixtures --assignment all`) and TensorFlow is imported once (untimed),
so the first measured run pays for neither fixture generation nor a cold page cache.

Targets printed beside the results: grading wall within 1.5x of the floor's; peak memory
(tree PSS sum) under 1.5 GB, 2.5 GB for C2W3 (GB = 10**9 bytes).

Run by hand from the repository root (never from the test suite; prints, never asserts):

    . .venv/bin/activate
    python bench/grading_time.py              # one run of each, all four assignments
    python bench/grading_time.py C2W1 C2W3    # a subset
    python bench/grading_time.py --repeat 3   # medians of three runs of each
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import psutil
except ImportError:  # optional: the tree sampling columns are left out without it
    psutil = None

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from grader.assignments import CODES, canonical, get_spec  # noqa: E402 - after the path

HISTORIES = {"C2W1": "history.pkl", "C2W2": "history_augmented.pkl", "C2W1v4": "history.pkl",
             "C2W2v4": "C2W2v4_history.pkl"}
TARGET_RATIO = 1.5
TARGET_GB = {code: 2.5 if code.startswith("C2W3") else 1.5 for code in CODES}
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

# The floor: every probe the grader would run, called directly, in one process.
FLOOR = """\
import json, os, shutil, sys, tempfile, time
from pathlib import Path
code, notebook = sys.argv[1], sys.argv[2]
marks, errors, skipped = {}, {}, []
begun = time.monotonic()

def lap(name, since):
    now = time.monotonic()
    marks[name] = now - since
    return now

t = time.monotonic()
import tensorflow as tf
tf.keras.layers.Dense  # loads the Keras in use (tf_keras with TF_USE_LEGACY_KERAS=1)
t = lap("import tensorflow (+ its Keras)", t)
from grader.assignments import get_spec

from grader.sandbox.child import _ColabStub, load_submission
from grader.pipeline.extract import extract
from grader.pipeline.notebook import read_notebook
sys.meta_path.append(_ColabStub())  # as the child: the 2024 notebooks import unittests
spec = get_spec(code)
t = lap("import grader modules", t)
extraction = extract(read_notebook(notebook), spec.functions)
ns, problems = load_submission([s.__dict__ for s in extraction.snippets])
t = lap("extract + load solution", t)
work = tempfile.mkdtemp(prefix="bench-floor-")
prepared, args = spec.prepare(Path(work))
t = lap("prepare (fixtures warm)", t)
os.chdir(work)  # as the grader's child runs: in the workdir
wanted = list(dict.fromkeys(probe for part in spec.parts for probe in part.probes
                            if part.name not in extraction.missing))
observations = {}

def run(name):
    started = time.monotonic()
    try:
        obs = spec.probes[name](ns, args.get(name, {}))
    except BaseException as exc:  # as the child does: a failure becomes an observation
        obs = {"probe_error": f"{type(exc).__name__}: {exc}"}
    marks["probe " + name] = time.monotonic() - started
    observations[name] = obs
    if isinstance(obs, dict) and "probe_error" in obs:
        errors[name] = str(obs["probe_error"])[:300]

for name in (p for p in wanted if p not in spec.clean_probes):
    run(name)
for name in (p for p in wanted if p in spec.clean_probes):
    export = (observations.get(spec.clean_probes[name]) or {}).get("export")
    if export is None:
        skipped.append(name)
        continue
    args[name] = {**args.get(name, {}), "export": export}
    run(name)
marks["in-process total"] = time.monotonic() - begun
os.chdir("/")
shutil.rmtree(work, ignore_errors=True)
print("BENCH_JSON " + json.dumps({"marks": marks, "errors": errors, "skipped": skipped,
                                  "problems": [str(p)[:300] for p in problems]}))
sys.stdout.flush()
os._exit(0)  # as grader.sandbox.child does: skip TensorFlow's slow interpreter teardown
"""


def tree_memory(me) -> tuple[int, int]:
    """Summed RSS and PSS, in bytes, of every process below `me`."""
    rss = pss = 0
    try:
        children = me.children(recursive=True)
    except psutil.Error:
        return 0, 0
    for child in children:
        try:
            info = child.memory_full_info()
        except psutil.Error:  # gone meanwhile
            continue
        rss += info.rss
        pss += getattr(info, "pss", 0)
    return rss, pss


def measured(argv: list[str], env: dict[str, str], cwd: Path, sample_ms: int) -> dict:
    """Run argv under a fresh wrapper; add the sampled peaks of the whole tree's memory."""
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    wrapper = subprocess.Popen([sys.executable, "-c", WRAPPER, *argv], env=env, cwd=cwd,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampling = psutil is not None and sample_ms > 0
    peak_rss = peak_pss = 0
    if sampling:
        me = psutil.Process(wrapper.pid)
        while wrapper.poll() is None:
            rss, pss = tree_memory(me)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(sample_ms / 1000)
    out, err = wrapper.communicate()
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    if wrapper.returncode != 0:
        raise SystemExit(f"wrapper failed: {err.decode(errors='replace')[-2000:]}")
    result = json.loads(out)
    result["tree_rss_kb"] = peak_rss // 1024 if sampling else None
    result["tree_pss_kb"] = peak_pss // 1024 if sampling else None
    result["sampler_cpu_s"] = (cpu_after.ru_utime + cpu_after.ru_stime
                               - cpu_before.ru_utime - cpu_before.ru_stime)
    return result


def payload(result: dict, what: str) -> dict:
    for line in reversed(result["stdout"].splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    raise SystemExit(f"{what} printed no result (rc {result['rc']}):\n{result['stderr']}")


def notebook(code: str) -> Path:
    return ROOT / "solutions" / f"{code}_Assignment.ipynb"


def grading_run(code: str, env: dict[str, str], sample_ms: int) -> dict:
    argv = [sys.executable, "-m", "grader", "grade", str(notebook(code)), "--assignment", code,
            "--format", "json"]
    if code in HISTORIES:
        argv += ["--history", str(ROOT / "solutions" / HISTORIES[code])]
    result = measured(argv, env, ROOT, sample_ms)
    try:
        report = json.loads(result["stdout"])
    except json.JSONDecodeError:
        raise SystemExit(f"grading {code} printed no JSON (rc {result['rc']}):\n"
                         f"{result['stderr']}") from None
    result.update(score=report["score"], passed=report["passed"],
                  duration_s=report["duration_s"])
    return result


def floor_run(code: str, env: dict[str, str], sample_ms: int) -> dict:
    legacy = "1" if get_spec(code).keras == "2" else "0"  # the Keras the grading uses
    env = {**env, "TF_USE_LEGACY_KERAS": legacy, "TF_CPP_MIN_LOG_LEVEL": "2",
           "PYTHONHASHSEED": "0", "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory(prefix="bench-floor-cwd-") as cwd:
        result = measured([sys.executable, "-c", FLOOR, code, str(notebook(code))], env,
                          Path(cwd), sample_ms)
    result.update(payload(result, f"the {code} floor"))
    return result


def median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def mib(kb: float | None) -> str:
    return "n/a" if kb is None else f"{kb / 1024:,.0f}"


def medians(runs: list[dict], keys: tuple[str, ...]) -> dict:
    return {k: median([r.get(k) for r in runs]) for k in keys}


KEYS = ("wall_s", "cpu_s", "maxrss_kb", "tree_rss_kb", "tree_pss_kb", "sampler_cpu_s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("codes", nargs="*", type=canonical, metavar="CODE",
                        help=f"assignments to measure (default: all of {' '.join(CODES)})")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each measurement; medians are printed (default 1)")
    parser.add_argument("--sample-ms", type=int, default=50,
                        help="memory sampling interval in ms, 0 for none (default 50)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    unknown = [c for c in args.codes if c not in CODES]
    if unknown:
        parser.error(f"unknown assignment(s) {', '.join(unknown)}; expected {', '.join(CODES)}")
    codes = list(dict.fromkeys(args.codes)) or list(CODES)
    started = time.monotonic()
    env = dict(os.environ)
    sampling = psutil is not None and args.sample_ms > 0

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), psutil "
          f"{'yes' if psutil is not None else 'no (tree columns left out)'}, "
          f"sampling {f'every {args.sample_ms} ms' if sampling else 'off'}, "
          f"repeat {args.repeat}, load average {os.getloadavg()[0]:.2f}", flush=True)
    subprocess.run([sys.executable, "-m", "grader", "fixtures", "--assignment", "all"], env=env,
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-c", "import tensorflow"], check=True,
                   env={**env, "TF_CPP_MIN_LOG_LEVEL": "2"}, stderr=subprocess.DEVNULL)

    gradings = {c: [] for c in codes}
    floors = {c: [] for c in codes}
    # Timed runs never sample (reading PSS costs CPU the runs compete for); the memory
    # columns come from one more run of each, sampled.
    for i in range(args.repeat):
        for code in codes:
            print(f"run {i + 1}/{args.repeat} {code}: grading ...", end="", flush=True)
            gradings[code].append(grading_run(code, env, 0))
            print(" floor ...", end="", flush=True)
            floors[code].append(floor_run(code, env, 0))
            print(" done", flush=True)
    if sampling:
        for code in codes:
            print(f"memory {code}: grading ...", end="", flush=True)
            sampled = grading_run(code, env, args.sample_ms)
            print(" floor ...", end="", flush=True)
            sampled_floor = floor_run(code, env, args.sample_ms)
            print(" done", flush=True)
            for runs, extra in ((gradings[code], sampled), (floors[code], sampled_floor)):
                for r in runs:
                    r.update({k: extra[k] for k in ("tree_rss_kb", "tree_pss_kb",
                                                     "sampler_cpu_s")})

    notes = []
    for code in codes:
        for r in gradings[code]:
            if not r["passed"] or r["score"] != 100:
                notes.append(f"{code} grading scored {r['score']} (passed {r['passed']}, "
                             f"rc {r['rc']})")
        for r in floors[code]:
            notes += [f"{code} floor: probe {n} reported probe_error: {e}"
                      for n, e in r["errors"].items()]
            notes += [f"{code} floor: clean probe {n} skipped (its source gave no export)"
                      for n in r["skipped"]]
            notes += [f"{code} floor: loading the reference failed: {p}" for p in r["problems"]]

    print()
    print(f"{'':<8}{'score':>6}{'grade s':>9}{'floor s':>9}{'ratio':>7}{'<1.5x':>7}"
          f"{'grade CPU':>11}{'floor CPU':>11}{'peak RSS':>10}{'RSS sum':>9}{'PSS sum':>9}"
          f"{'mem target':>15}")
    for code in codes:
        g, f = medians(gradings[code], KEYS), medians(floors[code], KEYS)
        score = median([r["score"] for r in gradings[code]])
        ratio = g["wall_s"] / f["wall_s"]
        limit_mib = TARGET_GB[code] * 1e9 / 2**20
        if g["tree_pss_kb"] is None:
            mem = "n/a"
        else:
            mem = f"{'yes' if g['tree_pss_kb'] / 1024 < limit_mib else 'NO'} <{limit_mib:,.0f}"
        print(f"{code:<8}{score:>6g}{g['wall_s']:>9.2f}{f['wall_s']:>9.2f}{ratio:>6.2f}x"
              f"{'yes' if ratio <= TARGET_RATIO else 'NO':>7}{g['cpu_s']:>11.2f}"
              f"{f['cpu_s']:>11.2f}{mib(g['maxrss_kb']):>10}{mib(g['tree_rss_kb']):>9}"
              f"{mib(g['tree_pss_kb']):>9}{mem:>15}")
    print("  grade/floor s: wall of the CLI / of the bare floor process; ratio = grade/floor;"
          " CPU s: all processes below the wrapper")
    print("  memory of grading, MiB: peak RSS = largest single process (getrusage);"
          " RSS sum / PSS sum = peaks of the sampled sums over the process tree")
    print(f"  targets: wall within {TARGET_RATIO}x of the floor; tree PSS sum under 1.5 GB"
          " (2.5 GB for C2W3 and C2W3v4), GB = 10**9 bytes")

    for code in codes:
        g, f = medians(gradings[code], KEYS), medians(floors[code], KEYS)
        runs = floors[code]
        print()
        print(f"{code} floor, piece by piece{'':<15}{'s':>9}")
        for name in runs[0]["marks"]:
            print(f"  {name:<38}{median([r['marks'].get(name) for r in runs]):>9.2f}")
        rest = median([r["wall_s"] - r["marks"]["in-process total"] for r in runs])
        print(f"  {'interpreter start + exit (rest)':<38}{rest:>9.2f}")
        print(f"  floor memory, MiB: peak RSS {mib(f['maxrss_kb'])}, RSS sum "
              f"{mib(f['tree_rss_kb'])}, PSS sum {mib(f['tree_pss_kb'])}")
        print(f"  grading's own duration_s (grade() in the CLI): "
              f"{median([r['duration_s'] for r in gradings[code]]):.2f}; sampler CPU s: "
              f"grading {g['sampler_cpu_s']:.2f}, floor {f['sampler_cpu_s']:.2f}")

    print()
    for note in notes:
        print(f"NOTE: {note}")
    print(f"(this script took {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
