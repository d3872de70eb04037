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
from grader.assignments.common import fixtures, generators
from grader.assignments.common.generators import (
    GENERATOR_TESTS,
    check_train_val_generators,
)
from grader.assignments.common.learning import training_verdict
from grader.assignments.common.models import (
    accuracy_verdict,
    compiled_verdict,
    convs_verdict,
    created_model,
    output_verdict,
)
from grader.i18n import N_, tr
from grader.model.spec import (
    AssignmentSpec,
    Checks,
    Context,
    HistoryRule,
    PartSpec,
    Verdict,
    all_fail,
    part,
)

FUNCTIONS = ("create_train_val_dirs", "split_data", "train_val_generators", "create_model")
# The brief training's cap: most models show they learn after one epoch (common/learning.py).
TRAIN_MAX_EPOCHS = 8
SEED = 1234

MODEL_TESTS = (
    N_("returns a compiled Keras model"),
    N_("input shape is (150, 150, 3)"),
    N_("has at least 3 Conv2D layers"),
    N_("output layer and loss fit two classes"),
    N_("tracks the 'accuracy' metric"),
    N_("learns to tell the fixture's cats from dogs"),
)
if MODEL_TESTS[1] != f"input shape is {generators.IMAGES.shape}":
    raise ValueError("MODEL_TESTS no longer match generators.IMAGES: write the new name out")
HISTORY = HistoryRule("history.pkl", max_epochs=15, min_train_accuracy=0.95,
                      min_val_accuracy=0.80)

PARTS = (
    part("create_train_val_dirs", DIRS_TESTS, (6, 4), probes=("create_train_val_dirs",)),
    part("split_data", SPLIT_TESTS, (5, 3, 6, 4, 4, 4, 4), probes=("split_data",)),
    part("train_val_generators", GENERATOR_TESTS, (3, 4, 4, 3, 4, 2),
         probes=("train_val_generators", "generators_clean")),
    part("create_model", MODEL_TESTS, (2, 3, 3, 3, 2, 7), probes=("create_model", "train")),
    HISTORY.part((2, 2, 1, 1, 7, 7)),
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
    verdicts: list[Verdict] = [compiled_verdict(MODEL_TESTS[0], info)]
    shape = info.get("input_shape")
    want = (ctx.spec.images if ctx.spec else None) or generators.IMAGES
    if shape == [None, *want.shape]:
        verdicts.append((MODEL_TESTS[1], True, tr("Input shape {shape}.", shape=want.shape)))
    else:
        verdicts.append((MODEL_TESTS[1], False, tr(
            "Expected input shape (None, {dims}); found {found}. Give the first layer "
            "input_shape={shape}.", dims=", ".join(map(str, want.shape)), found=shape,
            shape=want.shape)))
    return verdicts + [convs_verdict(MODEL_TESTS[2], info), output_verdict(MODEL_TESTS[3], info),
                       accuracy_verdict(MODEL_TESTS[4], info),
                       training_verdict(ctx, MODEL_TESTS[5])]


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
