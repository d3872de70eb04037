"""C2W3: transfer learning on horses vs humans with a frozen InceptionV3.

The pre-trained weights file is an untrained InceptionV3 saved in Keras 2's HDF5 format
under the course's file name; since its values are known to the grader (and differ from
any fresh initialisation), a model that holds them has provably loaded that very file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.assignments.c2w3 import probes
from grader.assignments.c2w3.callback import accuracies, callback_tests, check_callback
from grader.assignments.common import augmentation, fixtures, generators
from grader.assignments.common.pretrained import (
    COURSE_WEIGHTS,
    check_last_layer,
    check_pre_trained,
    final_model_verdicts,
    final_tests,
    fixture_fingerprint,
    last_layer_tests,
    pre_trained_tests,
    reference_args,
)
from grader.i18n import tr
from grader.model.expected import Layer, Pretrained
from grader.model.spec import (
    AssignmentSpec,
    Checks,
    Context,
    PartSpec,
    Test,
    Verdict,
    part,
    weigh,
)
from grader.sandbox import course_paths

FUNCTIONS = ("train_val_generators", "create_pre_trained_model", "output_of_last_layer",
             "create_final_model", "myCallback")
IMAGES = generators.IMAGES
# The notebook's numbers (ASSIGNMENTS.md, C2W3); the seed is the grader's reference
# InceptionV3's. C2W3v4 declares the same head and counts.
HEAD = (Layer("Flatten"), Layer("Dense", units=1024, activation="relu"),
        Layer("Dropout", rate=0.2), Layer("Dense", units=1, activation="sigmoid"))
EXPECTED = Pretrained(batch_size=32, classes=2, learning_rate=1e-4, last_layer="mixed7",
                      last_layer_shape=(None, 7, 7, 768), head=HEAD,
                      pre_trained_params=21_802_784, final_params=47_512_481,
                      final_trainable=38_537_217, stop_above=0.999, seed=99)
BATCH_SETTINGS = Test("batch_settings", "batch_size {size} and class_mode 'binary'")


def parts(expected: Pretrained) -> tuple[PartSpec, ...]:
    """The rubric, its test names filled from `expected`."""
    generator_tests = (  # C2W1's checks but the class_mode one, and C2W2's augmentation
        generators.RETURNS.worth(4), generators.YIELDS.worth(4), generators.RESCALES.worth(3),
        generators.FINDS.worth(3), BATCH_SETTINGS.worth(3, size=expected.batch_size),
        augmentation.AUGMENTS.worth(4), augmentation.VALIDATION_PLAIN.worth(2),
        course_paths.ARGUMENTS.worth(2),
    )
    return (
        part("train_val_generators", generator_tests,
             probes=("train_val_generators", "generators_clean")),
        part("create_pre_trained_model",
             weigh(pre_trained_tests(expected, IMAGES), inception=5, weights=10, frozen=7,
                   params=3),
             probes=("create_pre_trained_model", "pretrained_clean")),
        part("output_of_last_layer", last_layer_tests(expected),
             probes=("output_of_last_layer",)),
        part("create_final_model", final_tests(expected),
             probes=("create_final_model", "final_model_training")),
        # The course provides myCallback ready-made: checked (a learner may break it) but
        # worth no points, so the blank template still scores 0.
        part("myCallback", weigh(callback_tests(expected.stop_above), goes_on=0, stops=0),
             probes=("myCallback",)),
    )


def prepare(workdir: Path) -> tuple[dict, dict[str, dict]]:
    data = fixtures.horses_or_humans()
    weights = fixtures.inception_weights()
    (workdir / "weights").mkdir()
    (workdir / "exports").mkdir()
    local_weights = workdir / "weights" / fixtures.WEIGHTS_FILE
    shutil.copyfile(weights, local_weights)
    shutil.copytree(data.training, workdir / "training")
    shutil.copytree(data.validation, workdir / "validation")
    counts = {part: sum(fixtures.HORSES_COUNTS[part].values()) for part in fixtures.HORSES_COUNTS}
    course_weights = fixtures.course_weights()
    prepared = {"counts": counts, "classes": ["horses", "humans"],
                "fingerprint": fixture_fingerprint(str(weights)),
                "course_fingerprint": fixture_fingerprint(str(course_weights)),
                "weights": str(local_weights),
                "generator_dirs": [str(workdir / "training") + "/",
                                   str(workdir / "validation") + "/"],
                "course": {  # where the notebook's own paths point
                    "train_val_generators": {"/tmp/training": str(workdir / "training"),
                                             "/tmp/validation": str(workdir / "validation")},
                    "create_pre_trained_model": {COURSE_WEIGHTS: str(course_weights)}}}
    args = {
        "train_val_generators": {"training": str(workdir / "training") + "/",
                                 "validation": str(workdir / "validation") + "/",
                                 "exports": str(workdir / "exports")},
        "create_pre_trained_model": {
            "weights": str(local_weights),
            "saved_weights": str(workdir / "exports" / "pretrained.weights.h5")},
        "pretrained_clean": {"seed": EXPECTED.seed},
        "output_of_last_layer": reference_args(EXPECTED, IMAGES),
        "create_final_model": reference_args(EXPECTED, IMAGES),
        "final_model_training": {"training": str(workdir / "training"), "steps": 3,
                                 "seed": EXPECTED.seed, "last_layer": EXPECTED.last_layer,
                                 "image_size": list(IMAGES.size)},
        "myCallback": {"accuracies": accuracies(EXPECTED.stop_above)},
    }
    return prepared, args


CHECKS = Checks()


@CHECKS.part("train_val_generators")
def check_generators(ctx: Context, part: PartSpec) -> list[Verdict]:
    verdicts = augmentation.check_train_val_generators(ctx, part)
    by_name = {name: (ok, message) for name, ok, message in verdicts}
    problem, gens = generators.generator_observations(
        ctx, "samples", "ImageDataGenerator(...).flow_from_directory(...)")
    name = part.test("batch_settings").name
    if problem:
        settings = (False, problem)
    else:
        found = [(g.get("batch_size"), g.get("class_mode")) for g in gens]
        ok = all(f == (ctx.spec.expected.batch_size, "binary") for f in found)
        settings = (ok, tr("batch_size 32, class_mode 'binary' on both.") if ok else tr(
            "Expected batch_size=32 and class_mode='binary' on both generators; found "
            "{training} (training) and {validation} (validation).",
            training=found[0], validation=found[1]))
    by_name[name] = settings
    return [(n, *by_name.get(n, (False, tr("Not checked.")))) for n in part.test_names]


CHECKS.part("output_of_last_layer")(check_last_layer)
CHECKS.part("create_final_model")(final_model_verdicts)


CHECKS.part("create_pre_trained_model")(check_pre_trained)
CHECKS.part("myCallback")(check_callback)


SPEC = AssignmentSpec(
    code="C2W3",
    title="Transfer learning: horses vs humans with InceptionV3",
    functions=FUNCTIONS,
    parts=parts(EXPECTED),
    pass_mark=80.0,
    history=None,
    probe_timeouts={"train_val_generators": 90, "create_pre_trained_model": 180,
                    "output_of_last_layer": 120, "create_final_model": 120,
                    "final_model_training": 300, "myCallback": 30, "generators_clean": 90,
                    "pretrained_clean": 180},
    clean_probes={"final_model_training": "create_final_model",
                  "pretrained_clean": "create_pre_trained_model",
                  "generators_clean": "train_val_generators"},
    prepare=prepare,
    checks=CHECKS,
    probes=probes.PROBES,
    probe_module=probes.__name__,
    fixtures=lambda: (fixtures.horses_or_humans(), fixtures.inception_weights()),
    images=IMAGES,
    expected=EXPECTED,
    module=__name__,
)
