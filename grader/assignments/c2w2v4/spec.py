"""C2W2v4: the 2024 (Keras 3) cats vs dogs with augmentation. C2W1v4's data and rules
(common/petimages.py, datasets.py, models.py) at
120x120 with 15% for validation, an augmentation model of random layers that the model
stacks before its Rescaling, the callback at 80% / 80%, and a history that must not overfit.

The augmentation model is judged on its configuration (its layers) and, rebuilt in the
clean child, on its behaviour: the same images come out different on each call, shaped as
they went in.
"""

from __future__ import annotations

from grader.assignments.c2w2v4 import probes
from grader.assignments.c2w2v4.probes import AUGMENTATION
from grader.assignments.common import callbacks, datasets, fixtures_v4, models, petimages
from grader.assignments.common.feedback import describe_error, outcome_problem
from grader.assignments.common.learning import CATS_FROM_DOGS, training_verdict
from grader.assignments.common.models import (
    accuracy_verdict,
    compiled_verdict,
    convs_verdict,
    created_model,
    input_verdict,
    output_verdict,
    rescaling_verdict,
)
from grader.i18n import N_, say, tr
from grader.model.expected import CatsDogs2024
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

FUNCTIONS = ("train_val_datasets", "create_augmentation_model", "create_model",
             "EarlyStoppingCallback")
IMAGES = ImageInput(size=(120, 120))
# stop_at: the callback's targets. The brief training (common/learning.py): two thirds of the
# fixture to train, the other third (brief_split) to measure, for at most max_epochs epochs.
EXPECTED = CatsDogs2024(validation_split=0.15, convs_at_least=3, stop_at=(0.80, 0.80),
                        brief_split=0.34, seed=1234, max_epochs=8)
# Keras' random preprocessing layers (RandomFlip, RandomRotation, RandomZoom, ...) and the
# few augmentation layers named otherwise.
OTHER_AUGMENTATIONS = {"AugMix", "RandAugment", "Solarization", "AutoContrast", "Equalization"}

AUGMENT_TESTS = (  # ASSIGNMENTS-2024.md, W2 Ex2
    # "must start with tf.keras.Input, shaped like one image"
    Test("input_shape", "takes {shape} images", points=3, params={"shape": IMAGES.shape}),
    # "must not contain Rescaling"
    Test("random_only", "has only random augmentation layers, no Rescaling", points=4),
    # the notebook's suggested layers; a crop is allowed
    Test("changes", "changes images at random", points=8),
)
HISTORY = HistoryRule("history.pkl", max_epochs=35, min_train_accuracy=EXPECTED.stop_at[0],
                      min_val_accuracy=EXPECTED.stop_at[1], max_curve_mse=0.20,
                      max_slope_difference=0.30)


def parts(expected: CatsDogs2024) -> tuple[PartSpec, ...]:
    """The rubric, its test names filled from `expected`."""
    dataset_tests = (
        datasets.SOURCE.worth(4),
        datasets.YIELDS.worth(4, shape=IMAGES.shape),
        datasets.SPLIT.worth(5, share=expected.validation_split),
        datasets.LABELS.worth(4),
    )
    model_tests = (
        models.COMPILED.worth(2),
        models.INPUT_SHAPE.worth(3, shape=IMAGES.shape),
        # Ex3: "stacks it into"
        Test("augments", "augments its input first, with the augmentation model", points=5),
        # "normally after": no rule
        Test("rescaling", "Rescaling(1./255) before any Conv2D", points=4),
        models.CONVS.worth(3, least=expected.convs_at_least),
        models.TWO_CLASSES.worth(3),
        models.ACCURACY.worth(2),
        CATS_FROM_DOGS.worth(8),
    )
    return (
        part("train_val_datasets", dataset_tests,
             probes=("train_val_datasets", "datasets_clean")),
        part(AUGMENTATION, AUGMENT_TESTS, probes=(AUGMENTATION, "augmentation_clean")),
        part("create_model", model_tests, probes=("create_model", "train")),
        part("EarlyStoppingCallback",
             weigh(callbacks.CALLBACK_TESTS, subclass=2, stops=4, keeps_training=4),
             probes=("EarlyStoppingCallback",)),
        HISTORY.part(readable=2, lists=2, epochs=1, finite=1, train_accuracy=6,
                     val_accuracy=6, curve_mse=5, slopes=5),
    )


