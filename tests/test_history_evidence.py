"""The history weighed against the notebook's saved training output (issue 30, point 7):
Keras 2 and Keras 3 output parsed, corroborated / contradicted / unverifiable, the
instructor's policies, the choice among several pickles, and where the evidence is shown.
No TensorFlow and no grading child: the part's verdicts are built here."""

from __future__ import annotations

import json
import pickle
import time
from pathlib import Path

import nbformat
import pytest
from keras_output import fmt, history, keras2_fit, keras2_verbose2, keras3_fit, stream

from grader.api import find_history, get_spec, zero_result
from grader.batch.gradebook import gradebook
from grader.batch.layout import Entry
from grader.batch.report import render_report
from grader.batch.rows import GRADED, LearnerRow
from grader.cli import _parser
from grader.model import results
from grader.model.results import GradeResult, PartResult
from grader.pipeline.history_evidence import (
    CONTRADICTED,
    CORROBORATED,
    UNVERIFIABLE,
    training_runs,
    weigh,
)
from grader.pipeline.history_policy import (
    AGREES,
    REJECT_CONTRADICTED,
    REQUIRE_CORROBORATED,
    evidence_for,
    notebook_outputs,
    weigh_history,
)
from grader.reporters.learner import render_learner
from grader.reporters.text import render_text

SPEC = get_spec("C2W1")
HANDWRITTEN = {"accuracy": [0.7, 0.9, 0.97], "val_accuracy": [0.7, 0.85, 0.9]}

# As a Colab notebook saves them (abridged to two epochs of 8 steps).
KERAS2_SAMPLE = (
    "Epoch 1/2\n"
    "\r1/8 [==>...........................] - ETA: 12s - loss: 0.6981 - accuracy: 0.4375"
    + "\x08" * 82 +
    "\r8/8 [==============================] - ETA: 0s - loss: 0.6914 - accuracy: 0.5312"
    + "\x08" * 81 +
    "\r8/8 [==============================] - 3s 310ms/step - loss: 0.6914 - accuracy: "
    "0.5312 - val_loss: 0.6839 - val_accuracy: 0.5625\n"
    "Epoch 2/2\n"
    "\r1/8 [==>...........................] - ETA: 1s - loss: 0.6702 - accuracy: 0.6250"
    + "\x08" * 81 +
    "\r8/8 [==============================] - 2s 281ms/step - loss: 0.6542 - accuracy: "
    "0.6172 - val_loss: 0.6601 - val_accuracy: 0.5938\n")
KERAS3_SAMPLE = (
    "Epoch 1/2\n"
    "\x1b[1m1/8\x1b[0m \x1b[32m━━\x1b[0m\x1b[37m━━━━━━━━━━━━━━━━━━\x1b[0m \x1b[1m12s\x1b[0m "
    "2s/step - accuracy: 0.4375 - loss: 0.6981" + "\x08" * 69 + "\r"
    "\x1b[1m8/8\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1m3s\x1b[0m "
    "310ms/step - accuracy: 0.5312 - loss: 0.6914 - val_accuracy: 0.5625 - val_loss: 0.6839\n"
    "Epoch 2/2\n"
    "\x1b[1m8/8\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1m2s\x1b[0m "
    "281ms/step - accuracy: 0.6172 - loss: 0.6542 - val_accuracy: 0.5938 - val_loss: 0.6601\n")
SAMPLE_HISTORY = {"accuracy": [0.53125, 0.6171875], "val_accuracy": [0.5625, 0.59375],
                  "loss": [0.69138, 0.65419], "val_loss": [0.68391, 0.66012]}


def status(text: str, data: dict, cell: int = 7) -> str:
    return weigh(training_runs([(cell, text)]), data, "history.pkl").status


@pytest.mark.parametrize("sample", [KERAS2_SAMPLE, KERAS3_SAMPLE], ids=["keras2", "keras3"])
def test_a_saved_colab_output_is_read_epoch_by_epoch(sample):
    [run] = training_runs([(4, sample)])
    assert (run.cell, run.total, run.complete) == (4, 2, True)
    assert [e.metrics["accuracy"].text for e in run.epochs] == ["0.5312", "0.6172"]
    assert [e.metrics["val_accuracy"].text for e in run.epochs] == ["0.5625", "0.5938"]
    assert status(sample, SAMPLE_HISTORY) == CORROBORATED


