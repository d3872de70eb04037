"""The hostile corpus: submissions that are broken or malicious, each with what the grader
must make of it. Most notebooks here import no TensorFlow, so each grades in about a second;
every one pairs its attack on `create_train_val_dirs` with a correct `split_data`, so the
case also proves the rest of the submission is still graded."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from keras_output import history as fit_history
from keras_output import keras2_fit, stream

GOOD_SPLIT = """
import os, random
from shutil import copyfile
def split_data(SOURCE_DIR, TRAINING_DIR, VALIDATION_DIR, SPLIT_SIZE):
    files = []
    for f in os.listdir(SOURCE_DIR):
        if os.path.getsize(os.path.join(SOURCE_DIR, f)) > 0:
            files.append(f)
        else:
            print(f"{f} is zero length, so ignoring.")
    files = random.sample(files, len(files))
    cut = int(len(files) * SPLIT_SIZE)
    for f in files[:cut]:
        copyfile(os.path.join(SOURCE_DIR, f), os.path.join(TRAINING_DIR, f))
    for f in files[cut:]:
        copyfile(os.path.join(SOURCE_DIR, f), os.path.join(VALIDATION_DIR, f))
"""
GOOD_DIRS = """
    for d in ('training/cats', 'training/dogs', 'validation/cats', 'validation/dogs'):
        os.makedirs(os.path.join(root_path, d))
"""


# In every folder above root_path it can write to (the grading's work directory among them).
PLANT_CONFINEMENT_NAMES = """
    here = os.path.abspath(root_path)
    while here != '/':
        here = os.path.dirname(here)
        try:
            open(os.path.join(here, '.dev'), 'w').close()
            os.symlink('/', os.path.join(here, '.private-tmp'))
            print('planted in', here)
        except OSError:
            pass
"""


@dataclass
class Case:
    name: str
    make: Callable[[Path, dict], tuple[Path, Path | None]]
    parts: dict[str, float] = field(default_factory=dict)  # exact scores expected
    message: str | None = None  # appears in some failing test's message or in the notes
    max_score: float | None = None
    slow: bool = False
    # Contained only by the namespaces: with limits only it is reported as not isolated.
    needs_isolation: bool = False
    options: dict = field(default_factory=dict)  # Options' keywords (the history policy)

    @property
    def in_learner_process(self) -> bool:
        """Whether the attack runs in the learner's process, so that both ways of starting
        it (fresh, forked from a zygote) are tried. An unreadable notebook or a hostile
        history file is read by the grader alone (the history in its own limited child,
        `pipeline/history.py`), the same way whichever starts the learner's children."""
        return not getattr(self.make, "read_by_the_grader_alone", False)


def read_by_the_grader_alone(make):
    make.read_by_the_grader_alone = True
    return make


def notebook(folder: Path, dirs_body: str, *, extra_cells: tuple[str, ...] = (),
             split: str = GOOD_SPLIT, header: str = "import os\n") -> Path:
    nb = nbformat.v4.new_notebook()
    for text in (f"{header}def create_train_val_dirs(root_path):\n{dirs_body}\n", split,
                 *extra_cells):
        cell = nbformat.v4.new_code_cell(text)
        cell.metadata["tags"] = ["graded"]
        nb.cells.append(cell)
    path = folder / "C2W1_Assignment.ipynb"
    nbformat.write(nb, path)
    return path


def with_dirs(body: str, **kwargs):
    return lambda folder, env: (notebook(folder, body, **kwargs), None)


def raw(content: bytes):
    def make(folder: Path, env: dict):
        path = folder / "C2W1_Assignment.ipynb"
        path.write_bytes(content)
        return path, None
    return read_by_the_grader_alone(make)


def history(payload=None, raw_bytes: bytes | None = None):
    def make(folder: Path, env: dict):
        path = notebook(folder, GOOD_DIRS)
        hist = folder / "history.pkl"
        hist.write_bytes(raw_bytes if raw_bytes is not None else pickle.dumps(payload))
        return path, hist
    return read_by_the_grader_alone(make)


