"""The pipeline: notebook -> extracted source -> isolated run -> observations -> checks.

`grade()` plans one child per graded function (`_plan`), runs the learner's code
(`_run_learner`), rebuilds what it exported in a clean child (`_run_clean`), then judges
(`_score`); children that were started but not used are discarded whatever happens.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.i18n import N_, current, language, say
from grader.model.observations import Observations
from grader.model.observed import conform, declared
from grader.model.protocol import Limits, ProbeOutcome, View, said
from grader.model.redact import redact
from grader.model.results import GradeResult
from grader.model.spec import AssignmentSpec
from grader.pipeline.clean_cache import CleanCache
from grader.pipeline.clean_inputs import CleanInputs
from grader.pipeline.extract import Extraction, extract, provide_globals
from grader.pipeline.history import kept_history
from grader.pipeline.history_policy import weigh_history
from grader.pipeline.judge import extraction_record, judge, zero_result
from grader.pipeline.notebook import NotebookError, read_notebook
from grader.pipeline.provenance import (
    fact_digests,
    input_digests,
    part_digests,
    prepared_digest,
)
from grader.sandbox import confine, course_paths
from grader.sandbox.course_env import environment
from grader.sandbox.runner import RunReport, Spawned, prestart, run_groups, run_probes
from grader.sandbox.zygote import Zygote


@dataclass(frozen=True)
class Options:
    keras: str | None = None  # None: the Keras the assignment was written for (spec.keras)
    limits: Limits = Limits()
    use_gpu: bool = False
    probe_timeouts: tuple[tuple[str, float], ...] = ()  # overrides of the spec's, per probe
    # A batch worker's zygote: every child is a fork of it. Without one, grade() starts its
    # own for code that imports TensorFlow (one import instead of two), unless
    # fork_children is False (or use_gpu: CUDA does not survive a fork).
    zygote: Zygote | None = None
    fork_children: bool = True
    # Where clean probes' observations are memoised (grader/pipeline/clean_cache.py); None:
    # every clean probe runs.
    clean_cache: Path | None = None
    # The learners' language for every message (grader/i18n); None: the caller's current one.
    lang: str | None = None
    # How the history's evidence counts (grader/pipeline/history_policy.py POLICIES).
    history_policy: str = "flag"
    # Paths the learner's children must not see, besides the checkout's answers and tests and
    # the clean cache (sandbox/confine.hidden_paths): a batch's results and submissions.
    hide: tuple[str, ...] = ()


@dataclass
class _Run:
    """One grading's state: what it asked for and the children it still holds."""

    spec: AssignmentSpec
    options: Options
    extraction: Extraction
    zygote: Zygote | None
    workdir: Path
    wanted: list[str] = field(default_factory=list)
    groups: list[tuple[str, list[str], Path]] = field(default_factory=list)
    held: dict[str, Spawned] = field(default_factory=dict)  # prestarted, not yet handed on
    cache_use: dict | None = None  # {"hits", "misses"} of the clean cache, when one is used
    inputs: CleanInputs | None = None  # the grader's copy of the prepared work directory
    fault: dict | None = None  # why the grading cannot be trusted (said()): the grader's fault
    prepared_digest: str = ""  # of what spec.prepare() laid out (grader/pipeline/provenance)

    def handed(self, role: str, call):
        """`call(child)` with the prestarted child for `role`; it is the callee's once the
        call returns (an interrupted call leaves it to `discard`)."""
        result = call(self.held.get(role))
        self.held.pop(role, None)
        return result

    def discard(self) -> None:
        for child in self.held.values():
            child.discard()
        self.held.clear()
        if self.inputs is not None:
            self.inputs.close()


# What a learner-side observation may carry into the checks when no clean measurement
# backs it: how the call went, what type came back, and the configuration that was (or
# could not be) rebuilt. Anything else the learner's process wrote (a description of a
# model, of generators) could be forged by its code, so it is dropped.
UNVERIFIED_KEYS = ("call", "returned", "export")


