"""Is C2W1's "learns to tell the fixture's cats from dogs" check flaky across seeds?

Runs the brief-training probe ('train') of the reference solution once per seed 0..N-1,
each through the real runner (grader.sandbox.runner.run_probes, so each seed gets its own fresh,
limited child process), on a workdir prepared once by SPEC.prepare with only
args['train']['seed'] changed. Prints, per seed, the epochs used, the validation-accuracy
curve and the final validation accuracy, then "passed K of N" against
grader.assignments.c2w1.spec.TRAIN_TARGET (a seed passes when its best epoch reaches the target,
as the check itself judges).

With --broken it then does the same for a model that cannot learn: the reference notebook
with create_model's optimizer set to learning_rate=0.0 before extraction, which should fail
every seed.

Exit status 0 when the reference passes N of N (and, with --broken, the broken model fails
N of N), else 1. Timings are printed, never asserted. Run by hand from the repository root,
one at a time (each seed trains a model on all cores):

    . .venv/bin/activate
    python bench/flakiness.py                     # 20 seeds, reference
    python bench/flakiness.py --broken --runs 5   # 5 seeds, reference then lr=0.0
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from grader.assignments.c2w1.spec import SPEC, TRAIN_TARGET
from grader.pipeline.extract import Snippet, extract
from grader.pipeline.notebook import read_notebook
from grader.sandbox.runner import run_probes

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "solutions" / "C2W1_Assignment.ipynb"
LEARNING_RATE = re.compile(r"learning_rate\s*=\s*[0-9.eE+-]+")


def snippets(broken: bool, scratch: Path) -> list[Snippet]:
    """The reference's extracted code; with broken, create_model's learning rate is 0.0."""
    path = NOTEBOOK
    if broken:
        data = json.loads(NOTEBOOK.read_text())
        edits = 0
        for cell in data["cells"]:
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if cell["cell_type"] == "code" and "def create_model" in source:
                source, n = LEARNING_RATE.subn("learning_rate=0.0", source)
                cell["source"] = source
                edits += n
        if edits != 1:
            raise SystemExit(f"expected one learning_rate= in create_model, edited {edits}")
        path = scratch / "C2W1_Assignment.ipynb"
        path.write_text(json.dumps(data))
    extraction = extract(read_notebook(path), SPEC.functions)
    if "create_model" in extraction.missing:
        raise SystemExit(f"create_model not extracted: {extraction.missing['create_model']}")
    if broken:
        code = next(s.source for s in extraction.snippets if s.name == "create_model")
        if "learning_rate=0.0" not in code:
            raise SystemExit("the learning_rate edit did not reach the extracted create_model")
    return extraction.snippets


def run_seeds(label: str, code: list[Snippet], workdir: Path, train_args: dict,
              runs: int) -> list[dict]:
    print(f"\n{label}: {runs} seed(s), target {TRAIN_TARGET:.2f}, "
          f"at most {train_args['max_epochs']} epochs", flush=True)
    print(f"{'seed':>4} {'epochs':>6} {'final val acc':>13} {'probe s':>8} {'wall s':>7}  "
          f"verdict  curve", flush=True)
    rows = []
    for seed in range(runs):
        requests = SPEC.probe_requests(["train"], {"train": {**train_args, "seed": seed}})
        started = time.monotonic()
        report = run_probes(SPEC.code, code, requests, workdir, keras="2")
        wall = time.monotonic() - started
        outcome = report.outcomes["train"]
        obs = outcome.observation or {}
        accuracies = obs.get("accuracies") or []
        problem = outcome.failure or (
            "probe error: " + obs["probe_error"]["message"] if "probe_error" in obs else None
        ) or ("fit error: " + obs["fit_error"]["message"] if "fit_error" in obs else None)
        passed = not problem and bool(accuracies) and max(accuracies) >= TRAIN_TARGET
        final = accuracies[-1] if accuracies else float("nan")
        curve = " ".join(f"{a:.2f}" for a in accuracies)
        print(f"{seed:>4} {len(accuracies):>6} {final:>13.3f} {outcome.seconds:>8.1f} "
              f"{wall:>7.1f}  {'pass' if passed else 'FAIL':<7}  {curve}"
              + (f"  [{problem}]" if problem else ""), flush=True)
        rows.append({"seed": seed, "epochs": len(accuracies), "final": final,
                     "passed": passed, "wall": wall, "probe_s": outcome.seconds})
    passed = sum(r["passed"] for r in rows)
    epochs = [r["epochs"] for r in rows]
    finals = [r["final"] for r in rows if r["epochs"]]
    print(f"{label}: passed {passed} of {runs}")
    if finals:
        print(f"  epochs used: min {min(epochs)}, median {statistics.median(epochs):g}, "
              f"max {max(epochs)}; final val acc: min {min(finals):.3f}, "
              f"median {statistics.median(finals):.3f}, max {max(finals):.3f}; "
              f"wall per seed: median {statistics.median(r['wall'] for r in rows):.1f} s "
              f"(probe alone {statistics.median(r['probe_s'] for r in rows):.1f} s)")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="seeds 0..N-1 (default 20)")
    parser.add_argument("--broken", action="store_true",
                        help="also run a create_model with learning_rate=0.0 (must fail all)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="bench-flaky-"))
    try:
        workdir = scratch / "work"
        workdir.mkdir()
        _, prepared_args = SPEC.prepare(workdir)
        train_args = prepared_args["train"]
        reference = run_seeds("reference", snippets(False, scratch), workdir, train_args,
                              args.runs)
        ok = all(r["passed"] for r in reference)
        if args.broken:
            broken = run_seeds("broken (learning_rate=0.0)", snippets(True, scratch), workdir,
                               train_args, args.runs)
            ok = ok and not any(r["passed"] for r in broken)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"\n(this script took {time.monotonic() - started:.0f} s); exit status {0 if ok else 1}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
