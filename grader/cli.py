"""Command line: `grader grade NOTEBOOK ...`. Exit 0 passed, 1 below the pass mark,
2 could not grade."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from grader.api import CODES, DEFAULT_HISTORY_POLICY, HISTORY_POLICIES, canonical
from grader.i18n import LANGUAGES, choose, language, tr
from grader.model.files import atomic_write
from grader.model.protocol import Limits
from grader.reporters import RENDERERS

EXIT_PASSED, EXIT_FAILED, EXIT_CANNOT_GRADE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade one submitted notebook")
    g.add_argument("notebook", type=Path)
    g.add_argument("--assignment", type=canonical, choices=CODES,
                   help="default: detected from the notebook")
    g.add_argument("--history", type=Path,
                   help="pickled history (default: the assignment's file beside the notebook)")
    g.add_argument("--format", choices=sorted(RENDERERS), default="text")
    g.add_argument("--output", type=Path, help="write the report here instead of stdout")
    g.add_argument("--keras", choices=("2", "3"), default=None,
                   help="Keras 2 (tf-keras) or Keras 3; default: the one the assignment was "
                        "written for (2 for C2W1-C2W4, 3 for the 2024 C2W1v4-C2W4v4)")
    g.add_argument("--timeout", type=float, default=Limits.submission_timeout_s,
                   help="wall-clock seconds for the whole submission")
    g.add_argument("--memory-mb", type=int, default=Limits.memory_bytes // 2**20,
                   help="address-space cap of the child process (CPU only)")
    g.add_argument("--gpu", action="store_true", help="let learner code use a GPU")
    g.add_argument("--no-color", action="store_true")
    g.add_argument("--lang", help=LANG_HELP)
    g.add_argument("--history-policy", choices=HISTORY_POLICIES, default=DEFAULT_HISTORY_POLICY,
                   help=HISTORY_POLICY_HELP)
    f = sub.add_parser("fixtures", help="generate the fixture data into the cache and print it")
    f.add_argument("--assignment", type=canonical, choices=(*CODES, "ALL"), default="ALL")
    c = sub.add_parser("check", help="grade a notebook with feedback written for the learner")
    c.add_argument("notebook", type=Path)
    c.add_argument("--assignment", type=canonical, choices=CODES,
                   help="default: detected from the notebook")
    c.add_argument("--history", type=Path,
                   help="pickled history (default: the assignment's file beside the notebook)")
    c.add_argument("--keras", choices=("2", "3"), default=None)
    c.add_argument("--no-color", action="store_true")
    c.add_argument("--lang", help=LANG_HELP)
    fb = sub.add_parser("feedback", help="the learner's notebook with the feedback written in "
                        "it, as an HTML page or a notebook")
    fb.add_argument("notebook", type=Path)
    fb.add_argument("--assignment", type=canonical, choices=CODES,
                    help="default: detected from the notebook")
    fb.add_argument("--history", type=Path,
                    help="pickled history (default: the assignment's file beside the notebook)")
    fb.add_argument("--output", type=Path,
                    help="FILE.html or FILE.ipynb (default: NOTEBOOK-feedback.html beside it)")
    fb.add_argument("--keras", choices=("2", "3"), default=None)
    fb.add_argument("--lang", help=LANG_HELP)
    b = sub.add_parser("gradescope-bundle", help="write a Gradescope autograder zip")
    b.add_argument("--assignment", type=canonical, choices=CODES, required=True)
    b.add_argument("--output", type=Path, help="default: gradescope-CODE.zip")
    b.add_argument("--keras", choices=("2", "3"), default=None)
    b.add_argument("--lang", help=LANG_HELP + "; the bundle grades in it")
    m = sub.add_parser("batch", help="grade a folder of submissions into a results folder")
    m.add_argument("submissions", type=Path,
                   help="one folder per learner, or <learner>.ipynb files side by side")
    m.add_argument("--assignment", type=canonical, choices=CODES, required=True)
    m.add_argument("--out", type=Path, required=True, help="results folder")
    m.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="submissions graded at once (default: CPU count)")
    m.add_argument("--regrade", action="store_true",
                   help="grade again what the journal says is graded and unchanged")
    m.add_argument("--rescore", action="store_true",
                   help="judge learners graded before again from their stored observations "
                        "(after a rubric change, in seconds) instead of grading them; "
                        "grade only those that cannot be (see `grader rescore`)")
    m.add_argument("--keras", choices=("2", "3"), default=None)
    m.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="where the gradings run: worker processes here (default), or Ray")
    m.add_argument("--address", metavar="ADDRESS",
                   help="with --engine ray: the cluster to join (default: a local Ray)")
    m.add_argument("--no-cache", action="store_true",
                   help="rebuild and train every model afresh (default: memoised in "
                        "RESULTS/.clean-cache, keyed by everything the result depends on)")
    m.add_argument("--roster", type=Path,
                   help="CSV mapping each submission (`learner` column) to platform ids")
    m.add_argument("--gradebook", choices=("canvas", "moodle", "csv"),
                   help="also write the platform's import file through --roster")
    m.add_argument("--gradebook-column", metavar="NAME",
                   help="the assignment's column in the platform (default: 'CODE title'; "
                        "Canvas: 'Name (id)' to update an existing assignment)")
    m.add_argument("--lang", help=LANG_HELP + "; the instructor's report stays English")
    m.add_argument("--gpu", action="store_true",
                   help="let learner code use a GPU; with --engine ray each grading asks Ray "
                        "for one (num_gpus), so it runs on a GPU node")
    m.add_argument("--history-policy", choices=HISTORY_POLICIES, default=DEFAULT_HISTORY_POLICY,
                   help=HISTORY_POLICY_HELP)
    r = sub.add_parser("rescore", help="judge a graded class again under the current rubric, "
                                       "from what its batch observed, running no notebook")
    r.add_argument("results", type=Path, help="the results folder a `grader batch` wrote")
    return parser


HISTORY_POLICY_HELP = (
    "how the history's agreement with the notebook's saved training output counts: flag "
    "(default: reported in every report, never costs points), require-corroborated (the "
    "history part scores 0 unless the output confirms the history), reject-contradicted (0 "
    "only when the output contradicts it)")
LANG_HELP = (f"the learners' language: {', '.join(LANGUAGES)} (default: from LANG/LC_ALL, "
             "else en)")


def _exit_status(result) -> int:
    """0 passed, 1 below the pass mark, 2 when the grader failed (result.fault): the report
    is written all the same, and stderr says why."""
    if result.fault:
        print(f"grader: could not grade: {result.fault}", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    return EXIT_PASSED if result.passed else EXIT_FAILED


def _fail(message: str) -> int:
    print(f"grader: error: {message}", file=sys.stderr)
    return EXIT_CANNOT_GRADE


def _grade(args: argparse.Namespace) -> int:
    from grader.api import CannotGrade, grade_submission, resolve

    try:
        submission = resolve(args.notebook, args.assignment, args.history, keras=args.keras)
    except CannotGrade as exc:
        return _fail(str(exc))
    if submission.detected:
        print(f"grader: {submission.detected}", file=sys.stderr)
    limits = Limits(submission_timeout_s=args.timeout, memory_bytes=args.memory_mb * 2**20)
    result = grade_submission(submission, keras=args.keras, limits=limits, use_gpu=args.gpu,
                              history_policy=args.history_policy)
    to_tty = args.output is None and sys.stdout.isatty()
    color = to_tty and not args.no_color and "NO_COLOR" not in os.environ
    text = RENDERERS[args.format](result, color=color)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(args.output, text)
    else:
        sys.stdout.write(text)
    return _exit_status(result)


def _check(args: argparse.Namespace) -> int:
    """`grade`'s checks and exit status, rendered for the learner."""
    from grader.api import CannotGrade, grade_submission, resolve
    from grader.reporters.learner import render_learner

    try:
        submission = resolve(args.notebook, args.assignment, args.history, keras=args.keras)
    except CannotGrade as exc:
        return _fail(str(exc))
    result = grade_submission(submission, keras=args.keras)
    color = sys.stdout.isatty() and not args.no_color and "NO_COLOR" not in os.environ
    sys.stdout.write(render_learner(result, color=color))
    return _exit_status(result)