def _supersede(spec: AssignmentSpec, wanted: list[str], outcomes: dict) -> None:
    """What the clean process measured replaces whatever the learner's process reported
    under the same keys. Without a complete clean measurement the learner's report keeps
    only UNVERIFIED_KEYS, plus what the clean run measured before it failed."""
    for clean, source in spec.clean_probes.items():
        learner = outcomes.get(source)
        if clean not in wanted or learner is None or learner.observation is None:
            continue
        observed = outcomes.get(clean)
        if observed is not None and observed.observation is not None:
            learner.observation.update(
                {k: v for k, v in observed.observation.items() if k != "call"})
            continue
        learner.observation = {k: v for k, v in learner.observation.items()
                               if k in UNVERIFIED_KEYS}
        if observed is not None and observed.failure:
            # Tried and failed (its brief training timed out): what it measured before
            # (the rebuilt model's description) stands, so only the training check is lost.
            learner.observation.update(
                {k: v for k, v in (observed.partial or {}).items() if k != "call"})
            # A message, shown with say() in the reader's language (a rescore's may differ).
            learner.observation["clean_failure"] = observed.failure_said(said(N_("Checking it")))


def _conform(spec: AssignmentSpec, outcomes: dict[str, ProbeOutcome]) -> dict[str, list]:
    """Each observation as its probe declares it (grader/model/observed.py): a field the
    probe does not declare, or of another type, is dropped where it leaves the child. Returns
    what was dropped, by probe (kept in the record: a sign the report was tampered with)."""
    dropped: dict[str, list] = {}
    for name, outcome in outcomes.items():
        kind = declared(spec.probes.get(name))
        if kind is None:
            continue
        if outcome.observation is not None:
            outcome.observation, fields = conform(outcome.observation, kind)
            if fields:
                dropped[name] = fields
        if outcome.partial is not None:
            outcome.partial = conform(outcome.partial, kind)[0]
    return dropped


def _imports_tensorflow(extraction: Extraction) -> bool:
    """Whether the learner's child may import TensorFlow before its task arrives."""
    return any(word in snippet.source for snippet in extraction.snippets
               for word in ("tensorflow", "keras"))


def grade(spec: AssignmentSpec, notebook_path: Path, history_path: Path | None,
          options: Options = Options()) -> GradeResult:
    return _observed(spec, notebook_path, history_path, options)[0]


def grade_observed(spec: AssignmentSpec, notebook_path: Path, history_path: Path | None,
                   options: Options = Options()) -> tuple[GradeResult, Observations]:
    """The result and the observations it was judged from, with the digests of the code
    that observed them (what `grader rescore` judges again; grader/pipeline/rescore.py).
    Only a record that is kept pays for the digests (~0.25 s, once per process)."""
    result, observed = _observed(spec, notebook_path, history_path, options)
    if observed.unreadable is None:
        observed.digests = part_digests(spec)
        observed.fact_digests = fact_digests(observed.facts)
    return result, observed


def _observed(spec: AssignmentSpec, notebook_path: Path, history_path: Path | None,
              options: Options) -> tuple[GradeResult, Observations]:
    if options.keras is None:
        options = replace(options, keras=spec.keras)
    with language(options.lang):
        result, observed = _grade(spec, notebook_path, history_path, options)
        return weigh_history(result, spec, notebook_path, history_path,
                             options.history_policy, kept_history(observed)), observed


