"""End-to-end grading of C2W1v4, the 2024 (Keras 3) cats vs dogs notebook: reference 100,
template 0, each real mistake of the new API fails exactly its check, and the ways learners
really write these functions pass."""

from __future__ import annotations

import pytest
from conftest import (
    ROOT,
    dump,
    edit_groups,
    edited,
    failing,
    grading_options,
    grouped,
    learner_module,
    load_solution,
    write,
)

from grader.assignments import get_spec
from grader.pipeline.detect import detect
from grader.pipeline.grade import grade
from grader.pipeline.notebook import read_notebook

CODE = "C2W1v4"
SPEC = get_spec(CODE)
NAME = "C2W1_Assignment.ipynb"  # the course's own file name, as learners submit it
HISTORY = ROOT / "solutions" / "history.pkl"
DATASETS, MODEL, CALLBACK = "c2w1v4-train-val-datasets", "c2w1v4-create-model", "c2w1v4-callback"
RESCALING = "        tf.keras.layers.Rescaling(1./255),\n"
INPUT = "        tf.keras.Input(shape=(150, 150, 3)),\n"


def run(path, history=HISTORY):
    return grade(SPEC, path, history, grading_options(keras="3"))


def graded(tmp_path, edits, history=HISTORY):
    return run(write(edited(CODE, edits), tmp_path, NAME), history)


def test_reference_solution_scores_100_with_keras_3():
    result = run(ROOT / "solutions" / f"{CODE}_Assignment.ipynb")
    assert result.score == 100, dump(result)
    assert result.keras == "3" and result.passed
    assert [p.name for p in result.parts] == [
        "train_val_datasets", "create_model", "EarlyStoppingCallback", "history"]


def test_blank_template_scores_0():
    result = run(ROOT / "student_template" / f"{CODE}_Assignment.ipynb", None)
    assert result.score == 0, dump(result)


def test_detected_as_the_2024_notebook_under_the_course_file_name(tmp_path):
    path = write(load_solution(CODE), tmp_path, NAME)
    code, why = detect(read_notebook(path))
    assert code == CODE and "2024" in why and "grader_version" in why, why
    nb = load_solution(CODE)
    nb.metadata.pop("grader_version")
    code, why = detect(read_notebook(write(nb, tmp_path / "plain", NAME)))
    assert code == CODE and "image_dataset_from_directory" in why, why
    code, _ = detect(read_notebook(ROOT / "solutions" / "C2W1_Assignment.ipynb"))
    assert code == "C2W1"


# (edits, {part: {tests that must fail}}): every other check of every part must pass.
MISTAKES = {
    "categorical_labels_with_a_sigmoid": (
        [(DATASETS, "label_mode='binary'", "label_mode='categorical'")],
        {"train_val_datasets": {"label_mode fits the model's output"}}),
    "int_labels_with_a_categorical_loss": (
        [(DATASETS, "label_mode='binary'", "label_mode='int'"),
         (MODEL, "tf.keras.layers.Dense(1, activation='sigmoid')",
          "tf.keras.layers.Dense(2, activation='softmax')"),
         (MODEL, "loss='binary_crossentropy'", "loss='categorical_crossentropy'")],
        {"train_val_datasets": {"label_mode fits the model's output"}}),
    "a_fifth_for_validation": (
        [(DATASETS, "validation_split=0.1", "validation_split=0.2")],
        {"train_val_datasets": {"puts 10% of the files in validation, none in both"}}),
    "images_of_128": (
        [(DATASETS, "image_size=(150, 150)", "image_size=(128, 128)")],
        {"train_val_datasets": {"yields (150, 150, 3) images with pixels 0-255"}}),
    "rescaled_in_the_dataset": (
        [(DATASETS, "    )\n", "    )\n    training_dataset = training_dataset.map("
          "lambda x, y: (x / 255.0, y))\n    validation_dataset = validation_dataset.map("
          "lambda x, y: (x / 255.0, y))\n")],
        {"train_val_datasets": {"yields (150, 150, 3) images with pixels 0-255"}}),
    "no_rescaling": (
        [(MODEL, RESCALING, "")],
        {"create_model": {"Rescaling(1./255) comes first, before any Conv2D"}}),
    "rescaling_after_a_convolution": (
        [(MODEL, RESCALING, ""),
         (MODEL, "        tf.keras.layers.Conv2D(16, (3, 3), activation='relu'),\n",
          "        tf.keras.layers.Conv2D(16, (3, 3), activation='relu'),\n" + RESCALING)],
        {"create_model": {"Rescaling(1./255) comes first, before any Conv2D"}}),
    "rescaling_first_without_an_input": (
        [(MODEL, INPUT, "")],
        {"create_model": {"input shape is (150, 150, 3)"}}),
    "stops_on_or": (
        [(CALLBACK, "train_accuracy >= 0.95 and", "train_accuracy >= 0.95 or")],
        {"EarlyStoppingCallback": {"keeps training while either accuracy is below its target"}}),
    "stops_only_above": (
        [(CALLBACK, "train_accuracy >= 0.95 and val_accuracy >= 0.80",
          "train_accuracy > 0.95 and val_accuracy > 0.80")],
        {"EarlyStoppingCallback": {"stops once both accuracies reach their targets"}}),
    "mse_loss": (
        [(MODEL, "loss='binary_crossentropy'", "loss='mse'")],
        {"create_model": {"output layer and loss fit two classes"}}),
}


