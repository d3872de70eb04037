"""Tell which assignment a notebook (or a function in a live kernel) is, and say how.

One decision for both: `grader grade` without --assignment and `check(fn)` in a notebook
weigh the same evidence in the same order, each assignment declaring its own (its graded
functions, and `detect_words` when functions alone cannot tell it from a sibling). The 2024
(v4) notebooks reuse the 2023 (v3) names and file names (create_model, C2W1_Assignment.ipynb),
so a notebook first says which release it is, and only that release's assignments compete.
"""

from __future__ import annotations

import re
from pathlib import Path

from grader.assignments import canonical, codes, get_spec
from grader.i18n import N_, tr
from grader.pipeline.notebook import Notebook

_DEF = re.compile(r"^\s*(?:def|class)\s+(\w+)\s*[(:]", re.M)


def _functions(code: str) -> set[str]:
    """The names a notebook of `code` defines its graded functions under, earlier ones too."""
    return get_spec(code).defined_names


def _words(code: str, text: str) -> list[str]:
    return [w for w in get_spec(code).detect_words if w in text]


def course_version(text: str, metadata: dict | None = None) -> tuple[str | None, str]:
    """("v4" or "v3", the evidence), or (None, "") when nothing tells the release."""
    if isinstance(metadata, dict) and "grader_version" in metadata:
        return "v4", tr("its grader_version metadata")
    if "image_dataset_from_directory" in text:
        return "v4", tr("it calls image_dataset_from_directory")
    if "ImageDataGenerator" in text or "grader-required-cell" in text:
        return "v3", ""
    return None, ""


def decide(candidates: list[str], text: str, defined: set[str], filename: str = "",
           named: str | None = None, metadata: dict | None = None) -> tuple[str | None, str]:
    """(code, reason) among `candidates`: the metadata's name, then among the assignments of
    the notebook's release, a defined function only one candidate grades, the file name, then
    each candidate's detect words (a candidate with none declared wins when no candidate's
    words appear). The reason is in the current language, but when no code is found (an error
    for the command line, in English)."""
    if named and canonical(named) in candidates:
        return canonical(named), tr("the notebook's metadata names it")
    version, evidence = course_version(text, metadata)
    same = [c for c in candidates if get_spec(c).course_version == version]
    code, reason = _decide(same or candidates, text, defined, filename)
    if code and same and evidence:
        reason = tr("{reason}, in a 2024 notebook ({evidence})", reason=reason,
                    evidence=evidence)
    return code, reason


def _decide(candidates: list[str], text: str, defined: set[str],
            filename: str) -> tuple[str | None, str]:
    for code in candidates:
        others = set().union(*(_functions(c) for c in candidates if c != code))
        unique = sorted((_functions(code) - others) & defined)
        if unique:
            return code, tr("the notebook defines {function}(), which only {code} grades",
                            function=unique[0], code=code)
    squeezed = Path(filename).name.upper().replace("_", "")  # C2_W1 is C2W1
    for code in candidates:  # C2W1v4 is in C2W1_Assignment.ipynb, as C2W1 is
        if code.upper().removesuffix(get_spec(code).course_version.upper()) in squeezed:
            return code, tr("the file name {name} says {code}", name=Path(filename).name,
                            code=code)
    worded = [c for c in candidates if _words(c, text)]
    if worded:
        code = worded[0]
        means = tr(get_spec(code).detect_means or N_("uses"))
        return code, tr("it defines the {code} functions and {means} ({word})", code=code,
                        means=means, word=_words(code, text)[0])
    plain = [c for c in candidates if not get_spec(c).detect_words]
    if plain and defined & _functions(plain[0]):
        siblings = [c for c in candidates if get_spec(c).detect_words]
        if not siblings:
            return plain[0], tr("it defines the {code} functions", code=plain[0])
        absent = [tr("none of {code}'s words ({word}, ...)", code=c,
                     word=get_spec(c).detect_words[0]) for c in siblings]
        while len(absent) > 1:
            absent[:2] = [tr("{words} and {more}", words=absent[0], more=absent[1])]
        return plain[0], tr("it defines the {code} functions and {absent}", code=plain[0],
                            absent=absent[0])
    return None, "no assignment's functions were found in the notebook"


_COURSE_WEEK = re.compile(r"(?<![A-Z0-9])C(\d+)_?W(\d+)", re.I)


def foreign_course(filename: str) -> str | None:
    """Why a file name says another course of the specialisation (C1W4_Assignment.ipynb,
    C3W2...), or None: those define functions ours grade too (myCallback), so they would be
    graded, and failed, as ours."""
    found = _COURSE_WEEK.search(Path(filename).name)
    if not found or found.group(1) == "2":
        return None
    return tr("the file name {name} says course {course}, week {week}: not an assignment of "
              "this course (C2, Convolutional Neural Networks in TensorFlow)",
              name=Path(filename).name, course=found.group(1), week=found.group(2))


def detect(notebook: Notebook) -> tuple[str | None, str]:
    """(code, reason) for a whole notebook. Code is None when nothing points to one."""
    text = "\n".join(c.source for c in notebook.code_cells)
    defined = set(_DEF.findall(text))
    meta = notebook.metadata.get("grader")
    named = str(meta.get("assignment", "")) if isinstance(meta, dict) else None
    known = list(codes())
    foreign = foreign_course(notebook.path.name)
    if foreign and not (named and canonical(named) in known):
        return None, foreign
    candidates = [c for c in known if _functions(c) & defined] or known
    if named and canonical(named) in known:
        candidates = known
    return decide(candidates, text, defined, notebook.path.name, named,
                  dict(notebook.metadata))


def choose_for_function(name: str, given: str | None = None, text: str = "",
                        scope: frozenset[str] | set[str] = frozenset(),
                        notebook_name: str = "") -> tuple[str, str]:
    """(code, why) for `check(fn)` in a kernel: among the assignments that grade `name`."""
    if given:
        code = canonical(given)
        get_spec(code)  # raises UnknownAssignment with the valid codes
        return code, tr("you passed assignment={code}", code=repr(code))
    candidates = [code for code in codes() if name in get_spec(code).defined_names]
    if not candidates:
        graded = sorted(set().union(*(get_spec(c).functions for c in codes())))
        raise ValueError(tr("{name} is not a graded function of any assignment; graded are: "
                            "{graded}", name=name, graded=", ".join(graded)))
    if len(candidates) == 1:
        return candidates[0], tr("{name} is graded only in {code}", name=name,
                                 code=candidates[0])
    code, why = decide(candidates, text, set(scope) | {name}, notebook_name)
    if code is None:
        return candidates[0], tr("{name} is graded in {codes}; took the first", name=name,
                                 codes=", ".join(candidates))
    return code, why
