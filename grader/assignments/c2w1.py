"""C2W1: cats vs dogs on the full Kaggle set (fixture-sized here).

Probes run in the child and only observe; checks run in the parent and judge, reading the
filesystem themselves where the function's effect is on disk.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from grader import course_paths, fixtures, keras_names
from grader.assignments import c2w1_files
from grader.assignments.c2w1_files import (
    DIRS_TESTS,
    SPLIT_TESTS,
    check_create_train_val_dirs,
    check_split_data,
    probe_create_train_val_dirs,
    probe_split_data,
    slash,
)
from grader.feedback import describe_error, outcome_problem
from grader.history import history_tests
from grader.spec import AssignmentSpec, Context, HistoryRule, PartSpec, Verdict, part

FUNCTIONS = ("create_train_val_dirs", "split_data", "train_val_generators", "create_model")
TRAIN_TARGET = 0.8
TRAIN_MAX_EPOCHS = 6
SEED = 1234

GENERATOR_TESTS = (
    "returns (train_generator, validation_generator)",
    "yields (150, 150, 3) float images, the model's input",
    "rescales pixels by 1/255 on both generators",
    "finds every image of the split",
    "class_mode matches the model's output",
    course_paths.ARGUMENTS_CHECK,
)
MODEL_TESTS = (
    "returns a compiled Keras model",
    "input shape is (150, 150, 3)",
    "has at least 3 Conv2D layers",
    "output layer and loss fit two classes",
    "tracks the 'accuracy' metric",
    "learns to tell the fixture's cats from dogs",
)
HISTORY = HistoryRule("history.pkl", max_epochs=15, min_train_accuracy=0.95,
                      min_val_accuracy=0.80)

PARTS = (
    part("create_train_val_dirs", DIRS_TESTS, (6, 4), probes=("create_train_val_dirs",)),
    part("split_data", SPLIT_TESTS, (5, 3, 6, 4, 4, 4, 4), probes=("split_data",)),
    part("train_val_generators", GENERATOR_TESTS, (3, 4, 4, 3, 4, 2),
         probes=("train_val_generators", "generators_clean")),
    part("create_model", MODEL_TESTS, (2, 3, 3, 3, 2, 7), probes=("create_model", "train")),
    part("history", history_tests(HISTORY), (2, 2, 1, 1, 7, 7)),
)


# --------------------------------------------------------------------------- child side

def probe_train_val_generators(ns: dict, args: dict) -> dict:
    """Learner side: call the function and export the two iterators as settings."""
    from grader.probe_tools import call_learner, export_iterator

    call = call_learner(ns, "train_val_generators", args["training"], args["validation"])
    obs: dict = {"call": call.summary()}
    if not call.ok:
        return obs
    value = call.value
    obs["returned"] = type(value).__name__
    if isinstance(value, (tuple, list)) and len(value) == 2:
        obs["export"] = [export_iterator(gen, args.get("exports", "exports"), label)
                         for gen, label in zip(value, ("train", "val"), strict=True)]
    return obs


def probe_generators_clean(ns: dict, args: dict) -> dict:
    """Clean side: re-create the exported iterators and observe them."""
    from grader.probe_tools import (
        RebuildRefused,
        augmentation_behaviour,
        describe_directory_iterator,
        first_batch,
        rebuild_iterator,
    )

    generators = []
    for export in args["export"]:
        try:
            gen = rebuild_iterator(export)
        except RebuildRefused as exc:
            generators.append({"samples": None, "rebuild_error": str(exc)})
            continue
        except Exception as exc:  # noqa: BLE001 - invalid settings are observations
            generators.append({"samples": None,
                               "rebuild_error": f"{type(exc).__name__}: {exc}"[:500]})
            continue
        info = describe_directory_iterator(gen)
        if hasattr(gen, "x"):
            info["x_shape"] = list(gen.x.shape)
            info["y_shape"] = None if gen.y is None else list(gen.y.shape)
        try:
            info["batch"] = first_batch(gen)
            info["x_max"] = info["batch"]["x_max"]
            info["behaviour"] = augmentation_behaviour(gen)
        except Exception as exc:  # noqa: BLE001 - a bad generator is an observation
            info["batch_error"] = f"{type(exc).__name__}: {exc}"[:500]
        generators.append(info)
    return {"generators": generators}


def probe_create_model(ns: dict, args: dict) -> dict:
    from grader.probe_tools import call_learner, describe_model, export_model

    call = call_learner(ns, "create_model")
    obs: dict = {"call": call.summary()}
    if call.ok:
        obs["returned"] = type(call.value).__name__
        if hasattr(call.value, "layers"):
            obs["model"] = describe_model(call.value)
            obs["export"] = export_model(call.value)
    return obs


def _reference_generators(training: str, validation: str, class_mode: str, seed: int):
    import tensorflow as tf

    datagen = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1.0 / 255)
    train = datagen.flow_from_directory(training, target_size=(150, 150), batch_size=32,
                                        class_mode=class_mode, seed=seed)
    val = datagen.flow_from_directory(validation, target_size=(150, 150), batch_size=64,
                                      class_mode="binary", shuffle=False)
    return train, val


def _class_mode_for(model_info: dict) -> str:
    units = (model_info.get("output_shape") or [None, 1])[-1]
    loss = (model_info.get("loss") or "").lower()
    if units == 2 and "sparse" not in loss:
        return "categorical"
    return "binary"


def probe_train(ns: dict, args: dict) -> dict:
    """Brief, seeded training, in a clean process, of the model rebuilt from the learner's
    exported configuration, on the grader's own generators (so a generator bug is not
    charged to the model); accuracy is measured by the grader from predictions."""
    from grader.probe_tools import brief_training

    def data(info: dict):
        train, val = _reference_generators(args["training"], args["validation"],
                                           _class_mode_for(info), args["seed"])
        return train, [val[i] for i in range(len(val))]

    return brief_training(args, data)


PROBES = {
    "create_train_val_dirs": probe_create_train_val_dirs,
    "split_data": probe_split_data,
    "train_val_generators": probe_train_val_generators,
    "generators_clean": probe_generators_clean,
    "create_model": probe_create_model,
    "train": probe_train,
}


# --------------------------------------------------------------------------- parent side

def prepare(workdir: Path) -> tuple[dict, dict[str, dict]]:
    pets = fixtures.petimages()
    prepared, args = c2w1_files.prepare(workdir, pets)
    data = workdir / "data"
    shutil.copytree(pets.training, data / "training")
    shutil.copytree(pets.validation, data / "validation")
    counts = {
        part: sum(len(os.listdir(data / part / c)) for c in ("cats", "dogs"))
        for part in ("training", "validation")
    }
    args.update({
        "train_val_generators": {"training": slash(data / "training"),
                                 "validation": slash(data / "validation"),
                                 "exports": str(workdir / "exports")},
        "train": {"training": str(data / "training"), "validation": str(data / "validation"),
                  "seed": SEED, "max_epochs": TRAIN_MAX_EPOCHS, "target": TRAIN_TARGET},
    })
    prepared["counts"] = counts
    prepared["generator_dirs"] = [args["train_val_generators"][k]
                                  for k in ("training", "validation")]
    prepared["course"]["train_val_generators"] = {  # where the notebook's globals point
        "/tmp/cats-v-dogs/training": str(data / "training"),
        "/tmp/cats-v-dogs/validation": str(data / "validation")}
    return prepared, args


def _all_fail(part: PartSpec, message: str) -> list[Verdict]:
    return [(name, False, message) for name, _ in part.tests]


def model_info(ctx: Context) -> dict | None:
    """The clean rebuild's description when there is one (nothing the submission could have
    tampered with), else what the learner's own process observed."""
    for probe in ("train", "create_model"):
        outcome = ctx.outcomes.get(probe)
        if outcome is not None and outcome.observation and outcome.observation.get("model"):
            return outcome.observation["model"]
    return None


