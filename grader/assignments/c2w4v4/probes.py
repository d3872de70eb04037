"""C2W4v4's probes (child side): call the learner's functions and report what they did; in the
clean child, measure the rebuilt model. Imports only the sandbox's child-side helpers, the
model and other probe modules; the checks are in spec.py."""

from __future__ import annotations

from grader.assignments.common import probes_datasets
from grader.assignments.common.probes_model import probe_create_model
from grader.model import keras_names
from grader.model.observed import Trained


def probe_train(ns: dict, args: dict) -> Trained:
    """Brief, seeded training of the clean rebuild on the grader's own datasets (integer
    labels for the sparse loss, one-hot for any other; pixels scaled so the first Conv2D sees
    0-1: a missing Rescaling costs its own check)."""
    import numpy as np
    import tensorflow as tf

    from grader.sandbox.brief_training import brief_training, input_scale

    def data(info: dict):
        scale = input_scale(info)
        units = (info.get("output_shape") or [None])[-1]

        def load(folder: str, one_hot: bool, shuffle: bool):
            ds = tf.keras.utils.image_dataset_from_directory(
                folder, image_size=tuple(args["image_size"]), color_mode="grayscale",
                batch_size=args["batch_size"],
                shuffle=shuffle, seed=args["seed"])
            if one_hot:  # as wide as the model's output: a width mismatch is its own check
                return ds.map(lambda x, y: (x * scale, tf.one_hot(y, units)))
            return ds.map(lambda x, y: (x * scale, y))

        # One-hot for any loss but the sparse one, so a wrong loss that can still train (a
        # binary cross-entropy over 26 units) costs its own check, not this one too.
        sparse = keras_names.canonical(info.get("loss")) == "sparse_categorical_crossentropy"
        train = load(args["train"], not sparse and isinstance(units, int) and units > 1, True)
        val = [(np.asarray(x), np.asarray(y)) for x, y in load(args["validation"], False,
                                                               False)]
        return train, val

    return brief_training(args, data)


PROBES = {
    "train_val_datasets": probes_datasets.probe_train_val_datasets,
    "datasets_clean": probes_datasets.probe_datasets_clean,
    "create_model": probe_create_model,
    "train": probe_train,
}
