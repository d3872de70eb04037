"""A memo of renderings kept in a results folder, so that writing the same page again (a
rescore, a resumed batch) costs a file read instead of matplotlib and nbconvert.

Each entry is keyed by the SHA-256 of everything it was rendered from, the rendering code's
own digest included (`code_digest`), so a stale entry is never found: it is simply not asked
for, and `save` keeps only the entries asked for in this run. A memo holds renderings, never
a verdict; it is the grader's own file in a folder hidden from learner code, and it is still
read defensively (a size cap, a schema): a bad one is ignored and rebuilt.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from grader.model.files import atomic_write

MAX_BYTES = 64 * 2**20  # a class's report memo with every chart is a few MiB


def key_of(*parts: object) -> str:
    """The key of a rendering made from `parts` (JSON-able values)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def code_digest(*modules: str, packages: tuple[str, ...] = ()) -> str:
    """The digest of the files that render (module paths, e.g. `charts.__file__`) and of the
    versions of the libraries they call: an entry made by other code is never found."""
    digest = hashlib.sha256()
    for path in modules:
        digest.update(Path(path).read_bytes())
    for package in packages:
        try:
            digest.update(f"{package}=={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(package.encode())
    return digest.hexdigest()


@dataclass
class Memo:
    """`get(key, make)` answers from the file when it holds `key`, else calls `make`."""

    path: Path | None = None
    found: dict[str, str] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)
    hits: int = 0

    @classmethod
    def load(cls, path: Path) -> Memo:
        """The memo at `path`; an empty one when it is missing, too large or malformed."""
        found: dict[str, str] = {}
        try:
            if path.is_file() and path.stat().st_size <= MAX_BYTES:
                data = json.loads(path.read_bytes())
                if isinstance(data, dict) and all(isinstance(k, str) and isinstance(v, str)
                                                  for k, v in data.items()):
                    found = data
        except (OSError, ValueError):
            pass
        return cls(path, found)

    def get(self, key: str, make: Callable[[], str]) -> str:
        if key in self.used:
            return self.used[key]
        if key in self.found:
            self.hits += 1
            value = self.found[key]
        else:
            value = make()
        self.used[key] = value
        return value

    def save(self) -> None:
        """Keep what this run asked for (nothing else: the memo never grows with stale
        entries); no write when that is what the file holds."""
        if self.path is not None and self.used != self.found:
            atomic_write(self.path, json.dumps(self.used, sort_keys=True))
