"""`grader batch --engine ray`: the same batch with its gradings on a Ray cluster.

The driver (this process) keeps everything the local batch does: discovery, the journal,
the per-learner files, progress, the gradebook and the report, resuming. Only the gradings
move: each Ray worker is an actor holding one zygote for its submissions, as a local worker
process does, and asks Ray for one CPU. A submission travels as bytes (notebook and history)
and comes back as the JSON report, so no shared filesystem is assumed. An actor or node that
dies mid-grading costs a retry on another actor (at most `RETRIES`), then 0 and the reason;
a grading that outlives the watchdog is stopped with its actor. The clean cache travels the
same way (`SharedCache`): the driver keeps RESULTS/.clean-cache and sends each actor the
entries it lacks with its next job; each result brings back the entries its grading added.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import tempfile
import time
from collections import deque
from pathlib import Path

from grader.batch.layout import Entry
from grader.batch.progress import Progress, format_duration
from grader.batch.rows import CRASHED, LearnerRow
from grader.batch.stored import observations_from
from grader.model.files import atomic_write
from grader.model.results import GradeResult

MISSING_RAY = "--engine ray needs Ray: pip install 'c2-grader[ray]'"
RETRIES = 2  # gradings of one submission lost with their actor or node, before it is CRASHED
POLL_S = 0.2
ENTRY = re.compile(r"[0-9a-f]{64}\.json")  # a clean-cache entry's name (a SHA-256)


class EngineError(Exception):
    """The cluster cannot run this batch as asked; the message says why."""


def actor_resources(use_gpu: bool) -> dict[str, float]:
    """What each grading asks Ray for: one CPU, and with --gpu one GPU, so that Ray places
    GPU gradings on GPU nodes only."""
    return {"num_cpus": 1, "num_gpus": 1 if use_gpu else 0}


def _room_for(available: dict, use_gpu: bool) -> bool:
    return all(available.get(kind, 0) >= 1 for kind in ("CPU", *(("GPU",) if use_gpu else ())))


class GraderActor:
    """One grading at a time, every child forked from this actor's zygote (none with a GPU:
    CUDA does not survive a fork, so each child starts afresh)."""

    def __init__(self, assignment: str, keras: str, use_cache: bool,
                 lang: str = "en", use_gpu: bool = False, hide: tuple[str, ...] = (),
                 history_policy: str = "flag") -> None:
        from grader.api import Zygote, get_spec

        self.spec, self.keras, self.lang, self.use_gpu = get_spec(assignment), keras, lang, use_gpu
        self.hide = hide  # the driver's submissions and results, where this node has them
        self.history_policy = history_policy
        self.root = Path(tempfile.mkdtemp(prefix="grader-ray-worker-"))
        self.zygote = None if use_gpu else Zygote(self.root, keras)
        # This actor's copy of the batch's clean cache, fed and read back by the driver.
        self.cache = self.root / "clean-cache" if use_cache else None
        if self.cache:
            self.cache.mkdir()

    def grade(self, notebook_name: str, notebook: bytes, history_name: str | None,
              history: bytes | None, cache_entries: dict[str, str]) -> tuple[str, dict, str]:
        """The JSON report, the clean-cache entries this grading added, and the
        observations the report was judged from (JSON, for `grader rescore`)."""
        if self.cache is None:
            report, observed = self._grade(notebook_name, notebook, history_name, history)
            return report, {}, observed
        for name, text in cache_entries.items():
            if ENTRY.fullmatch(name):
                (self.cache / name).write_text(text, encoding="utf-8")
        before = {p.name for p in self.cache.iterdir()}
        report, observed = self._grade(notebook_name, notebook, history_name, history)
        added = {p.name: p.read_text(encoding="utf-8") for p in self.cache.iterdir()
                 if p.name not in before and ENTRY.fullmatch(p.name)}
        return report, added, observed

    def _grade(self, notebook_name: str, notebook: bytes, history_name: str | None,
               history: bytes | None) -> tuple[str, str]:
        from grader.api import Options, grade_observed, policy_options
        from grader.reporters.json_report import render_json

        job = Path(tempfile.mkdtemp(prefix="job-", dir=self.root))
        try:
            path = job / Path(notebook_name).name
            path.write_bytes(notebook)
            kept = None
            if history_name is not None and history is not None:
                kept = job / Path(history_name).name
                kept.write_bytes(history)
            result, observed = grade_observed(
                self.spec, path, kept,
                Options(keras=self.keras, zygote=self.zygote, clean_cache=self.cache,
                        lang=self.lang, use_gpu=self.use_gpu, hide=self.hide,
                        **policy_options(self.history_policy)))
            return render_json(result), observed.to_json()
        finally:
            shutil.rmtree(job, ignore_errors=True)

    def close(self) -> None:
        if self.zygote:
            self.zygote.close()
        shutil.rmtree(self.root, ignore_errors=True)


class SharedCache:
    """The batch's clean cache (RESULTS/.clean-cache) held by the driver, so that no node
    needs a shared filesystem: each job carries the entries its actor has not been sent yet,
    each result brings back what its grading added, written here for every later job (and
    every later run, local or Ray)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.entries: dict[str, str] = {}
        if folder is not None and folder.is_dir():
            for path in folder.iterdir():
                if ENTRY.fullmatch(path.name):
                    with contextlib.suppress(OSError, UnicodeDecodeError):
                        self.entries[path.name] = path.read_text(encoding="utf-8")
        self._sent: dict[int, set[str]] = {}  # by id() of the actor's handle

    def for_actor(self, actor) -> dict[str, str]:
        if self.folder is None:
            return {}
        known = self._sent.setdefault(id(actor), set())
        news = {name: text for name, text in self.entries.items() if name not in known}
        known.update(news)
        return news

    def take(self, actor, added: dict) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, text in added.items():
            if isinstance(text, str) and ENTRY.fullmatch(str(name)) and name not in self.entries:
                atomic_write(self.folder / name, text)
                self.entries[name] = text
            self._sent.setdefault(id(actor), set()).add(name)

    def forget(self, actor) -> None:
        self._sent.pop(id(actor), None)


