"""Regenerate the README's pictures: docs/feedback-*.png, a feedback page of the week 1
solution with two mistakes learners make (the notebook's root_dir inside
create_train_val_dirs, a typo that raises NameError in split_data), graded and rendered by
`grader feedback`; and docs/batch-report.png, the top of the report of a batch of three
learners (that notebook, the solution, the solution without its history). Photographed by
headless Chromium.

    python tools/feedback_screenshot.py   # needs chromium; about 90 s
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
EDITS = (
    ("c2w1-create-train-val-dirs", "os.makedirs(os.path.join(root_path, 'training', 'cats'))",
     "os.makedirs(os.path.join(root_dir, 'training', 'cats'))"),
    ("c2w1-split-data", "files.append(filename)", "files.append(filenme)"),
)


def _notebook(folder: Path, edits=EDITS, history: bool = True) -> Path:
    nb = nbformat.read(ROOT / "solutions" / "C2W1_Assignment.ipynb", as_version=4)
    for cell_id, old, new in edits:
        cell = next(c for c in nb.cells if c.get("id") == cell_id)
        assert old in cell.source, (cell_id, old)
        cell.source = cell.source.replace(old, new)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "C2W1_Assignment.ipynb"
    nbformat.write(nb, path)
    if history:
        shutil.copy(ROOT / "solutions" / "history.pkl", folder / "history.pkl")
    return path


def _batch_report(tmp: Path) -> Path:
    subs = tmp / "submissions"
    _notebook(subs / "ana_garcia")
    _notebook(subs / "ben_okafor", edits=())
    _notebook(subs / "chen_li", edits=(), history=False)
    out = tmp / "graded"
    subprocess.run([sys.executable, "-m", "grader", "batch", str(subs), "--assignment", "C2W1",
                    "--out", str(out)], check=False, capture_output=True, timeout=900)
    return out / "report.html"


def _crop_first_failure(tall: Path, out: Path) -> None:
    """The first failed part's block (its red border) below the summary, with the end of the
    learner's cell above it, where the marked lines are."""
    from PIL import Image

    image = Image.open(tall).convert("RGB")
    border = (0xB3, 0x26, 0x1E)
    rows = [y for y in range(800, image.height)
            if sum(image.getpixel((x, y)) == border for x in range(0, image.width, 4)) > 100]
    top = rows[0] if rows else 800
    image.crop((0, max(0, top - 560), image.width, top + 300)).save(out, optimize=True)


def _shoot(page: Path, out: Path, size: str) -> None:
    chromium = shutil.which("chromium") or sys.exit("needs chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                        "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
                        f"--screenshot={out}", f"--window-size={size}",
                        page.as_uri()], check=True, capture_output=True, timeout=120)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        notebook = _notebook(Path(tmp))
        page = Path(tmp) / "feedback.html"
        subprocess.run([sys.executable, "-m", "grader", "feedback", str(notebook), "--output",
                        str(page)], check=False, capture_output=True, timeout=600)
        _shoot(page, ROOT / "docs" / "feedback-summary.png", "1000,760")
        tall = Path(tmp) / "tall.png"
        _shoot(page, tall, "1000,6000")
        _crop_first_failure(tall, ROOT / "docs" / "feedback-cell.png")
        _shoot(_batch_report(Path(tmp)), ROOT / "docs" / "batch-report.png", "1280,900")
    print("wrote docs/feedback-summary.png, docs/feedback-cell.png, docs/batch-report.png")


if __name__ == "__main__":
    main()
