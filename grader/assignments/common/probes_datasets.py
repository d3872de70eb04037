"""Child side of the 2024 notebooks' train_val_datasets: record how the learner's function
calls image_dataset_from_directory, describe what it returns, rebuild the datasets in the
clean child. Imports only the sandbox's child-side helpers."""

from __future__ import annotations

import os

from grader.model.observed import DatasetsMade, DatasetsRebuilt

FUNCTION = "train_val_datasets"
NAME = "image_dataset_from_directory"


def _plain(value):
    if isinstance(value, os.PathLike):  # pathlib.Path(DATA_DIR)
        return os.fspath(value)
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)[:200]


PROVIDED = ("DATA_DIR", "TRAIN_DIR", "VALIDATION_DIR")  # the graded globals of folders


def _instead(written: str, provided: dict[str, str], calls_so_far: int) -> str | None:
    """The provided folder a hard-coded one that does not exist here stands for: the only
    one, or TRAIN_DIR / VALIDATION_DIR by its name, else by the call's order."""
    if os.path.isdir(written) or not provided:
        return None
    if len(provided) == 1:
        return next(iter(provided.values()))
    validation = "valid" in written.lower() or (calls_so_far == 1
                                                 and "train" not in written.lower())
    return provided.get("VALIDATION_DIR" if validation else "TRAIN_DIR")


def _recording(real, calls: list, provided: dict[str, str]):
    """Records each call's arguments. A `directory` of the learner's own machine that does
    not exist here (the global ignored, '/home/me/PetImages') is read from the folder the
    grader provides instead, kept as `written`: charged once, and the rest still graded."""
    import inspect

    signature = inspect.signature(real)

    def image_dataset_from_directory(*args, **kwargs):
        try:
            binding = signature.bind_partial(*args, **kwargs)
        except TypeError:
            binding = None
        bound = binding.arguments if binding else {**dict(enumerate(args)), **kwargs}
        call = {str(k): _plain(v) for k, v in bound.items()}
        if isinstance(call.get("directory"), str):
            call["directory"] = os.path.abspath(call["directory"])
            instead = _instead(call["directory"], provided, len(calls))
            if instead and binding:
                call["written"], call["directory"] = call["directory"], instead
                binding.arguments["directory"] = instead
                args, kwargs = binding.args, binding.kwargs
        calls.append(call)
        return real(*args, **kwargs)

    return image_dataset_from_directory


def _spec_of(dataset) -> dict:
    spec = getattr(dataset, "element_spec", None)
    if not isinstance(spec, tuple) or len(spec) != 2:
        return {"element_spec": repr(spec)[:200]}
    images, labels = spec
    return {"images": [None if d is None else int(d) for d in images.shape],
            "images_dtype": images.dtype.name,
            "labels": [None if d is None else int(d) for d in labels.shape],
            "labels_dtype": labels.dtype.name}


def describe_dataset(dataset, batches: int = 1) -> dict:
    """Shapes, files, classes and the first batch's pixel range and label values."""
    import numpy as np

    info: dict = {"type": type(dataset).__name__, **_spec_of(dataset)}
    paths = getattr(dataset, "file_paths", None)
    if isinstance(paths, list):
        info["files"] = [os.path.relpath(p, os.path.dirname(os.path.dirname(p)))
                         for p in paths]
    names = getattr(dataset, "class_names", None)
    info["class_names"] = list(names) if isinstance(names, (list, tuple)) else None
    try:
        for images, labels in dataset.take(batches):
            x, y = np.asarray(images), np.asarray(labels)
            info["batch"] = {"x_shape": list(x.shape), "x_max": float(x.max()),
                             "x_min": float(x.min()), "y_shape": list(y.shape),
                             "y_values": sorted({float(v) for v in y.reshape(-1)})[:10]}
    except Exception as exc:  # noqa: BLE001 - an unreadable image is an observation
        info["batch_error"] = f"{type(exc).__name__}: {exc}"[:500]
    return info


def probe_train_val_datasets(ns: dict, args: dict) -> DatasetsMade:
    """Learner side: call the function while recording how it built its datasets."""
    import sys

    import tensorflow as tf

    from grader.sandbox.probe_tools import call_learner

    real = tf.keras.utils.image_dataset_from_directory
    calls: list = []
    provided = {name: os.path.abspath(ns[name]) for name in PROVIDED
                if isinstance(ns.get(name), str)}  # the grader's values (provide_globals)
    recording = _recording(real, calls, provided)
    patched = []
    for module in list(sys.modules.values()) + [ns]:
        holder = module if isinstance(module, dict) else getattr(module, "__dict__", {})
        if holder.get(NAME) is real:
            holder[NAME] = recording
            patched.append(holder)
    for key, value in list(ns.items()):
        if value is real:
            ns[key] = recording
    try:
        call = call_learner(ns, FUNCTION)
    finally:
        for holder in patched:
            holder[NAME] = real
    obs: dict = {"call": call.summary(), "export": calls}
    if not call.ok:
        return obs
    value = call.value
    obs["returned"] = type(value).__name__
    if isinstance(value, (tuple, list)) and len(value) == 2:
        obs["datasets"] = [describe_dataset(d) if isinstance(d, tf.data.Dataset)
                           else {"type": type(d).__name__} for d in value]
    return obs


def rebuild_datasets(calls: list[dict]) -> list:
    """(training, validation) as the recorded calls built them."""
    import tensorflow as tf

    built = []
    for call in calls:
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in call.items()
                  if not k.isdigit() and k != "written"}
        result = tf.keras.utils.image_dataset_from_directory(**kwargs)
        built.extend(result if isinstance(result, (list, tuple)) else [result])
    return built


def probe_datasets_clean(ns: dict, args: dict) -> DatasetsRebuilt:
    """Clean side: the datasets rebuilt from the recorded calls, described."""
    calls = args["export"]
    if not calls:
        return {"rebuilt": None}
    try:
        built = rebuild_datasets(calls)
    except Exception as exc:  # noqa: BLE001 - invalid arguments are observations
        return {"rebuilt": None, "rebuild_error": f"{type(exc).__name__}: {exc}"[:500]}
    return {"rebuilt": [describe_dataset(d) for d in built]}
