"""Kill a worker together with everything below it.

The grader puts each learner child in a session of its own (`os.setsid`), so killing the
worker's process group does not reach it; the tree is read from /proc instead (Linux; on
other systems only the worker's group is killed).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process we can see."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # comm (field 2) may hold spaces and parentheses: split after its last ')'.
        fields = text[text.rfind(")") + 2:].split()
        with contextlib.suppress(IndexError, ValueError):
            parents[int(stat.parent.name)] = int(fields[1])
    return parents


def descendants(pid: int) -> list[int]:
    parents = _parents()
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def kill_tree(proc: subprocess.Popen) -> None:
    """Stop the worker and its descendants (so none can fork or be re-parented while the
    tree is read), re-read until nothing new appears, then SIGKILL them all and reap."""
    frozen: list[int] = []
    for _ in range(5):
        if proc.poll() is not None and not frozen:
            break
        new = [p for p in [proc.pid, *descendants(proc.pid)] if p not in frozen]
        if not new:
            break
        for pid in new:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGSTOP)
            frozen.append(pid)
    for pid in frozen:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
