"""C2W4v4: the 2024 (Keras 3) sign-language letters. 24 class folders of 28x28 grayscale
PNGs read by `image_dataset_from_directory` (one call per folder, integer labels), an
InputLayer + Rescaling model with at most 2 Conv2D and 2 MaxPooling2D, softmax over the
letters. Accuracy is not graded (no history); the model's ability to learn is, briefly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.assignments.c2w4v4 import probes
from grader.assignments.common import datasets, fixtures_v4, models
from grader.assignments.common.learning import LETTERS_APART, training_verdict
from grader.assignments.common.models import (
    accuracy_verdict,
    compiled_verdict,
    created_model,
    input_verdict,
    rescaling_verdict,
)
from grader.i18n import N_, tr
from grader.model import keras_names
from grader.model.expected import Signs
from grader.model.spec import (
    AssignmentSpec,
    Checks,
    Context,
    ImageInput,
    PartSpec,
    Test,
    Verdict,
    all_fail,
    part,
)

FUNCTIONS = ("train_val_datasets", "create_model")
IMAGES = ImageInput(size=(28, 28), channels=1)
# units: 24 letters (labels 0-23); the notebook's own model ends in 26. batch_size:
# ASSIGNMENTS-2024.md W4 Ex1, "batch size 32 (for grading)". max_epochs: the brief
# training's cap (common/learning.py): 24 letters.
EXPECTED = Signs(batch_size=32, convs_at_most=2, pools_at_most=2, units=(24, 25, 26),
                 classes=24, seed=1234, max_epochs=10)


def parts(expected: Signs) -> tuple[PartSpec, ...]:
    """The rubric, its test names filled from `expected`."""
    dataset_tests = (
        datasets.SOURCE.worth(8),
        datasets.YIELDS.worth(8, shape=IMAGES.shape),
        Test("counts", "finds every image of both folders, in {classes} classes", points=8,
             params={"classes": expected.classes}),
        datasets.BATCHES.worth(6, size=expected.batch_size),
        datasets.LABELS.worth(10),
    )
    model_tests = (
        models.COMPILED.worth(5),
        models.INPUT_SHAPE.worth(6, shape=IMAGES.shape),
        models.RESCALING_FIRST.worth(8),
        # W4: "at most 2 Conv2D and 2 MaxPooling2D"
        Test("small", "at most {convs} Conv2D and {pools} MaxPooling2D layers", points=8,
             params={"convs": expected.convs_at_most, "pools": expected.pools_at_most}),
        # "one unit per category, with the right activation"
        Test("softmax", "softmax over the {classes} letters", points=8,
             params={"classes": expected.classes}),
        # "a multi-class loss ... filled in by the learner"
        Test("loss", "a multi-class cross-entropy loss", points=8),
        models.ACCURACY.worth(5),
        LETTERS_APART.worth(12),
    )
    return (
        part("train_val_datasets", dataset_tests,
             probes=("train_val_datasets", "datasets_clean")),
        part("create_model", model_tests, probes=("create_model", "train")),
    )


def prepare(workdir: Path) -> tuple[dict, dict[str, dict]]:
    """The notebook's `data/train/` and `data/validation/` beside the child's working
    directory (copies: learner code must not reach the cache)."""
    letters = fixtures_v4.sign_folders()
    shutil.copytree(letters, workdir / "data")
    counts = tuple(fixtures_v4.count_images(workdir / "data" / part)
                   for part in ("train", "validation"))
    prepared = {"counts": counts, "classes": sorted(p.name for p in (letters / "train").iterdir())}
    args = {"train": {"train": str(workdir / "data" / "train"),
                      "validation": str(workdir / "data" / "validation"),
                      "seed": EXPECTED.seed, "max_epochs": EXPECTED.max_epochs,
                      "image_size": list(IMAGES.size), "batch_size": EXPECTED.batch_size}}
    return prepared, args


CHECKS = Checks()


@CHECKS.part("train_val_datasets")
def check_train_val_datasets(ctx: Context, part: PartSpec) -> list[Verdict]:
    return datasets.folder_datasets_verdicts(ctx, part, ctx.spec.images, "sparse")


@CHECKS.part("create_model")
def check_create_model(ctx: Context, part: PartSpec) -> list[Verdict]:
    problem, info = created_model(ctx)
    if problem:
        return all_fail(part, problem)
    layers = info.get("layers") or []
    convs, pools = layers.count("Conv2D"), layers.count("MaxPooling2D")
    units = (info.get("output_shape") or [None])[-1]
    activation = keras_names.canonical(info.get("output_activation")) or "linear"
    loss = keras_names.canonical(info.get("loss"))
    expected = ctx.spec.expected
    small = convs <= expected.convs_at_most and pools <= expected.pools_at_most
    classes = len(ctx.prepared["classes"])
    fitting = ((classes,) if loss == "categorical_crossentropy"  # one-hot: exact
               else expected.units)
    softmax = units in fitting and (activation == "softmax" or (
        activation == "linear" and info.get("loss_from_logits")))
    multi = loss in ("sparse_categorical_crossentropy", "categorical_crossentropy")
    wrong_logits = multi and info.get("loss_from_logits") and activation == "softmax"
    test = part.test
    return [
        compiled_verdict(test("compiled"), info),
        input_verdict(test("input_shape"), info, ctx.spec.images, "tf.keras.layers.InputLayer"),
        rescaling_verdict(test("rescaling"), info),
        test("small").verdict(small, tr(
            "{convs} Conv2D and {pools} MaxPooling2D layers.", convs=convs, pools=pools)
         if small else tr(
            "Found {convs} Conv2D and {pools} MaxPooling2D layers; the assignment allows at "
            "most 2 of each.", convs=convs, pools=pools)),
        test("softmax").verdict(True, tr("{units} softmax units.", units=units)) if softmax
        else test("softmax").verdict(False, tr(
            "The model ends in {units} unit(s) with activation {activation}; expected a "
            "softmax over the letters: Dense(26, activation='softmax') (24 letters, label "
            "indices 0-23; 24 or 25 units fit them too).", units=units,
            activation=repr(info.get("output_activation"))) if loss != "categorical_crossentropy"
            else tr("The model ends in {units} unit(s) with activation {activation}, but "
                    "categorical_crossentropy compares it with one-hot labels of {classes} "
                    "columns: use Dense({classes}, activation='softmax'), or integer labels "
                    "with sparse_categorical_crossentropy.", units=units,
                    activation=repr(info.get("output_activation")), classes=classes)),
        test("loss").verdict(True, tr("{loss} fits the labels.",
                                      loss=info.get("loss_spelled") or info.get("loss")))
        if multi and not wrong_logits else test("loss").verdict(
            False, keras_names.logits_problem(info) or tr(
            "Expected loss='sparse_categorical_crossentropy' for integer labels; found "
            "{loss}.", loss=repr(info.get("loss_spelled") or info.get("loss")))),
        accuracy_verdict(test("accuracy"), info),
        training_verdict(ctx, test("learns")),
    ]


SPEC = AssignmentSpec(
    code="C2W4v4",
    title="Sign-language letters, 2024 (Keras 3, image folders)",
    functions=FUNCTIONS,
    parts=parts(EXPECTED),
    pass_mark=80.0,
    history=None,
    probe_timeouts={"train_val_datasets": 90, "datasets_clean": 90, "create_model": 90,
                    "train": 300},
    clean_probes={"train": "create_model", "datasets_clean": "train_val_datasets"},
    prepare=prepare,
    checks=CHECKS,
    probes=probes.PROBES,
    probe_module=probes.__name__,
    detect_words=("grayscale", "VALIDATION_DIR"),
    detect_means=N_("reads grayscale letter folders"),
    fixtures=fixtures_v4.sign_folders,
    images=IMAGES,
    expected=EXPECTED,
    module=__name__,
    keras="3",
    course_version="v4",
    # the notebook's graded globals cell
    provided={"TRAIN_DIR": "data/train/", "VALIDATION_DIR": "data/validation/"},
)
