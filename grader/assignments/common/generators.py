"""C2W1's train_val_generators, shared with C2W2 and C2W3: two directory iterators, judged
on what they yield for the model (shape, channels, scale, labels) and on the directories
they were built on. The probes that call and rebuild them are in probes_generators.py."""

from __future__ import annotations

from grader.assignments.common.feedback import describe_error, outcome_problem
from grader.i18n import N_, say, tr
from grader.model import keras_names
from grader.model.spec import Context, ImageInput, PartSpec, Test, Verdict, all_fail
from grader.sandbox import course_paths

IMAGES = ImageInput()  # 150x150 RGB scaled by 1/255: C2W1, C2W2 and C2W3 declare it

# The checks of train_val_generators, in report order; each assignment weighs them
# (model.spec.weigh). Shared by object: C2W3's part leaves CLASS_MODE out.
RETURNS = Test("returns", "returns (train_generator, validation_generator)")
YIELDS = Test("yields", "yields {shape} float images, the model's input",
              params={"shape": IMAGES.shape})
RESCALES = Test("rescales", "rescales pixels by 1/{scale} on both generators",
                params={"scale": round(1 / IMAGES.rescale)})
FINDS = Test("finds", "finds every image of the split")
CLASS_MODE = Test("class_mode", "class_mode matches the model's output")
GENERATOR_TESTS = (RETURNS, YIELDS, RESCALES, FINDS, CLASS_MODE, course_paths.ARGUMENTS)


def model_info(ctx: Context) -> dict | None:
    """The clean rebuild's description when there is one (nothing the submission could have
    tampered with), else what the learner's own process observed."""
    for probe in ("train", "create_model"):
        outcome = ctx.outcomes.get(probe)
        if outcome is not None and outcome.observation and outcome.observation.get("model"):
            return outcome.observation["model"]
    return None


_LABELS = (N_("training"), N_("validation"))  # which generator, as a message names it


def batch_problem(gens: list[dict]) -> str | None:
    for label, gen in zip(_LABELS, gens, strict=False):
        error = gen.get("batch_error")
        if error:
            if "SciPy" in error:
                return tr("Reading a batch from the {label} generator failed: {error}. "
                          "Augmentation needs SciPy installed (pip install scipy).",
                          label=tr(label), error=error)
            return tr("Reading a batch from the {label} generator failed: {error}.",
                      label=tr(label), error=error)
    return None


