"""End-to-end grading of C2W3v4, the 2024 (Keras 3) transfer learning on horses vs humans:
reference 100, template 0, each real mistake fails exactly its checks, and what learners
write instead of the reference passes. Mistakes in different functions share a notebook
(the grader runs each function in its own child), so four gradings cover its eleven mistakes
and weights='imagenet', which passes with a note."""

from __future__ import annotations

import pytest
from conftest import (
    ROOT,
    dump,
    edited,
    failing,
    grading_options,
    learner_module,
    load_solution,
    write,
)

from grader.assignments import get_spec
from grader.pipeline.detect import detect
from grader.pipeline.grade import grade
from grader.pipeline.notebook import read_notebook

CODE = "C2W3v4"
SPEC = get_spec(CODE)
NAME = "C2W3_Assignment.ipynb"
DATASETS, PRE = "c2w3v4-train-val-datasets", "c2w3v4-create-pre-trained-model"
LAST, FINAL = "c2w3v4-output-of-last-layer", "c2w3v4-create-final-model"
WEIGHTS = "weights loaded from LOCAL_WEIGHTS_FILE"
BUILD = ("    pre_trained_model = tf.keras.applications.inception_v3.InceptionV3(\n"
         "        include_top=False,\n        input_shape=(150, 150, 3),\n"
         "        weights=LOCAL_WEIGHTS_FILE\n    )\n")


def run(path):
    return grade(SPEC, path, None, grading_options(keras="3"))


def graded(tmp_path, edits):
    return run(write(edited(CODE, edits), tmp_path, NAME))


def test_reference_solution_scores_100_with_keras_3():
    result = run(ROOT / "solutions" / f"{CODE}_Assignment.ipynb")
    assert result.score == 100, dump(result)
    assert result.keras == "3" and [p.name for p in result.parts] == [
        "train_val_datasets", "create_pre_trained_model", "output_of_last_layer",
        "create_final_model"]


def test_blank_template_scores_0():
    result = run(ROOT / "student_template" / f"{CODE}_Assignment.ipynb")
    assert result.score == 0, dump(result)


def test_detected_by_its_file_name_or_its_functions(tmp_path):
    code, why = detect(read_notebook(write(load_solution(CODE), tmp_path, NAME)))
    assert code == CODE and "2024" in why, why
    nb = load_solution(CODE)
    nb.metadata.pop("grader_version")  # still a 2024 notebook: image_dataset_from_directory
    code, why = detect(read_notebook(write(nb, tmp_path / "x", "mine.ipynb")))
    assert code == CODE and "image_dataset_from_directory" in why, why


# name: (cell, old, new, part, the tests that fail: none for a rewrite that must pass)
MISTAKES = {
    "no_weights": (PRE, "weights=LOCAL_WEIGHTS_FILE\n", "weights=None\n",
                   "create_pre_trained_model", {WEIGHTS}),
    "not_frozen": (PRE, "    pre_trained_model.trainable = False\n", "",
                   "create_pre_trained_model", {"every layer frozen: 0 trainable parameters"}),
    "mixed6": (LAST, "get_layer('mixed7')", "get_layer('mixed6')", "output_of_last_layer",
               {"returns the output of layer 'mixed7'"}),  # mixed6 is (None, 7, 7, 768) too
    "no_dropout": (FINAL, "    x = tf.keras.layers.Dropout(0.2)(x)\n", "",
                   "create_final_model",
                   {"Flatten, Dense(1024, relu), Dropout(0.2), Dense(1, sigmoid) on mixed7"}),
    "dense_512": (FINAL, "Dense(1024,", "Dense(512,", "create_final_model",
                  {"Flatten, Dense(1024, relu), Dropout(0.2), Dense(1, sigmoid) on mixed7",
                   "47,512,481 parameters, 38,537,217 trainable"}),
    "mse_loss": (FINAL, "loss='binary_crossentropy'", "loss='mse'", "create_final_model",
                 {"RMSprop(learning_rate=0.00001), binary_crossentropy, accuracy"}),
    "week_3_2023_learning_rate": (
        FINAL, "learning_rate=0.00001", "learning_rate=0.0001", "create_final_model",
        {"RMSprop(learning_rate=0.00001), binary_crossentropy, accuracy"}),
    "batches_of_64": (DATASETS, "batch_size=32,", "batch_size=64,", "train_val_datasets",
                      {"batches of 32"}),
    "images_of_300": (DATASETS, "image_size=(150, 150),", "image_size=(300, 300),",
                      "train_val_datasets", {"yields (150, 150, 3) images with pixels 0-255"}),
    "categorical_labels": (DATASETS, "seed=7\n", "seed=7,\n        label_mode='categorical'\n",
                           "train_val_datasets", {"label_mode fits the model's output"}),
    "rescaled_in_the_function": (  # preprocess_input expects 0-255 and rescales itself
        DATASETS, "    return train_dataset, validation_dataset",
        "    train_dataset = train_dataset.map(lambda x, y: (x / 255.0, y))\n"
        "    return train_dataset, validation_dataset", "train_val_datasets",
        {"yields (150, 150, 3) images with pixels 0-255"}),
    # No mistake: the grader serves its stand-in for the download, the same weights as
    # LOCAL_WEIGHTS_FILE: full marks, with a note that the lab expects the local file.
    "weights_from_imagenet": (PRE, "weights=LOCAL_WEIGHTS_FILE\n", "weights='imagenet'\n",
                              "create_pre_trained_model", set()),
}
GROUPS = (
    ("mixed6", "no_dropout", "batches_of_64", "weights_from_imagenet"),
    ("no_weights", "mse_loss", "images_of_300"),
    ("not_frozen", "week_3_2023_learning_rate", "categorical_labels"),
    ("dense_512", "rescaled_in_the_function"),
)


