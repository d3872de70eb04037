"""`grader batch --engine ray`: the same batch with its gradings on a Ray cluster.

The driver (this process) keeps everything the local batch does: discovery, the journal,
the per-learner files, progress, the gradebook and the report, resuming. Only the gradings
move: each Ray worker is an actor holding one zygote for its submissions, as a local worker
process does, and asks Ray for one CPU. A submission travels as bytes (notebook and history)
and comes back as the JSON report, so no shared filesystem is assumed. An actor or node that
dies mid-grading costs a retry on another actor (at most `RETRIES`), then 0 and the reason;
a grading that outlives the watchdog is stopped with its actor.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import tempfile
import time
from collections import deque
from pathlib import Path

from grader.batch.layout import Entry
from grader.batch.progress import Progress, format_duration
from grader.batch.rows import CRASHED, LearnerRow
from grader.model.results import GradeResult

MISSING_RAY = "--engine ray needs Ray: pip install 'c2-grader[ray]'"
RETRIES = 2  # gradings of one submission lost with their actor or node, before it is CRASHED
POLL_S = 0.2


class GraderActor:
    """One grading at a time, every child forked from this actor's zygote."""

    def __init__(self, assignment: str, keras: str, cache_name: str | None,
                 lang: str = "en") -> None:
        from grader.api import Zygote, get_spec

        self.spec, self.keras, self.lang = get_spec(assignment), keras, lang
        self.root = Path(tempfile.mkdtemp(prefix="grader-ray-worker-"))
        self.zygote = Zygote(self.root, keras)
        # Node-local: actors on one node share measurements, nothing crosses the network.
        self.cache = (Path(tempfile.gettempdir()) / "c2-grader-clean-cache" / cache_name
                      if cache_name else None)

    def grade(self, notebook_name: str, notebook: bytes, history_name: str | None,
              history: bytes | None) -> str:
        from grader.api import Options, grade
        from grader.reporters.json_report import render_json

        job = Path(tempfile.mkdtemp(prefix="job-", dir=self.root))
        try:
            path = job / Path(notebook_name).name
            path.write_bytes(notebook)
            kept = None
            if history_name is not None and history is not None:
                kept = job / Path(history_name).name
                kept.write_bytes(history)
            result = grade(self.spec, path, kept, Options(keras=self.keras, zygote=self.zygote,
                                                          clean_cache=self.cache,
                                                          lang=self.lang))
            return render_json(result)
        finally:
            shutil.rmtree(job, ignore_errors=True)

    def close(self) -> None:
        self.zygote.close()
        shutil.rmtree(self.root, ignore_errors=True)


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
    """As `_Batch.grade_all`, on Ray; returns how many crashed and how many gradings were
    lost with their actor and started again."""
    if not todo:
        return 0, 0
    options = batch.options
    ray = _connect(options.address, options.workers)
    from ray.exceptions import GetTimeoutError, RayActorError, RayTaskError

    cache_name = (hashlib.sha256(str(batch.out.resolve()).encode()).hexdigest()[:16]
                  if options.clean_cache else None)
    remote = ray.remote(num_cpus=1, max_restarts=0)(GraderActor)

    def new_actor():
        return remote.remote(batch.spec.code, options.keras, cache_name, options.lang)

    pending = deque(todo)
    idle = [new_actor() for _ in range(max(1, min(options.workers, len(todo))))]
    running: dict = {}  # ref -> (entry, digest, actor, started)
    lost: dict[str, int] = {}
    progress = Progress(len(todo), batch.stream)
    crashed = 0

    def replace(actor) -> None:
        """A new actor where the cluster has a CPU for it (a dead node's is gone: its work
        goes to the survivors), and always when none is left, to wait for capacity."""
        survivors = len(idle) + sum(a is not actor for _, _, a, _ in running.values())
        if not survivors or ray.available_resources().get("CPU", 0) >= 1:
            idle.append(new_actor())

    def conclude(entry, digest, started, result, reason) -> None:
        nonlocal crashed
        row = batch.conclude(entry, digest, time.monotonic() - started, result, reason,
                             lambda: reason.encode())
        rows[row.learner] = row
        crashed += row.status == CRASHED
        progress.advance(row.progress_label)

    try:
        while pending or running:
            while pending and idle:
                entry, digest = pending.popleft()
                actor = idle.pop()
                running[actor.grade.remote(*_payload(entry))] = (entry, digest, actor,
                                                                 time.monotonic())
            ready, _ = ray.wait(list(running), num_returns=1, timeout=POLL_S)
            for ref in ready:
                entry, digest, actor, started = running.pop(ref)
                try:
                    result = GradeResult.from_dict(json.loads(ray.get(ref)))
                except RayActorError as exc:  # the actor's process or its node died
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
                conclude(entry, digest, started, result, "")
            for ref, (entry, digest, actor, started) in list(running.items()):
                if time.monotonic() - started > options.timeout_s:
                    running.pop(ref)
                    ray.kill(actor)
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
