"""Where built fixtures live. A leaf so that redaction (which hides this folder from learners)
and the fixture builders agree on it without importing each other."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """`GRADER_CACHE` wins, then XDG's cache directory."""
    env = os.environ.get("GRADER_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "c2-grader"
