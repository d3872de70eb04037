"""Fixtures of the 2024 (v4) notebooks, derived in the cache from the committed ones.

The v4 `./PetImages` ships already cleaned: 22434 JPEGs (no zero-length file, no Thumbs.db),
which `image_dataset_from_directory` splits itself. Ours keeps the committed tree's images
(sizes, grayscale and CMYK ones) without its quirks, 149 cats and 148 dogs: 297 files, so
each split rounds as the real one does (10%: int(29.7) = 29 for validation, 268 for
training; 15%: int(44.55) = 44 and 253), and a wrong split shows in the counts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from PIL import Image

from grader.assignments.common import fixtures
from grader.assignments.common.probes_sign import read_sign_csv
from grader.model.cache import cache_root

PETIMAGES_V4 = "petimages-v4-1"
KEEP = {"Cat": 149, "Dog": 148}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")  # what Keras lists as images


def _build_petimages(root: Path) -> None:
    raw = fixtures.petimages().raw
    for label, keep in KEEP.items():
        target = root / "PetImages" / label
        target.mkdir(parents=True)
        for name in fixtures.image_files(raw / label)[:keep]:
            shutil.copyfile(raw / label / name, target / name)


def petimages_v4() -> Path:
    """The cleaned `PetImages` folder (Cat/, Dog/)."""
    built = fixtures.atomic_build(cache_root() / PETIMAGES_V4, _build_petimages)
    return built / "PetImages"


def count_images(folder: Path) -> int:
    """Files under folder's class folders that image_dataset_from_directory would list."""
    return sum(1 for path in folder.glob("*/*") if path.suffix.lower() in IMAGE_SUFFIXES)


SIGN_FOLDERS = "sign-folders-v4-1"


def _build_sign_folders(root: Path) -> None:
    """The committed sign-language CSVs as the 2024 notebook ships them: one folder per
    letter (A-Y without J), one 28x28 grayscale PNG per row."""
    sign = fixtures.sign_mnist()
    for part, csv in (("train", sign.train), ("validation", sign.test)):
        images, labels = read_sign_csv(csv)
        for index, (image, label) in enumerate(zip(images, labels, strict=True)):
            folder = root / part / chr(ord("A") + int(label))
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(image.astype(np.uint8), mode="L").save(folder / f"{index}.png")


def sign_folders() -> Path:
    """The `data` folder: train/ and validation/, 24 letter folders each."""
    return fixtures.atomic_build(cache_root() / SIGN_FOLDERS, _build_sign_folders)
