"""What C2W1 and C2W2 (the 2022-2023 cats vs dogs) share beside files.py: the data laid out
for all four functions, and the create_model check. Each week declares its own values (the
brief training's seed and cap, its tests' points) and hands them in."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from grader.assignments.common import files, fixtures, generators, models
from grader.assignments.common.learning import CATS_FROM_DOGS, training_verdict
from grader.assignments.common.models import (
    accuracy_verdict,
    compiled_verdict,
    convs_verdict,
    created_model,
    output_verdict,
)
from grader.i18n import tr
from grader.model.expected import CatsDogs
from grader.model.spec import Context, ImageInput, PartSpec, Test, Verdict, all_fail

FUNCTIONS = ("create_train_val_dirs", "split_data", "train_val_generators", "create_model")


def model_tests(expected: CatsDogs) -> tuple[Test, ...]:
    """create_model's checks, named from the week's `expected`; each week weighs them."""
    return (models.COMPILED, models.INPUT_SHAPE.worth(0, shape=generators.IMAGES.shape),
            models.CONVS.worth(0, least=expected.convs_at_least), models.TWO_CLASSES,
            models.ACCURACY, CATS_FROM_DOGS)


def prepare(workdir: Path, expected: CatsDogs,
            images: ImageInput) -> tuple[dict, dict[str, dict]]:
    """(prepared, args) of the four functions: the week's SPLIT_SIZEs for the split, its seed
    and cap and its images' size for the brief training."""
    pets = fixtures.petimages()
    prepared, args = files.prepare(workdir, pets, expected)
    data = workdir / "data"
    shutil.copytree(pets.training, data / "training")
    shutil.copytree(pets.validation, data / "validation")
    counts = {
        part: sum(len(os.listdir(data / part / c)) for c in ("cats", "dogs"))
        for part in ("training", "validation")
    }
    brief = fixtures.brief_split([data / "training", data / "validation"], workdir / "brief")
    args.update({
        "train_val_generators": {"training": files.slash(data / "training"),
                                 "validation": files.slash(data / "validation"),
                                 "exports": str(workdir / "exports")},
        "train": {"training": str(brief[0]), "validation": str(brief[1]),
                  "seed": expected.seed, "max_epochs": expected.max_epochs,
                  "image_size": list(images.size)},
    })
    prepared["counts"] = counts
    prepared["generator_dirs"] = [args["train_val_generators"][k]
                                  for k in ("training", "validation")]
    prepared["course"]["train_val_generators"] = {  # where the notebook's globals point
        "/tmp/cats-v-dogs/training": str(data / "training"),
        "/tmp/cats-v-dogs/validation": str(data / "validation"),
        "/tmp/cats-v-dogs/testing": str(data / "validation")}  # the 2022 notebooks' name
    return prepared, args


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
    return verdicts + [convs_verdict(test("convs"), info, ctx.spec.expected.convs_at_least),
                       output_verdict(test("output"), info),
                       accuracy_verdict(test("accuracy"), info),
                       training_verdict(ctx, test("learns"))]
