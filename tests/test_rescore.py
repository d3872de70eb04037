"""Observe once, judge any time (issue 32, item 5): a grading's observations judged again
under a changed rubric give exactly what a full regrade under that rubric gives; what a
rescore cannot vouch for (observing code changed, files changed, a tampered record) is left
as graded and listed, never judged from stale or forged data.

Every notebook here is TF-free (the hostile corpus's C2W1 builder), so each grades in a
second or two; the facts C2W1's checks read from disk (the tree, the split) are replayed."""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hostile.corpus import GOOD_DIRS, GOOD_SPLIT, notebook

from grader import cli
from grader.assignments import get_spec
from grader.batch import journal
from grader.batch import rescore as batch_rescore
from grader.batch.rescore import rescore_results
from grader.batch.run import BatchOptions, run_batch
from grader.model.observations import ObservationError, Observations
from grader.model.spec import Checks
from grader.pipeline.grade import grade, grade_observed
from grader.pipeline.rescore import rescore

SPEC = get_spec("C2W1")
NO_SHUFFLE = GOOD_SPLIT.replace("random.sample(files, len(files))", "sorted(files)")
HARD_CODED = GOOD_DIRS.replace("os.path.join(root_path, d)", "os.path.join('/tmp/mine', d)")
FILES = ("result.json", "feedback.txt", "feedback.html", "results.json", "junit.xml")


def changed_rubric(spec=SPEC):
    """Other points, another pass mark, and a check with another rule and wording: the
    split passes 'shuffles before splitting' only by a new rule (never here) and says so."""
    parts = tuple(replace(p, tests=tuple(t.worth(t.points * 2) for t in p.tests))
                  if p.name == "create_train_val_dirs" else p for p in spec.parts)
    original = spec.checks.by_part["split_data"]

    def stricter(ctx, part):
        return [(name, passed and "shuffles" not in name,
                 message + (" (new rule: shuffling is not credited)" if "shuffles" in name
                            else "")) for name, passed, message in original(ctx, part)]

    return replace(spec, parts=parts, pass_mark=spec.pass_mark + 5,
                   checks=Checks({**spec.checks.by_part, "split_data": stricter}))


def comparable(result) -> dict:
    data = result.to_dict()
    data.pop("duration_s")
    return data


@pytest.mark.parametrize("dirs,split", [(GOOD_DIRS, GOOD_SPLIT), (HARD_CODED, NO_SHUFFLE),
                                        ("    pass\n", "x = 1\n")],
                         ids=["correct", "hard-coded-and-unshuffled", "missing"])
def test_a_rescore_under_a_changed_rubric_equals_a_full_regrade(tmp_path, dirs, split):
    path = notebook(tmp_path, dirs, split=split)
    graded, observed = grade_observed(SPEC, path, None)
    stored = Observations.from_json(observed.to_json())  # as a batch keeps it

    same = rescore(SPEC, stored, graded, path, None, "flag")
    assert same.rescored and same.needs_regrade == []
    assert comparable(same.result) == comparable(graded)  # same rubric: same everything

    rubric = changed_rubric()
    again = rescore(rubric, stored, graded, path, None, "flag")
    regraded = grade(rubric, path, None)
    assert comparable(again.result) == comparable(regraded)
    assert again.result.pass_mark == SPEC.pass_mark + 5
    if split == GOOD_SPLIT:  # the rule changed a verdict, and its wording came along
        test = next(t for p in again.result.parts for t in p.tests if "shuffles" in t.id)
        assert not test.passed and "new rule" in test.message
        def split(result):
            return next(p.score for p in result.parts if p.name == "split_data")
        assert split(again.result) == split(graded) - test.max_points


