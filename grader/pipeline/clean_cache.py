"""Memoised clean-side work: what a clean probe measured, kept under a digest of everything
it could depend on, so learners with the same model pay one brief training and a regrade of
an unchanged model pays none.

A clean probe runs the grader's own code (never the learner's) on an exported configuration,
the probe's arguments and the files they name: the grader's own copy of the prepared work
directory (pipeline/clean_inputs), and what the learner's code exported. The key is a SHA-256
over exactly those, with the grading's folders written as tokens (each grading has its own),
plus the content of every file under the paths the arguments name, the grader's source, the
Python, TensorFlow and Keras that would run it, the Keras mode and whether a GPU is used.
Any change to any of them is another key: a wrong hit would need a SHA-256 collision.

The key reads nothing a learner can point it at: a path outside the grading's folders and
the fixture cache, a symbolic link or anything but a regular file, or more than MAX_FILES
files or MAX_BYTES bytes, and there is no key (the probe runs, nothing is stored). Only
observations of clean runs that succeeded on intact inputs are stored (grader/pipeline/
grade.py): a probe that failed, or a grader fault, runs again next time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from grader.model.cache import cache_root
from grader.model.files import atomic_write

WORKDIR_TOKEN = "<clean-cache-workdir>"
CLEAN_TOKEN = "<clean-cache-inputs>"
VERSION = 2  # of the stored layout and key
MAX_FILES = 20_000  # a key that would read more is not made: the probe runs uncached
MAX_BYTES = 2 * 2**30


class Unkeyable(Exception):
    """The arguments name something the cache must not read (a symlink, a path outside the
    grading's folders and the fixture cache, too much): run the probe, store nothing."""


@functools.cache
def grader_digest() -> str:
    """The grader's own code and the versions of what trains the models: a grade recorded
    (a batch's journal) or a measurement stored (this cache) by another grader, after an
    upgrade or a fix, is not reused."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for source in sorted(package.rglob("*.py")):
        digest.update(f"\0{source.relative_to(package).as_posix()}\0".encode())
        digest.update(source.read_bytes())
    for name in ("tensorflow", "tf-keras", "keras", "numpy"):
        try:
            digest.update(f"\0{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"\0{name} missing".encode())
    return digest.hexdigest()


def _tokens(workdir: Path, inputs: Path | None) -> list[tuple[str, str]]:
    """(real path, token) pairs, the longest first, so one is never a prefix of another."""
    pairs = [(str(workdir), WORKDIR_TOKEN)] + ([(str(inputs), CLEAN_TOKEN)] if inputs else [])
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def _tokenised(value: object, tokens: list[tuple[str, str]]) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    for real, token in tokens:
        text = text.replace(real, token)
    return text


def _paths_in(value: object) -> list[str]:
    """Every string in the arguments that names an existing file, folder or link."""
    if isinstance(value, dict):
        return [p for v in value.values() for p in _paths_in(v)]
    if isinstance(value, list | tuple):
        return [p for v in value for p in _paths_in(v)]
    if isinstance(value, str) and os.sep in value and os.path.lexists(value):
        return [value]
    return []


def _readable_roots(tokens: list[tuple[str, str]]) -> list[str]:
    """Where a key may read files: the grading's own folders and the fixture cache."""
    return [os.path.realpath(p) for p in [*(real for real, _ in tokens), cache_root()]]


def _content_digest(path: str, tokens: list[tuple[str, str]], budget: list[int]) -> str:
    """Names (relative to `path`) and bytes of every file at or under `path`, read without
    following a link (a link anywhere makes the key refused: Unkeyable)."""
    real = os.path.realpath(path)
    roots = _readable_roots(tokens)
    if not any(real == root or real.startswith(root + os.sep) for root in roots):
        raise Unkeyable(path)
    digest = hashlib.sha256(_tokenised(path, tokens).encode())
    fixture = not any(real == r or real.startswith(r + os.sep) for r in roots[:-1])
    entries = [("", real)] if os.path.isfile(real) else []
    if not entries:
        for current, dirs, files in os.walk(real):
            dirs.sort()
            for name in sorted(files) + [d for d in dirs if os.path.islink(
                    os.path.join(current, d))]:
                full = os.path.join(current, name)
                entries.append((os.path.relpath(full, real), full))
    for relative, full in entries:
        info = os.lstat(full)
        budget[0] -= 1
        budget[1] -= info.st_size
        if not stat.S_ISREG(info.st_mode) or budget[0] < 0 or budget[1] < 0:
            raise Unkeyable(full)
        digest.update(b"\0" + relative.encode() + b"\0")
        if fixture:  # in the fixture cache (C2W3's 87 MB weights): read it once per version
            digest.update(_stable_file_digest(full, info.st_size, info.st_mtime_ns))
        else:
            digest.update(_file_digest(full))
    return digest.hexdigest()


def _file_digest(path: str) -> bytes:
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as stream:
        for chunk in iter(lambda: stream.read(2**20), b""):
            digest.update(chunk)
    return digest.digest()


@functools.cache
def _stable_file_digest(path: str, size: int, mtime_ns: int) -> bytes:
    return _file_digest(path)


@dataclass(frozen=True)
class CleanCache:
    """One folder of stored observations (a batch's results folder holds one)."""

    folder: Path

    def key(self, assignment: str, probe: str, args: dict, workdir: Path,
            environment: dict, keras: str, use_gpu: bool,
            inputs: Path | None = None) -> str | None:
        """The key of a clean probe's measurement, or None when it must not be cached (see
        Unkeyable). `inputs`: the grader's copy of the work directory (clean_inputs)."""
        tokens = _tokens(workdir, inputs)
        budget = [MAX_FILES, MAX_BYTES]
        try:
            files = {_tokenised(p, tokens): _content_digest(p, tokens, budget)
                     for p in sorted(set(_paths_in(args)))}
        except (Unkeyable, OSError):
            return None
        material = {"version": VERSION, "assignment": assignment, "probe": probe,
                    "args": _tokenised(args, tokens), "files": files,
                    "grader": grader_digest(), "environment": environment,
                    "keras": keras, "gpu": use_gpu}
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()

    def load(self, key: str, workdir: Path, inputs: Path | None = None) -> dict | None:
        """The stored observation, its paths pointing at this grading's folders."""
        try:
            text = (self.folder / f"{key}.json").read_text(encoding="utf-8")
            for real, token in _tokens(workdir, inputs):
                text = text.replace(json.dumps(token)[1:-1], json.dumps(real)[1:-1])
            stored = json.loads(text)
        except (OSError, ValueError):
            return None
        return stored.get("observation") if isinstance(stored, dict) else None

    def store(self, key: str, observation: dict, workdir: Path,
              inputs: Path | None = None) -> None:
        """Only for a clean run that succeeded on verified inputs (grader/pipeline/grade)."""
        text = json.dumps({"observation": observation}, sort_keys=True, default=str)
        for real, token in _tokens(workdir, inputs):
            text = text.replace(json.dumps(real)[1:-1], json.dumps(token)[1:-1])
        atomic_write(self.folder / f"{key}.json", text)