def batch_problem(gens: list[dict]) -> str | None:
    for label, gen in zip(("training", "validation"), gens, strict=False):
        error = gen.get("batch_error")
        if error:
            hint = (" Augmentation needs SciPy installed (pip install scipy)."
                    if "SciPy" in error else "")
            return f"Reading a batch from the {label} generator failed: {error}.{hint}"
    return None


def batch_fits_model(gens: list[dict], want: tuple[int, ...] = (150, 150, 3)) -> tuple[bool, str]:
    """Judge what the generators yield (one batch each) against the model's input, not how
    they were configured: `color_mode='grayscale'` yields (150, 150, 1), which it cannot take."""
    found = []
    for label, gen in zip(("training", "validation"), gens, strict=True):
        batch = gen.get("batch") or {}
        shape = tuple(batch.get("x_shape") or ())[1:]
        dtype = str(batch.get("x_dtype") or "float32")
        if shape != want or not dtype.startswith("float"):
            found.append((label, shape, dtype, gen))
    if not found:
        return True, f"Both yield {want} float images."
    label, shape, dtype, gen = found[0]
    hint = "Keep target_size=(150, 150)."
    if len(shape) == 3 and shape[:2] == want[:2] and shape[2] != want[2]:
        hint = (f"color_mode={gen.get('color_mode')!r} gives {shape[2]} channel(s): leave "
                "color_mode at its default 'rgb'.")
    elif shape[:2] == want[:2]:
        hint = f"Pixels arrive as {dtype}: keep ImageDataGenerator's default float dtype."
    return False, (f"The model takes {want} float images; the {label} generator yields "
                   f"{shape} ({dtype}). {hint}")