def trained(payload: dict, printed: dict):
    """A history beside a notebook whose training cell kept what Keras printed for
    `printed` (tests/keras_output.py)."""
    def make(folder: Path, env: dict):
        path, hist = history(payload)(folder, env)
        nb = nbformat.read(path, as_version=4)
        cell = nbformat.v4.new_code_cell("history = model.fit(train_generator, epochs=15, "
                                         "validation_data=validation_generator)")
        cell.outputs = [nbformat.from_dict(stream(keras2_fit(printed)))]
        nb.cells.append(cell)
        nbformat.write(nb, path)
        return path, hist
    return read_by_the_grader_alone(make)


# The simplest cheat of all (issue 30, item 12), and a real run's history.
HANDWRITTEN = {"accuracy": [0.7, 0.9, 0.97], "val_accuracy": [0.7, 0.85, 0.9]}
REAL_RUN = fit_history(15, seed=30)


def fifty_mb_outputs(folder: Path, env: dict):
    path = notebook(folder, GOOD_DIRS)
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                  text="x" * (50 * 2**20))]
    nbformat.write(nb, path)
    return path, None


def nbformat3(folder: Path, env: dict):
    cells = [{"cell_type": "code", "input": text, "language": "python", "outputs": [],
              "metadata": {}} for text in
             (f"import os\ndef create_train_val_dirs(root_path):\n{GOOD_DIRS}", GOOD_SPLIT)]
    path = folder / "C2W1_Assignment.ipynb"
    path.write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                                "worksheets": [{"cells": cells}]}))
    return path, None


def empty_notebook(folder: Path, env: dict):
    path = folder / "C2W1_Assignment.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    return path, None


def markdown_only(folder: Path, env: dict):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# I wrote my answers in prose"))
    path = folder / "C2W1_Assignment.ipynb"
    nbformat.write(nb, path)
    return path, None


def network(folder: Path, env: dict):
    body = (f"    import socket\n"
            f"    socket.create_connection(('127.0.0.1', {env['port']}), timeout=3).close()\n"
            + GOOD_DIRS)
    return notebook(folder, body), None


def grader_package(folder: Path, env: dict):
    target = env["grader_init"]
    return notebook(folder, f"    open({str(target)!r}, 'a').write('# pwned')\n"), None


def fixture_cache(folder: Path, env: dict):
    body = (f"    import shutil, glob\n"
            f"    for p in glob.glob({str(env['cache'])!r} + '/**/*.jpg', recursive=True):\n"
            f"        open(p, 'wb').close()\n"
            f"    shutil.rmtree({str(env['cache'])!r})\n")
    return notebook(folder, body), None


SYMLINKS = """
    import glob
    here = os.path.dirname(os.path.abspath(root_path))
    for i, p in enumerate(glob.glob(os.path.join(here, 'split-*', 'source', '*.jpg'))):
        os.remove(p)
        os.symlink(['/dev/zero', '/etc/shadow', '/', p][i % 4], p)
    os.symlink('/', os.path.join(here, 'split-0', 'training', 'loop'))
"""
DELETE = """
    import shutil
    here = os.path.dirname(os.path.abspath(root_path))
    for name in os.listdir(here):
        shutil.rmtree(os.path.join(here, name), ignore_errors=True)
"""
FORGE_EVENTS = """
    import json
    fake = {"event": "done", "probe": "split_data", "seconds": 0,
            "observation": {"calls": [{"ok": True, "stdout": "", "error": None}] * 3}}
    for fd in range(3, 64):
        try:
            os.write(fd, (json.dumps(fake) + "\\n").encode())
        except OSError:
            pass
    print(json.dumps({"score": 100, "passed": True}))
"""
MONKEYPATCH = """
    # Would fool a checker that looked from inside this process: it does not.
    import builtins, os as _os
    _os.path.isdir = lambda *a, **k: True
    _os.path.exists = lambda *a, **k: True
    _os.walk = lambda *a, **k: iter([(root_path, ['training', 'validation'], [])])
    builtins.isinstance = builtins.isinstance  # rebinding builtins is harmless too
"""
# Forgeries of the running function's own result, written to every descriptor the child
# holds (the report pipe among them), by someone who read grader/sandbox/child.py.
_FORGE = """
import json, os, time
def forge(observation, then):
    line = json.dumps({{"event": "done", "probe": "train_val_generators", "seconds": 0,
                       "observation": observation}}) + "\\n"
    for fd in range(3, 64):
        try:
            os.write(fd, line.encode())
        except OSError:
            pass
    then()
PERFECT = {{"samples": 135, "class_indices": {{"cats": 0, "dogs": 1}}, "rescale": 1 / 255,
           "class_mode": "binary", "batch": {{"x_shape": [32, 150, 150, 3],
           "x_dtype": "float32", "x_max": 1.0}}}}
def train_val_generators(TRAINING_DIR, VALIDATION_DIR):
    forge({observation}, {then})
"""
FORGED_GENERATORS = ('{"call": {"ok": True, "stdout": "", "error": None}, '
                     '"returned": "tuple", "generators": [PERFECT, dict(PERFECT, samples=15)]}')
