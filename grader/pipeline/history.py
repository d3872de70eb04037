"""Check a learner's training history against the assignment's thresholds."""

from __future__ import annotations

import json
import math
import resource
import subprocess
import sys
from pathlib import Path

from grader.i18n import current, say, tr
from grader.model.memo import code_digest
from grader.model.spec import HistoryRule, PartSpec, Verdict, all_fail, fail_the_rest

LOAD_TIMEOUT_S = 20


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 * 2**30, 1 * 2**30))
    resource.setrlimit(resource.RLIMIT_CPU, (10, 10))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def load_history(path: Path) -> tuple[dict | list | None, str | None]:
    """Unpickle in a limited child; returns (data, None) or (None, why it was refused), the
    reason in the current language (the child sends it as a `msg()`)."""
    try:
        proc = subprocess.run(
            [sys.executable, "-I", str(Path(__file__).with_name("safe_history.py")),
             str(path.resolve())],
            capture_output=True, timeout=LOAD_TIMEOUT_S, preexec_fn=_limits, cwd=path.parent,
        )
    except subprocess.TimeoutExpired:
        return None, tr("reading it took over {seconds} s", seconds=LOAD_TIMEOUT_S)
    try:
        result = json.loads(proc.stdout or b"{}")
    except json.JSONDecodeError:
        result = {}
    if result.get("ok"):
        return result["history"], None
    if result.get("error"):
        return None, say(result["error"])
    return None, (tr("reading it exhausted the memory or time allowed") if proc.returncode
                  else tr("unknown"))


def reader_digest() -> str:
    """The digest of the code that turns a history file into plain data."""
    return code_digest(__file__, str(Path(__file__).with_name("safe_history.py")))


def _usable(kept: object) -> bool:
    """A kept reading made by this reader, in this language, of the shape it writes."""
    return (isinstance(kept, dict) and kept.get("reader") == reader_digest()
            and kept.get("language") == current() and isinstance(kept.get("error"), str | None)
            and (kept["error"] is None) != (kept.get("data") is None))


def load_kept(kept: object, path: Path | None, replay: bool) -> tuple[tuple | None, dict | None]:
    """The history at `path` loaded, and the record of it to keep with the observations;
    when `replay`, a usable `kept` record is used instead of unpickling again (the file's
    digest was checked against the graded one already)."""
    if replay and _usable(kept):
        return (kept["data"], kept["error"]), kept
    if path is None or not path.exists():
        return None, None
    data, error = load_history(path)
    return (data, error), {"data": data, "error": error, "reader": reader_digest(),
                           "language": current()}


def kept_history(obs) -> tuple | None:
    """The history an `Observations` record was judged with (see `load_kept`), or None."""
    return (obs.history["data"], obs.history["error"]) if _usable(obs.history) else None


def as_floats(values) -> list[float] | None:
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
    floats = as_floats(values)
    if floats is None or not all(map(math.isfinite, floats)):
        return None
    return [min(max(v, 0.0), 1.0) for v in floats]


def curves_of(path: Path, data, error: str | None) -> dict:
    """The accuracy curves a report draws (clamped to [0, 1]), or why there are none;
    `data, error` as load_history returns them."""
    if error:
        return {"error": tr("{file} was refused: {error}", file=path.name, error=error)}
    if not isinstance(data, dict):
        return {"error": tr("{file} holds no dict", file=path.name)}
    key = accuracy_key(data)
    acc, val = unit_curve(data.get(key)), unit_curve(data.get(f"val_{key}"))
    if acc is None or val is None:
        return {"error": tr("{file} has no usable 'accuracy' and 'val_accuracy' lists",
                            file=path.name)}
    return {"accuracy": acc, "val_accuracy": val}


