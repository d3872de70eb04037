"""Two languages, complete: every message translated with the same placeholders, the catalog
compiled from the code as it is, the language chosen as documented, ids that do not change
with it, and learners reading Spanish with no English sentence left in."""

from __future__ import annotations

import html
import importlib.util
import json
import re
import string
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, SOLUTION_HISTORY, apply_variants, grading_options, load_solution, write
from test_c2w1_grading import VARIANTS

from grader.assignments import get_spec
from grader.i18n import choose, current, from_environment, language, say, tr
from grader.pipeline.grade import grade, grade_observed
from grader.pipeline.rescore import rescore
from grader.reporters.feedback import (
    FeedbackError,
    render_feedback_html,
    render_feedback_notebook,
)
from grader.reporters.learner import render_learner
from grader.reporters.markdown import render_markdown
from grader.reporters.text import render_text

_spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
i18n_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(i18n_tool)


def _fields(template: str) -> set[tuple[str, str]]:
    return {(name, spec or "") for _, name, spec, _ in string.Formatter().parse(template)
            if name is not None}


def test_every_message_has_a_spanish_translation_and_the_catalog_is_compiled(capsys):
    catalog = i18n_tool.updated("es")
    assert len(catalog) > 300, "extraction found too few messages: is Babel reading grader/?"
    assert not i18n_tool.untranslated(catalog)
    assert i18n_tool.main(["--check"]) == 0, capsys.readouterr().err


def test_translations_keep_every_placeholder():
    catalog = i18n_tool.read(i18n_tool.po_path("es"))
    wrong = [(m.id, m.string) for m in catalog
             if m.id and m.string and _fields(m.id) != _fields(m.string)]
    assert not wrong, wrong[:5]


def test_spanish_says_cuaderno_never_notebook():
    """Issue 31, item 9: one word for a notebook in Spanish (placeholders such as {notebook}
    and file names aside)."""
    catalog = i18n_tool.read(i18n_tool.po_path("es"))
    word = re.compile(r"(?<![{\w.])notebooks?(?![}\w])", re.I)
    mixed = [m.string for m in catalog if m.id and isinstance(m.string, str)
             and word.search(m.string)]
    assert not mixed, mixed[:5]


def test_messages_use_named_placeholders_only():
    catalog = i18n_tool.template()
    positional = [m.id for m in catalog if any(name == "" or name.isdigit()
                                               for name, _ in _fields(m.id))]
    assert not positional, positional


def test_tr_follows_the_current_language():
    assert tr("This check produced no verdict.") == "This check produced no verdict."
    with language("es"):
        assert current() == "es"
        assert tr("This check produced no verdict.") != "This check produced no verdict."
        with language(None):
            assert current() == "es"
    assert current() == "en"


def test_messages_from_the_child_are_shown_in_the_parents_language():
    sent = {"text": "Not graded: {reason}.", "args": {"reason": "`x`"}}
    assert say(sent) == "Not graded: `x`."
    with language("es"):
        assert say(sent) != "Not graded: `x`." and "`x`" in say(sent)
    assert say({"text": "Not graded: {reason}.", "args": {}}) == "Not graded: {reason}."


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "es_ES.UTF-8"}, "es"),
    ({"LANG": "es_MX.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "es_AR.UTF-8"}, "es"),
    ({"LANGUAGE": "fr:es", "LANG": "en_US.UTF-8"}, "es"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),
])
def test_the_default_comes_from_the_environment(environ, expected):
    assert from_environment(environ) == expected


def test_an_explicit_choice_wins_and_an_unknown_one_is_refused(monkeypatch):
    monkeypatch.setenv("LANG", "es_ES.UTF-8")
    assert choose(None) == "es"
    assert choose("en") == "en" and choose("es_MX") == "es" and choose("ES") == "es"
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        choose("fr")


# ---------------------------------------------------------------- graded in Spanish

ENGLISH = {"the", "is", "are", "was", "were", "your", "you", "with", "this", "that", "should",
           "expected", "found", "has", "have", "for", "from", "when", "which", "not", "and",
           "of", "to", "in", "it", "its", "be", "or", "but", "try", "could", "did", "does",
           "passed", "failed", "score", "check", "checks", "function", "returns", "graded"}