@pytest.mark.parametrize("group", edit_groups(MISTAKES), ids="+".join)
def test_mistakes_fail_exactly_their_checks(group, tmp_path):
    """Mistakes in different functions share a notebook (conftest.shared_notebooks)."""
    nb, expected = grouped(CODE, MISTAKES, group)
    result = run(write(nb, tmp_path, NAME))
    assert {p: set(t) for p, t in failing(result).items()} == expected, dump(result)


IMPORTED = "from tensorflow.keras.utils import image_dataset_from_directory\n"
TWO_CALLS = '''    training_dataset = image_dataset_from_directory(
        DATA_DIR, image_size=(150, 150), batch_size=32, label_mode='binary',
        validation_split=0.1, subset='training', seed=7)
    validation_dataset = image_dataset_from_directory(
        DATA_DIR, image_size=(150, 150), batch_size=32, label_mode='binary',
        validation_split=0.1, subset='validation', seed=7)
'''
SPARSE_HEAD = [(DATASETS, "label_mode='binary'", "label_mode='int'"),
               (MODEL, "tf.keras.layers.Dense(1, activation='sigmoid')",
                "tf.keras.layers.Dense(2, activation='softmax')"),
               (MODEL, "loss='binary_crossentropy'", "loss='sparse_categorical_crossentropy'")]
REALISTIC = {
    "an_imported_name_and_two_calls": [
        ("c2w1v4-imports", "import os\n", "import os\n" + IMPORTED),
        (DATASETS, "    training_dataset, validation_dataset = tf.keras.utils."
         "image_dataset_from_directory(\n        directory=DATA_DIR,\n"
         "        image_size=(150, 150),\n        batch_size=128,\n"
         "        label_mode='binary',\n        validation_split=0.1,\n"
         "        subset='both',\n        seed=42\n    )\n", TWO_CALLS)],
    "a_pathlib_directory_and_keras_preprocessing": [
        ("c2w1v4-imports", "import os\n", "import os\nimport pathlib\n"),
        (DATASETS, "tf.keras.utils.image_dataset_from_directory(\n        directory=DATA_DIR,",
         "tf.keras.preprocessing.image_dataset_from_directory(\n"
         "        directory=pathlib.Path(DATA_DIR),")],
    "int_labels_with_two_softmax_units": SPARSE_HEAD,
    # Measured under Keras 3: a sigmoid unit trains on 'int' labels as on 'binary' ones.
    "int_labels_with_a_sigmoid": [(DATASETS, "label_mode='binary'", "label_mode='int'")],
    "keras_2_style_input_shape_on_rescaling": [
        (MODEL, INPUT, ""),
        (MODEL, "tf.keras.layers.Rescaling(1./255)",
         "tf.keras.layers.Rescaling(1./255, input_shape=(150, 150, 3))")],
    "callback_reading_logs_directly": [
        (CALLBACK, "        if train_accuracy >= 0.95 and val_accuracy >= 0.80:",
         "        if logs['accuracy'] >= 0.95 and logs['val_accuracy'] >= 0.8:")],
}


@pytest.mark.parametrize("group", edit_groups(REALISTIC), ids="+".join)
def test_what_learners_write_passes(group, tmp_path):
    nb, _ = grouped(CODE, REALISTIC, group)
    result = run(write(nb, tmp_path, NAME))
    assert result.score == 100, dump(result)


def test_the_command_line_detects_it_and_grades_with_keras_3(tmp_path):
    """No --assignment, no --keras: the course file name, the 2024 metadata, Keras 3."""
    import json
    import shutil
    import subprocess
    import sys

    path = write(load_solution(CODE), tmp_path, NAME)
    shutil.copy(HISTORY, tmp_path / "history.pkl")
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(path), "--format",
                           "json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data["assignment"], data["score"], data["keras"]) == (CODE, 100, "3"), data
    assert "2024 notebook" in proc.stderr


def test_a_batch_worker_and_the_gradescope_bundle_default_to_keras_3(tmp_path):
    import io
    import zipfile

    from grader.batch.run import BatchOptions, run_batch
    from grader.gradescope.bundle import build_bundle

    folder = tmp_path / "class"
    write(load_solution(CODE), folder, "ada.ipynb")
    (folder / "ada_history.pkl").write_bytes(HISTORY.read_bytes())
    summary = run_batch(folder, tmp_path / "out", BatchOptions("c2w1v4", workers=1),
                        stream=io.StringIO())
    (row,) = summary.rows
    assert (row.result.assignment, row.result.score, row.result.keras) == (CODE, 100, "3")
    bundle = build_bundle(CODE, tmp_path / "gs.zip")
    run = zipfile.ZipFile(bundle).read("run_autograder").decode()
    assert f"--assignment {CODE} --keras 3" in run


def test_a_graded_cell_is_graded_up_to_its_grade_up_to_here_comment(tmp_path):
    """The 2024 notebooks' tips: what follows the comment in a graded cell is not graded."""
    result = graded(tmp_path, [(CALLBACK, "so cancelling training!\")\n",
                                "so cancelling training!\")\n\n# grade-up-to-here\n"
                                "this line is not Python\nraise SystemExit\n")])
    assert result.score == 100, dump(result)
    assert any("grade-up-to-here" in note for note in result.notes), result.notes


def test_check_fn_in_the_learners_session_chooses_c2w1v4_and_keras_3(tmp_path, capsys):
    """`check(EarlyStoppingCallback)` from the learner's code (here a module file, as a
    script or an imported module would be): the 2024 week, with Keras 3."""
    from grader.selfcheck import check

    with learner_module(CODE, tmp_path) as module:
        result = check(module.EarlyStoppingCallback, lang="en")
    assert result.score == 15, capsys.readouterr().out
    assert "as C2W1v4 with Keras 3" in capsys.readouterr().out.replace("\n", " ")
