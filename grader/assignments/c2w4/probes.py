"""C2W4's probes (child side): call the learner's functions and report what they did; in the
clean child, measure the rebuilt model. Imports only the sandbox's child-side helpers, the
model and other probe modules; the checks are in spec.py."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from grader.assignments.common.probes_generators import (
    exported_generators,
    probe_generators_clean,
)
from grader.assignments.common.probes_model import probe_create_model
from grader.assignments.common.probes_sign import read_sign_csv
from grader.model.observed import GeneratorsMade, Parsed, Trained


def array_summary(value) -> dict:
    """Shape, dtype, a digest of the values and the first few of them: made in the child for
    what the function returned, and by the parent for the arrays the probe saved."""
    info = {"type": type(value).__name__}
    if isinstance(value, np.ndarray):
        info.update(shape=list(value.shape), dtype=str(value.dtype))
        if value.dtype.kind in "biuf":
            as64 = np.ascontiguousarray(value, dtype=np.float64)
            info["sha256"] = hashlib.sha256(as64.tobytes()).hexdigest()
            info["head"] = as64.ravel()[:6].tolist()
    return info


def saved_array(path: str, max_bytes: int) -> dict | None:
    """`array_summary` of an array a probe saved, read by the parent itself (no pickles):
    None for none, a link, a file over `max_bytes` or one numpy cannot read. A parent-side
    observation (`Context.fact`), here beside the summary it shares with the probe."""
    file = Path(path)
    if not file.is_file() or file.is_symlink() or file.stat().st_size > max_bytes:
        return None
    try:
        return array_summary(np.load(file, allow_pickle=False))
    except (OSError, ValueError):
        return None


def probe_parse(ns: dict, args: dict) -> Parsed:
    import time

    from grader.sandbox.probe_tools import call_learner

    call = call_learner(ns, "parse_data_from_input", args["train"])
    obs: dict = {"call": call.summary()}
    if not call.ok:
        return obs
    value = call.value
    obs["returned"] = type(value).__name__
    if isinstance(value, (tuple, list)) and len(value) == 2:
        obs["images"], obs["labels"] = (array_summary(v) for v in value)
        # The arrays themselves go to disk: the grader judges the files, not this report.
        for name, array in zip(("images", "labels"), value, strict=True):
            if isinstance(array, np.ndarray) and array.dtype.kind in "biuf":
                np.save(Path(args["exports"]) / f"{name}.npy", array, allow_pickle=False)
    timings = []
    for path, rows in zip(args["timing"], args["timing_rows"], strict=True):
        started = time.perf_counter()
        timed = call_learner(ns, "parse_data_from_input", path)
        timings.append({"rows": rows, "seconds": time.perf_counter() - started,
                        "ok": timed.ok})
    obs["timings"] = timings
    return obs


def probe_generators(ns: dict, args: dict) -> GeneratorsMade:
    """Learner side: call the function on the grader's arrays and export the iterators
    (arrays saved as .npy); the clean process re-creates and inspects them."""
    train_x, train_y = read_sign_csv(Path(args["train"]))
    val_x, val_y = read_sign_csv(Path(args["test"]))
    return exported_generators(ns, args["exports"], train_x, train_y, val_x, val_y)


def probe_train(ns: dict, args: dict) -> Trained:
    """Brief training on the grader's own iterators over the fixture CSVs."""
    import tensorflow as tf

    from grader.sandbox.brief_training import brief_training

    def data(info: dict):
        train_x, train_y = read_sign_csv(Path(args["train"]))
        val_x, val_y = read_sign_csv(Path(args["test"]))
        datagen = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1.0 / 255)
        train = datagen.flow(train_x[..., None], train_y, batch_size=args["batch_size"],
                             seed=args["seed"])
        return train, [(val_x[..., None] / 255.0, val_y)]

    return brief_training(args, data)


PROBES = {
    "parse_data_from_input": probe_parse,
    "train_val_generators": probe_generators,
    "generators_clean": probe_generators_clean,
    "create_model": probe_create_model,
    "train": probe_train,
}