_CODE = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"|<(code|pre)[^>]*>.*?</\1>", re.S)
_TAGS = re.compile(r"<[^>]+>|&\w+;")


def english_words(text: str) -> list[str]:
    """English words outside code: quoted or backticked spans, identifiers, paths and
    numbers are the learner's or Python's, shown as they are in every language."""
    prose = _TAGS.sub(" ", _CODE.sub(" ", text))
    words = []
    for token in prose.split():
        if re.search(r"[/_.=()\[\]{}0-9@:#<>]", token.rstrip(".,;:!?)")):
            continue
        word = token.strip(".,;:!?()*-—–[]¿¡").lower()
        if word in ENGLISH:
            words.append(word)
    return words


def _broken_c2w1(tmp_path: Path) -> tuple[Path, Path | None]:
    names = ("no_shuffle", "hard_coded_root", "no_rescale", "mse_loss")
    return write(apply_variants(load_solution(), VARIANTS, names), tmp_path), SOLUTION_HISTORY


def _raising_c2w1(tmp_path: Path) -> tuple[Path, Path | None]:
    nb = load_solution()
    for cell in nb.cells:
        if "def split_data" in cell.source:
            cell.source = cell.source.replace("def split_data(", "def split_data_(")
        if "def create_train_val_dirs" in cell.source:
            cell.source += "\n    raise ValueError('no quiero')\n"
        if "def train_val_generators" in cell.source:
            cell.source = cell.source.replace("def train_val_generators(",
                                              "def train_val_generators(\n")
    return write(nb, tmp_path), tmp_path / "missing-history.pkl"


def _template(code: str):
    def made(tmp_path: Path) -> tuple[Path, Path | None]:
        return ROOT / "student_template" / f"{code}_Assignment.ipynb", None
    return made


def _unreadable(tmp_path: Path) -> tuple[Path, Path | None]:
    path = tmp_path / "C2W1_Assignment.ipynb"
    path.write_text('{"cells": [', encoding="utf-8")
    return path, None


SUBMISSIONS = {"C2W1 broken": ("C2W1", _broken_c2w1), "C2W1 raising": ("C2W1", _raising_c2w1),
               "C2W1 unreadable": ("C2W1", _unreadable),
               **{f"{code} template": (code, _template(code))
                  for code in ("C2W2", "C2W3", "C2W4")}}


def _renderings(result, notebook: Path) -> dict[str, str]:
    out = {"text": render_text(result, color=False), "learner": render_learner(result),
           "markdown": render_markdown(result)}
    page = render_feedback_html(result, notebook)  # its summary and feedback blocks
    out["html"] = html.unescape("\n".join(re.findall(
        r'<header class="c2-summary">.*?</header>|<section class="c2-feedback.*?</section>',
        page, re.S)))
    assert out["html"] and '<html lang="es"' in page
    try:
        annotated = nbformat.reads(render_feedback_notebook(result, notebook), as_version=4)
    except FeedbackError:  # an unreadable notebook: its feedback is the page alone
        return out
    out["feedback"] = "\n".join(c.source for c in annotated.cells
                                if "c2_grader_feedback" in c.get("metadata", {}))
    return out


# Graded in English as well, to show that the English judged again from a Spanish grading's
# observations is the English grading (the other cases rely on it).
GRADED_IN_BOTH = ("C2W1 broken", "C2W1 raising", "C2W1 unreadable")


def _verdicts(result) -> dict:
    data = result.to_dict()
    for key in ("duration_s", "clean_cache"):
        data.pop(key)
    return data


