"""Child-side helpers shared by probes: call learner code, describe Keras objects as JSON.

Imported only inside the child process; TensorFlow is imported lazily by the callers. The
child does not know the learner's language: what a learner reads leaves it as `msg()`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from grader.i18n import msg
from grader.model import keras_names
from grader.sandbox import compile_facts
from grader.sandbox.child import CappedText, describe_exception


@dataclass
class Call:
    ok: bool
    value: Any = None
    stdout: str = ""
    error: dict | None = None

    def summary(self) -> dict:
        return {"ok": self.ok, "stdout": self.stdout, "error": self.error}


def call_learner(namespace: dict, name: str, *args) -> Call:
    function = namespace.get(name)
    if not callable(function):
        return Call(ok=False, error={"type": "MissingFunction",
                                     "message": f"{name} is not defined", "where": None})
    out = CappedText()
    try:
        with contextlib.redirect_stdout(out):
            value = function(*args)
    except BaseException as exc:  # noqa: BLE001 - learner code may raise anything
        return Call(ok=False, stdout=out.getvalue(), error=describe_exception(exc))
    return Call(ok=True, value=value, stdout=out.getvalue())


def _activation_name(layer) -> str | None:
    activation = getattr(layer, "activation", None)
    if activation is None:
        return None
    return getattr(activation, "__name__", None) or str(activation)


def walk_layers(model):
    for layer in getattr(model, "layers", []):
        if hasattr(layer, "layers") and layer is not model:
            yield from walk_layers(layer)
        else:
            yield layer


def describe_model(model) -> dict:
    """What the checks need to know about a model, without trusting the model's own repr."""
    info: dict[str, Any] = {"type": type(model).__name__}
    try:
        info["input_shape"] = _jsonable_shape(model.input_shape)
    except Exception as exc:  # noqa: BLE001 - unbuilt models have no input shape
        info["input_shape"] = None
        info["input_shape_error"] = str(exc)[:300]
    try:
        info["output_shape"] = _jsonable_shape(model.output_shape)
    except Exception:  # noqa: BLE001
        info["output_shape"] = None
    layers = list(walk_layers(model))
    info["layers"] = [type(layer).__name__ for layer in layers]
    info["rescaling"] = [  # where the 2024 notebooks' Rescaling layer sits, and its factors
        {"index": i, "scale": float(layer.scale), "offset": float(layer.offset)}
        for i, layer in enumerate(layers) if type(layer).__name__ == "Rescaling"
        and isinstance(getattr(layer, "scale", None), (int, float))
        and isinstance(getattr(layer, "offset", None), (int, float))]
    info["first_conv"] = next((i for i, layer in enumerate(layers)
                               if "Conv" in type(layer).__name__), None)
    info["conv_input"] = _conv_input(model, layers, info["first_conv"])
    last = layers[-1] if layers else None
    activation = None
    for layer in reversed(layers):
        if type(layer).__name__ in ("Dropout", "Activation", "Softmax"):
            if type(layer).__name__ == "Activation":
                activation = _activation_name(layer)
                break
            if type(layer).__name__ == "Softmax":
                activation = "softmax"
                break
            continue
        activation = _activation_name(layer)
        break
    info["last_layer"] = type(last).__name__ if last is not None else None
    if info["output_shape"] is None and isinstance(getattr(last, "units", None), int):
        info["output_shape"] = [None, last.units]  # unbuilt (no Input): a Dense says its width
    info["output_activation"] = activation
    info["compiled"] = getattr(model, "optimizer", None) is not None and bool(
        getattr(model, "compiled", True)
    )
    info.update(compile_facts.loss_facts(getattr(model, "loss", None)))
    info["metrics"], info["metric_kinds"] = compile_facts.metrics(model)
    optimizer = getattr(model, "optimizer", None)
    info["optimizer"] = type(optimizer).__name__ if optimizer is not None else None
    info["optimizer_kind"] = keras_names.canonical(info["optimizer"])
    lr = getattr(optimizer, "learning_rate", None)
    with contextlib.suppress(Exception):
        info["learning_rate"] = float(lr.numpy() if hasattr(lr, "numpy") else lr)
    with contextlib.suppress(Exception):
        info["params"] = int(model.count_params())
    return info


def _conv_input(model, layers: list, first_conv: int | None) -> dict | None:
    """The range of what the first convolution receives when the model is fed 0-255 pixels
    (inference mode: augmentation passes images through), layer by layer as the model
    chains them: what a Rescaling check protects, however the model is built (Sequential or
    functional, augmentation before or after the Rescaling). None when not measurable."""
    import numpy as np

    shape = getattr(model, "input_shape", None)
    if (first_conv is None or not isinstance(shape, tuple)
            or any(not isinstance(d, int) for d in shape[1:])):
        return None
    x = np.random.default_rng(0).uniform(0, 255, (2, *shape[1:])).astype("float32")
    x[0].flat[0], x[1].flat[0] = 0.0, 255.0  # both ends of the pixel range
    try:
        for layer in layers[:first_conv]:
            if type(layer).__name__ != "InputLayer":
                x = layer(x, training=False)
        x = np.asarray(x)
        return {"min": float(x.min()), "max": float(x.max())}
    except Exception:  # noqa: BLE001 - a branching model: judged by layer order instead
        return None


