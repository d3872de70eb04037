"""Where every front end finds a learner's notebook and history (pipeline/submission.py):
the places learners really keep them are found, the rest is graded as missing."""

from __future__ import annotations

import shutil

from conftest import ROOT, solution_path

from grader.api import find_history, find_notebook, get_spec, resolve

C2W2 = get_spec("C2W2")


def _upload(tmp_path, notebook_at: str, histories: dict[str, str]):
    folder = tmp_path / "upload"
    notebook = folder / notebook_at
    notebook.parent.mkdir(parents=True)
    shutil.copy(solution_path("C2W2"), notebook)
    for where, source in histories.items():
        (folder / where).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "solutions" / source, folder / where)
    return folder, notebook


def test_the_course_history_name_beside_the_notebook(tmp_path):
    _, notebook = _upload(tmp_path, "C2W2_Assignment.ipynb",
                          {"history_augmented.pkl": "history_augmented.pkl",
                           "history.pkl": "history.pkl"})
    assert resolve(notebook).history == notebook.parent / "history_augmented.pkl"


def test_a_c2w2_learner_who_kept_history_pkl_is_found(tmp_path):
    _, notebook = _upload(tmp_path, "C2W2_Assignment.ipynb",
                          {"history.pkl": "history_augmented.pkl"})
    assert resolve(notebook, "C2W2").history == notebook.parent / "history.pkl"


def test_an_upload_folder_is_searched_but_not_its_hidden_debris(tmp_path):
    folder, notebook = _upload(tmp_path, "work/C2W2_Assignment.ipynb", {
        "__MACOSX/history_augmented.pkl": "history_augmented.pkl",
        "outputs/history_augmented.pkl": "history_augmented.pkl"})
    (folder / "__MACOSX" / "C2W2_Assignment.ipynb").write_text("{}")
    assert find_notebook(folder, "C2W2") == notebook
    assert find_history(notebook, C2W2, folder) == folder / "outputs" / "history_augmented.pkl"
    assert resolve(notebook, "C2W2", folder=folder).history == find_history(
        notebook, C2W2, folder)


def test_no_history_anywhere_is_graded_as_missing_under_the_course_name(tmp_path):
    folder, notebook = _upload(tmp_path, "C2W2_Assignment.ipynb", {})
    assert find_history(notebook, C2W2, folder) is None
    submission = resolve(notebook, "C2W2", folder=folder)
    assert submission.history == notebook.parent / "history_augmented.pkl"
    assert not submission.history.exists()
