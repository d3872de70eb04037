"""A batch worker: grades submissions one after another, each result written atomically.

    python -m grader.batch.worker --assignment C2W1 --keras 2 [--workroot DIR] [--clean-cache DIR]
                                  [--history-policy POLICY]

reads one job per line on stdin (`{"notebook": ..., "history": ... or null, "output": ...}`)
and, once its result is written (with the observations it was judged from beside it, in
OUTPUT + ".observations", for `grader rescore`), prints `{"output": ...}` on stdout;
everything else the
worker prints goes to stderr. It forks every grading child (the learner's and the clean
one) from its zygote (`grader.sandbox.zygote`), which imported TensorFlow once, instead of starting
each afresh; each submission still gets its own children and work directory.

Unlike `grader grade`, a missing history is passed as missing: in a flat batch folder the
file beside the notebook belongs to nobody in particular.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from grader.api import DEFAULT_HISTORY_POLICY, HISTORY_POLICIES
from grader.batch.stored import OBSERVATIONS_SUFFIX
from grader.i18n import LANGUAGES


def _serve(assignment: str, keras: str | None, workroot: Path | None, clean_cache: Path | None,
           lang: str = "en", use_gpu: bool = False, hide: tuple[str, ...] = (),
           history_policy: str = DEFAULT_HISTORY_POLICY) -> int:
    from grader.api import Options, Zygote, get_spec, grade_observed, policy_options
    from grader.model.files import atomic_write
    from grader.reporters.json_report import render_json

    acks = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints must never be taken for an acknowledgement
    spec = get_spec(assignment)
    keras = keras or spec.keras
    root = Path(tempfile.mkdtemp(prefix="grader-worker-", dir=workroot))
    # Started by the first submission that imports TensorFlow; none with a GPU (CUDA does not
    # survive a fork: each child starts afresh).
    zygote = None if use_gpu else Zygote(root, keras)
    try:
        for line in sys.stdin:
            job = json.loads(line)
            history = Path(job["history"]) if job.get("history") else None
            result, observed = grade_observed(
                spec, Path(job["notebook"]), history,
                Options(keras=keras, zygote=zygote, clean_cache=clean_cache, lang=lang,
                        use_gpu=use_gpu, hide=hide, **policy_options(history_policy)))
            atomic_write(Path(job["output"] + OBSERVATIONS_SUFFIX), observed.to_json())
            atomic_write(Path(job["output"]), render_json(result))
            acks.write(json.dumps({"output": job["output"]}) + "\n")
    finally:
        if zygote:
            zygote.close()
        shutil.rmtree(root, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m grader.batch.worker",
        description="grade the jobs given on stdin, one JSON object per line")
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--keras", choices=("2", "3"), default=None,
                        help="default: the Keras the assignment was written for")
    parser.add_argument("--lang", choices=LANGUAGES, default="en")
    parser.add_argument("--gpu", action="store_true", help="let learner code use a GPU")
    parser.add_argument("--history-policy", choices=HISTORY_POLICIES,
                        default=DEFAULT_HISTORY_POLICY,
                        help="how the history's evidence counts (see `grader batch --help`)")
    parser.add_argument("--workroot", type=Path,
                        help="where the worker makes its work directories")
    parser.add_argument("--clean-cache", type=Path,
                        help="memoise clean rebuilds here (grader/pipeline/clean_cache.py)")
    parser.add_argument("--hide", action="append", default=[],
                        help="a path learner code must not see (the batch's submissions and "
                             "results); repeatable")
    args = parser.parse_args(argv)
    return _serve(args.assignment, args.keras, args.workroot, args.clean_cache, args.lang,
                  args.gpu, tuple(args.hide), args.history_policy)


if __name__ == "__main__":
    raise SystemExit(main())