def generator_observations(ctx: Context, key: str, usage: str) -> tuple[str | None, list]:
    """(why nothing can be judged, or None; the clean child's observations of the two
    generators). `key` must be present in both; `usage` says what was expected."""
    outcome = ctx.outcomes.get("train_val_generators")
    problem = outcome_problem("train_val_generators", outcome)
    if problem:
        return problem, []
    obs = outcome.observation
    if not obs["call"]["ok"]:
        return describe_error("train_val_generators", obs["call"]["error"]), []
    gens = obs.get("generators") or []
    refused = [g["rebuild_error"] for g in gens if g.get("rebuild_error")]
    if refused:
        return ("The grader re-creates your generators from their settings, and could not: "
                f"{refused[0]}."), []
    if not gens and obs.get("clean_failure"):
        return obs["clean_failure"], []
    if len(gens) != 2 or any(g.get(key) is None for g in gens):
        return (f"train_val_generators returned {obs.get('returned')}; expected a tuple of "
                f"two iterators made by {usage}."), []
    return None, gens


def generator_arguments_verdict(ctx: Context) -> Verdict:
    """Which directories the iterators were built on, against the ones passed in."""
    outcome = ctx.outcomes.get("train_val_generators")
    exports = ((outcome.observation or {}).get("export") if outcome else None) or []
    used = []
    for arg, given, export in zip(("TRAINING_DIR", "VALIDATION_DIR"),
                                  ctx.prepared["generator_dirs"], exports, strict=False):
        flow = export.get("flow") if isinstance(export, dict) else None
        directory = flow.get("directory") if isinstance(flow, dict) else None
        used.append((arg, given, None if directory is None
                     or course_paths.same_path(directory, given) else str(directory)))
    return course_paths.arguments_verdict("train_val_generators", used,
                                          bool(ctx.prepared.get("course_tmp")))


