"""Batch throughput with 1 worker vs 2, peak memory per worker, and the clean cache.

The batch: 20 submissions in the flat layout, 16 TF-free C2W1 notebooks (the hostile
corpus's builder: create_train_val_dirs and split_data only, a second or two each) and 4
copies of the reference solution `solutions/C2W1_Assignment.ipynb` with
`solutions/history.pkl` (TensorFlow, brief training: about 10 s each). Each configuration
grades the same folder into a fresh results folder with `grader.batch.run.run_batch`, report
included.

Memory (needs psutil): every 100 ms, for each worker process (a direct child of this one,
serving one submission after another) the whole tree below it is summed, as RSS and as PSS,
and the peak per worker is kept. TensorFlow's shared libraries are about 500 MB of
file-backed RSS that every TensorFlow process maps once more, so an RSS sum counts the same
pages two or three times; PSS divides shared pages among the processes that map them, so the
PSS sum is what a worker really costs in RAM. The largest single process's RSS is printed too.

Run by hand from the repository root (prints, never asserts):

    . .venv/bin/activate
    python bench/batch.py          # local engine: scaling, memory, clean cache
    python bench/batch.py --ray    # the same class on a local Ray instance vs the local engine

`--ray` grades the class with both engines at 2 workers (cache off: Ray's overhead at equal
workers), then the solution copies on Ray with the cache cold and warm (the cache goes
through the driver there).
"""

from __future__ import annotations

import io
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

from grader.assignments.common import fixtures  # noqa: E402
from grader.batch.run import BatchOptions, run_batch  # noqa: E402

TF_FREE, FULL = 16, 4


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


def local_workers() -> list:
    """A local batch's workers: the direct children of this process."""
    return psutil.Process().children()


