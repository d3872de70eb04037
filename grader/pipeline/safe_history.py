"""Load a learner's pickled training history without running anything it contains.

Runs as `python -m grader.pipeline.safe_history FILE` in a child with memory and CPU limits, so
even a pickle bomb costs the grader nothing; prints the plain data as JSON.
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


class Refused(Exception):
    """The pickle is not plain data; the message says what it holds instead."""


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        if "History" in name or "callbacks" in module:
            raise Refused(
                "it holds a Keras History object; save the plain dict instead: "
                "pickle.dump(history.history, f)"
            )
        raise Refused(f"it refers to {module}.{name}, which is not plain data")


def _plain(value, depth: int = 0, budget: list[int] | None = None):
    budget = budget if budget is not None else [MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0:
        raise Refused(f"it holds more than {MAX_ITEMS} values")
    if depth > MAX_DEPTH:
        raise Refused(f"it is nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, int, str)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63:
            return float("inf")
        return value
    if isinstance(value, float):
        return value
    if hasattr(value, "dtype") and hasattr(value, "tolist"):
        if getattr(value.dtype, "kind", "O") not in "biuf":
            raise Refused(f"it holds a numpy array of dtype {value.dtype}")
        return _plain(value.tolist(), depth + 1, budget)
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1, budget) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1, budget) for k, v in value.items()}
    raise Refused(f"it holds a {type(value).__name__}")


def load(data: bytes):
    if len(data) > MAX_BYTES:
        raise Refused(f"the file is over {MAX_BYTES // 2**20} MB; a history is a few KB")
    try:
        value = _Unpickler(io.BytesIO(data)).load()
    except Refused:
        raise
    except RecursionError:
        raise Refused(f"it is nested more than {MAX_DEPTH} levels deep") from None
    except Exception as exc:  # noqa: BLE001 - any malformed pickle is refused
        raise Refused(f"it is not a readable pickle ({type(exc).__name__}: {exc})") from None
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
        result = {"ok": False, "error": str(exc)}
    except OSError as exc:
        result = {"ok": False, "error": f"it could not be read ({exc.strerror})"}
    sys.stdout.write(json.dumps(result, allow_nan=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
