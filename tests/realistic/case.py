"""One realistic submission: the reference solution with cell edits, and its verdict."""

from __future__ import annotations

from dataclasses import dataclass, field

Edit = tuple[str, str, str]  # (cell id, old text, new text)


@dataclass(frozen=True)
class Case:
    name: str
    code: str
    edits: tuple[Edit, ...]
    expect: dict[str, tuple[str, ...]] = field(default_factory=dict)
    why: str = ""
