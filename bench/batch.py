"""Batch throughput with 1 worker vs 2, and peak memory per worker.

The batch: 20 submissions in the flat layout, 16 TF-free C2W1 notebooks (the hostile
corpus's builder: create_train_val_dirs and split_data only, a second or two each) and 4
copies of the reference solution `solutions/C2W1_Assignment.ipynb` with
`solutions/history.pkl` (TensorFlow, brief training: about 10 s each). Each configuration
grades the same folder into a fresh results folder with `grader.batch.run.run_batch`, report
included.

Memory: every worker runs under a small wrapper that records
`getrusage(RUSAGE_CHILDREN).ru_maxrss`, the peak RSS of the largest single process in that
worker's tree (the grader's TensorFlow child, for a full notebook); psutil, when installed,
also samples the summed RSS of the whole batch (every process below this one) every 100 ms.

Run by hand from the repository root (prints, never asserts):

    . .venv/bin/activate
    python bench/batch.py
"""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

try:
    import psutil
except ImportError:  # optional: the summed-tree column is left out without it
    psutil = None

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile.corpus import GOOD_DIRS, notebook  # noqa: E402

from grader import fixtures  # noqa: E402
from grader.batch.run import BatchOptions, run_batch  # noqa: E402

TF_FREE, FULL = 16, 4
# Runs the real worker (argv[1:]) and appends its tree's peak RSS to $BENCH_RSS_LOG.
WRAPPER = """\
import json, os, resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
notebook = next(a for a in sys.argv if a.startswith("--notebook=")).split("=", 1)[1]
with open(os.environ["BENCH_RSS_LOG"], "a") as f:
    f.write(json.dumps({"notebook": notebook, "maxrss_kb": peak}) + "\\n")
sys.exit(code)
"""


def build(folder: Path) -> None:
    folder.mkdir(parents=True)
    scratch = folder.parent / "scratch"
    scratch.mkdir()
    source = notebook(scratch, GOOD_DIRS)
    history = pickle.dumps({"accuracy": [0.6, 0.97], "val_accuracy": [0.6, 0.85]})
    for i in range(TF_FREE):
        shutil.copy(source, folder / f"light{i:02d}.ipynb")
        (folder / f"light{i:02d}_history.pkl").write_bytes(history)
    for i in range(FULL):
        shutil.copy(ROOT / "solutions" / "C2W1_Assignment.ipynb", folder / f"full{i}.ipynb")
        shutil.copy(ROOT / "solutions" / "history.pkl", folder / f"full{i}_history.pkl")


class TreeSampler:
    """Peak of the summed RSS of every process below this one."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.1):
            total = 0
            for proc in me.children(recursive=True):
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)

    def __enter__(self) -> TreeSampler:
        if psutil is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def measure(submissions: Path, out: Path, workers: int, log: Path) -> dict:
    os.environ["BENCH_RSS_LOG"] = str(log)
    options = BatchOptions("C2W1", workers=workers,
                           worker_command=(sys.executable, "-c", WRAPPER, sys.executable,
                                           "-m", "grader.batch.worker"))
    started = time.monotonic()
    with TreeSampler() as sampler:
        summary = run_batch(submissions, out, options, stream=io.StringIO())
    wall = time.monotonic() - started
    peaks = [json.loads(line) for line in log.read_text().splitlines()]
    full = [p["maxrss_kb"] / 2**20 for p in peaks if Path(p["notebook"]).name.startswith("full")]
    light = [p["maxrss_kb"] / 2**20 for p in peaks if "light" in Path(p["notebook"]).name]
    scores = sorted({r.result.score for r in summary.rows})
    return {"workers": workers, "wall_s": wall, "graded": summary.graded,
            "crashed": summary.crashed, "scores": scores, "full_gib": full, "light_gib": light,
            "tree_peak_gib": sampler.peak / 2**30 if psutil else None}


def main() -> int:
    fixtures.petimages()
    subprocess.run([sys.executable, "-c", "import tensorflow"], check=True,
                   env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})  # warm the page cache
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        submissions = Path(tmp) / "subs"
        build(submissions)
        runs = [measure(submissions, Path(tmp) / f"out{w}", w, Path(tmp) / f"rss{w}.jsonl")
                for w in (1, 2)]
    print(f"batch: {TF_FREE} TF-free C2W1 notebooks + {FULL} copies of the reference solution, "
          f"{os.cpu_count()} CPUs")
    for r in runs:
        tree = f", whole batch peak {r['tree_peak_gib']:.2f} GiB" if r["tree_peak_gib"] else ""
        print(f"  {r['workers']} worker(s): {r['wall_s']:.1f} s wall, "
              f"{60 * r['graded'] / r['wall_s']:.1f} submissions/min, {r['crashed']} crashed, "
              f"scores {r['scores']}")
        print(f"    peak RSS per worker: full {max(r['full_gib']):.2f} GiB (median "
              f"{statistics.median(r['full_gib']):.2f}), TF-free {max(r['light_gib']):.2f} GiB"
              f"{tree}")
    one, two = runs
    print(f"  2 workers vs 1: {one['wall_s'] / two['wall_s']:.2f}x throughput")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
