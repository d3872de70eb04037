"""A class: 46 C2W1/C2W2 submissions that share a few models, graded as a cohort would be.

What a real cohort looks like: most learners keep the course's architecture and differ in
everything else (wording, helpers, loops, comments); some widen it, add a block or a dropout,
or change the optimizer, as the lectures suggest; a few get something wrong. Each submission
here is the reference solution with edits of that kind, so the models repeat across learners
while no two notebooks are the same:

- C2W1, 30 learners: the course's model 9 times, wider filters (32/64/128) 4 times, a fourth
  convolution block 3 times, a dropout 2 times, 3 models of their own (Dense 128, Dense 1024,
  Adam), and the 9 C2W1 submissions of the realistic corpus (tests/realistic/corpus.py: Keras
  objects, the functional API, from_logits mistakes, grayscale generators, a sabotaging
  split_data...). Each learner's notebook has its own mix of harmless edits (the message
  without its period, random.shuffle, shutil.copy, exist_ok=True, a comment).
- C2W2, 16 learners: the course's model 7 times, wider 3, a fourth block 2, a dropout 1,
  Dense 256 once, the realistic corpus's C2W2 submission, the blank template.

Every learner submits the history their notebook saved (the solution's).

Measured, in one run, each configuration grading both weeks into fresh results folders
(`grader.batch.run.run_batch`, 2 workers, report included):

1. the local engine, cache off: submissions per minute;
2. the same on Ray (a local instance started by the batch): Ray's overhead at equal workers;
3. the local engine with the clean cache cold: what shared models save on a first grading;
4. the same results folder again with `--regrade` (cache warm): the cost of regrading an
   unchanged class, where the rest of the time goes;
5. peak memory per worker (needs psutil), local and on Ray: 1 worker over the first 8 C2W1
   learners, sampled every 100 ms (sampling costs CPU, so the timed runs are not sampled).

Every learner must get the same status, score and points in 1-4: a cache or an engine that
changed one verdict would be a defect, and is printed.

    . .venv/bin/activate
    python bench/class_batch.py [--no-ray]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from batch import measure, psutil  # noqa: E402
from conftest import edit, load_solution  # noqa: E402
from realistic.corpus import CASES  # noqa: E402

from grader.assignments.common import fixtures  # noqa: E402

CONV = "tf.keras.layers.Conv2D"
FOURTH_BLOCK = (f"{CONV}(64, (3, 3), activation='relu'),\n"
                "      tf.keras.layers.MaxPooling2D(2, 2),\n",
                f"{CONV}(64, (3, 3), activation='relu'),\n"
                "      tf.keras.layers.MaxPooling2D(2, 2),\n"
                f"      {CONV}(128, (3, 3), activation='relu'),\n"
                "      tf.keras.layers.MaxPooling2D(2, 2),\n")
OPTIMIZER = {"C2W1": "optimizer=RMSprop(learning_rate=0.001)",
             "C2W2": "optimizer=tf.keras.optimizers.RMSprop(learning_rate=0.001)"}

# Model edits (old, new) in the create-model cell; "course" is the solution's own model.
ARCHITECTURES: dict[str, tuple[tuple[str, str], ...]] = {
    "course": (),
    "wider": ((f"{CONV}(64,", f"{CONV}(128,"), (f"{CONV}(32,", f"{CONV}(64,"),
              (f"{CONV}(16,", f"{CONV}(32,")),
    "fourth_block": (FOURTH_BLOCK,),
    "dropout": (("tf.keras.layers.Flatten(),\n",
                 "tf.keras.layers.Flatten(),\n      tf.keras.layers.Dropout(0.5),\n"),),
    "dense128": (("Dense(512", "Dense(128"),),
    "dense256": (("Dense(512", "Dense(256"),),
    "dense1024": (("Dense(512", "Dense(1024"),),
    "adam": ((OPTIMIZER["C2W1"], "optimizer='adam'"),),
}

# Harmless edits (cell suffix, old, new): every learner gets its own subset.
COSMETIC = (
    ("split-data", 'print(f"{filename} is zero length, so ignoring.")',
     'print(f"{filename} is zero length, so ignoring")'),
    ("split-data", "shuffled_files = random.sample(files, len(files))",
     "shuffled_files = list(files)\n  random.shuffle(shuffled_files)"),
    ("create-train-val-dirs", "os.makedirs(os.path.join(root_path, 'training', 'cats'))",
     "os.makedirs(os.path.join(root_path, 'training', 'cats'), exist_ok=True)"),
    ("create-model", "  ### START CODE HERE\n",
     "  ### START CODE HERE\n  # three convolution blocks, as in the lectures\n"),
    ("split-data", "def split_data(", "# my split\ndef split_data("),
)

CLASS = {
    "C2W1": {"course": 9, "wider": 4, "fourth_block": 3, "dropout": 2, "dense128": 1,
             "dense1024": 1, "adam": 1},
    "C2W2": {"course": 7, "wider": 3, "fourth_block": 2, "dropout": 1, "dense256": 1},
}
HISTORY = {"C2W1": "history.pkl", "C2W2": "history_augmented.pkl"}


def _learner(code: str, architecture: str, index: int) -> nbformat.NotebookNode:
    prefix = code.lower()
    nb = load_solution(code)
    for old, new in ARCHITECTURES[architecture]:
        nb = edit(nb, f"{prefix}-create-model", old, new)
    for bit, (cell, old, new) in enumerate(COSMETIC):
        if (index + 1) >> bit & 1:
            nb = edit(nb, f"{prefix}-{cell}", old, new)
    return nb


def build(folder: Path) -> dict[str, Path]:
    """One folder per week, flat layout: NAME.ipynb and NAME_history.pkl per learner."""
    folders = {}
    for code, architectures in CLASS.items():
        week = folder / code
        week.mkdir(parents=True)
        notebooks = {}
        index = 0
        for architecture, count in architectures.items():
            for _ in range(count):
                notebooks[f"{architecture}_{index:02d}"] = _learner(code, architecture, index)
                index += 1
        for case in CASES:
            if case.code == code:
                nb = load_solution(code)
                for cell, old, new in case.edits:
                    nb = edit(nb, cell, old, new)
                notebooks[f"realistic_{case.name}"] = nb
        if code == "C2W2":
            notebooks["template"] = nbformat.read(
                ROOT / "student_template" / f"{code}_Assignment.ipynb", as_version=4)
        for name, nb in notebooks.items():
            nbformat.write(nb, week / f"{name}.ipynb")
            (week / f"{name}_history.pkl").write_bytes(
                (ROOT / "solutions" / HISTORY[code]).read_bytes())
        folders[code] = week
    return folders


def grade_class(folders: dict[str, Path], out: Path, **how) -> dict:
    """Both weeks, one after the other, into out/CODE: walls and counts summed."""
    total = {"wall_s": 0.0, "graded": 0, "from_cache": 0, "crashed": 0, "by_learner": {},
             "pss_gib": 0.0, "rss_gib": 0.0, "largest_gib": 0.0}
    for code, folder in folders.items():
        r = measure(folder, out / code, assignment=code, outliers=(), **how)
        for key in ("wall_s", "graded", "from_cache", "crashed"):
            total[key] += r[key]
        for key in ("pss_gib", "rss_gib", "largest_gib"):
            total[key] = max(total[key], r[key])
        total["by_learner"].update({f"{code}/{k}": v for k, v in r["by_learner"].items()})
    return total


def _first(folders: dict[str, Path], target: Path, count: int) -> dict[str, Path]:
    target.mkdir()
    for notebook in sorted(folders["C2W1"].glob("*.ipynb"))[:count]:
        for path in folders["C2W1"].glob(f"{notebook.stem}*"):
            (target / path.name).write_bytes(path.read_bytes())
    return {"C2W1": target}


def _line(name: str, r: dict) -> str:
    return (f"  {name}: {r['wall_s']:.1f} s wall, {60 * r['graded'] / r['wall_s']:.1f} "
            f"submissions/min, {r['from_cache']} of {r['graded']} with every clean rebuild "
            f"from the cache, {r['crashed']} crashed")


def main() -> int:
    use_ray = "--no-ray" not in sys.argv[1:]
    fixtures.petimages()
    subprocess.run([sys.executable, "-c", "import tensorflow"], check=True,
                   env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})  # warm the page cache
    with tempfile.TemporaryDirectory(prefix="bench-class-") as tmp:
        folders = build(Path(tmp) / "class")
        weeks = {code: len(list(f.glob("*.ipynb"))) for code, f in folders.items()}
        learners = sum(weeks.values())
        runs = {"local, cache off": grade_class(folders, Path(tmp) / "off", workers=2,
                                                sample=False)}
        if use_ray:
            runs["Ray, cache off"] = grade_class(folders, Path(tmp) / "ray", workers=2,
                                                 sample=False, engine="ray")
        runs["local, cache cold"] = grade_class(folders, Path(tmp) / "cache", workers=2,
                                                sample=False, cache=True)
        runs["local, cache warm (--regrade)"] = grade_class(
            folders, Path(tmp) / "cache", workers=2, sample=False, cache=True, regrade=True)
        memory = {}
        if psutil is not None:
            subset = _first(folders, Path(tmp) / "subset", 8)
            memory["local"] = grade_class(subset, Path(tmp) / "mem-local", workers=1,
                                          sample=True)
            if use_ray:
                memory["Ray"] = grade_class(subset, Path(tmp) / "mem-ray", workers=1,
                                            sample=True, engine="ray")
    models = Counter(a for week in CLASS.values() for a, n in week.items() for _ in range(n))
    per_week = ", ".join(f"{code} {n}" for code, n in weeks.items())
    print(f"class: {learners} submissions ({per_week}), "
          f"{os.cpu_count()} CPUs, 2 workers; variants of {len(models)} architectures "
          f"({', '.join(f'{a} x{n}' for a, n in models.most_common())}) plus "
          f"{learners - sum(models.values())} realistic-corpus submissions and a template")
    for name, r in runs.items():
        print(_line(name, r))
    off, cold = runs["local, cache off"], runs["local, cache cold"]
    warm = runs["local, cache warm (--regrade)"]
    if use_ray:
        print(f"  Ray vs local at equal workers: "
              f"{runs['Ray, cache off']['wall_s'] / off['wall_s'] - 1:+.1%} wall (target under "
              "+10%)")
    print(f"  cold class, shared models: {off['wall_s'] / cold['wall_s']:.2f}x faster than "
          f"no cache ({off['wall_s'] - cold['wall_s']:.1f} s saved)")
    print(f"  warm --regrade: {cold['wall_s'] / warm['wall_s']:.2f}x faster than cold (target "
          f"3x), {off['wall_s'] / warm['wall_s']:.2f}x faster than no cache; what remains is "
          f"{warm['wall_s'] / warm['graded']:.2f} s of wall per submission")
    reference = off["by_learner"]
    for name, r in runs.items():
        differ = sorted(k for k in reference if r["by_learner"].get(k) != reference[k])
        print(f"  verdicts, {name} vs local without cache: "
              f"{'identical' if not differ else f'{len(differ)} differ: {differ[:5]}'}")
    scores = Counter(v[1] for v in reference.values())
    print(f"  scores: {dict(sorted(scores.items(), reverse=True))}")
    for name, r in memory.items():
        print(f"  peak per worker, {name} (its whole tree; 1 worker, 8 C2W1 learners, sampled): "
              f"PSS {r['pss_gib']:.2f} GiB = {r['pss_gib'] * 2**30 / 1e9:.2f} GB; RSS summed "
              f"{r['rss_gib']:.2f} GiB; largest process {r['largest_gib']:.2f} GiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