def _feedback(args: argparse.Namespace) -> int:
    """`grade`'s checks and exit status, written into the learner's notebook."""
    from grader.api import CannotGrade, grade_submission, resolve
    from grader.reporters.feedback import (
        FORMATS,
        FeedbackError,
        render_feedback_html,
        render_feedback_notebook,
    )

    output = args.output or args.notebook.with_name(f"{args.notebook.stem}-feedback.html")
    if output.suffix.lower() not in FORMATS:
        return _fail(f"{output}: the feedback is written as .html or .ipynb, not "
                     f"{output.suffix or 'a file without an extension'}")
    if output.exists() and args.notebook.exists() and output.samefile(args.notebook):
        return _fail(f"{output} is the notebook itself: choose another --output")
    try:
        submission = resolve(args.notebook, args.assignment, args.history, keras=args.keras)
    except CannotGrade as exc:
        return _fail(str(exc))
    result = grade_submission(submission, keras=args.keras)
    try:
        text = (render_feedback_notebook if output.suffix.lower() == ".ipynb"
                else render_feedback_html)(result, args.notebook)
    except FeedbackError as exc:
        return _fail(f"{exc}; write an .html page instead, which shows the feedback alone")
    atomic_write(output, text)
    shown = {"score": f"{result.score:g}", "max_score": f"{result.max_score:g}", "output": output}
    print(tr("{score}/{max_score} (passed): feedback in {output}", **shown) if result.passed
          else tr("{score}/{max_score} (not passed): feedback in {output}", **shown))
    return _exit_status(result)