@pytest.mark.parametrize("name", sorted(SUBMISSIONS))
def test_a_spanish_grading_has_no_english_sentence_and_the_same_ids(name, tmp_path):
    """The English result is the Spanish grading's observations judged again in English
    (pipeline/rescore: no notebook runs twice), which is what an English grading gives."""
    code, made = SUBMISSIONS[name]
    notebook, history = made(tmp_path)
    spec = get_spec(code)
    options = grading_options(lang="es")
    spanish, observed = grade_observed(spec, notebook, history, options)
    judged = rescore(spec, observed, spanish, notebook, history, options.history_policy,
                     lang="en")
    assert judged.rescored and not judged.needs_regrade, judged.reason
    english = judged.result
    if name in GRADED_IN_BOTH:
        graded = grade(spec, notebook, history, grading_options(lang="en"))
        assert _verdicts(graded) == _verdicts(english)
    assert spanish.language == "es" and english.language == "en"
    en, es = english.to_dict(), spanish.to_dict()
    assert [[(t["id"], t["passed"]) for t in p["tests"]] for p in es["parts"]] == \
        [[(t["id"], t["passed"]) for t in p["tests"]] for p in en["parts"]]
    assert es["score"] == en["score"] and [p["name"] for p in es["parts"]] == \
        [p["name"] for p in en["parts"]]
    assert all(t["id"] == t["name"] for p in en["parts"] for t in p["tests"])
    assert any(t["name"] != t["id"] for p in es["parts"] for t in p["tests"])
    found = {kind: english_words(text) for kind, text in _renderings(spanish, notebook).items()}
    leftovers = {kind: words for kind, words in found.items() if words}
    assert not leftovers, (leftovers, json.dumps(es, ensure_ascii=False, indent=1)[:6000])


def test_the_command_line_grades_in_the_language_asked_for(tmp_path, capsys, monkeypatch):
    from grader.cli import main

    notebook, _ = _unreadable(tmp_path)
    monkeypatch.setenv("LANG", "es_ES.UTF-8")  # the default...
    assert main(["grade", str(notebook), "--assignment", "C2W1", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["language"] == "es"
    assert main(["grade", str(notebook), "--assignment", "C2W1", "--format", "json",
                 "--lang", "en"]) == 1  # ...and the choice that wins over it
    english = json.loads(capsys.readouterr().out)
    assert english["language"] == "en"
    assert [t["id"] for p in data["parts"] for t in p["tests"]] == \
        [t["id"] for p in english["parts"] for t in p["tests"]]
    assert main(["grade", str(notebook), "--assignment", "C2W1", "--lang", "es"]) == 1
    assert not english_words(capsys.readouterr().out)
    assert main(["grade", str(notebook), "--lang", "fr"]) == 2
    assert "unknown language 'fr'" in capsys.readouterr().err


def test_a_batch_writes_each_learners_feedback_in_the_language_asked_for(tmp_path):
    from grader.batch.run import BatchOptions, run_batch

    submissions = tmp_path / "submissions"
    (submissions / "ann").mkdir(parents=True)
    _unreadable(submissions / "ann")
    (submissions / "bob").mkdir()
    out = tmp_path / "results"
    summary = run_batch(submissions, out, BatchOptions("C2W1", workers=1, lang="es",
                                                       clean_cache=False))
    assert summary.graded == 1  # bob has no notebook: recorded, not graded
    for learner in ("ann", "bob"):
        result = json.loads((out / learner / "result.json").read_text(encoding="utf-8"))
        assert result["language"] == "es"
        feedback = (out / learner / "feedback.txt").read_text(encoding="utf-8")
        assert not english_words(feedback), feedback
        assert '<html lang="es"' in (out / learner / "feedback.html").read_text(encoding="utf-8")
    again = run_batch(submissions, out, BatchOptions("C2W1", workers=1, clean_cache=False))
    assert again.graded == 1 and again.skipped == 0  # another language: graded again
    assert json.loads((out / "ann" / "result.json").read_text())["language"] == "en"


def test_junit_names_each_case_by_its_id_in_every_language():
    from grader.model.results import GradeResult, PartResult, TestResult
    from grader.reporters.junit import render_junit

    with language("es"):
        shown = tr("skips zero-length files")
    result = GradeResult("C2W1", [PartResult("split_data", [
        TestResult(shown, False, "mensaje", 0.0, 4.0, id="skips zero-length files")])],
        80.0, "2", language="es")
    xml = render_junit(result)
    assert 'name="skips zero-length files"' in xml and f"{shown}: mensaje" in xml


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_cell_and_line_a_message_points_at_are_read_back_in_every_language(lang):
    from grader.assignments.common.feedback import describe_error
    from grader.i18n import cell_and_line, cell_reference

    error = {"type": "KeyError", "message": "'x'",
             "where": {"cell": "cell 7", "line": 3, "code": "d['x']"}}
    with language(lang):
        text = describe_error("split_data", error)
    assert [cell_and_line(m) for m in cell_reference().finditer(text)] == [("7", "3")]
