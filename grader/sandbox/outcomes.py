"""What one learner child settled, as a pure function of the events it sent and how it
ended: no process, no clock. The runner (sandbox/runner.py) starts the child, watches the
clocks, and hands the events, the exit status and any timeout here; the probes this leaves
unsettled run in a new child."""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from grader.i18n import N_
from grader.model.protocol import (
    DEFAULT_LIMITS,
    Limits,
    ProbeOutcome,
    ProbeRequest,
    exit_reason,
    said,
)


class Settled(NamedTuple):
    outcomes: dict[str, ProbeOutcome]  # the probes this child settled, by name
    restart_from: list[ProbeRequest]  # for a new child: those left; empty when none are
    load_problems: list[dict]  # what loading the learner's code reported ([]: not loaded)


def _load_problems(loaded: list[dict]) -> list[dict]:
    if not loaded:
        return []
    problems = loaded[0].get("problems", [])
    return [p for p in problems if isinstance(p, dict)] if isinstance(problems, list) else []


def outcomes_from_events(requests: list[ProbeRequest], events: list[dict],
                         exit_code: int | None, timed_out: dict | str | None = None,
                         limits: Limits = DEFAULT_LIMITS, partials: bool = False) -> Settled:
    """`requests`: the probes the child was asked to run, in order; `events`: the JSON
    objects it reported, in order; `exit_code`: Popen.returncode (negative: the signal);
    `timed_out`: why the parent killed it, when it did (a `said()` sentence "{subject} did
    not finish within 60 s.", or the English rest of one). A probe that started and did not
    finish fails (only that one: the rest restart); a child refused confinement fails all;
    one that never loaded the learner's code (or ran out of time loading it) fails all.
    `partials`: keep a failed probe's last "partial" event (a clean child's only)."""
    outcomes: dict[str, ProbeOutcome] = {}
    expected = {p.name for p in requests}
    loaded = [e for e in events if e.get("event") == "loaded"]
    finished_names = set()
    current_probe = None
    starts = Counter(e.get("probe") for e in events if e.get("event") == "start")
    dones = Counter(e.get("probe") for e in events if e.get("event") == "done")
    for event in events:  # accept a result only for the probe that is running
        name = event.get("probe")
        if event.get("event") == "start" and name in expected:
            current_probe = name
        elif event.get("event") == "done" and name == current_probe:
            current_probe = None
            finished_names.add(name)
            if starts[name] != 1 or dones[name] != 1:  # the learner's code wrote one
                outcomes[name] = ProbeOutcome.failed(name, said(N_(
                    "{subject} cannot be trusted: the grader's report channel carried more "
                    "than one result for it, so your code wrote to it; nothing it reported "
                    "was used.")))
                continue
            observation = event.get("observation")
            seconds = event.get("seconds", 0)
            outcomes[name] = ProbeOutcome(
                name, observation=observation if isinstance(observation, dict) else {},
                seconds=float(seconds) if isinstance(seconds, int | float) else 0.0)
    if timed_out:  # the parent's clock, not a message, says what was running
        running = [e.get("probe") for e in events
                   if e.get("event") == "start" and e.get("probe") in expected]
        if running:
            outcomes.pop(running[-1], None)
            finished_names.discard(running[-1])
    started_names = [e.get("probe") for e in events
                     if e.get("event") == "start" and e.get("probe") in expected]
    unfinished = [n for n in started_names if n not in finished_names]
    refused = [e for e in events if e.get("event") == "sandbox_failed"]
    if refused:
        reason = said(N_("{subject} could not run: the grader could not confine your code "
                         "({error}); ask your instructor."), error=refused[0].get("error"))
        for p in requests:
            outcomes.setdefault(p.name, ProbeOutcome.failed(p.name, reason))
    elif unfinished:
        name = unfinished[-1]
        out_of_cpu = any(e.get("event") == "limit" for e in events)
        reason = timed_out or (
            said(N_("{subject} was stopped: it used up its {seconds} s of CPU time."),
                 seconds=limits.cpu_seconds) if out_of_cpu
            else said(N_("{subject} stopped: the grading process {how}."),
                      how=exit_reason(exit_code)))
        outcomes[name] = ProbeOutcome.failed(name, reason)
    elif not loaded or (timed_out and not started_names):
        reason = timed_out or said(N_("{subject} could not run: loading your code {how}."),
                                   how=exit_reason(exit_code))
        for p in requests:
            outcomes[p.name] = ProbeOutcome.failed(p.name, reason)
    if partials:  # only from a clean child: its events are the grader's own
        for event in events:
            name, observation = event.get("probe"), event.get("observation")
            outcome = outcomes.get(name)
            if (event.get("event") == "partial" and outcome is not None and outcome.failure
                    and isinstance(observation, dict)):
                outcome.partial = observation
    restart_from = [p for p in requests if p.name not in outcomes]
    if restart_from and len(restart_from) == len(requests):  # no progress: do not loop forever
        reason = said(N_("{subject} could not run: the grading process {how}."),
                      how=exit_reason(exit_code))
        for p in restart_from:
            outcomes[p.name] = ProbeOutcome.failed(p.name, reason)
        restart_from = []
    return Settled(outcomes, restart_from, _load_problems(loaded))
