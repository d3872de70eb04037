"""C2W3's probes (child side): call the learner's functions and report what they did; in
the clean child, measure the rebuilt models. The InceptionV3 parts' are C2W3v4's too
(common/probes_pretrained.py); here the generators-fed training and myCallback. Imports only
the sandbox's child-side helpers, the model and other probe modules; the checks are in
spec.py, callback.py and common/."""

from __future__ import annotations

from grader.assignments.common import probes_generators
from grader.assignments.common.probes_pretrained import (
    final_clean,
    probe_final_model,
    probe_last_layer,
    probe_pre_trained,
    probe_pre_trained_clean,
)
from grader.model.observed import CallbackStops, FinalTrained


def probe_final_clean(ns: dict, args: dict) -> FinalTrained:
    def data(model):
        import tensorflow as tf

        datagen = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1.0 / 255)
        train = datagen.flow_from_directory(args["training"],
                                            target_size=tuple(args["image_size"]),
                                            batch_size=16, class_mode="binary",
                                            seed=args["seed"])
        x_eval, y_eval = train[0]
        return x_eval, y_eval, lambda: model.fit(train, epochs=1, steps_per_epoch=args["steps"],
                                                 verbose=0)

    return final_clean(args, data)


def probe_callback(ns: dict, args: dict) -> CallbackStops:
    import types

    from grader.sandbox.child import describe_exception

    cls = ns.get("myCallback")
    if not isinstance(cls, type):
        return {"call": {"ok": False, "stdout": "", "error": {
            "type": "MissingFunction", "message": "myCallback is not defined", "where": None}}}
    results = {}
    try:
        for label, accuracy in args["accuracies"].items():  # below and above the threshold
            callback = cls()
            dummy = types.SimpleNamespace(stop_training=False)
            try:
                callback.set_model(dummy)
            except Exception:  # noqa: BLE001 - some Keras versions check the type
                callback.__dict__["model"] = dummy
                callback.__dict__["_model"] = dummy
            callback.on_epoch_end(3, {"accuracy": accuracy, "loss": 0.1})
            results[label] = bool(dummy.stop_training)
    except BaseException as exc:  # noqa: BLE001
        return {"call": {"ok": False, "stdout": "", "error": describe_exception(exc)}}
    return {"call": {"ok": True, "stdout": "", "error": None}, "stops": results}


PROBES = {
    "train_val_generators": probes_generators.probe_train_val_generators,
    "generators_clean": probes_generators.probe_generators_clean,
    "create_pre_trained_model": probe_pre_trained,
    "pretrained_clean": probe_pre_trained_clean,
    "output_of_last_layer": probe_last_layer,
    "create_final_model": probe_final_model,
    "final_model_training": probe_final_clean,
    "myCallback": probe_callback,
}
