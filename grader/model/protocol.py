"""The leaf both sides share: what the parent asks a child to run, what comes back, and the
limits it runs under. Imports nothing of the grader but its message catalog (grader/i18n), so
the spec, the checks and the front ends can use these types without pulling in the process
machinery."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from pathlib import Path

from grader.i18n import N_, language, say

OUTPUT_LIMIT = 256 * 1024


@dataclass(frozen=True)
class Limits:
    submission_timeout_s: float = 900.0
    memory_bytes: int = 6 * 2**30
    cpu_seconds: int = 1800
    file_size_bytes: int = 512 * 2**20
    output_bytes: int = OUTPUT_LIMIT
    max_processes: int = 512


@dataclass(frozen=True)
class View:
    """What a child sees beyond its work directory (sandbox/confine): the folder bound over
    its /tmp (a course view, sandbox/course_paths), its HOME and KERAS_HOME (default: the
    work directory; the clean child's is the grader's), and the paths hidden from it."""

    course_tmp: Path | None = None
    home: Path | None = None
    hide: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProbeRequest:
    name: str
    timeout_s: float
    args: dict = field(default_factory=dict)


def said(template: str, **args: object) -> dict:
    """A message in the shape of `grader.i18n.msg` whose arguments may themselves be such
    messages (rendered in turn, see `render`); `template` is an `N_()`-marked literal."""
    return {"text": template, "args": dict(args)}


def render(message: dict | str, **extra: object) -> str:
    """A `said()` (or `msg()`) message in the current language, nested messages included;
    `extra` fills placeholders the message leaves to whoever shows it (`{subject}`)."""
    if not isinstance(message, dict):
        return str(message)
    return say({**message, "args": {**(message.get("args") or {}), **extra}})


@dataclass
class ProbeOutcome:
    """Either an observation, or why there is none (timeout, crash, never reached).

    `failure` is the English rest of a sentence about what ran ("did not finish within
    60 s"); `reason`, when set, is the whole sentence as a `said()` message whose `{subject}`
    the caller names: show it with `failure_text(subject)`, in the current language."""

    name: str
    observation: dict | None = None
    failure: str | None = None
    seconds: float = 0.0
    reason: dict | None = None
    # Of a failed clean probe: what it had measured before it failed (child.partial).
    partial: dict | None = None

    @classmethod
    def failed(cls, name: str, reason: dict | str) -> ProbeOutcome:
        """An outcome without observation; `reason` a `said()` sentence "{subject} ..." (or,
        from older callers, the English rest of the sentence)."""
        if isinstance(reason, str):
            return cls(name, failure=reason)
        return cls(name, failure=english_rest(reason), reason=reason)

    def failure_text(self, subject: str) -> str:
        """"`subject` did not finish within 60 s.", in the current language."""
        return render(self.failure_said(subject))

    def failure_said(self, subject: dict | str) -> dict | str:
        """The same sentence as a said() message, `subject` (a message too) in its place:
        shown later, in the language of whoever reads it; an older caller's failure is
        English already, a sentence as it is."""
        if self.reason is None:
            return f"{render(subject)} {self.failure}."
        return said(self.reason["text"], **{**(self.reason.get("args") or {}),
                                            "subject": subject})


def english_rest(reason: dict) -> str:
    """A failure sentence "{subject} did not finish within 60 s." in English, less its
    subject and full stop: what `ProbeOutcome.failure` holds (the English template itself is
    cut, never a translation)."""
    text = reason["text"].removeprefix("{subject} ").removesuffix(".")
    with language("en"):
        return render({"text": text, "args": reason.get("args") or {}})


DEFAULT_LIMITS = Limits()
DEFAULT_VIEW = View()  # sees its work directory only, with the default HOME


_SIGNAL_HINTS = {
    "SIGKILL": N_("was killed by {signal} (often: it ran out of memory)"),
    "SIGSEGV": N_("was killed by {signal} (a crash inside native code)"),
    "SIGXFSZ": N_("was killed by {signal} (it wrote a file over the size limit)"),
    "SIGXCPU": N_("was killed by {signal} (it used up its CPU time)"),
}


def exit_reason(code: int | None, learner: bool = True) -> dict:
    """How a process ended, as a `said()` message to follow "the grading process": "was
    killed by SIGKILL (often: it ran out of memory)". `learner`: it ran learner code, so the
    hints name what in that code can end it so; otherwise (a batch worker) only running out
    of memory is hinted at."""
    if code is None:
        return said(N_("was still running"))
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            return said(N_("was killed by signal {number}"), number=-code)
        hinted = _SIGNAL_HINTS.get(name) if learner or name == "SIGKILL" else None
        return said(hinted or N_("was killed by {signal}"), signal=name)
    if learner:
        return said(N_("exited with status {code} (sys.exit or os._exit in your code?)"),
                    code=code)
    return said(N_("exited with status {code}"), code=code)


def describe_exit(code: int | None, learner: bool = True) -> str:
    """`exit_reason` in English (a batch worker's log and report)."""
    with language("en"):
        return render(exit_reason(code, learner))
