"""tools/notebooks.py: templates derive from the solutions, and a broken solution is named."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

_spec = importlib.util.spec_from_file_location("notebooks_tool", ROOT / "tools" / "notebooks.py")
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)

NAME = "C2W1_Assignment.ipynb"


@pytest.fixture(autouse=True)
def _fixtures_ready():
    """Overrides conftest's: these tests need no image fixtures."""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for folder in ("solutions", "student_template"):
        (tmp_path / folder).mkdir()
        for path in (ROOT / folder).glob("*.ipynb"):
            shutil.copy(path, tmp_path / folder / path.name)
    return tmp_path


def edit_solution(root: Path, change) -> None:
    """Apply ``change`` to the raw JSON of C2W1's solution (raw: nbformat would repair ids)."""
    path = root / "solutions" / NAME
    nb = json.loads(path.read_text())
    change({cell["id"]: cell for cell in nb["cells"]}, nb)
    path.write_text(json.dumps(nb, indent=1))


def check(root: Path, capsys) -> tuple[int, str]:
    code = tool.main(["--check", "--root", str(root)])
    return code, capsys.readouterr().err


def test_check_passes_on_the_repository(capsys):
    assert check(ROOT, capsys) == (0, "")


def test_an_edited_placeholder_makes_the_template_stale_until_rewritten(root, capsys):
    def change(cells, _):
        cells["c2w1-create-model"]["metadata"]["grader"]["placeholders"] = ["  model = 42\n"]

    edit_solution(root, change)
    code, err = check(root, capsys)
    assert code == 1 and f"out of date: {root / 'student_template' / NAME}" in err
    assert err.count("out of date") == 1

    assert tool.main(["--root", str(root), "C2W1"]) == 0
    assert check(root, capsys) == (0, "")
    template = json.loads((root / "student_template" / NAME).read_text())
    cell = next(c for c in template["cells"] if c["id"] == "c2w1-create-model")
    assert "  model = 42\n" in cell["source"] and "grader" not in cell["metadata"]


def _set_output(cells, _):
    cells["c2w1-dirs-tree"]["outputs"] = [
        {"name": "stdout", "output_type": "stream", "text": ["hi\n"]}
    ]


def _set_count(cells, _):
    cells["c2w1-dirs-tree"]["execution_count"] = 3


def _drop_end(cells, _):
    source = cells["c2w1-create-model"]["source"]
    source[:] = [line for line in source if "### END CODE HERE" not in line]


def _two_placeholders(cells, _):
    cells["c2w1-create-model"]["metadata"]["grader"]["placeholders"].append("  x = None\n")


def _no_required_line(cells, _):
    cells["c2w1-create-model"]["source"].pop(0)


def _duplicate_id(_, nb):
    nb["cells"][1]["id"] = nb["cells"][0]["id"]


def _tagged_markdown(_, nb):
    nb["cells"][0]["metadata"]["tags"] = ["graded"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set_output, "has outputs or an execution count; clear all outputs"),
        (_set_count, "has outputs or an execution count; clear all outputs"),
        (_drop_end, "'### START CODE HERE' on line"),
        (_two_placeholders, "1 START/END region(s) but 2 placeholder(s)"),
        (_no_required_line, "must start with '# grader-required-cell'"),
        (_duplicate_id, "duplicate cell id"),
        (_tagged_markdown, "a markdown cell takes no tags"),
    ],
)
def test_a_solution_breaking_a_convention_fails_the_check(root, capsys, change, message):
    edit_solution(root, change)
    before = (root / "student_template" / NAME).read_bytes()
    code, err = check(root, capsys)
    assert code == 1 and f"invalid: {root / 'solutions' / NAME}: " in err and message in err
    assert tool.main(["--root", str(root)]) == 1  # nor is a template written from it
    assert (root / "student_template" / NAME).read_bytes() == before


def test_unbalanced_markers_are_an_error():
    with pytest.raises(ValueError, match="has no"):
        tool.regions(["### START CODE HERE", "x = 1"])
    with pytest.raises(ValueError, match="without"):
        tool.regions(["x = 1", "  ### END CODE HERE"])
    with pytest.raises(ValueError, match="before"):
        tool.regions(["### START CODE HERE", "### START CODE HERE", "### END CODE HERE"])
    assert tool.regions(["a", "  ### START CODE HERE", "b", "  ### END CODE HERE"]) == [(1, 3)]
