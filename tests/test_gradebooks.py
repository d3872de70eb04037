"""`grader batch --roster ROSTER.csv --gradebook canvas|moodle|csv`: the files Canvas's gradebook
import and Moodle's CSV grade import take, mapped through the roster; learners without a
submission left empty, submissions outside the roster listed, formulas neutralised."""

from __future__ import annotations

import csv
import io
import pickle
import shutil
from pathlib import Path

import pytest
from hostile.corpus import GOOD_DIRS, notebook

from grader.api import zero_result
from grader.assignments import get_spec
from grader.batch.layout import Entry
from grader.batch.platforms import (
    UNMATCHED,
    RosterError,
    read_roster,
    write_platform_gradebook,
)
from grader.batch.rows import CRASHED, GRADED, LearnerRow
from grader.batch.run import BatchOptions, run_batch
from grader.cli import main

SPEC = get_spec("C2W1")
CANVAS_EXPORT = (
    "\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,learner,Quiz 1 (77)\n"
    "    Points Possible,,,,,,10\n"
    '"Doe, Jane",101,S-1,jdoe,Sec A,alice,9\n'
    '"=HYPERLINK(""http://x"")",102,S-2,msmith,Sec A,mallory,7\n'
    "Roe Rick,103,S-3,rroe,Sec B,rick,8\n")
MOODLE_EXPORT = ("First name,Last name,ID number,Email address,learner\n"
                 "Jane,Doe,,jane@example.org,alice\n"
                 "Rick,Roe,,rick@example.org,RICK\n")


def row(learner: str, source: str, score_parts: int, status: str = GRADED) -> LearnerRow:
    result = zero_result(SPEC, "wrong", "2", None)
    for part in result.parts[:score_parts]:
        for test in part.tests:
            test.passed, test.points = True, test.max_points
    return LearnerRow(Entry(learner, source, Path(source), None), status, result,
                      "worker died" if status == CRASHED else "")


