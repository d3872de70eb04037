"""One canonical name for each loss, metric and optimizer, however a learner spelled it.

Keras accepts `'binary_crossentropy'`, `'BinaryCrossentropy'`, `'bce'`, the function
`tf.keras.losses.binary_crossentropy` and the instance `tf.keras.losses.BinaryCrossentropy()`
for the same loss; checks compare canonical names, so the spelling never costs a point.
Pure functions on names: the child turns Keras objects into names, the parent judges names.
"""

from __future__ import annotations

import re

from grader.i18n import tr

_ALIASES = {
    "bce": "binary_crossentropy",
    "cce": "categorical_crossentropy",
    "scce": "sparse_categorical_crossentropy",
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "kld": "kl_divergence",
    "kullback_leibler_divergence": "kl_divergence",
    "acc": "accuracy",
    "binary_acc": "binary_accuracy",
    "categorical_acc": "categorical_accuracy",
    "sparse_categorical_acc": "sparse_categorical_accuracy",
    "rm_sprop": "rmsprop",  # snake('RMSprop')
    "rms_prop": "rmsprop",
}
ACCURACY = frozenset({"accuracy", "binary_accuracy", "categorical_accuracy",
                      "sparse_categorical_accuracy"})


def snake(name: str) -> str:
    """'BinaryCrossentropy' -> 'binary_crossentropy'; 'RMSprop' -> 'rmsprop'."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name.strip())
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"[\s\-]+", "_", name).lower()


def canonical(name: str | None) -> str | None:
    """The canonical spelling of a loss, metric or optimizer name (or class name)."""
    if not name:
        return None
    key = snake(str(name).rsplit(".", 1)[-1])
    return _ALIASES.get(key, key)


def is_accuracy(name: str | None) -> bool:
    return canonical(name) in ACCURACY


def _ends_in_probabilities(activation: str | None) -> bool:
    return canonical(activation) in ("sigmoid", "softmax")


def output_kind(info: dict) -> str | None:
    """How a model's output and loss fit a classification: 'binary' (one unit),
    'categorical' or 'sparse' (one unit per class), or None when they do not fit together.
    A linear output with `from_logits=True` is as right as a sigmoid or softmax without."""
    units = (info.get("output_shape") or [None])[-1]
    activation = canonical(info.get("output_activation")) or "linear"
    loss = canonical(info.get("loss"))
    logits = bool(info.get("loss_from_logits"))
    if logits == _ends_in_probabilities(activation):
        return None
    if not logits and activation != ("sigmoid" if units == 1 else "softmax"):
        return None
    if units == 1 and loss == "binary_crossentropy":
        return "binary"
    if isinstance(units, int) and units >= 2:
        return {"categorical_crossentropy": "categorical",
                "sparse_categorical_crossentropy": "sparse"}.get(loss or "")
    return None


def logits_problem(info: dict) -> str | None:
    """Learner-facing text when from_logits disagrees with the output activation (parent
    side: in the current language)."""
    activation = canonical(info.get("output_activation")) or "linear"
    if info.get("loss_from_logits") and _ends_in_probabilities(activation):
        return tr("The loss has from_logits=True, which tells it the model outputs raw "
                  "scores, but the model ends in a {activation}: drop from_logits=True (or the "
                  "{activation}).", activation=activation)
    if not info.get("loss_from_logits") and activation == "linear":
        return tr("The output layer has no activation, so it outputs raw scores: add the "
                  "sigmoid/softmax activation, or pass from_logits=True to the loss.")
    return None
