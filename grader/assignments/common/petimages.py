"""What the 2024 cats vs dogs (C2W1v4, C2W2v4) share: `./PetImages` laid out with the probes'
arguments, and the train_val_datasets check (one call split by validation_split). Each week
declares its own values (its images; in its `CatsDogs2024`, the validation share, the
callback's thresholds, the brief training's split, seed and cap) and hands them in."""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.assignments.common import callbacks, datasets, fixtures_v4
from grader.model.expected import CatsDogs2024
from grader.model.spec import Context, ImageInput, PartSpec, Verdict, all_fail


def petimages(workdir: Path, images: ImageInput,
              expected: CatsDogs2024) -> tuple[dict, dict[str, dict]]:
    """The notebook's `./PetImages` beside the child's working directory (a copy: the
    learner's code must not reach the cache), and the probes' arguments."""
    pets = fixtures_v4.petimages_v4()
    shutil.copytree(pets, workdir / "PetImages")
    total = fixtures_v4.count_images(pets)
    val = int(expected.validation_split * total)  # as Keras rounds: int(), 29 of 297 for 10%
    prepared = {"counts": (total - val, val)}
    args = {
        "train": {"directory": str(workdir / "PetImages"), "image_size": list(images.size),
                  "validation_split": expected.brief_split, "seed": expected.seed,
                  "max_epochs": expected.max_epochs},
        "EarlyStoppingCallback": {"cases": callbacks.cases(*expected.stop_at)},
    }
    return prepared, args


def check_train_val_datasets(ctx: Context, part: PartSpec) -> list[Verdict]:
    """The spec's images, and its `validation_split` of the files in validation."""
    problem, obs = datasets.dataset_observations(ctx)
    if problem:
        return all_fail(part, problem)
    images, share = ctx.spec.images, ctx.spec.expected.validation_split
    test = part.test
    verdicts: list[Verdict] = [
        datasets.source_verdict(test("source"), obs, "DATA_DIR"),
        datasets.images_verdict(test("yields"), obs, images.shape),
        datasets.split_verdict(test("split"), obs, tuple(ctx.prepared["counts"]), share),
    ]
    verdicts.append(datasets.label_verdict(ctx, test("labels"), obs))
    return verdicts
