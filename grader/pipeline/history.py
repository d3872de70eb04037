"""Check a learner's training history against the assignment's thresholds."""

from __future__ import annotations

import json
import math
import resource
import subprocess
import sys
from pathlib import Path

from grader.model.spec import HistoryRule, PartSpec, Verdict, all_fail

LOAD_TIMEOUT_S = 20


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 * 2**30, 1 * 2**30))
    resource.setrlimit(resource.RLIMIT_CPU, (10, 10))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def load_history(path: Path) -> tuple[dict | list | None, str | None]:
    """Unpickle in a limited child; returns (data, None) or (None, why it was refused)."""
    try:
        proc = subprocess.run(
            [sys.executable, "-I", str(Path(__file__).with_name("safe_history.py")),
             str(path.resolve())],
            capture_output=True, timeout=LOAD_TIMEOUT_S, preexec_fn=_limits, cwd=path.parent,
        )
    except subprocess.TimeoutExpired:
        return None, f"reading it took over {LOAD_TIMEOUT_S} s"
    try:
        result = json.loads(proc.stdout or b"{}")
    except json.JSONDecodeError:
        result = {}
    if result.get("ok"):
        return result["history"], None
    return None, result.get("error") or (
        "reading it exhausted the memory or time allowed" if proc.returncode else "unknown"
    )


def _as_floats(values) -> list[float] | None:
    if not isinstance(values, list) or not values:
        return None
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return None
        out.append(float(v))
    return out


ACCURACY_KEYS = ("accuracy", "acc", "binary_accuracy", "categorical_accuracy",
                 "sparse_categorical_accuracy")


def accuracy_key(data: dict) -> str:
    """The key accuracy was recorded under: metrics=['acc'] (or an accuracy class) records
    it as 'acc' ('binary_accuracy'...) and 'val_acc'; the spelling costs nothing."""
    for key in ACCURACY_KEYS:
        if key in data and f"val_{key}" in data:
            return key
    return "accuracy"


def unit_curve(values) -> list[float] | None:
    """A non-empty list of finite numbers, clamped to [0, 1] for drawing; else None."""
    floats = _as_floats(values)
    if floats is None or not all(map(math.isfinite, floats)):
        return None
    return [min(max(v, 0.0), 1.0) for v in floats]


def curves_of(path: Path, data, error: str | None) -> dict:
    """The accuracy curves a report draws (clamped to [0, 1]), or why there are none;
    `data, error` as load_history returns them."""
    if error:
        return {"error": f"{path.name} was refused: {error}"}
    if not isinstance(data, dict):
        return {"error": f"{path.name} holds no dict"}
    key = accuracy_key(data)
    acc, val = unit_curve(data.get(key)), unit_curve(data.get(f"val_{key}"))
    if acc is None or val is None:
        return {"error": f"{path.name} has no usable 'accuracy' and 'val_accuracy' lists"}
    return {"accuracy": acc, "val_accuracy": val}


def check_history(part: PartSpec, rule: HistoryRule, path: Path | None,
                  loaded: tuple | None = None) -> list[Verdict]:
    """`loaded`: what load_history(path) returned, when the caller has it already."""
    names = part.test_names
    if path is None or not path.exists():
        return all_fail(part,
            f"No history file was submitted: train for up to {rule.max_epochs} epochs, then "
            f"save history.history with pickle as {rule.file_name} and submit it beside the "
            "notebook."
        )
    data, error = loaded or load_history(path)
    if error:
        return all_fail(part, f"{path.name} was refused: {error}.")
    verdicts: list[Verdict] = [(names[0], True, f"{path.name} holds plain data.")]
    if not isinstance(data, dict):
        return verdicts + [(n, False, (
            f"Expected a dict such as history.history; found a {type(data).__name__}."))
            for n in names[1:]]
    key = accuracy_key(data)
    acc, val = data.get(key), data.get(f"val_{key}")
    acc_f, val_f = _as_floats(acc), _as_floats(val)
    if acc_f is None or val_f is None or len(acc_f) != len(val_f):
        keys = ", ".join(sorted(data)[:8]) or "no keys"
        hint = " ('acc' is the name older Keras used: compile with metrics=['accuracy'])" if (
            "acc" in data) else ""
        message = (f"Expected lists of numbers under 'accuracy' and 'val_accuracy', one per "
                   f"epoch, of equal length; found {keys}{hint}.")
        if acc_f is not None and val_f is not None:
            message = (f"'accuracy' has {len(acc_f)} values but 'val_accuracy' has "
                       f"{len(val_f)}; both need one value per epoch.")
        return verdicts + [(n, False, message) for n in names[1:]]
    verdicts.append((names[1], True, f"{len(acc_f)} epochs of accuracy and val_accuracy" + (
        "." if key == "accuracy" else f" (as '{key}' and 'val_{key}', names Keras also uses).")))
    epochs_ok = len(acc_f) <= rule.max_epochs
    verdicts.append((names[2], epochs_ok, (
        f"{len(acc_f)} epochs." if epochs_ok else
        f"{len(acc_f)} epochs were recorded; the assignment allows at most {rule.max_epochs}. "
        "Train again with epochs=15.")))
    bad = [v for v in acc_f + val_f if not math.isfinite(v) or not 0.0 <= v <= 1.0]
    if bad:
        verdicts.append((names[3], False, (
            f"Accuracies must be finite numbers between 0 and 1; found {bad[0]!r}.")))
        return verdicts + [(n, False, "Cannot judge accuracies that are not in [0, 1].")
                           for n in names[4:]]
    verdicts.append((names[3], True, "All values are between 0 and 1."))
    final_acc, final_val = acc_f[-1], val_f[-1]
    if not epochs_ok:
        return verdicts + [(n, False, "Accuracy after more epochs than allowed does not count.")
                           for n in names[4:]]
    train_ok = final_acc >= rule.min_train_accuracy
    verdicts.append((names[4], train_ok, f"Final training accuracy {final_acc:.3f}" + (
        f" >= {rule.min_train_accuracy:.2f}." if train_ok else
        f", below {rule.min_train_accuracy:.2f}. Train longer or give the model more "
        "capacity (more filters, a wider Dense layer).")))
    val_ok = final_val >= rule.min_val_accuracy
    verdicts.append((names[5], val_ok, f"Final validation accuracy {final_val:.3f}" + (
        f" >= {rule.min_val_accuracy:.2f}." if val_ok else
        f", below {rule.min_val_accuracy:.2f}. The model overfits or underfits: look at the "
        "training curves.")))
    if rule.max_gap is not None:
        gap_ok = final_val >= final_acc - rule.max_gap
        verdicts.append((names[6], gap_ok, (
            f"Validation {final_val:.3f} vs training {final_acc:.3f}." if gap_ok else
            f"Final validation accuracy {final_val:.3f} trails training ({final_acc:.3f}) by "
            f"more than {rule.max_gap:.2f}: the model overfits. More augmentation or dropout "
            "helps.")))
    return verdicts
