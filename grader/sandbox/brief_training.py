"""The brief training behind every "learns" check, in the clean child (no learner code runs
here): the learner's model rebuilt from its configuration, fitted epoch by epoch on the
grader's fixture images, and after each epoch the images it never trained on counted right.

It stops as soon as the evidence is clear (model/learning.py: better than chance at the
stated confidence), after an epoch that changed no weight (a learning rate of 0, frozen
layers, a loss with no gradient: more epochs cannot help), or at the assignment's cap. In a
model with BatchNormalization, the running averages are re-estimated from training images
before each measurement: they move 1% a step, so after a few dozen steps inference alone
would call a model that learns "at chance" (every image one class).
"""

from __future__ import annotations

from grader.model.observed import Trained

INFERENCE, SETTLED = "inference", "settled"  # measured as is / after _settle


def sees_unit_range(seen: dict) -> bool:
    """Whether what the first convolution receives (describe_model's `conv_input`, measured
    on 0-255 images) is pixels in 0-1: the Rescaling check's rule and this module's aim."""
    return -1e-3 <= seen["min"] and 0.5 <= seen["max"] <= 1 + 1e-3


def input_scale(info: dict) -> float:
    """What to multiply 0-255 pixels by so that the model's first convolution receives 0-1,
    as the notebook's model would (describe_model's `conv_input`, measured on 0-255 images):
    a missing or doubled Rescaling costs its own check, not this one too."""
    seen = info.get("conv_input") or {}
    high = seen.get("max")
    if isinstance(high, (int, float)) and high > 0 and not 0.5 <= high <= 1 + 1e-3:
        return 1 / high  # only the top matters here: a scale cannot move the bottom
    return 1.0 if seen or info.get("rescaling") else 1 / 255


def input_size(info: dict, default: tuple[int, int]) -> tuple[int, int]:
    """The image size the model takes (a wrong one costs the input check, not this one)."""
    shape = info.get("input_shape") or []
    if len(shape) == 4 and all(isinstance(d, int) and d > 0 for d in shape[1:3]):
        return (shape[1], shape[2])
    return tuple(default)


def _right(model, x, y, threshold: float) -> int:
    import numpy as np

    predictions = np.asarray(model.predict(x, verbose=0))
    if predictions.ndim == 2 and predictions.shape[1] > 1:
        guess = predictions.argmax(axis=1)
    else:
        guess = (predictions.reshape(-1) > threshold).astype(int)
    return int((guess == y).sum())


def _sample(train, batches: int = 4):
    """Up to `batches` batches of training images (an ImageDataGenerator iterator never
    ends: islice), for settling BatchNormalization's statistics."""
    import itertools

    import numpy as np

    return np.concatenate([np.asarray(x) for x, _ in itertools.islice(iter(train), batches)])


def _settle(model, layers: list, images) -> None:
    """BatchNormalization's running averages, which move 1% a step, re-estimated from
    training images in one pass (momentum 0 for that pass), as after a long training."""
    saved = [layer.momentum for layer in layers]
    try:
        for layer in layers:
            layer.momentum = 0.0
        model(images, training=True)
    finally:
        for layer, momentum in zip(layers, saved, strict=True):
            layer.momentum = momentum


def _weights(model) -> list[bytes]:
    """A digest of each trainable weight (copies of them all would add ~100 MB at peak)."""
    import hashlib

    import numpy as np

    return [hashlib.blake2b(np.ascontiguousarray(w).tobytes(), digest_size=16).digest()
            for w in model.trainable_weights]


def brief_training(args: dict, make_data) -> Trained:
    """`make_data(model_info)` returns (training data, list of (x, y) batches to measure on,
    none of them trained on). `args`: the rebuild's `export` and `seed`, and `max_epochs`."""
    import numpy as np

    from grader.model import learning
    from grader.sandbox.child import describe_exception, partial
    from grader.sandbox.probe_tools import clean_model, walk_layers

    model, obs = clean_model(args)
    if model is None:
        return obs
    partial(obs)  # the description stands even if the training runs out of time
    train, measure = make_data(obs["model"])
    x = np.concatenate([x for x, _ in measure])
    y = np.concatenate([y for _, y in measure]).astype(int).reshape(-1)
    counts = np.bincount(y).tolist()
    info = obs["model"]  # a linear output trained on logits splits at 0, a sigmoid at 0.5
    linear = info.get("output_activation") in (None, "linear")
    threshold = 0.0 if linear and info.get("loss_from_logits") else 0.5
    norms = [layer for layer in walk_layers(model)
             if type(layer).__name__ == "BatchNormalization"]
    budget = args["max_epochs"]
    level = learning.chance(counts)
    result = {**obs, "looks": [], "measured": len(y), "class_counts": counts,
              "max_epochs": args["max_epochs"], "modes": [SETTLED if norms else INFERENCE],
              "confidence": learning.CONFIDENCE}
    try:
        result["steps_per_epoch"] = len(train)
        sample = _sample(train) if norms else None
        for epoch in range(1, args["max_epochs"] + 1):
            before = _weights(model)
            model.fit(train, epochs=1, steps_per_epoch=len(train), verbose=0)
            after = _weights(model)
            if before == after:  # (an unbuilt model makes its weights in fit: not equal)
                result["unchanged_epoch"] = epoch
                break
            if norms:
                _settle(model, norms, sample)
            right = _right(model, x, y, threshold)
            result["looks"].append({"epoch": epoch, "mode": result["modes"][0],
                                    "correct": right})
            if learning.learns(right, len(y), level, budget):
                break
    except BaseException as exc:  # noqa: BLE001 - training errors are observations
        return {**result, "fit_error": describe_exception(exc)}
    return result