def test_what_a_rescore_cannot_vouch_for_is_left_as_graded(tmp_path):
    path = notebook(tmp_path, HARD_CODED, split=NO_SHUFFLE)
    graded, observed = grade_observed(SPEC, path, None)
    by_part = {p.name: p for p in graded.parts}
    rubric = changed_rubric()

    def rescored(**changes):
        record = Observations.from_json(observed.to_json())
        for key, value in changes.items():
            setattr(record, key, value)
        return rescore(rubric, record, graded, path, None, "flag")

    # The split's probes changed since: that part stays as graded, the rest is rescored.
    done = rescored(digests={**observed.digests, "split_data": "older probe code"})
    assert done.needs_regrade == ["split_data"]
    kept = next(p for p in done.result.parts if p.name == "split_data")
    assert kept == by_part["split_data"]
    dirs = next(p for p in done.result.parts if p.name == "create_train_val_dirs")
    assert dirs.max_score == 2 * by_part["create_train_val_dirs"].max_score
    assert done.result.to_dict()["needs_regrade"] == ["split_data"]

    # The code that read the tree and the split from disk changed: both parts that read it.
    module = "grader.assignments.common.observers"
    done = rescored(fact_digests={module: "older observers"})
    assert done.needs_regrade == ["create_train_val_dirs", "split_data"]

    # A check asks for a fact the record lacks (a new check reading the disk): that part.
    facts = json.loads(json.dumps(observed.facts))
    facts["split_data"] = dict(list(facts["split_data"].items())[1:])
    assert rescored(facts=facts).needs_regrade == ["split_data"]

    # prepare() lays out other data now: every graded part needs a regrade.
    assert rescored(prepared_digest="other fixtures").needs_regrade == list(SPEC.functions)

    # The notebook changed since: nothing is rescored, the stored result stands.
    path.write_text(path.read_text() + " ")
    done = rescore(rubric, Observations.from_json(observed.to_json()), graded, path, None,
                   "flag")
    assert not done.rescored and "changed since" in done.reason and done.result is graded


@pytest.mark.parametrize("text", [b"", b"[]", b"{\"format\": 1}", b"\xff\xfe not json",
                                  b"{\"format\": 1, \"assignment\": \"C2W1\", \"keras\": \"2\","
                                  b" \"outcomes\": {\"x\": 5}}",
                                  b"{\"format\": 99, \"assignment\": \"C2W1\"}"],
                         ids=["empty", "list", "bare", "binary", "bad-outcome", "future"])
def test_a_malformed_record_is_refused_by_its_schema(text):
    with pytest.raises(ObservationError):
        Observations.from_json(text)


def test_a_fault_or_an_unreadable_notebook_is_a_message_or_an_older_records_text():
    """Kept as said() messages, shown in the rescore's language; a record stored before
    they were holds the sentence itself. Anything else is refused."""
    base = Observations("C2W1", "2").to_dict()
    for value in ({"text": "x {n}", "args": {"n": 1}}, "as said then", None):
        read = Observations.from_dict({**base, "unreadable": value, "fault": value})
        assert read.unreadable == value and read.fault == value
    for value in ({"args": {}}, {"text": 5}, {"text": "x", "args": []}, ["x"], 3):
        with pytest.raises(ObservationError):
            Observations.from_dict({**base, "unreadable": value})
        with pytest.raises(ObservationError):
            Observations.from_dict({**base, "fault": value})


def _submit(folder: Path, name: str, dirs: str, split: str) -> None:
    (folder / name).mkdir(parents=True)
    notebook(folder / name, dirs, split=split)


