"""A batch worker's warm clean child, kept between submissions: reusing it changes no
result, and one that times out is replaced rather than handed to the next submission."""

from __future__ import annotations

import json

from conftest import SOLUTION, SOLUTION_HISTORY, dump

from grader.assignments import get_spec
from grader.grade import Options, grade
from grader.reporters.json_report import render_json
from grader.runner import CleanServer

SPEC = get_spec("C2W1")


def comparable(result) -> dict:
    report = json.loads(render_json(result))
    report.pop("duration_s", None)
    report.pop("notebook", None)
    return report


def test_reused_clean_child_grades_like_a_fresh_one(tmp_path):
    server = CleanServer(tmp_path)
    try:
        # The training check times out: its child is killed, never reused.
        timed_out = grade(SPEC, SOLUTION, SOLUTION_HISTORY,
                          Options(clean_server=server, probe_timeouts=(("train", 0.01),)))
        failed = [t for p in timed_out.parts for t in p.tests if not t.passed]
        assert [t.name for t in failed] == ["learns to tell the fixture's cats from dogs"]
        assert "did not finish" in failed[0].message
        assert server._child is None

        first = grade(SPEC, SOLUTION, SOLUTION_HISTORY, Options(clean_server=server))
        assert first.score == 100, dump(first)
        kept = server._child
        assert kept is not None and kept.reusable() and kept.tasks == 1
        second = grade(SPEC, SOLUTION, SOLUTION_HISTORY, Options(clean_server=server))
        assert server._child is kept and kept.tasks == 2  # the same process graded both
        assert comparable(second) == comparable(first)
        fresh = grade(SPEC, SOLUTION, SOLUTION_HISTORY)
        assert comparable(fresh) == comparable(first)
        # Every submission's work directory was made inside the server's and removed.
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("grader-")) == []
    finally:
        server.close()
    assert server._child is None
