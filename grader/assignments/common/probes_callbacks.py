"""Child side of the 2024 notebooks' EarlyStoppingCallback: run the learner's callback on
each case the parent chose and report whether it stopped training."""

from __future__ import annotations

from grader.model.observed import CallbackCases

NAME = "EarlyStoppingCallback"


def probe_callback(ns: dict, args: dict) -> CallbackCases:
    """Learner side: each case on a fresh instance and a fresh model."""
    import contextlib

    import tensorflow as tf

    from grader.sandbox.child import CappedText, describe_exception

    cls = ns.get(NAME)
    if not isinstance(cls, type):
        return {"call": {"ok": False, "stdout": "", "error": {
            "type": "MissingFunction", "message": f"{NAME} is not defined", "where": None}}}
    base = tf.keras.callbacks.Callback
    obs: dict = {"call": {"ok": True, "stdout": "", "error": None},
                 "subclass": issubclass(cls, base),
                 "own_method": getattr(cls, "on_epoch_end", None) is not base.on_epoch_end,
                 "results": []}
    out = CappedText()
    for case in args["cases"]:
        model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(1)])
        model.stop_training = False
        logs = {"accuracy": case["accuracy"], "val_accuracy": case["val_accuracy"],
                "loss": 0.5, "val_loss": 0.5}
        try:
            with contextlib.redirect_stdout(out):
                callback = cls()
                callback.set_model(model)
                callback.on_epoch_end(3, logs=dict(logs))
        except BaseException as exc:  # noqa: BLE001 - learner code may raise anything
            obs["results"].append({"error": describe_exception(exc)})
            continue
        obs["results"].append({"stopped": bool(getattr(model, "stop_training", False))})
    obs["call"]["stdout"] = out.getvalue()
    return obs
