"""What the parent reads from disk after the learner's code ran: each function takes plain
arguments and returns plain JSON data, and checks call it through `Context.fact`, so a
grading records it and a rescore reads the record instead of the (gone) work directory.

Kept apart from the checks: a change here changes what was observed (the parts that read it
need a regrade), a change to a check only changes how it is judged (a rescore will do).
"""

from __future__ import annotations

import os
from pathlib import Path

from grader.assignments.common import fixtures
from grader.sandbox import course_paths


def dirs_under(root: str | None) -> list[str]:
    """Every directory below `root`, relative to it (sorted; capped like every walk)."""
    if root is None:
        return []
    path = Path(root)
    if not path.is_dir() or path.is_symlink():
        return []
    found: set[str] = set()
    for current, dirs, _files in os.walk(path):
        for name in dirs:
            found.add(str((Path(current) / name).relative_to(path)))
        if len(found) > fixtures.MAX_WALK_ENTRIES:
            break
    return sorted(found)


def dirs_under_course_path(view: str, course_path: str) -> list[str]:
    """`dirs_under` a course path (/tmp/...) as the learner's code saw it."""
    real = course_paths.real_path(Path(view), course_path)
    return dirs_under(str(real) if real is not None else None)


def listing(folder: str) -> list[str]:
    """The names in a folder, sorted and capped."""
    path = Path(folder)
    if not path.is_dir() or path.is_symlink():
        return []
    return sorted(os.listdir(path))[: fixtures.MAX_WALK_ENTRIES]


def tree_digest(folder: str) -> dict[str, str]:
    """Relative path -> sha256 of every file below `folder`."""
    return fixtures.tree_digest(Path(folder))


def created(view: str, layout: dict, workdir: str) -> list[str]:
    """Course paths written to beyond the layout (sandbox/course_paths.created)."""
    return course_paths.created(Path(view), layout, Path(workdir))


def weights_fingerprint(path: str, max_bytes: int) -> dict:
    """Count, sum and sum of squares of the weights in a saved file; {} for none, a link,
    a file over `max_bytes` or one h5py cannot read."""
    file = Path(path)
    if not file.is_file() or file.is_symlink() or file.stat().st_size > max_bytes:
        return {}
    try:
        return fixtures.h5_fingerprint(file)
    except (OSError, ValueError):
        return {}