def test_groups_hold_every_mistake_once_and_one_per_function():
    assert sorted(n for g in GROUPS for n in g) == sorted(MISTAKES)
    for group in GROUPS:
        assert len({MISTAKES[n][3] for n in group}) == len(group), group


@pytest.mark.parametrize("group", GROUPS, ids="+".join)
def test_a_mistake_fails_exactly_its_checks(group, tmp_path):
    result = graded(tmp_path, [MISTAKES[n][:3] for n in group])
    expected = {MISTAKES[n][3]: MISTAKES[n][4] for n in group if MISTAKES[n][4]}
    assert {p: set(t) for p, t in failing(result).items()} == expected, dump(result)
    if "weights_from_imagenet" in group:
        test = next(t for p in result.parts for t in p.tests if t.name == WEIGHTS)
        assert test.passed and "weights=LOCAL_WEIGHTS_FILE" in test.message, test
        assert "imagenet" in test.message, test


REALISTIC = {
    "course_path_keras_objects_and_named_arguments": [
        (PRE, "weights=LOCAL_WEIGHTS_FILE\n", "weights='./model/inception_v3_weights_tf_"
         "dim_ordering_tf_kernels_notop.h5'\n"),
        (DATASETS, "seed=7\n", "seed=7,\n        label_mode='binary'\n"),
        (LAST, "get_layer('mixed7')", "get_layer(name='mixed7')"),
        (FINAL, "loss='binary_crossentropy'", "loss=tf.keras.losses.BinaryCrossentropy()")],
    "the_2023_way_and_other_spellings": [
        (PRE, BUILD + "\n    # Freeze every layer of the pre-trained model\n"
         "    pre_trained_model.trainable = False\n",
         BUILD.replace("weights=LOCAL_WEIGHTS_FILE", "weights=None")
         + "    pre_trained_model.load_weights(LOCAL_WEIGHTS_FILE)\n"
         "    for layer in pre_trained_model.layers:\n        layer.trainable = False\n"),
        (DATASETS, "tf.keras.utils.image_dataset_from_directory(\n        directory=",
         "tf.keras.preprocessing.image_dataset_from_directory(\n        "),
        (LAST, "pre_trained_model.get_layer('mixed7')",
         "[layer for layer in pre_trained_model.layers if layer.name == 'mixed7'][0]"),
        (FINAL, "inputs=pre_trained_model.input,", "inputs=pre_trained_model.inputs,"),
        (FINAL, "learning_rate=0.00001", "learning_rate=1e-5")],
}


@pytest.mark.parametrize("name", sorted(REALISTIC))
def test_what_learners_write_passes(name, tmp_path):
    result = graded(tmp_path, REALISTIC[name])
    assert result.score == 100, dump(result)


def test_check_fn_chooses_the_2024_week_and_reads_the_notebook_globals(tmp_path, capsys):
    """`check(create_pre_trained_model)` from the learner's code: C2W3 grades a function of
    that name too; the learner's image_dataset_from_directory calls say 2024, and the
    function's LOCAL_WEIGHTS_FILE global ('./model/...') reaches the grader's copy."""
    from grader.pipeline.detect import choose_for_function
    from grader.selfcheck import check

    assert choose_for_function("create_final_model", text="ImageDataGenerator(")[0] == "C2W3"
    with learner_module(CODE, tmp_path) as module:
        result = check(module.create_pre_trained_model, lang="en")
    out = capsys.readouterr().out.replace("\n", " ")
    assert result.score == 25, out
    assert "as C2W3v4 with Keras 3" in out, out
