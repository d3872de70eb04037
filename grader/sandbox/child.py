"""Entry point of the isolated child process: load the extracted code, run probes, and
write one JSON line per event to the pipe the parent holds (GRADER_EVENTS_FD). Verdicts are
never computed here."""

from __future__ import annotations

import builtins
import contextlib
import importlib
import importlib.abc
import importlib.machinery
import io
import json
import linecache
import os
import sys
import time
import traceback
import types

from grader.sandbox import course_env

CAPTURE_LIMIT = 64 * 1024
# The grader's own references, taken before any learner code runs: a submission that patches
# builtins.len, os.write or json.dumps changes its own verdict, never how the grader reports.
_len, _str, _min, _max = len, str, min, max
_write, _getpid, _kill, _waitpid, _exit = os.write, os.getpid, os.kill, os.waitpid, os._exit
_dumps, _monotonic = json.dumps, time.monotonic


class CappedText(io.TextIOBase):
    """stdout replacement that keeps the first CAPTURE_LIMIT characters of a learner call."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.truncated = False

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = _str(text)
        room = CAPTURE_LIMIT - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += _min(_len(text), room)
        if _len(text) > _max(room, 0):
            self.truncated = True
        return _len(text)

    def getvalue(self) -> str:
        return "".join(self.parts)


class _ColabStub(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Empty stand-ins for Colab-only modules, so their imports do not sink a submission, and
    for the modules the course itself ships beside its notebooks: the 2024 notebooks'
    `unittests` (its private tests, imported in a frozen cell) and the 2023 ones'
    `colab_metadata_checker`. Their functions do nothing here, silently: the import is the
    course's, not the learner's."""

    PREFIX = "google.colab"
    COURSE = ("unittests", "colab_metadata_checker")

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.COURSE:
            return importlib.machinery.ModuleSpec(fullname, self)
        if fullname in ("google", self.PREFIX) or fullname.startswith(self.PREFIX + "."):
            if fullname == "google":
                try:
                    if importlib.machinery.PathFinder.find_spec("google") is not None:
                        return None
                except (ImportError, ValueError):
                    pass
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        if spec.name in self.COURSE:
            module = types.ModuleType(spec.name)
            module.__getattr__ = lambda name: (lambda *args, **kwargs: None)
            return module
        module = types.ModuleType(spec.name)
        module.__path__ = []
        if spec.name == self.PREFIX:
            module.files = types.SimpleNamespace(download=lambda *a, **k: None,
                                                 upload=lambda *a, **k: {})
            module.drive = types.SimpleNamespace(mount=lambda *a, **k: None)
        return module

    def exec_module(self, module):
        return None


class _NoIPython:
    def __getattr__(self, name):
        def refuse(*args, **kwargs):
            raise RuntimeError(
                "shell commands (!...) and magics (%...) are not run by the grader; "
                "use Python (os, shutil, subprocess-free code) inside graded functions"
            )

        return refuse


def describe_exception(exc: BaseException) -> dict:
    frames = traceback.extract_tb(exc.__traceback__)
    learner = [f for f in frames if f.filename.startswith("cell ")]
    where = None
    if learner:
        last = learner[-1]
        where = {"cell": last.filename, "line": last.lineno, "code": (last.line or "").strip()}
    return {
        "type": type(exc).__name__,
        "message": str(exc)[:2000],
        "where": where,
        "traceback": "".join(traceback.format_exception(exc))[-4000:],
    }


def load_submission(snippets: list[dict]) -> tuple[dict, list[dict]]:
    namespace: dict = {"__name__": "submission", "__builtins__": builtins,
                       "get_ipython": lambda: _NoIPython()}
    problems = []
    for snippet in snippets:
        filename = f"cell {snippet['cell'] + 1}"
        source = snippet["source"]
        previous = linecache.cache.get(filename)
        lines = source.splitlines(True)
        if previous:
            merged = list(previous[2])
            merged += [""] * (len(lines) - len(merged))
            for i, line in enumerate(lines):
                if line.strip():
                    merged[i] = line
            lines = merged
        linecache.cache[filename] = (len(source), None, lines, filename)
        try:
            code = compile(source, filename, "exec")
            with contextlib.redirect_stdout(CappedText()):
                exec(code, namespace)
        except BaseException as exc:  # noqa: BLE001 - learner code may raise anything
            problems.append({"snippet": snippet["kind"], "name": snippet["name"],
                             "cell": snippet["cell"], **describe_exception(exc)})
    return namespace, problems


