"""`grader gradescope-bundle`: the autograder zip Gradescope builds its image from.

The zip holds `setup.sh`, `run_autograder` and a wheel of this package, the committed
fixtures/ inside it as `grader/_fixtures`, built here with
`pip wheel --no-deps --no-build-isolation` (so building needs no network). On Gradescope,
setup.sh installs Python 3.11, the wheel and its dependencies from PyPI, and builds the
fixtures; run_autograder calls `python -m grader.gradescope.run`, and writes a results.json
of its own only when Python itself cannot start.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from grader.api import get_spec
from grader.gradescope.run import zero_results
from grader.i18n import N_, choose, language, tr
from grader.model.files import atomic_write

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root with network, when it builds the autograder image.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
if ! command -v python3.11 >/dev/null 2>&1; then
  apt-get update
  if ! apt-get install -y --no-install-recommends python3.11 python3.11-venv; then
    apt-get install -y --no-install-recommends software-properties-common
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get update
    apt-get install -y --no-install-recommends python3.11 python3.11-venv
  fi
fi
python3.11 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --upgrade pip
"$ROOT/venv/bin/python" -m pip install "$ROOT"/source/*.whl
GRADER_CACHE="$ROOT/cache" "$ROOT/venv/bin/grader" fixtures --assignment @ASSIGNMENT@
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission. It always leaves results/results.json.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${GRADER_PYTHON:-$ROOT/venv/bin/python}"
export GRADER_CACHE="${GRADER_CACHE:-$ROOT/cache}"
mkdir -p "$ROOT/results"
rm -f "$ROOT/results/results.json"
"$PYTHON" -m grader.gradescope.run --assignment @ASSIGNMENT@ --keras @KERAS@ --lang @LANG@ \
  --root "$ROOT"
if [ ! -s "$ROOT/results/results.json" ]; then
  cat > "$ROOT/results/results.json" <<'EOF'
@FALLBACK_JSON@
EOF
fi
exit 0
"""

_SOURCE_FILES = ("pyproject.toml", "README.md")
_SOURCE_TREES = ("grader", "fixtures")  # fixtures/ installs as grader/_fixtures


class BundleError(Exception):
    """The bundle cannot be built here; the message says why."""


FALLBACK_MESSAGE = N_("The autograder could not start, so your submission was not graded. "
                      "Please tell the course staff.")


def _fill(template: str, code: str, keras: str, lang: str) -> str:
    max_score = sum(p.points for p in get_spec(code).parts)
    with language(lang):
        fallback = json.dumps(zero_results(tr(FALLBACK_MESSAGE), max_score))
    return (template.replace("@ASSIGNMENT@", code).replace("@KERAS@", keras)
            .replace("@LANG@", lang).replace("@FALLBACK_JSON@", fallback))


def build_wheel(target: Path) -> Path:
    """A wheel of this package, built from a copy of the source tree (the checkout stays
    clean of build/ and egg-info)."""
    root = Path(__file__).resolve().parents[2]
    if not (all((root / f).is_file() for f in _SOURCE_FILES)
            and all((root / d).is_dir() for d in _SOURCE_TREES)):
        raise BundleError(f"{root} is not a source checkout (no pyproject.toml or fixtures/): "
                          "build the bundle from the repository")
    with tempfile.TemporaryDirectory(prefix="grader-wheel-") as tmp:
        source = Path(tmp) / "src"
        source.mkdir()
        for name in _SOURCE_FILES:
            shutil.copy2(root / name, source / name)
        for tree in _SOURCE_TREES:
            shutil.copytree(root / tree, source / tree,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
             "--disable-pip-version-check", "-q", "-w", str(target), str(source)],
            capture_output=True, text=True)
        if proc.returncode != 0:
            raise BundleError("building the wheel failed: " + proc.stderr.strip()[-2000:])
    wheels = sorted(target.glob("*.whl"))
    if not wheels:
        raise BundleError("pip wheel produced no wheel")
    return wheels[-1]


def _add(archive: zipfile.ZipFile, name: str, data: bytes, mode: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def build_bundle(code: str, output: Path, keras: str | None = None,
                 lang: str | None = None) -> Path:
    """Write the zip at `output`; setup.sh and run_autograder sit at its root. Learners read
    `lang` (default: this machine's, see grader.i18n.choose); `keras` None: the
    assignment's own."""
    keras = keras or get_spec(code).keras
    lang = choose(lang)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="grader-bundle-") as tmp:
        wheel = build_wheel(Path(tmp))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, template in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
                _add(archive, name, _fill(template, code, keras, lang).encode(), 0o755)
            _add(archive, wheel.name, wheel.read_bytes(), 0o644)
    atomic_write(output, buffer.getvalue())
    return output
