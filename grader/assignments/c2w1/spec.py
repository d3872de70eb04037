"""C2W1: cats vs dogs on the full Kaggle set (fixture-sized here).

Probes run in the child and only observe; checks run in the parent and judge, reading the
filesystem themselves where the function's effect is on disk.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from grader.assignments.c2w1 import files as c2w1_files
from grader.assignments.c2w1 import probes
from grader.assignments.c2w1.files import (
    DIRS_TESTS,
    SPLIT_TESTS,
    check_create_train_val_dirs,
    check_split_data,
    slash,
)
from grader.assignments.common import fixtures, generators
from grader.assignments.common.feedback import describe_error, outcome_problem
from grader.assignments.common.generators import (
    GENERATOR_TESTS,
    check_train_val_generators,
    model_info,
)
from grader.assignments.common.learning import training_verdict
from grader.i18n import N_, say, tr
from grader.model import keras_names
from grader.model.spec import (
    AssignmentSpec,
    Checks,
    Context,
    HistoryRule,
    PartSpec,
    Verdict,
    all_fail,
    part,
)

FUNCTIONS = ("create_train_val_dirs", "split_data", "train_val_generators", "create_model")
# The brief training's cap: most models show they learn after one epoch (common/learning.py).
TRAIN_MAX_EPOCHS = 8
SEED = 1234

MODEL_TESTS = (
    N_("returns a compiled Keras model"),
    N_("input shape is (150, 150, 3)"),
    N_("has at least 3 Conv2D layers"),
    N_("output layer and loss fit two classes"),
    N_("tracks the 'accuracy' metric"),
    N_("learns to tell the fixture's cats from dogs"),
)
if MODEL_TESTS[1] != f"input shape is {generators.IMAGES.shape}":
    raise ValueError("MODEL_TESTS no longer match generators.IMAGES: write the new name out")
HISTORY = HistoryRule("history.pkl", max_epochs=15, min_train_accuracy=0.95,
                      min_val_accuracy=0.80)

PARTS = (
    part("create_train_val_dirs", DIRS_TESTS, (6, 4), probes=("create_train_val_dirs",)),
    part("split_data", SPLIT_TESTS, (5, 3, 6, 4, 4, 4, 4), probes=("split_data",)),
    part("train_val_generators", GENERATOR_TESTS, (3, 4, 4, 3, 4, 2),
         probes=("train_val_generators", "generators_clean")),
    part("create_model", MODEL_TESTS, (2, 3, 3, 3, 2, 7), probes=("create_model", "train")),
    HISTORY.part((2, 2, 1, 1, 7, 7)),
)


def prepare(workdir: Path) -> tuple[dict, dict[str, dict]]:
    pets = fixtures.petimages()
    prepared, args = c2w1_files.prepare(workdir, pets)
    data = workdir / "data"
    shutil.copytree(pets.training, data / "training")
    shutil.copytree(pets.validation, data / "validation")
    counts = {
        part: sum(len(os.listdir(data / part / c)) for c in ("cats", "dogs"))
        for part in ("training", "validation")
    }
    brief = fixtures.brief_split([data / "training", data / "validation"], workdir / "brief")
    args.update({
        "train_val_generators": {"training": slash(data / "training"),
                                 "validation": slash(data / "validation"),
                                 "exports": str(workdir / "exports")},
        "train": {"training": str(brief[0]), "validation": str(brief[1]), "seed": SEED,
                  "max_epochs": TRAIN_MAX_EPOCHS},
    })
    prepared["counts"] = counts
    prepared["generator_dirs"] = [args["train_val_generators"][k]
                                  for k in ("training", "validation")]
    prepared["course"]["train_val_generators"] = {  # where the notebook's globals point
        "/tmp/cats-v-dogs/training": str(data / "training"),
        "/tmp/cats-v-dogs/validation": str(data / "validation"),
        "/tmp/cats-v-dogs/testing": str(data / "validation")}  # the 2022 notebooks' name
    return prepared, args


def tracks_accuracy(info: dict) -> bool:
    """Any accuracy metric, however spelled or named: 'acc', BinaryAccuracy(name='a')."""
    kinds = info.get("metric_kinds") or info.get("metrics") or []
    return any(keras_names.is_accuracy(k) for k in kinds)


def created_model(ctx: Context) -> tuple[str | None, dict]:
    """(why create_model cannot be judged, or None; the model's description)."""
    outcome = ctx.outcomes.get("create_model")
    problem = outcome_problem("create_model", outcome)
    if problem:
        return problem, {}
    obs = outcome.observation
    if not obs["call"]["ok"]:
        return describe_error("create_model", obs["call"]["error"]), {}
    info = model_info(ctx) if obs.get("model") else None
    if not info and obs.get("clean_failure"):  # the clean rebuild never got to describe it
        return say(obs["clean_failure"]), {}
    if not info:
        return tr("create_model returned {returned}, not a Keras model.",
                  returned=obs.get("returned")), {}
    return None, info


CHECKS = Checks()
CHECKS.part("create_train_val_dirs")(check_create_train_val_dirs)
CHECKS.part("split_data")(check_split_data)
CHECKS.part("train_val_generators")(check_train_val_generators)


def compiled_verdict(name: str, info: dict) -> Verdict:
    if info.get("compiled") and info.get("loss"):
        return (name, True, tr("A compiled {type}.", type=info["type"]))
    return (name, False, tr(
        "The model is not compiled: call model.compile(optimizer=..., loss=..., "
        "metrics=['accuracy']) before returning it."))


def convs_verdict(name: str, info: dict) -> Verdict:
    convs = sum(1 for layer in info.get("layers", []) if layer == "Conv2D")
    if convs >= 3:
        return (name, True, tr("{n} Conv2D layers.", n=convs))
    return (name, False, tr("Expected at least 3 Conv2D layers; found {n}. Stack Conv2D + "
                            "MaxPooling2D blocks.", n=convs))


def output_verdict(name: str, info: dict) -> Verdict:
    """Output layer and loss fit two classes, in any spelling Keras accepts."""
    if keras_names.output_kind(info):
        return (name, True, tr(
            "{units} {activation} output with {loss}.", units=info["output_shape"][-1],
            activation=info.get("output_activation"),
            loss=info.get("loss_spelled") or info.get("loss")))
    return (name, False, keras_names.logits_problem(info) or tr(
        "The model ends in {units} unit(s) with activation {activation} and loss {loss}. "
        "For two classes use Dense(1, activation='sigmoid') with "
        "loss='binary_crossentropy' (or 2 softmax units with a categorical "
        "cross-entropy).", units=(info.get("output_shape") or [None])[-1],
        activation=repr(info.get("output_activation")),
        loss=repr(info.get("loss_spelled") or info.get("loss"))))


def accuracy_verdict(name: str, info: dict) -> Verdict:
    if tracks_accuracy(info):
        return (name, True, tr("Accuracy is tracked."))
    return (name, False, tr(
        "Expected metrics=['accuracy'] in compile; found {metrics}. The history check "
        "needs the 'accuracy' and 'val_accuracy' keys.", metrics=info.get("metrics")))


@CHECKS.part("create_model")
def check_create_model(ctx: Context, part: PartSpec) -> list[Verdict]:
    problem, info = created_model(ctx)
    if problem:
        return all_fail(part, problem)
    verdicts: list[Verdict] = [compiled_verdict(MODEL_TESTS[0], info)]
    shape = info.get("input_shape")
    want = (ctx.spec.images if ctx.spec else None) or generators.IMAGES
    if shape == [None, *want.shape]:
        verdicts.append((MODEL_TESTS[1], True, tr("Input shape {shape}.", shape=want.shape)))
    else:
        verdicts.append((MODEL_TESTS[1], False, tr(
            "Expected input shape (None, {dims}); found {found}. Give the first layer "
            "input_shape={shape}.", dims=", ".join(map(str, want.shape)), found=shape,
            shape=want.shape)))
    return verdicts + [convs_verdict(MODEL_TESTS[2], info), output_verdict(MODEL_TESTS[3], info),
                       accuracy_verdict(MODEL_TESTS[4], info),
                       training_verdict(ctx, MODEL_TESTS[5])]


SPEC = AssignmentSpec(
    code="C2W1",
    title="Cats vs dogs (full Kaggle set)",
    functions=FUNCTIONS,
    parts=PARTS,
    pass_mark=80.0,
    history=HISTORY,
    probe_timeouts={"create_train_val_dirs": 60, "split_data": 60, "train_val_generators": 90,
                    "create_model": 90, "train": 300, "generators_clean": 90},
    clean_probes={"train": "create_model", "generators_clean": "train_val_generators"},
    renamed={"create_train_val_dirs": c2w1_files.EARLY_2022_NAME},
    prepare=prepare,
    checks=CHECKS,
    probes=probes.PROBES,
    probe_module=probes.__name__,
    fixtures=fixtures.petimages,
    images=generators.IMAGES,
    module=__name__,
)
