from __future__ import annotations

import json

from grader.model.results import GradeResult


def render_json(result: GradeResult, color: bool = False) -> str:
    return json.dumps(result.to_dict(), indent=2) + "\n"
