"""C2W2: cats vs dogs with augmentation. Same data, directories, split and model rules as
C2W1; the generators must augment training images only, and the history rule differs."""

from __future__ import annotations

from grader.assignments.c2w1 import spec as c2w1
from grader.assignments.common import generators
from grader.i18n import N_, tr
from grader.model.spec import (
    AssignmentSpec,
    Context,
    HistoryRule,
    PartSpec,
    Test,
    Verdict,
    part,
    weigh,
)

AUGMENTS = Test("augments", "training generator augments images")
VALIDATION_PLAIN = Test("validation_plain", "validation generator does not augment")
AUGMENT_TESTS = (AUGMENTS, VALIDATION_PLAIN)  # C2W3's too
HISTORY = HistoryRule("history_augmented.pkl", max_epochs=15, min_train_accuracy=0.80,
                      min_val_accuracy=0.80, max_gap=0.05)
_AUGMENT_DEFAULTS = {"rotation_range": 0, "width_shift_range": 0.0, "height_shift_range": 0.0,
                     "shear_range": 0.0, "zoom_range": [1.0, 1.0], "horizontal_flip": False,
                     "vertical_flip": False}

PARTS = (
    part("create_train_val_dirs", weigh(c2w1.DIRS_TESTS, tree=6, arguments=4),
         probes=("create_train_val_dirs",)),
    part("split_data", weigh(c2w1.SPLIT_TESTS, zero_length=4, prints=2, cut_09=5, cut_05=4,
                             copies=4, disjoint=3, shuffles=3), probes=("split_data",)),
    part("train_val_generators", weigh(generators.GENERATOR_TESTS + AUGMENT_TESTS, returns=3,
                                       yields=3, rescales=3, finds=2, class_mode=3,
                                       arguments=2, augments=6, validation_plain=3),
         probes=("train_val_generators", "generators_clean")),
    part("create_model", c2w1.MODEL_TESTS, probes=("create_model", "train")),
    HISTORY.part(readable=2, lists=2, epochs=1, finite=1, train_accuracy=5, val_accuracy=5,
                 gap=4),
)


def _augmenting_settings(gen: dict) -> list[str]:
    settings = gen.get("augmentation") or {}
    active = []
    for key, default in _AUGMENT_DEFAULTS.items():
        value = settings.get(key)
        if value is not None and value != default and value != [default, default]:
            active.append(f"{key}={value}")
    return active


CHECKS = c2w1.CHECKS.extend()


@CHECKS.part("train_val_generators")
def check_train_val_generators(ctx: Context, part: PartSpec) -> list[Verdict]:
    verdicts = generators.check_train_val_generators(ctx, part)
    problem, gens = generators.generator_observations(
        ctx, "samples", "ImageDataGenerator(...).flow_from_directory(...)")
    problem = problem or generators.batch_problem(gens)
    if problem:
        return verdicts + [test.verdict(False, problem) for test in AUGMENT_TESTS]
    train, val = gens
    active = _augmenting_settings(train)
    behaviour = train.get("behaviour") or {}
    differs = behaviour.get("repeat_max_diff", 0.0) > 1e-6
    if active and differs:
        verdicts.append(AUGMENTS.verdict(
            True, tr("Training images vary between draws ({settings}).",
                     settings=", ".join(active))))
    elif not active:
        verdicts.append(AUGMENTS.verdict(False, tr(
            "The training ImageDataGenerator has no augmentation: set some of rotation_range, "
            "width_shift_range, height_shift_range, shear_range, zoom_range and "
            "horizontal_flip (keep rescale=1./255).")))
    else:
        verdicts.append(AUGMENTS.verdict(False, tr(
            "Augmentation is configured ({settings}) but the same training image "
            "came out identical in {draws} draws. Check the values: "
            "ranges of 0 do nothing.", settings=", ".join(active), draws=behaviour.get("draws"))))
    val_active = _augmenting_settings(val)
    val_behaviour = val.get("behaviour") or {}
    same = val_behaviour.get("repeat_max_diff", 1.0) <= 1e-6
    faithful = val_behaviour.get("rescaled_max_diff", 1.0) <= 1e-4
    if not val_active and same and faithful:
        verdicts.append(VALIDATION_PLAIN.verdict(
            True, tr("Validation images are only rescaled.")))
    else:
        found = ", ".join(val_active) or tr("pixels that differ from the rescaled image")
        verdicts.append(VALIDATION_PLAIN.verdict(False, tr(
            "The validation generator changes images ({found}). Validation must measure the "
            "model on real images: use ImageDataGenerator(rescale=1./255) only.", found=found)))
    return verdicts


SPEC = AssignmentSpec(
    code="C2W2",
    title="Cats vs dogs with augmentation",
    functions=c2w1.FUNCTIONS,
    parts=PARTS,
    pass_mark=80.0,
    history=HISTORY,
    probe_timeouts=c2w1.SPEC.probe_timeouts,
    clean_probes=c2w1.SPEC.clean_probes,
    renamed=c2w1.SPEC.renamed,  # the early-2022 week 2 notebook names it as week 1's does
    prepare=c2w1.prepare,
    checks=CHECKS,
    probes=c2w1.SPEC.probes,
    probe_module=c2w1.SPEC.probes_from,
    detect_words=tuple(_AUGMENT_DEFAULTS) + ("history_augmented",),
    detect_means=N_("configures augmentation"),
    fixtures=c2w1.SPEC.fixtures,
    images=generators.IMAGES,
    module=__name__,
)