def table(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def write(tmp_path: Path, text: str, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_canvas_gradebook_from_a_canvas_export_roster(tmp_path):
    roster = read_roster(write(tmp_path, CANVAS_EXPORT), "canvas")
    rows = [row("alice", "alice/", 2), row("mallory", "Mallory.ipynb", 1, CRASHED),
            row("zoe", "zoe/", 3)]
    matched = write_platform_gradebook(tmp_path, roster, rows, SPEC)
    book = table(tmp_path / "gradebook-canvas.csv")
    assert book[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       "C2W1 Cats vs dogs (full Kaggle set)"]
    assert book[1] == ["Points Possible", "", "", "", "", "100"]
    assert book[2] == ["Doe, Jane", "101", "S-1", "jdoe", "Sec A", "40"]
    # a grading that crashed is not posted as 0; the formula-looking name is neutralised
    assert book[3] == ["'=HYPERLINK(\"http://x\")", "102", "S-2", "msmith", "Sec A", ""]
    assert book[4] == ["Roe Rick", "103", "S-3", "rroe", "Sec B", ""]  # no submission
    assert len(book) == 5  # zoe is not in the roster: not in the platform's file
    assert (matched.without_submission, matched.not_graded) == (1, 1)
    assert table(tmp_path / UNMATCHED) == [["learner", "source", "total", "status"],
                                           ["zoe", "zoe/", "60", GRADED]]
    # Everyone matched next time: the stale list goes.
    write_platform_gradebook(tmp_path, roster, rows[:1], SPEC, "C2W1 (4242)")
    assert not (tmp_path / UNMATCHED).exists()
    assert table(tmp_path / "gradebook-canvas.csv")[0][-1] == "C2W1 (4242)"


def test_moodle_gradebook_identifies_every_row_and_carries_feedback(tmp_path):
    roster = read_roster(write(tmp_path, MOODLE_EXPORT), "moodle")
    matched = write_platform_gradebook(tmp_path, roster, [row("alice", "alice.ipynb", 5)],
                                       SPEC, "C2W1")
    book = table(tmp_path / "gradebook-moodle.csv")
    assert book[0] == ["Email address", "C2W1", "C2W1 (feedback)"]
    assert book[1][:2] == ["jane@example.org", "100"]
    assert book[1][2].startswith("100/100 (passed): create_train_val_dirs 10/10; split_data")
    assert book[2] == ["rick@example.org", "", ""]  # in the course, no submission yet
    assert matched.unmatched == []
    # Moodle aborts the whole import at a blank identity: refused before any grading.
    blank = write(tmp_path, MOODLE_EXPORT.replace("rick@example.org", ""), "blank.csv")
    with pytest.raises(RosterError, match="row 3: 'RICK' has no `email` \\(Moodle aborts"):
        read_roster(blank, "moodle")


def test_csv_gradebook_keeps_the_rosters_own_columns(tmp_path):
    roster = read_roster(write(tmp_path, "learner,name,cohort\nalice,Jane Doe,+2026\n"
                                         "bob,Bob,2025\n"), "csv")
    write_platform_gradebook(tmp_path, roster, [row("alice", "alice/", 1)], SPEC)
    book = table(tmp_path / "gradebook-roster.csv")
    assert book[0] == ["learner", "name", "cohort", "create_train_val_dirs", "split_data",
                       "train_val_generators", "create_model", "history", "total",
                       "max_score", "passed", "status"]
    assert book[1] == ["alice", "Jane Doe", "'+2026", "10", "0", "0", "0", "0", "10", "100",
                       "False", GRADED]
    assert book[2] == ["bob", "Bob", "2025", "", "", "", "", "", "", "100", "",
                       "no submission"]


@pytest.mark.parametrize("text, platform, message", [
    ("", "csv", "the roster is empty"),
    ("name,email\nJane,j@x\n", "moodle", "no `learner` column"),
    ("learner,name\nalice,Jane\n", "canvas", "needs one of the columns canvas_id"),
    ("learner,email\nalice,a@x\nAlice,b@x\n", "moodle", "rows 2 and 3: the same learner"),
    ("learner,canvas_id,sis_login_id\nalice,,\n", "canvas",
     "row 2: 'alice' has no `canvas_id` or `sis_login_id`"),
    ("learner,email\n,a@x\n", "moodle", r"row 2: the `learner` cell is empty"),
])
def test_unusable_rosters_are_refused_with_the_reason(tmp_path, text, platform, message):
    with pytest.raises(RosterError, match=message):
        read_roster(write(tmp_path, text), platform)


def test_unreadable_roster_files(tmp_path):
    with pytest.raises(RosterError, match="cannot read the roster"):
        read_roster(tmp_path / "nope.csv", "csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("learner,name\nalice,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(RosterError, match="save it as UTF-8"):
        read_roster(latin, "csv")


def test_batch_writes_the_platform_gradebook_and_refuses_a_bad_roster_first(tmp_path,
                                                                           capsys):
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    for name in ("alice", "zoe"):
        (tmp_path / f".{name}").mkdir()
        built = notebook(tmp_path / f".{name}", GOOD_DIRS)
        shutil.move(built, subs / f"{name}.ipynb")
    (subs / "alice_history.pkl").write_bytes(pickle.dumps({"accuracy": [0.5],
                                                           "val_accuracy": [0.5]}))
    roster = write(tmp_path, CANVAS_EXPORT)
    stream = io.StringIO()
    summary = run_batch(subs, out, BatchOptions("C2W1", workers=1, roster=roster,
                                                gradebook="canvas"), stream=stream)
    book = table(out / "gradebook-canvas.csv")
    assert [r[0] for r in book[2:]] == ["Doe, Jane", "'=HYPERLINK(\"http://x\")", "Roe Rick"]
    assert book[2][-1] == str(int(summary.rows[0].result.score))
    assert book[3][-1] == book[4][-1] == ""
    assert [r[0] for r in table(out / UNMATCHED)[1:]] == ["zoe"]
    assert "1 submission(s) not in the roster" in stream.getvalue()

    # a roster that cannot be used stops the batch before it grades anything
    bad = write(tmp_path, "name\nJane\n", "bad.csv")
    assert main(["batch", str(subs), "--assignment", "C2W1", "--out", str(tmp_path / "b"),
                 "--roster", str(bad), "--gradebook", "canvas"]) == 2
    assert "no `learner` column" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()
    assert main(["batch", str(subs), "--assignment", "C2W1", "--out", str(tmp_path / "c"),
                 "--gradebook", "moodle"]) == 2
    assert "--gradebook moodle needs --roster" in capsys.readouterr().err
