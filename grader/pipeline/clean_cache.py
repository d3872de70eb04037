"""Memoised clean-side work: what a clean probe measured, kept under a digest of everything
it could depend on, so learners with the same model pay one brief training and a regrade of
an unchanged model pays none.

A clean probe runs the grader's own code (never the learner's) on an exported configuration,
the probe's arguments and the files they name. The key is a SHA-256 over exactly those, with
the grading's work directory written as a token (each grading has its own), plus the content
of every file under the paths the arguments name, the grader's source, the Python,
TensorFlow and Keras that would run it, the Keras mode and whether a GPU is used. Any change
to any of them is another key: a wrong hit would need a SHA-256 collision. Only observations
are stored; a probe that failed (timed out, crashed) runs again next time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from grader.model.files import atomic_write

WORKDIR_TOKEN = "<clean-cache-workdir>"
VERSION = 1  # of the stored layout


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


def _tokenised(value: object, workdir: Path) -> str:
    return json.dumps(value, sort_keys=True, default=str).replace(str(workdir), WORKDIR_TOKEN)


def _paths_in(value: object) -> list[str]:
    """Every string in the arguments that names an existing file or folder."""
    if isinstance(value, dict):
        return [p for v in value.values() for p in _paths_in(v)]
    if isinstance(value, list | tuple):
        return [p for v in value for p in _paths_in(v)]
    if isinstance(value, str) and os.sep in value and os.path.exists(value):
        return [value]
    return []


def _content_digest(path: str, workdir: Path) -> str:
    """Names (relative to `path`) and bytes of every file at or under `path`."""
    digest = hashlib.sha256(path.replace(str(workdir), WORKDIR_TOKEN).encode())
    root = Path(path)
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    for file in files:
        digest.update(b"\0" + file.relative_to(root).as_posix().encode() + b"\0")
        if file.is_relative_to(workdir):  # made for this grading: read it
            digest.update(hashlib.sha256(file.read_bytes()).digest())
        else:  # a fixture in the cache (C2W3's 87 MB weights): read it once per version
            info = file.stat()
            digest.update(_stable_file_digest(str(file), info.st_size, info.st_mtime_ns))
    return digest.hexdigest()


@functools.cache
def _stable_file_digest(path: str, size: int, mtime_ns: int) -> bytes:
    return hashlib.sha256(Path(path).read_bytes()).digest()


@dataclass(frozen=True)
class CleanCache:
    """One folder of stored observations (a batch's results folder holds one)."""

    folder: Path

    def key(self, assignment: str, probe: str, args: dict, workdir: Path,
            environment: dict, keras: str, use_gpu: bool) -> str:
        files = {p.replace(str(workdir), WORKDIR_TOKEN): _content_digest(p, workdir)
                 for p in sorted(set(_paths_in(args)))}
        material = {"version": VERSION, "assignment": assignment, "probe": probe,
                    "args": _tokenised(args, workdir), "files": files,
                    "grader": grader_digest(), "environment": environment,
                    "keras": keras, "gpu": use_gpu}
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()

    def load(self, key: str, workdir: Path) -> dict | None:
        """The stored observation, its work-directory paths pointing at `workdir`."""
        try:
            text = (self.folder / f"{key}.json").read_text(encoding="utf-8")
            stored = json.loads(text.replace(json.dumps(WORKDIR_TOKEN)[1:-1],
                                             json.dumps(str(workdir))[1:-1]))
        except (OSError, ValueError):
            return None
        return stored.get("observation") if isinstance(stored, dict) else None

    def store(self, key: str, observation: dict, workdir: Path) -> None:
        text = json.dumps({"observation": observation}, sort_keys=True, default=str)
        atomic_write(self.folder / f"{key}.json",
                     text.replace(json.dumps(str(workdir))[1:-1],
                                  json.dumps(WORKDIR_TOKEN)[1:-1]))
