"""End-to-end grading of C2W4v4, the 2024 (Keras 3) sign-language letters read from image
folders: reference 100, template 0, each real mistake fails exactly its check."""

from __future__ import annotations

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

CODE = "C2W4v4"
SPEC = get_spec(CODE)
NAME = "C2W4_Assignment.ipynb"
DATASETS, MODEL = "c2w4v4-train-val-datasets", "c2w4v4-create-model"
POOL = "        tf.keras.layers.MaxPooling2D(2, 2),\n"
CONV = "        tf.keras.layers.Conv2D(64, (3, 3), activation='relu'),\n"


def run(path):
    return grade(SPEC, path, None, grading_options(keras="3"))


def test_reference_solution_scores_100_with_keras_3():
    result = run(ROOT / "solutions" / f"{CODE}_Assignment.ipynb")
    assert result.score == 100, dump(result)
    assert result.keras == "3" and [p.name for p in result.parts] == [
        "train_val_datasets", "create_model"]


def test_blank_template_scores_0():
    result = run(ROOT / "student_template" / f"{CODE}_Assignment.ipynb")
    assert result.score == 0, dump(result)


def test_detected_by_its_file_name_or_its_grayscale_folders(tmp_path):
    code, why = detect(read_notebook(write(load_solution(CODE), tmp_path, NAME)))
    assert code == CODE and "2024" in why, why
    code, why = detect(read_notebook(write(load_solution(CODE), tmp_path / "x", "mine.ipynb")))
    assert code == CODE and "grayscale" in why, why


MISTAKES = {
    "rgb_images": (
        [(DATASETS, "color_mode='grayscale',", "color_mode='rgb',")],
        {"train_val_datasets": {"yields (28, 28, 1) images with pixels 0-255"}}),
    "batches_of_64": (
        [(DATASETS, "batch_size=32,", "batch_size=64,")],
        {"train_val_datasets": {"batches of 32"}}),
    "one_hot_labels_with_a_sparse_loss": (
        [(DATASETS, "color_mode='grayscale',\n    )",
          "color_mode='grayscale',\n        label_mode='categorical',\n    )")],
        {"train_val_datasets": {"label_mode fits the model's output"}}),
    "three_convolutions": (
        [(MODEL, CONV + POOL + "        tf.keras.layers.Flatten()",
          CONV + POOL + CONV.replace("64", "32") + "        tf.keras.layers.Flatten()")],
        {"create_model": {"at most 2 Conv2D and 2 MaxPooling2D layers"}}),
    "a_sigmoid_head": (
        [(MODEL, "Dense(26, activation='softmax')", "Dense(26, activation='sigmoid')")],
        {"create_model": {"softmax over the 24 letters"}}),
    "one_hot_labels_with_26_units": (  # the notebook's 26 cannot take 24-column labels
        [(DATASETS, "color_mode='grayscale',\n    )",
          "color_mode='grayscale',\n        label_mode='categorical',\n    )"),
         (MODEL, "loss='sparse_categorical_crossentropy'", "loss='categorical_crossentropy'")],
        {"create_model": {"softmax over the 24 letters"}}),
    "no_rescaling": (
        [(MODEL, "        tf.keras.layers.Rescaling(1./255),\n", "")],
        {"create_model": {"Rescaling(1./255) comes first, before any Conv2D"}}),
}


@pytest.mark.parametrize("group", edit_groups(MISTAKES), ids="+".join)
def test_mistakes_fail_exactly_their_checks(group, tmp_path):
    """Mistakes in different functions share a notebook (conftest.shared_notebooks)."""
    nb, expected = grouped(CODE, MISTAKES, group)
    result = run(write(nb, tmp_path, NAME))
    assert {p: set(t) for p, t in failing(result).items()} == expected, dump(result)


REALISTIC = {
    "24_units_and_keras_objects": [
        (MODEL, "Dense(26, activation='softmax')", "Dense(24, activation='softmax')"),
        (MODEL, "loss='sparse_categorical_crossentropy'",
         "loss=tf.keras.losses.SparseCategoricalCrossentropy()")],
    "one_hot_labels_with_24_units_and_categorical_crossentropy": [
        (DATASETS, "color_mode='grayscale',\n    )",
         "color_mode='grayscale',\n        label_mode='categorical',\n    )"),
        (MODEL, "Dense(26, activation='softmax')", "Dense(24, activation='softmax')"),
        (MODEL, "loss='sparse_categorical_crossentropy'", "loss='categorical_crossentropy'")],
}


@pytest.mark.parametrize("group", edit_groups(REALISTIC), ids="+".join)
def test_what_learners_write_passes(group, tmp_path):
    nb, _ = grouped(CODE, REALISTIC, group)
    result = run(write(nb, tmp_path, NAME))
    assert result.score == 100, dump(result)
