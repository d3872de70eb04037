"""Weigh a pickled history against the training output the notebook saved (issue 30).

Anyone can pickle `{'accuracy': [0.7, 0.9, 0.97], ...}`; the grader cannot retrain on the
learner's data, but Keras prints every epoch's metrics in the fit cell's output, and a
notebook submitted with its outputs keeps them. A history that agrees with that output to the
printed precision, epoch count included, is *corroborated*; one that disagrees is
*contradicted*; without training output it is *unverifiable*.

Pure functions over text and plain data (the caller reads the notebook and the pickle), so
the parser is tested on strings. Both Keras progress bars are understood: Keras 2's
`113/113 [====] - 42s 370ms/step - loss: 0.6657 - accuracy: 0.5893 - val_loss: ...` and
Keras 3's `113/113 ━━━━ 42s 370ms/step - accuracy: 0.5893 - loss: 0.6657 - val_...`, with
their `\\r`/`\\b` redraws and ANSI colours, `verbose=2` lines, and `acc`/`val_acc` names.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from grader.i18n import N_, tr
from grader.pipeline.history import ACCURACY_KEYS, accuracy_key, as_floats

CORROBORATED, CONTRADICTED, UNVERIFIABLE = "corroborated", "contradicted", "unverifiable"
STATUSES = (CORROBORATED, CONTRADICTED, UNVERIFIABLE)
# Shown with tr() (the JSON keeps the English status).
STATUS_LABELS = {CORROBORATED: N_("corroborated"), CONTRADICTED: N_("contradicted"),
                 UNVERIFIABLE: N_("unverifiable")}
# Beyond half a unit of the last printed digit: a history holds the float32 Keras printed,
# through a float64 division at most (Keras 2's running average of one value).
FLOAT_SLACK = 1e-6

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_PIECES = re.compile(r"[\r\n\x08]+")  # every redraw ends a piece: each piece is one line
_EPOCH = re.compile(r"\bEpoch\s+(\d{1,6})\s*/\s*(\d{1,6})\b")
_STEPS = re.compile(r"^\s*(\d{1,9})/(\d{1,9})\b")
_METRIC = re.compile(r"(?<![\w.])([A-Za-z_]\w{0,63})\s*:\s*"
                     r"([-+]?(?:\d{1,12}(?:\.\d{0,16})?|\.\d{1,16})(?:[eE][-+]?\d{1,3})?"
                     r"|[-+]?(?:nan|inf))(?![\w.])")


@dataclass(frozen=True)
class Printed:
    """One metric as Keras printed it: `0.9712` (`.4f`) or `5.0000e-04` (`.4e`)."""

    text: str

    @property
    def value(self) -> float:
        return float(self.text)

    @property
    def tolerance(self) -> float:
        """Half a unit of the last printed digit, plus float slack."""
        mantissa, _, exponent = self.text.lower().partition("e")
        decimals = len(mantissa.partition(".")[2])
        try:
            return 0.5 * 10.0 ** (int(exponent or 0) - decimals) + FLOAT_SLACK
        except OverflowError:  # `0.0000e400`: no precision to speak of
            return math.inf

    def agrees(self, value: float) -> bool:
        if math.isnan(self.value) or math.isnan(value):
            return math.isnan(self.value) and math.isnan(value)
        if math.isinf(self.value):
            return self.value == value
        return abs(value - self.value) <= self.tolerance


@dataclass
class Epoch:
    number: int
    metrics: dict[str, Printed] = field(default_factory=dict)  # its last line's, or the val_ one
    validated: bool = False  # its end-of-epoch line (the one with val_ metrics) was seen


@dataclass
class Run:
    """One `model.fit` as printed: `Epoch 1/N` ... in one cell's output."""

    cell: int  # 0-based, over all cells
    total: int  # the N of `Epoch k/N`
    epochs: list[Epoch] = field(default_factory=list)

    @property
    def validated(self) -> bool:
        return any(e.validated for e in self.epochs)

    def ended(self) -> list[Epoch]:
        """The epochs that finished, up to the first that did not (a fit interrupted
        mid-epoch leaves a partial last one); a fit without validation data prints no val_
        line, and an epoch's last line counts."""
        validated, done = self.validated, []
        for epoch in self.epochs:
            if not (epoch.validated or (not validated and epoch.metrics)):
                break
            done.append(epoch)
        return done

    @property
    def complete(self) -> bool:
        return bool(self.epochs) and self.epochs[0].number == 1 and (
            len(self.ended()) == len(self.epochs))


def pieces(text: str) -> list[str]:
    """`text` cut into the lines a terminal would have shown at some point: ANSI colours
    dropped, and every `\\r`, `\\b` or newline ends a piece (Keras redraws its bar whole)."""
    return [p for p in _PIECES.split(_ANSI.sub("", text)) if p.strip()]


def _metrics(piece: str) -> dict[str, Printed]:
    return {m.group(1): Printed(m.group(2)) for m in _METRIC.finditer(piece)}


