"""The clean child's inputs are the grader's own: a copy of the prepared work directory,
taken before any learner code runs, that the clean child reads instead of the learner's.

The learner's children write their work directory (that is their job), so a clean
measurement that read it (the fixture split a model is trained on, the folders generators
are rebuilt on) could be steered: delete `validation/dogs/*` and a model that always says
"cat" scores 100%. The copy lives beside the work directory, outside it: under the
namespaces the learner's children see it read-only or not at all (it is under /tmp, which
they see through their course view). Where nothing confines them ("limits only") it is
sealed: every entry's inode, size, mode and change time (ctime, which no process can set
back) are recorded when it is made and compared before the clean child runs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox.course_paths import map_strings

MAX_ENTRIES = 50_000


def _seal(root: Path) -> str:
    """A digest of every entry's metadata under `root`, links never followed."""
    digest = hashlib.sha256()
    count = 0
    for current, dirs, files in os.walk(root):
        dirs.sort()
        for name in ["", *sorted(files), *dirs]:
            path = os.path.join(current, name) if name else current
            try:
                info = os.lstat(path)
            except OSError:
                digest.update(f"\0{path}\0missing".encode())
                continue
            digest.update(f"\0{os.path.relpath(path, root)}\0{info.st_ino}\0{info.st_size}"
                          f"\0{info.st_mode}\0{info.st_ctime_ns}\0{info.st_mtime_ns}".encode())
            count += 1
            if count > MAX_ENTRIES:
                return "too many entries"
    return digest.hexdigest()


@dataclass
class CleanInputs:
    """The grader's copy of a prepared work directory, and the clean child's home."""

    workdir: Path
    root: Path  # the copy (filled by `take`)
    home: Path  # the clean child's HOME and KERAS_HOME: no ~/.keras/keras.json of the learner
    seal: str = ""

    @classmethod
    def reserve(cls, workdir: Path) -> CleanInputs:
        """Make the folder beside `workdir` (before the clean child starts: it needs HOME)."""
        workdir = Path(workdir)
        parent = Path(tempfile.mkdtemp(prefix=f"{workdir.name}-clean-", dir=workdir.parent))
        (parent / "home").mkdir()
        return cls(workdir, parent / "work", parent / "home")

    def take(self) -> None:
        """Copy the work directory, just prepared (only the grader's files), and seal it."""
        shutil.copytree(self.workdir, self.root, symlinks=True)
        self.seal = _seal(self.root)

    def intact(self) -> bool:
        """Whether the copy is exactly as it was made."""
        return bool(self.seal) and _seal(self.root) == self.seal

    def mapped(self, value: object) -> object:
        """`value` with every path into the work directory that names something the grader
        laid out pointing at the copy instead; paths to what the learner's code made (an
        exported array) are left as they are."""
        prefix = str(self.workdir)

        def to_copy(text: str) -> str:
            if text == prefix or text.startswith(prefix + os.sep):
                candidate = str(self.root) + text[len(prefix):]
                if os.path.lexists(candidate.rstrip(os.sep) or os.sep):
                    return candidate
            return text

        return map_strings(value, to_copy)

    def unmapped(self, value: object) -> object:
        """The inverse of `mapped` for what the clean child reports: checks compare paths
        with the ones the grader prepared, so they never see the copy's."""
        return map_strings(value, lambda text: text.replace(str(self.root), str(self.workdir)))

    def close(self) -> None:
        shutil.rmtree(self.root.parent, ignore_errors=True)
