"""A process that imports TensorFlow once and forks every grading child from that state.

A batch worker grades one submission after another. Started afresh, each of its children
(the learner's and the clean one) would import TensorFlow again: about 5 s of CPU, half of a
full C2W1 grading. The zygote imports it once, runs no learner code and never sees a task:
the worker asks it for a child with a work directory, an environment and limits; the zygote
forks, and the fork sets itself up as `runner._spawn` sets up a freshly started child (own
session, pids cgroup, resource limits, then new network, mount and PID namespaces where the
grader may, as `unshare [--user --map-root-user] --fork --kill-child --mount-proc` makes
them) before running `grader.sandbox.child`, which confines itself and reads its task from
a pipe only the worker holds. Each fork starts from the same untouched state, so nothing one
submission does reaches the next.

Worker side: `Zygote.spawn` returns a `ForkedProcess`, which `runner` drives like a
`subprocess.Popen`. Messages go over a SOCK_SEQPACKET socket pair; the child's three pipe
ends come back as passed file descriptors, and the zygote reports each child's exit.
"""

from __future__ import annotations

import ctypes
import json
import os
import queue
import resource
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x20000000, 0x40000000
CLONE_NEWUSER = 0x10000000
PR_SET_PDEATHSIG = 1
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 16384, 1 << 18
EVENTS_FD = 3
MESSAGE = 1 << 16


class ZygoteGone(RuntimeError):
    """The zygote could not fork a child; the caller starts one the ordinary way."""


# ----------------------------------------------------------------------- zygote process

def _exit_code(status: int) -> int:
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


_report_fd = -1  # where a fork that fails to set itself up says why


def _map_root(uid: int, gid: int) -> None:
    """Root inside the new user namespace is the grader's own uid outside; nothing else is
    mapped (as `unshare --map-root-user`)."""
    for name, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"),
                       ("gid_map", f"0 {gid} 1")):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)