class Emitter:
    def __init__(self, fd: int) -> None:
        self._fd = fd

    def __call__(self, **event) -> None:
        line = _dumps(event, default=_str, allow_nan=True) + "\n"
        _write(self._fd, line.encode())


def _reap(me: int) -> None:
    """A process forked by learner code must never report, and must not outlive its probe:
    copies exit at once; in the sandbox's PID namespace, PID 1 kills every other process."""
    if _getpid() != me:
        _exit(0)
    if me == 1 and os.environ.get("GRADER_CONFINE") == "1":
        import signal

        try:
            _kill(-1, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        while True:
            try:
                _waitpid(-1, 0)
            except ChildProcessError:
                break


_running: list = []  # (emit, probe name) while a probe runs: what `partial` reports to


def partial(observation: dict) -> None:
    """What a clean probe has measured so far (the rebuilt model's description, before its
    brief training), kept by the parent if the probe then runs out of time. The parent
    takes these only from the clean child, where no learner code runs."""
    if _running:
        emit, name = _running[-1]
        emit(event="partial", probe=name, observation=observation)


def run_task(task: dict, emit: Emitter) -> None:
    os.environ["TF_USE_LEGACY_KERAS"] = "1" if task["keras"] == "2" else "0"
    course_env.install(task["keras"])
    # The probes, from the module the parent names (never the registry of assignments):
    # imported before any learner code runs.
    probes = importlib.import_module(task["probe_module"]).PROBES

    emit(event="loading")
    started = _monotonic()
    namespace, problems = load_submission(task["snippets"])
    emit(event="loaded", problems=problems, seconds=_monotonic() - started)

    me = _getpid()
    for probe in task["probes"]:
        _reap(me)
        emit(event="start", probe=probe["name"])
        _running[:] = [(emit, probe["name"])]
        started = _monotonic()
        try:
            observation = probes[probe["name"]](namespace, probe.get("args", {}))
            if _getpid() != me:
                _exit(0)
            emit(event="done", probe=probe["name"], observation=observation,
                 seconds=_monotonic() - started)
        except BaseException as exc:  # noqa: BLE001 - a probe failure is an observation
            if _getpid() != me:
                _exit(0)
            emit(event="done", probe=probe["name"],
                 observation={"probe_error": describe_exception(exc)},
                 seconds=_monotonic() - started)
    _reap(me)


def main() -> int:
    emit = Emitter(int(os.environ["GRADER_EVENTS_FD"]))
    if os.environ.get("GRADER_CONFINE") == "1":
        try:
            from grader.sandbox.confine import confine

            confine(os.getcwd())
        except Exception as exc:  # noqa: BLE001 - fail closed: no learner code runs
            emit(event="sandbox_failed", error=f"{type(exc).__name__}: {exc}")
            os._exit(3)
    if os.environ.get("GRADER_PREWARM") == "1":  # started early: import while others work
        try:
            import tensorflow  # noqa: F401
        except Exception:  # noqa: BLE001 - the probes will report it
            pass
    sys.meta_path.append(_ColabStub())

    def out_of_cpu(signum, frame):  # RLIMIT_CPU's soft limit: say so before dying
        emit(event="limit", what="cpu")
        os._exit(1)

    import signal

    signal.signal(signal.SIGXCPU, out_of_cpu)
    run_task(json.loads(sys.stdin.buffer.read()), emit)
    emit(event="finished")
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: TensorFlow's can take seconds


if __name__ == "__main__":
    raise SystemExit(main())
