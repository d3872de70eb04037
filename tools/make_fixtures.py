"""Write the committed fixtures in fixtures/ from their seeded generators.

    python tools/make_fixtures.py            # rewrite fixtures/PetImages and fixtures/sign_mnist
    python tools/make_fixtures.py --check    # CI: write nothing; exit 1 naming files that differ

The grader never runs these generators: it copies the committed files into its cache
(grader/assignments/common/fixtures.py). They live here so the committed bytes can always be
traced back to code, and --check proves they still are what the code writes. Output is
deterministic for a given numpy and Pillow (JPEG bytes depend on Pillow's libjpeg).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.assignments.common.fixtures import (  # noqa: E402
    IMAGES_PER_CLASS,
    SIGN_PER_CLASS,
    SIGN_SEED,
    ZERO_LENGTH,
    sign_rows,
    write_sign_csv,
)

COMMITTED = ("PetImages", "sign_mnist")
PET_SEED = 20240601


def _pet_image(rng: np.random.Generator, cat: bool) -> Image.Image:
    """Cats are warm and bright with round shapes, dogs cool and dark with bars, plus noise."""
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


def write_petimages(root: Path) -> None:
    """root/PetImages/{Cat,Dog}: the Kaggle set's quirks (a zero-length .jpg per class named
    as there, a Thumbs.db, grayscale and CMYK JPEGs, varied sizes)."""
    rng = np.random.default_rng(PET_SEED)
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


def write_sign_mnist(root: Path) -> None:
    """root/sign_mnist: the train and test CSVs; the grader draws its timing CSVs from the
    same seeded stream after these rows."""
    folder = root / "sign_mnist"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(SIGN_SEED)
    for name, per_class in SIGN_PER_CLASS.items():
        write_sign_csv(folder / name, sign_rows(rng, per_class))


def generate(root: Path) -> None:
    write_petimages(root)
    write_sign_mnist(root)


def _digests(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for top in COMMITTED if (root / top).is_dir()
            for path in sorted((root / top).rglob("*")) if path.is_file()}


def differences(expected: Path, actual: Path) -> list[str]:
    """One line per file under COMMITTED that is missing, extra or different in `actual`."""
    want, have = _digests(expected), _digests(actual)
    lines = [f"{name}: missing" for name in sorted(want.keys() - have.keys())]
    lines += [f"{name}: not written by the generators" for name in sorted(have.keys() - want)]
    lines += [f"{name}: differs" for name in sorted(want.keys() & have.keys())
              if want[name] != have[name]]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="regenerate into a temporary folder and compare; write nothing")
    parser.add_argument("--fixtures", type=Path, default=ROOT / "fixtures",
                        help="the fixtures folder (default: the repository's)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="make-fixtures-") as tmp:
        fresh = Path(tmp)
        generate(fresh)
        if args.check:
            lines = differences(fresh, args.fixtures)
            for line in lines:
                print(f"{args.fixtures / line}", file=sys.stderr)
            if lines:
                print(f"{len(lines)} fixture file(s) differ from the generators: run "
                      "python tools/make_fixtures.py", file=sys.stderr)
                return 1
            print(f"fixtures up to date: {len(_digests(fresh))} files")
            return 0
        args.fixtures.mkdir(parents=True, exist_ok=True)
        for top in COMMITTED:
            shutil.rmtree(args.fixtures / top, ignore_errors=True)
            shutil.copytree(fresh / top, args.fixtures / top, copy_function=shutil.copyfile)
    print(f"wrote {len(_digests(args.fixtures))} files under {args.fixtures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