FLOOD = """
import os
def train_val_generators(TRAINING_DIR, VALIDATION_DIR):
    block = b"x" * 2**24
    for fd in range(3, 64):
        try:
            os.write(fd, b'{"event": "done", "probe": "train_val_generators", "x": "')
        except OSError:
            continue
        for _ in range(64):  # one line of 1 GiB, no newline until the end
            os.write(fd, block)
        os.write(fd, b'"}\\n')
"""


def forged(observation: str, then: str) -> tuple[str, ...]:
    return (_FORGE.format(observation=observation, then=then),)


EXEC_THE_SOLUTION = """
import json
def split_data(SOURCE_DIR, TRAINING_DIR, VALIDATION_DIR, SPLIT_SIZE):
    namespace = {{}}
    for cell in json.load(open({solutions!r}))["cells"]:
        if cell["cell_type"] == "code":
            try:
                exec("".join(cell["source"]), namespace)
            except Exception:
                pass
    namespace["split_data"](SOURCE_DIR, TRAINING_DIR, VALIDATION_DIR, SPLIT_SIZE)
"""


def reads_the_solution(folder: Path, env: dict):
    return notebook(folder, GOOD_DIRS,
                    split=EXEC_THE_SOLUTION.format(solutions=str(env["solutions"]))), None


BLANK_SPLIT = "def split_data(SOURCE_DIR, TRAINING_DIR, VALIDATION_DIR, SPLIT_SIZE):\n    pass\n"
# Widens its own process's report (the grader's summary of each call) with fields no probe
# declares: dropped where the report leaves the child (grader/model/observed.py), so the
# submission is graded on what it did, and the record says what was dropped.
WIDENS_ITS_REPORT = """
    from grader.sandbox import probe_tools
    plain = probe_tools.Call.summary
    probe_tools.Call.summary = lambda self: {**plain(self), "passed": True, "points": 100}
""" + GOOD_DIRS

