"""C2W2v4: the 2024 (Keras 3) cats vs dogs with augmentation. C2W1v4's data and rules at
120x120 with 15% for validation, an augmentation model of random layers that the model
stacks before its Rescaling, the callback at 80% / 80%, and a history that must not overfit.

The augmentation model is judged on its configuration (its layers) and, rebuilt in the
clean child, on its behaviour: the same images come out different on each call, shaped as
they went in.
"""

from __future__ import annotations

from grader.assignments.c2w1v4 import spec as c2w1v4
from grader.assignments.c2w2v4 import probes
from grader.assignments.c2w2v4.probes import AUGMENTATION, IMAGES
from grader.assignments.common import callbacks, fixtures_v4
from grader.assignments.common.feedback import describe_error, outcome_problem
from grader.assignments.common.learning import training_verdict
from grader.assignments.common.models import (
    accuracy_verdict,
    compiled_verdict,
    convs_verdict,
    created_model,
    output_verdict,
)
from grader.i18n import N_, say, tr
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

FUNCTIONS = ("train_val_datasets", "create_augmentation_model", "create_model",
             "EarlyStoppingCallback")
VALIDATION_SPLIT = 0.15
STOP_AT = (0.80, 0.80)
# Keras' random preprocessing layers (RandomFlip, RandomRotation, RandomZoom, ...) and the
# few augmentation layers named otherwise.
OTHER_AUGMENTATIONS = {"AugMix", "RandAugment", "Solarization", "AutoContrast", "Equalization"}

DATASET_TESTS = (
    c2w1v4.DATASET_TESTS[0],
    N_("yields (120, 120, 3) images with pixels 0-255"),
    N_("puts 15% of the files in validation, none in both"),
    c2w1v4.DATASET_TESTS[3],
)
AUGMENT_TESTS = (  # ASSIGNMENTS-2024.md, W2 Ex2
    N_("takes (120, 120, 3) images"),  # "must start with tf.keras.Input, shaped like one image"
    N_("has only random augmentation layers, no Rescaling"),  # "must not contain Rescaling"
    N_("changes images at random"),  # the notebook's suggested layers; a crop is allowed
)
MODEL_TESTS = (
    c2w1v4.MODEL_TESTS[0],
    N_("input shape is (120, 120, 3)"),
    N_("augments its input first, with the augmentation model"),  # Ex3: "stacks it into"
    N_("Rescaling(1./255) before any Conv2D"),  # "normally after": not a rule
    *c2w1v4.MODEL_TESTS[3:],
)
if DATASET_TESTS[1] != f"yields {IMAGES.shape} images with pixels 0-255":
    raise ValueError("DATASET_TESTS no longer match IMAGES: write the new names out")
HISTORY = HistoryRule("history.pkl", max_epochs=35, min_train_accuracy=STOP_AT[0],
                      min_val_accuracy=STOP_AT[1], max_curve_mse=0.20,
                      max_slope_difference=0.30)

PARTS = (
    part("train_val_datasets", DATASET_TESTS, (4, 4, 5, 4),
         probes=("train_val_datasets", "datasets_clean")),
    part(AUGMENTATION, AUGMENT_TESTS, (3, 4, 8), probes=(AUGMENTATION, "augmentation_clean")),
    part("create_model", MODEL_TESTS, (2, 3, 5, 4, 3, 3, 2, 8), probes=("create_model", "train")),
    part("EarlyStoppingCallback", callbacks.CALLBACK_TESTS, (2, 4, 4),
         probes=("EarlyStoppingCallback",)),
    HISTORY.part((2, 2, 1, 1, 6, 6, 5, 5)),
)


def prepare(workdir):
    prepared, args = c2w1v4.petimages(workdir, IMAGES, VALIDATION_SPLIT, STOP_AT)
    args["augmentation_clean"] = {"seed": c2w1v4.SEED, "shape": list(IMAGES.shape)}
    return prepared, args


def is_augmentation(layer: str) -> bool:
    return layer.startswith("Random") or layer in OTHER_AUGMENTATIONS


def augmentation_end(layers: list[str]) -> int:
    """Where the augmentation applied to the input ends: one past the last augmentation layer
    before the first Conv2D (0 when there is none)."""
    first_conv = layers.index("Conv2D") if "Conv2D" in layers else len(layers)
    found = [i for i, layer in enumerate(layers[:first_conv]) if is_augmentation(layer)]
    return found[-1] + 1 if found else 0


CHECKS = Checks()


@CHECKS.part("train_val_datasets")
def _datasets(ctx: Context, part: PartSpec) -> list[Verdict]:
    return c2w1v4.check_train_val_datasets(ctx, part, VALIDATION_SPLIT)