def test_grader_rescore_and_batch_rescore(tmp_path, monkeypatch, capsys):
    subs, out = tmp_path / "subs", tmp_path / "out"
    _submit(subs, "alice", GOOD_DIRS, GOOD_SPLIT)
    _submit(subs, "bob", HARD_CODED, NO_SHUFFLE)
    _submit(subs, "carol", GOOD_DIRS, NO_SHUFFLE)
    (subs / "nobody").mkdir()
    run_batch(subs, out, BatchOptions("C2W1", workers=2), stream=io.StringIO())
    graded = {(learner, name): (out / learner / name).read_bytes()
              for learner in ("alice", "bob", "carol", "nobody") for name in FILES}
    book = (out / "gradebook.csv").read_bytes()

    # Same rubric: every file a learner gets, and the gradebook, byte for byte.
    summary = rescore_results(out, io.StringIO())
    assert (summary.rescored, summary.partly, summary.kept) == (3, {}, {})
    for (learner, name), data in graded.items():
        assert (out / learner / name).read_bytes() == data, (learner, name)
    assert (out / "gradebook.csv").read_bytes() == book

    # A rubric change, through the CLI: new points in the gradebook, no notebook run.
    monkeypatch.setattr(batch_rescore, "get_spec", lambda code: changed_rubric())
    (out / "carol" / "observations.json").write_text('{"format": 1, "outcomes": []}')
    assert cli.main(["rescore", str(out)]) == 1
    said = capsys.readouterr().out
    assert "rescored 2 of 3 learners" in said and "carol: left as graded" in said
    totals = pd.read_csv(out / "gradebook.csv").set_index("learner")["total"].to_dict()
    dirs = {p["name"]: p["score"] for p in
            json.loads(graded[("alice", "result.json")])["parts"]}["create_train_val_dirs"]
    shuffles = SPEC.part_named("split_data").test("shuffles").points
    assert totals["alice"] == json.loads(graded[("alice", "result.json")])["score"] + dirs \
        - shuffles
    assert (out / "carol" / "result.json").read_bytes() == graded[("carol", "result.json")]
    monkeypatch.undo()

    # batch --rescore after a grader upgrade: rescores alice and bob, grades carol in full.
    monkeypatch.setattr(journal, "grader_digest", lambda: "a newer grader")
    stream = io.StringIO()
    done = run_batch(subs, out, BatchOptions("C2W1", workers=1, rescore=True), stream=stream)
    assert (done.rescored, done.graded) == (2, 1), stream.getvalue()
    for learner in ("alice", "bob"):
        assert (out / learner / "result.json").read_bytes() == graded[(learner, "result.json")]
    carol = json.loads((out / "carol" / "result.json").read_text())  # graded anew
    first = json.loads(graded[("carol", "result.json")])
    assert {**carol, "duration_s": 0} == {**first, "duration_s": 0}
    again = run_batch(subs, out, BatchOptions("C2W1", workers=1), stream=io.StringIO())
    assert (again.graded, again.skipped) == (0, 3)  # the rescored are up to date


def test_rescore_refuses_a_folder_no_batch_wrote(tmp_path, capsys):
    assert cli.main(["rescore", str(tmp_path)]) == 2
    assert "written by `grader batch`" in capsys.readouterr().err
    moved = tmp_path / "results"
    moved.mkdir()
    (moved / "batch.json").write_text(json.dumps({"submissions": 5}))
    assert cli.main(["rescore", str(moved)]) == 2
    assert "'submissions' is missing or of the wrong type" in capsys.readouterr().err


def test_rescore_without_the_submissions_says_so(tmp_path, capsys):
    subs, out = tmp_path / "subs", tmp_path / "out"
    _submit(subs, "alice", GOOD_DIRS, GOOD_SPLIT)
    run_batch(subs, out, BatchOptions("C2W1", workers=1), stream=io.StringIO())
    shutil.rmtree(subs)
    assert cli.main(["rescore", str(out)]) == 2
    assert str(subs) in capsys.readouterr().err


def test_a_rescore_reads_the_history_as_graded_without_unpickling_it_again(tmp_path,
                                                                          monkeypatch):
    """The record keeps the history as the safe loader read it (the file's digest is in the
    record too), so a rescore runs no loader child; a record made by another loader, or
    tampered into another shape, is read from the file again."""
    from grader.pipeline import history

    path = notebook(tmp_path, GOOD_DIRS, split=GOOD_SPLIT)
    pkl = tmp_path / "history.pkl"
    shutil.copyfile(Path(__file__).parent.parent / "solutions" / "history.pkl", pkl)
    loads = []
    real = history.load_history
    monkeypatch.setattr(history, "load_history", lambda p: loads.append(p) or real(p))
    graded, observed = grade_observed(SPEC, path, pkl)
    assert len(loads) == 1  # judging and weighing the evidence share one read
    assert observed.history["error"] is None and graded.curves["accuracy"]

    loads.clear()
    same = rescore(SPEC, Observations.from_json(observed.to_json()), graded, path, pkl, "flag")
    assert comparable(same.result) == comparable(graded) and loads == []

    for kept in ({**observed.history, "reader": "another loader"},
                 {**observed.history, "error": 5}, {"data": None}):
        record = Observations.from_json(observed.to_json())
        record.history = kept
        again = rescore(SPEC, record, graded, path, pkl, "flag")
        assert comparable(again.result) == comparable(graded) and loads == [pkl], kept
        loads.clear()
