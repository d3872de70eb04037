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
from grader.assignments.common import datasets, fixtures
from grader.assignments.common.pretrained import (
    check_last_layer,
    check_pre_trained,
    final_model_verdicts,
    final_tests,
    fixture_fingerprint,
    last_layer_tests,
    pre_trained_tests,
    reference_args,
    same_weights,
)
from grader.i18n import N_, tr
from grader.model.expected import Layer, Pretrained
from grader.model.spec import (
    AssignmentSpec,
    Checks,
    Context,
    ImageInput,
    PartSpec,
    Test,
    Verdict,
    part,
    weigh,
)

FUNCTIONS = ("train_val_datasets", "create_pre_trained_model", "output_of_last_layer",
             "create_final_model")
LOCAL_WEIGHTS_FILE = f"./model/{fixtures.WEIGHTS_FILE}"
IMAGES = ImageInput(size=(150, 150))
# The notebook's numbers (ASSIGNMENTS-2024.md, W3): C2W3's but the learning rate; the seed
# is the grader's reference InceptionV3's.
EXPECTED = Pretrained(
    batch_size=32, classes=2, learning_rate=1e-5, last_layer="mixed7",
    last_layer_shape=(None, 7, 7, 768),
    head=(Layer("Flatten"), Layer("Dense", units=1024, activation="relu"),
          Layer("Dropout", rate=0.2), Layer("Dense", units=1, activation="sigmoid")),
    pre_trained_params=21_802_784, final_params=47_512_481, final_trainable=38_537_217,
    seed=99)
COUNTS = Test("counts", "finds every image of both folders, in {classes} classes")
WEIGHTS = Test("weights", "weights loaded from LOCAL_WEIGHTS_FILE")


def parts(expected: Pretrained) -> tuple[PartSpec, ...]:
    """The rubric, its test names filled from `expected`."""
    dataset_tests = (  # as C2W4v4's (datasets.folder_datasets_verdicts judges both)
        datasets.SOURCE.worth(5),
        datasets.YIELDS.worth(5, shape=IMAGES.shape),
        COUNTS.worth(6, classes=expected.classes),
        datasets.BATCHES.worth(4, size=expected.batch_size),
        datasets.LABELS.worth(5),
    )
    return (
        part("train_val_datasets", dataset_tests,
             probes=("train_val_datasets", "datasets_clean")),
        part("create_pre_trained_model",
             weigh(pre_trained_tests(expected, IMAGES, WEIGHTS), inception=5, weights=10,
                   frozen=7, params=3),
             probes=("create_pre_trained_model", "pretrained_clean")),
        part("output_of_last_layer", last_layer_tests(expected),
             probes=("output_of_last_layer",)),
        part("create_final_model", final_tests(expected),
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
        "pretrained_clean": {"seed": EXPECTED.seed},
        "output_of_last_layer": reference_args(EXPECTED, IMAGES),
        "create_final_model": reference_args(EXPECTED, IMAGES),
        "final_model_training": {"training": str(workdir / "data" / "train"), "steps": 3,
                                 "seed": EXPECTED.seed, "last_layer": EXPECTED.last_layer,
                                 "image_size": list(IMAGES.size),
                                 "batch_size": EXPECTED.batch_size},
    }
    return prepared, args


CHECKS = Checks()


@CHECKS.part("train_val_datasets")
def check_train_val_datasets(ctx: Context, part: PartSpec) -> list[Verdict]:
    return datasets.folder_datasets_verdicts(ctx, part, ctx.spec.images, "binary",
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


CHECKS.part("create_final_model")(final_model_verdicts)
CHECKS.part("output_of_last_layer")(check_last_layer)


SPEC = AssignmentSpec(
    code="C2W3v4",
    title="Transfer learning, 2024 (Keras 3): horses vs humans with InceptionV3",
    functions=FUNCTIONS,
    parts=parts(EXPECTED),
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
    expected=EXPECTED,
    module=__name__,
    keras="3",
    course_version="v4",
    provided={"TRAIN_DIR": "./data/train/", "VALIDATION_DIR": "./data/validation/",
              "LOCAL_WEIGHTS_FILE": LOCAL_WEIGHTS_FILE},  # the notebook's graded globals cell
)