@CHECKS.part(AUGMENTATION)
def check_augmentation(ctx: Context, part: PartSpec) -> list[Verdict]:
    outcome = ctx.outcomes.get(AUGMENTATION)
    problem = outcome_problem(AUGMENTATION, outcome)
    if problem:
        return all_fail(part, problem)
    obs = outcome.observation
    if not obs["call"]["ok"]:
        return all_fail(part, describe_error(AUGMENTATION, obs["call"]["error"]))
    info = obs.get("model")
    if not info and obs.get("clean_failure"):  # the clean rebuild never got to describe it
        return all_fail(part, say(obs["clean_failure"]))
    if not info:
        return all_fail(part, tr("{name} returned {returned}, not a Keras model.",
                                 name=AUGMENTATION, returned=obs.get("returned")))
    verdicts = [c2w1v4.input_verdict(AUGMENT_TESTS[0], info, IMAGES)]
    layers = info.get("layers") or []
    others = [layer for layer in layers if not is_augmentation(layer)]
    if layers and not others:
        verdicts.append((AUGMENT_TESTS[1], True, tr("Augmentation layers: {layers}.",
                                                    layers=", ".join(layers))))
    elif not layers:
        verdicts.append((AUGMENT_TESTS[1], False, tr(
            "The model has no layers: add random augmentation layers such as "
            "tf.keras.layers.RandomFlip, RandomRotation, RandomTranslation and RandomZoom.")))
    else:
        verdicts.append((AUGMENT_TESTS[1], False, tr(
            "Found {others} among the augmentation layers; this model only changes images at "
            "random (RandomFlip, RandomRotation, ...). Rescaling belongs in create_model, "
            "after it.", others=", ".join(others))))
    verdicts.append(behaviour_verdict(obs))
    return verdicts


def behaviour_verdict(obs: dict) -> Verdict:
    name = AUGMENT_TESTS[2]
    if obs.get("rebuild_error"):
        return (name, False, tr(
            "The grader rebuilds your augmentation model from its configuration, and could "
            "not: {error}.", error=say(obs["rebuild_error"])))
    if obs.get("apply_error"):
        return (name, False, tr("Applying it to a batch of images failed: {error}.",
                                error=obs["apply_error"]))
    if "calls_differ" not in obs:
        return (name, False, say(obs["clean_failure"]) if obs.get("clean_failure")
                else tr("It could not be applied to images."))
    if obs["calls_differ"] <= 1e-3:
        return (name, False, tr(
            "The same images came out identical on two calls in training mode: its layers do "
            "not change them. Give them non-zero factors (RandomRotation(0.2), ...)."))
    return (name, True, tr("The same images come out different on each call, same shape."))


@CHECKS.part("create_model")
def check_create_model(ctx: Context, part: PartSpec) -> list[Verdict]:
    problem, info = created_model(ctx)
    if problem:
        return all_fail(part, problem)
    names = part.test_names
    leading = augmentation_end(info.get("layers") or [])
    return [
        compiled_verdict(names[0], info),
        c2w1v4.input_verdict(names[1], info, IMAGES),
        (names[2], True, tr("The input is augmented before any Conv2D.")) if leading
        else (names[2], False, tr(
            "The model does not augment its input: put create_augmentation_model() right "
            "after the Input.")),
        c2w1v4.rescaling_verdict(names[3], info),
        convs_verdict(names[4], info), output_verdict(names[5], info),
        accuracy_verdict(names[6], info), training_verdict(ctx, names[7]),
    ]


@CHECKS.part("EarlyStoppingCallback")
def _callback(ctx: Context, part: PartSpec) -> list[Verdict]:
    return callbacks.check_callback(ctx, part, *STOP_AT)


SPEC = AssignmentSpec(
    code="C2W2v4",
    title="Cats vs dogs with augmentation, 2024 (Keras 3, an augmentation model)",
    functions=FUNCTIONS,
    parts=PARTS,
    pass_mark=80.0,
    history=HISTORY,
    probe_timeouts={**c2w1v4.SPEC.probe_timeouts, AUGMENTATION: 90,
                    "augmentation_clean": 90},
    clean_probes={**c2w1v4.SPEC.clean_probes, "augmentation_clean": AUGMENTATION},
    prepare=prepare,
    checks=CHECKS,
    probes=probes.PROBES,
    probe_module=probes.__name__,
    detect_words=(AUGMENTATION, "RandomFlip", "RandomRotation", "RandomZoom",
                  "RandomTranslation"),
    detect_means=N_("builds an augmentation model"),
    fixtures=fixtures_v4.petimages_v4,
    images=IMAGES,
    module=__name__,
    keras="3",
    course_version="v4",
    provided={"DATA_DIR": "./PetImages"},  # the notebook's graded globals cell
)
