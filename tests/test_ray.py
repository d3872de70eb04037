"""`grader batch --engine ray` on a real local Ray cluster (a head and a second node, one CPU
each): the same gradebook as the local engine, and a node killed mid-batch loses nothing."""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from hostile.corpus import GOOD_DIRS
from test_batch import OTHER_SPLIT, poisoner_then_reference, submit

from grader.batch.run import BatchOptions, run_batch

ray = pytest.importorskip("ray")
from ray.cluster_utils import Cluster  # noqa: E402

SLOW_DIRS = "    import time; time.sleep(6)\n" + GOOD_DIRS


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster(initialize_head=True,
                      head_node_args={"num_cpus": 1, "include_dashboard": False})
    second = cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, log_to_driver=False)
    yield cluster, second
    ray.shutdown()
    cluster.shutdown()


def _gradebook(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "gradebook.csv").set_index("learner").sort_index()


def _class(subs: Path, slow: bool = False) -> None:
    submit(subs, "ann", dirs=SLOW_DIRS if slow else GOOD_DIRS)
    submit(subs, "ben", dirs="    pass\n")
    submit(subs, "cat", dirs=SLOW_DIRS if slow else GOOD_DIRS, split=OTHER_SPLIT)


def _grading_on(node) -> bool:
    """Whether an actor of `node` (a worker process its raylet started) is grading now."""
    raylets = {info.process.pid for info in node.all_processes.get("raylet", [])}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(") ", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if parent in raylets and cmdline.startswith(b"ray::GraderActor.grade"):
            return True
    return False


def test_ray_gives_the_local_gradebook_and_a_killed_node_loses_nothing(cluster, tmp_path):
    """One test for both, so that one cluster serves them (xdist may spread a module's
    tests over its workers, each with its own cluster)."""
    head, second = cluster
    subs = tmp_path / "subs"
    _class(subs)
    run_batch(subs, tmp_path / "local", BatchOptions("C2W1", workers=2), stream=io.StringIO())
    on_ray = run_batch(subs, tmp_path / "ray", BatchOptions("C2W1", workers=2, engine="ray"),
                       stream=io.StringIO())
    assert (on_ray.graded, on_ray.crashed, on_ray.retried) == (3, 0, 0)
    pd.testing.assert_frame_equal(_gradebook(tmp_path / "ray"), _gradebook(tmp_path / "local"))
    assert "Feedback on" in (tmp_path / "ray" / "ann" / "feedback.html").read_text()
    again = run_batch(subs, tmp_path / "ray", BatchOptions("C2W1", workers=2, engine="ray"),
                      stream=io.StringIO())
    assert (again.graded, again.skipped) == (0, 3)  # the journal resumes as locally

    # Slow gradings on both nodes; the second node dies under one of them.
    slow = tmp_path / "slow"
    _class(slow, slow=True)
    found: dict = {}
    batch = threading.Thread(target=lambda: found.update(summary=run_batch(
        slow, tmp_path / "ray-slow", BatchOptions("C2W1", workers=2, engine="ray"),
        stream=io.StringIO())))
    batch.start()
    deadline = time.monotonic() + 120
    while not _grading_on(second) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _grading_on(second), "the second node should be grading"
    head.remove_node(second)  # its raylet and workers, mid-grading
    batch.join(timeout=300)
    summary = found["summary"]
    assert (summary.graded, summary.crashed, summary.retried) == (3, 0, 1)
    slow_book = _gradebook(tmp_path / "ray-slow")  # the slow code scores as the quick one
    pd.testing.assert_frame_equal(slow_book.drop(columns="source"),
                                  _gradebook(tmp_path / "local").drop(columns="source"))


def test_cli_refuses_an_address_without_ray(tmp_path):
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "grader", "batch", str(tmp_path), "--assignment",
                          "C2W1", "--out", str(tmp_path / "out"), "--address", "10.0.0.1:6379"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "needs --engine ray" in run.stderr


def test_gpu_gradings_ask_ray_for_a_gpu_and_go_where_one_is(cluster, tmp_path):
    from grader.batch.ray_engine import EngineError, _room_for, actor_resources
    from grader.batch.run import BatchOptions, run_batch

    assert actor_resources(False) == {"num_cpus": 1, "num_gpus": 0}
    assert actor_resources(True) == {"num_cpus": 1, "num_gpus": 1}
    assert _room_for({"CPU": 1.0}, False) and not _room_for({"CPU": 1.0}, True)
    subs = tmp_path / "subs"
    (subs / "ann").mkdir(parents=True)
    (subs / "ann" / "C2W1_Assignment.ipynb").write_text('{"cells": [', encoding="utf-8")
    options = BatchOptions("C2W1", workers=1, engine="ray", use_gpu=True, clean_cache=False)
    if ray.cluster_resources().get("GPU", 0) < 1:
        with pytest.raises(EngineError, match="no GPU"):
            run_batch(subs, tmp_path / "refused", options)
    cluster[0].add_node(num_cpus=1, num_gpus=1)  # Ray takes a node's word for its GPUs
    cluster[0].wait_for_nodes()
    summary = run_batch(subs, tmp_path / "out", options)
    assert summary.graded == 1 and summary.crashed == 0
    result = json.loads((tmp_path / "out" / "ann" / "result.json").read_text())
    assert result["score"] == 0 and "JSON" in result["notes"][0]


def test_the_driver_sends_each_actor_only_the_cache_entries_it_lacks(tmp_path):
    from grader.batch.ray_engine import SharedCache

    folder = tmp_path / ".clean-cache"
    folder.mkdir()
    old, new = "a" * 64 + ".json", "b" * 64 + ".json"
    (folder / old).write_text("{}")
    (folder / "notes.txt").write_text("not an entry")
    cache = SharedCache(folder)
    first, second = object(), object()
    assert cache.for_actor(first) == {old: "{}"} and cache.for_actor(first) == {}
    cache.take(first, {new: '{"observation": {}}', "../escape.json": "{}", "c" * 64: "{}"})
    assert sorted(p.name for p in folder.iterdir()) == sorted([old, new, "notes.txt"])
    assert cache.for_actor(first) == {}  # it made that entry itself
    assert cache.for_actor(second) == {old: "{}", new: '{"observation": {}}'}
    cache.forget(first)
    assert set(cache.for_actor(first)) == {old, new}
    assert SharedCache(None).for_actor(first) == {}


def test_a_model_measured_on_ray_is_kept_by_the_driver_and_not_trained_again(cluster,
                                                                              tmp_path):
    import shutil

    from conftest import SOLUTION, SOLUTION_HISTORY

    subs = tmp_path / "subs"
    (subs / "ann").mkdir(parents=True)
    shutil.copy(SOLUTION, subs / "ann")
    shutil.copy(SOLUTION_HISTORY, subs / "ann")
    out = tmp_path / "out"
    cold = run_batch(subs, out, BatchOptions("C2W1", workers=1, engine="ray"),
                     stream=io.StringIO())
    assert (cold.graded, cold.from_cache) == (1, 0)
    kept = sorted(p.name for p in (out / ".clean-cache").glob("*.json"))
    assert kept, "the driver should hold what the actor measured"
    warm = run_batch(subs, out, BatchOptions("C2W1", workers=1, engine="ray", regrade=True),
                     stream=io.StringIO())
    assert (warm.graded, warm.from_cache) == (1, 1)
    result = json.loads((out / "ann" / "result.json").read_text())
    assert result["score"] == 100 and result["clean_cache"] == {"hits": len(kept), "misses": 0}


def test_a_poisoner_changes_nothing_on_ray(cluster):
    """As tests/test_batch.py's local one: the untouched learner after a poisoner gets its
    solo score on Ray, whose actors feed the driver's clean cache, also on --regrade."""
    poisoner_then_reference("ray")
