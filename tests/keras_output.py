"""What `model.fit` prints in a notebook, written the way Keras writes it (tf_keras's
generic_utils.Progbar for Keras 2, keras/src/utils/progbar.py for Keras 3): the bar redrawn
with `\\b`s and a `\\r` in Jupyter, Keras 3's ANSI colours, four decimals (`.4e` below
1e-3), and the histories such a run pickles (float32 values as Python floats)."""

from __future__ import annotations

import numpy as np


def fmt(value: float) -> str:
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def history(n: int = 15, seed: int = 0, final: tuple[float, float] = (0.97, 0.86)) -> dict:
    """A plausible history: float32 values as Keras records them, rising to `final`."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0.0, 1.0, n)
    out = {}
    for key, start, end in (("accuracy", 0.55, final[0]), ("val_accuracy", 0.6, final[1]),
                            ("loss", 0.69, 0.08), ("val_loss", 0.67, 0.45)):
        values = start + (end - start) * ramp + rng.normal(0, 0.004, n) * (ramp < 1)
        out[key] = [float(np.float32(v)) for v in values]
    return out


def _keras2_bar(step: int, steps: int) -> str:
    width = len(str(steps))
    done = int(30 * step / steps)
    bar = "=" * (done - 1) + (">" if step < steps else "=") if done else ""
    return f"{step:>{width}}/{steps} [{bar}{'.' * (30 - done)}]"


def keras2_fit(hist: dict, steps: int = 113, dynamic: bool = True, acc: str = "accuracy",
               stop_after: int | None = None) -> str:
    """Keras 2, verbose=1. `dynamic`: Jupyter's redraws (else one line per update, as in a
    log); `stop_after`: interrupted during that epoch (0-based), after its first batches."""
    n, out = len(hist["accuracy"]), []
    for e in range(n):
        out.append(f"Epoch {e + 1}/{n}\n")
        a, v = hist["accuracy"][e], hist["val_accuracy"][e]
        loss, val_loss = hist["loss"][e], hist["val_loss"][e]
        prev = 0
        for step in (1, 2, 3, steps // 2, steps):
            if e == stop_after and step > 3:
                return "".join(out)
            line = (f"{_keras2_bar(step, steps)} - ETA: {max(0, steps - step) // 3}s - loss: "
                    f"{loss * (1.1 - 0.1 * step / steps):.4f} - {acc}: "
                    f"{a * (0.9 + 0.1 * step / steps):.4f}")
            line += " " * max(0, prev - len(line))
            out.append(("\b" * prev + "\r" if dynamic else "\n") + line)
            prev = len(line)
        final = (f"{_keras2_bar(steps, steps)} - 42s 370ms/step - loss: {fmt(loss)} - "
                 f"{acc}: {fmt(a)} - val_loss: {fmt(val_loss)} - val_{acc}: {fmt(v)}")
        final += " " * max(0, prev - len(final))
        out.append(("\b" * prev + "\r" if dynamic else "\n") + final + "\n")
    return "".join(out)


def keras2_verbose2(hist: dict) -> str:
    n = len(hist["accuracy"])
    return "".join(
        f"Epoch {e + 1}/{n}\n113/113 - 41s - loss: {fmt(hist['loss'][e])} - accuracy: "
        f"{fmt(hist['accuracy'][e])} - val_loss: {fmt(hist['val_loss'][e])} - val_accuracy: "
        f"{fmt(hist['val_accuracy'][e])} - 41s/epoch - 363ms/step\n" for e in range(n))


def _keras3_bar(step: int, steps: int) -> str:
    width = len(str(steps))
    done = int(20 * step / steps)
    bar = f"\x1b[1m{step:>{width}}/{steps}\x1b[0m "
    if done:
        bar += f"\x1b[32m{'━' * done}\x1b[0m"
    return bar + f"\x1b[37m{'━' * (20 - done)}\x1b[0m"


def keras3_fit(hist: dict, steps: int = 113, dynamic: bool = True) -> str:
    """Keras 3, verbose=1: metrics in the logs' order (accuracy before loss)."""
    n, out = len(hist["accuracy"]), []
    for e in range(n):
        out.append(f"Epoch {e + 1}/{n}\n")
        a, v = hist["accuracy"][e], hist["val_accuracy"][e]
        loss, val_loss = hist["loss"][e], hist["val_loss"][e]
        prev = 0
        for step in (1, 2, steps // 2, steps):
            line = (f"{_keras3_bar(step, steps)} \x1b[1m{max(1, steps - step) // 3}s\x1b[0m "
                    f"372ms/step - accuracy: {a * (0.9 + 0.1 * step / steps):.4f} - loss: "
                    f"{loss * (1.1 - 0.1 * step / steps):.4f}")
            out.append(("\b" * prev + "\r" if dynamic else "\n") + line)
            prev = len(line)
        final = (f"{_keras3_bar(steps, steps)} \x1b[1m42s\x1b[0m 372ms/step - accuracy: "
                 f"{fmt(a)} - loss: {fmt(loss)} - val_accuracy: {fmt(v)} - val_loss: "
                 f"{fmt(val_loss)}")
        out.append(("\b" * prev + "\r" if dynamic else "\n") + final + "\n")
    return "".join(out)


def stream(text: str, name: str = "stdout") -> dict:
    """A notebook stream output as Jupyter saves it: a list of lines."""
    return {"output_type": "stream", "name": name, "text": text.splitlines(keepends=True)}
