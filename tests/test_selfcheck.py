"""`check(split_data)` from inside a notebook: a real kernel runs it, via nbclient."""

from __future__ import annotations

import nbformat
import pytest
from hostile.corpus import GOOD_SPLIT
from nbclient import NotebookClient

pytestmark = pytest.mark.compat  # also in .ci/run's other environments
CHECK = "from grader.selfcheck import check\nresult = check(split_data)\nprint(result.score)"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, str]:
    """One kernel: the correct split_data is checked, then a broken redefinition."""
    nb = nbformat.v4.new_notebook()
    broken = GOOD_SPLIT.replace("int(len(files) * SPLIT_SIZE)", "int(len(files) * 0.9)")
    assert broken != GOOD_SPLIT
    sources = {"good": GOOD_SPLIT, "check_good": CHECK, "bad": broken, "check_bad": CHECK}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources.values()]
    folder = tmp_path_factory.mktemp("selfcheck")
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    return {
        key: "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
        for key, cell in zip(sources, nb.cells, strict=True)
    }


def test_selfcheck_shows_split_data_passing(outputs):
    text = outputs["check_good"]
    assert "Self-check of split_data as C2W1" in text
    assert "split_data: 30/30 points, all 7 checks passed" in text
    assert "passed  shuffles before splitting" in text
    assert text.rstrip().endswith("\n30")  # check() returned the PartResult
    assert "create_model" not in text and "\033[" not in text  # one part, plain text


def test_selfcheck_shows_a_broken_split_data_failing(outputs):
    text = outputs["check_bad"]
    flat = " ".join(text.split())
    assert "FAILED  SPLIT_SIZE 0.5: int(n * 0.5) to training, the rest to validation" in text
    assert "use SPLIT_SIZE, not a fixed 0.9" in flat
    assert "passed  SPLIT_SIZE 0.9" in text and "26/30 points" in text
