"""Deterministic fixture data, generated once into a cache and reused.

The PetImages-like tree mimics the Kaggle set's quirks (a zero-length `.jpg` per class, a
`Thumbs.db`, grayscale and CMYK JPEGs, varied sizes) while staying small enough to train
on in seconds: cats are warm and bright, dogs cool and dark, with noise and shapes so the
classes are easy but not trivial for a small CNN.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

FIXTURE_VERSION = "petimages-v1"
IMAGES_PER_CLASS = 150
ZERO_LENGTH = {"Cat": "666.jpg", "Dog": "11702.jpg"}
SPLIT_SIZE = 0.9


def cache_root() -> Path:
    """`GRADER_CACHE` wins, then XDG's cache directory."""
    env = os.environ.get("GRADER_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "c2-grader"


def _atomic_build(target: Path, build) -> Path:
    """Build into a temporary sibling and rename, so a crash never leaves half a fixture."""
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        build(tmp)
        (tmp / ".complete").write_text(FIXTURE_VERSION)
        try:
            os.rename(tmp, target)
        except OSError:  # another process won the race; its copy is identical
            if not (target / ".complete").exists():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _pet_image(rng: np.random.Generator, cat: bool) -> Image.Image:
    width, height = (int(v) for v in rng.integers(100, 260, size=2))
    hue = rng.uniform(0.0, 0.12) if cat else rng.uniform(0.50, 0.68)
    sat = rng.uniform(0.5, 0.9)
    val = rng.uniform(0.75, 1.0) if cat else rng.uniform(0.35, 0.6)
    base = Image.new("HSV", (width, height), (int(hue * 255), int(sat * 255), int(val * 255)))
    image = base.convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(2, 6))):
        x0, y0 = int(rng.integers(0, width - 20)), int(rng.integers(0, height - 20))
        size = int(rng.integers(15, 60))
        colour = tuple(int(c) for c in rng.integers(0, 256, size=3))
        if cat:
            draw.ellipse([x0, y0, x0 + size, y0 + size], fill=colour)
        else:
            draw.rectangle([x0, y0, x0 + size, y0 + size // 3], fill=colour)
    pixels = np.asarray(image, dtype=np.int16)
    pixels = pixels + rng.integers(-25, 26, size=pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _build_petimages(root: Path) -> None:
    rng = np.random.default_rng(20240601)
    for label in ("Cat", "Dog"):
        folder = root / "PetImages" / label
        folder.mkdir(parents=True)
        numbers = sorted(int(n) for n in rng.choice(12000, IMAGES_PER_CLASS, replace=False))
        for i, number in enumerate(numbers):
            image = _pet_image(rng, cat=label == "Cat")
            if i % 40 == 7:
                image = image.convert("L")
            elif i % 40 == 23:
                image = image.convert("CMYK")
            image.save(folder / f"{number}.jpg", quality=85)
        (folder / ZERO_LENGTH[label]).write_bytes(b"")
        (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(60))


@dataclass(frozen=True)
class PetImages:
    """Paths of the raw tree and of a reference split the grader made itself."""

    raw: Path
    training: Path
    validation: Path

    @property
    def cats(self) -> Path:
        return self.raw / "Cat"

    @property
    def dogs(self) -> Path:
        return self.raw / "Dog"


def image_files(folder: Path) -> list[str]:
    """Non-empty JPEGs, as the reference split_data keeps them."""
    return sorted(
        f for f in os.listdir(folder)
        if f.lower().endswith(".jpg") and os.path.getsize(folder / f) > 0
    )


def _build_split(root: Path, raw: Path) -> None:
    for label, cls in (("Cat", "cats"), ("Dog", "dogs")):
        files = image_files(raw / label)
        random.Random(7).shuffle(files)
        cut = int(len(files) * SPLIT_SIZE)
        for part, chunk in (("training", files[:cut]), ("validation", files[cut:])):
            dest = root / part / cls
            dest.mkdir(parents=True, exist_ok=True)
            for name in chunk:
                shutil.copyfile(raw / label / name, dest / name)


def petimages() -> PetImages:
    base = cache_root() / FIXTURE_VERSION
    raw_root = _atomic_build(base / "raw", _build_petimages)
    raw = raw_root / "PetImages"
    split = _atomic_build(base / "split", lambda tmp: _build_split(tmp, raw))
    return PetImages(raw=raw, training=split / "training", validation=split / "validation")


def tree_digest(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file, for proving a tree was left unchanged."""
    out = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


SIGN_VERSION = "sign-mnist-v1"
SIGN_LABELS = tuple(label for label in range(25) if label != 9)  # no J (9) or Z (25)
SIGN_HEADER = "label," + ",".join(f"pixel{i}" for i in range(1, 785))
SIGN_TIMING_ROWS = (1000, 3000)


def _sign_rows(rng: np.random.Generator, per_class: int) -> np.ndarray:
    """Each letter is a bright blob at its own place on a 5x5 grid, jittered, on noise."""
    rows = []
    for label in SIGN_LABELS:
        gy, gx = divmod(label, 5)
        for _ in range(per_class):
            image = rng.integers(40, 110, size=(28, 28))
            y = 1 + gy * 5 + int(rng.integers(-1, 2))
            x = 1 + gx * 5 + int(rng.integers(-1, 2))
            y, x = min(max(y, 0), 21), min(max(x, 0), 21)
            image[y:y + 6, x:x + 6] = rng.integers(190, 256, size=(6, 6))
            rows.append(np.concatenate([[label], image.ravel()]))
    rows = np.array(rows, dtype=np.int64)
    return rows[rng.permutation(len(rows))]


def _write_csv(path: Path, rows: np.ndarray) -> None:
    np.savetxt(path, rows, fmt="%d", delimiter=",", header=SIGN_HEADER, comments="")


def _build_sign(root: Path) -> None:
    rng = np.random.default_rng(20240604)
    _write_csv(root / "sign_mnist_train.csv", _sign_rows(rng, 30))
    _write_csv(root / "sign_mnist_test.csv", _sign_rows(rng, 8))
    for rows in SIGN_TIMING_ROWS:
        per_class = -(-rows // len(SIGN_LABELS))
        _write_csv(root / f"timing_{rows}.csv", _sign_rows(rng, per_class)[:rows])


@dataclass(frozen=True)
class SignMnist:
    train: Path
    test: Path
    timing: tuple[Path, ...]


def sign_mnist() -> SignMnist:
    root = _atomic_build(cache_root() / SIGN_VERSION, _build_sign)
    return SignMnist(root / "sign_mnist_train.csv", root / "sign_mnist_test.csv",
                     tuple(root / f"timing_{rows}.csv" for rows in SIGN_TIMING_ROWS))


def read_sign_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The grader's own reading of a fixture CSV: (images (N, 28, 28), labels (N,))."""
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    return data[:, 1:].reshape(-1, 28, 28), data[:, 0]