@pytest.mark.parametrize("render", [
    keras2_fit, keras3_fit, keras2_verbose2, lambda h: keras2_fit(h, dynamic=False),
    lambda h: keras3_fit(h, dynamic=False)],
    ids=["keras2", "keras3", "keras2-verbose2", "keras2-log", "keras3-log"])
def test_every_way_keras_prints_a_fit_corroborates_its_own_history(render):
    real = history(15, seed=1)
    assert status(render(real), real) == CORROBORATED
    forged = dict(real, val_accuracy=real["val_accuracy"][:-1] + [0.95])
    assert status(render(real), forged) == CONTRADICTED


def test_acc_and_val_acc_as_keras_2_names_them():
    real = history(6, seed=2)
    as_acc = {"acc": real["accuracy"], "val_acc": real["val_accuracy"], "loss": real["loss"]}
    assert status(keras2_fit(real, acc="acc"), as_acc) == CORROBORATED
    assert status(keras2_fit(real, acc="acc"), real) == CORROBORATED  # renamed, same values


def test_the_printed_precision_decides():
    real = history(4, seed=3)
    printed = float(fmt(real["accuracy"][2]))
    for delta, expected in ((0.00004, CORROBORATED), (-0.00004, CORROBORATED),
                            (0.00006, CONTRADICTED), (-0.00006, CONTRADICTED)):
        data = dict(real, accuracy=[*real["accuracy"][:2], printed + delta, real["accuracy"][3]])
        assert status(keras2_fit(real), data) == expected, delta


def test_tiny_values_printed_in_e_notation():
    real = dict(history(2, seed=4), accuracy=[0.000456789, 0.0012])
    assert fmt(0.000456789) == "4.5679e-04"
    assert status(keras3_fit(real), real) == CORROBORATED
    assert status(keras3_fit(real), dict(real, accuracy=[0.00046, 0.0012])) == CONTRADICTED


def test_contradictions_say_where_and_what():
    real = history(15, seed=5)
    text = keras2_fit(real)
    forged = dict(real, val_accuracy=[*real["val_accuracy"][:2], 0.9, *real["val_accuracy"][3:]])
    evidence = weigh(training_runs([(11, text)]), forged, "history.pkl")
    assert evidence.status == CONTRADICTED and evidence.cell == 11
    shown = fmt(real["val_accuracy"][2])
    assert evidence.detail == (f"in epoch 3, cell 12 printed val_accuracy {shown}, but "
                               "history.pkl holds 0.9.")
    longer = {k: v + v[-1:] for k, v in real.items()}
    assert weigh(training_runs([(11, text)]), longer, "h.pkl").detail == (
        "the training output saved in cell 12 shows 15 epochs, but h.pkl holds 16.")
    assert "History contradicted: " in evidence.line()


def test_the_hand_written_history():
    """Without output it cannot be told from a real one; beside a real training run's output
    it is contradicted."""
    none = weigh(training_runs([]), HANDWRITTEN, "history.pkl")
    assert none.status == UNVERIFIABLE and "no saved training output" in none.detail
    real = history(3, seed=6, final=(0.81, 0.74))
    assert status(keras2_fit(real), HANDWRITTEN) == CONTRADICTED
    assert status(keras3_fit(real), HANDWRITTEN) == CONTRADICTED


def test_re_runs_the_last_complete_counts_and_any_printed_run_is_accepted():
    first, second = history(15, seed=7), history(15, seed=8)
    # An interrupted run (KeyboardInterrupt in epoch 5), then a complete one, in one cell.
    text = (keras2_fit(first, stop_after=4) + "\n---------------------------------------\n"
            "KeyboardInterrupt                         Traceback (most recent call last)\n"
            + keras2_fit(second))
    runs = training_runs([(9, text)])
    assert [len(r.ended()) for r in runs] == [4, 15] and [r.complete for r in runs] == [
        False, True]
    assert status(text, second) == CORROBORATED
    # model.history after the interrupt holds its 4 finished epochs
    assert status(text, {k: v[:4] for k, v in first.items()}) == CORROBORATED
    forged = dict(second, accuracy=[0.99] * 15)
    evidence = weigh(runs, forged, "history.pkl")
    assert evidence.status == CONTRADICTED
    assert "in epoch 1, cell 10 printed accuracy" in evidence.detail  # the complete run
    assert "The notebook shows 2 training runs; history.pkl matches none of them." in (
        evidence.detail)
    # A re-run in a later cell; the pickle saved after the first still counts.
    cells = [(3, keras3_fit(first)), (4, keras3_fit(second))]
    assert weigh(training_runs(cells), first, "history.pkl").cell == 3


