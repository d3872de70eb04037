"""The pipeline: notebook -> extracted source -> isolated run -> observations -> checks."""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from grader.assignments.common.feedback import describe_error
from grader.model.protocol import Limits
from grader.model.redact import redact
from grader.model.results import GradeResult, PartResult, TestResult
from grader.model.spec import AssignmentSpec, Context, PartSpec, Verdict
from grader.pipeline.extract import extract
from grader.pipeline.history import check_history, curves_of, load_history
from grader.pipeline.notebook import NotebookError, read_notebook
from grader.sandbox import confine, course_paths
from grader.sandbox.runner import prestart, run_groups, run_probes
from grader.sandbox.zygote import Zygote


@dataclass(frozen=True)
class Options:
    keras: str = "2"
    limits: Limits = Limits()
    use_gpu: bool = False
    probe_timeouts: tuple[tuple[str, float], ...] = ()  # overrides of the spec's, per probe
    # A batch worker's zygote: every child is a fork of it. Without one, grade() starts its
    # own for code that imports TensorFlow (one import instead of two), unless
    # fork_children is False (or use_gpu: CUDA does not survive a fork).
    zygote: Zygote | None = None
    fork_children: bool = True


def _part_result(part: PartSpec, verdicts: list[Verdict]) -> PartResult:
    by_name = {name: (passed, message) for name, passed, message in verdicts}
    tests = []
    for name, points in part.tests:
        passed, message = by_name.get(name, (False, "This check produced no verdict."))
        tests.append(TestResult(name, bool(passed), redact(message),
                                points if passed else 0.0, points))
    return PartResult(part.name, tests)


def _zero(spec: AssignmentSpec, message: str, options: Options, path: Path) -> GradeResult:
    parts = [_part_result(p, [(n, False, message) for n, _ in p.tests]) for p in spec.parts]
    return GradeResult(spec.code, parts, spec.pass_mark, options.keras, notebook=str(path),
                       notes=[message])


def _supersede(spec: AssignmentSpec, wanted: list[str], outcomes: dict) -> None:
    """What the clean process measured replaces whatever the learner's process reported
    under the same keys; if the clean run failed, the learner's report is not trusted."""
    for clean, source in spec.clean_probes.items():
        learner = outcomes.get(source)
        if clean not in wanted or learner is None or learner.observation is None:
            continue
        observed = outcomes.get(clean)
        if observed is not None and observed.observation is not None:
            learner.observation.update(
                {k: v for k, v in observed.observation.items() if k != "call"})
        elif observed is not None and observed.failure:
            learner.observation["clean_failure"] = f"Checking it {observed.failure}."


def _imports_tensorflow(extraction) -> bool:
    """Whether the learner's child may import TensorFlow before its task arrives."""
    return any(word in snippet.source for snippet in extraction.snippets
               for word in ("tensorflow", "keras"))


def grade(spec: AssignmentSpec, notebook_path: Path, history_path: Path | None,
          options: Options = Options()) -> GradeResult:
    started = time.monotonic()
    try:
        notebook = read_notebook(notebook_path)
    except NotebookError as exc:
        result = _zero(spec, str(exc), options, notebook_path)
        result.duration_s = time.monotonic() - started
        return result
    extraction = extract(notebook, spec.functions)
    # A zygote is worth starting (it imports TensorFlow) only for code that needs it.
    zygote, own_zygote = options.zygote, None
    if zygote and not (zygote.alive() or _imports_tensorflow(extraction)):
        zygote = None
    elif (zygote is None and options.fork_children and not options.use_gpu
          and _imports_tensorflow(extraction)
          and any(p.probes and p.name not in extraction.missing for p in spec.parts)):
        zygote = own_zygote = Zygote(Path(tempfile.mkdtemp(prefix="grader-zygote-")),
                                     options.keras)
        zygote.start()  # imports TensorFlow while the fixtures are laid out
    workdir = Path(tempfile.mkdtemp(prefix=f"grader-{spec.code.lower()}-",
                                    dir=options.zygote.root if options.zygote else None))
    try:
        return _grade(spec, notebook_path, history_path, options, extraction, zygote,
                      workdir, started)
    finally:
        if own_zygote:
            own_zygote.close()
            shutil.rmtree(own_zygote.root, ignore_errors=True)


