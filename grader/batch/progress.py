"""A plain progress line on stderr: `[12/40] 30% eta 2m10s  alice 85/100`.

Redrawn in place on a terminal, one line per finished submission otherwise (CI logs)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.tty = self.stream.isatty()

    def line(self, label: str = "") -> str:
        elapsed = time.monotonic() - self.started
        percent = 100 * self.done // self.total if self.total else 100
        if self.done and self.done < self.total:
            eta = f"eta {format_duration(elapsed / self.done * (self.total - self.done))}"
        elif self.done:
            eta = f"took {format_duration(elapsed)}"
        else:
            eta = "eta ?"
        return f"[{self.done}/{self.total}] {percent}% {eta}" + (f"  {label}" if label else "")

    def advance(self, label: str) -> None:
        self.done += 1
        if self.tty:
            self.stream.write("\r\033[K" + self.line(label))
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(self.line(label) + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and 0 < self.done < self.total:
            self.stream.write("\n")
            self.stream.flush()
