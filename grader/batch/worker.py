"""Grade one submission in its own process and write the contract JSON atomically.

    python -m grader.batch.worker --assignment C2W1 --keras 2 --notebook NB
                                  [--history PKL] --output OUT.json

Unlike `grader grade`, a missing history is passed as missing: in a flat batch folder the
file beside the notebook belongs to nobody in particular.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.batch.worker")
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--keras", choices=("2", "3"), default="2")
    parser.add_argument("--notebook", type=Path, required=True)
    parser.add_argument("--history", type=Path)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)

    from grader.assignments import get_spec
    from grader.batch.files import atomic_write
    from grader.grade import Options, grade
    from grader.reporters.json_report import render_json

    result = grade(get_spec(args.assignment), args.notebook, args.history,
                   Options(keras=args.keras))
    atomic_write(args.output, render_json(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
