"""C2W2: augmentation must be real on training and absent on validation."""

from __future__ import annotations

import pickle

import pytest
from conftest import (
    ROOT,
    apply_variants,
    assert_fails_exactly,
    dump,
    grading_options,
    load_solution,
    parts,
    solution_path,
    template_path,
    variant_groups,
    write,
)

from grader.assignments import get_spec
from grader.pipeline.grade import grade

SPEC = get_spec("C2W2")
HISTORY = ROOT / "solutions" / "history_augmented.pkl"
NAME = "C2W2_Assignment.ipynb"
AUGMENTATION = """rotation_range=40,
                                     width_shift_range=0.2,
                                     height_shift_range=0.2,
                                     shear_range=0.2,
                                     zoom_range=0.2,
                                     horizontal_flip=True,
                                     fill_mode='nearest')"""


def run(path, history=HISTORY):
    return grade(SPEC, path, history, grading_options())


def test_reference_solution_scores_100():
    result = run(solution_path("C2W2"))
    assert result.score == 100, dump(result)


def test_blank_template_scores_0():
    result = run(template_path("C2W2"), None)
    assert result.score == 0, dump(result)


VARIANTS = {
    "no_augmentation": (
        "c2w2-train-val-generators", AUGMENTATION, "fill_mode='nearest')",
        "train_val_generators", "training generator augments images"),
    "zero_augmentation": (
        "c2w2-train-val-generators", "rotation_range=40", "rotation_range=0",
        None, None),
    "augmented_validation": (
        "c2w2-train-val-generators", "validation_datagen = ImageDataGenerator(rescale=1./255.)",
        "validation_datagen = ImageDataGenerator(rescale=1./255., horizontal_flip=True, "
        "rotation_range=30)", "train_val_generators", "validation generator does not augment"),
    "target_size_128": (
        "c2w2-train-val-generators", "target_size=(150, 150)", "target_size=(128, 128)",
        "train_val_generators", "yields (150, 150, 3) float images, the model's input"),
    "keeps_zero_length_files": (
        "c2w2-split-data", "os.path.getsize(file_path) > 0", "True", "split_data",
        "skips zero-length files"),
    "mse_loss": (
        "c2w2-create-model", "loss='binary_crossentropy'", "loss='mse'", "create_model",
        "output layer and loss fit two classes"),
    "categorical_with_sigmoid": (
        "c2w2-train-val-generators", "class_mode='binary'", "class_mode='categorical'",
        "train_val_generators", "class_mode matches the model's output"),
}


@pytest.mark.parametrize("group", variant_groups(VARIANTS), ids="+".join)
def test_broken_variants_fail_exactly_their_checks(group, tmp_path):
    """A variant without a part still augments (other settings remain): it costs nothing."""
    nb = apply_variants(load_solution("C2W2"), VARIANTS, group)
    result = run(write(nb, tmp_path, NAME))
    assert_fails_exactly(result, VARIANTS, group)


@pytest.mark.parametrize("acc,val,failed", [
    (0.99, 0.90, "final validation accuracy within 0.05 of training"),
    (0.78, 0.81, "final training accuracy >= 0.80"),
    (0.82, 0.79, "final validation accuracy >= 0.80"),
])
def test_history_rules(tmp_path, acc, val, failed):
    from grader.pipeline.history import check_history

    history = {"accuracy": [0.5] * 14 + [acc], "val_accuracy": [0.5] * 14 + [val]}
    path = tmp_path / "history_augmented.pkl"
    path.write_bytes(pickle.dumps(history))
    part = next(p for p in SPEC.parts if p.name == "history")
    verdicts = check_history(part, SPEC.history, path)
    assert [n for n, ok, _ in verdicts if not ok] == [failed]


def test_detection_tells_c2w2_from_c2w1(tmp_path):
    from grader.pipeline.detect import detect
    from grader.pipeline.notebook import read_notebook

    path = write(load_solution("C2W2"), tmp_path, "submission.ipynb")
    code, reason = detect(read_notebook(path))
    assert code == "C2W2" and "augmentation" in reason
    path = write(load_solution("C2W1"), tmp_path, "submission.ipynb")
    assert detect(read_notebook(path))[0] == "C2W1"
    assert "history" in parts(run(solution_path("C2W2"), None))