def check_train_val_generators(ctx: Context, part: PartSpec) -> list[Verdict]:
    problem, gens = generator_observations(
        ctx, "samples", "ImageDataGenerator(...).flow_from_directory(...)")
    if problem:
        return _all_fail(part, problem)
    train, val = gens
    verdicts: list[Verdict] = [(GENERATOR_TESTS[0], True, "Returned two directory iterators.")]
    broken = batch_problem(gens)
    if broken:
        return verdicts + [(n, False, broken) for n in GENERATOR_TESTS[1:-1]] + [
            generator_arguments_verdict(ctx)]
    verdicts.append((GENERATOR_TESTS[1], *batch_fits_model(gens)))
    bad_scale = []
    for label, gen in (("training", train), ("validation", val)):
        rescale = gen.get("rescale")
        batch = gen.get("batch") or {}
        ok = isinstance(rescale, float) and abs(rescale - 1 / 255) < 1e-6
        if not ok or batch.get("x_max", 2.0) > 1.0 + 1e-6:
            bad_scale.append(f"{label}: rescale={rescale}, pixel max {batch.get('x_max')}")
    if bad_scale:
        verdicts.append((GENERATOR_TESTS[2], False, (
            "Expected ImageDataGenerator(rescale=1./255) so pixels lie in [0, 1]; found "
            + "; ".join(bad_scale) + ".")))
    else:
        verdicts.append((GENERATOR_TESTS[2], True, "Pixels are scaled to [0, 1] on both."))
    counts = ctx.prepared["counts"]
    found = (train.get("samples"), val.get("samples"))
    classes = [sorted((g.get("class_indices") or {}).keys()) for g in gens]
    want_classes = ctx.prepared.get("classes", ["cats", "dogs"])
    if found == (counts["training"], counts["validation"]) and all(
        c == want_classes for c in classes
    ):
        verdicts.append((GENERATOR_TESTS[3], True,
                         f"Found {found[0]} training and {found[1]} validation images."))
    else:
        verdicts.append((GENERATOR_TESTS[3], False, (
            f"Expected {counts['training']} training and {counts['validation']} validation "
            f"images in classes {' and '.join(want_classes)}; found {found[0]} and {found[1]} in "
            f"{classes[0]} and {classes[1]}. Point each generator at the directory it is "
            "given (TRAINING_DIR, VALIDATION_DIR).")))
    modes = (train.get("class_mode"), val.get("class_mode"))
    info = model_info(ctx)
    kind = keras_names.output_kind(info) if info else None
    accepted = {"binary": ("binary",), "categorical": ("categorical",),
                "sparse": ("binary", "sparse")}.get(kind or "binary")
    if modes[0] == modes[1] and modes[0] in accepted:
        verdicts.append((GENERATOR_TESTS[4], True, f"class_mode '{modes[0]}' fits the model."))
    else:
        if info and kind:
            described = (f"your model ends in {info['output_shape'][-1]} "
                         f"{info.get('output_activation')} unit(s) with "
                         f"{info.get('loss_spelled') or info.get('loss')}")
        else:
            described = "a two-class model with one sigmoid output"
        verdicts.append((GENERATOR_TESTS[4], False, (
            f"class_mode is {modes[0]!r} (training) and {modes[1]!r} (validation), but "
            f"{described} needs class_mode={accepted[0]!r}. 'categorical' gives one-hot "
            "labels of two columns, which a single sigmoid unit cannot fit.")))
    verdicts.append(generator_arguments_verdict(ctx))
    return verdicts


def tracks_accuracy(info: dict) -> bool:
    """Any accuracy metric, however spelled or named: 'acc', BinaryAccuracy(name='a')."""
    kinds = info.get("metric_kinds") or info.get("metrics") or []
    return any(keras_names.is_accuracy(k) for k in kinds)


def created_model(ctx: Context) -> tuple[str | None, dict]:
    """(why create_model cannot be judged, or None; the model's description)."""
    outcome = ctx.outcomes.get("create_model")
    problem = outcome_problem("create_model", outcome)
    if problem:
        return problem, {}
    obs = outcome.observation
    if not obs["call"]["ok"]:
        return describe_error("create_model", obs["call"]["error"]), {}
    info = model_info(ctx) if obs.get("model") else None
    if not info:
        return f"create_model returned {obs.get('returned')}, not a Keras model.", {}
    return None, info


