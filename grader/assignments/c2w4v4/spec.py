"""C2W4v4: the 2024 (Keras 3) sign-language letters. 24 class folders of 28x28 grayscale
PNGs read by `image_dataset_from_directory` (one call per folder, integer labels), an
InputLayer + Rescaling model with at most 2 Conv2D and 2 MaxPooling2D, softmax over the
letters. Accuracy is not graded (no history); the model's ability to learn is, briefly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.assignments.c2w1v4 import spec as c2w1v4
from grader.assignments.c2w4v4 import probes
from grader.assignments.c2w4v4.probes import BATCH, IMAGES
from grader.assignments.common import datasets, fixtures_v4, models
from grader.assignments.common.learning import LETTERS_APART, training_verdict
from grader.assignments.common.models import (
    accuracy_verdict,
    compiled_verdict,
    created_model,
)
from grader.i18n import N_, tr
from grader.model import keras_names
from grader.model.spec import (
    AssignmentSpec,
    Checks,
    Context,
    ImageInput,
    PartSpec,
    Test,
    Verdict,
    all_fail,
    fail_the_rest,
    part,
)

FUNCTIONS = ("train_val_datasets", "create_model")
TRAIN_MAX_EPOCHS = 10  # the brief training's cap (common/learning.py): 24 letters
UNITS = (24, 25, 26)  # 24 letters (labels 0-23); the notebook's own model ends in 26

# ASSIGNMENTS-2024.md W4 Ex1: "batch size 32 (for grading)"; C2W3v4's too.
BATCHES = Test("batches", "batches of {size}", params={"size": BATCH})
DATASET_TESTS = (
    datasets.SOURCE.worth(8),
    datasets.YIELDS.worth(8, shape=IMAGES.shape),
    Test("counts", "finds every image of both folders, in 24 classes", points=8),
    BATCHES.worth(6),
    datasets.LABELS.worth(10),
)
MODEL_TESTS = (
    models.COMPILED.worth(5),
    models.INPUT_SHAPE.worth(6, shape=IMAGES.shape),
    c2w1v4.RESCALING_FIRST.worth(8),
    # W4: "at most 2 Conv2D and 2 MaxPooling2D"
    Test("small", "at most 2 Conv2D and 2 MaxPooling2D layers", points=8),
    # "one unit per category, with the right activation"
    Test("softmax", "softmax over the 24 letters", points=8),
    # "a multi-class loss ... filled in by the learner"
    Test("loss", "a multi-class cross-entropy loss", points=8),
    models.ACCURACY.worth(5),
    LETTERS_APART.worth(12),
)

PARTS = (
    part("train_val_datasets", DATASET_TESTS, probes=("train_val_datasets", "datasets_clean")),
    part("create_model", MODEL_TESTS, probes=("create_model", "train")),
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
                      "seed": c2w1v4.SEED, "max_epochs": TRAIN_MAX_EPOCHS}}
    return prepared, args


CHECKS = Checks()


def folder_datasets_verdicts(ctx: Context, part: PartSpec, images: ImageInput, labels: str,
                             scaled_by: str = datasets.RESCALING) -> list[Verdict]:
    """train_val_datasets() read from TRAIN_DIR and VALIDATION_DIR whole, one call each,
    batches of 32 (C2W3v4's too); `labels`: the course's head, for label_verdict;
    `scaled_by`: what scales the pixels later, for images_verdict."""
    problem, obs = datasets.dataset_observations(ctx)
    if problem:
        return all_fail(part, problem)
    test = part.test
    verdicts: list[Verdict] = [
        datasets.source_verdict(test("source"), obs, "TRAIN_DIR / VALIDATION_DIR"),
        datasets.images_verdict(test("yields"), obs, images.shape, scaled_by)]
    pair = datasets.pair(obs)
    if pair is None:
        found = tr("The calls made {n} dataset(s), not a training and a validation one: call "
                   "image_dataset_from_directory once for TRAIN_DIR and once for "
                   "VALIDATION_DIR.", n=len(obs.get("rebuilt") or []))
        return fail_the_rest(part, verdicts, found)
    counts = tuple(len(d.get("files") or []) for d in pair)
    classes = [len(d.get("class_names") or []) for d in pair]
    want = len(ctx.prepared["classes"])
    if counts == tuple(ctx.prepared["counts"]) and classes == [want, want]:
        verdicts.append(test("counts").verdict(True, tr(
            "{train} training and {val} validation images in {n} classes.", train=counts[0],
            val=counts[1], n=want)))
    else:
        verdicts.append(test("counts").verdict(False, tr(
            "Expected {train} training and {val} validation images in {n} classes; found "
            "{found_train} and {found_val} in {classes}. Read TRAIN_DIR and VALIDATION_DIR "
            "whole, one call each (no validation_split).", train=ctx.prepared["counts"][0],
            val=ctx.prepared["counts"][1], n=want, found_train=counts[0],
            found_val=counts[1], classes=" and ".join(map(str, classes)))))
    sizes = [(d.get("batch") or {}).get("x_shape", [None])[0] for d in pair]
    verdicts.append(test("batches").verdict(sizes == [BATCH, BATCH], tr("Batches of 32.")
                     if sizes == [BATCH, BATCH] else tr(
                         "Batches of {sizes}; the grading needs batch_size=32 on both.",
                         sizes=" and ".join(map(str, sizes)))))
    verdicts.append(c2w1v4.label_verdict(ctx, test("labels"), obs, default=labels))
    return verdicts


@CHECKS.part("train_val_datasets")
def check_train_val_datasets(ctx: Context, part: PartSpec) -> list[Verdict]:
    return folder_datasets_verdicts(ctx, part, IMAGES, "sparse")


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
    classes = len(ctx.prepared["classes"])
    fitting = (classes,) if loss == "categorical_crossentropy" else UNITS  # one-hot: exact
    softmax = units in fitting and (activation == "softmax" or (
        activation == "linear" and info.get("loss_from_logits")))
    multi = loss in ("sparse_categorical_crossentropy", "categorical_crossentropy")
    wrong_logits = multi and info.get("loss_from_logits") and activation == "softmax"
    test = part.test
    return [
        compiled_verdict(test("compiled"), info),
        c2w1v4.input_verdict(test("input_shape"), info, IMAGES, "tf.keras.layers.InputLayer"),
        c2w1v4.rescaling_verdict(test("rescaling"), info),
        test("small").verdict(convs <= 2 and pools <= 2, tr(
            "{convs} Conv2D and {pools} MaxPooling2D layers.", convs=convs, pools=pools)
         if convs <= 2 and pools <= 2 else tr(
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
    parts=PARTS,
    pass_mark=80.0,
    history=None,
    probe_timeouts={k: v for k, v in c2w1v4.SPEC.probe_timeouts.items()
                    if k != "EarlyStoppingCallback"},
    clean_probes=c2w1v4.SPEC.clean_probes,
    prepare=prepare,
    checks=CHECKS,
    probes=probes.PROBES,
    probe_module=probes.__name__,
    detect_words=("grayscale", "VALIDATION_DIR"),
    detect_means=N_("reads grayscale letter folders"),
    fixtures=fixtures_v4.sign_folders,
    images=IMAGES,
    module=__name__,
    keras="3",
    course_version="v4",
    # the notebook's graded globals cell
    provided={"TRAIN_DIR": "data/train/", "VALIDATION_DIR": "data/validation/"},
)
