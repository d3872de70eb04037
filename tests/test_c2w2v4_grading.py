"""End-to-end grading of C2W2v4, the 2024 (Keras 3) cats vs dogs with an augmentation model:
reference 100, template 0, each real mistake fails exactly its check, and the history's
no-overfitting rule."""

from __future__ import annotations

import pickle

import pytest
from conftest import (
    ROOT,
    dump,
    edit_groups,
    failing,
    grading_options,
    grouped,
    load_solution,
    write,
)

from grader.assignments import get_spec
from grader.pipeline.detect import detect
from grader.pipeline.grade import grade
from grader.pipeline.notebook import read_notebook

CODE = "C2W2v4"
SPEC = get_spec(CODE)
NAME = "C2W2_Assignment.ipynb"
HISTORY = ROOT / "solutions" / f"{CODE}_history.pkl"  # tools/make_example_history.py C2W2v4
DATASETS, AUGMENT = "c2w2v4-train-val-datasets", "c2w2v4-create-augmentation-model"
MODEL, CALLBACK = "c2w2v4-create-model", "c2w2v4-callback"
AUGMENT_INPUT = "        tf.keras.Input(shape=(120, 120, 3)),\n        tf.keras.layers.RandomFlip"
RESCALING = "        tf.keras.layers.Rescaling(1./255),\n"
STACKED = "        create_augmentation_model(),\n"


def run(path, history=HISTORY):
    return grade(SPEC, path, history, grading_options(keras="3"))


def test_reference_solution_scores_100_with_keras_3():
    result = run(ROOT / "solutions" / f"{CODE}_Assignment.ipynb")
    assert result.score == 100, dump(result)
    assert result.keras == "3"


def test_blank_template_scores_0():
    result = run(ROOT / "student_template" / f"{CODE}_Assignment.ipynb", None)
    assert result.score == 0, dump(result)


def test_detected_apart_from_week_1_of_both_years(tmp_path):
    code, why = detect(read_notebook(write(load_solution(CODE), tmp_path, NAME)))
    assert code == CODE and "2024" in why, why
    nb = load_solution(CODE)
    nb.metadata.pop("grader_version")
    code, _ = detect(read_notebook(write(nb, tmp_path / "other", "submission.ipynb")))
    assert code == CODE
    code, _ = detect(read_notebook(write(load_solution("C2W1v4"), tmp_path / "w1",
                                         "submission.ipynb")))
    assert code == "C2W1v4"


MISTAKES = {
    "an_augmentation_model_that_rescales": (
        [(AUGMENT, "        tf.keras.layers.RandomFlip('horizontal'),\n",
          RESCALING + "        tf.keras.layers.RandomFlip('horizontal'),\n")],
        {"create_augmentation_model": {"has only random augmentation layers, no Rescaling"}}),
    "an_augmentation_model_without_its_input": (
        [(AUGMENT, AUGMENT_INPUT, "        tf.keras.layers.RandomFlip")],
        {"create_augmentation_model": {"takes (120, 120, 3) images"}}),
    # Rescaling before the augmentation passes (realistic/corpus.py): every Conv2D still
    # sees 0-1. Twice, it sees 0-1/255.
    "rescaling_twice": (
        [(MODEL, STACKED + RESCALING, RESCALING + STACKED + RESCALING)],
        {"create_model": {"Rescaling(1./255) before any Conv2D"}}),
    "a_model_without_augmentation": (
        [(MODEL, STACKED, "")],
        {"create_model": {"augments its input first, with the augmentation model"}}),
    "week_1_thresholds_in_the_callback": (
        [(CALLBACK, "train_accuracy >= 0.80 and", "train_accuracy >= 0.95 and")],
        {"EarlyStoppingCallback": {"stops once both accuracies reach their targets"}}),
    "a_tenth_for_validation": (
        [(DATASETS, "validation_split=0.15", "validation_split=0.1")],
        {"train_val_datasets": {"puts 15% of the files in validation, none in both"}}),
}


@pytest.mark.parametrize("group", edit_groups(MISTAKES), ids="+".join)
def test_mistakes_fail_exactly_their_checks(group, tmp_path):
    """Mistakes in different functions share a notebook (conftest.shared_notebooks)."""
    nb, expected = grouped(CODE, MISTAKES, group)
    result = run(write(nb, tmp_path, NAME))
    assert {p: set(t) for p, t in failing(result).items()} == expected, dump(result)


def _history(tmp_path, accuracy, val_accuracy):
    path = tmp_path / "history.pkl"
    path.write_bytes(pickle.dumps({"accuracy": accuracy, "val_accuracy": val_accuracy}))
    return path


def test_the_no_overfitting_rule(tmp_path):
    from grader.pipeline.history import check_history

    part = SPEC.part_named("history")
    rising = [0.70 + 0.02 * i for i in range(15)]  # to 0.98, while validation stays flat
    cases = {
        "overfits": (rising, [0.82] * 15, {"curves' slopes within 30% of each other"}),
        "apart": ([0.99] * 10, [0.81, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.81],
                  {"curves' mean squared difference at most 0.20"}),
        "close and flat": ([0.97, 0.98, 0.97, 0.98], [0.95, 0.99, 0.94, 0.96], set()),
        "together": ([0.5, 0.6, 0.7, 0.85], [0.52, 0.63, 0.72, 0.84], set()),
    }
    for name, (acc, val, expected) in cases.items():
        verdicts = check_history(part, SPEC.history, _history(tmp_path, acc, val))
        assert {n for n, ok, _ in verdicts if not ok} == expected, (name, verdicts)


AUGMENT_LAYERS = ("        tf.keras.layers.RandomFlip('horizontal'),\n"
                  "        tf.keras.layers.RandomRotation(0.2, fill_mode='nearest'),\n"
                  "        tf.keras.layers.RandomTranslation(0.2, 0.2, fill_mode='nearest'),\n"
                  "        tf.keras.layers.RandomZoom(0.2, fill_mode='nearest')\n")
REALISTIC = {
    "seeded_flips_contrast_and_zoom": [
        (AUGMENT, AUGMENT_LAYERS,
         "        tf.keras.layers.RandomFlip('horizontal_and_vertical', seed=42),\n"
         "        tf.keras.layers.RandomContrast(0.2, seed=42),\n"
         "        tf.keras.layers.RandomZoom(0.1, seed=42),\n")],
    "augmentation_kept_in_a_variable_and_no_dropout": [
        (MODEL, "    model = tf.keras.models.Sequential([\n",
         "    augment = create_augmentation_model()\n"
         "    model = tf.keras.models.Sequential([\n"),
        (MODEL, STACKED, "        augment,\n"),
        (MODEL, "        tf.keras.layers.Dropout(0.2),\n", "")],
    "callback_reading_logs_directly": [
        (CALLBACK, "        if train_accuracy >= 0.80 and val_accuracy >= 0.80:",
         "        if logs['accuracy'] >= 0.8 and logs['val_accuracy'] >= 0.8:")],
}


@pytest.mark.parametrize("group", edit_groups(REALISTIC), ids="+".join)
def test_what_learners_write_passes(group, tmp_path):
    nb, _ = grouped(CODE, REALISTIC, group)
    result = run(write(nb, tmp_path, NAME))
    assert result.score == 100, dump(result)
