"""C2W2's probes (child side): the same as C2W1's, so both name
common/probes_files.py's PROBES (the learner's functions called and observed, and the brief
training in the clean child). Imports only probe modules; the checks are in spec.py and
common/."""

from __future__ import annotations

from grader.assignments.common.probes_files import PROBES

__all__ = ["PROBES"]
