"""C2W1: cats vs dogs on the full Kaggle set (fixture-sized here).

Probes (probes.py) run in the child and only observe; checks run in the parent and judge,
reading the filesystem themselves where the function's effect is on disk.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from grader.assignments.c2w1 import files as c2w1_files
from grader.assignments.c2w1 import probes
from grader.assignments.c2w1.files import (
    DIRS_TESTS,
    SPLIT_TESTS,
    check_create_train_val_dirs,
    check_split_data,
    slash,
)
from grader.assignments.common import fixtures, generators, models
from grader.assignments.common.generators import (
    GENERATOR_TESTS,
    check_train_val_generators,
)
from grader.assignments.common.learning import CATS_FROM_DOGS, training_verdict
from grader.assignments.common.models import (
    accuracy_verdict,
    compiled_verdict,
    convs_verdict,
    created_model,
    output_verdict,
)
from grader.i18n import tr
from grader.model.spec import (
    AssignmentSpec,
    Checks,
    Context,
    HistoryRule,
    PartSpec,
    Verdict,
    all_fail,
    part,
    weigh,
)

FUNCTIONS = ("create_train_val_dirs", "split_data", "train_val_generators", "create_model")
# The brief training's cap: most models show they learn after one epoch (common/learning.py).
TRAIN_MAX_EPOCHS = 8
SEED = 1234

MODEL_TESTS = (  # C2W2's too
    models.COMPILED.worth(2),
    models.INPUT_SHAPE.worth(3, shape=generators.IMAGES.shape),
    models.CONVS.worth(3),
    models.TWO_CLASSES.worth(3),
    models.ACCURACY.worth(2),
    CATS_FROM_DOGS.worth(7),
)
HISTORY = HistoryRule("history.pkl", max_epochs=15, min_train_accuracy=0.95,
                      min_val_accuracy=0.80)

PARTS = (
    part("create_train_val_dirs", weigh(DIRS_TESTS, tree=6, arguments=4),
         probes=("create_train_val_dirs",)),
    part("split_data", weigh(SPLIT_TESTS, zero_length=5, prints=3, cut_09=6, cut_05=4,
                             copies=4, disjoint=4, shuffles=4), probes=("split_data",)),
    part("train_val_generators", weigh(GENERATOR_TESTS, returns=3, yields=4, rescales=4,
                                       finds=3, class_mode=4, arguments=2),
         probes=("train_val_generators", "generators_clean")),
    part("create_model", MODEL_TESTS, probes=("create_model", "train")),
    HISTORY.part(readable=2, lists=2, epochs=1, finite=1, train_accuracy=7, val_accuracy=7),
)


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
    brief = fixtures.brief_split([data / "training", data / "validation"], workdir / "brief")
    args.update({
        "train_val_generators": {"training": slash(data / "training"),
                                 "validation": slash(data / "validation"),
                                 "exports": str(workdir / "exports")},
        "train": {"training": str(brief[0]), "validation": str(brief[1]), "seed": SEED,
                  "max_epochs": TRAIN_MAX_EPOCHS},
    })
    prepared["counts"] = counts
    prepared["generator_dirs"] = [args["train_val_generators"][k]
                                  for k in ("training", "validation")]
    prepared["course"]["train_val_generators"] = {  # where the notebook's globals point
        "/tmp/cats-v-dogs/training": str(data / "training"),
        "/tmp/cats-v-dogs/validation": str(data / "validation"),
        "/tmp/cats-v-dogs/testing": str(data / "validation")}  # the 2022 notebooks' name
    return prepared, args


CHECKS = Checks()
CHECKS.part("create_train_val_dirs")(check_create_train_val_dirs)
CHECKS.part("split_data")(check_split_data)
CHECKS.part("train_val_generators")(check_train_val_generators)


@CHECKS.part("create_model")
def check_create_model(ctx: Context, part: PartSpec) -> list[Verdict]:
    problem, info = created_model(ctx)
    if problem:
        return all_fail(part, problem)
    test = part.test
    verdicts: list[Verdict] = [compiled_verdict(test("compiled"), info)]
    shape = info.get("input_shape")
    want = (ctx.spec.images if ctx.spec else None) or generators.IMAGES
    if shape == [None, *want.shape]:
        verdicts.append(test("input_shape").verdict(
            True, tr("Input shape {shape}.", shape=want.shape)))
    else:
        verdicts.append(test("input_shape").verdict(False, tr(
            "Expected input shape (None, {dims}); found {found}. Give the first layer "
            "input_shape={shape}.", dims=", ".join(map(str, want.shape)), found=shape,
            shape=want.shape)))
    return verdicts + [convs_verdict(test("convs"), info), output_verdict(test("output"), info),
                       accuracy_verdict(test("accuracy"), info),
                       training_verdict(ctx, test("learns"))]


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
    renamed={"create_train_val_dirs": c2w1_files.EARLY_2022_NAME},
    prepare=prepare,
    checks=CHECKS,
    probes=probes.PROBES,
    probe_module=probes.__name__,
    fixtures=fixtures.petimages,
    images=generators.IMAGES,
    module=__name__,
)
