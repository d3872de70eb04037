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
from grader.assignments.common.models import created_model
from grader.assignments.common.probes_datasets import FUNCTION
from grader.assignments.common.probes_petimages import LABEL_MODES
from grader.i18n import N_, say, tr
from grader.model import keras_names
from grader.model.spec import (
    Context,
    ImageInput,
    PartSpec,
    Test,
    Verdict,
    all_fail,
    fail_the_rest,
)

_LABELS = (N_("training"), N_("validation"))

# train_val_datasets' checks in the 2024 notebooks, in report order; each assignment weighs
# them and gives YIELDS its shape, SPLIT its validation share (model.spec.Test.worth).
SOURCE = Test("source",
              "returns (training, validation) datasets from image_dataset_from_directory")
YIELDS = Test("yields", "yields {shape} images with pixels 0-255")
SPLIT = Test("split", "puts {share:.0%} of the files in validation, none in both")
LABELS = Test("labels", "label_mode fits the model's output")
# ASSIGNMENTS-2024.md W4 Ex1: "batch size 32 (for grading)"; C2W3v4 and C2W4v4 read
# whole folders in batches of their `batch_size` (folder_datasets_verdicts).
BATCHES = Test("batches", "batches of {size}")


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


# What each head trains on under Keras 3. A sigmoid unit takes 'int' labels as well as
# 'binary' ones: its loss and accuracy cast and reshape (N,) integer labels to the (N, 1)
# output, and training measured the same as with 'binary' (docs/assignments.md, C2W1v4).
ACCEPTED_LABELS = {"binary": ("binary", "int"), "sparse": ("int",),
                   "categorical": ("categorical",)}


def label_verdict(ctx: Context, test: Test, obs: dict, default: str = "binary") -> Verdict:
    """The labels against the model's head (the course's head, `default`, when create_model
    cannot be judged: one sigmoid unit, or C2W4v4's sparse softmax)."""
    name = test.name
    modes = {label_mode(d) for d in obs["datasets"]}
    problem, info = created_model(ctx)
    kind = (keras_names.output_kind(info) if not problem else None) or default
    wanted = LABEL_MODES[kind]
    if len(modes) == 1 and modes <= set(ACCEPTED_LABELS[kind]):
        return (name, True, tr("label_mode '{mode}' fits the model.", mode=modes.pop()))
    found = ", ".join(sorted(modes))
    if not problem and keras_names.output_kind(info):
        described = tr("your model ends in {units} {activation} unit(s) with {loss}",
                       units=info["output_shape"][-1], activation=info.get("output_activation"),
                       loss=info.get("loss_spelled") or info.get("loss"))
    elif default == "binary":
        described = tr("a two-class model with one sigmoid output")
    else:
        described = tr("a softmax over the classes with sparse_categorical_crossentropy")
    return (name, False, tr(
        "The datasets' labels look like label_mode={found}, but {model} needs "
        "label_mode={wanted}.", found=repr(found), model=described, wanted=repr(wanted)))


def folder_datasets_verdicts(ctx: Context, part: PartSpec, images: ImageInput, labels: str,
                             scaled_by: str = RESCALING) -> list[Verdict]:
    """train_val_datasets() read from TRAIN_DIR and VALIDATION_DIR whole, one call each,
    batches of the spec's `batch_size` (C2W3v4, C2W4v4); `labels`: the course's head, for
    label_verdict;
    `scaled_by`: what scales the pixels later, for images_verdict."""
    problem, obs = dataset_observations(ctx)
    if problem:
        return all_fail(part, problem)
    test = part.test
    verdicts: list[Verdict] = [
        source_verdict(test("source"), obs, "TRAIN_DIR / VALIDATION_DIR"),
        images_verdict(test("yields"), obs, images.shape, scaled_by)]
    both = pair(obs)
    if both is None:
        found = tr("The calls made {n} dataset(s), not a training and a validation one: call "
                   "image_dataset_from_directory once for TRAIN_DIR and once for "
                   "VALIDATION_DIR.", n=len(obs.get("rebuilt") or []))
        return fail_the_rest(part, verdicts, found)
    counts = tuple(len(d.get("files") or []) for d in both)
    classes = [len(d.get("class_names") or []) for d in both]
    want = len(ctx.prepared["classes"])
    if counts == tuple(ctx.prepared["counts"]) and classes == [want, want]:
        verdicts.append(test("counts").verdict(True, tr(
            "{train} training and {val} validation images in {n} classes.", train=counts[0],
            val=counts[1], n=want)))
    else:
        verdicts.append(test("counts").verdict(False, tr(
            "Expected {train} training and {val} validation images in {n} classes; found "
            "{found_train} and {found_val} in {classes}. Read TRAIN_DIR and VALIDATION_DIR "
            "whole, one call each (no validation_split).", train=ctx.prepared["counts"][0],
            val=ctx.prepared["counts"][1], n=want, found_train=counts[0],
            found_val=counts[1], classes=" and ".join(map(str, classes)))))
    sizes = [(d.get("batch") or {}).get("x_shape", [None])[0] for d in both]
    batch = ctx.spec.expected.batch_size
    verdicts.append(test("batches").verdict(sizes == [batch, batch], tr("Batches of 32.")
                     if sizes == [batch, batch] else tr(
                         "Batches of {sizes}; the grading needs batch_size=32 on both.",
                         sizes=" and ".join(map(str, sizes)))))
    verdicts.append(label_verdict(ctx, test("labels"), obs, default=labels))
    return verdicts
