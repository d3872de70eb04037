"""GradeResult's JSON contract: from_dict is to_dict's inverse."""

from __future__ import annotations

import json

from grader.model import results  # not TestResult by name: pytest would try to collect it
from grader.model.results import GradeResult, PartResult

Check = results.TestResult


def _result() -> GradeResult:
    parts = [
        PartResult("split_data", [Check("copies every image", True, "All 150.", 10.0, 10.0),
                                  Check("skips empty files", False, "666.jpg copied.",
                                        0.0, 5.0)],
                   notes=["found by name"], source_rule="def split_data"),
        PartResult("history", [Check("final accuracy >= 0.95", True, "0.970", 2.5, 2.5)]),
    ]
    return GradeResult("C2W1", parts, 60.0, "3", duration_s=12.3456,
                       notebook="C2W1_Assignment.ipynb", notes=["graded on CPU"],
                       curves={"accuracy": [0.6, 0.97], "val_accuracy": [0.5, 0.86]},
                       history_evidence={"status": "contradicted", "detail": "in epoch 2, cell 9 "
                                         "printed accuracy 0.9100, but history.pkl holds 0.97.",
                                         "file": "history.pkl", "others": ["history (1).pkl"],
                                         "cell": 8, "policy": "flag"})


def test_round_trip_loses_nothing():
    data = _result().to_dict()
    again = GradeResult.from_dict(json.loads(json.dumps(data)))
    assert again.to_dict() == data
    assert again.parts[0].source_rule == "def split_data" and again.parts[1].source_rule is None
    assert again.parts[0].notes == ["found by name"] and again.notes == ["graded on CPU"]
    assert (again.score, again.max_score, again.passed) == (12.5, 17.5, False)
    assert again.history_evidence["others"] == ["history (1).pkl"]


def test_curves_error_and_missing_optional_keys():
    data = _result().to_dict()
    data["curves"] = {"error": "history.pkl holds no dict"}
    assert GradeResult.from_dict(data).curves == {"error": "history.pkl holds no dict"}
    for key in ("duration_s", "notebook", "notes", "curves", "history_evidence"):
        del data[key]
    for part in data["parts"]:
        del part["notes"], part["found_by"]
    again = GradeResult.from_dict(data)
    assert (again.duration_s, again.notebook, again.notes, again.curves) == (0.0, "", [], None)
    assert again.history_evidence is None  # a result written before the evidence existed
    assert again.parts[0].notes == [] and again.parts[0].source_rule is None
