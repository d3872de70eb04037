"""Every case of the hostile corpus: a score and a clear message, no crash of the grader,
the grader's own files and the fixture cache untouched, and a bounded wall time."""

from __future__ import annotations

import hashlib
import pickle
import socket
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, parts
from hostile.corpus import CASES

from grader.assignments import get_spec
from grader.assignments.common import fixtures
from grader.model.protocol import Limits
from grader.pipeline.grade import Options, grade
from grader.sandbox import confine

SPEC = get_spec("C2W1")
TIMEOUT = 60
TIMEOUTS = (("create_train_val_dirs", 5), ("split_data", 20))
ISOLATED = confine.describe().namespaces


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in fixtures.walk_files(folder):
        if "__pycache__" not in path.parts:
            h.update(str(path).encode() + path.read_bytes())
    return h.hexdigest()


class _Marker:
    def __reduce__(self):
        return (open, (str(ROOT / "pwned-by-pickle"), "w"))


@pytest.fixture()
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    accepted = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                accepted.append(server.accept())
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    server.close()


@pytest.mark.parametrize("via", ["fresh", "zygote"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(case, via, tmp_path, listener, request):
    if case.needs_isolation and not ISOLATED:
        pytest.skip(f"NOT ISOLATED (sandbox: {confine.level()}): {case.name} is not contained "
                    "without namespaces")
    port, accepted = listener
    pets = fixtures.petimages()
    cache = pets.raw.parent.parent
    env = {"port": port, "grader_init": ROOT / "grader" / "__init__.py", "cache": cache}
    before = digest(ROOT / "grader"), digest(cache)
    notebook, history = case.make(tmp_path, env)
    started = time.monotonic()
    forks = request.getfixturevalue("zygote") if via == "zygote" else None
    result = grade(SPEC, notebook, history,
                   Options(limits=Limits(submission_timeout_s=TIMEOUT), probe_timeouts=TIMEOUTS,
                           zygote=forks, fork_children=via == "zygote"))
    elapsed = time.monotonic() - started
    data = result.to_dict()
    by_part = parts(result)
    for name, score in case.parts.items():
        assert by_part[name]["score"] == score, (name, by_part[name])
    if case.max_score is not None:
        assert result.score <= case.max_score
    messages = [t["message"] for p in data["parts"] for t in p["tests"] if not t["passed"]]
    messages += data["notes"] + [n for p in data["parts"] for n in p["notes"]]
    if case.message:
        wanted = case.message.split("|")
        assert any(w in m for m in messages for w in wanted), messages
    assert all(t["message"] for p in data["parts"] for t in p["tests"])
    assert data["environment"]["sandbox"] == confine.level()
    assert elapsed < TIMEOUT + 20, elapsed
    assert (digest(ROOT / "grader"), digest(cache)) == before, "grader or cache modified"
    assert not accepted, "learner code reached a socket on the grader's machine"
    assert not (ROOT / "pwned-by-pickle").exists()


def test_malicious_reduce_in_history(tmp_path):
    from grader.pipeline.history import load_history

    path = tmp_path / "history.pkl"
    path.write_bytes(pickle.dumps({"accuracy": [_Marker()]}))
    data, error = load_history(path)
    assert data is None and "not plain data" in error
    assert not (ROOT / "pwned-by-pickle").exists()


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