def prepare(workdir):
    prepared, args = petimages.petimages(workdir, IMAGES, EXPECTED)
    args["augmentation_clean"] = {"seed": EXPECTED.seed, "shape": list(IMAGES.shape)}
    args["create_model"] = {"shape": list(IMAGES.shape)}  # the grader's augmentation model's
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


CHECKS.part("train_val_datasets")(petimages.check_train_val_datasets)


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
    test = part.test
    verdicts = [input_verdict(test("input_shape"), info, ctx.spec.images)]
    layers = info.get("layers") or []
    others = [layer for layer in layers if not is_augmentation(layer)]
    if layers and not others:
        verdicts.append(test("random_only").verdict(True, tr("Augmentation layers: {layers}.",
                                                             layers=", ".join(layers))))
    elif not layers:
        verdicts.append(test("random_only").verdict(False, tr(
            "The model has no layers: add random augmentation layers such as "
            "tf.keras.layers.RandomFlip, RandomRotation, RandomTranslation and RandomZoom.")))
    else:
        verdicts.append(test("random_only").verdict(False, tr(
            "Found {others} among the augmentation layers; this model only changes images at "
            "random (RandomFlip, RandomRotation, ...). Rescaling belongs in create_model, "
            "after it.", others=", ".join(others))))
    verdicts.append(behaviour_verdict(test("changes"), obs))
    return verdicts


def behaviour_verdict(test: Test, obs: dict) -> Verdict:
    name = test.name
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
    test = part.test
    leading = augmentation_end(info.get("layers") or [])
    return [
        compiled_verdict(test("compiled"), info),
        input_verdict(test("input_shape"), info, ctx.spec.images),
        test("augments").verdict(True, tr("The input is augmented before any Conv2D."))
        if leading else test("augments").verdict(False, tr(
            "The model does not augment its input: put create_augmentation_model() right "
            "after the Input.")),
        rescaling_verdict(test("rescaling"), info),
        convs_verdict(test("convs"), info, ctx.spec.expected.convs_at_least),
        output_verdict(test("output"), info),
        accuracy_verdict(test("accuracy"), info), training_verdict(ctx, test("learns")),
    ]


@CHECKS.part("EarlyStoppingCallback")
def _callback(ctx: Context, part: PartSpec) -> list[Verdict]:
    return callbacks.check_callback(ctx, part, *ctx.spec.expected.stop_at)


SPEC = AssignmentSpec(
    code="C2W2v4",
    title="Cats vs dogs with augmentation, 2024 (Keras 3, an augmentation model)",
    functions=FUNCTIONS,
    parts=parts(EXPECTED),
    pass_mark=80.0,
    history=HISTORY,
    probe_timeouts={"train_val_datasets": 90, "datasets_clean": 90, "create_model": 90,
                    "train": 300, "EarlyStoppingCallback": 60, AUGMENTATION: 90,
                    "augmentation_clean": 90},
    clean_probes={"train": "create_model", "datasets_clean": "train_val_datasets",
                  "augmentation_clean": AUGMENTATION},
    prepare=prepare,
    checks=CHECKS,
    probes=probes.PROBES,
    probe_module=probes.__name__,
    detect_words=(AUGMENTATION, "RandomFlip", "RandomRotation", "RandomZoom",
                  "RandomTranslation"),
    detect_means=N_("builds an augmentation model"),
    fixtures=fixtures_v4.petimages_v4,
    images=IMAGES,
    expected=EXPECTED,
    module=__name__,
    keras="3",
    course_version="v4",
    provided={"DATA_DIR": "./PetImages"},  # the notebook's graded globals cell
)
