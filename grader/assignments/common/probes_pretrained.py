"""Child side of the InceptionV3 parts of C2W3 and C2W3v4: create_pre_trained_model called
(ImageNet downloads served a stand-in), output_of_last_layer and create_final_model called on
the grader's own frozen InceptionV3 (its seed, input shape and last layer handed in the args,
from the week's spec); in the clean child, the rebuilt models measured. Imports only the
sandbox's child-side helpers and the model; the checks are in pretrained.py."""

from __future__ import annotations

import contextlib

from grader.model.observed import FinalMade, FinalTrained, LastLayer, PreTrainedMade, Rebuilt


def trainable_count(model) -> int:
    import numpy as np

    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


@contextlib.contextmanager
def downloads_served(stand_in: str | None, served: list[str]):
    """Keras' `get_file` while the learner's function runs: the ImageNet InceptionV3 weights
    (`weights='imagenet'`) come from `stand_in`, a file the grader can tell apart, so that
    mistake costs the weights check alone; any other download fails at once (no internet)."""
    import sys

    import tensorflow as tf

    tf.keras.utils  # noqa: B018 - loads the Keras in use, whose get_file is replaced
    modules = [sys.modules.get(name) for name in ("keras.src.utils.file_utils",
                                                  "tf_keras.src.utils.data_utils")]
    modules = [m for m in modules if m is not None and hasattr(m, "get_file")]
    real = [m.get_file for m in modules]

    def get_file(fname=None, origin=None, *args, **kwargs):
        if stand_in and "inception_v3" in f"{fname} {origin}":
            served.append(str(fname or origin))
            return stand_in
        raise OSError(f"the grader has no internet: cannot download {origin or fname}")

    for module in modules:
        module.get_file = get_file
    try:
        yield
    finally:
        for module, original in zip(modules, real, strict=True):
            module.get_file = original


def probe_pre_trained(ns: dict, args: dict) -> PreTrainedMade:
    """Learner side: call the function, then export the model's configuration and save its
    weights; the parent fingerprints the saved weights and a clean child the architecture."""
    from grader.sandbox.probe_tools import call_learner, export_model

    served: list[str] = []
    with downloads_served(args.get("imagenet"), served):
        call = call_learner(ns, "create_pre_trained_model",
                            *([args["weights"]] if "weights" in args else []))
    obs: dict = {"call": call.summary(), "downloads": served}
    if not call.ok or not hasattr(call.value, "layers"):
        obs["returned"] = type(call.value).__name__
        return obs
    model = call.value
    obs["export"] = export_model(model)
    try:
        model.save_weights(args["saved_weights"])
    except Exception as exc:  # noqa: BLE001 - reported, judged by the parent
        obs["save_error"] = f"{type(exc).__name__}: {exc}"[:300]
    return obs


def probe_pre_trained_clean(ns: dict, args: dict) -> Rebuilt:
    from grader.sandbox.probe_tools import clean_model

    model, obs = clean_model(args)
    if model is None:
        return obs
    info = obs["model"]
    info["trainable_params"] = trainable_count(model)
    info["trainable_layers"] = sum(1 for layer in model.layers
                                   if layer.trainable and layer.weights)
    info["has_mixed7"] = any(layer.name == "mixed7" for layer in model.layers)
    return obs


_REFERENCE: dict = {}


def _reference_model(args: dict):
    """A frozen InceptionV3 built by the grader (`args`: its seed and input shape), so later
    probes do not depend on the learner's create_pre_trained_model."""
    key = (args["seed"], tuple(args["shape"]))
    if key not in _REFERENCE:
        import tensorflow as tf

        tf.keras.utils.set_random_seed(args["seed"])
        model = tf.keras.applications.inception_v3.InceptionV3(
            input_shape=tuple(args["shape"]), include_top=False, weights=None)
        for layer in model.layers:
            layer.trainable = False
        _REFERENCE[key] = model
    return _REFERENCE[key]


def probe_last_layer(ns: dict, args: dict) -> LastLayer:
    from grader.sandbox.probe_tools import call_learner

    model = _reference_model(args)
    call = call_learner(ns, "output_of_last_layer", model)
    obs: dict = {"call": call.summary()}
    if not call.ok:
        return obs
    value = call.value
    obs["returned"] = type(value).__name__
    shape = getattr(value, "shape", None)
    obs["shape"] = None if shape is None else [None if d is None else int(d)
                                              for d in tuple(shape)]
    layer_outputs = {id(layer.output): layer.name for layer in model.layers
                     if not isinstance(layer.output, list)}
    obs["layer"] = layer_outputs.get(id(value))
    return obs


def probe_final_model(ns: dict, args: dict) -> FinalMade:
    """Learner side: call create_final_model on the grader's frozen InceptionV3 and export
    the result's configuration; everything judged is measured on a clean rebuild."""
    import tensorflow as tf

    from grader.sandbox.probe_tools import call_learner, export_model

    base = _reference_model(args)
    last_output = base.get_layer(args["last_layer"]).output
    tf.keras.utils.set_random_seed(args["seed"])
    call = call_learner(ns, "create_final_model", base, last_output)
    obs: dict = {"call": call.summary()}
    if not call.ok or not hasattr(call.value, "layers"):
        obs["returned"] = type(call.value).__name__
        return obs
    model = call.value
    obs["same_input"] = bool(model.inputs) and model.inputs[0] is base.inputs[0]
    obs["export"] = export_model(model)
    return obs


def final_clean(args: dict, data) -> FinalTrained:
    """Clean side of create_final_model: the rebuilt model's head after the last layer the
    args name (mixed7), and its loss
    on a batch before and after brief training; `data(model)` gives that batch and a function
    that trains (C2W3v4 feeds datasets, C2W3 generators)."""
    import numpy as np

    from grader.sandbox.child import describe_exception
    from grader.sandbox.probe_tools import clean_model

    model, obs = clean_model(args)
    if model is None:
        return obs
    info = obs["model"]
    info["trainable_params"] = trainable_count(model)
    names = [layer.name for layer in model.layers]
    last = args["last_layer"]
    start = names.index(last) + 1 if last in names else len(names)
    info["head"] = []
    for layer in model.layers[start:]:
        config = layer.get_config()
        info["head"].append({"type": type(layer).__name__, "units": config.get("units"),
                             "activation": config.get("activation"),
                             "rate": config.get("rate")})
    try:
        x_eval, y_eval, fit = data(model)
        before = float(model.evaluate(x_eval, y_eval, verbose=0, return_dict=True)["loss"])
        fit()
        after = float(model.evaluate(x_eval, y_eval, verbose=0, return_dict=True)["loss"])
        obs["loss"] = {"before": before, "after": after, "steps": args["steps"]}
        obs["loss_finite"] = bool(np.isfinite(after))
    except BaseException as exc:  # noqa: BLE001 - training errors are observations
        obs["fit_error"] = describe_exception(exc)
    return obs
