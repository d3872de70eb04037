"""Child side of the 2024 cats vs dogs (C2W1v4, C2W2v4): the brief training, in the clean
child, of the rebuilt model on the grader's own `./PetImages` datasets. Imports only the
sandbox's child-side helpers and the model; the checks are in petimages.py, datasets.py and
learning.py."""

from __future__ import annotations

from grader.model import keras_names
from grader.model.observed import Trained

LABEL_MODES = {"binary": "binary", "sparse": "int", "categorical": "categorical"}


def probe_train(ns: dict, args: dict) -> Trained:
    """Brief, seeded training, in a clean process, of the model rebuilt from the learner's
    exported configuration, on two thirds of the grader's own images (labels as the model's loss
    wants them; at the model's input size, scaled so its first Conv2D sees 0-1: a wrong size
    or scaling costs its own check); measured on the other third."""
    import numpy as np
    import tensorflow as tf

    from grader.sandbox.brief_training import brief_training, input_scale, input_size

    def data(info: dict):
        kind = keras_names.output_kind(info) or "binary"
        scale = input_scale(info)
        size = input_size(info, args["image_size"])

        def load(label_mode: str, subset: str):
            ds = tf.keras.utils.image_dataset_from_directory(
                args["directory"], image_size=size, batch_size=32,
                validation_split=args["validation_split"], subset=subset, seed=args["seed"],
                label_mode=label_mode)
            return ds.map(lambda x, y: (x * scale, y))

        train = load(LABEL_MODES[kind], "training")
        val = [(np.asarray(x), np.asarray(y)) for x, y in load("int", "validation")]
        return train, val

    return brief_training(args, data)