def ray_actors() -> list:
    """A Ray batch's workers: the grader's actor processes, wherever Ray started them."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.cmdline()[:1] and proc.cmdline()[0].startswith("ray::GraderActor"):
                found.append(proc)
        except psutil.Error:
            continue
    return found


class TreeSampler:
    """Per worker (`workers()`, local_workers by default): the peak of its tree's summed RSS
    and PSS."""

    def __init__(self, enabled: bool, workers=None) -> None:
        self.enabled = enabled and psutil is not None
        self.workers = workers or local_workers
        self.rss: dict[int, int] = {}
        self.pss: dict[int, int] = {}
        self.largest = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            for worker in self.workers():
                rss = pss = 0
                try:
                    tree = [worker, *worker.children(recursive=True)]
                except psutil.Error:
                    continue
                for proc in tree:
                    try:
                        info = proc.memory_full_info()
                    except psutil.Error:
                        continue
                    rss += info.rss
                    pss += info.pss
                    self.largest = max(self.largest, info.rss)
                self.rss[worker.pid] = max(self.rss.get(worker.pid, 0), rss)
                self.pss[worker.pid] = max(self.pss.get(worker.pid, 0), pss)

    def __enter__(self) -> TreeSampler:
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def measure(submissions: Path, out: Path, workers: int, sample: bool, cache: bool = False,
            regrade: bool = False, engine: str = "local", assignment: str = "C2W1",
            outliers: tuple[str, ...] = ("light", "full")) -> dict:
    options = BatchOptions(assignment, workers=workers, clean_cache=cache, regrade=regrade,
                           engine=engine)
    started = time.monotonic()
    sampled = ray_actors if engine == "ray" else local_workers
    with TreeSampler(sample, sampled if psutil is not None else None) as sampler:
        summary = run_batch(submissions, out, options, stream=io.StringIO())
    wall = time.monotonic() - started
    scores = sorted({r.result.score for r in summary.rows})
    for kind in outliers:  # identical copies must score the same: show outliers
        rows = [r for r in summary.rows if r.learner.startswith(kind)]
        common = statistics.mode([r.result.score for r in rows]) if rows else None
        for r in rows:
            if r.result.score != common:
                failed = [f"{p.name}/{t.name}: {t.message}" for p in r.result.parts
                          for t in p.tests if not t.passed]
                print(f"  NOTE {r.learner} scored {r.result.score:g}, not {common:g}: "
                      f"{r.reason or failed[:3]}", flush=True)
    gib = 2**30
    return {"workers": workers, "wall_s": wall, "graded": summary.graded,
            "from_cache": summary.from_cache,
            "crashed": summary.crashed, "scores": scores,
            "by_learner": {r.learner: (r.status, r.result.score,
                                     tuple(part.score for part in r.result.parts))
                           for r in summary.rows},
            "rss_gib": max(sampler.rss.values(), default=0) / gib,
            "pss_gib": max(sampler.pss.values(), default=0) / gib,
            "largest_gib": sampler.largest / gib}


def _copies_of_the_solution(submissions: Path, folder: Path) -> Path:
    folder.mkdir()
    for path in submissions.glob("full*"):
        shutil.copy(path, folder / path.name)
    return folder


def on_ray() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp:
        submissions = Path(tmp) / "subs"
        build(submissions)
        local = measure(submissions, Path(tmp) / "local", 2, False)
        ray = measure(submissions, Path(tmp) / "ray", 2, False, engine="ray")
        full = _copies_of_the_solution(submissions, Path(tmp) / "full")
        cold = measure(full, Path(tmp) / "full-ray", 2, False, cache=True, engine="ray")
        warm = measure(full, Path(tmp) / "full-ray", 2, False, cache=True, regrade=True,
                       engine="ray")
    print(f"batch: {TF_FREE} TF-free C2W1 notebooks + {FULL} copies of the reference solution, "
          f"{os.cpu_count()} CPUs, 2 workers, cache off")
    for name, r in (("local", local), ("Ray (a local instance)", ray)):
        print(f"  {name}: {r['wall_s']:.1f} s wall, {60 * r['graded'] / r['wall_s']:.1f} "
              f"submissions/min, {r['crashed']} crashed, scores {r['scores']}")
    print(f"  Ray vs local at equal workers: {ray['wall_s'] / local['wall_s'] - 1:+.1%} wall "
          "(target under +10%)")
    print(f"clean cache on Ray (through the driver), {FULL} copies of the reference solution:")
    for name, r in (("cold", cold), ("warm --regrade", warm)):
        print(f"  {name}: {r['wall_s']:.1f} s wall, {r['from_cache']} of {r['graded']} "
              f"with every clean rebuild from the cache, scores {r['scores']}")
    print(f"  warm --regrade vs cold: {cold['wall_s'] / warm['wall_s']:.2f}x")
    return 0


def main() -> int:
    fixtures.petimages()
    subprocess.run([sys.executable, "-c", "import tensorflow"], check=True,
                   env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})  # warm the page cache
    if "--ray" in sys.argv[1:]:
        return on_ray()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        submissions = Path(tmp) / "subs"
        build(submissions)
        # Reading PSS costs CPU the workers compete for: the timed runs are not sampled;
        # memory comes from one more run, with 1 worker (PSS shares TensorFlow's libraries
        # among fewer processes there, so a worker's share is largest).
        runs = [measure(submissions, Path(tmp) / f"out{w}", w, False) for w in (1, 2)]
        memory = (measure(submissions, Path(tmp) / "out-memory", 1, True)
                  if psutil is not None else None)
        # The clean cache (off above, so the scaling is the grading's own): the full copies
        # share one model, so a cold class pays one brief training; a warm --regrade none.
        full = _copies_of_the_solution(submissions, Path(tmp) / "full")
        cold_off = measure(full, Path(tmp) / "full-off", 2, False)
        cold = measure(full, Path(tmp) / "full-cache", 2, False, cache=True)
        warm = measure(full, Path(tmp) / "full-cache", 2, False, cache=True, regrade=True)
    print(f"batch: {TF_FREE} TF-free C2W1 notebooks + {FULL} copies of the reference solution, "
          f"{os.cpu_count()} CPUs")
    for r in runs:
        print(f"  {r['workers']} worker(s): {r['wall_s']:.1f} s wall, "
              f"{60 * r['graded'] / r['wall_s']:.1f} submissions/min, {r['crashed']} crashed, "
              f"scores {r['scores']}")
    one, two = runs
    print(f"  2 workers vs 1: {one['wall_s'] / two['wall_s']:.2f}x throughput (target 1.7x)")
    if memory is not None:
        print(f"  peak per worker (its whole tree; 1 worker, a sampled run of "
              f"{memory['wall_s']:.0f} s): PSS {memory['pss_gib']:.2f} GiB = "
              f"{memory['pss_gib'] * 2**30 / 1e9:.2f} GB "
              f"(target under 1.5 GB); RSS summed {memory['rss_gib']:.2f} GiB; largest "
              f"process RSS {memory['largest_gib']:.2f} GiB")
    print(f"clean cache, {FULL} copies of the reference solution, 2 workers:")
    for name, r in (("no cache", cold_off), ("cold cache", cold), ("warm --regrade", warm)):
        print(f"  {name}: {r['wall_s']:.1f} s wall, {r['from_cache']} of {r['graded']} "
              f"with every clean rebuild from the cache, scores {r['scores']}")
    print(f"  cold cache vs none: {cold_off['wall_s'] / cold['wall_s']:.2f}x; warm --regrade "
          f"vs none: {cold_off['wall_s'] / warm['wall_s']:.2f}x (the learner's own code, "
          "always runs afresh)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
