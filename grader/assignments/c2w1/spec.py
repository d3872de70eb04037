"""C2W1: cats vs dogs on the full Kaggle set (fixture-sized here).

Probes (probes.py) run in the child and only observe; checks run in the parent and judge,
reading the filesystem themselves where the function's effect is on disk. The directory tree,
the split, the generators and the model are judged as in C2W2 (common/files.py,
generators.py, catsdogs.py); this week declares its points and its expected values (the
SPLIT_SIZEs, the model's convolutions, the brief training's seed and cap).
"""

from __future__ import annotations

from pathlib import Path

from grader.assignments.c2w1 import probes
from grader.assignments.common import catsdogs, files, fixtures, generators
from grader.assignments.common.files import DIRS_TESTS
from grader.assignments.common.generators import GENERATOR_TESTS
from grader.model.expected import CatsDogs
from grader.model.spec import AssignmentSpec, Checks, HistoryRule, PartSpec, part, weigh

FUNCTIONS = catsdogs.FUNCTIONS
# The brief training's cap (max_epochs): most models show they learn after one epoch
# (common/learning.py).
EXPECTED = CatsDogs(split_size=0.9, other_split_size=0.5, convs_at_least=3, seed=1234,
                    max_epochs=8)
HISTORY = HistoryRule("history.pkl", max_epochs=15, min_train_accuracy=0.95,
                      min_val_accuracy=0.80)


def parts(expected: CatsDogs) -> tuple[PartSpec, ...]:
    """The rubric, its test names filled from `expected`."""
    model_tests = weigh(catsdogs.model_tests(expected), compiled=2, input_shape=3, convs=3,
                        output=3, accuracy=2, learns=7)
    return (
        part("create_train_val_dirs", weigh(DIRS_TESTS, tree=6, arguments=4),
             probes=("create_train_val_dirs",)),
        part("split_data", weigh(files.split_tests(expected), zero_length=5, prints=3,
                                 cut_09=6, cut_05=4, copies=4, disjoint=4, shuffles=4),
             probes=("split_data",)),
        part("train_val_generators", weigh(GENERATOR_TESTS, returns=3, yields=4, rescales=4,
                                           finds=3, class_mode=4, arguments=2),
             probes=("train_val_generators", "generators_clean")),
        part("create_model", model_tests, probes=("create_model", "train")),
        HISTORY.part(readable=2, lists=2, epochs=1, finite=1, train_accuracy=7,
                     val_accuracy=7),
    )


def prepare(workdir: Path) -> tuple[dict, dict[str, dict]]:
    return catsdogs.prepare(workdir, EXPECTED, generators.IMAGES)  # read here: bench/flakiness.py


CHECKS = Checks()
CHECKS.part("create_train_val_dirs")(files.check_create_train_val_dirs)
CHECKS.part("split_data")(files.check_split_data)
CHECKS.part("train_val_generators")(generators.check_train_val_generators)
CHECKS.part("create_model")(catsdogs.check_create_model)


SPEC = AssignmentSpec(
    code="C2W1",
    title="Cats vs dogs (full Kaggle set)",
    functions=FUNCTIONS,
    parts=parts(EXPECTED),
    pass_mark=80.0,
    history=HISTORY,
    probe_timeouts={"create_train_val_dirs": 60, "split_data": 60, "train_val_generators": 90,
                    "create_model": 90, "train": 300, "generators_clean": 90},
    clean_probes={"train": "create_model", "generators_clean": "train_val_generators"},
    renamed={"create_train_val_dirs": files.EARLY_2022_NAME},
    prepare=prepare,
    checks=CHECKS,
    probes=probes.PROBES,
    probe_module=probes.__name__,
    fixtures=fixtures.petimages,
    images=generators.IMAGES,
    expected=EXPECTED,
    module=__name__,
)
