"""The 2024 notebooks' train_val_datasets(): `image_dataset_from_directory` datasets, judged
from the calls that built them.

A tf.data pipeline has no configuration to export, but the datasets the course asks for are
exactly what `image_dataset_from_directory` makes from its arguments. The learner's child
records every call of it while the function runs (whatever spelling reached it:
`tf.keras.utils`, `keras.utils`, a name imported from either) and reports the arguments; the
clean child calls it again with them, where no learner code runs, and the checks read what
that rebuild holds. The learner's own datasets are still described, to catch a pipeline that
changed what the rebuild would give (a `.map` that rescales, an `.unbatch`).
"""

from __future__ import annotations

import os

from grader.assignments.common.feedback import describe_error, outcome_problem
from grader.i18n import N_, say, tr
from grader.model.spec import Context, Verdict

FUNCTION = "train_val_datasets"
NAME = "image_dataset_from_directory"
_LABELS = (N_("training"), N_("validation"))


# --------------------------------------------------------------------------- child side

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


def probe_train_val_datasets(ns: dict, args: dict) -> dict:
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


def probe_datasets_clean(ns: dict, args: dict) -> dict:
    """Clean side: the datasets rebuilt from the recorded calls, described."""
    calls = args["export"]
    if not calls:
        return {"rebuilt": None}
    try:
        built = rebuild_datasets(calls)
    except Exception as exc:  # noqa: BLE001 - invalid arguments are observations
        return {"rebuilt": None, "rebuild_error": f"{type(exc).__name__}: {exc}"[:500]}
    return {"rebuilt": [describe_dataset(d) for d in built]}


# --------------------------------------------------------------------------- parent side

def dataset_observations(ctx: Context) -> tuple[str | None, dict]:
    """(why the datasets cannot be judged, or None; the learner child's observation with the
    clean rebuild's `rebuilt`, training first)."""
    outcome = ctx.outcomes.get(FUNCTION)
    problem = outcome_problem(FUNCTION, outcome)
    if problem:
        return problem, {}
    obs = outcome.observation
    if not obs["call"]["ok"]:
        return describe_error(FUNCTION, obs["call"]["error"]), {}
    if not obs.get("export"):
        return tr("train_val_datasets returned {returned} without calling "
                  "tf.keras.utils.image_dataset_from_directory; build both datasets with it, "
                  "as the notebook shows.", returned=obs.get("returned")), {}
    if obs.get("rebuild_error"):
        return tr("The grader builds your datasets again from the arguments you gave "
                  "image_dataset_from_directory, and could not: {error}.",
                  error=obs["rebuild_error"]), {}
    if obs.get("rebuilt") is None and obs.get("clean_failure"):
        return say(obs["clean_failure"]), {}
    returned = obs.get("datasets") or []
    if len(returned) != 2 or any("images" not in d for d in returned):
        return tr("train_val_datasets returned {returned}; expected (training_dataset, "
                  "validation_dataset), two tf.data datasets. With validation_split, "
                  "subset='both' returns both from one call.",
                  returned=obs.get("returned")), {}
    return None, obs


def source_verdict(name: str, obs: dict, globals_read: str) -> Verdict:
    """The datasets read from the notebook's graded globals (`globals_read`: "DATA_DIR"),
    not from folders of the learner's own machine."""
    written = [c["written"] for c in obs.get("export") or [] if isinstance(c.get("written"), str)]
    if not written:
        return (name, True, tr("Two tf.data datasets."))
    return (name, False, tr(
        "train_val_datasets reads {paths}, a folder of your own machine, instead of the "
        "notebook's {globals}: the lab and the grader keep the data where those point. The "
        "grader read its own copy instead to grade the rest.",
        paths=", ".join(repr(w) for w in written), globals=globals_read))


def pair(obs: dict) -> tuple[dict, dict] | None:
    """The rebuilt (training, validation), when the calls made exactly two datasets."""
    rebuilt = obs.get("rebuilt") or []
    return (rebuilt[0], rebuilt[1]) if len(rebuilt) == 2 else None


def split_verdict(name: str, obs: dict, counts: tuple[int, int], share: float) -> Verdict:
    """The file counts of each subset and no file in both."""
    datasets = pair(obs)
    if datasets is None:
        return (name, False, tr(
            "The calls made {n} dataset(s), not a training and a validation one: use "
            "validation_split with subset='both' (or one call per subset, with the same "
            "seed).", n=len(obs.get("rebuilt") or [])))
    files = [set(d.get("files") or []) for d in datasets]
    found = tuple(len(f) for f in files)
    shared = len(files[0] & files[1])
    if found == counts and not shared:
        return (name, True, tr("{train} training and {val} validation files, none in both.",
                               train=found[0], val=found[1]))
    calls = obs.get("export") or []
    settings = ", ".join(sorted({f"{k}={v!r}" for c in calls for k, v in c.items()
                                 if k in ("validation_split", "subset", "seed")}))
    return (name, False, tr(
        "Expected {train} training and {val} validation files ({share:.0%} of {total} for "
        "validation), none in both; found {found_train} and {found_val}, {shared} in both "
        "(with {settings}). Use validation_split={share}, subset='both' and a seed.",
        train=counts[0], val=counts[1], share=share, total=sum(counts),
        found_train=found[0], found_val=found[1], shared=shared,
        settings=settings or tr("no split settings")))


RESCALING = N_("the model's Rescaling layer")


def images_verdict(name: str, obs: dict, shape: tuple[int, ...],
                   scaled_by: str = RESCALING) -> Verdict:
    """What the returned datasets yield: images of `shape`, pixels still 0-255 (`scaled_by`
    scales them later; the dataset must not scale them first)."""
    found = []
    for label, dataset in zip(_LABELS, obs["datasets"], strict=True):
        images = tuple(dataset.get("images") or ())[1:]
        batch = dataset.get("batch") or {}
        if dataset.get("batch_error"):
            return (name, False, tr("Reading a batch from the {label} dataset failed: "
                                    "{error}.", label=tr(label), error=dataset["batch_error"]))
        if images != shape:
            found.append(tr("the {label} dataset yields {shape} images", label=tr(label),
                            shape=images))
        elif batch.get("x_max", 255.0) <= 1.0 + 1e-6:
            found.append(tr("the {label} dataset's pixels are already scaled (max {max})",
                            label=tr(label), max=batch.get("x_max")))
    if not found:
        return (name, True, tr("{shape} images with pixels 0-255 in both.", shape=shape))
    return (name, False, tr(
        "Expected {shape} images with pixels 0-255 ({scaled_by} scales them); {found}. Use "
        "image_size={size} and leave the pixels as loaded.", shape=shape,
        scaled_by=tr(scaled_by), found="; ".join(found), size=shape[:2]))


def label_mode(dataset: dict) -> str:
    """'binary', 'int' or 'categorical', from what the labels look like."""
    labels = dataset.get("labels") or []
    dtype = dataset.get("labels_dtype") or ""
    if len(labels) == 2 and labels[-1] == 1 and dtype.startswith("float"):
        return "binary"
    if len(labels) == 2 and (labels[-1] or 0) > 1:
        return "categorical"
    return "int"

