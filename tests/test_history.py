"""The history check: safe loading and thresholds, no TensorFlow involved."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from grader.assignments import get_spec
from grader.pipeline.history import check_history, load_history

SPEC = get_spec("C2W1")
PART = next(p for p in SPEC.parts if p.name == "history")


def verdicts(tmp_path, payload, raw: bytes | None = None):
    path = tmp_path / "history.pkl"
    path.write_bytes(raw if raw is not None else pickle.dumps(payload))
    return {name: (ok, msg) for name, ok, msg in check_history(PART, SPEC.history, path)}


def good(n=15, acc=0.97, val=0.85):
    return {"loss": [0.5] * n, "accuracy": [0.6] * (n - 1) + [acc],
            "val_loss": [0.6] * n, "val_accuracy": [0.6] * (n - 1) + [val]}


def test_good_history_passes_every_check(tmp_path):
    result = verdicts(tmp_path, good())
    assert all(ok for ok, _ in result.values()), result


def test_numpy_values_are_plain_data(tmp_path):
    history = {k: np.array(v, dtype=np.float32) for k, v in good().items()}
    history["accuracy"] = [np.float64(v) for v in good()["accuracy"]]
    result = verdicts(tmp_path, history)
    assert all(ok for ok, _ in result.values()), result


@pytest.mark.parametrize("acc,val,failed", [
    (0.90, 0.85, "final training accuracy >= 0.95"),
    (0.99, 0.75, "final validation accuracy >= 0.80"),
])
def test_thresholds(tmp_path, acc, val, failed):
    result = verdicts(tmp_path, good(acc=acc, val=val))
    assert [n for n, (ok, _) in result.items() if not ok] == [failed]


def test_nan_is_refused(tmp_path):
    history = good()
    history["val_accuracy"][3] = float("nan")
    result = verdicts(tmp_path, history)
    ok, message = result["values are finite numbers in [0, 1]"]
    assert not ok and "nan" in message
    assert not result["final validation accuracy >= 0.80"][0]


def test_strings_are_refused(tmp_path):
    history = good()
    history["accuracy"] = ["0.99"] * 15
    result = verdicts(tmp_path, history)
    assert not result["has 'accuracy' and 'val_accuracy' lists of equal length"][0]
    assert result["history file is readable plain data"][0]


def test_wrong_keys_say_what_was_found(tmp_path):
    history = {"loss": [0.5] * 15, "val_loss": [0.4] * 15, "acuracy": [0.9] * 15}
    ok, message = verdicts(tmp_path, history)[
        "has 'accuracy' and 'val_accuracy' lists of equal length"]
    assert not ok and "acuracy, loss, val_loss" in message


@pytest.mark.parametrize("key", ["acc", "binary_accuracy"])
def test_accuracy_under_another_keras_name_counts(tmp_path, key):
    """metrics=['acc'] (Keras 2) records 'acc' and 'val_acc': the spelling is free."""
    history = {"loss": [0.5] * 15, key: [0.6] * 14 + [0.97],
               "val_loss": [0.6] * 15, f"val_{key}": [0.6] * 14 + [0.85]}
    result = verdicts(tmp_path, history)
    assert all(ok for ok, _ in result.values()), result


def test_early_stopping_history_counts(tmp_path):
    """Fewer than 15 epochs (an EarlyStopping or the accuracy callback) is fine."""
    result = verdicts(tmp_path, good(n=7))
    assert all(ok for ok, _ in result.values()), result


def test_numpy_float_history_from_keras(tmp_path):
    """history.history as Keras leaves it: lists of numpy float32 scalars."""
    history = {k: [np.float32(v) for v in values] for k, values in good(n=12).items()}
    result = verdicts(tmp_path, history)
    assert all(ok for ok, _ in result.values()), result


def test_forty_epochs_are_too_many(tmp_path):
    result = verdicts(tmp_path, good(n=40))
    assert not result["at most 15 epochs"][0]
    assert not result["final training accuracy >= 0.95"][0]


def test_missing_history_asks_for_it(tmp_path):
    result = check_history(PART, SPEC.history, tmp_path / "history.pkl")
    assert all(not ok for _, ok, _ in result)
    assert "submit it" in result[0][2]


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_malicious_reduce_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    raw = pickle.dumps({"accuracy": [0.99] * 15, "val_accuracy": [_Evil(str(marker))] * 15})
    result = verdicts(tmp_path, None, raw=raw)
    assert not marker.exists()
    ok, message = result["history file is readable plain data"]
    assert not ok and "not plain data" in message, message


def test_history_object_gets_a_specific_hint(tmp_path, monkeypatch):
    """A pickled keras.callbacks.History, its bytes made without Keras: pickling a class of
    a stand-in `keras.callbacks` imports the real `keras` package in this process, which then
    keeps the stand-in as its `callbacks` and breaks every later in-process Keras 3 test."""
    import sys
    import types

    module = types.ModuleType("c2_stand_in_callbacks")

    class History:
        pass

    History.__module__ = module.__name__
    History.__qualname__ = "History"
    module.History = History
    monkeypatch.setitem(sys.modules, module.__name__, module)
    # Protocol 2 names a class's module as a line of text: the real module's name fits.
    raw = pickle.dumps(History(), protocol=2).replace(module.__name__.encode(),
                                                      b"keras.callbacks")
    assert b"keras.callbacks\nHistory" in raw
    ok, message = verdicts(tmp_path, None, raw=raw)["history file is readable plain data"]
    assert not ok and "history.history" in message


def test_garbage_and_bombs_are_refused_quickly(tmp_path):
    path = tmp_path / "h.pkl"
    path.write_bytes(b"not a pickle at all")
    assert load_history(path)[1].startswith("it is not a readable pickle")
    path.write_bytes(b"(" * 100_000 + b"l" * 100_000 + b".")  # deep nesting
    data, error = load_history(path)
    assert data is None and error
    path.write_bytes(pickle.dumps([[0.5] * 1000] * 1000))  # a million values
    assert "more than" in load_history(path)[1]