def check_history(part: PartSpec, rule: HistoryRule, path: Path | None,
                  loaded: tuple | None = None) -> list[Verdict]:
    """`loaded`: what load_history(path) returned, when the caller has it already."""
    test = part.test
    if path is None or not path.exists():
        return all_fail(part, tr(
            "No history file was submitted: train for up to {epochs} epochs, then save "
            "history.history with pickle as {file} and submit it beside the notebook.",
            epochs=rule.max_epochs, file=rule.file_name))
    data, error = loaded or load_history(path)
    if error:
        return all_fail(part, tr("{file} was refused: {error}.", file=path.name, error=error))
    verdicts: list[Verdict] = [test("readable").verdict(
        True, tr("{file} holds plain data.", file=path.name))]
    if not isinstance(data, dict):
        return fail_the_rest(part, verdicts, tr(
            "Expected a dict such as history.history; found a {type}.",
            type=type(data).__name__))
    key = accuracy_key(data)
    acc, val = data.get(key), data.get(f"val_{key}")
    acc_f, val_f = as_floats(acc), as_floats(val)
    if acc_f is None or val_f is None or len(acc_f) != len(val_f):
        keys = ", ".join(sorted(data)[:8]) or tr("no keys")
        if acc_f is not None and val_f is not None:
            message = tr("'accuracy' has {n} values but 'val_accuracy' has {m}; both need one "
                         "value per epoch.", n=len(acc_f), m=len(val_f))
        elif "acc" in data:
            message = tr("Expected lists of numbers under 'accuracy' and 'val_accuracy', one "
                         "per epoch, of equal length; found {keys} ('acc' is the name older "
                         "Keras used: compile with metrics=['accuracy']).", keys=keys)
        else:
            message = tr("Expected lists of numbers under 'accuracy' and 'val_accuracy', one "
                         "per epoch, of equal length; found {keys}.", keys=keys)
        return fail_the_rest(part, verdicts, message)
    verdicts.append(test("lists").verdict(True, tr(
        "{n} epochs of accuracy and val_accuracy.", n=len(acc_f)) if key == "accuracy" else tr(
        "{n} epochs of accuracy and val_accuracy (as '{key}' and 'val_{key}', names Keras "
        "also uses).", n=len(acc_f), key=key)))
    epochs_ok = len(acc_f) <= rule.max_epochs
    verdicts.append(test("epochs").verdict(epochs_ok, (
        tr("{n} epochs.", n=len(acc_f)) if epochs_ok else
        tr("{n} epochs were recorded; the assignment allows at most {most}. Train again with "
           "epochs={most}.", n=len(acc_f), most=rule.max_epochs))))
    bad = [v for v in acc_f + val_f if not math.isfinite(v) or not 0.0 <= v <= 1.0]
    if bad:
        verdicts.append(test("finite").verdict(False, tr(
            "Accuracies must be finite numbers between 0 and 1; found {value}.",
            value=repr(bad[0]))))
        return fail_the_rest(part, verdicts,
                             tr("Cannot judge accuracies that are not in [0, 1]."))
    verdicts.append(test("finite").verdict(True, tr("All values are between 0 and 1.")))
    final_acc, final_val = acc_f[-1], val_f[-1]
    if not epochs_ok:
        return fail_the_rest(part, verdicts,
                             tr("Accuracy after more epochs than allowed does not count."))
    train_ok = final_acc >= rule.min_train_accuracy
    verdicts.append(test("train_accuracy").verdict(train_ok, (
        tr("Final training accuracy {acc:.3f} >= {least:.2f}.", acc=final_acc,
           least=rule.min_train_accuracy) if train_ok else
        tr("Final training accuracy {acc:.3f}, below {least:.2f}. Train longer or give the "
           "model more capacity (more filters, a wider Dense layer).", acc=final_acc,
           least=rule.min_train_accuracy))))
    val_ok = final_val >= rule.min_val_accuracy
    verdicts.append(test("val_accuracy").verdict(val_ok, (
        tr("Final validation accuracy {acc:.3f} >= {least:.2f}.", acc=final_val,
           least=rule.min_val_accuracy) if val_ok else
        tr("Final validation accuracy {acc:.3f}, below {least:.2f}. The model overfits or "
           "underfits: look at the training curves.", acc=final_val,
           least=rule.min_val_accuracy))))
    if rule.max_gap is not None:
        gap_ok = final_val >= final_acc - rule.max_gap
        verdicts.append(test("gap").verdict(gap_ok, (
            tr("Validation {val:.3f} vs training {acc:.3f}.", val=final_val, acc=final_acc)
            if gap_ok else
            tr("Final validation accuracy {val:.3f} trails training ({acc:.3f}) by more than "
               "{gap:.2f}: the model overfits. More augmentation or dropout helps.",
               val=final_val, acc=final_acc, gap=rule.max_gap))))
    return verdicts + curve_verdicts(part, rule, acc_f, val_f)


FLAT = 0.01  # accuracy per epoch: two curves whose slopes differ by less are parallel


def slope(values: list[float]) -> float:
    """Least-squares slope per epoch (0 for a single epoch)."""
    n = len(values)
    if n < 2:
        return 0.0
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    return (sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
            / sum((i - mean_x) ** 2 for i in range(n)))


def curve_verdicts(part: PartSpec, rule: HistoryRule, acc: list[float],
                   val: list[float]) -> list[Verdict]:
    """The 2024 C2W2's no-overfitting rule, as its notebook states it: the curves close
    (mean squared difference) and going the same way (slopes within a relative difference,
    or both within FLAT of each other: on flat curves a ratio of near-zero slopes says
    nothing)."""
    verdicts: list[Verdict] = []
    if rule.max_curve_mse is not None:
        mse = sum((a - v) ** 2 for a, v in zip(acc, val, strict=True)) / len(acc)
        ok = mse <= rule.max_curve_mse
        verdicts.append(part.test("curve_mse").verdict(ok, tr(
            "Mean squared difference of the curves {mse:.3f}.", mse=mse) if ok else tr(
            "The training and validation curves are far apart (mean squared difference "
            "{mse:.3f}, more than {most:.2f}): the model overfits. More augmentation or "
            "dropout helps.", mse=mse, most=rule.max_curve_mse)))
    if rule.max_slope_difference is not None:
        train, valid = slope(acc), slope(val)
        gap = abs(train - valid)
        ok = gap <= rule.max_slope_difference * max(abs(train), abs(valid)) or gap <= FLAT
        verdicts.append(part.test("slopes").verdict(ok, tr(
            "Slopes {train:+.4f} and {val:+.4f} per epoch.", train=train, val=valid) if ok
            else tr("Training accuracy rises by {train:+.4f} per epoch but validation by "
                    "{val:+.4f}: the curves diverge, so the model overfits. More augmentation "
                    "or dropout helps.", train=train, val=valid)))
    return verdicts
