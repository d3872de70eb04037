"""Load a learner's pickled training history without running anything it contains.

Runs as `python -m grader.pipeline.safe_history FILE` in a child with memory and CPU limits, so
even a pickle bomb costs the grader nothing; prints the plain data as JSON, or why it was
refused as a message the parent shows in the learner's language (see grader/i18n).
"""

from __future__ import annotations

import io
import json
import math
import pickle
import sys

MAX_BYTES = 16 * 2**20
MAX_ITEMS = 200_000
MAX_DEPTH = 20

_ALLOWED = {
    ("numpy", "dtype"),
    ("numpy", "ndarray"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
    ("_codecs", "encode"),
    ("codecs", "encode"),
}


def msg(message: str, **args: object) -> dict:
    """grader.i18n.msg's twin: this file runs isolated (python -I), without the grader on its
    path, and the parent shows the message with grader.i18n.say."""
    return {"text": message, "args": {k: str(v) for k, v in args.items()}}


class Refused(Exception):
    """The pickle is not plain data; the message (a `msg()`) says what it holds instead."""

    def __init__(self, message: dict) -> None:
        super().__init__(message["text"])
        self.message = message


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        if "History" in name or "callbacks" in module:
            raise Refused(msg(
                "it holds a Keras History object; save the plain dict instead: "
                "pickle.dump(history.history, f)"
            ))
        qualified = f"{module}.{name}"
        raise Refused(msg("it refers to {name}, which is not plain data", name=qualified))


def _plain(value, depth: int = 0, budget: list[int] | None = None):
    budget = budget if budget is not None else [MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0:
        raise Refused(msg("it holds more than {n} values", n=MAX_ITEMS))
    if depth > MAX_DEPTH:
        raise Refused(msg("it is nested more than {n} levels deep", n=MAX_DEPTH))
    if value is None or isinstance(value, (bool, int, str)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63:
            return float("inf")
        return value
    if isinstance(value, float):
        return value
    if hasattr(value, "dtype") and hasattr(value, "tolist"):
        if getattr(value.dtype, "kind", "O") not in "biuf":
            raise Refused(msg("it holds a numpy array of dtype {dtype}", dtype=value.dtype))
        return _plain(value.tolist(), depth + 1, budget)
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1, budget) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1, budget) for k, v in value.items()}
    raise Refused(msg("it holds a {type}", type=type(value).__name__))


def load(data: bytes):
    if len(data) > MAX_BYTES:
        raise Refused(msg("the file is over {mb} MB; a history is a few KB",
                          mb=MAX_BYTES // 2**20))
    try:
        value = _Unpickler(io.BytesIO(data)).load()
    except Refused:
        raise
    except RecursionError:
        raise Refused(msg("it is nested more than {n} levels deep", n=MAX_DEPTH)) from None
    except Exception as exc:  # noqa: BLE001 - any malformed pickle is refused
        error = f"{type(exc).__name__}: {exc}"
        raise Refused(msg("it is not a readable pickle ({error})", error=error)) from None
    return _plain(value)


def _finite_or_str(value):
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


def main(path: str) -> int:
    sys.setrecursionlimit(400)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
        result = {"ok": True, "history": load(data)}
    except Refused as exc:
        result = {"ok": False, "error": exc.message}
    except OSError as exc:
        result = {"ok": False, "error": msg("it could not be read ({reason})",
                                            reason=exc.strerror)}
    sys.stdout.write(json.dumps(result, allow_nan=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
