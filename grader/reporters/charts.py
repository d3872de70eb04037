"""Charts for the HTML renderings (the batch report, the feedback page), as base64 PNG data so
each page stands alone.

Uses matplotlib's object API (a bare `Figure`, Agg canvas) rather than pyplot: no global
state, no display, nothing to close. Titles and labels are in the current language
(grader/i18n): the renderings set it.
"""

from __future__ import annotations

import base64
import io

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from grader.i18n import tr


def _png(fig: Figure) -> str:
    # Margins are set per chart (`_margins`): `bbox_inches="tight"` would draw every
    # figure twice, and the learners' curves are most of a batch's serial tail.
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _margins(fig: Figure, width: float, height: float, left: float = 0.55,
             bottom: float = 0.45, top: float = 0.3, right: float = 0.15) -> None:
    """Margins in inches, whatever the figure's size."""
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height,
                        top=1 - top / height)


def score_histogram(scores: list[float], max_score: float, pass_mark: float) -> str:
    fig = Figure(figsize=(7, 3))
    _margins(fig, 7, 3, top=0.1)
    ax = fig.subplots()
    bins = [max_score * i / 20 for i in range(21)]
    ax.hist(scores, bins=bins, color="#4878a8", edgecolor="white")
    ax.axvline(pass_mark, color="#c0392b", linestyle="--",
               label=tr("pass mark {pass_mark:g}", pass_mark=pass_mark))
    ax.set_xlabel(tr("score"))
    ax.set_ylabel(tr("learners"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max_score)
    ax.legend(loc="upper left")
    return _png(fig)


def pass_rates(labels: list[str], rates: list[float]) -> str:
    """Horizontal bars, one per check, in report order (top to bottom)."""
    height = 0.25 * len(labels) + 0.8
    label_width = 0.056 * max((len(label) for label in labels), default=0) + 0.3  # in
    width = label_width + 5
    fig = Figure(figsize=(width, height))
    _margins(fig, width, height, left=label_width, top=0.1, right=0.3)
    ax = fig.subplots()
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, [100 * r for r in rates], color="#5a9e6f")
    ax.set_yticks(positions, labels, fontsize=7)
    ax.set_xlim(0, 100)
    ax.set_xlabel(tr("% of learners passing"))
    return _png(fig)


def accuracy_curves(accuracy: list[float], val_accuracy: list[float], title: str) -> str:
    fig = Figure(figsize=(3.2, 2.2))
    _margins(fig, 3.2, 2.2, left=0.45, bottom=0.35, top=0.25, right=0.08)
    ax = fig.subplots()
    epochs = range(1, len(accuracy) + 1)
    ax.plot(epochs, accuracy, label=tr("training"), color="#4878a8")
    ax.plot(epochs, val_accuracy, label=tr("validation"), color="#d6813a")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(tr("epoch"), fontsize=7)
    ax.set_ylabel(tr("accuracy"), fontsize=7)
    ax.tick_params(labelsize=7)
    ax.set_title(title.replace("$", r"\$"), fontsize=8)  # no mathtext from names
    ax.legend(fontsize=6, loc="lower right")
    return _png(fig)
