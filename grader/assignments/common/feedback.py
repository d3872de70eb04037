"""Shared wording for learner-facing messages about probes that produced no observation."""

from __future__ import annotations

import re
import sys

from grader.model.protocol import ProbeOutcome
from grader.sandbox import course_paths

_OS_ERRORS = frozenset({"FileNotFoundError", "PermissionError", "OSError", "FileExistsError",
                        "NotADirectoryError", "IsADirectoryError"})
# What the grader installs for learner code (pyproject.toml), by import name.
OFFERED = frozenset({"tensorflow", "keras", "tf_keras", "numpy", "pandas", "scipy", "PIL",
                     "matplotlib", "h5py", "IPython"})
OFFERED_TEXT = ("tensorflow (with its Keras), numpy, pandas, scipy, pillow (PIL), matplotlib, "
                "h5py and the Python standard library")


def _missing_module(message: str) -> str:
    """What to do about "No module named 'x.y'", naming the module."""
    match = re.search(r"No module named '([^']+)'", message or "")
    if not match:
        return f". The grading environment offers only {OFFERED_TEXT}"
    name = match.group(1)
    top = name.split(".")[0]
    if top in OFFERED or top in sys.stdlib_module_names:
        return (f". The grading environment has {top}, but its version has no module "
                f"'{name}': check the spelling, or import it the way the course does")
    return (f". '{top}' is not installed in the grading environment, which offers only "
            f"{OFFERED_TEXT}; write the code that uses '{top}' with these instead")


def describe_error(function: str, error: dict | None) -> str:
    if not error:
        return f"{function} failed for an unknown reason."
    if error.get("type") == "MissingFunction":
        return f"{function} is not defined."
    hint = (course_paths.error_hint(str(error.get("message", "")))
            if error.get("type") in _OS_ERRORS else None)
    if hint:  # the learner's terms, not errno's
        text = f"{function} failed. {hint}"
    else:
        text = f"{function} raised {error.get('type')}: {error.get('message')}"
    where = error.get("where")
    if where:
        text += f" ({where['cell']}, line {where['line']}: `{where['code']}`)"
    if error.get("type") == "NameError":
        text += (". The grader runs only imports, functions, classes and constants from graded "
                 "cells: a variable set by other code is not there. Use the function's "
                 "arguments instead of global variables.")
    elif error.get("type") == "ModuleNotFoundError":
        text += _missing_module(str(error.get("message", "")))
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


def call_problem(ctx, probe: str, function: str) -> str | None:
    """Why a probe that calls `function` gives nothing to judge: no observation, or the call
    itself raised; None when there is a value to judge."""
    outcome = ctx.outcomes.get(probe)
    problem = outcome_problem(function, outcome)
    if problem:
        return problem
    call = outcome.observation.get("call") or {}
    if not call.get("ok"):
        return describe_error(function, call.get("error"))
    return None
