"""The one door from the front ends (cli, selfcheck, ci_action, batch, gradescope) into the
core: they import from here, the model and the reporters, never from pipeline, sandbox or
assignments directly (tests/test_layout.py checks it). What a front end may rely on is
therefore listed in one place."""

from __future__ import annotations

from grader.assignments import (
    CODES,
    UnknownAssignment,
    build_fixtures,
    canonical,
    codes,
    get_spec,
    register,
)
from grader.model.protocol import Limits
from grader.model.results import GradeResult, PartResult, TestResult
from grader.model.spec import AssignmentSpec
from grader.pipeline.clean_cache import grader_digest
from grader.pipeline.detect import choose_for_function, detect
from grader.pipeline.extract import extract
from grader.pipeline.grade import Options, grade, grade_observed, zero_result
from grader.pipeline.history import accuracy_key, curves_of, load_history, unit_curve
from grader.pipeline.history_evidence import STATUSES as HISTORY_STATUSES
from grader.pipeline.history_policy import DEFAULT_POLICY as DEFAULT_HISTORY_POLICY
from grader.pipeline.history_policy import POLICIES as HISTORY_POLICIES
from grader.pipeline.live_source import collect, kernel_cells, module_file_cells, scope_of
from grader.pipeline.notebook import NotebookError, read_notebook
from grader.pipeline.rescore import Rescored, rescore
from grader.pipeline.submission import (
    CannotGrade,
    Submission,
    find_history,
    find_notebook,
    grade_submission,
    history_names,
    policy_options,
    resolve,
)
from grader.sandbox.course_env import missing as environment_problem
from grader.sandbox.zygote import Zygote

__all__ = [
    "AssignmentSpec", "CODES", "CannotGrade", "DEFAULT_HISTORY_POLICY", "GradeResult",
    "HISTORY_POLICIES", "HISTORY_STATUSES", "Limits", "NotebookError", "Options", "PartResult",
    "Rescored", "Submission", "TestResult", "UnknownAssignment", "Zygote", "accuracy_key",
    "build_fixtures", "canonical", "choose_for_function", "codes", "collect", "curves_of",
    "detect", "environment_problem", "extract", "find_history", "find_notebook", "get_spec",
    "grade", "grade_observed", "grade_submission", "grader_digest", "history_names",
    "kernel_cells", "load_history", "module_file_cells", "policy_options", "read_notebook",
    "register", "rescore", "resolve", "scope_of", "unit_curve", "zero_result",
]