def _gradescope_bundle(args: argparse.Namespace) -> int:
    from grader.gradescope.bundle import BundleError, build_bundle

    output = args.output or Path(f"gradescope-{args.assignment}.zip")
    try:
        build_bundle(args.assignment, output, keras=args.keras, lang=args.lang)
    except BundleError as exc:
        return _fail(str(exc))
    print(f"wrote {output}")
    return 0


def _batch(args: argparse.Namespace) -> int:
    """0 all graded, 1 some could not be graded (0 and the reason), 2 nothing to grade,
    130 interrupted (what finished is kept; the same command resumes)."""
    import signal

    try:
        from grader.batch.layout import LayoutError
        from grader.batch.platforms import FILES, RosterError
        from grader.batch.ray_engine import EngineError
        from grader.batch.run import BatchOptions, run_batch
    except ImportError as exc:  # pandas is the `batch` extra
        return _fail(f"grader batch needs {exc.name or 'pandas'}: pip install 'c2-grader[batch]'")

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # stopped by a scheduler: same as Ctrl-C
    if args.address and args.engine != "ray":
        return _fail("--address is the Ray cluster to join: it needs --engine ray")
    if args.engine == "ray":
        import importlib.util

        from grader.batch.ray_engine import MISSING_RAY

        if importlib.util.find_spec("ray") is None:
            return _fail(MISSING_RAY)
    if args.gradebook and not args.roster:
        return _fail(f"--gradebook {args.gradebook} needs --roster ROSTER.csv (a `learner` "
                     "column and the platform's ids)")
    options = BatchOptions(args.assignment, keras=args.keras, workers=max(1, args.workers),
                           regrade=args.regrade, roster=args.roster,
                           gradebook=args.gradebook or "csv",
                           gradebook_column=args.gradebook_column,
                           clean_cache=not args.no_cache, engine=args.engine,
                           address=args.address, lang=args.lang, use_gpu=args.gpu,
                           history_policy=args.history_policy, rescore=args.rescore)
    try:
        summary = run_batch(args.submissions, args.out, options)
    except (LayoutError, RosterError, EngineError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        again = shlex.join(["grader", "batch", str(args.submissions), "--assignment",
                            args.assignment, "--out", str(args.out), "--workers",
                            str(options.workers),
                            *(["--keras", args.keras] if args.keras else []),
                            *(["--roster", str(args.roster)] if args.roster else []),
                            *(["--gradebook", args.gradebook] if args.gradebook else []),
                            *(["--gradebook-column", args.gradebook_column]
                              if args.gradebook_column else []),
                            *(["--no-cache"] if args.no_cache else []),
                            *(["--engine", "ray"] if args.engine == "ray" else []),
                            *(["--address", args.address] if args.address else []),
                            *(["--gpu"] if args.gpu else []),
                            *(["--history-policy", args.history_policy]
                              if args.history_policy != DEFAULT_HISTORY_POLICY else []),
                            *(["--rescore"] if args.rescore else []),
                            "--lang", args.lang])
        print(f"\ngrader: interrupted; finished submissions are kept in {args.out}. Resume "
              f"with:\n  {again}", file=sys.stderr)
        return 130
    print(f"graded {summary.graded}, skipped {summary.skipped} unchanged, "
          f"{summary.crashed} could not be graded, in {summary.seconds:.0f} s"
          + (f"; {summary.from_cache} reused the measurements of an identical model graded "
             "before (no training repeated)" if summary.from_cache else "")
          + (f"; {summary.retried} grading(s) lost with a Ray worker or node, started again"
             if summary.retried else "")
          + (f"; {summary.rescored} rescored from stored observations (not graded again)"
             if args.rescore else "") + "\n"
          f"gradebook: {args.out / 'gradebook.csv'}\nreport:    {args.out / 'report.html'}\n"
          f"similar:   {args.out / 'similarity.csv'}")
    if summary.platform is not None:
        matched = summary.platform
        print(f"platform:  {args.out / FILES[options.gradebook]} ({len(matched.grades)} in "
              f"the roster: {matched.without_submission} without a submission, "
              f"{matched.not_graded} not graded, left empty; {len(matched.unmatched)} "
              "submission(s) not in the roster)")
    return 1 if summary.crashed else 0


def _rescore(args: argparse.Namespace) -> int:
    """0 every learner judged again, 1 some left as graded (listed: they need a
    regrade), 2 nothing could be rescored (not a batch's results folder)."""
    try:
        from grader.batch.layout import LayoutError
        from grader.batch.platforms import RosterError
        from grader.batch.rescore import rescore_results
    except ImportError as exc:  # pandas is the `batch` extra
        return _fail(f"grader rescore needs {exc.name or 'pandas'}: "
                     "pip install 'c2-grader[batch]'")
    try:
        summary = rescore_results(args.results)
    except (ValueError, LayoutError, RosterError) as exc:
        return _fail(str(exc))
    left = len(summary.partly) + len(summary.kept)
    print(f"rescored {summary.rescored} of {summary.rescored + left} learners under the "
          f"current rubric in {summary.seconds:.1f} s, running no notebook; {left} need a "
          "regrade")
    for learner, parts in summary.partly.items():
        print(f"  {learner}: {', '.join(parts)} left as graded (the code that observes "
              "them changed since)")
    for learner, reason in summary.kept.items():
        print(f"  {learner}: left as graded ({reason})")
    if left:
        print("  `grader batch ... --rescore` grades these in full and rescores the rest")
    print(f"gradebook: {args.results / 'gradebook.csv'}\n"
          f"report:    {args.results / 'report.html'}")
    return 1 if left else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if hasattr(args, "lang"):
        try:
            args.lang = choose(args.lang)
        except ValueError as exc:
            return _fail(str(exc))
    with language(getattr(args, "lang", None)):
        return _dispatch(args)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "grade":
        return _grade(args)
    if args.command == "fixtures":
        from grader.api import build_fixtures
        from grader.model.cache import cache_root

        for code in CODES if args.assignment == "ALL" else (args.assignment,):
            print(f"{code}: {build_fixtures(code)}")
        print(f"cache: {cache_root()}")
        return 0
    if args.command == "check":
        return _check(args)
    if args.command == "feedback":
        return _feedback(args)
    if args.command == "gradescope-bundle":
        return _gradescope_bundle(args)
    if args.command == "batch":
        return _batch(args)
    if args.command == "rescore":
        return _rescore(args)
    return _fail(f"unknown command {args.command}")
