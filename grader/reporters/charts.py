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

from grader.i18n import current, tr
from grader.model.memo import Memo, code_digest, key_of

_TRAIN, _VALIDATION = "#4878a8", "#d6813a"
_TITLE_CHARS = 44  # what fits the curves' width at their title's size


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


def accuracy_curves(accuracy: list[float], val_accuracy: list[float], title: str,
                    targets: tuple[float, float] | None = None, memo: Memo | None = None,
                    ) -> str:
    """Training and validation accuracy per epoch; `targets` (the assignment's final training
    and validation accuracy to reach) are drawn as dashed lines in the curves' colors. With a
    `memo`, a chart drawn before from the same inputs is not drawn again (a rescore)."""
    if memo is not None:
        key = key_of("accuracy_curves", accuracy, val_accuracy, title, targets, current(),
                     code_digest(__file__, packages=("matplotlib",)))
        return memo.get(key, lambda: accuracy_curves(accuracy, val_accuracy, title, targets))
    fig = Figure(figsize=(4, 2.8))
    _margins(fig, 4, 2.8, left=0.5, bottom=0.4, top=0.3, right=0.1)
    ax = fig.subplots()
    epochs = range(1, len(accuracy) + 1)
    ax.plot(epochs, accuracy, label=tr("training"), color=_TRAIN)
    ax.plot(epochs, val_accuracy, label=tr("validation"), color=_VALIDATION)
    if targets is not None:
        for value, color in zip(targets, (_TRAIN, _VALIDATION), strict=True):
            ax.axhline(value, color=color, linestyle="--", linewidth=0.8)
        ax.plot([], [], color="#555", linestyle="--", linewidth=0.8,
                label=tr("targets {train:.2f} / {val:.2f}", train=targets[0], val=targets[1]))
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(tr("epoch"), fontsize=8)
    ax.set_ylabel(tr("accuracy"), fontsize=8)
    ax.tick_params(labelsize=7)
    shown = title if len(title) <= _TITLE_CHARS else title[:_TITLE_CHARS - 1] + "…"
    ax.set_title(shown.replace("$", r"\$"), fontsize=9)  # no mathtext from names
    ax.legend(fontsize=7, loc="lower right")
    return _png(fig)
