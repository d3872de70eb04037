"""Operating-system confinement of the learner-code child, as far as the platform allows.

Parent side: `wrapper()` gives the argv prefix that puts the child in new network, mount
and PID namespaces (util-linux `unshare`): as root directly, otherwise inside a new user
namespace where the grader's own uid is root and nothing else is mapped (where the kernel
allows unprivileged user namespaces). `mode()` says which; `PidsCgroup` caps the number of
processes (root only).
Child side: `confine(workdir)` runs first thing in the child, before any learner code:
every mount becomes read-only except the work directory and fresh private tmpfs mounts over
/tmp-like places, then all capabilities are dropped for good, so even uid 0
can neither write outside its work directory nor undo the confinement.
`describe()` says which of these hold here, for reports and SECURITY.md.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from grader.i18n import N_
from grader.model.protocol import DEFAULT_VIEW, View
from grader.sandbox.capabilities import drop_capabilities

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND = 1, 2, 4, 32, 4096
MS_REC, MS_PRIVATE = 16384, 1 << 18
MS_NOEXEC, MS_NOATIME, MS_NODIRATIME, MS_RELATIME, MS_STRICTATIME = 8, 1024, 2048, 1 << 21, 1 << 24
PRIVATE_TMP = ("/tmp", "/var/tmp", "/dev/shm")
PIDS_MAX = 512


# Stored in English (reports and caches compare them); shown through tr().
LEVELS = {"root": N_("namespaces as root"), "user": N_("user namespaces"), "": N_("limits only")}
USER_NS_HINT = ("where the kernel refuses them: sysctl kernel.unprivileged_userns_clone=1, "
                "or on Ubuntu 23.10 and later kernel.apparmor_restrict_unprivileged_userns=0")


@dataclass(frozen=True)
class Guarantees:
    namespaces: bool
    read_only_fs: bool
    pids_cgroup: bool
    level: str = LEVELS[""]

    def lines(self) -> list[str]:
        return [
            f"sandbox: {self.level}",
            f"network and PID namespaces: {'yes' if self.namespaces else 'no'}",
            f"read-only filesystem outside the work directory: "
            f"{'yes' if self.read_only_fs else 'no'}",
            f"process-count cgroup: {'yes' if self.pids_cgroup else 'no (RLIMIT_NPROC only)'}",
        ]


def own_process_count() -> int:
    """RLIMIT_NPROC counts every process of the user: a child's cap must leave room for the
    ones that exist."""
    uid, count = os.getuid(), 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                count += os.stat(f"/proc/{entry}").st_uid == uid
            except OSError:
                pass
    return count


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def mode() -> str:
    """"root", "user" (unprivileged user namespaces) or "" (limits only). GRADER_SANDBOX=0
    turns isolation off; GRADER_SANDBOX=user takes the unprivileged path even as root."""
    setting = os.environ.get("GRADER_SANDBOX", "1")
    if setting == "0":
        return ""
    wanted = "root" if _is_root() and setting != "user" else "user"
    return wanted if _working_unshare(wanted) else ""


def level() -> str:
    """What reports print: "namespaces as root", "user namespaces" or "limits only"."""
    return LEVELS[mode()]


def wrapper() -> list[str]:
    """argv prefix for the child, or [] where namespaces are not available."""
    current = mode()
    return _working_unshare(current) if current else []


@functools.cache
def _working_unshare(kind: str) -> list[str]:
    """Root is not enough: a container without CAP_SYS_ADMIN (Docker's default) refuses
    namespaces, and so may a kernel that forbids unprivileged user namespaces; every child
    would die before reporting. Try once, and say so."""
    unshare = shutil.which("unshare")
    if not unshare:
        return []
    user = ["--user", "--map-root-user"] if kind == "user" else []
    prefix = [unshare, *user, "--net", "--mount", "--pid", "--fork", "--kill-child",
              "--mount-proc", "--"]
    try:
        probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=20)
        if probe.returncode == 0:
            return prefix
        reason = probe.stderr.decode(errors="replace").strip() or f"status {probe.returncode}"
    except (OSError, subprocess.TimeoutExpired) as exc:
        reason = str(exc)
    if kind == "root":
        print(f"grader: running as root, but this system refuses new namespaces ({reason}); "
              "learner code runs with resource limits only, without the read-only filesystem "
              "and network isolation. In a container, give it CAP_SYS_ADMIN (docker run "
              "--cap-add SYS_ADMIN) to get them.", file=sys.stderr)
    else:
        print(f"grader: this system refuses unprivileged user namespaces ({reason}); learner "
              "code runs with resource limits only, without the read-only filesystem and "
              f"network isolation. To get them, run as root or allow them ({USER_NS_HINT}).",
              file=sys.stderr)
    return []


def child_env(keras: str, workdir: Path, view: View = DEFAULT_VIEW,
              namespaces: bool = True) -> dict[str, str]:
    """The whole environment of a child, seeing what `view` says (its course view only
    where `namespaces` confine it: without them nothing is bound over /tmp)."""
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH",
            "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "GRADER_CACHE")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(
        HOME=str(view.home or workdir),
        KERAS_HOME=str(Path(view.home or workdir) / ".keras"),
        TMPDIR=str(workdir / "tmp"),
        MPLBACKEND="Agg",
        TF_CPP_MIN_LOG_LEVEL="2",
        TF_USE_LEGACY_KERAS="1" if keras == "2" else "0",
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    if view.course_tmp is not None and namespaces:  # bound over /tmp by sandbox.confine
        env["GRADER_COURSE_TMP"] = str(view.course_tmp)
    if view.hide:  # covered by sandbox.confine
        env["GRADER_HIDE"] = os.pathsep.join(view.hide)
    return env


def _pids_root() -> Path | None:
    for candidate in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
        if (candidate / "cgroup.procs").exists() and os.access(candidate, os.W_OK):
            if candidate.name == "pids" or "pids" in (
                (candidate / "cgroup.subtree_control").read_text()
                if (candidate / "cgroup.subtree_control").exists() else ""
            ):
                return candidate
    return None


class PidsCgroup:
    """A throwaway cgroup with pids.max: a fork bomb hits the cap instead of the machine."""

    def __init__(self, limit: int = PIDS_MAX) -> None:
        self.path: Path | None = None
        root = _pids_root()
        if root is None or not _is_root():
            return
        path = root / f"grader-{uuid.uuid4().hex[:12]}"
        try:
            path.mkdir()
            (path / "pids.max").write_text(str(limit))
            self.path = path
        except OSError:
            self.path = None

    def add(self, pid: int) -> bool:
        if self.path is None:
            return False
        try:
            (self.path / "cgroup.procs").write_text(str(pid))
            return True
        except OSError:
            return False

    def close(self) -> None:
        if self.path is None:
            return
        try:
            for pid in (self.path / "cgroup.procs").read_text().split():
                try:
                    os.kill(int(pid), 9)
                except (ProcessLookupError, PermissionError):
                    pass
            self.path.rmdir()
        except OSError:
            pass


def describe() -> Guarantees:
    current = mode()
    return Guarantees(namespaces=bool(current), read_only_fs=bool(current),
                      pids_cgroup=_pids_root() is not None and _is_root(), level=LEVELS[current])


# ----------------------------------------------------------------------------- child side

def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _mount(libc, source, target, fstype, flags, data=None) -> None:
    result = libc.mount(source, target, fstype, ctypes.c_ulong(flags), data)
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {target}: {os.strerror(errno)}")


def _mount_points() -> list[str]:
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            points.append(fields[4].replace("\\040", " "))
    return points


MS_MOVE = 8192
DEVICES = ("null", "zero", "full", "random", "urandom")


def _fresh_dev(libc, work: str) -> None:
    """Replace /dev with a tmpfs holding only harmless devices: uid 0 keeps write access to
    root-owned device nodes (disks!) even without capabilities, so they must not exist."""
    # A fresh name: children of one grading confine themselves in the same work directory at
    # once (the clean child is prestarted), and learner code may leave anything there.
    staging = tempfile.mkdtemp(prefix=".dev-", dir=work)
    os.chmod(staging, 0o755)
    _mount(libc, b"tmpfs", staging.encode(), b"tmpfs", MS_NOSUID, b"size=1m,mode=755")
    for name in DEVICES:
        target = os.path.join(staging, name)
        open(target, "w").close()
        _mount(libc, f"/dev/{name}".encode(), target.encode(), None, MS_BIND)
    os.mkdir(os.path.join(staging, "shm"), 0o1777)
    _mount(libc, b"tmpfs", os.path.join(staging, "shm").encode(), b"tmpfs",
           MS_NOSUID | MS_NODEV, b"size=256m,mode=1777")
    for link, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, os.path.join(staging, link))
    _mount(libc, staging.encode(), b"/dev", None, MS_MOVE)
    os.rmdir(staging)


def _course_tmp(libc, view: str, work: str) -> None:
    """/tmp becomes the course view (see course_paths), a directory inside the work
    directory. What the child itself needs under /tmp stays where it was: the work
    directory, and the grader's code, Python and fixture cache (course_paths.host_tops)."""
    from grader.sandbox.course_paths import host_tops

    keep = {name: os.open(f"/tmp/{name}", os.O_PATH) for name in sorted(host_tops())
            if os.path.lexists(f"/tmp/{name}") and not os.path.lexists(f"{view}/{name}")}
    keep_work = os.open(work, os.O_PATH | os.O_DIRECTORY)  # reachable once /tmp is covered
    try:
        _mount(libc, view.encode(), b"/tmp", None, MS_BIND)
        for name, fd in keep.items():  # a mount point in the view, then the original on it
            if os.path.isdir(f"/proc/self/fd/{fd}"):
                os.makedirs(f"/tmp/{name}", exist_ok=True)
            else:
                open(f"/tmp/{name}", "a").close()
            _mount(libc, f"/proc/self/fd/{fd}".encode(), f"/tmp/{name}".encode(), None,
                   MS_BIND | MS_REC)
        if work.startswith("/tmp/") and not os.path.isdir(os.path.join(work, "course")):
            os.makedirs(work, exist_ok=True)  # inside the view: its mount point
            _mount(libc, f"/proc/self/fd/{keep_work}".encode(), work.encode(), None,
                   MS_BIND | MS_REC)
    finally:
        for fd in [*keep.values(), keep_work]:
            os.close(fd)


# Beside the grader package in a source checkout: its answers and tests, never the learner's.
CHECKOUT_PRIVATE = ("solutions", "student_template", "tests", "tools", "bench", "examples",
                    "docs", ".git")


def hidden_paths(extra: tuple[str, ...] | list[str] = (), module: str = "") -> list[str]:
    """What a learner's child must not see: the checkout's answers and tests (a `split_data`
    could exec the reference solution), plus `extra` (a batch's results and submissions,
    the clean cache). Passed to the child as GRADER_HIDE. A path holding the folder of
    `module` (the assignment's probes, which the child imports: a registered assignment may
    live anywhere, even under tests/) is left visible."""
    checkout = Path(__file__).resolve().parents[2]
    found = [str(checkout / name) for name in CHECKOUT_PRIVATE
             if (checkout / "pyproject.toml").is_file() and os.path.lexists(checkout / name)]
    found += [os.path.realpath(p) for p in extra if os.path.lexists(p)]
    source = getattr(sys.modules.get(module), "__file__", None)
    needed = os.path.dirname(os.path.realpath(source)) if source else None
    return [p for p in found
            if not needed or not (needed == p or needed.startswith(p.rstrip("/") + "/"))]


def _hide(libc, target: str, keep: list[str]) -> None:
    """Cover `target` with an empty read-only tmpfs (a file: with /dev/null). A folder that
    holds something to keep (the work directory, the assignment's own module) is not
    covered: its other entries are, one by one."""
    try:
        if not os.path.lexists(target) or os.path.islink(target):
            return
        inside = [k for k in keep if k == target or k.startswith(target.rstrip("/") + "/")]
        if inside:
            if target not in inside and os.path.isdir(target):
                for name in os.listdir(target):
                    _hide(libc, os.path.join(target, name), keep)
            return
        if os.path.isdir(target):
            _mount(libc, b"tmpfs", target.encode(), b"tmpfs",
                   MS_NOSUID | MS_NODEV | MS_RDONLY, b"size=4k,mode=555")
        else:
            _mount(libc, b"/dev/null", target.encode(), None, MS_BIND)
    except PermissionError as exc:
        if exc.errno != errno.EACCES:
            raise
        # EACCES: this uid cannot reach it, and neither can the learner's code (the same uid)


def confine(workdir: str) -> None:
    """Only inside the namespaces made by `wrapper()`: never call it in the grader."""
    libc = _libc()
    work = os.path.realpath(workdir)
    _mount(libc, None, b"/", None, MS_REC | MS_PRIVATE)
    _mount(libc, work.encode(), work.encode(), None, MS_BIND | MS_REC)
    _fresh_dev(libc, work)
    view = os.environ.get("GRADER_COURSE_TMP")
    if not view and os.path.isdir("/tmp") and not work.startswith("/tmp/"):
        # A child without a course view (the clean one) still gets a private /tmp, but one
        # that keeps the grader's own code, Python and fixtures where they live under /tmp
        # (a clone or a venv there): an empty view in its work directory.
        view = tempfile.mkdtemp(prefix=".private-tmp-", dir=work)
        os.chmod(view, 0o1777)
    if view:
        _course_tmp(libc, os.path.realpath(view), work)
    private = [t for t in PRIVATE_TMP[:2] if os.path.isdir(t) and not work.startswith(t + "/")
               and not (view and t == "/tmp")]
    for target in private:
        _mount(libc, b"tmpfs", target.encode(), b"tmpfs", MS_NOSUID | MS_NODEV,
               b"size=256m,mode=1777")
    if view:
        private.append("/tmp")
    for hidden in filter(None, os.environ.get("GRADER_HIDE", "").split(os.pathsep)):
        _hide(libc, hidden, [work])
    for special in ("/proc/sys", "/proc/sysrq-trigger"):
        if os.path.exists(special):
            _mount(libc, special.encode(), special.encode(), None, MS_BIND | MS_REC)
    writable = {work, "/dev", "/dev/shm", "/proc", *private}
    writable |= {f"/dev/{d}" for d in DEVICES}
    for point in sorted(set(_mount_points()), key=len):
        if point in writable:
            continue
        try:
            _mount(libc, None, point.encode(), None,
                   MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | _kept_flags(point))
        except OSError:
            pass  # a few pseudo mounts refuse; the ones that hold files do not
    drop_capabilities(libc)


ST_KEPT = {os.ST_NODEV: MS_NODEV, os.ST_NOEXEC: MS_NOEXEC, os.ST_NOATIME: MS_NOATIME,
           os.ST_NODIRATIME: MS_NODIRATIME, os.ST_RELATIME: MS_RELATIME}


def _kept_flags(point: str) -> int:
    """A remount sets every flag anew, and inside a user namespace the flags a mount came
    with are locked: leaving one out (nodev, noexec, relatime) is refused with EPERM, and
    the mount would stay writable. So repeat them."""
    try:
        have = os.statvfs(point).f_flag
    except OSError:
        return 0
    flags = 0
    for st, ms in ST_KEPT.items():
        if have & st:
            flags |= ms
    if not have & (os.ST_NOATIME | os.ST_RELATIME):
        flags |= MS_STRICTATIME
    return flags