CASES = [
    Case("malformed_json", raw(b'{"cells": [ {"cell_type": '), max_score=0,
         message="not valid JSON"),
    Case("binary_garbage", raw(bytes(range(256)) * 64), max_score=0, message="not UTF-8"),
    Case("non_utf8", raw('{"nbformat": 4, "cells": ["caf\xe9"]}'.encode("latin-1")),
         max_score=0, message="not UTF-8"),
    Case("json_not_a_notebook", raw(b'{"hello": "world"}'), max_score=0,
         message="not a Jupyter notebook"),
    Case("nbformat3", nbformat3, parts={"create_train_val_dirs": 10, "split_data": 30}),
    Case("empty_notebook", empty_notebook, max_score=0, message="no definition"),
    Case("no_graded_cells", markdown_only, max_score=0, message="no definition"),
    Case("fifty_mb_of_outputs", fifty_mb_outputs,
         parts={"create_train_val_dirs": 10, "split_data": 30}),
    Case("syntax_error_in_graded_cell", with_dirs("    return (\n"),
         parts={"create_train_val_dirs": 0, "split_data": 30}, message="syntax error"),
    Case("import_of_missing_module", with_dirs(GOOD_DIRS, header="import os\n"
                                               "import no_such_module_anywhere\n"),
         parts={"create_train_val_dirs": 10, "split_data": 30}, message="no_such_module"),
    Case("sys_exit_at_import", with_dirs(GOOD_DIRS, extra_cells=(
        "import sys\nclass Quitter:\n    sys.exit(0)\n",)),
         parts={"create_train_val_dirs": 10, "split_data": 30}, message="Quitter"),
    Case("sys_exit_in_function", with_dirs("    import sys; sys.exit(0)\n"),
         parts={"create_train_val_dirs": 0, "split_data": 30}, message="SystemExit"),
    Case("os_exit", with_dirs("    os._exit(0)\n"),
         parts={"create_train_val_dirs": 0, "split_data": 30}, message="exited with status 0"),
    Case("segfault_via_ctypes", with_dirs("    import ctypes; ctypes.string_at(0)\n"),
         parts={"create_train_val_dirs": 0, "split_data": 30}, message="SIGSEGV"),
    Case("infinite_loop", with_dirs("    while True:\n        pass\n"),
         parts={"create_train_val_dirs": 0, "split_data": 30}, message="did not finish"),
    Case("long_sleep", with_dirs("    import time; time.sleep(10**6)\n"),
         parts={"create_train_val_dirs": 0, "split_data": 30}, message="did not finish"),
    Case("memory_bomb", with_dirs("    x = []\n    while True:\n        x.append(' ' * 2**28)\n"),
         parts={"create_train_val_dirs": 0, "split_data": 30},
         message="MemoryError|did not finish|SIGKILL"),
    Case("fork_bomb", with_dirs("    while True:\n        os.fork()\n"),
         parts={"create_train_val_dirs": 0, "split_data": 30}),
    Case("recursion_bomb", with_dirs("    return create_train_val_dirs(root_path)\n"),
         parts={"create_train_val_dirs": 0, "split_data": 30}, message="RecursionError"),
    Case("billion_printed_lines", with_dirs("    for i in range(10**9):\n        print(i)\n"),
         parts={"create_train_val_dirs": 0, "split_data": 30}, message="did not finish"),
    Case("deletes_the_work_tree", with_dirs(DELETE),
         parts={"create_train_val_dirs": 0, "split_data": 0}),
    Case("symlinks_fixture_files", with_dirs(SYMLINKS),
         parts={"create_train_val_dirs": 0}),
    Case("attacks_the_fixture_cache", fixture_cache,
         parts={"create_train_val_dirs": 0, "split_data": 30}, needs_isolation=True),
    # Refused by the read-only mount, or first by plain permissions where an unprivileged
    # grader's user namespace maps the package's owner to nobody.
    Case("writes_into_the_grader_package", grader_package,
         parts={"create_train_val_dirs": 0, "split_data": 30},
         message="Read-only|Permission denied", needs_isolation=True),
    Case("connects_to_localhost", network,
         parts={"create_train_val_dirs": 0, "split_data": 30}, message="unreachable",
         needs_isolation=True),
    # Names the confinement stages in the shared work directory: a `.dev` file and a
    # `.private-tmp` link to / there must not stop later children confining themselves.
    Case("plants_confinement_names_in_the_work_folder", with_dirs(
        GOOD_DIRS + PLANT_CONFINEMENT_NAMES),
         parts={"create_train_val_dirs": 10, "split_data": 30}, needs_isolation=True),
    Case("widens_its_own_report_with_undeclared_fields", with_dirs(WIDENS_ITS_REPORT),
         parts={"create_train_val_dirs": 10, "split_data": 30}),
    Case("forges_report_events_and_prints_fake_json", with_dirs(FORGE_EVENTS,
                                                                 split=BLANK_SPLIT),
         parts={"create_train_val_dirs": 0, "split_data": 0}),
    # Its own "done" for the running function, then exits: what it wrote is not a clean
    # measurement, so nothing of it is judged (no generators were ever rebuilt).
    Case("forges_its_running_result_then_exits", with_dirs(GOOD_DIRS, extra_cells=forged(
        FORGED_GENERATORS, "lambda: os._exit(0)")),
         parts={"create_train_val_dirs": 10, "split_data": 30, "train_val_generators": 0}),
    # ... then returns normally: two results for one function, neither trusted.
    Case("forges_its_running_result_then_returns", with_dirs(GOOD_DIRS, extra_cells=forged(
        FORGED_GENERATORS, "lambda: None")),
         parts={"create_train_val_dirs": 10, "split_data": 30, "train_val_generators": 0},
         message="more than one result"),
    # ... then sleeps past its limit: the parent's clock, not the message, ends the run.
    Case("forges_its_result_then_sleeps", with_dirs(GOOD_DIRS, extra_cells=forged(
        FORGED_GENERATORS, "lambda: time.sleep(10**6)")),
         parts={"create_train_val_dirs": 10, "split_data": 30, "train_val_generators": 0},
         message="did not finish within 10 s"),
    # An empty observation: graded, with a message, never a traceback.
    Case("forges_an_empty_result", with_dirs(GOOD_DIRS, extra_cells=forged(
        "{}", "lambda: os._exit(0)")),
         parts={"create_train_val_dirs": 10, "split_data": 30, "train_val_generators": 0},
         message="incomplete or malformed"),
    # A 1 GiB line on the report pipe: the parent drops it as it reads, holding none of it.
    Case("floods_the_report_pipe", with_dirs(GOOD_DIRS, extra_cells=(FLOOD,)),
         parts={"create_train_val_dirs": 10, "split_data": 30, "train_val_generators": 0},
         slow=True),
    # The grader's own reference notebook, read from its install and exec'd: not visible.
    Case("execs_the_grader_s_reference_solution", reads_the_solution,
         parts={"create_train_val_dirs": 10, "split_data": 0},
         message="No such file|Permission denied", needs_isolation=True),
    Case("monkeypatches_os_and_builtins", with_dirs(MONKEYPATCH),
         parts={"create_train_val_dirs": 0, "split_data": 30}),
    Case("history_nan", history({"accuracy": [float("nan")] * 15,
                                 "val_accuracy": [0.9] * 15}),
         parts={"history": 5}, message="finite"),
    Case("history_inf", history({"accuracy": [float("inf")] * 15,
                                 "val_accuracy": [0.9] * 15}),
         parts={"history": 5}, message="finite"),
    Case("history_negative", history({"accuracy": [-0.5] * 15, "val_accuracy": [0.9] * 15}),
         parts={"history": 5}, message="between 0 and 1"),
    Case("history_strings", history({"accuracy": ["0.99"] * 15,
                                     "val_accuracy": ["0.9"] * 15}),
         parts={"history": 2}, message="lists of numbers"),
    # ('acc'/'val_acc' is Keras 2's own name for accuracy and counts: see tests/test_history.py)
    Case("history_wrong_keys", history({"acuracy": [0.99] * 15, "val_acuracy": [0.9] * 15}),
         parts={"history": 2}, message="acuracy, val_acuracy"),
    Case("history_million_epochs", history({"accuracy": [0.99] * 10**6,
                                            "val_accuracy": [0.9] * 10**6}),
         parts={"history": 0}, message="over 16 MB"),
    Case("history_deep_nesting", history(raw_bytes=b"(" * 50_000 + b"l" * 50_000 + b"."),
         parts={"history": 0}),
    Case("history_not_a_pickle", history(raw_bytes=b"PK\x03\x04 zip, not pickle"),
         parts={"history": 0}, message="not a readable pickle"),
    # A hand-written history beside a notebook without saved outputs cannot be told from a
    # real one: flagged, not zeroed, by default (most unconfirmed histories are innocent) ...
    Case("history_written_by_hand", history(HANDWRITTEN),
         parts={"create_train_val_dirs": 10, "split_data": 30, "history": 20},
         message="History unverifiable"),
    # ... and worth nothing when the instructor requires the notebook's output to confirm it.
    Case("history_written_by_hand_under_require_corroborated", history(HANDWRITTEN),
         parts={"split_data": 30, "history": 0}, message="confirms it",
         options={"history_policy": "require-corroborated"}),
    # Beside the notebook's own training output it is contradicted: 0 when that is refused.
    Case("history_contradicted_by_the_notebooks_output", trained(HANDWRITTEN, REAL_RUN),
         parts={"split_data": 30, "history": 0},
         message="History contradicted: the training output saved in cell 3 shows 15 epochs",
         options={"history_policy": "reject-contradicted"}),
    # The honest learner beside them passes the strictest policy.
    Case("history_corroborated_by_the_notebooks_output", trained(REAL_RUN, REAL_RUN),
         parts={"split_data": 30, "history": 20},
         options={"history_policy": "require-corroborated"}),
]
