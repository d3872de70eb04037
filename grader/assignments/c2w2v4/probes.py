"""C2W2v4's probes (child side): call the learner's functions and report what they did; in the
clean child, measure the rebuilt model. Imports only the sandbox's child-side helpers, the
model and other probe modules; the checks are in spec.py."""

from __future__ import annotations

from grader.assignments.common import probes_callbacks, probes_datasets, probes_model
from grader.assignments.common.probes_model import probe_model
from grader.assignments.common.probes_petimages import probe_train
from grader.model.observed import AugmentationApplied, ModelMade

AUGMENTATION = "create_augmentation_model"


def probe_augmentation(ns: dict, args: dict) -> ModelMade:
    return probe_model(ns, AUGMENTATION)


def probe_augmentation_clean(ns: dict, args: dict) -> AugmentationApplied:
    """Clean side: the rebuilt augmentation model applied twice, in training mode, to the
    same seeded batch of 0-255 images."""
    import numpy as np

    from grader.sandbox.probe_tools import clean_model

    model, obs = clean_model(args)
    if model is None:
        return obs
    images = np.random.default_rng(args["seed"]).uniform(
        0, 255, (4, *args["shape"])).astype("float32")
    try:
        first, second = (np.asarray(model(images, training=True)) for _ in range(2))
    except Exception as exc:  # noqa: BLE001 - a model that cannot run is an observation
        return {**obs, "apply_error": f"{type(exc).__name__}: {exc}"[:500]}
    return {**obs, "out_shape": list(first.shape), "in_shape": list(images.shape),
            "calls_differ": float(np.abs(first - second).max()),
            "changed": float(np.abs(first - images).max()) if first.shape == images.shape
            else None}


def reference_augmentation(shape: list[int]):
    """The grader's create_augmentation_model, for images of `shape` (the spec's)."""
    def create_augmentation_model():
        import tensorflow as tf

        return tf.keras.Sequential([tf.keras.Input(tuple(shape)),
                                    tf.keras.layers.RandomFlip("horizontal"),
                                    tf.keras.layers.RandomRotation(0.1)])

    return create_augmentation_model


def probe_create_model(ns: dict, args: dict) -> ModelMade:
    """create_model with the grader's own create_augmentation_model in its namespace, so a
    broken augmentation model is charged once, to its own part (as C2W3's later parts get
    the grader's InceptionV3); with the learner's own where the substitute does not fit."""
    own = ns.get(AUGMENTATION)
    ns[AUGMENTATION] = reference_augmentation(args["shape"])
    obs = probes_model.probe_create_model(ns, args)
    if not obs["call"]["ok"] and callable(own):
        # The substitute does not fit (a notebook that uses 150x150 throughout): the
        # learner's own augmentation model, so the size is charged where it shows, not here.
        ns[AUGMENTATION] = own
        retry = probes_model.probe_create_model(ns, args)
        if retry["call"]["ok"]:
            return retry
    return obs


PROBES = {  # C2W1v4's, with create_model given the grader's augmentation model
    "train_val_datasets": probes_datasets.probe_train_val_datasets,
    "datasets_clean": probes_datasets.probe_datasets_clean,
    "create_model": probe_create_model,
    "train": probe_train,
    "EarlyStoppingCallback": probes_callbacks.probe_callback,
    AUGMENTATION: probe_augmentation,
    "augmentation_clean": probe_augmentation_clean,
}
