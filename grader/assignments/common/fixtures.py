"""Fixture data, laid out once in a cache and reused.

The data that is small enough is committed in the repository's `fixtures/` folder (see its
README; `tools/make_fixtures.py` writes it from seeded generators): the PetImages-like tree,
with the Kaggle set's quirks, and the sign-language MNIST train and test CSVs. They are copied
into the cache, where the reference split and the timing CSVs are derived. Horses-or-humans
and the InceptionV3 weights are too big to commit and are built in the cache, seeded.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import random
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from grader.model.cache import cache_root

FIXTURE_VERSION = "petimages-v1"
IMAGES_PER_CLASS = 150
ZERO_LENGTH = {"Cat": "666.jpg", "Dog": "11702.jpg"}
SPLIT_SIZE = 0.9


def atomic_build(target: Path, build) -> Path:
    """Build into a temporary sibling and rename, so a crash never leaves half a fixture.
    One process builds at a time (a lock beside the target): others wait for its copy
    instead of building their own, so the cache never holds a half-built sibling while a
    fixture is in use (parallel test workers, batch workers starting together)."""
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if (target / ".complete").exists():  # built while this process waited
            return target
        tmp = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
        try:
            build(tmp)
            (tmp / ".complete").write_text(FIXTURE_VERSION)
            try:
                os.rename(tmp, target)
            except OSError:  # a process that took no lock (an older grader) won the race
                if not (target / ".complete").exists():
                    raise
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return target


FIXTURES_ENV = "GRADER_FIXTURES"
_CHECKOUT_FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"  # beside grader/
_PACKAGED_FIXTURES = Path(__file__).resolve().parents[2] / "_fixtures"  # grader/_fixtures


class FixturesNotFound(FileNotFoundError):
    """No fixtures folder where the grader looks; the message names each place."""


def _is_fixtures(folder: Path) -> bool:
    return (folder / "PetImages").is_dir() and (folder / "sign_mnist").is_dir()


def fixtures_root() -> Path:
    """The committed fixtures: `$GRADER_FIXTURES` when set (and then only there), else the
    source checkout's `fixtures/`, else the copy a wheel installs as `grader/_fixtures`."""
    env = os.environ.get(FIXTURES_ENV)
    places = ([(f"${FIXTURES_ENV}", Path(env))] if env else
              [("the source checkout", _CHECKOUT_FIXTURES),
               ("the installed package", _PACKAGED_FIXTURES)])
    for _, folder in places:
        if _is_fixtures(folder):
            return folder
    looked = "; ".join(f"{what}: {folder}" for what, folder in places)
    raise FixturesNotFound(f"no fixtures folder (with PetImages/ and sign_mnist/) in {looked}")


def _copy_tree(source: Path, target: Path) -> None:
    """Files only, with fresh permissions: an installed copy may be read-only."""
    for path in sorted(source.rglob("*")):
        dest = target / path.relative_to(source)
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)


def _copy_petimages(root: Path) -> None:
    _copy_tree(fixtures_root() / "PetImages", root / "PetImages")


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
    raw_root = atomic_build(base / "raw", _copy_petimages)
    raw = raw_root / "PetImages"
    split = atomic_build(base / "split", lambda tmp: _build_split(tmp, raw))
    return PetImages(raw=raw, training=split / "training", validation=split / "validation")


def brief_split(folders: list[Path], target: Path) -> tuple[Path, Path]:
    """The brief training's data (common/learning.py): every image of each class folder in
    `folders`, two in three to `target/train`, one in three to `target/measure` (the 30
    images of a 90/10 split are too few to tell learning from chance with confidence; a
    third, about 100, are enough, and two thirds train most models in one epoch)."""
    classes = sorted({c.name for folder in folders for c in folder.iterdir() if c.is_dir()})
    for cls in classes:
        files = sorted((f for folder in folders if (folder / cls).is_dir()
                        for f in (folder / cls).iterdir() if f.is_file()),
                       key=lambda f: f.name)
        for i, file in enumerate(files):
            dest = target / ("measure" if i % 3 == 2 else "train") / cls
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, dest / file.name)
    return target / "train", target / "measure"


MAX_WALK_ENTRIES = 20_000


def walk_files(folder: Path):
    """Regular files under folder, never following symlinks, at most MAX_WALK_ENTRIES:
    the grader reads trees that learner code may have filled with links or junk."""
    seen = 0
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            seen += 1
            if seen > MAX_WALK_ENTRIES:
                return
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                yield path


def tree_digest(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file, for proving a tree was left unchanged."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in walk_files(Path(folder))
            if path.stat().st_size <= 64 * 2**20}

SIGN_VERSION = "sign-mnist-v1"
SIGN_LABELS = tuple(label for label in range(25) if label != 9)  # no J (9) or Z (25)
SIGN_HEADER = "label," + ",".join(f"pixel{i}" for i in range(1, 785))
SIGN_TIMING_ROWS = (1000, 3000)
SIGN_SEED = 20240604
SIGN_PER_CLASS = {"sign_mnist_train.csv": 30, "sign_mnist_test.csv": 8}  # in stream order


def sign_rows(rng: np.random.Generator, per_class: int) -> np.ndarray:
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


def write_sign_csv(path: Path, rows: np.ndarray) -> None:
    np.savetxt(path, rows, fmt="%d", delimiter=",", header=SIGN_HEADER, comments="")


