"""The compatibility subset `.ci/run` also runs in other environments (`-m compat`): Python
3.12 with TensorFlow 2.21, and the course's own pins (TensorFlow 2.15 with Keras 2 on 3.11),
each in a fresh virtual environment the grader was installed into. In the main environment the
same gradings are the grading tests' own (each reference solution and template, in process)
and tests/test_cli.py's (the CLI's JSON and its environment), so they are not run twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.compat
PINNED = ("tensorflow", "keras", "tf-keras", "numpy")


def _grade(notebook: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(notebook),
                           "--format", "json"], capture_output=True, text=True, timeout=600,
                          cwd=ROOT)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    return json.loads(proc.stdout)


# Where .ci/run installed the grader into another environment (it records the versions there).
OTHER_ENVIRONMENT = "GRADER_VERSIONS_BEFORE" in os.environ


@pytest.mark.skipif(not OTHER_ENVIRONMENT, reason=(
    "the main environment grades every reference solution and blank template in "
    "tests/test_c2w*_grading.py, and the CLI's JSON with its environment in tests/test_cli.py"))
@pytest.mark.parametrize("code", ["C2W1", "C2W2", "C2W3", "C2W4"])
def test_reference_scores_100_and_template_0_here(code):
    solution = _grade(ROOT / "solutions" / f"{code}_Assignment.ipynb")
    assert solution["score"] == 100, [t for p in solution["parts"] for t in p["tests"]
                                      if not t["passed"]]
    assert _grade(ROOT / "student_template" / f"{code}_Assignment.ipynb")["score"] == 0
    env = solution["environment"]
    assert env["tensorflow"] == metadata.version("tensorflow")
    assert env["python"] == ".".join(map(str, sys.version_info[:3]))
    assert env["sandbox"] in ("namespaces as root", "user namespaces", "limits only")


def _versions() -> dict[str, str]:
    found = {}
    for name in PINNED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


@pytest.mark.skipif(not OTHER_ENVIRONMENT,
                    reason="only where .ci/run recorded the versions before installing")
def test_installing_the_grader_changed_no_tensorflow_keras_or_numpy():
    before = json.loads(Path(os.environ["GRADER_VERSIONS_BEFORE"]).read_text())
    assert _versions() == before