def _grade(spec: AssignmentSpec, notebook_path: Path, history_path: Path | None,
           options: Options, extraction, zygote: Zygote | None, workdir: Path,
           started: float) -> GradeResult:
    warm = learner = None
    try:
        wanted = list(dict.fromkeys(
            probe for part in spec.parts for probe in part.probes
            if part.name not in extraction.missing
        ))
        timeouts = dict(options.probe_timeouts)
        learner_side = [p for p in wanted if p not in spec.clean_probes]
        probed, seen = [], set()  # one child per graded function, with its own /tmp view
        for part in spec.parts:
            names = [p for p in part.probes if p in learner_side and p not in seen]
            if names and part.name not in extraction.missing:
                seen.update(names)
                view = course_paths.view_dir(workdir, part.name)
                view.mkdir(parents=True)
                probed.append((part.name, names, view))
        # Both children start before the fixtures are laid out. The clean child imports
        # TensorFlow while the learner's child runs: on two cores that hides most of its
        # start-up. A zygote forks children in milliseconds, TensorFlow imported: no need.
        if not zygote:
            if any(p in spec.clean_probes for p in wanted):
                warm = prestart(workdir, options.keras, options.limits, options.use_gpu)
            learner = prestart(workdir, options.keras, options.limits, options.use_gpu,
                               prewarm=_imports_tensorflow(extraction),
                               course_tmp=probed[0][2] if probed else None)
        prepared, args = spec.prepare(workdir)
        layouts = prepared.get("course", {})
        for name, _, view in probed:
            course_paths.lay_out(view, layouts.get(name, {}))
        prepared["views"] = {name: str(view) for name, _, view in probed}
        prepared["course_tmp"] = bool(confine.wrapper())  # whether children see the views
        groups = [(spec.probe_requests(names, args, timeouts), view)
                  for _, names, view in probed]
        report = run_groups(spec.code, extraction.snippets, groups, workdir,
                            keras=options.keras, limits=options.limits,
                            use_gpu=options.use_gpu, prestarted=learner, zygote=zygote)
        learner = None
    except BaseException:
        for child in (warm, learner):
            if child:
                child.discard()
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    try:
        outcomes = dict(report.outcomes)
        clean = []
        for probe in (p for p in wanted if p in spec.clean_probes):
            source = outcomes.get(spec.clean_probes[probe])
            export = (source.observation or {}).get("export") if source else None
            if export is not None:
                part = next(p.name for p in spec.parts if spec.clean_probes[probe] in p.probes)
                view = prepared["views"].get(part)
                if view and prepared["course_tmp"]:  # the paths as the parent sees them
                    export = course_paths.map_paths(export, Path(view))
                args[probe] = {**args.get(probe, {}), "export": export}
                clean.append(probe)
        if clean:
            try:
                clean_report = run_probes(
                    spec.code, [], spec.probe_requests(clean, args, timeouts), workdir,
                    keras=options.keras, limits=options.limits, use_gpu=options.use_gpu,
                    prestarted=warm, zygote=zygote)
            except BaseException:
                if warm:
                    warm.discard()  # interrupted while it ran
                warm = None
                raise
            outcomes.update(clean_report.outcomes)
        if warm and not clean:
            warm.discard()
        warm = None
        _supersede(spec, wanted, outcomes)
        ctx = Context(workdir, prepared, outcomes, extraction)
        parts, curves = [], None
        for part in spec.parts:
            if part.name == "history":
                loaded = None
                if history_path is not None and history_path.exists():
                    loaded = load_history(history_path)
                    curves = curves_of(history_path, *loaded)
                verdicts = check_history(part, spec.history, history_path, loaded)
            elif part.name in extraction.missing:
                reason = extraction.missing[part.name]
                verdicts = [(n, False, f"Not graded: {reason}.") for n, _ in part.tests]
            else:
                verdicts = spec.checks[part.name](ctx, part)
            result = _part_result(part, verdicts)
            found = extraction.functions.get(part.name)
            if found:
                result.source_rule = f"{found.rule}, cell {found.cell + 1}"
            result.notes.extend(extraction.notes.get(part.name, []))
            for problem in report.load_problems:
                if problem["name"] == part.name:
                    result.notes.append("Defining it failed: " + describe_error(
                        part.name, problem) + ".")
            parts.append(result)
        notes = list(extraction.general_notes)
        for problem in report.load_problems:
            if problem["snippet"] == "import":
                notes.append(
                    "An import in your notebook failed and was skipped: "
                    + describe_error("import", problem).removeprefix("import raised ") + "."
                )
            else:
                notes.append(
                    f"Defining {problem['name']} failed: "
                    + describe_error(problem["name"], problem) + "."
                )
        if report.output_truncated:
            notes.append("Your code printed more than the grader keeps; the rest was dropped.")
    finally:
        if warm:  # something above failed before the clean child was done with
            warm.discard()
        shutil.rmtree(workdir, ignore_errors=True)
    for result in parts:
        result.notes = [redact(n) for n in result.notes]
    return GradeResult(
        spec.code, parts, spec.pass_mark, options.keras,
        duration_s=time.monotonic() - started, notebook=str(notebook_path),
        notes=[redact(n) for n in notes], curves=curves,
    )
