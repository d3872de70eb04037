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
TIMEOUTS = (("create_train_val_dirs", 5), ("split_data", 20), ("train_val_generators", 10))
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


# Both ways of starting the learner's children for an attack made in the learner's process;
# one for a file only the grader reads (Case.in_learner_process).
RUNS = [(case, via) for case in CASES
        for via in (("fresh", "zygote") if case.in_learner_process else ("zygote",))]


@pytest.mark.parametrize(("case", "via"), RUNS, ids=[f"{c.name}-{via}" for c, via in RUNS])
def test_hostile_case(case, via, tmp_path, listener, request):
    if case.needs_isolation and not ISOLATED:
        pytest.skip(f"NOT ISOLATED (sandbox: {confine.level()}): {case.name} is not contained "
                    "without namespaces")
    port, accepted = listener
    pets = fixtures.petimages()
    cache = pets.raw.parent.parent
    env = {"port": port, "grader_init": ROOT / "grader" / "__init__.py", "cache": cache,
           "solutions": ROOT / "solutions" / "C2W1_Assignment.ipynb"}
    before = digest(ROOT / "grader"), digest(cache)
    notebook, history = case.make(tmp_path, env)
    started = time.monotonic()
    forks = request.getfixturevalue("zygote") if via == "zygote" else None
    result = grade(SPEC, notebook, history,
                   Options(limits=Limits(submission_timeout_s=TIMEOUT), probe_timeouts=TIMEOUTS,
                           zygote=forks, fork_children=via == "zygote", **case.options))
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


TAMPER = """  import glob, json, os as _os
  work = _os.environ['HOME']  # the work folder
  for path in glob.glob(_os.path.join(work, 'data/validation/dogs/*')):
      _os.remove(path)
  _os.chmod(_os.path.join(work, 'data/training/dogs'), 0)
  _os.makedirs(_os.path.expanduser('~/.keras'), exist_ok=True)
  with open(_os.path.expanduser('~/.keras/keras.json'), 'w') as f:
      json.dump({'image_data_format': 'channels_first', 'floatx': 'float16'}, f)
"""
ALWAYS_CAT = """
  model = tf.keras.models.Sequential([
      tf.keras.layers.Conv2D(4, (3, 3), activation='relu', input_shape=(150, 150, 3)),
      tf.keras.layers.Conv2D(4, (3, 3), activation='relu'),
      tf.keras.layers.Conv2D(4, (3, 3), activation='relu'),
      tf.keras.layers.GlobalAveragePooling2D(),
      tf.keras.layers.Dense(1, activation='sigmoid', kernel_initializer='zeros',
                            bias_initializer=tf.keras.initializers.Constant(-5.0)),
  ])
  model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.0),
                loss='binary_crossentropy', metrics=['accuracy'])
  return model
"""


def test_the_clean_measurement_reads_only_the_grader_s_copy(tmp_path, zygote):
    """Issue 30, items 2 and 4. A create_model that empties validation/dogs, makes
    training/dogs unreadable and writes ~/.keras/keras.json in its work folder: its
    always-"cat" model (learning rate 0) does not "learn" (on the tampered folder it scored
    100%), and in a shared clean cache the untouched reference solution graded next gets
    exactly its solo score, its brief training served from what the tamperer's identical
    model stored. The three fork from one zygote, as a batch worker's submissions do."""
    import nbformat
    from conftest import edit, edited, failing, load_solution

    cell = "c2w1-create-model"
    always_cat = edit(load_solution("C2W1"), cell, "  ### START CODE HERE\n",
                      "  ### START CODE HERE\n" + TAMPER + ALWAYS_CAT)
    same_model = edited("C2W1", [(cell, "  ### START CODE HERE\n",
                                  "  ### START CODE HERE\n" + TAMPER)])
    cache = tmp_path / "clean-cache"
    results = {}
    for name, nb in (("always_cat", always_cat), ("same_model", same_model),
                     ("reference", load_solution("C2W1"))):
        folder = tmp_path / name
        folder.mkdir()
        nbformat.write(nb, folder / "C2W1_Assignment.ipynb")
        results[name] = grade(SPEC, folder / "C2W1_Assignment.ipynb",
                              ROOT / "solutions" / "history.pkl",
                              Options(clean_cache=cache if name != "always_cat" else None,
                                      zygote=zygote))
    assert "learns to tell the fixture's cats from dogs" in failing(
        results["always_cat"])["create_model"]
    assert parts(results["same_model"])["create_model"]["score"] == 20
    assert results["reference"].score == 100, failing(results["reference"])
    assert results["reference"].clean_cache["hits"] >= 1
