"""Reading notebooks and extracting only what may run; no child processes here."""

from __future__ import annotations

import json

import nbformat
import pytest

from grader.i18n import language, say
from grader.pipeline.extract import (
    RULE_ANYWHERE,
    RULE_COMMENT,
    RULE_TAG,
    extract,
    provide_globals,
)
from grader.pipeline.notebook import NotebookError, read_notebook

REQUIRED = ("split_data", "create_model")


def shown(messages) -> list[str]:
    """An extraction's notes as the learner reads them (kept as messages: see extract.py)."""
    return [say(m) for m in messages]


def notebook(tmp_path, cells, nbformat_version=4):
    nb = nbformat.v4.new_notebook()
    for source, tags in cells:
        cell = nbformat.v4.new_code_cell(source)
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return read_notebook(path)


def sources(extraction) -> str:
    return "\n".join(s.source for s in extraction.snippets)


def test_keeps_imports_defs_constants_and_drops_side_effects(tmp_path):
    nb = notebook(tmp_path, [(
        "import os\n!pip install foo\n%matplotlib inline\nRATE = 1./255\nx = os.getcwd()\n"
        "shutil.rmtree('/tmp/cats-v-dogs')\ndef split_data(a, b, c, d):\n    return 1\n"
        "split_data(1, 2, 3, 4)\nclass Helper:\n    pass\nimport sys; sys.exit(0)\n",
        ["graded"])])
    e = extract(nb, REQUIRED)
    code = sources(e)
    assert "import os" in code and "RATE = 1./255" in code and "class Helper" in code
    assert "def split_data" in code
    for dropped in ("getcwd", "rmtree", "split_data(1", "pip", "matplotlib", "exit"):
        assert dropped not in code, dropped
    assert "import sys" in code  # an import sharing a line is kept, unparsed on its own
    assert e.functions["split_data"].rule == RULE_TAG
    assert "create_model" in e.missing


def test_line_numbers_match_the_cell(tmp_path):
    nb = notebook(tmp_path, [("import os\n\n\ndef split_data(a):\n    return a\n", ["graded"])])
    snippet = next(s for s in extract(nb, REQUIRED).snippets if s.kind == "def")
    assert snippet.source.splitlines()[3].startswith("def split_data")


def test_fallback_rules_are_reported(tmp_path):
    nb = notebook(tmp_path, [
        ("# GRADED FUNCTION: split_data\ndef split_data(a):\n    pass\n", []),
        ("def create_model():\n    pass\n", []),
    ])
    e = extract(nb, REQUIRED)
    assert e.functions["split_data"].rule == RULE_COMMENT
    assert e.functions["create_model"].rule == RULE_ANYWHERE
    assert any("lose its tag" in n for n in shown(e.notes["create_model"]))
    notes = shown(e.notes["split_data"] + e.notes["create_model"])  # issue 31, item 9: "in an cell"
    assert all(" an cell" not in n for n in notes)
    assert any("found in a cell with a '# GRADED FUNCTION' comment" in n for n in notes), notes


def test_last_definition_wins_within_a_rule(tmp_path):
    nb = notebook(tmp_path, [
        ("def split_data(a):\n    return 'first'\n", ["graded"]),
        ("def split_data(a):\n    return 'second'\n", ["graded"]),
    ])
    code = sources(extract(nb, REQUIRED))
    assert "second" in code and "first" not in code


def test_syntax_error_names_the_cell(tmp_path):
    nb = notebook(tmp_path, [("def split_data(a:\n    pass\n", ["graded"])])
    e = extract(nb, REQUIRED)
    missing = say(e.missing["split_data"])
    assert "cell 1" in missing and "syntax error" in missing


