"""The 2024 notebooks' train_val_datasets(): `image_dataset_from_directory` datasets, judged
from the calls that built them.

A tf.data pipeline has no configuration to export, but the datasets the course asks for are
exactly what `image_dataset_from_directory` makes from its arguments. The learner's child
records every call of it while the function runs (whatever spelling reached it:
`tf.keras.utils`, `keras.utils`, a name imported from either) and reports the arguments; the
clean child calls it again with them, where no learner code runs, and the checks read what
that rebuild holds. The learner's own datasets are still described, to catch a pipeline that
changed what the rebuild would give (a `.map` that rescales, an `.unbatch`). The child
side is probes_datasets.py; this module holds the checks.
"""

from __future__ import annotations

from grader.assignments.common.feedback import describe_error, outcome_problem
from grader.assignments.common.probes_datasets import FUNCTION
from grader.i18n import N_, say, tr
from grader.model.spec import Context, Test, Verdict

_LABELS = (N_("training"), N_("validation"))

# train_val_datasets' checks in the 2024 notebooks, in report order; each assignment weighs
# them and gives YIELDS its shape, SPLIT its validation share (model.spec.Test.worth).
SOURCE = Test("source",
              "returns (training, validation) datasets from image_dataset_from_directory")
YIELDS = Test("yields", "yields {shape} images with pixels 0-255")
SPLIT = Test("split", "puts {share:.0%} of the files in validation, none in both")
LABELS = Test("labels", "label_mode fits the model's output")


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


def source_verdict(test: Test, obs: dict, globals_read: str) -> Verdict:
    """The datasets read from the notebook's graded globals (`globals_read`: "DATA_DIR"),
    not from folders of the learner's own machine."""
    name = test.name
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


def split_verdict(test: Test, obs: dict, counts: tuple[int, int], share: float) -> Verdict:
    """The file counts of each subset and no file in both."""
    name = test.name
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


def images_verdict(test: Test, obs: dict, shape: tuple[int, ...],
                   scaled_by: str = RESCALING) -> Verdict:
    """What the returned datasets yield: images of `shape`, pixels still 0-255 (`scaled_by`
    scales them later; the dataset must not scale them first)."""
    name = test.name
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

