"""What one learner child settled, from its events and exit status alone (no process, no
TensorFlow): sandbox/outcomes.py, which sandbox/runner.py feeds."""

from __future__ import annotations

from grader.model.protocol import Limits, ProbeRequest, describe_exit
from grader.sandbox.outcomes import outcomes_from_events

PROBES = [ProbeRequest("a", 10.0), ProbeRequest("b", 10.0), ProbeRequest("c", 10.0)]
LOADED = {"event": "loaded", "problems": [], "seconds": 0.2}


def _start(name: str) -> dict:
    return {"event": "start", "probe": name}


def _done(name: str, **observation) -> dict:
    return {"event": "done", "probe": name, "observation": observation, "seconds": 0.5}


def _failures(outcomes) -> dict[str, str | None]:
    return {name: outcome.failure for name, outcome in outcomes.items()}


def test_all_probes_done():
    events = [LOADED] + [e for p in PROBES for e in (_start(p.name), _done(p.name, ok=p.name))]
    outcomes, restart_from, problems = outcomes_from_events(PROBES, events, 0)
    assert restart_from == [] and problems == []
    assert list(outcomes) == ["a", "b", "c"]
    assert [o.observation for o in outcomes.values()] == [{"ok": "a"}, {"ok": "b"}, {"ok": "c"}]
    assert all(o.failure is None and o.seconds == 0.5 for o in outcomes.values())


def test_a_timed_out_probe_costs_only_itself_and_the_rest_restart():
    events = [LOADED, _start("a"), _done("a"), _start("b")]
    settled = outcomes_from_events(PROBES, events, -9, timed_out="did not finish within 10 s")
    assert _failures(settled.outcomes) == {"a": None, "b": "did not finish within 10 s"}
    assert settled.restart_from == [PROBES[2]]


def test_killed_mid_probe_names_the_signal():
    settled = outcomes_from_events(PROBES, [LOADED, _start("a")], -9)
    assert _failures(settled.outcomes) == {
        "a": "stopped: the grading process was killed by SIGKILL (often: it ran out of memory)"}
    assert settled.restart_from == PROBES[1:]
    segv = outcomes_from_events(PROBES, [LOADED, _start("a"), _done("a"), _start("b")], -11)
    assert segv.outcomes["b"].failure == (
        "stopped: the grading process was killed by SIGSEGV (a crash inside native code)")
    exited = outcomes_from_events(PROBES, [LOADED, _start("a")], 3)
    assert exited.outcomes["a"].failure == (
        "stopped: the grading process exited with status 3 (sys.exit or os._exit in your code?)")


def test_out_of_cpu_time():
    events = [LOADED, _start("a"), {"event": "limit", "what": "cpu"}]
    settled = outcomes_from_events(PROBES, events, -24, limits=Limits(cpu_seconds=30))
    assert settled.outcomes["a"].failure == "was stopped: it used up its 30 s of CPU time"


def test_sandbox_failed_fails_what_did_not_finish():
    events = [LOADED, _start("a"), _done("a", x=1),
              {"event": "sandbox_failed", "error": "OSError: no namespaces"}]
    settled = outcomes_from_events(PROBES, events, 1)
    reason = ("could not run: the grader could not confine your code (OSError: no namespaces); "
              "ask your instructor")
    assert _failures(settled.outcomes) == {"a": None, "b": reason, "c": reason}
    assert settled.outcomes["a"].observation == {"x": 1} and settled.restart_from == []


def test_load_problems_and_failures_to_load():
    loaded = {"event": "loaded", "problems": [{"line": 3, "message": "NameError"}, "junk"]}
    events = [loaded, _start("a"), _done("a"), _start("b"), _done("b"), _start("c"), _done("c")]
    assert outcomes_from_events(PROBES, events, 0).load_problems == [
        {"line": 3, "message": "NameError"}]
    assert outcomes_from_events(PROBES, [{"event": "loaded", "problems": "x"}], 0).load_problems \
        == []

    never = outcomes_from_events(PROBES, [{"event": "loading"}], 1)
    assert set(_failures(never.outcomes).values()) == {
        "could not run: loading your code exited with status 1 (sys.exit or os._exit in your "
        "code?)"}
    assert list(never.outcomes) == ["a", "b", "c"] and never.restart_from == []
    assert never.load_problems == []

    slow = "loading your code did not finish within 120 s"
    hung = outcomes_from_events(PROBES, [{"event": "loading"}], -9, timed_out=slow)
    assert set(_failures(hung.outcomes).values()) == {slow}


def test_no_progress_ends_the_restarts():
    settled = outcomes_from_events(PROBES, [LOADED, {"event": "finished"}], 0)
    assert set(_failures(settled.outcomes).values()) == {
        "could not run: the grading process exited with status 0 (sys.exit or os._exit in your "
        "code?)"}
    assert settled.restart_from == []