def _grade(spec: AssignmentSpec, notebook_path: Path, history_path: Path | None,
           options: Options) -> tuple[GradeResult, Observations]:
    started = time.monotonic()
    try:
        notebook = read_notebook(notebook_path)
    except NotebookError as exc:
        result = zero_result(spec, exc.message, options.keras, notebook_path)
        result.duration_s = time.monotonic() - started
        return result, Observations(spec.code, options.keras, unreadable=exc.message,
                                    inputs=input_digests(notebook_path, history_path))
    extraction = extract(notebook, spec.functions, spec.renamed)
    # A zygote is worth starting (it imports TensorFlow) only for code that needs it.
    zygote, own_zygote = options.zygote, None
    if zygote and zygote.keras != options.keras:  # its TensorFlow is the other Keras
        zygote = None
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
    run = _Run(spec, options, extraction, zygote, workdir)
    try:
        _plan(run)
        prepared, args, report = _run_learner(run)
        outcomes = dict(report.outcomes)
        outcomes.update(_run_clean(run, prepared, args, outcomes))
        dropped = _conform(spec, outcomes)
        _supersede(spec, run.wanted, outcomes)
        observed = Observations(
            spec.code, options.keras, str(workdir), prepared, outcomes,
            extraction_record(extraction), list(report.load_problems),
            report.output_truncated, run.fault, inputs=input_digests(notebook_path, history_path),
            prepared_digest=run.prepared_digest, dropped=dropped)
        judged = observed.copy()  # what a rescore would read back
        parts, notes, curves = judge(spec, judged, history_path)
        observed.facts, observed.history = judged.facts, judged.history
    finally:
        run.discard()
        shutil.rmtree(workdir, ignore_errors=True)
        if own_zygote:
            own_zygote.close()
            shutil.rmtree(own_zygote.root, ignore_errors=True)
    return GradeResult(
        spec.code, parts, spec.pass_mark, options.keras,
        duration_s=time.monotonic() - started, notebook=str(notebook_path),
        notes=[redact(n) for n in notes],
        curves=curves, environment=environment(options.keras), clean_cache=run.cache_use,
        language=current(), fault=redact(say(run.fault)) if run.fault else None,
    ), observed


def _plan(run: _Run) -> None:
    """The probes to run and, per graded function found, its own child with its /tmp view;
    children are started now, before the fixtures are laid out."""
    spec, missing = run.spec, run.extraction.missing
    run.wanted = list(dict.fromkeys(
        probe for part in spec.parts for probe in part.probes if part.name not in missing))
    seen: set[str] = set()
    for part in spec.parts:
        names = [p for p in part.probes
                 if p in run.wanted and p not in spec.clean_probes and p not in seen]
        if names and part.name not in missing:
            seen.update(names)
            view = course_paths.view_dir(run.workdir, part.name)
            view.mkdir(parents=True)
            run.groups.append((part.name, names, view))
    if any(p in spec.clean_probes for p in run.wanted):
        run.inputs = CleanInputs.reserve(run.workdir)
    # The clean child imports TensorFlow while the learner's child runs: on two cores that
    # hides most of its start-up. A zygote forks children in milliseconds: no need.
    if not run.zygote:
        o = run.options
        if run.inputs is not None:
            run.held["clean"] = prestart(run.workdir, o.keras, o.limits, o.use_gpu,
                                         view=View(home=run.inputs.home))
        run.held["learner"] = prestart(
            run.workdir, o.keras, o.limits, o.use_gpu,
            prewarm=_imports_tensorflow(run.extraction),
            view=View(run.groups[0][2] if run.groups else None, hide=_hidden(o, run.spec)))


def _hidden(o: Options, spec: AssignmentSpec) -> tuple[str, ...]:
    extra = [*o.hide, *([str(o.clean_cache)] if o.clean_cache else [])]
    return tuple(confine.hidden_paths(extra, spec.probes_from))


def _run_learner(run: _Run) -> tuple[dict, dict, RunReport]:
    spec, o = run.spec, run.options
    prepared, args = spec.prepare(run.workdir)
    run.prepared_digest = prepared_digest(prepared, args, run.workdir)
    if run.inputs is not None:  # before any learner code runs
        run.inputs.take()
    layouts = prepared.get("course", {})
    for name, _, view in run.groups:
        course_paths.lay_out(view, layouts.get(name, {}))
    prepared["views"] = {name: str(view) for name, _, view in run.groups}
    prepared["course_tmp"] = bool(confine.wrapper())  # whether children see the views
    timeouts = dict(o.probe_timeouts)
    groups = [(spec.probe_requests(names, args, timeouts), view)
              for _, names, view in run.groups]
    report = run.handed("learner", lambda child: run_groups(
        spec.probes_from, run.extraction.snippets + provide_globals(run.extraction, spec.provided),
        groups, run.workdir, keras=o.keras,
        limits=o.limits, use_gpu=o.use_gpu, prestarted=child, zygote=run.zygote,
        hide=_hidden(o, run.spec)))
    return prepared, args, report


