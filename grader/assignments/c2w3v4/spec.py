"""C2W3v4: the 2024 (Keras 3) transfer learning on horses vs humans. Datasets read whole from
`./data/train/` and `./data/validation/`, an InceptionV3 built with
`weights=LOCAL_WEIGHTS_FILE` and frozen, its `mixed7` output, and a sigmoid head trained with
RMSprop at 1e-5. The callback is provided, and no history is submitted.

The weights file is C2W3's fixture (an untrained InceptionV3 in Keras 2's HDF5 format, which
Keras 3 loads too) under the course's name in `./model/`; `weights='imagenet'` is served a
shifted copy, so that mistake costs the weights check alone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.assignments.c2w3v4 import probes
from grader.assignments.c2w3v4.probes import IMAGES
from grader.assignments.common import datasets, fixtures
from grader.assignments.common.pretrained import (
    FROZEN,
    INCEPTION,
    LAST_LAYER_TESTS,
    PARAMS,
    check_last_layer,
    check_pre_trained,
    final_model_verdicts,
    final_tests,
    fixture_fingerprint,
    same_weights,
)
from grader.assignments.common.probes_pretrained import SEED
from grader.i18n import N_, tr
from grader.model.spec import AssignmentSpec, Checks, Context, PartSpec, Test, Verdict, part, weigh

FUNCTIONS = ("train_val_datasets", "create_pre_trained_model", "output_of_last_layer",
             "create_final_model")
LEARNING_RATE = 1e-5
LOCAL_WEIGHTS_FILE = f"./model/{fixtures.WEIGHTS_FILE}"

DATASET_TESTS = (  # as C2W4v4's (datasets.folder_datasets_verdicts judges both)
    datasets.SOURCE.worth(5),
    datasets.YIELDS.worth(5, shape=IMAGES.shape),
    Test("counts", "finds every image of both folders, in 2 classes", points=6),
    datasets.BATCHES.worth(4),
    datasets.LABELS.worth(5),
)
WEIGHTS = Test("weights", "weights loaded from LOCAL_WEIGHTS_FILE")

PARTS = (
    part("train_val_datasets", DATASET_TESTS, probes=("train_val_datasets", "datasets_clean")),
    part("create_pre_trained_model",
         weigh((INCEPTION, WEIGHTS, FROZEN, PARAMS), inception=5, weights=10, frozen=7,
               params=3),
         probes=("create_pre_trained_model", "pretrained_clean")),
    part("output_of_last_layer", LAST_LAYER_TESTS, probes=("output_of_last_layer",)),
    part("create_final_model", final_tests(LEARNING_RATE),
         probes=("create_final_model", "final_model_training")),
)


def prepare(workdir: Path) -> tuple[dict, dict[str, dict]]:
    """The notebook's `./data/{train,validation}/` and `./model/<weights file>` beside the
    child's working directory (copies: learner code must not reach the cache)."""
    data = fixtures.horses_or_humans()
    shutil.copytree(data.training, workdir / "data" / "train")
    shutil.copytree(data.validation, workdir / "data" / "validation")
    weights = fixtures.inception_weights()
    (workdir / "model").mkdir()
    (workdir / "exports").mkdir()
    shutil.copyfile(weights, workdir / LOCAL_WEIGHTS_FILE)
    imagenet = fixtures.course_weights()  # what weights='imagenet' is served
    prepared = {
        "counts": tuple(sum(fixtures.HORSES_COUNTS[p].values())
                        for p in ("training", "validation")),
        "classes": sorted(fixtures.HORSES_COUNTS["training"]),
        "fingerprint": fixture_fingerprint(str(weights)),
        "imagenet_fingerprint": fixture_fingerprint(str(imagenet)),
    }
    args = {
        "create_pre_trained_model": {
            "imagenet": str(imagenet),
            "saved_weights": str(workdir / "exports" / "pretrained.weights.h5")},
        "pretrained_clean": {"seed": SEED},
        "final_model_training": {"training": str(workdir / "data" / "train"), "steps": 3,
                                 "seed": SEED},
    }
    return prepared, args


CHECKS = Checks()


@CHECKS.part("train_val_datasets")
def check_train_val_datasets(ctx: Context, part: PartSpec) -> list[Verdict]:
    return datasets.folder_datasets_verdicts(ctx, part, IMAGES, "binary",
                                           N_("the notebook's preprocess_input"))


def weights_verdict(ctx: Context, got: dict, obs: dict) -> tuple[bool, str]:
    """The weights of LOCAL_WEIGHTS_FILE ("weights=?": the notebook's global). ImageNet's,
    which `weights='imagenet'` downloads (the grader serves its own stand-in, told apart by
    the clean measurement), are the same weights: full marks, with a note that the lab,
    without internet, expects the local file."""
    if same_weights(got, ctx.prepared["fingerprint"]):
        return True, tr("The model holds exactly the weights of LOCAL_WEIGHTS_FILE.")
    if same_weights(got, ctx.prepared["imagenet_fingerprint"]):
        return True, tr(
            "weights='imagenet' loads the same ImageNet weights as LOCAL_WEIGHTS_FILE. Note: "
            "the lab has no internet, so there pass weights=LOCAL_WEIGHTS_FILE, the copy "
            "provided in ./model/.")
    return False, tr(
        "The model's weights are not those of LOCAL_WEIGHTS_FILE: build InceptionV3 with "
        "weights=LOCAL_WEIGHTS_FILE (or weights=None, then "
        "pre_trained_model.load_weights(LOCAL_WEIGHTS_FILE)).")


@CHECKS.part("create_pre_trained_model")
def check_pre_trained_v4(ctx: Context, part: PartSpec) -> list[Verdict]:
    return check_pre_trained(ctx, part, weights_verdict,
                             "InceptionV3(input_shape=(150, 150, 3), include_top=False, "
                             "weights=LOCAL_WEIGHTS_FILE)")


@CHECKS.part("create_final_model")
def check_final_model(ctx: Context, part: PartSpec) -> list[Verdict]:
    return final_model_verdicts(ctx, part, LEARNING_RATE)


CHECKS.part("output_of_last_layer")(check_last_layer)


SPEC = AssignmentSpec(
    code="C2W3v4",
    title="Transfer learning, 2024 (Keras 3): horses vs humans with InceptionV3",
    functions=FUNCTIONS,
    parts=PARTS,
    pass_mark=80.0,
    history=None,
    probe_timeouts={"train_val_datasets": 90, "datasets_clean": 90,
                    "create_pre_trained_model": 180, "output_of_last_layer": 120,
                    "create_final_model": 120, "final_model_training": 300,
                    "pretrained_clean": 180},
    clean_probes={"final_model_training": "create_final_model",
                  "pretrained_clean": "create_pre_trained_model",
                  "datasets_clean": "train_val_datasets"},
    prepare=prepare,
    checks=CHECKS,
    probes=probes.PROBES,
    probe_module=probes.__name__,
    detect_words=("LOCAL_WEIGHTS_FILE",),  # C2W3 has local_weights_file, lower case
    detect_means=N_("builds InceptionV3 from LOCAL_WEIGHTS_FILE"),
    fixtures=lambda: (fixtures.horses_or_humans(), fixtures.inception_weights()),
    images=IMAGES,
    module=__name__,
    keras="3",
    course_version="v4",
    provided={"TRAIN_DIR": "./data/train/", "VALIDATION_DIR": "./data/validation/",
              "LOCAL_WEIGHTS_FILE": LOCAL_WEIGHTS_FILE},  # the notebook's graded globals cell
)