def test_a_result_counts_only_for_the_probe_that_is_running():
    events = [LOADED, _done("b", forged=True), _start("a"), _done("b", forged=True),
              _start("zz"), _done("a", real=True)]
    settled = outcomes_from_events(PROBES, events, -9)
    assert list(settled.outcomes) == ["a"] and settled.outcomes["a"].observation == {"real": True}
    assert settled.restart_from == PROBES[1:]


def test_describe_exit_for_a_batch_worker():
    assert describe_exit(-9, learner=False) == "was killed by SIGKILL (often: it ran out of memory)"
    assert describe_exit(-11, learner=False) == "was killed by SIGSEGV"
    assert describe_exit(2, learner=False) == "exited with status 2"
    assert describe_exit(-200) == "was killed by signal 200"
    assert describe_exit(None) == "was still running"


def test_two_results_for_one_probe_are_neither_trusted():
    """The learner's code shares the report pipe: a forged "done" before the real one (or
    after it) leaves two, and the probe fails instead of taking either."""
    events = [LOADED, _start("a"), _done("a", forged=True), _done("a", real=True),
              _start("b"), _done("b", ok=True)]
    outcomes = outcomes_from_events(PROBES[:2], events, 0).outcomes
    assert outcomes["a"].observation is None and "more than one result" in outcomes["a"].failure
    assert outcomes["b"].observation == {"ok": True}


def test_a_forged_done_does_not_save_a_probe_the_parent_timed_out():
    events = [LOADED, _start("a"), _done("a", forged=True)]
    settled = outcomes_from_events(PROBES[:1], events, -9,
                                   timed_out="did not finish within 10 s")
    assert settled.outcomes["a"].observation is None
    assert settled.outcomes["a"].failure == "did not finish within 10 s"


def test_odd_field_types_in_events_are_not_a_crash():
    events = [LOADED, _start("a"), {"event": "done", "probe": "a", "observation": [1],
                                     "seconds": "soon"}]
    outcome = outcomes_from_events(PROBES[:1], events, 0).outcomes["a"]
    assert outcome.observation == {} and outcome.seconds == 0.0


def test_the_report_pipe_reader_holds_no_long_line(tmp_path):
    """A 256 MiB line, written in one go, is dropped while it is read: the parent's memory
    stays within a few chunks, and the events around it still arrive."""
    import os
    import threading
    import tracemalloc

    from grader.sandbox.runner import _Events

    read_fd, write_fd = os.pipe()

    def write():
        os.write(write_fd, b'{"event": "loaded", "problems": []}\n')
        block = b"x" * 2**20
        for _ in range(256):
            os.write(write_fd, block)
        os.write(write_fd, b'\n{"event": "start", "probe": "a"}\n')
        os.close(write_fd)

    tracemalloc.start()
    try:
        events = _Events(read_fd)
        writer = threading.Thread(target=write)
        writer.start()
        writer.join()
        items = events.join()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [e["event"] for e in items] == ["loaded"]  # past MAX_TOTAL: the rest is drained
    assert events.dropped >= 1
    assert peak < 3 * _Events.MAX_LINE, peak


def test_a_clean_probe_keeps_what_it_measured_before_it_timed_out():
    """The clean child's "partial" (the rebuilt model's description, sent before its brief
    training) survives the timeout; a learner child's is never taken (its code could have
    written it)."""
    events = [LOADED, _start("a"), {"event": "partial", "probe": "a",
                                    "observation": {"model": {"type": "Sequential"}}}]
    clean = outcomes_from_events(PROBES[:1], events, -9, timed_out="did not finish within 1 s",
                                 partials=True).outcomes["a"]
    assert clean.failure and clean.partial == {"model": {"type": "Sequential"}}
    learner = outcomes_from_events(PROBES[:1], events, -9,
                                   timed_out="did not finish within 1 s").outcomes["a"]
    assert learner.failure and learner.partial is None


def test_a_failed_clean_run_leaves_only_what_the_clean_side_measured():
    """_supersede: the learner's own description of its model is dropped when the clean
    run failed; the clean run's partial description takes its place."""
    from grader.assignments import get_spec
    from grader.model.protocol import ProbeOutcome
    from grader.pipeline.grade import _supersede

    spec = get_spec("C2W1")
    forged = {"call": {"ok": True}, "returned": "Sequential", "export": {"json": "{}"},
              "model": {"type": "forged"}}
    for partial, expected in (({"model": {"type": "Sequential"}}, {"type": "Sequential"}),
                              (None, None)):
        failed = ProbeOutcome.failed("train", "did not finish within 1 s")
        failed.partial = partial
        outcomes = {"create_model": ProbeOutcome("create_model", dict(forged)),
                    "train": failed}
        _supersede(spec, ["create_model", "train"], outcomes)
        observation = outcomes["create_model"].observation
        assert observation.get("model") == expected
        assert "did not finish" in observation["clean_failure"]
