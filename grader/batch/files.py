"""What a batch folder's atomic writes (grader.model.files) can leave behind."""

from __future__ import annotations

from pathlib import Path


def leftover_temporaries(folder: Path) -> list[Path]:
    """Temporary files an atomic write left behind (only a hard kill can leave one)."""
    return sorted(folder.rglob(".*.tmp"))
