"""The augmenting train_val_generators of C2W2, shared with C2W3: generators.py's checks,
then that the training generator augments images and the validation one does not."""

from __future__ import annotations

from grader.assignments.common import generators
from grader.i18n import tr
from grader.model.spec import Context, PartSpec, Test, Verdict

AUGMENTS = Test("augments", "training generator augments images")
VALIDATION_PLAIN = Test("validation_plain", "validation generator does not augment")
AUGMENT_TESTS = (AUGMENTS, VALIDATION_PLAIN)
# ImageDataGenerator's settings that augment, with the values that do not.
AUGMENT_DEFAULTS = {"rotation_range": 0, "width_shift_range": 0.0, "height_shift_range": 0.0,
                    "shear_range": 0.0, "zoom_range": [1.0, 1.0], "horizontal_flip": False,
                    "vertical_flip": False}


def _augmenting_settings(gen: dict) -> list[str]:
    settings = gen.get("augmentation") or {}
    active = []
    for key, default in AUGMENT_DEFAULTS.items():
        value = settings.get(key)
        if value is not None and value != default and value != [default, default]:
            active.append(f"{key}={value}")
    return active


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