def check_create_model(ctx: Context, part: PartSpec) -> list[Verdict]:
    problem, info = created_model(ctx)
    if problem:
        return _all_fail(part, problem)
    verdicts: list[Verdict] = []
    if info.get("compiled") and info.get("loss"):
        verdicts.append((MODEL_TESTS[0], True, f"A compiled {info['type']}."))
    else:
        verdicts.append((MODEL_TESTS[0], False, (
            "The model is not compiled: call model.compile(optimizer=..., loss=..., "
            "metrics=['accuracy']) before returning it.")))
    shape = info.get("input_shape")
    if shape == [None, 150, 150, 3]:
        verdicts.append((MODEL_TESTS[1], True, "Input shape (150, 150, 3)."))
    else:
        verdicts.append((MODEL_TESTS[1], False, (
            f"Expected input shape (None, 150, 150, 3); found {shape}. Give the first layer "
            "input_shape=(150, 150, 3).")))
    convs = sum(1 for layer in info.get("layers", []) if layer == "Conv2D")
    if convs >= 3:
        verdicts.append((MODEL_TESTS[2], True, f"{convs} Conv2D layers."))
    else:
        verdicts.append((MODEL_TESTS[2], False, (
            f"Expected at least 3 Conv2D layers; found {convs}. Stack Conv2D + MaxPooling2D "
            "blocks.")))
    kind = keras_names.output_kind(info)
    if kind:
        verdicts.append((MODEL_TESTS[3], True, (
            f"{info['output_shape'][-1]} {info.get('output_activation')} output with "
            f"{info.get('loss_spelled') or info.get('loss')}.")))
    else:
        verdicts.append((MODEL_TESTS[3], False, keras_names.logits_problem(info) or (
            f"The model ends in {(info.get('output_shape') or [None])[-1]} unit(s) with "
            f"activation {info.get('output_activation')!r} and loss "
            f"{info.get('loss_spelled') or info.get('loss')!r}. For two classes use "
            "Dense(1, activation='sigmoid') with loss='binary_crossentropy' (or 2 softmax "
            "units with a categorical cross-entropy).")))
    if tracks_accuracy(info):
        verdicts.append((MODEL_TESTS[4], True, "Accuracy is tracked."))
    else:
        verdicts.append((MODEL_TESTS[4], False, (
            f"Expected metrics=['accuracy'] in compile; found {info.get('metrics')}. The "
            "history check needs the 'accuracy' and 'val_accuracy' keys.")))
    verdicts.append(training_verdict(ctx, MODEL_TESTS[5]))
    return verdicts


def training_verdict(ctx: Context, name: str, target: float = TRAIN_TARGET) -> Verdict:
    outcome = ctx.outcomes.get("train")
    problem = outcome_problem("Training the model", outcome)
    if problem:
        return (name, False, problem)
    obs = outcome.observation
    if "rebuild_error" in obs:
        return (name, False, (
            "The grader trains a copy of your model rebuilt from its configuration, and it "
            f"could not be rebuilt: {obs['rebuild_error']}."))
    if "fit_error" in obs:
        return (name, False, "Training the model failed: " + describe_error(
            "model.fit", obs["fit_error"]).removeprefix("model.fit raised "))
    accuracies = obs.get("accuracies") or []
    if "not_a_model" in obs or not accuracies:
        return (name, False, "The model could not be trained.")
    best = max(accuracies)
    curve = ", ".join(f"{a:.2f}" for a in accuracies)
    if best >= target:
        return (name, True, (
            f"Reached {best:.0%} validation accuracy on the fixture data after "
            f"{len(accuracies)} short epoch(s) (needed {target:.0%})."))
    return (name, False, (
        f"After {len(accuracies)} short epochs on easy fixture data, validation accuracy "
        f"stayed at {curve} (needed {target:.0%}). The model does not learn: check the "
        "optimizer's learning rate, that layers are trainable, and the output activation."))


def detect(filename: str, text: str) -> int:
    score = 0
    if "C2W1" in filename.upper():
        score += 10
    if "create_train_val_dirs" in text and "split_data" in text:
        score += 3
    if "history_augmented" in text or "rotation_range" in text:
        score -= 4
    return score


SPEC = AssignmentSpec(
    code="C2W1",
    title="Cats vs dogs (full Kaggle set)",
    functions=FUNCTIONS,
    parts=PARTS,
    pass_mark=80.0,
    history=HISTORY,
    probe_timeouts={"create_train_val_dirs": 60, "split_data": 60, "train_val_generators": 90,
                    "create_model": 90, "train": 300, "generators_clean": 90},
    clean_probes={"train": "create_model", "generators_clean": "train_val_generators"},
    prepare=prepare,
    checks={
        "create_train_val_dirs": check_create_train_val_dirs,
        "split_data": check_split_data,
        "train_val_generators": check_train_val_generators,
        "create_model": check_create_model,
    },
    probes=PROBES,
    detect=detect,
)
