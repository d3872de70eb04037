"""Child side of every `create_model`-like function: call it, describe and export the model
it returns (the clean child rebuilds it from the export). Imports only the sandbox's
child-side helpers."""

from __future__ import annotations

from grader.model.observed import ModelMade


def probe_create_model(ns: dict, args: dict) -> ModelMade:
    return probe_model(ns, "create_model")


def probe_model(ns: dict, function: str) -> ModelMade:
    """Call a function that returns a Keras model; describe and export what it returned."""
    from grader.sandbox.probe_tools import call_learner, describe_model, export_model

    call = call_learner(ns, function)
    obs: dict = {"call": call.summary()}
    if call.ok:
        obs["returned"] = type(call.value).__name__
        if hasattr(call.value, "layers"):
            obs["model"] = describe_model(call.value)
            obs["export"] = export_model(call.value)
    return obs
