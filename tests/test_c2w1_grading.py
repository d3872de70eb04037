"""End-to-end grading of C2W1: reference 100, template 0, each broken variant fails exactly
the part it breaks (and, within it, the check named)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import (
    SOLUTION,
    SOLUTION_HISTORY,
    TEMPLATE,
    apply_variants,
    assert_fails_exactly,
    dump,
    edit,
    failing,
    grading_options,
    load_solution,
    parts,
    variant_groups,
    write,
)

from grader.assignments import get_spec
from grader.pipeline.grade import grade

SPEC = get_spec("C2W1")


def run(path: Path, history: Path | None = None, **options):
    return grade(SPEC, path, history, grading_options(**options))


def test_reference_solution_scores_100():
    result = run(SOLUTION, SOLUTION_HISTORY)
    assert result.score == 100, dump(result)
    assert result.max_score == 100 and result.passed
    assert result.keras == "2"


def test_blank_template_scores_0():
    result = run(TEMPLATE, None)
    assert result.score == 0, dump(result)
    assert not result.passed
    messages = [t["message"] for p in parts(result).values() for t in p["tests"]]
    assert any("flow_from_directory" in m for m in messages)


# (cell id, old text, new text, part that must fail, test that must be among the failures)
VARIANTS = {
    "moves_instead_of_copies": (
        "c2w1-split-data", "copyfile(", "shutil.move(", "split_data",
        "copies files, leaving the source unchanged"),
    "keeps_zero_length_files": (
        "c2w1-split-data", "os.path.getsize(file_path) > 0", "True", "split_data",
        "skips zero-length files"),
    "no_shuffle": (
        "c2w1-split-data", "random.sample(files, len(files))", "sorted(files)", "split_data",
        "shuffles before splitting"),
    "hard_coded_root": (
        "c2w1-create-train-val-dirs", "os.path.join(root_path,",
        "os.path.join('/tmp/grader-test-hardcoded',", "create_train_val_dirs",
        "uses its arguments, not the notebook's paths"),
    "target_size_128": (
        "c2w1-train-val-generators", "target_size=(150, 150)", "target_size=(128, 128)",
        "train_val_generators", "yields (150, 150, 3) float images, the model's input"),
    "no_rescale": (
        "c2w1-train-val-generators", "ImageDataGenerator(rescale=1.0/255.)",
        "ImageDataGenerator()", "train_val_generators",
        "rescales pixels by 1/255 on both generators"),
    "categorical_with_sigmoid": (
        "c2w1-train-val-generators", "class_mode='binary'", "class_mode='categorical'",
        "train_val_generators", "class_mode matches the model's output"),
    "two_conv_layers": (
        "c2w1-create-model",
        "tf.keras.layers.Conv2D(64, (3, 3), activation='relu'),\n"
        "      tf.keras.layers.MaxPooling2D(2, 2),\n", "", "create_model",
        "has at least 3 Conv2D layers"),
    "mse_loss": (
        "c2w1-create-model", "loss='binary_crossentropy'", "loss='mse'", "create_model",
        "output layer and loss fit two classes"),
    "cannot_learn": (
        "c2w1-create-model", "RMSprop(learning_rate=0.001)", "RMSprop(learning_rate=0.0)",
        "create_model", "learns to tell the fixture's cats from dogs"),
    "no_accuracy_metric": (
        "c2w1-create-model", "metrics=['accuracy']", "metrics=[]", "create_model",
        "tracks the 'accuracy' metric"),
}


@pytest.mark.parametrize("group", variant_groups(VARIANTS), ids="+".join)
def test_broken_variants_fail_exactly_their_checks(group, tmp_path):
    path = write(apply_variants(load_solution(), VARIANTS, group), tmp_path)
    result = run(path, SOLUTION_HISTORY)
    assert_fails_exactly(result, VARIANTS, group)
    assert result.score < 100


def test_lr_keyword_is_flagged_but_not_penalised(tmp_path):
    nb = edit(load_solution(), "c2w1-create-model", "RMSprop(learning_rate=0.001)",
              "RMSprop(lr=0.001)")
    result = run(write(nb, tmp_path), SOLUTION_HISTORY)
    assert result.score == 100, dump(result)
    notes = parts(result)["create_model"]["notes"]
    assert any("learning_rate=" in n for n in notes)


def test_missing_function_only_loses_its_part(tmp_path):
    nb = edit(load_solution(), "c2w1-split-data", "def split_data(", "def split_dataset(")
    result = run(write(nb, tmp_path), SOLUTION_HISTORY)
    assert set(failing(result)) == {"split_data"}, dump(result)
    message = parts(result)["split_data"]["tests"][0]["message"]
    assert "no definition of split_data()" in message


def test_function_that_raises_gets_its_message(tmp_path):
    nb = edit(load_solution(), "c2w1-create-train-val-dirs", "  ### START CODE HERE",
              "  ### START CODE HERE\n  raise ValueError('boom')")
    result = run(write(nb, tmp_path), SOLUTION_HISTORY)
    assert set(failing(result)) == {"create_train_val_dirs"}, dump(result)
    message = parts(result)["create_train_val_dirs"]["tests"][0]["message"]
    assert "ValueError: boom" in message and "cell 9" in message


def test_infinite_loop_times_out_and_the_rest_is_graded(tmp_path):
    nb = edit(load_solution(), "c2w1-split-data", "  ### START CODE HERE",
              "  ### START CODE HERE\n  while True:\n    pass")
    result = run(write(nb, tmp_path), SOLUTION_HISTORY, probe_timeouts=(("split_data", 8),))
    assert set(failing(result)) == {"split_data"}, dump(result)
    assert "did not finish within 8 s" in parts(result)["split_data"]["tests"][0]["message"]
    assert result.score == 70


def test_lost_tags_fall_back_to_comments_and_say_so(tmp_path):
    nb = load_solution()
    for cell in nb.cells:
        cell.metadata.pop("tags", None)
    result = run(write(nb, tmp_path), SOLUTION_HISTORY)
    assert result.score == 100, dump(result)
    split = parts(result)["split_data"]
    assert "GRADED FUNCTION" in split["found_by"]
    assert any("lose its tag" in n for n in split["notes"])


def test_redefinition_in_a_later_cell_is_ignored_with_a_note(tmp_path):
    nb = load_solution()
    extra = nb.cells[-1].copy()
    extra.cell_type = "code"
    nb.cells.append(
        type(nb.cells[0])({"cell_type": "code", "id": "extra", "metadata": {},
                           "execution_count": None, "outputs": [],
                           "source": "def split_data(a, b, c, d):\n    pass\n"}))
    result = run(write(nb, tmp_path), SOLUTION_HISTORY)
    assert result.score == 100, dump(result)
    assert any("defined again" in n for n in parts(result)["split_data"]["notes"])


def test_side_effects_in_graded_cells_never_run(tmp_path):
    marker = tmp_path / "side-effect-ran"
    nb = edit(load_solution(), "c2w1-split-test", "split_size = .9",
              f"split_size = .9\nopen({str(marker)!r}, 'w').write('x')")
    result = run(write(nb, tmp_path / "nb"), SOLUTION_HISTORY)
    assert result.score == 100, dump(result)
    assert not marker.exists()


def test_unreadable_notebook_is_graded_zero(tmp_path):
    path = tmp_path / "C2W1_Assignment.ipynb"
    path.write_bytes(b"\x89PNG\r\n\x1a\n garbage \xff\xfe")
    result = run(path, SOLUTION_HISTORY)
    assert result.score == 0
    assert "not UTF-8" in result.notes[0]


def test_colab_import_is_stubbed(tmp_path):
    nb = edit(load_solution(), "c2w1-imports", "import os",
              "import os\nfrom google.colab import files")
    result = run(write(nb, tmp_path), SOLUTION_HISTORY)
    assert result.score == 100, dump(result)
    assert any("google.colab" in n for n in result.notes)


def test_the_course_s_own_metadata_checker_import_is_silent(tmp_path):
    """Issue 31, item 4: the 2023 notebooks' `import colab_metadata_checker` (the course's
    module, beside its notebooks) is no learner mistake: no advice about a failed import."""
    nb = edit(load_solution(), "c2w1-imports", "import os",
              "import os\nimport colab_metadata_checker")
    result = run(write(nb, tmp_path), SOLUTION_HISTORY)
    assert result.score == 100, dump(result)
    assert not any("import" in n.lower() for n in result.notes), result.notes


def test_history_defaults_beside_notebook(tmp_path):
    """`grader grade NOTEBOOK` with no --history reads the history.pkl beside the notebook.
    The notebook defines no graded function (nothing runs): only the history scores."""
    shutil.copy(SOLUTION_HISTORY, tmp_path / "history.pkl")
    from grader.cli import main

    path = write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os")]),
                 tmp_path)
    assert main(["grade", str(path), "--format", "json",
                 "--output", str(tmp_path / "r.json")]) == 1
    report = json.loads((tmp_path / "r.json").read_text())
    history = parts(report)["history"]
    assert history["score"] == history["max_score"] == 20, report  # found, not just passed
    assert report["score"] == 20 and report["assignment"] == "C2W1"


def test_keras3_flavour_grades_the_solution():
    result = run(SOLUTION, SOLUTION_HISTORY, keras="3")
    assert result.score == 100, dump(result)
    assert result.keras == "3"
