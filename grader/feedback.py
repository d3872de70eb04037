"""Shared wording for learner-facing messages about probes that produced no observation."""

from __future__ import annotations

from grader.runner import ProbeOutcome


def describe_error(function: str, error: dict | None) -> str:
    if not error:
        return f"{function} failed for an unknown reason."
    if error.get("type") == "MissingFunction":
        return f"{function} is not defined."
    text = f"{function} raised {error.get('type')}: {error.get('message')}"
    where = error.get("where")
    if where:
        text += f" ({where['cell']}, line {where['line']}: `{where['code']}`)"
    if error.get("type") == "NameError":
        text += (". The grader runs only imports, functions, classes and constants from graded "
                 "cells: a variable set by other code is not there. Use the function's "
                 "arguments instead of global variables.")
    elif error.get("type") == "SystemExit":
        text += ". Do not call sys.exit() or exit() in graded code."
    return text


def outcome_problem(function: str, outcome: ProbeOutcome | None) -> str | None:
    """Why no verdict can be drawn from this probe, or None when it produced an observation."""
    if outcome is None:
        return f"{function} was not checked."
    if outcome.failure:
        return f"{function} {outcome.failure}."
    obs = outcome.observation or {}
    if "probe_error" in obs:
        return describe_error(function, obs["probe_error"])
    return None
