"""The languages learners read: English (the source text) and Spanish (the course's).

Every learner-facing string goes through `tr()` (or is marked with `N_()` where it is stored
before it is shown, like test names); `tools/i18n.py` extracts them with Babel into
`grader/i18n/locale/es/LC_MESSAGES/grader.po` and compiles the `.mo` read here with the
standard library's gettext, so grading needs no extra package. The language is a context
variable: a grading, a rendering or a command sets it once and everything inside follows.

Templates take named placeholders (`tr("found {n} files", n=3)`), formatted only when
arguments are given: a template with arguments writes literal braces as `{{ }}`.

Code that runs in the learner's child process does not know the language (and the clean
cache must not depend on it): it sends `msg(template, **args)`, a plain dict, and the parent
shows it with `say()`.
"""

from __future__ import annotations

import gettext
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, wraps
from pathlib import Path

LANGUAGES = ("en", "es")
DEFAULT = "en"
DOMAIN = "grader"
LOCALE_DIR = Path(__file__).parent / "locale"

_current: ContextVar[str] = ContextVar("grader_language", default=DEFAULT)


@cache
def _catalog(lang: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def tr(message: str, /, **args: object) -> str:
    """`message` in the current language, its placeholders filled from `args`."""
    text = _catalog(_current.get()).gettext(message) if _current.get() != DEFAULT else message
    return text.format(**args) if args else text


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Marks a string for the catalog where it is stored, not shown; `tr()` shows it."""
    return message


def msg(message: str, /, **args: object) -> dict:
    """A message to be shown by another process, which knows the language: see `say`."""
    return {"text": message, "args": {k: str(v) for k, v in args.items()}}


def say(value: object, _depth: int = 0) -> str:
    """A message from `msg()` (or a string marked with `N_`) in the current language; an
    argument that is itself such a message is shown in turn (a few levels deep: a message
    read back from a stored record may be anything)."""
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        args = value.get("args") if isinstance(value.get("args"), dict) else {}
        if _depth < 8:
            args = {k: say(v, _depth + 1) if isinstance(v, dict) else v
                    for k, v in args.items()}
        try:
            return tr(value["text"], **args)
        except (KeyError, IndexError, ValueError, TypeError):
            return value["text"]
    return tr(value) if isinstance(value, str) else str(value)


def current() -> str:
    return _current.get()


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Everything inside speaks `lang` (None: keep the current one)."""
    chosen = lang if lang in LANGUAGES else _current.get()
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def from_environment(environ: os._Environ | dict | None = None) -> str:
    """The language gettext would pick from LANGUAGE, LC_ALL, LC_MESSAGES and LANG, when it
    is one of ours; else English (a `C` or unknown locale)."""
    environ = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if not value:
            continue
        for entry in value.split(":"):
            code = entry.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
            if code in LANGUAGES:
                return code
        if name != "LANGUAGE":  # LANGUAGE is a list of preferences; the others decide
            return DEFAULT
    return DEFAULT


def choose(explicit: str | None = None) -> str:
    """`--lang` when given, else the environment's."""
    if explicit:
        lang = explicit.lower().split("_")[0].split("-")[0]
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {explicit!r}: choose one of "
                             f"{', '.join(LANGUAGES)}")
        return lang
    return from_environment()


def in_its_language(render):
    """Decorator for renderers: render a result in the language it was graded in."""
    @wraps(render)
    def rendered(result, *args, **kwargs):
        with language(getattr(result, "language", None)):
            return render(result, *args, **kwargs)
    return rendered


@cache
def cell_reference() -> re.Pattern:
    """'(cell N, line L:' as every language writes it (grader/assignments/common/feedback.py
    places it after an exception): for the renderers that point at that line, whatever the
    language of the message they read. Read a match with `cell_and_line`."""
    forms = []
    for lang in LANGUAGES:
        with language(lang):
            cell, where = tr("cell {n}"), tr("({cell}, line {line}: `{code}`)")
        head = where.split("`{code}`")[0].rstrip().replace("{cell}", cell)
        forms.append(re.escape(head).replace(re.escape("{n}"), r"(\d+)", 1)
                     .replace(re.escape("{line}"), r"(\d+)", 1))
    return re.compile("|".join(f"(?:{form})" for form in dict.fromkeys(forms)))


def cell_and_line(match: re.Match) -> tuple[str, str]:
    """N and L of a `cell_reference()` match, whichever language's form matched."""
    cell, line = (group for group in match.groups() if group is not None)
    return cell, line
