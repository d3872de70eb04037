"""The grader's own reading of a sign-language CSV, shared by the probes (which hand the
learner's functions the arrays) and the parent (fixtures, checks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def read_sign_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The grader's own reading of a fixture CSV: (images (N, 28, 28), labels (N,))."""
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    return data[:, 1:].reshape(-1, 28, 28), data[:, 0]
