"""Child side: what a compiled model's loss and metrics are, in canonical names.

A loss or metric reaches `model.compile` as a string, a function, an instance or (after a
rebuild) its serialised config; these read each form, so the parent can judge the names.
"""

from __future__ import annotations

import contextlib
import inspect

from grader.model import keras_names


def _instances(value):
    """A loss or metric class (Keras accepts `loss=tf.keras.losses.BinaryCrossentropy`,
    uninstantiated) as the instance Keras makes of it; anything else unchanged."""
    if inspect.isclass(value):
        with contextlib.suppress(Exception):
            return value()
    if isinstance(value, (list, tuple)):
        return type(value)(_instances(v) for v in value)
    if isinstance(value, dict):
        return {k: _instances(v) for k, v in value.items()}
    return value


@contextlib.contextmanager
def serialisable(model):
    """Keras 3 trains with a loss or metric given as a class but cannot serialise one
    (`get_config() missing 'self'`), in its compile config or in `to_json()`: while this
    holds, the model's compile settings hold the instances Keras makes of them instead."""
    config = getattr(getattr(model, "_compile_config", None), "config", None)
    if not isinstance(config, dict):
        yield
        return
    saved = dict(config)
    config.update({k: _instances(v) for k, v in saved.items()})
    try:
        yield
    finally:
        config.clear()
        config.update(saved)


def compile_config(model) -> dict | None:
    """The model's compile settings as Keras serialises them (classes as instances)."""
    with serialisable(model):
        return model.get_compile_config()


def _loss_object(loss):
    """The single loss of a one-output model, however it was given (string, function,
    instance, its serialised config, or a one-entry list or dict)."""
    if isinstance(loss, dict) and "class_name" not in loss and len(loss) == 1:
        loss = next(iter(loss.values()))
    if isinstance(loss, (list, tuple)) and len(loss) == 1:
        loss = loss[0]
    return _instances(loss)


def _config_of(obj) -> dict:
    if isinstance(obj, dict):
        return obj.get("config") if isinstance(obj.get("config"), dict) else {}
    with contextlib.suppress(Exception):
        config = obj.get_config()
        if isinstance(config, dict):
            return config
    return {}


def loss_facts(loss) -> dict:
    """Canonical name and from_logits of a loss: `BinaryCrossentropy()`, `'bce'` and
    `binary_crossentropy` are one loss."""
    loss = _loss_object(loss)
    if loss is None:
        return {"loss": None, "loss_spelled": None, "loss_from_logits": False}
    config = _config_of(loss)
    if isinstance(loss, str):
        spelled = loss
    elif isinstance(loss, dict):
        spelled = str(loss.get("class_name") or config.get("name") or loss)
        if spelled in ("function", "LossFunctionWrapper"):
            spelled = str(config.get("fn") or config.get("name") or spelled)
    elif type(loss).__name__ == "LossFunctionWrapper":
        fn = getattr(loss, "fn", None)
        spelled = getattr(fn, "__name__", None) or str(getattr(loss, "name", "loss"))
    elif callable(loss) and hasattr(loss, "__name__") and not hasattr(loss, "get_config"):
        spelled = loss.__name__
    else:
        spelled = type(loss).__name__
    kwargs = getattr(loss, "_fn_kwargs", None) or {}
    logits = config.get("from_logits", kwargs.get("from_logits",
                                                  getattr(loss, "from_logits", False)))
    return {"loss": keras_names.canonical(spelled), "loss_spelled": str(spelled),
            "loss_from_logits": bool(logits)}


def _metric_kind(metric) -> str | None:
    """'accuracy' for 'acc', 'accuracy' and an accuracy class, whatever its name=..."""
    if isinstance(metric, str):
        return keras_names.canonical(metric)
    if isinstance(metric, dict):
        cls = metric.get("class_name")
        config = metric.get("config") if isinstance(metric.get("config"), dict) else {}
        if cls and cls not in ("MeanMetricWrapper", "function"):
            return keras_names.canonical(str(cls))
        return keras_names.canonical(str(config.get("fn") or config.get("name") or cls))
    cls = type(metric).__name__
    if cls not in ("MeanMetricWrapper", "function"):
        return keras_names.canonical(cls)
    fn = getattr(metric, "_fn", None) or getattr(metric, "fn", None)
    return keras_names.canonical(getattr(fn, "__name__", None)
                                 or getattr(metric, "__name__", None)
                                 or getattr(metric, "name", None))


def metrics(model) -> tuple[list[str], list[str]]:
    """(names as written, canonical kinds) of the compiled metrics."""
    names: list[str] = []
    kinds: list[str] = []
    config = None
    with contextlib.suppress(Exception):
        config = compile_config(model)
    raw = (config or {}).get("metrics") or []
    if isinstance(raw, dict):
        raw = [m for v in raw.values() for m in (v if isinstance(v, list) else [v])]
    if not isinstance(raw, (list, tuple)):
        raw = [raw]
    for metric in raw:
        if isinstance(metric, str):
            names.append(metric)
        elif isinstance(metric, dict):
            cfg = metric.get("config") or {}
            names.append(str(cfg.get("name") or metric.get("class_name")))
        else:
            names.append(str(getattr(metric, "name", None) or getattr(metric, "__name__", metric)))
        kinds.append(_metric_kind(metric) or "")
    return names, kinds
