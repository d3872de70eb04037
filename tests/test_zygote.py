"""A batch worker's zygote: children forked from it grade exactly as children started afresh,
a child that times out costs only its check, and a dead zygote is replaced."""

from __future__ import annotations

import json
import os
import signal

from conftest import SOLUTION, SOLUTION_HISTORY, dump

from grader.assignments import get_spec
from grader.pipeline.grade import Options, grade
from grader.reporters.json_report import render_json
from grader.sandbox.zygote import Zygote

SPEC = get_spec("C2W1")


def comparable(result) -> dict:
    report = json.loads(render_json(result))
    report.pop("duration_s", None)
    report.pop("clean_cache", None)
    return report


def test_forked_children_grade_like_fresh_ones(tmp_path):
    zygote = Zygote(tmp_path)
    try:
        # The clean training times out before its rebuild describes the model: its child
        # is killed, the zygote stays; with nothing measured, create_model's checks (and no
        # others) fail, saying so. (Had it described the model first, only "learns" would:
        # tests/test_runner_outcomes.py, partial.)
        timed_out = grade(SPEC, SOLUTION, SOLUTION_HISTORY,
                          Options(zygote=zygote, probe_timeouts=(("train", 0.01),)))
        failed = [t for p in timed_out.parts for t in p.tests if not t.passed]
        assert {p.name for p in timed_out.parts if p.score < p.max_score} == {"create_model"}
        assert failed and all("did not finish" in t.message for t in failed)
        assert zygote.alive()
        first_pid = zygote._proc.pid

        # Forked and fresh clean children both train; the later forked gradings take that
        # measurement from a cache (their learner's children still fork: what they test).
        cache = tmp_path / "clean-cache"
        forked = grade(SPEC, SOLUTION, SOLUTION_HISTORY, Options(zygote=zygote,
                                                                 clean_cache=cache))
        assert forked.score == 100 and forked.clean_cache["misses"] == 2, dump(forked)
        again = grade(SPEC, SOLUTION, SOLUTION_HISTORY, Options(zygote=zygote,
                                                                clean_cache=cache))
        fresh = grade(SPEC, SOLUTION, SOLUTION_HISTORY, Options(fork_children=False))
        assert again.clean_cache["hits"] == 2 and fresh.clean_cache is None
        assert comparable(forked) == comparable(again) == comparable(fresh)
        assert zygote._proc.pid == first_pid  # one zygote served all three

        os.kill(zygote._proc.pid, signal.SIGKILL)  # a dead zygote is started again
        zygote._proc.wait()
        revived = grade(SPEC, SOLUTION, SOLUTION_HISTORY, Options(zygote=zygote,
                                                                  clean_cache=cache))
        assert comparable(revived) == comparable(fresh)
        assert zygote.alive() and zygote._proc.pid != first_pid
        # Every submission's work directory was made inside the zygote's and removed.
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("grader-")] == []
    finally:
        zygote.close()
    assert not zygote.alive()
