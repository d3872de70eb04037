"""C2W4: parsing the CSV, array generators, and a small multi-class model."""

from __future__ import annotations

import pytest
from conftest import (
    apply_variants,
    assert_fails_exactly,
    dump,
    grading_options,
    load_solution,
    solution_path,
    template_path,
    variant_groups,
    write,
)

from grader.assignments import get_spec
from grader.assignments.c2w4.parsing import predict_real_seconds
from grader.pipeline.grade import grade

SPEC = get_spec("C2W4")
NAME = "C2W4_Assignment.ipynb"


def run(path):
    return grade(SPEC, path, None, grading_options())


def test_reference_solution_scores_100():
    result = run(solution_path("C2W4"))
    assert result.score == 100, dump(result)
    assert "history" not in {p.name for p in result.parts}


def test_blank_template_scores_0():
    result = run(template_path("C2W4"))
    assert result.score == 0, dump(result)


VARIANTS = {
    "header_not_skipped": (
        "c2w4-parse-data-from-input", "    next(csv_reader)\n", "",
        "parse_data_from_input", "values equal the CSV, header skipped"),
    "float32": (
        "c2w4-parse-data-from-input", "np.array(labels, dtype=np.float64)",
        "np.array(labels, dtype=np.float32)", "parse_data_from_input", "both are float64"),
    "slow_parser": (
        "c2w4-parse-data-from-input", "    for row in csv_reader:\n",
        "    for row in csv_reader:\n      import time; time.sleep(0.0025)\n",
        "parse_data_from_input", "fast enough for the real 27,455-row file"),
    "batch_size_64": (
        "c2w4-train-val-generators", "batch_size=32)", "batch_size=64)",
        "train_val_generators", "batch size 32"),
    "augmented_validation": (
        "c2w4-train-val-generators", "validation_datagen = ImageDataGenerator(rescale=1./255)",
        "validation_datagen = ImageDataGenerator(rescale=1./255, rotation_range=20)",
        "train_val_generators", "validation generator does not augment"),
    "no_rescale": (
        "c2w4-train-val-generators", "validation_datagen = ImageDataGenerator(rescale=1./255)",
        "validation_datagen = ImageDataGenerator()",
        "train_val_generators", "rescales pixels by 1/255 on both generators"),
    "three_conv_layers": (
        "c2w4-create-model", "tf.keras.layers.Flatten(),",
        "tf.keras.layers.Conv2D(32, (3, 3), activation='relu', padding='same'),\n"
        "      tf.keras.layers.Flatten(),", "create_model",
        "at most 2 Conv2D and 2 MaxPooling2D layers"),
    "categorical_loss": (
        "c2w4-create-model", "loss='sparse_categorical_crossentropy'",
        "loss='categorical_crossentropy'", "create_model", "loss fits integer labels"),
    "ten_units": (
        "c2w4-create-model", "Dense(26, activation='softmax')",
        "Dense(10, activation='softmax')", "create_model",
        "softmax output with 26 (or 25) units"),
}


@pytest.mark.parametrize("group", variant_groups(VARIANTS), ids="+".join)
def test_broken_variants_fail_exactly_their_checks(group, tmp_path):
    result = run(write(apply_variants(load_solution("C2W4"), VARIANTS, group), tmp_path, NAME))
    assert_fails_exactly(result, VARIANTS, group)


def test_parse_time_extrapolation():
    linear = [{"rows": 1000, "seconds": 0.2}, {"rows": 3000, "seconds": 0.6}]
    seconds, exponent = predict_real_seconds(linear)
    assert exponent == pytest.approx(1.0) and seconds == pytest.approx(0.6 * 27455 / 3000)
    quadratic = [{"rows": 1000, "seconds": 1.0}, {"rows": 3000, "seconds": 9.0}]
    seconds, exponent = predict_real_seconds(quadratic)
    assert exponent == pytest.approx(2.0) and seconds > 600
