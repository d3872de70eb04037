"""`grader batch --engine ray` on a real local Ray cluster (a head and a second node, one CPU
each): the same gradebook as the local engine, and a node killed mid-batch loses nothing."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from hostile.corpus import GOOD_DIRS
from test_batch import OTHER_SPLIT, submit

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