def test_output_after_the_fit_does_not_replace_its_last_epoch():
    real = history(5, seed=9)
    text = (keras2_fit(real) + "32/32 [==============================] - 1s 20ms/step - "
            "loss: 0.5210 - accuracy: 0.7500\nEpoch of the week: 3/4 of the class passed\n")
    assert status(text, real) == CORROBORATED


def test_no_history_lists_is_unverifiable():
    real = history(3, seed=10)
    assert status(keras2_fit(real), {"loss": real["loss"]}) == UNVERIFIABLE
    assert status(keras2_fit(real), None) == UNVERIFIABLE


def test_noise_is_read_quickly_and_finds_nothing():
    noise = ("\x08\r\x1b[1m" * 200_000 + "Epoch x/y accuracy: :: 0.9.9.9 "
             + "val_accuracy: 1e999999 " * 10_000 + "x" * 5_000_000)
    started = time.monotonic()
    assert training_runs([(0, noise)]) == []
    assert time.monotonic() - started < 5


def test_printed_numbers_a_forger_chose():
    text = ("Epoch 1/2\n8/8 - accuracy: 0.0000e400 - val_accuracy: 1e999\n"
            "Epoch 2/2\n8/8 - accuracy: nan - val_accuracy: -inf\n")
    data = {"accuracy": [0.5, float("nan")], "val_accuracy": [float("inf"), float("-inf")]}
    assert status(text, data) == CORROBORATED  # 0.0000e400 is as vague as it looks
    assert status(text, dict(data, val_accuracy=[0.9, float("-inf")])) == CONTRADICTED


def _notebook(folder: Path, outputs: dict[int, list[dict]], name: str = "C2W1_Assignment.ipynb",
              nbformat_version: int = 4) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Cats vs dogs")] + [
        nbformat.v4.new_code_cell(f"step_{i}()") for i in range(4)]
    for index, found in outputs.items():
        nb.cells[index].outputs = [nbformat.from_dict(o) for o in found]
    path = folder / name
    nbformat.write(nb, path)
    return path


def test_notebook_outputs_are_read_per_cell_and_stream(tmp_path):
    real = history(3, seed=11)
    text = keras2_fit(real)
    half = len(text) // 2
    path = _notebook(tmp_path, {3: [stream(text[:half]), stream("W tensorflow warning\n",
                                                                 "stderr"),
                                    stream(text[half:])]})
    found = notebook_outputs(path)
    assert found == [(3, text), (3, "W tensorflow warning\n")]
    evidence = evidence_for(path, _pickle(tmp_path / "history.pkl", real))
    assert (evidence.status, evidence.cell) == (CORROBORATED, 3)
    v3 = tmp_path / "old.ipynb"
    v3.write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [
        {"cells": [{"cell_type": "code", "input": "fit()", "outputs": [
            {"output_type": "stream", "stream": "stdout", "text": [text]}]}]}]}))
    assert notebook_outputs(v3) == [(0, text)]
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    assert notebook_outputs(tmp_path / "broken.ipynb") == []


def _pickle(path: Path, data) -> Path:
    path.write_bytes(pickle.dumps(data))
    return path


def _graded() -> GradeResult:
    """A C2W1 result whose history checks all passed."""
    result = zero_result(SPEC, "not graded here", "2", None)
    history_part = next(p for p in result.parts if p.name == "history")
    history_part.tests = [results.TestResult(t.name, True, "ok", t.points, t.points, id=t.name)
                          for t in SPEC.part_named("history").tests]
    return result


def _history(result: GradeResult) -> PartResult:
    return next(p for p in result.parts if p.name == "history")


@pytest.fixture()
def submissions(tmp_path):
    """Three learners: no output, output agreeing with the pickle, output contradicting it."""
    real = history(15, seed=12)
    made = {}
    for learner, shown in (("quiet", None), ("honest", real), ("forger", history(15, 13))):
        folder = tmp_path / learner
        folder.mkdir()
        notebook = _notebook(folder, {4: [stream(keras2_fit(shown))]} if shown else {})
        made[learner] = (notebook, _pickle(folder / "history.pkl", real))
    return made