def _jsonable_shape(shape):
    if isinstance(shape, list):
        return [_jsonable_shape(s) for s in shape]
    if isinstance(shape, tuple):
        return [None if d is None else int(d) for d in shape]
    return shape


def describe_directory_iterator(gen) -> dict:
    info: dict[str, Any] = {"type": type(gen).__name__}
    for attr in ("samples", "batch_size", "class_mode", "class_indices", "target_size",
                 "color_mode", "shuffle"):
        value = getattr(gen, attr, None)
        if isinstance(value, tuple):
            value = list(value)
        info[attr] = value
    datagen = getattr(gen, "image_data_generator", None)
    info["rescale"] = getattr(datagen, "rescale", None) if datagen is not None else None
    if datagen is not None:
        info["augmentation"] = {
            k: getattr(datagen, k, None)
            for k in ("rotation_range", "width_shift_range", "height_shift_range",
                      "shear_range", "zoom_range", "horizontal_flip", "vertical_flip",
                      "fill_mode")
        }
        for key, value in list(info["augmentation"].items()):
            if hasattr(value, "tolist"):
                info["augmentation"][key] = value.tolist()
    if isinstance(info.get("rescale"), (int, float)):
        info["rescale"] = float(info["rescale"])
    else:
        info["rescale"] = None if info.get("rescale") is None else str(info["rescale"])
    return info


def first_batch(gen) -> dict:
    x, y = gen[0] if hasattr(gen, "__getitem__") else next(gen)
    return {
        "x_shape": list(x.shape),
        "x_dtype": str(getattr(x, "dtype", "")),
        "y_dtype": str(getattr(y, "dtype", "")),
        "x_min": float(x.min()),
        "x_max": float(x.max()),
        "y_shape": list(getattr(y, "shape", ())),
    }


__all__ = ["Call", "call_learner", "describe_model", "describe_directory_iterator",
           "first_batch", "describe_exception"]


def augmentation_behaviour(gen, draws: int = 8) -> dict:
    """Transform the same source image several times: an augmenting generator gives
    different pixels, a plain one the same pixels, equal to the rescaled file itself."""
    import numpy as np

    np.random.seed(0)
    index = np.array([0])
    samples = [gen._get_batches_of_transformed_samples(index)[0][0] for _ in range(draws)]
    out = {"draws": draws,
           "repeat_max_diff": float(max(np.abs(s - samples[0]).max() for s in samples))}
    paths = getattr(gen, "filepaths", None)
    arrays = getattr(gen, "x", None)
    if arrays is not None and not paths:
        reference = np.asarray(arrays[0], dtype="float32") / 255.0
        if reference.shape == samples[0].shape:
            out["rescaled_max_diff"] = float(np.abs(samples[0] - reference).max())
    elif paths:
        import tensorflow as tf

        image = tf.keras.preprocessing.image.load_img(
            paths[0], target_size=tuple(gen.target_size), color_mode=gen.color_mode,
            interpolation=getattr(gen, "interpolation", "nearest"))
        reference = np.asarray(image, dtype="float32") / 255.0
        if reference.ndim == 2:
            reference = reference[..., None]
        if reference.shape == samples[0].shape:
            out["rescaled_max_diff"] = float(np.abs(samples[0] - reference).max())
    return out


def export_model(model) -> dict:
    """The model as configuration only (architecture + compile settings), so the grader can
    rebuild and train it in a process where no learner code ever ran."""
    try:
        with compile_facts.serialisable(model):
            return {"json": model.to_json(), "compile": model.get_compile_config()}
    except Exception as exc:  # noqa: BLE001 - custom layers may not serialise
        return {"error": f"{type(exc).__name__}: {exc}"[:500]}


class RebuildRefused(Exception):
    """Why an export cannot be rebuilt. `message`: a `msg()` dict for the learner (or Python's
    own text, a plain string); `str()` gives it in English."""

    def __init__(self, message: dict | str) -> None:
        self.message = message
        if isinstance(message, dict):
            args = message.get("args") or {}
            message = message["text"].format(**args) if args else message["text"]
        super().__init__(message)


def _check_config(node, path: str = "model") -> None:
    if isinstance(node, dict):
        name = node.get("class_name")
        if name == "Lambda":
            raise RebuildRefused(msg("it contains a Lambda layer, whose code the grader does "
                                     "not run outside your notebook; use built-in layers"))
        module = node.get("module")
        builtin_fn = module == "builtins" and name == "function"  # Keras 3: a loss by name
        if (isinstance(module, str) and module and not builtin_fn
                and not module.startswith(("keras", "tf_keras"))):
            qualified = f"{module}.{name}"
            raise RebuildRefused(msg("it uses {name}, which is not part of Keras",
                                     name=qualified))
        for key, value in node.items():
            _check_config(value, f"{path}.{key}")
    elif isinstance(node, list):
        for item in node:
            _check_config(item, path)


