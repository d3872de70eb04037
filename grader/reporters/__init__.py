"""Renderings of one GradeResult."""

from __future__ import annotations

from collections.abc import Callable

from grader.reporters.gradescope import render_gradescope
from grader.reporters.json_report import render_json
from grader.reporters.junit import render_junit
from grader.reporters.text import render_text

RENDERERS: dict[str, Callable] = {
    "text": render_text,
    "json": render_json,
    "gradescope": render_gradescope,
    "junit": render_junit,
}
