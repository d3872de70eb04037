"""The course's own paths, laid out for the learner's child (parent side).

Learners call the notebook's globals and paths from inside their functions (`root_dir`,
`'/tmp/cats-v-dogs/training'`, the weights file under /tmp). The grader calls functions with
other paths, so such code used to crash and lose a whole part. Instead each graded function's
child sees a private /tmp (bound by `sandbox.confine` from a "view" directory in the work
directory) holding the fixture data where the course keeps it; the function then does its work
there, and one check says it used the notebook's path instead of its argument. The parent
reads the view afterwards, so the verdict still comes from outside the learner's process.

A layout maps an absolute course path under /tmp to what it holds: a file or directory of the
grader's (linked, not copied), or None for an empty writable directory.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from grader.i18n import tr
from grader.model.spec import Test, Verdict

TMP = "/tmp"
# The one check a notebook path costs, in every part whose function is handed paths.
ARGUMENTS = Test("arguments", "uses its arguments, not the notebook's paths")
Layout = dict[str, "str | None"]


def host_tops() -> set[str]:
    """Top-level names under /tmp that the grader's own processes need to see through the
    view: its code, its Python, its fixture cache (a clone or a venv may live under /tmp)."""
    here = Path(__file__).resolve().parents[2]
    cache = os.environ.get("GRADER_CACHE") or str(Path.home() / ".cache")
    needed = [*sys.path, sys.prefix, sys.base_prefix, sys.exec_prefix,
              os.path.dirname(sys.executable), str(here), cache]
    tops = set()
    for path in needed:
        real = os.path.realpath(path) if path else ""
        if real.startswith(TMP + "/"):
            tops.add(Path(os.path.relpath(real, TMP)).parts[0])
    return tops


def view_dir(workdir: Path, part: str) -> Path:
    return Path(workdir) / "course" / part


def lay_out(view: Path, layout: Layout) -> None:
    """Fill a view (the directory that becomes /tmp) with the layout's entries."""
    view.mkdir(parents=True, exist_ok=True)
    for course_path, source in layout.items():
        target = view / os.path.relpath(course_path, TMP)
        target.parent.mkdir(parents=True, exist_ok=True)
        if source is None:
            target.mkdir(exist_ok=True)
        elif not target.exists():
            target.symlink_to(source)


def created(view: Path, layout: Layout, workdir: Path) -> list[str]:
    """Course paths (as the learner's code saw them) written to beyond the layout: an empty
    course directory that is no longer empty ('/tmp/cats-v-dogs'), or a new entry at the top
    of /tmp ('/tmp/my-dirs')."""
    if not view.is_dir():
        return []
    found = [path for path, source in layout.items() if source is None
             and (view / os.path.relpath(path, TMP)).is_dir()
             and any((view / os.path.relpath(path, TMP)).iterdir())]
    tops = {Path(os.path.relpath(p, TMP)).parts[0] for p in layout} | host_tops()
    work = os.path.realpath(workdir)
    if work.startswith(TMP + "/"):  # the work directory's mount point, made by confine
        tops.add(Path(os.path.relpath(work, TMP)).parts[0])
    found += [f"{TMP}/{entry.name}" for entry in sorted(view.iterdir(), key=lambda e: e.name)
              if entry.name not in tops]
    return found


def real_path(view: Path, course_path: str) -> Path | None:
    """Where a course path (as the child saw it) lies for the parent, or None if it is not
    under the view's /tmp."""
    normal = os.path.normpath(course_path)
    if normal != TMP and not normal.startswith(TMP + "/"):
        return None
    return view / os.path.relpath(normal, TMP)


def same_path(a: str | None, b: str | None) -> bool:
    return bool(a and b) and os.path.normpath(str(a)) == os.path.normpath(str(b))


def map_strings(value, change):
    """A copy of JSON-like `value` (dicts, lists, tuples) with `change` applied to every
    string in it: how exported configurations get their paths moved."""
    if isinstance(value, dict):
        return {k: map_strings(v, change) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [map_strings(v, change) for v in value]
    return change(value) if isinstance(value, str) else value


def map_paths(value, view: Path):
    """A copy of an exported configuration with every course path under /tmp replaced by
    where it lies for the parent (and for the clean child, which has no view)."""
    work = str(view.parents[1])  # view_dir(): <workdir>/course/<part>

    def real_of(text: str) -> str:
        if text.startswith(TMP + "/") and not (text == work or text.startswith(work + "/")):
            real = real_path(view, text)
            if real is not None and (real.exists() or real.is_symlink()):
                return str(real)
        return text

    return map_strings(value, real_of)


def arguments_verdict(function: str, used: list[tuple[str, str, str | None]],
                      active: bool) -> Verdict:
    """The one check a notebook path costs. `used` holds (argument name, path given, path
    the function used instead or None when it used the one given)."""
    wrong = [(arg, given, instead) for arg, given, instead in used if instead]
    if not wrong:
        return ARGUMENTS.verdict(True, tr("{function} used the paths it was given.",
                                          function=function))
    arg, given, instead = wrong[0]
    text = tr("{function} used {instead} instead of its argument {arg} ({given} here): a path "
              "from the notebook, not the one it was given. The grader calls it with other "
              "paths: build every path from {arg}.", function=function, instead=repr(instead),
              arg=arg, given=repr(given))
    if active:
        text += " " + tr("The rest was judged on what it did there: the grader gives the "
                         "notebook's paths the course's data too.")
    return ARGUMENTS.verdict(False, text)


_NOTEBOOK_PATH = re.compile(r"'((?:/tmp/|\./)[^']*)'")


def error_hint(message: str) -> str | None:
    """For an OSError naming a notebook path (where no view could be laid out: no private
    /tmp without namespaces), what happened in the learner's terms instead of errno text."""
    match = _NOTEBOOK_PATH.search(message or "")
    if not match or Path(os.path.relpath(os.path.abspath(match.group(1)), TMP)).parts[0] in (
            host_tops()):  # the grader's own files (under /tmp in some clones): not a notebook path
        return None
    return tr("It used {path}, a path from the notebook, instead of its arguments; the grader "
              "calls the function with other paths and has nothing usable there. Build every "
              "path from the arguments it is given", path=repr(match.group(1)))
