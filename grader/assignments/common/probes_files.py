"""Child side of C2W1 and C2W2 (the 2022-2023 cats vs dogs): the directory tree, the split
and the brief training on the grader's own generators, in the clean child; `PROBES`, the
probes both weeks run. Imports only the sandbox's child-side helpers, the model and other
probe modules; the checks are in files.py and catsdogs.py."""

from __future__ import annotations

import random

from grader.assignments.common.probes_generators import (
    probe_generators_clean,
    probe_train_val_generators,
)
from grader.assignments.common.probes_model import probe_create_model
from grader.model.observed import Calls, Trained


def probe_create_train_val_dirs(ns: dict, args: dict) -> Calls:
    from grader.sandbox.probe_tools import call_learner

    return {"calls": [call_learner(ns, "create_train_val_dirs", root).summary()
                      for root in args["roots"]]}


def probe_split_data(ns: dict, args: dict) -> Calls:
    from grader.sandbox.probe_tools import call_learner

    calls = []
    for run in args["runs"]:
        random.seed(run["seed"])
        try:
            import numpy as np

            np.random.seed(run["seed"])
        except ImportError:
            pass
        calls.append(call_learner(ns, "split_data", run["source"], run["training"],
                                  run["validation"], run["split"]).summary())
    return {"calls": calls}


def _reference_generators(args: dict, class_mode: str):
    """The grader's own generators over the brief training's split, at the spec's image
    size (`args["image_size"]`)."""
    import tensorflow as tf

    size = tuple(args["image_size"])
    datagen = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1.0 / 255)
    train = datagen.flow_from_directory(args["training"], target_size=size, batch_size=32,
                                        class_mode=class_mode, seed=args["seed"])
    val = datagen.flow_from_directory(args["validation"], target_size=size, batch_size=64,
                                      class_mode="binary", shuffle=False)
    return train, val


def _class_mode_for(model_info: dict) -> str:
    units = (model_info.get("output_shape") or [None, 1])[-1]
    loss = (model_info.get("loss") or "").lower()
    if units == 2 and "sparse" not in loss:
        return "categorical"
    return "binary"


def probe_train(ns: dict, args: dict) -> Trained:
    """Brief, seeded training, in a clean process, of the model rebuilt from the learner's
    exported configuration, on the grader's own generators (so a generator bug is not
    charged to the model) over two thirds of the fixture; measured on the other third."""
    from grader.sandbox.brief_training import brief_training

    def data(info: dict):
        train, val = _reference_generators(args, _class_mode_for(info))
        return train, [val[i] for i in range(len(val))]

    return brief_training(args, data)


PROBES = {  # C2W1's and C2W2's, the same six (c2w1/probes.py, c2w2/probes.py)
    "create_train_val_dirs": probe_create_train_val_dirs,
    "split_data": probe_split_data,
    "train_val_generators": probe_train_val_generators,
    "generators_clean": probe_generators_clean,
    "create_model": probe_create_model,
    "train": probe_train,
}