def _build_sign(root: Path) -> None:
    """The committed train and test CSVs, then the timing CSVs drawn from the same seeded
    stream after their rows (replayed here, and thrown away), as tools/make_fixtures.py does."""
    source = fixtures_root() / "sign_mnist"
    rng = np.random.default_rng(SIGN_SEED)
    for name, per_class in SIGN_PER_CLASS.items():
        shutil.copyfile(source / name, root / name)
        sign_rows(rng, per_class)
    for rows in SIGN_TIMING_ROWS:
        per_class = -(-rows // len(SIGN_LABELS))
        write_sign_csv(root / f"timing_{rows}.csv", sign_rows(rng, per_class)[:rows])


@dataclass(frozen=True)
class SignMnist:
    train: Path
    test: Path
    timing: tuple[Path, ...]


def sign_mnist() -> SignMnist:
    root = atomic_build(cache_root() / SIGN_VERSION, _build_sign)
    return SignMnist(root / "sign_mnist_train.csv", root / "sign_mnist_test.csv",
                     tuple(root / f"timing_{rows}.csv" for rows in SIGN_TIMING_ROWS))


HORSES_VERSION = "horse-or-human-v1"
HORSES_COUNTS = {"training": {"horses": 40, "humans": 42}, "validation": {"horses": 16,
                                                                         "humans": 16}}
WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
WEIGHTS_SEED = 777


def _horse_or_human(rng: np.random.Generator, horse: bool) -> Image.Image:
    """300x300 RGB: horses are brown bodies on green, humans pale upright figures on blue."""
    sky = (int(rng.integers(60, 120)), int(rng.integers(120, 180)), int(rng.integers(40, 90)))
    if not horse:
        sky = (int(rng.integers(80, 140)), int(rng.integers(120, 170)),
               int(rng.integers(190, 250)))
    image = Image.new("RGB", (300, 300), sky)
    draw = ImageDraw.Draw(image)
    x, y = int(rng.integers(30, 120)), int(rng.integers(60, 160))
    if horse:
        body = (int(rng.integers(90, 150)), int(rng.integers(50, 80)), int(rng.integers(20, 50)))
        draw.ellipse([x, y, x + 160, y + 80], fill=body)
        for leg in range(4):
            lx = x + 20 + leg * 35
            draw.rectangle([lx, y + 60, lx + 12, y + 140], fill=body)
    else:
        skin = (int(rng.integers(200, 250)), int(rng.integers(170, 210)),
                int(rng.integers(140, 180)))
        draw.ellipse([x + 40, y - 50, x + 90, y], fill=skin)
        draw.rectangle([x + 35, y, x + 95, y + 130], fill=skin)
    pixels = np.asarray(image, dtype=np.int16) + rng.integers(-20, 21, size=(300, 300, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _build_horses(root: Path) -> None:
    rng = np.random.default_rng(20240603)
    for part, counts in HORSES_COUNTS.items():
        for label, count in counts.items():
            folder = root / part / label
            folder.mkdir(parents=True)
            for i in range(count):
                name = f"{label[:-1]}{i + 1:02d}-{int(rng.integers(0, 9))}.png"
                _horse_or_human(rng, label == "horses").save(folder / name)


@dataclass(frozen=True)
class HorsesOrHumans:
    training: Path
    validation: Path


def horses_or_humans() -> HorsesOrHumans:
    root = atomic_build(cache_root() / HORSES_VERSION, _build_horses)
    return HorsesOrHumans(root / "training", root / "validation")


def _build_weights(root: Path) -> None:
    """Needs TensorFlow, so it runs in a child: the grader process never imports it."""
    import subprocess
    import sys

    script = (
        "import sys, tensorflow as tf\n"
        f"tf.keras.utils.set_random_seed({WEIGHTS_SEED})\n"
        "m = tf.keras.applications.inception_v3.InceptionV3(\n"
        "    input_shape=(150, 150, 3), include_top=False, weights=None)\n"
        "m.save_weights(sys.argv[1], save_format='h5')\n"
    )
    env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    subprocess.run([sys.executable, "-c", script, str(root / WEIGHTS_FILE)], check=True,
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def inception_weights() -> Path:
    """An untrained InceptionV3 (no top, 150x150x3) in Keras 2's legacy HDF5 weights format,
    under the course's file name; about 88 MB, so cached and never committed."""
    root = atomic_build(cache_root() / f"inception-v3-{WEIGHTS_SEED}", _build_weights)
    return root / WEIGHTS_FILE


def _shift_first_tensor(root: Path) -> None:
    import h5py

    target = root / WEIGHTS_FILE
    shutil.copyfile(inception_weights(), target)
    with h5py.File(target, "r+") as f:
        found: list = []
        f.visititems(lambda _n, o: found.append(o) if isinstance(o, h5py.Dataset)
                     and o.size > 1 and not found else None)
        found[0][...] = found[0][()] + 0.25


def course_weights() -> Path:
    """The weights file as the grader lays it out at the course's /tmp path: the same model
    with one tensor shifted, so a fingerprint tells which of the two files a model loaded."""
    root = atomic_build(cache_root() / f"inception-v3-{WEIGHTS_SEED}-course",
                         _shift_first_tensor)
    return root / WEIGHTS_FILE


def h5_fingerprint(path: Path) -> dict:
    """Count, sum and sum of squares of every weight in an HDF5 weights file: enough to tell
    whether a model holds exactly these weights, whatever order its variables are in."""
    import h5py

    count, total, squares = 0, 0.0, 0.0

    def visit(_name, obj) -> None:
        nonlocal count, total, squares
        if isinstance(obj, h5py.Dataset):
            values = np.asarray(obj[()], dtype=np.float64)
            count += values.size
            total += float(values.sum())
            squares += float((values * values).sum())

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return {"count": count, "sum": total, "sumsq": squares}