def _become_child(request: dict, ends: tuple[int, int, int]) -> None:
    """In the fork: never returns."""
    global _report_fd
    _report_fd = ends[2]
    os.setsid()
    high = [os.dup(fd) for fd in ends]  # out of the way of 0..3 before they are replaced
    stdin, output, events = high
    os.dup2(stdin, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.dup2(events, EVENTS_FD)
    _report_fd = EVENTS_FD
    os.closerange(EVENTS_FD + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    if request.get("cgroup"):
        try:  # as PidsCgroup.add for a fresh child: without it, RLIMIT_NPROC still holds
            Path(request["cgroup"], "cgroup.procs").write_text(str(os.getpid()))
        except OSError:
            pass
    limits = request["limits"]
    from grader.sandbox.confine import own_process_count

    nproc = own_process_count() + limits["max_processes"]
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_size_bytes"],) * 2)
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_seconds"], limits["cpu_seconds"] + 5))
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    if not request.get("use_gpu"):
        resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"],) * 2)
    if request.get("namespaces"):
        libc = ctypes.CDLL(None, use_errno=True)
        if request["namespaces"] == "user":  # the fork is single-threaded, as this needs
            uid, gid = os.geteuid(), os.getegid()
            _check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET),
                   "unshare")
            _map_root(uid, gid)
        else:
            _check(libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET), "unshare")
        inner = os.fork()  # the first process of the new PID namespace
        if inner:
            _, status = os.waitpid(inner, 0)
            if os.WIFSIGNALED(status):  # die the same way, as `unshare --fork` does
                signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
                os.kill(os.getpid(), os.WTERMSIG(status))
            os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)
        _check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")
        _check(libc.mount(None, b"/", None, ctypes.c_ulong(MS_REC | MS_PRIVATE), None),
               "mount --make-rprivate /")
        _check(libc.mount(b"proc", b"/proc", b"proc",
                          ctypes.c_ulong(MS_NOSUID | MS_NODEV | MS_NOEXEC), None),
               "mount /proc")
    os.chdir(request["workdir"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["GRADER_EVENTS_FD"] = str(EVENTS_FD)
    from grader.sandbox import child

    child.main()
    os._exit(0)


def _fork(request: dict) -> tuple[int, list[int]]:
    stdin_r, stdin_w = os.pipe()
    out_r, out_w = os.pipe()
    events_r, events_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            _become_child(request, (stdin_r, out_w, events_w))
        except BaseException as exc:  # noqa: BLE001 - report on the events pipe, then die
            try:
                os.write(_report_fd, (json.dumps({"event": "sandbox_failed", "error": (
                    f"{type(exc).__name__}: {exc}")}) + "\n").encode())
            finally:
                os._exit(3)
    for fd in (stdin_r, out_w, events_w):
        os.close(fd)
    return pid, [stdin_w, out_r, events_r]


def serve(sock: socket.socket) -> None:
    """Fork a child per request until the worker closes its end."""
    while True:
        while True:  # report every child that has exited
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            sock.send(json.dumps({"exit": pid, "code": _exit_code(status)}).encode())
        ready, _, _ = select.select([sock], [], [], 0.02)
        if not ready:
            continue
        data = sock.recv(MESSAGE)
        if not data:
            return
        pid, fds = _fork(json.loads(data))
        try:
            socket.send_fds(sock, [json.dumps({"pid": pid}).encode()], fds)
        finally:
            for fd in fds:
                os.close(fd)


def main() -> int:
    sock = socket.socket(fileno=int(os.environ.pop("GRADER_ZYGOTE_FD")))
    try:  # what every child needs, imported once, before any fork
        import matplotlib.pyplot  # noqa: F401 - most notebooks import it (0.7 s)
        import tensorflow  # noqa: F401

        import grader.model.spec  # noqa: F401 - what every probe module imports
    except Exception:  # noqa: BLE001 - children import it again and report what fails
        pass
    sock.send(b'{"ready": true}')
    serve(sock)
    os._exit(0)  # skip TensorFlow's slow interpreter teardown


# ----------------------------------------------------------------------- worker side

class ForkedProcess:
    """Enough of `subprocess.Popen` for `runner`: the zygote, not we, is the parent."""

    def __init__(self, zygote: Zygote, pid: int, stdin: int, stdout: int) -> None:
        self._zygote, self.pid = zygote, pid
        self.stdin = os.fdopen(stdin, "wb")
        self.stdout = os.fdopen(stdout, "rb")
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._zygote.exit_code(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout)
            time.sleep(0.01)
        return self.returncode


class Zygote:
    """One per batch worker; started on first use, restarted if it dies."""

    def __init__(self, root: Path, keras: str = "2") -> None:
        self.root, self.keras = Path(root), keras
        self._proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None
        self._exits: dict[int, int] = {}
        self._ready = False  # it has imported TensorFlow and serves requests
        self._replies: queue.Queue = queue.Queue()
        self._lock = threading.Lock()

    def _start(self) -> None:
        from grader.sandbox.confine import child_env

        (self.root / "tmp").mkdir(parents=True, exist_ok=True)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = child_env(self.keras, self.root)
        env["GRADER_ZYGOTE_FD"] = str(theirs.fileno())
        # TensorFlow's start-up logging (absl, oneDNN, "Could not find cuda drivers") is not
        # the user's business: the zygote's own stderr goes to a file (its forks' to their pipes).
        with open(self.root / "zygote.log", "ab") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "grader.sandbox.zygote"], cwd=self.root, env=env,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                pass_fds=(theirs.fileno(),), start_new_session=True)
        theirs.close()
        self._sock, self._replies, self._ready = ours, queue.Queue(), False
        threading.Thread(target=self._read, args=(ours, self._replies), daemon=True).start()

    def _read(self, sock: socket.socket, replies: queue.Queue) -> None:
        try:
            while True:
                data, fds, _, _ = socket.recv_fds(sock, MESSAGE, 3)
                if not data:
                    break
                message = json.loads(data)
                if "ready" in message:
                    self._ready = True
                if "exit" in message:
                    self._exits[message["exit"]] = message["code"]
                else:
                    replies.put((message, fds))
        except OSError:
            pass
        replies.put(None)  # the zygote is gone

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Start it now, if it is not running: it imports TensorFlow for a few seconds."""
        with self._lock:
            if not self.alive():
                self._start()

    def exit_code(self, pid: int) -> int | None:
        code = self._exits.get(pid)
        if code is None and not self.alive() and not os.path.exists(f"/proc/{pid}"):
            return -signal.SIGKILL  # orphaned when the zygote died, and reaped by init
        return code

    def _reply(self, timeout: float) -> tuple[dict, list[int]]:
        reply = self._replies.get(timeout=timeout)
        if reply is None:
            raise ZygoteGone("the zygote exited")
        return reply

    def spawn(self, request: dict) -> tuple[ForkedProcess, int]:
        """(process, read end of its events pipe); raises ZygoteGone when it cannot."""
        with self._lock:
            if not self.alive():
                self._start()
            try:
                self._sock.send(json.dumps(request).encode())
                while True:
                    message, fds = self._reply(timeout=120)
                    if "pid" in message:
                        break
                    for fd in fds:
                        os.close(fd)
            except (OSError, queue.Empty, ZygoteGone) as exc:
                self.close()
                raise ZygoteGone(str(exc) or type(exc).__name__) from None
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            raise ZygoteGone("the zygote sent no pipes")
        stdin, stdout, events = fds
        return ForkedProcess(self, message["pid"], stdin, stdout), events

    def close(self) -> None:
        if self._sock is not None:
            try:  # wakes our reader thread; the zygote sees the end and exits
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._sock.close()
            self._sock = None
        if self._proc is not None:
            try:  # still importing: it cannot notice the closed socket yet, and has no child
                self._proc.wait(timeout=5 if self._ready else 0)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait()
            self._proc = None


if __name__ == "__main__":
    raise SystemExit(main())