def rebuild_model(export: dict):
    """Rebuild from configuration in the clean process; raises RebuildRefused with a
    learner-facing reason (a `msg()`) when that is not possible."""
    import json

    import tensorflow as tf

    if "error" in export:
        raise RebuildRefused(msg("its configuration could not be saved ({error})",
                                 error=export["error"]))
    _check_config(json.loads(export["json"]))
    try:
        model = tf.keras.models.model_from_json(export["json"])
        if export.get("compile"):
            model.compile_from_config(export["compile"])
    except Exception as exc:  # noqa: BLE001 - unknown classes, bad configs
        raise RebuildRefused(f"{type(exc).__name__}: {exc}"[:500]) from None
    return model


def clean_model(args: dict):
    """(model, description) rebuilt from the learner's export, or (None, {"rebuild_error"}):
    a `msg()` dict (or Python's text) for the parent to show with `say()`."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(args["seed"])
    tf.config.experimental.enable_op_determinism()
    try:
        model = rebuild_model(args["export"])
    except RebuildRefused as exc:
        return None, {"rebuild_error": exc.message}
    return model, {"model": describe_model(model)}


DATAGEN_FIELDS = (
    "rescale", "rotation_range", "width_shift_range", "height_shift_range", "shear_range",
    "zoom_range", "horizontal_flip", "vertical_flip", "fill_mode", "cval", "brightness_range",
    "channel_shift_range", "featurewise_center", "samplewise_center",
    "featurewise_std_normalization", "samplewise_std_normalization", "zca_whitening",
)


def _plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    return value


def export_iterator(gen, folder: str, label: str) -> dict:
    """An iterator as the settings that rebuild it (arrays go to .npy files in the work
    directory): the grader re-creates and inspects it in the clean process. One it cannot
    export has an "error": a `msg()` dict, raised as RebuildRefused's message there."""
    import os

    import numpy as np

    datagen = getattr(gen, "image_data_generator", None)
    if datagen is None:
        return {"error": msg("a {type} is not an ImageDataGenerator iterator",
                             type=type(gen).__name__)}
    if getattr(datagen, "preprocessing_function", None) is not None:
        return {"error": msg("it uses a preprocessing_function, which the grader does not run "
                             "outside your notebook")}
    export: dict = {"type": type(gen).__name__,
                    "datagen": {f: _plain(getattr(datagen, f, None)) for f in DATAGEN_FIELDS},
                    "batch_size": getattr(gen, "batch_size", None),
                    "shuffle": getattr(gen, "shuffle", None)}
    if hasattr(gen, "directory"):
        indices = getattr(gen, "class_indices", {}) or {}
        export["flow"] = {
            "directory": str(gen.directory),
            "target_size": _plain(getattr(gen, "target_size", None)),
            "color_mode": getattr(gen, "color_mode", "rgb"),
            "classes": sorted(indices, key=indices.get),
            "class_mode": getattr(gen, "class_mode", None),
            "interpolation": getattr(gen, "interpolation", "nearest"),
        }
    elif hasattr(gen, "x"):
        os.makedirs(folder, exist_ok=True)
        x_path, y_path = os.path.join(folder, f"{label}_x.npy"), os.path.join(
            folder, f"{label}_y.npy")
        np.save(x_path, np.asarray(gen.x), allow_pickle=False)
        if getattr(gen, "y", None) is not None:
            np.save(y_path, np.asarray(gen.y), allow_pickle=False)
        export["arrays"] = {"x": x_path, "y": y_path if gen.y is not None else None}
    else:
        return {"error": msg("a {type} cannot be inspected", type=type(gen).__name__)}
    return export


def rebuild_iterator(export: dict):
    """Re-create an exported iterator with the grader's own Keras, in the clean process."""
    import numpy as np
    import tensorflow as tf

    if "error" in export:
        raise RebuildRefused(export["error"])
    params = {k: v for k, v in export["datagen"].items() if v is not None}
    datagen = tf.keras.preprocessing.image.ImageDataGenerator(**params)
    batch = export.get("batch_size") or 32
    if "flow" in export:
        flow = export["flow"]
        return datagen.flow_from_directory(
            flow["directory"], target_size=tuple(flow["target_size"]),
            color_mode=flow["color_mode"], classes=flow["classes"] or None,
            class_mode=flow["class_mode"], batch_size=batch, shuffle=bool(export["shuffle"]),
            seed=0, interpolation=flow["interpolation"])
    arrays = export["arrays"]
    x = np.load(arrays["x"], allow_pickle=False)
    y = np.load(arrays["y"], allow_pickle=False) if arrays.get("y") else None
    return datagen.flow(x, y, batch_size=batch, shuffle=bool(export["shuffle"]), seed=0)