def training_runs(outputs: Iterable[tuple[int, str]]) -> list[Run]:
    """Every fit printed in `outputs` ((cell index, text of one output stream), in notebook
    order). A new run starts at `Epoch 1/N`, at a change of N or at an epoch that does not
    follow the previous one (a re-run, another fit); a run never spans two cells."""
    runs: list[Run] = []
    for cell, text in outputs:
        run: Run | None = None
        for piece in pieces(text):
            found = _EPOCH.search(piece)
            if found:
                number, total = int(found.group(1)), int(found.group(2))
                if (run is None or total != run.total
                        or number != run.epochs[-1].number + 1):
                    run = Run(cell, total)
                    runs.append(run)
                run.epochs.append(Epoch(number))
                piece = piece[found.end():]
            if run is None:
                continue
            epoch = run.epochs[-1]
            metrics = _metrics(piece)
            if not metrics or epoch.validated:
                continue  # nothing here, or an evaluate() line after the epoch's last one
            epoch.metrics = metrics
            epoch.validated = any(name.startswith("val_") for name in metrics)
    return [r for r in runs if r.ended()]


@dataclass(frozen=True)
class Evidence:
    """How a history compares with the notebook's training output; `detail` is in the
    current language."""

    status: str
    detail: str
    file: str = ""
    others: tuple[str, ...] = ()  # other .pkl files beside the notebook, not graded
    cell: int | None = None  # the fit cell compared with (0-based), if any

    def line(self) -> str:
        """One learner-facing line: the status and its evidence."""
        return tr("History {status}: {detail}", status=tr(STATUS_LABELS[self.status]),
                  detail=self.detail)

    def to_dict(self) -> dict:
        return {"status": self.status, "detail": self.detail, "file": self.file,
                "others": list(self.others), "cell": self.cell}

    def with_others(self, others: Iterable[str]) -> Evidence:
        return replace(self, others=tuple(others))


def history_lists(data) -> tuple[str, list[float], list[float]] | None:
    """(accuracy name, accuracy, val_accuracy) of a loaded history, or None."""
    if not isinstance(data, dict):
        return None
    name = accuracy_key(data)
    acc, val = as_floats(data.get(name)), as_floats(data.get(f"val_{name}"))
    return (name, acc, val) if acc is not None and val is not None else None


def _printed(epoch: Epoch, name: str) -> tuple[str, Printed | None]:
    """The metric as printed under the history's name, else under another accuracy name."""
    if name in epoch.metrics:
        return name, epoch.metrics[name]
    prefix = "val_" if name.startswith("val_") else ""
    for other in ACCURACY_KEYS:
        if prefix + other in epoch.metrics:
            return prefix + other, epoch.metrics[prefix + other]
    return name, None


def disagreement(run: Run, file: str, name: str, acc: list[float],
                 val: list[float]) -> str | None:
    """Why `run`'s printed epochs are not this history (None: they agree)."""
    epochs, cell = run.ended(), run.cell + 1
    if len(epochs) != len(acc):
        return tr("the training output saved in cell {cell} shows {printed} epochs, but "
                  "{file} holds {held}.", cell=cell, printed=len(epochs), file=file,
                  held=len(acc))
    for epoch, a, v in zip(epochs, acc, val, strict=True):
        for wanted, held in ((name, a), (f"val_{name}", v)):
            shown, printed = _printed(epoch, wanted)
            if printed is None:
                return tr("the training output saved in cell {cell} shows no {metric}, but "
                          "{file} holds it.", cell=cell, metric=wanted, file=file)
            if not printed.agrees(held):
                held_text = f"{held:.6g}"
                return tr("in epoch {epoch}, cell {cell} printed {metric} {printed}, but "
                          "{file} holds {held}.", epoch=epoch.number, cell=cell,
                          metric=shown, printed=printed.text, file=file, held=held_text)
    return None


def weigh(runs: list[Run], data, file: str) -> Evidence:
    """Corroborated when the history equals any printed run (a learner may pickle an
    earlier run's history); else contradicted, with the last complete run's evidence (the
    one a re-run leaves on screen); unverifiable without training output."""
    lists = history_lists(data)
    if lists is None:
        return Evidence(UNVERIFIABLE, tr(
            "{file} holds no accuracy lists to compare with the notebook's training output.",
            file=file), file)
    if not runs:
        return Evidence(UNVERIFIABLE, tr(
            "the notebook holds no saved training output (the lines model.fit prints for "
            "each epoch) to compare {file} with.", file=file), file)
    name, acc, val = lists
    for run in reversed(runs):
        if disagreement(run, file, name, acc, val) is None:
            return Evidence(CORROBORATED, tr(
                "{file} agrees with the training output saved in cell {cell}, all {n} "
                "epochs.", file=file, cell=run.cell + 1, n=len(acc)), file, cell=run.cell)
    reference = next((r for r in reversed(runs) if r.complete), runs[-1])
    detail = disagreement(reference, file, name, acc, val) or ""
    if len(runs) > 1:
        detail += " " + tr("The notebook shows {n} training runs; {file} matches none of "
                           "them.", n=len(runs), file=file)
    return Evidence(CONTRADICTED, detail, file, cell=reference.cell)
