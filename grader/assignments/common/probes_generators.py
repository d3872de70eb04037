"""Child side of the generator functions (C2W1-C2W3): call the learner's, export the two
iterators as settings; re-create them in the clean child and observe them. Imports only the
sandbox's child-side helpers."""

from __future__ import annotations

from grader.model.observed import GeneratorsMade, GeneratorsRebuilt


def probe_train_val_generators(ns: dict, args: dict) -> GeneratorsMade:
    """Learner side: call the function and export the two iterators as settings."""
    return exported_generators(ns, args.get("exports", "exports"), args["training"],
                               args["validation"])


def exported_generators(ns: dict, exports: str, *call_args) -> GeneratorsMade:
    """Call the learner's train_val_generators with `call_args`; export the two iterators it
    returns (their settings; arrays as .npy) for the clean child to re-create."""
    from grader.sandbox.probe_tools import call_learner, export_iterator

    call = call_learner(ns, "train_val_generators", *call_args)
    obs: dict = {"call": call.summary()}
    if not call.ok:
        return obs
    value = call.value
    obs["returned"] = type(value).__name__
    if isinstance(value, (tuple, list)) and len(value) == 2:
        obs["export"] = [export_iterator(gen, exports, label)
                         for gen, label in zip(value, ("train", "val"), strict=True)]
    return obs


def probe_generators_clean(ns: dict, args: dict) -> GeneratorsRebuilt:
    """Clean side: re-create the exported iterators and observe them."""
    from grader.sandbox.probe_tools import (
        RebuildRefused,
        augmentation_behaviour,
        describe_directory_iterator,
        first_batch,
        rebuild_iterator,
    )

    generators = []
    for export in args["export"]:
        try:
            gen = rebuild_iterator(export)
        except RebuildRefused as exc:  # a msg() dict (or Python's text), shown with say()
            generators.append({"samples": None,
                               "rebuild_error": getattr(exc, "message", None) or str(exc)})
            continue
        except Exception as exc:  # noqa: BLE001 - invalid settings are observations
            generators.append({"samples": None,
                               "rebuild_error": f"{type(exc).__name__}: {exc}"[:500]})
            continue
        info = describe_directory_iterator(gen)
        if hasattr(gen, "x"):
            info["x_shape"] = list(gen.x.shape)
            info["y_shape"] = None if gen.y is None else list(gen.y.shape)
        try:
            info["batch"] = first_batch(gen)
            info["x_max"] = info["batch"]["x_max"]
            info["behaviour"] = augmentation_behaviour(gen)
        except Exception as exc:  # noqa: BLE001 - a bad generator is an observation
            info["batch_error"] = f"{type(exc).__name__}: {exc}"[:500]
        generators.append(info)
    return {"generators": generators}