GRADER_FAULTS = ("ImportError", "ModuleNotFoundError")


def grader_fault(observation: object) -> str | None:
    """The clean child runs only the grader's code on its own inputs, so an import that
    fails there (a package missing, or hidden from it) is the grader's environment failing,
    never the learner's mistake: the error found, or None."""
    if isinstance(observation, dict):
        for key, value in observation.items():
            text = value.get("type") if isinstance(value, dict) and key.endswith("error") \
                else value
            if key.endswith("error") and isinstance(text, str) and text.startswith(
                    GRADER_FAULTS):
                return str(value.get("message", text) if isinstance(value, dict) else text)
            found = grader_fault(value)
            if found:
                return found
    elif isinstance(observation, list):
        return next((f for f in map(grader_fault, observation) if f), None)
    return None


def _run_clean(run: _Run, prepared: dict, args: dict, outcomes: dict) -> dict:
    """Each clean probe fed the configuration its learner-side probe exported, with course
    paths mapped to where the parent sees them and the grader's own inputs (clean_inputs)
    in place of the work directory's. Only a run that succeeded on intact inputs, with no
    grader fault, is cached."""
    spec, o = run.spec, run.options
    clean = []
    for probe in (p for p in run.wanted if p in spec.clean_probes):
        source = outcomes.get(spec.clean_probes[probe])
        export = (source.observation or {}).get("export") if source else None
        if export is not None:
            part = next(p.name for p in spec.parts if spec.clean_probes[probe] in p.probes)
            view = prepared["views"].get(part)
            if view and prepared["course_tmp"]:
                export = course_paths.map_paths(export, Path(view))
            args[probe] = run.inputs.mapped({**args.get(probe, {}), "export": export})
            clean.append(probe)
    if clean and not run.inputs.intact():
        run.fault = said(N_("The grader's own copy of the data was changed while your code "
                            "ran (possible only where the sandbox is limits only); it was not "
                            "used."))
        return {}
    cache = CleanCache(o.clean_cache) if o.clean_cache else None
    graded_with = environment(o.keras) if cache else {}
    keys = {probe: cache.key(spec.code, probe, args[probe], run.workdir, graded_with, o.keras,
                             o.use_gpu, run.inputs.root)
            for probe in clean} if cache else {}
    found = {}
    for probe, key in keys.items():
        observation = cache.load(key, run.workdir, run.inputs.root) if key else None
        if observation is not None:
            found[probe] = ProbeOutcome(probe, run.inputs.unmapped(observation))
    if cache and clean:
        run.cache_use = {"hits": len(found), "misses": len(clean) - len(found)}
    clean = [probe for probe in clean if probe not in found]
    if not clean:
        return found
    requests = spec.probe_requests(clean, args, dict(o.probe_timeouts))
    report = run.handed("clean", lambda child: run_probes(
        spec.probes_from, [], requests, run.workdir, keras=o.keras, limits=o.limits,
        use_gpu=o.use_gpu, prestarted=child, zygote=run.zygote,
        view=View(home=run.inputs.home), partials=True))
    for probe, outcome in report.outcomes.items():
        fault = grader_fault(outcome.observation)
        if fault:
            run.fault = said(N_("The grader's clean process could not import what it needs "
                                "({error}): its environment is broken, not your code."),
                             error=fault[:300])
        elif cache and keys.get(probe) and outcome.observation is not None \
                and not outcome.failure:
            cache.store(keys[probe], outcome.observation, run.workdir, run.inputs.root)
        if outcome.observation is not None:
            outcome.observation = run.inputs.unmapped(outcome.observation)
        if outcome.partial is not None:
            outcome.partial = run.inputs.unmapped(outcome.partial)
    return {**found, **report.outcomes}