@pytest.mark.parametrize("policy, scores", [
    ("flag", {"quiet": 20, "honest": 20, "forger": 20}),
    (REQUIRE_CORROBORATED, {"quiet": 0, "honest": 20, "forger": 0}),
    (REJECT_CONTRADICTED, {"quiet": 20, "honest": 20, "forger": 0}),
])
def test_the_policies(submissions, policy, scores):
    expected = {"quiet": UNVERIFIABLE, "honest": CORROBORATED, "forger": CONTRADICTED}
    for learner, (notebook, pickled) in submissions.items():
        result = weigh_history(_graded(), SPEC, notebook, pickled, policy)
        part = _history(result)
        assert part.score == scores[learner], (learner, part.tests)
        evidence = result.history_evidence
        assert evidence["status"] == expected[learner] and evidence["policy"] == policy
        assert evidence["file"] == "history.pkl" and evidence["others"] == []
        line = f"History {expected[learner]}: "
        if policy == "flag":  # one note, no extra check
            assert part.notes[0].startswith(line)
            assert [t.id for t in part.tests] == list(SPEC.part_named("history").test_names)
            continue
        first = part.tests[0]
        assert (first.id, first.max_points, first.passed) == (AGREES, 0.0, scores[learner] > 0)
        assert first.message.startswith(line)
        if first.passed:  # a passing check's message is not shown: the note says it
            assert part.notes[0].startswith(line)
        else:
            assert "Your instructor" in first.message and not part.notes
            assert all(not t.passed and t.message.startswith("Not counted")
                       for t in part.tests[1:])
        assert part.max_score == 20


def test_a_failed_check_keeps_its_own_message_under_a_policy(submissions):
    notebook, pickled = submissions["forger"]
    result = _graded()
    last = _history(result).tests[-1]
    last.passed, last.points, last.message = False, 0.0, "Final validation accuracy 0.700"
    weigh_history(result, SPEC, notebook, pickled, REJECT_CONTRADICTED)
    assert _history(result).tests[-1].message == "Final validation accuracy 0.700"


def test_without_a_history_file_nothing_is_weighed(tmp_path):
    notebook = _notebook(tmp_path, {})
    result = weigh_history(_graded(), SPEC, notebook, tmp_path / "history.pkl",
                           REQUIRE_CORROBORATED)
    assert result.history_evidence is None and _history(result).score == 20
    c2w3 = zero_result(get_spec("C2W3"), "x", "2", None)
    assert weigh_history(c2w3, get_spec("C2W3"), notebook, None).history_evidence is None
    with pytest.raises(ValueError, match="unknown history policy"):
        weigh_history(_graded(), SPEC, notebook, None, "strict")


def test_the_evidence_is_one_line_in_every_rendering(submissions):
    notebook, pickled = submissions["forger"]
    result = weigh_history(_graded(), SPEC, notebook, pickled)
    again = GradeResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again.history_evidence == result.history_evidence
    for text in (render_text(again), render_learner(again)):
        assert sum("History contradicted: in epoch 1, cell 5 printed" in line
                   for line in text.splitlines()) == 1
    for policy in (REQUIRE_CORROBORATED, REJECT_CONTRADICTED):
        strict = weigh_history(_graded(), SPEC, notebook, pickled, policy)
        for text in (render_text(strict), render_learner(strict)):
            assert text.count("History contradicted: ") == 1, text
    notebook, pickled = submissions["honest"]
    strict = weigh_history(_graded(), SPEC, notebook, pickled, REQUIRE_CORROBORATED)
    assert render_text(strict).count("History corroborated: ") == 1


def test_the_spanish_line(submissions):
    from grader.i18n import language

    notebook, pickled = submissions["quiet"]
    with language("es"):
        result = weigh_history(_graded(), SPEC, notebook, pickled, REQUIRE_CORROBORATED)
    first = _history(result).tests[0]
    assert first.name == "el historial coincide con la salida de entrenamiento del cuaderno"
    assert first.message.startswith("Historial no verificable: ")
    assert _history(result).tests[1].message.startswith("No cuenta")


# Choosing the file when several pickles lie beside the notebook.

def _folder(tmp_path: Path, shown: dict | None, files: dict[str, dict | bytes],
            notebook: str = "C2W1_Assignment.ipynb") -> Path:
    folder = tmp_path / "learner"
    folder.mkdir(exist_ok=True)
    path = _notebook(folder, {4: [stream(keras3_fit(shown))]} if shown else {}, notebook)
    for name, data in files.items():
        (folder / name).write_bytes(data if isinstance(data, bytes) else pickle.dumps(data))
    return path


