"""C2W2: cats vs dogs with augmentation. The data, directories, split and model rules of
C2W1 (common/files.py, catsdogs.py); the generators must augment training images only
(common/augmentation.py), and the history rule differs."""

from __future__ import annotations

from pathlib import Path

from grader.assignments.c2w2 import probes
from grader.assignments.common import catsdogs, files, fixtures, generators
from grader.assignments.common.augmentation import (
    AUGMENT_DEFAULTS,
    AUGMENT_TESTS,
    check_train_val_generators,
)
from grader.assignments.common.files import DIRS_TESTS
from grader.i18n import N_
from grader.model.expected import CatsDogs
from grader.model.spec import AssignmentSpec, Checks, HistoryRule, PartSpec, part, weigh

FUNCTIONS = catsdogs.FUNCTIONS
# max_epochs: the brief training's cap (common/learning.py)
EXPECTED = CatsDogs(split_size=0.9, other_split_size=0.5, convs_at_least=3, seed=1234,
                    max_epochs=8)
HISTORY = HistoryRule("history_augmented.pkl", max_epochs=15, min_train_accuracy=0.80,
                      min_val_accuracy=0.80, max_gap=0.05)


def parts(expected: CatsDogs) -> tuple[PartSpec, ...]:
    """The rubric, its test names filled from `expected`."""
    model_tests = weigh(catsdogs.model_tests(expected), compiled=2, input_shape=3, convs=3,
                        output=3, accuracy=2, learns=7)
    return (
        part("create_train_val_dirs", weigh(DIRS_TESTS, tree=6, arguments=4),
             probes=("create_train_val_dirs",)),
        part("split_data", weigh(files.split_tests(expected), zero_length=4, prints=2,
                                 cut_09=5, cut_05=4, copies=4, disjoint=3, shuffles=3),
             probes=("split_data",)),
        part("train_val_generators", weigh(generators.GENERATOR_TESTS + AUGMENT_TESTS,
                                           returns=3, yields=3, rescales=3, finds=2,
                                           class_mode=3, arguments=2, augments=6,
                                           validation_plain=3),
             probes=("train_val_generators", "generators_clean")),
        part("create_model", model_tests, probes=("create_model", "train")),
        HISTORY.part(readable=2, lists=2, epochs=1, finite=1, train_accuracy=5,
                     val_accuracy=5, gap=4),
    )


def prepare(workdir: Path) -> tuple[dict, dict[str, dict]]:
    return catsdogs.prepare(workdir, EXPECTED, generators.IMAGES)


CHECKS = Checks()
CHECKS.part("create_train_val_dirs")(files.check_create_train_val_dirs)
CHECKS.part("split_data")(files.check_split_data)
CHECKS.part("train_val_generators")(check_train_val_generators)
CHECKS.part("create_model")(catsdogs.check_create_model)


SPEC = AssignmentSpec(
    code="C2W2",
    title="Cats vs dogs with augmentation",
    functions=FUNCTIONS,
    parts=parts(EXPECTED),
    pass_mark=80.0,
    history=HISTORY,
    probe_timeouts={"create_train_val_dirs": 60, "split_data": 60, "train_val_generators": 90,
                    "create_model": 90, "train": 300, "generators_clean": 90},
    clean_probes={"train": "create_model", "generators_clean": "train_val_generators"},
    # the early-2022 week 2 notebook names it as week 1's does
    renamed={"create_train_val_dirs": files.EARLY_2022_NAME},
    prepare=prepare,
    checks=CHECKS,
    probes=probes.PROBES,
    probe_module=probes.__name__,
    detect_words=tuple(AUGMENT_DEFAULTS) + ("history_augmented",),
    detect_means=N_("configures augmentation"),
    fixtures=fixtures.petimages,
    images=generators.IMAGES,
    expected=EXPECTED,
    module=__name__,
)