def test_what_the_learner_is_told_is_shown_in_the_readers_language(tmp_path):
    """The extraction keeps messages, not sentences: a grading stored in one language and
    judged again in another (`grader rescore`, a batch's --lang changed) says it all in the
    other, the syntax error inside the sentence about its cell included."""
    nb = notebook(tmp_path, [("def split_data(a:\n    pass\n", ["graded"]),
                             ("def create_model():\n    pass\n", [])])
    e = extract(nb, REQUIRED)
    told = [e.missing["split_data"], *e.general_notes, *e.notes["create_model"]]
    with language("es"):
        spanish = shown(told)
    with language("en"):
        english = shown(told)
    assert "tiene un error de sintaxis en la línea 1" in spanish[0], spanish
    assert "has a syntax error at line 1" in english[0], english
    assert "No se pudo leer la celda calificada 1" in spanish[1], spanish
    assert "Graded cell 1 could not be read" in english[1], english
    assert any("lose its tag" in n for n in english[2:]), english
    assert not any("lose its tag" in n or "syntax error" in n for n in spanish), spanish


def test_lr_keyword_is_noted(tmp_path):
    nb = notebook(tmp_path, [("def create_model():\n    return RMSprop(lr=0.1)\n", ["graded"])])
    e = extract(nb, REQUIRED)
    assert any("learning_rate=" in n for n in shown(e.notes["create_model"]))


def test_nbformat3_is_upgraded(tmp_path):
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "code", "input": "def split_data(a):\n    pass\n", "language": "python",
         "outputs": [], "metadata": {}}]}]}
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(v3))
    e = extract(read_notebook(path), REQUIRED)
    assert "split_data" in e.functions


@pytest.mark.parametrize("content,expected", [
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b"{not json", "not valid JSON"),
    (b'{"cells": []}', "not a Jupyter notebook"),
    (b"[1, 2, 3]", "not a Jupyter notebook"),
])
def test_unreadable_files_raise_a_learner_message(tmp_path, content, expected):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(content)
    with pytest.raises(NotebookError, match=expected):
        read_notebook(path)


def test_line_numbers_survive_leading_blank_lines(tmp_path):
    nb = notebook(tmp_path, [("\n\n\ndef split_data(a):\n    return a\n", ["graded"])])
    snippet = next(s for s in extract(nb, REQUIRED).snippets if s.kind == "def")
    assert snippet.source.splitlines()[3].startswith("def split_data")


def test_graded_globals_are_provided_and_an_edited_one_is_noted(tmp_path):
    """The 2024 notebooks' DATA_DIR: the course's value runs after the learner's, which is
    noted (not charged) when it differs, and the extraction stays the learner's code."""
    nb = notebook(tmp_path, [("DATA_DIR = '/home/me/PetImages'\nSEED = 1\n", ["graded"]),
                             ("def create_model():\n    return DATA_DIR\n", ["graded"])])
    e = extract(nb, REQUIRED)
    before = sources(e)
    extra = provide_globals(e, {"DATA_DIR": "./PetImages"})
    assert [s.source for s in extra] == ["DATA_DIR = './PetImages'\n"] and sources(e) == before
    assert any("'/home/me/PetImages'" in n and "Not charged" in n
               for n in shown(e.general_notes))
    same = extract(notebook(tmp_path, [("DATA_DIR = './PetImages'\n", ["graded"])]), REQUIRED)
    provide_globals(same, {"DATA_DIR": "./PetImages"})
    assert not same.general_notes
    assert provide_globals(same, {}) == []


def test_a_function_that_does_nothing_is_pointed_at(tmp_path):
    """Issue 31, item 8: a `try:` de-indented out of the function left only its docstring;
    the note says so and where, instead of only "nothing was created"."""
    body = ('def split_data(a):\n    """Split."""\ntry:\n    import os\nexcept ImportError:\n'
            '    pass\n')
    e = extract(notebook(tmp_path, [(body, ["graded"]),
                                    ("def create_model():\n    return 1\n", ["graded"])]),
                REQUIRED)
    assert any("does nothing" in n and "line 1" in n for n in shown(e.notes["split_data"]))
    assert not any("does nothing" in n for n in shown(e.notes.get("create_model", [])))