def _payload(entry: Entry) -> tuple:
    history = entry.history
    return (entry.notebook.name, entry.notebook.read_bytes(),
            history.name if history else None, history.read_bytes() if history else None)


def _connect(address: str | None, workers: int):
    try:
        import ray
    except ImportError as exc:
        raise RuntimeError(MISSING_RAY) from exc
    if not ray.is_initialized():
        kwargs = {"address": address} if address else {"num_cpus": workers}
        ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False,
                 **kwargs)
    return ray


def grade_all_on_ray(batch, todo: list[tuple[Entry, str]],
                     rows: dict[str, LearnerRow]) -> tuple[int, int]:
    """As `Batch.grade_all`, on Ray; returns how many crashed and how many gradings were
    lost with their actor and started again."""
    if not todo:
        return 0, 0
    options = batch.options
    ray = _connect(options.address, options.workers)
    from ray.exceptions import GetTimeoutError, RayActorError, RayTaskError

    cache = SharedCache(batch.clean_cache)
    if options.use_gpu and ray.cluster_resources().get("GPU", 0) < 1:
        raise EngineError("--gpu: the Ray cluster has no GPU (start its GPU nodes with "
                          "`ray start --num-gpus N`), or grade without --gpu")
    remote = ray.remote(**actor_resources(options.use_gpu), max_restarts=0)(GraderActor)

    def new_actor():
        return remote.remote(batch.spec.code, options.keras, cache.folder is not None,
                             options.lang, options.use_gpu, batch.hidden,
                             options.history_policy)

    pending = deque(todo)
    idle = [new_actor() for _ in range(max(1, min(options.workers, len(todo))))]
    running: dict = {}  # ref -> (entry, digest, actor, started)
    lost: dict[str, int] = {}
    progress = Progress(len(todo), batch.stream)
    crashed = 0

    def replace(actor) -> None:
        """A new actor where the cluster has a CPU (and GPU) for it (a dead node's are gone:
        its work goes to the survivors), and always when none is left, to wait for capacity."""
        survivors = len(idle) + sum(a is not actor for _, _, a, _ in running.values())
        if not survivors or _room_for(ray.available_resources(), options.use_gpu):
            idle.append(new_actor())

    def conclude(entry, digest, started, result, reason, observed=None) -> None:
        nonlocal crashed
        row = batch.conclude(entry, digest, time.monotonic() - started, result, reason,
                             lambda: reason.encode(), observed)
        rows[row.learner] = row
        crashed += row.status == CRASHED
        progress.advance(row.progress_label)

    try:
        while pending or running:
            while pending and idle:
                entry, digest = pending.popleft()
                actor = idle.pop()
                job = actor.grade.remote(*_payload(entry), cache.for_actor(actor))
                running[job] = (entry, digest, actor, time.monotonic())
            ready, _ = ray.wait(list(running), num_returns=1, timeout=POLL_S)
            for ref in ready:
                entry, digest, actor, started = running.pop(ref)
                try:
                    report, added, observed = ray.get(ref)
                    cache.take(actor, added)
                    result = GradeResult.from_dict(json.loads(report))
                    observed = observations_from(observed)
                except RayActorError as exc:  # the actor's process or its node died
                    cache.forget(actor)
                    lost[entry.learner] = lost.get(entry.learner, 0) + 1
                    replace(actor)
                    if lost[entry.learner] <= RETRIES:
                        pending.appendleft((entry, digest))
                        continue
                    conclude(entry, digest, started, None,
                             f"The grading process was lost {lost[entry.learner]} times "
                             f"(last: {type(exc).__name__}).")
                    continue
                except (RayTaskError, ValueError, KeyError, TypeError) as exc:
                    idle.append(actor)
                    conclude(entry, digest, started, None,
                             f"The grading process failed ({type(exc).__name__}).")
                    continue
                result.notebook = str(entry.notebook)
                idle.append(actor)
                conclude(entry, digest, started, result, "", observed)
            for ref, (entry, digest, actor, started) in list(running.items()):
                if time.monotonic() - started > options.timeout_s:
                    running.pop(ref)
                    ray.kill(actor)
                    cache.forget(actor)
                    replace(actor)
                    conclude(entry, digest, started, None,
                             f"Grading did not finish within "
                             f"{format_duration(options.timeout_s)} and was stopped.")
    except BaseException:
        progress.close()
        for _, _, actor, _ in running.values():
            ray.kill(actor)
        raise
    finally:
        for actor in idle:
            with contextlib.suppress(GetTimeoutError, RayActorError):
                ray.get(actor.close.remote(), timeout=30)
            ray.kill(actor)
    return crashed, sum(lost.values())