def batch_fits_model(gens: list[dict], images: ImageInput = IMAGES) -> tuple[bool, str]:
    """Judge what the generators yield (one batch each) against the model's input, not how
    they were configured: `color_mode='grayscale'` yields (150, 150, 1), which it cannot take."""
    want = images.shape
    found = []
    for label, gen in zip(_LABELS, gens, strict=True):
        batch = gen.get("batch") or {}
        shape = tuple(batch.get("x_shape") or ())[1:]
        dtype = str(batch.get("x_dtype") or "float32")
        if shape != want or not dtype.startswith("float"):
            found.append((label, shape, dtype, gen))
    if not found:
        return True, tr("Both yield {shape} float images.", shape=want)
    label, shape, dtype, gen = found[0]
    hint = tr("Keep target_size={size}.", size=images.size)
    if len(shape) == 3 and shape[:2] == want[:2] and shape[2] != want[2]:
        hint = tr("color_mode={mode} gives {n} channel(s): leave color_mode at its default "
                  "'rgb'.", mode=repr(gen.get("color_mode")), n=shape[2])
    elif shape[:2] == want[:2]:
        hint = tr("Pixels arrive as {dtype}: keep ImageDataGenerator's default float dtype.",
                  dtype=dtype)
    return False, tr("The model takes {want} float images; the {label} generator yields "
                     "{shape} ({dtype}). {hint}", want=want, label=tr(label), shape=shape,
                     dtype=dtype, hint=hint)


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
        return tr("The grader re-creates your generators from their settings, and could "
                  "not: {error}.", error=say(refused[0])), []
    if not gens and obs.get("clean_failure"):
        return say(obs["clean_failure"]), []
    if len(gens) != 2 or any(g.get(key) is None for g in gens):
        return tr("train_val_generators returned {returned}; expected a tuple of two "
                  "iterators made by {usage}.", returned=obs.get("returned"), usage=usage), []
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
        return all_fail(part, problem)
    train, val = gens
    verdicts: list[Verdict] = [RETURNS.verdict(True, tr("Returned two directory iterators."))]
    broken = batch_problem(gens)
    if broken:
        return verdicts + [t.verdict(False, broken) for t in (YIELDS, RESCALES, FINDS,
                                                              CLASS_MODE)] + [
            generator_arguments_verdict(ctx)]
    images = (ctx.spec.images if ctx.spec else None) or IMAGES
    verdicts.append(YIELDS.verdict(*batch_fits_model(gens, images)))
    bad_scale = []
    for label, gen in zip(_LABELS, (train, val), strict=True):
        rescale = gen.get("rescale")
        batch = gen.get("batch") or {}
        ok = isinstance(rescale, float) and abs(rescale - images.rescale) < 1e-6
        if not ok or batch.get("x_max", 2.0) > 1.0 + 1e-6:
            bad_scale.append(tr("{label}: rescale={rescale}, pixel max {max}", label=tr(label),
                                rescale=rescale, max=batch.get("x_max")))
    if bad_scale:
        verdicts.append(RESCALES.verdict(False, tr(
            "Expected ImageDataGenerator(rescale=1./{scale}) so pixels lie in [0, 1]; found "
            "{found}.", scale=round(1 / images.rescale), found="; ".join(bad_scale))))
    else:
        verdicts.append(RESCALES.verdict(True, tr("Pixels are scaled to [0, 1] on both.")))
    counts = ctx.prepared["counts"]
    found = (train.get("samples"), val.get("samples"))
    classes = [sorted((g.get("class_indices") or {}).keys()) for g in gens]
    want_classes = ctx.prepared.get("classes", ["cats", "dogs"])
    if found == (counts["training"], counts["validation"]) and all(
        c == want_classes for c in classes
    ):
        verdicts.append(FINDS.verdict(True, tr(
            "Found {train} training and {val} validation images.", train=found[0],
            val=found[1])))
    else:
        verdicts.append(FINDS.verdict(False, tr(
            "Expected {train} training and {val} validation images in classes {first} and "
            "{second}; found {found_train} and {found_val} in {train_classes} and "
            "{val_classes}. Point each generator at the directory it is given (TRAINING_DIR, "
            "VALIDATION_DIR).", train=counts["training"], val=counts["validation"],
            first=want_classes[0], second=want_classes[1], found_train=found[0],
            found_val=found[1], train_classes=classes[0], val_classes=classes[1])))
    modes = (train.get("class_mode"), val.get("class_mode"))
    info = model_info(ctx)
    kind = keras_names.output_kind(info) if info else None
    accepted = {"binary": ("binary",), "categorical": ("categorical",),
                "sparse": ("binary", "sparse")}.get(kind or "binary")
    if modes[0] == modes[1] and modes[0] in accepted:
        verdicts.append(CLASS_MODE.verdict(True, tr("class_mode '{mode}' fits the model.",
                                                    mode=modes[0])))
    else:
        if info and kind:
            described = tr("your model ends in {units} {activation} unit(s) with {loss}",
                           units=info["output_shape"][-1],
                           activation=info.get("output_activation"),
                           loss=info.get("loss_spelled") or info.get("loss"))
        else:
            described = tr("a two-class model with one sigmoid output")
        verdicts.append(CLASS_MODE.verdict(False, tr(
            "class_mode is {train} (training) and {val} (validation), but {model} needs "
            "class_mode={wanted}. 'categorical' gives one-hot labels of two columns, which a "
            "single sigmoid unit cannot fit.", train=repr(modes[0]), val=repr(modes[1]),
            model=described, wanted=repr(accepted[0]))))
    verdicts.append(generator_arguments_verdict(ctx))
    return verdicts
