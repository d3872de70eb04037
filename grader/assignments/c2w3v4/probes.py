"""C2W3v4's probes (child side): call the learner's functions and report what they did; in the
clean child, measure the rebuilt model. Imports only the sandbox's child-side helpers, the
model and other probe modules; the checks are in spec.py."""

from __future__ import annotations

from grader.assignments.common import probes_datasets, probes_pretrained
from grader.model.observed import FinalTrained


def probe_final_clean(ns: dict, args: dict) -> FinalTrained:
    """The clean rebuild trained as the notebook feeds it: datasets of the training folder
    mapped through InceptionV3's preprocess_input (pixels to [-1, 1])."""
    def data(model):
        import numpy as np
        import tensorflow as tf

        train = tf.keras.utils.image_dataset_from_directory(
            args["training"], batch_size=args["batch_size"],
            image_size=tuple(args["image_size"]), label_mode="binary", shuffle=False)
        preprocess = tf.keras.applications.inception_v3.preprocess_input
        x_eval, y_eval = next(iter(train.map(lambda x, y: (preprocess(x), y))))
        x_eval, y_eval = np.asarray(x_eval), np.asarray(y_eval)
        tf.keras.utils.set_random_seed(args["seed"])
        return x_eval, y_eval, lambda: model.fit(x_eval, y_eval, epochs=args["steps"],
                                                 batch_size=args["batch_size"],
                                                 shuffle=False, verbose=0)

    return probes_pretrained.final_clean(args, data)


PROBES = {
    "train_val_datasets": probes_datasets.probe_train_val_datasets,
    "datasets_clean": probes_datasets.probe_datasets_clean,
    "create_pre_trained_model": probes_pretrained.probe_pre_trained,
    "pretrained_clean": probes_pretrained.probe_pre_trained_clean,
    "output_of_last_layer": probes_pretrained.probe_last_layer,
    "create_final_model": probes_pretrained.probe_final_model,
    "final_model_training": probe_final_clean,
}
