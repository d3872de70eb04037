"""A submission that crashes, exits, floods output or eats memory loses only the check it
breaks, whether its child starts afresh or is forked from a batch worker's zygote. These
notebooks import no TensorFlow, so each fresh child starts in a fraction of a second."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time

import nbformat
import pytest
from conftest import ROOT, parts
from hostile.corpus import GOOD_DIRS, GOOD_SPLIT, notebook

from grader.assignments import get_spec
from grader.model.protocol import Limits
from grader.pipeline.grade import Options, grade
from grader.sandbox import confine

SPEC = get_spec("C2W1")



@pytest.fixture(params=["fresh", "zygote"])
def forks(request):
    return request.getfixturevalue("zygote") if request.param == "zygote" else None


def run(tmp_path, dirs_body: str, timeout: float = 5, zygote=None, **limits):
    nb = nbformat.v4.new_notebook()
    source = f"import os\ndef create_train_val_dirs(root_path):\n{dirs_body}\n"
    for text in (source, GOOD_SPLIT):
        cell = nbformat.v4.new_code_cell(text)
        cell.metadata["tags"] = ["graded"]
        nb.cells.append(cell)
    path = tmp_path / "C2W1_Assignment.ipynb"
    nbformat.write(nb, path)
    started = time.monotonic()
    result = grade(SPEC, path, None, Options(limits=Limits(**limits), zygote=zygote,
                                             fork_children=zygote is not None,
                                             probe_timeouts=(("create_train_val_dirs", timeout),)))
    by_part = parts(result)
    assert by_part["split_data"]["score"] == 30, by_part["split_data"]
    return by_part["create_train_val_dirs"], time.monotonic() - started


@pytest.mark.parametrize("body,expected", [
    ("    os._exit(3)", "exited with status 3"),
    ("    import ctypes; ctypes.string_at(0)", "SIGSEGV"),
    ("    import sys; sys.exit(0)", "SystemExit"),
    ("    import time; time.sleep(600)", "did not finish within 5 s"),
    ("    while True: pass", "did not finish within 5 s"),
    ("    x = bytearray(8 * 2**30)", "MemoryError"),
    ("    return create_train_val_dirs(root_path)", "RecursionError"),
])
def test_breakage_fails_only_its_part(tmp_path, body, expected, forks):
    part, elapsed = run(tmp_path, body, zygote=forks)
    assert part["score"] == 0
    assert expected in part["tests"][0]["message"], part
    assert elapsed < 60


def test_output_flood_is_capped_and_the_check_still_runs(tmp_path, forks):
    body = ("    for _ in range(100_000): print('spam' * 10)\n"
            "    for _ in range(200): os.write(1, b'x' * 2**20)\n"
            "    for d in ('training/cats', 'training/dogs', 'validation/cats',"
            " 'validation/dogs'):\n        os.makedirs(os.path.join(root_path, d))")
    part, _ = run(tmp_path, body, output_bytes=64 * 1024, zygote=forks)
    assert part["score"] == 10, part


def test_cpu_time_limit_is_a_failed_check(tmp_path, forks):
    part, _ = run(tmp_path, "    while True: pass", timeout=60, cpu_seconds=2, zygote=forks)
    assert "used up its 2 s of CPU time" in part["tests"][0]["message"], part


def test_file_size_limit_is_a_failed_check(tmp_path, forks):
    body = ("    with open(os.path.join(root_path + '-big'), 'wb') as f:\n"
            "        f.write(b'x' * (8 * 2**20))")
    part, _ = run(tmp_path, body, file_size_bytes=2**20, zygote=forks)
    message = part["tests"][0]["message"]
    assert "File too large" in message, part


CONFINED = """\
    import socket
    try:
        open('/etc/grader-probe', 'w')
        fs = 'writable'
    except OSError:
        fs = 'read-only'
    try:
        socket.create_connection(('127.0.0.1', 9), timeout=1)
        net = 'reached'
    except OSError as exc:
        net = 'unreachable' if 'unreachable' in str(exc).lower() else 'refused'
    raise RuntimeError(f'pid={os.getpid()} fs={fs} net={net}')"""


@pytest.mark.skipif(not confine.describe().namespaces,
                    reason=f"NOT ISOLATED (sandbox: {confine.level()})")
@pytest.mark.parametrize("sandbox", ["1", "user"])
def test_child_is_confined(tmp_path, forks, sandbox, monkeypatch):
    """PID 1 of its own namespace, a read-only root and no network (not even loopback's
    listeners: the new network namespace's loopback is down); as root directly or, with
    GRADER_SANDBOX=user, through the unprivileged path (a user namespace) a non-root
    grader takes by itself."""
    monkeypatch.setenv("GRADER_SANDBOX", sandbox)
    if not confine.wrapper():
        pytest.skip(f"NOT ISOLATED: this kernel refuses {sandbox!r} namespaces")
    part, _ = run(tmp_path, CONFINED, zygote=forks)
    message = part["tests"][0]["message"]
    assert "pid=1 fs=read-only net=unreachable" in message, message


def test_sandbox_level_is_named(monkeypatch):
    monkeypatch.setenv("GRADER_SANDBOX", "0")
    assert confine.level() == "limits only" and not confine.wrapper()
    assert "sandbox: limits only" in confine.describe().lines()
    monkeypatch.setenv("GRADER_SANDBOX", "user")
    assert confine.level() in ("user namespaces", "limits only")
    if os.geteuid() != 0:
        monkeypatch.setenv("GRADER_SANDBOX", "1")
        assert confine.level() != "namespaces as root"


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("capsh"),
                    reason="needs root and capsh to take CAP_SYS_ADMIN away")
def test_root_without_namespaces_grades_with_limits_and_says_so(tmp_path):
    """As in a Docker container without CAP_SYS_ADMIN: namespaces are refused, so learner
    code runs with limits only, and the grader says so instead of failing every check."""
    built = notebook(tmp_path, GOOD_DIRS)
    command = (f"{shlex.quote(sys.executable)} -m grader grade {shlex.quote(str(built))} "
               "--assignment C2W1 --format json")
    proc = subprocess.run(["capsh", "--drop=cap_sys_admin", "--", "-c", command],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert "refuses new namespaces" in proc.stderr and "CAP_SYS_ADMIN" in proc.stderr
    scores = {p["name"]: p["score"] for p in json.loads(proc.stdout)["parts"]}
    assert scores["create_train_val_dirs"] == 10 and scores["split_data"] == 30, proc.stdout
