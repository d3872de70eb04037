"""C2W1v4: the 2024 (Keras 3) cats vs dogs notebook. `./PetImages` as it ships (already
cleaned), split by `image_dataset_from_directory` itself; an Input + Rescaling model head; a
graded early-stopping callback; the history against 95% / 80%.

Probes run in the child and only observe; checks run in the parent and judge. The datasets
and the model are rebuilt from their configuration in the clean child (see
common/datasets.py and brief_training), the callback is judged on its behaviour.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.assignments.c2w1v4 import probes
from grader.assignments.c2w1v4.probes import LABEL_MODES
from grader.assignments.common import callbacks, datasets, fixtures_v4, models
from grader.assignments.common.learning import CATS_FROM_DOGS, training_verdict
from grader.assignments.common.models import (
    accuracy_verdict,
    compiled_verdict,
    convs_verdict,
    created_model,
    output_verdict,
)
from grader.i18n import tr
from grader.model import keras_names
from grader.model.spec import (
    AssignmentSpec,
    Checks,
    Context,
    HistoryRule,
    ImageInput,
    PartSpec,
    Test,
    Verdict,
    all_fail,
    part,
    weigh,
)
from grader.sandbox.brief_training import sees_unit_range

FUNCTIONS = ("train_val_datasets", "create_model", "EarlyStoppingCallback")
IMAGES = ImageInput(size=(150, 150))
VALIDATION_SPLIT = 0.1
STOP_AT = (0.95, 0.80)  # accuracy, val_accuracy
# The brief training (common/learning.py) trains on two thirds of the fixture and measures
# on the other third (10% would leave 29 images, too few to tell learning from chance), for
# at most this many epochs; most models show they learn after one.
BRIEF_SPLIT = 0.34
TRAIN_MAX_EPOCHS = 8
SEED = 1234

# "SECOND layer Rescaling with factor 1./255" (C2W4v4's too), judged by what the first
# Conv2D receives (rescaling_verdict).
RESCALING_FIRST = Test("rescaling", "Rescaling(1./255) comes first, before any Conv2D")

# Beside each check, the line of ASSIGNMENTS-2024.md (W1) it enforces.
DATASET_TESTS = (
    # Ex1: "returns (training_dataset, validation_dataset)", one image_dataset_from_directory
    # call; also charged, once, when the function reads its own machine's folder, not DATA_DIR
    datasets.SOURCE.worth(6),
    datasets.YIELDS.worth(6, shape=IMAGES.shape),  # image_size=(150,150); no rescaling
    datasets.SPLIT.worth(7, share=VALIDATION_SPLIT),  # validation_split=0.1, seed
    datasets.LABELS.worth(6),  # "a label_mode that fits binary classification"
)
MODEL_TESTS = (
    models.COMPILED.worth(3),  # Ex2: "a compiled, untrained Sequential"
    # "FIRST layer tf.keras.layers.Input with the right shape"
    models.INPUT_SHAPE.worth(4, shape=IMAGES.shape),
    RESCALING_FIRST.worth(5),
    models.CONVS.worth(4),  # "at least 3 convolution layers"
    models.TWO_CLASSES.worth(4),  # "last layer's activation must match the loss"
    models.ACCURACY.worth(3),  # metrics=['accuracy'] pre-filled; the callback reads it
    # Required behaviour: training reaches 95%/80% on the real data; here, that it learns at all
    CATS_FROM_DOGS.worth(12),
)
HISTORY = HistoryRule("history.pkl", max_epochs=15, min_train_accuracy=STOP_AT[0],
                      min_val_accuracy=STOP_AT[1])

PARTS = (
    part("train_val_datasets", DATASET_TESTS, probes=("train_val_datasets", "datasets_clean")),
    part("create_model", MODEL_TESTS, probes=("create_model", "train")),
    part("EarlyStoppingCallback",
         weigh(callbacks.CALLBACK_TESTS, subclass=3, stops=6, keeps_training=6),
         probes=("EarlyStoppingCallback",)),
    HISTORY.part(readable=2, lists=2, epochs=1, finite=1, train_accuracy=9, val_accuracy=10),
)


def petimages(workdir: Path, images: ImageInput, split: float,
              stop_at: tuple[float, float]) -> tuple[dict, dict[str, dict]]:
    """The notebook's `./PetImages` beside the child's working directory (a copy: the
    learner's code must not reach the cache), and the probes' arguments (C2W2v4's too)."""
    pets = fixtures_v4.petimages_v4()
    shutil.copytree(pets, workdir / "PetImages")
    total = fixtures_v4.count_images(pets)
    val = int(split * total)  # as Keras rounds: int(), so 29 of 297 for 10%
    prepared = {"counts": (total - val, val)}
    args = {
        "train": {"directory": str(workdir / "PetImages"), "image_size": list(images.size),
                  "validation_split": BRIEF_SPLIT, "seed": SEED,
                  "max_epochs": TRAIN_MAX_EPOCHS},
        "EarlyStoppingCallback": {"cases": callbacks.cases(*stop_at)},
    }
    return prepared, args


def prepare(workdir: Path) -> tuple[dict, dict[str, dict]]:
    return petimages(workdir, IMAGES, VALIDATION_SPLIT, STOP_AT)


def check_train_val_datasets(ctx: Context, part: PartSpec, share: float) -> list[Verdict]:
    problem, obs = datasets.dataset_observations(ctx)
    if problem:
        return all_fail(part, problem)
    images = (ctx.spec.images if ctx.spec else None) or IMAGES
    test = part.test
    verdicts: list[Verdict] = [
        datasets.source_verdict(test("source"), obs, "DATA_DIR"),
        datasets.images_verdict(test("yields"), obs, images.shape),
        datasets.split_verdict(test("split"), obs, tuple(ctx.prepared["counts"]), share),
    ]
    verdicts.append(label_verdict(ctx, test("labels"), obs))
    return verdicts


# What each head trains on under Keras 3. A sigmoid unit takes 'int' labels as well as
# 'binary' ones: its loss and accuracy cast and reshape (N,) integer labels to the (N, 1)
# output, and training measured the same as with 'binary' (docs/assignments.md, C2W1v4).
ACCEPTED_LABELS = {"binary": ("binary", "int"), "sparse": ("int",),
                   "categorical": ("categorical",)}


def label_verdict(ctx: Context, test: Test, obs: dict, default: str = "binary") -> Verdict:
    """The labels against the model's head (the course's head, `default`, when create_model
    cannot be judged: one sigmoid unit, or C2W4v4's sparse softmax)."""
    name = test.name
    modes = {datasets.label_mode(d) for d in obs["datasets"]}
    problem, info = created_model(ctx)
    kind = (keras_names.output_kind(info) if not problem else None) or default
    wanted = LABEL_MODES[kind]
    if len(modes) == 1 and modes <= set(ACCEPTED_LABELS[kind]):
        return (name, True, tr("label_mode '{mode}' fits the model.", mode=modes.pop()))
    found = ", ".join(sorted(modes))
    if not problem and keras_names.output_kind(info):
        described = tr("your model ends in {units} {activation} unit(s) with {loss}",
                       units=info["output_shape"][-1], activation=info.get("output_activation"),
                       loss=info.get("loss_spelled") or info.get("loss"))
    elif default == "binary":
        described = tr("a two-class model with one sigmoid output")
    else:
        described = tr("a softmax over the classes with sparse_categorical_crossentropy")
    return (name, False, tr(
        "The datasets' labels look like label_mode={found}, but {model} needs "
        "label_mode={wanted}.", found=repr(found), model=described, wanted=repr(wanted)))


def input_verdict(test: Test, info: dict, images: ImageInput,
                  layer: str = "tf.keras.Input") -> Verdict:
    """The model's input shape against the images it is fed (`layer`: what to start with)."""
    name = test.name
    shape = info.get("input_shape")
    if shape == [None, *images.shape]:
        return (name, True, tr("Input shape {shape}.", shape=images.shape))
    return (name, False, tr(
        "Expected input shape (None, {dims}); found {found}. Start the model with "
        "{layer}(shape={shape}).", dims=", ".join(map(str, images.shape)), found=shape,
        layer=layer, shape=images.shape))


def rescaling_verdict(test: Test, info: dict) -> Verdict:
    """Every Conv2D sees pixels in 0-1: a Rescaling(1./255) before the first convolution
    (the notebooks' rule: "Rescaling with factor 1./255", after the Input), judged by what
    that convolution receives (describe_model's `conv_input`), not by where the layer sits:
    augmentation before or after it, a functional model's InputLayer, all the same."""
    name = test.name
    scaling = info.get("rescaling") or []
    first_conv = info.get("first_conv")
    before = [s for s in scaling if first_conv is None or s["index"] < first_conv]
    if not scaling:
        return (name, False, tr(
            "The model has no Rescaling layer, and the datasets give it pixels of 0-255: add "
            "tf.keras.layers.Rescaling(1./255) right after the Input."))
    if not before:
        return (name, False, tr(
            "Rescaling is layer {n}, after the first Conv2D (layer {conv}): that Conv2D sees "
            "pixels of 0-255. Put tf.keras.layers.Rescaling(1./255) right after the Input.",
            n=scaling[0]["index"] + 1, conv=first_conv + 1))
    scale, offset = before[0]["scale"], before[0]["offset"]
    if abs(scale * 255 - 1) >= 1e-3 or abs(offset) >= 1e-6:
        return (name, False, tr(
            "The Rescaling layer is Rescaling(scale={scale:.5f}, offset={offset:g}); the "
            "notebook asks for Rescaling(1./255), pixels from 0-255 to 0-1.", scale=scale,
            offset=offset))
    seen = info.get("conv_input")
    if seen and not sees_unit_range(seen):
        return (name, False, tr(
            "Fed images of 0-255, the first Conv2D receives values from {low:.3g} to "
            "{high:.3g}, not 0-1: scale the pixels once, with Rescaling(1./255).",
            low=seen["min"], high=seen["max"]))
    return (name, True, tr("Rescaling(1./255) before the first Conv2D: it sees pixels in 0-1."))


CHECKS = Checks()


@CHECKS.part("train_val_datasets")
def _datasets(ctx: Context, part: PartSpec) -> list[Verdict]:
    return check_train_val_datasets(ctx, part, VALIDATION_SPLIT)


@CHECKS.part("create_model")
def check_create_model(ctx: Context, part: PartSpec) -> list[Verdict]:
    problem, info = created_model(ctx)
    if problem:
        return all_fail(part, problem)
    test = part.test
    images = (ctx.spec.images if ctx.spec else None) or IMAGES
    return [compiled_verdict(test("compiled"), info),
            input_verdict(test("input_shape"), info, images),
            rescaling_verdict(test("rescaling"), info),
            convs_verdict(test("convs"), info), output_verdict(test("output"), info),
            accuracy_verdict(test("accuracy"), info), training_verdict(ctx, test("learns"))]


@CHECKS.part("EarlyStoppingCallback")
def _callback(ctx: Context, part: PartSpec) -> list[Verdict]:
    return callbacks.check_callback(ctx, part, *STOP_AT)


SPEC = AssignmentSpec(
    code="C2W1v4",
    title="Cats vs dogs, 2024 (Keras 3, image_dataset_from_directory)",
    functions=FUNCTIONS,
    parts=PARTS,
    pass_mark=80.0,
    history=HISTORY,
    probe_timeouts={"train_val_datasets": 90, "datasets_clean": 90, "create_model": 90,
                    "train": 300, "EarlyStoppingCallback": 60},
    clean_probes={"train": "create_model", "datasets_clean": "train_val_datasets"},
    prepare=prepare,
    checks=CHECKS,
    probes=probes.PROBES,
    probe_module=probes.__name__,
    fixtures=fixtures_v4.petimages_v4,
    images=IMAGES,
    module=__name__,
    keras="3",
    course_version="v4",
    provided={"DATA_DIR": "./PetImages"},  # the notebook's graded globals cell
)
