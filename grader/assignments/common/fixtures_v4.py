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

from grader.assignments.common import fixtures
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
