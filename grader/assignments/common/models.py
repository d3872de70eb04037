"""The model checks several weeks share (parent side): the model create_model built, as the
clean rebuild described it, and verdicts on its compilation, Conv2D count, output and
metric, in every spelling Keras accepts."""

from __future__ import annotations

from grader.assignments.common.feedback import describe_error, outcome_problem
from grader.assignments.common.generators import model_info
from grader.i18n import say, tr
from grader.model import keras_names
from grader.model.spec import Context, ImageInput, Test, Verdict
from grader.sandbox.brief_training import sees_unit_range

# create_model's checks that several weeks share (each assignment weighs them; INPUT_SHAPE is
# given the shape of its images, CONVS its `convs_at_least`).
COMPILED = Test("compiled", "returns a compiled Keras model")
INPUT_SHAPE = Test("input_shape", "input shape is {shape}")
CONVS = Test("convs", "has at least {least} Conv2D layers")
TWO_CLASSES = Test("output", "output layer and loss fit two classes")
ACCURACY = Test("accuracy", "tracks the 'accuracy' metric")


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


def compiled_verdict(test: Test, info: dict) -> Verdict:
    name = test.name
    if info.get("compiled") and info.get("loss"):
        return (name, True, tr("A compiled {type}.", type=info["type"]))
    return (name, False, tr(
        "The model is not compiled: call model.compile(optimizer=..., loss=..., "
        "metrics=['accuracy']) before returning it."))


def convs_verdict(test: Test, info: dict, least: int) -> Verdict:
    """At least `least` Conv2D layers (the week's `convs_at_least`)."""
    name = test.name
    convs = sum(1 for layer in info.get("layers", []) if layer == "Conv2D")
    if convs >= least:
        return (name, True, tr("{n} Conv2D layers.", n=convs))
    return (name, False, tr("Expected at least 3 Conv2D layers; found {n}. Stack Conv2D + "
                            "MaxPooling2D blocks.", n=convs))


def output_verdict(test: Test, info: dict) -> Verdict:
    """Output layer and loss fit two classes, in any spelling Keras accepts."""
    name = test.name
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


def accuracy_verdict(test: Test, info: dict) -> Verdict:
    name = test.name
    if tracks_accuracy(info):
        return (name, True, tr("Accuracy is tracked."))
    return (name, False, tr(
        "Expected metrics=['accuracy'] in compile; found {metrics}. The history check "
        "needs the 'accuracy' and 'val_accuracy' keys.", metrics=info.get("metrics")))


# "SECOND layer Rescaling with factor 1./255" (the 2024 notebooks: C2W1v4, C2W4v4), judged by
# what the first Conv2D receives (rescaling_verdict).
RESCALING_FIRST = Test("rescaling", "Rescaling(1./255) comes first, before any Conv2D")


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