def test_the_corroborated_pickle_is_chosen_and_the_others_are_named(tmp_path):
    old, rerun = history(15, seed=14), history(15, seed=15)
    notebook = _folder(tmp_path, rerun, {"history.pkl": old, "history (1).pkl": rerun,
                                         "history_augmented.pkl": history(15, seed=16)})
    chosen = find_history(notebook, SPEC)
    assert chosen.name == "history (1).pkl"
    result = weigh_history(_graded(), SPEC, notebook, chosen)
    assert result.history_evidence["others"] == ["history.pkl", "history_augmented.pkl"]
    assert _history(result).notes[-1] == ("Graded history (1).pkl; also beside the notebook: "
                                          "history.pkl, history_augmented.pkl.")


def test_without_output_the_assignments_own_name_wins(tmp_path):
    notebook = _folder(tmp_path, None, {"C2W1history.pkl": history(15, 17),
                                        "history.pkl": history(15, 18)})
    assert find_history(notebook, SPEC).name == "history.pkl"


def test_another_name_is_taken_only_when_it_holds_a_history(tmp_path):
    notebook = _folder(tmp_path, None, {"weights.pkl": {"w": [1, 2]}, "model.pkl": b"junk"})
    assert find_history(notebook, SPEC) is None
    (notebook.parent / "C2W1history.pkl").write_bytes(pickle.dumps(history(15, 19)))
    assert find_history(notebook, SPEC).name == "C2W1history.pkl"


def test_a_usable_history_beats_an_unreadable_one_under_the_course_name(tmp_path):
    notebook = _folder(tmp_path, None, {"history.pkl": b"not a pickle",
                                        "history (1).pkl": history(15, 20)})
    assert find_history(notebook, SPEC).name == "history (1).pkl"


def test_last_weeks_file_only_when_the_output_confirms_it(tmp_path):
    week2 = history(15, seed=21)
    notebook = _folder(tmp_path, None, {"history_augmented.pkl": week2})
    assert find_history(notebook, SPEC) is None
    notebook = _folder(tmp_path, week2, {})
    assert find_history(notebook, SPEC).name == "history_augmented.pkl"


def test_in_a_folder_of_several_notebooks_no_other_pickle_is_anyones(tmp_path):
    real = history(15, seed=22)
    notebook = _folder(tmp_path, real, {"history.pkl": history(15, 23),
                                        "bob_history.pkl": real})
    _notebook(notebook.parent, {}, "bob.ipynb")
    assert find_history(notebook, SPEC).name == "history.pkl"
    result = weigh_history(_graded(), SPEC, notebook, notebook.parent / "history.pkl")
    assert result.history_evidence["others"] == []


# The batch: a gradebook column and a report section, to sort and review by.

def _row(learner: str, evidence: str | None) -> LearnerRow:
    result = _graded()
    if evidence:
        result.history_evidence = {"status": evidence, "detail": f"{learner}'s detail",
                                   "file": "history.pkl", "others": ["history (1).pkl"],
                                   "cell": 4, "policy": "flag"}
    return LearnerRow(Entry(learner, f"{learner}/", Path(f"{learner}.ipynb"), None), GRADED,
                      result)


def test_the_gradebook_and_the_report_show_the_evidence():
    rows = [_row("ann", CORROBORATED), _row("bob", CONTRADICTED), _row("cy", None),
            _row("dee", UNVERIFIABLE)]
    book = gradebook(rows, SPEC)
    assert list(book.columns)[-1] == "history_evidence"
    assert book.set_index("learner")["history_evidence"].to_dict() == {
        "ann": CORROBORATED, "bob": CONTRADICTED, "cy": "", "dee": UNVERIFIABLE}
    assert "history_evidence" not in gradebook([], get_spec("C2W3")).columns
    page = render_report(SPEC, rows, [], {}, "2")
    section = page.split("<h2>History evidence</h2>")[1].split("<h2>")[0]
    assert "1 contradicted, 1 unverifiable, 1 corroborated, 1 no history" in section
    assert section.index("bob&#x27;s detail") < section.index("dee&#x27;s detail") < (
        section.index("ann&#x27;s detail"))
    assert "History evidence" not in render_report(get_spec("C2W3"), [], [], {}, "2")


def test_the_command_line_takes_a_policy():
    parser = _parser()
    assert parser.parse_args(["grade", "nb.ipynb"]).history_policy == "flag"
    args = parser.parse_args(["batch", "subs", "--assignment", "C2W1", "--out", "o",
                              "--history-policy", "reject-contradicted"])
    assert args.history_policy == REJECT_CONTRADICTED
    with pytest.raises(SystemExit):
        parser.parse_args(["grade", "nb.ipynb", "--history-policy", "strict"])
