"""Shared wording for learner-facing messages about probes that produced no observation."""

from __future__ import annotations

import re
import sys

from grader.i18n import N_, say, tr
from grader.model.protocol import ProbeOutcome
from grader.sandbox import course_paths

_OS_ERRORS = frozenset({"FileNotFoundError", "PermissionError", "OSError", "FileExistsError",
                        "NotADirectoryError", "IsADirectoryError"})
# What the grader installs for learner code (pyproject.toml), by import name.
OFFERED = frozenset({"tensorflow", "keras", "tf_keras", "numpy", "pandas", "scipy", "PIL",
                     "matplotlib", "h5py", "IPython"})
OFFERED_TEXT = N_("tensorflow (with its Keras), numpy, pandas, scipy, pillow (PIL), matplotlib, "
                  "h5py and the Python standard library")


def _missing_module(message: str) -> str:
    """What to do about "No module named 'x.y'", naming the module."""
    match = re.search(r"No module named '([^']+)'", message or "")
    if not match:
        return ". " + tr("The grading environment offers only {offered}", offered=tr(OFFERED_TEXT))
    name = match.group(1)
    top = name.split(".")[0]
    if top in OFFERED or top in sys.stdlib_module_names:
        return ". " + tr("The grading environment has {top}, but its version has no module "
                         "'{name}': check the spelling, or import it the way the course does",
                         top=top, name=name)
    return ". " + tr("'{top}' is not installed in the grading environment, which offers only "
                     "{offered}; write the code that uses '{top}' with these instead",
                     top=top, offered=tr(OFFERED_TEXT))


def _where(where: dict) -> str:
    """Where in the learner's code it happened; the child names a cell by its compiled file
    name, "cell N"."""
    cell = str(where["cell"])
    number = re.fullmatch(r"cell (\d+)", cell)
    if number:
        cell = tr("cell {n}", n=number.group(1))
    return " " + tr("({cell}, line {line}: `{code}`)", cell=cell, line=where["line"],
                    code=where["code"])


def describe_error(function: str, error: dict | None, *, bare: bool = False) -> str:
    """What went wrong, for a learner. `bare`: an exception is described as "TypeError: ..."
    instead of "{function} raised TypeError: ...", for a caller whose own sentence names what
    failed (grade.py's failed imports, a failed model.fit)."""
    if not error:
        return tr("{function} failed for an unknown reason.", function=function)
    if error.get("type") == "MissingFunction":
        return tr("{function} is not defined.", function=function)
    hint = (course_paths.error_hint(str(error.get("message", "")))
            if error.get("type") in _OS_ERRORS else None)
    if hint:  # the learner's terms, not errno's
        text = tr("{function} failed. {hint}", function=function, hint=hint)
    elif bare:
        text = tr("{type}: {error}", type=error.get("type"), error=error.get("message"))
    else:
        text = tr("{function} raised {type}: {error}", function=function,
                  type=error.get("type"), error=error.get("message"))
    where = error.get("where")
    if where:
        text += _where(where)
    if error.get("type") == "NameError":
        text += ". " + tr("The grader runs only imports, functions, classes and constants from "
                          "graded cells: a variable set by other code is not there. Use the "
                          "function's arguments instead of global variables.")
    elif error.get("type") == "ModuleNotFoundError":
        text += _missing_module(str(error.get("message", "")))
    elif error.get("type") == "SystemExit":
        text += ". " + tr("Do not call sys.exit() or exit() in graded code.")
    return text


def outcome_problem(function: str, outcome: ProbeOutcome | None) -> str | None:
    """Why no verdict can be drawn from this probe, or None when it produced an observation.
    A failure the sandbox words as a whole sentence (`reason`) names the function as its
    subject; a bare `failure` is the rest of a sentence about it ("did not finish within
    60 s"), shown with `say()`."""
    if outcome is None:
        return tr("{function} was not checked.", function=function)
    if getattr(outcome, "reason", None) is not None:
        return outcome.failure_text(function)
    if outcome.failure:
        return tr("{function} {failure}.", function=function, failure=say(outcome.failure))
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
