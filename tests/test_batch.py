"""`grader batch`: layouts, resume and --regrade, Ctrl-C, isolation of hostile and crashing
submissions, gradebook.csv, report.html (checked in headless Chromium) and similarity.

Every notebook here is TF-free (the hostile corpus's C2W1 builder: create_train_val_dirs and
split_data only), so each grades in a second or two."""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import pickle
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from browser import chromium, dom_of, headless
from conftest import ROOT
from hostile.corpus import GOOD_DIRS, GOOD_SPLIT, notebook

from grader.api import zero_result
from grader.assignments import get_spec
from grader.batch import journal, similarity
from grader.batch.files import leftover_temporaries
from grader.batch.journal import Journal, Record
from grader.batch.layout import Entry, LayoutError, discover, safe_id
from grader.batch.report import _SORT_SCRIPT, write_report
from grader.batch.rows import CRASHED, GRADED, MISSING, LearnerRow
from grader.batch.run import BatchOptions, run_batch
from grader.model.files import atomic_write

SPEC = get_spec("C2W1")
GOOD_HISTORY = {"accuracy": [0.6, 0.9, 0.97], "val_accuracy": [0.55, 0.8, 0.86]}
# GOOD_SPLIT under other names, comments, a docstring and other spacing: still a copy.
RENAMED_SPLIT = '''
import os, random
from shutil import copyfile
def split_data(src, train_dir, val_dir, size):
    """My own split."""
    names = []   # the non-empty files
    for n in os.listdir(src):
        if os.path.getsize(os.path.join(src, n)) > 0:
            names.append(n)
        else:
            print(f"{n} is zero length, so ignoring.")
    names = random.sample(names, len(names))
    k = int(len(names) * size)
    for n in names[:k]:
        copyfile(os.path.join(src, n), os.path.join(train_dir, n))
    for n in names[k:]:
        copyfile(os.path.join(src, n), os.path.join(val_dir, n))
'''
OTHER_SPLIT = GOOD_SPLIT.replace("random.sample(files, len(files))", "sorted(files)")
FILES = ("result.json", "feedback.txt", "feedback.html", "results.json", "junit.xml")


def submit(folder: Path, name: str, *, flat: bool = True, dirs: str = GOOD_DIRS,
           split: str = GOOD_SPLIT, history: dict | None = None) -> Path:
    """A learner's notebook (and history) in the flat or the one-folder-per-learner layout."""
    scratch = folder.parent / f".build-{name}"
    scratch.mkdir(parents=True, exist_ok=True)
    built = notebook(scratch, dirs, split=split)
    target = folder / f"{name}.ipynb" if flat else folder / name / "C2W1_Assignment.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(built, target)
    if history is not None:
        pkl = folder / f"{name}_history.pkl" if flat else target.parent / "history.pkl"
        pkl.write_bytes(pickle.dumps(history))
    return target


def quiet(**kwargs) -> dict:
    return {"stream": io.StringIO(), **kwargs}


def test_layouts_one_folder_per_learner_and_flat(tmp_path):
    folders = tmp_path / "folders"
    submit(folders, "alice", flat=False, history=GOOD_HISTORY)
    bob = submit(folders, "bob smith", flat=False)
    (bob.parent / "nested").mkdir()
    (bob.parent / "nested" / "history.pkl").write_bytes(pickle.dumps(GOOD_HISTORY))
    (folders / "-eve$").mkdir()  # no notebook: graded 0 as missing
    submit(folders, "report.html", flat=False)  # a name the batch writes itself
    carol = submit(folders, "carol", flat=False)
    (carol.parent / ".ipynb_checkpoints").mkdir()
    (carol.parent / ".ipynb_checkpoints" / "history.pkl").write_bytes(b"x")  # not hers
    (folders / ".hidden").mkdir()
    (folders / "results").mkdir()  # the --out folder, inside the submissions folder
    layout, entries = discover(folders, SPEC, exclude=folders / "results")
    assert layout == "folders"
    found = {e.learner: e for e in entries}
    assert sorted(found) == ["alice", "bob_smith", "carol", "eve", "report.html-2"]
    assert found["carol"].history is None
    assert found["alice"].history.name == "history.pkl"
    assert found["bob_smith"].history.parent.name == "nested"
    assert found["bob_smith"].source == "bob smith/"
    assert found["eve"].notebook is None

    flat = tmp_path / "flat"
    submit(flat, "alice", history=GOOD_HISTORY)
    submit(flat, "bob")
    (flat / "bob-history.pkl").write_bytes(b"x")
    submit(flat, "carol")
    submit(flat, "dave", history=GOOD_HISTORY)
    (flat / "dave_history_augmented.pkl").write_bytes(b"x")
    layout, entries = discover(flat, SPEC)
    assert layout == "flat"
    history = {e.learner: e.history and e.history.name for e in entries}
    assert history == {"alice": "alice_history.pkl", "bob": "bob-history.pkl",
                       "carol": None, "dave": "dave_history.pkl"}
    _, entries = discover(flat, get_spec("C2W2"))
    assert {e.learner: e.history for e in entries}["dave"].name == "dave_history_augmented.pkl"

    submit(flat, "zed", flat=False)  # both layouts at once
    with pytest.raises(LayoutError, match="mixes both layouts"):
        discover(flat, SPEC)
    (tmp_path / "empty").mkdir()
    with pytest.raises(LayoutError, match="no submissions"):
        discover(tmp_path / "empty", SPEC)
    assert safe_id("../../etc/passwd") == "etc_passwd"
    assert safe_id("=HYPERLINK(x)") == "HYPERLINK_x"
    assert safe_id("Zoë O'Neil") == "Zo_O_Neil"


def test_batch_grades_then_resumes_and_regrades(tmp_path, monkeypatch):
    subs, out = tmp_path / "subs", tmp_path / "out"
    submit(subs, "alice", history=GOOD_HISTORY)
    submit(subs, "bob", split=RENAMED_SPLIT, dirs="    pass\n")
    summary = run_batch(subs, out, BatchOptions("C2W1", workers=2), **quiet())
    assert (summary.graded, summary.skipped, summary.crashed) == (2, 0, 0)
    scores = {r.learner: r.result.score for r in summary.rows}
    assert scores == {"alice": 60, "bob": 30}
    for learner in scores:
        for name in FILES:
            assert (out / learner / name).stat().st_size > 0
    result = json.loads((out / "alice" / "result.json").read_text())
    assert result["score"] == 60 and [p["name"] for p in result["parts"]][-1] == "history"
    # The worker read the history once; the report draws these instead of reading it again.
    assert set(result["curves"]) == {"accuracy", "val_accuracy", "targets"}
    assert result["curves"]["targets"] == [0.95, 0.80]  # the history rule's, drawn as lines
    assert json.loads((out / "bob" / "result.json").read_text())["curves"] is None
    assert "Score: 60/100" in (out / "alice" / "feedback.txt").read_text()
    page = (out / "alice" / "feedback.html").read_text()  # her notebook, with the feedback
    assert "Score 60/100" in page and 'data-part="split_data"' in page and "cell 1" in page
    assert json.loads((out / "alice" / "results.json").read_text())["score"] == 60
    assert "<testsuites" in (out / "alice" / "junit.xml").read_text()

    book = pd.read_csv(out / "gradebook.csv")
    written = (out / "gradebook.csv").read_text()  # issue 31, item 9: 6, never 6.0
    assert ".0," not in written and ".0\n" not in written, written
    assert list(book.columns) == ["learner", "create_train_val_dirs", "split_data",
                                  "train_val_generators", "create_model", "history", "total",
                                  "max_score", "passed", "status", "source", "reason",
                                  "history_evidence"]
    assert book.set_index("learner")["total"].to_dict() == scores
    assert set(book["status"]) == {GRADED} and not book["passed"].any()
    pairs = list(csv.DictReader((out / "similarity.csv").open()))
    assert [(p["function"], p["learner_a"], p["learner_b"]) for p in pairs] == [
        ("split_data", "alice", "bob")]  # bob's empty create_train_val_dirs is not compared
    assert "Similar submissions" in (out / "report.html").read_text()

    again = run_batch(subs, out, BatchOptions("C2W1", workers=2), **quiet())
    assert (again.graded, again.skipped) == (0, 2)
    assert {r.learner: r.result.score for r in again.rows} == scores

    submit(subs, "bob", split=RENAMED_SPLIT)  # bob fixes create_train_val_dirs
    changed = run_batch(subs, out, BatchOptions("C2W1", workers=2), **quiet())
    assert (changed.graded, changed.skipped) == (1, 1)
    assert pd.read_csv(out / "gradebook.csv").set_index("learner")["total"]["bob"] == 40

    stream = io.StringIO()
    regraded = run_batch(subs, out, BatchOptions("C2W1", workers=2, regrade=True),
                         stream=stream)
    assert (regraded.graded, regraded.skipped) == (2, 0)
    assert "2 to grade" in stream.getvalue() and "[2/2] 100%" in stream.getvalue()
    said = stream.getvalue()  # issue 31, item 5: what it does before the first result
    assert said.index("looking for C2W1 submissions") < said.index("starting the worker(s)")
    lines = (out / "journal.jsonl").read_text().splitlines()
    assert len(lines) == 2 + 1 + 1 + 2  # graded, bob again, the --regrade mark, regraded
    assert leftover_temporaries(out) == [] and not (out / ".work").exists()

    # Another grader (an upgrade, a fix) does not reuse these grades.
    monkeypatch.setattr(journal, "grader_digest", lambda: "a newer grader")
    upgraded = run_batch(subs, out, BatchOptions("C2W1", workers=2), **quiet())
    assert (upgraded.graded, upgraded.skipped) == (2, 0)


TAMPER = """
    import glob
    for target in glob.glob({subs!r} + '/**', recursive=True) + glob.glob({out!r} + '/**',
                                                                          recursive=True):
        try:
            open(target, 'w').write('tampered')
        except OSError:
            pass
"""


def test_hostile_and_crashing_submissions_do_not_affect_the_others(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    alice = submit(subs, "alice", flat=False, history=GOOD_HISTORY)
    before = alice.read_bytes()
    # Tries to overwrite every other submission and result, then kills its process. As root
    # the sandbox makes all of that read-only; elsewhere the writes would land, so only exit.
    tamper = TAMPER.format(subs=str(subs), out=str(out)) if os.geteuid() == 0 else ""
    submit(subs, "mallory", flat=False, dirs=tamper + "    os._exit(3)\n")
    (subs / "nobody").mkdir()
    summary = run_batch(subs, out, BatchOptions("C2W1", workers=2), **quiet())
    rows = {r.learner: r for r in summary.rows}
    assert rows["alice"].result.score == 60 and rows["alice"].status == GRADED
    assert {p.name: p.score for p in rows["mallory"].result.parts}["split_data"] == 30
    assert "status 3" in (out / "mallory" / "feedback.txt").read_text()
    assert rows["nobody"].status == MISSING and rows["nobody"].result.score == 0
    assert "No notebook" in (out / "nobody" / "feedback.txt").read_text()
    assert "no notebook was submitted" in (out / "nobody" / "feedback.html").read_text()
    assert alice.read_bytes() == before
    assert json.loads((out / "alice" / "result.json").read_text())["score"] == 60

    # A worker that dies, and one that hangs (with a grandchild in a session of its own):
    # each gets 0 and the reason; the watchdog kills the whole tree.
    fake = tmp_path / "fake_worker.py"
    fake.write_text(textwrap.dedent(f"""
        import json, os, signal, subprocess, sys, time
        assert "--assignment=C2W1" in sys.argv
        notebook = json.loads(sys.stdin.readline())["notebook"]
        if "crasher" in notebook:
            print("about to crash", file=sys.stderr, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"],
                                 start_new_session=True)
        open({str(tmp_path / "grandchild.pid")!r}, "w").write(str(child.pid))
        time.sleep(600)
    """))
    crash_subs, crash_out = tmp_path / "crash-subs", tmp_path / "crash-out"
    submit(crash_subs, "crasher")
    submit(crash_subs, "sleeper")
    options = BatchOptions("C2W1", workers=2, timeout_s=2,
                           worker_command=(sys.executable, str(fake)))
    summary = run_batch(crash_subs, crash_out, options, **quiet())
    rows = {r.learner: r for r in summary.rows}
    assert summary.crashed == 2
    assert rows["crasher"].status == CRASHED and rows["crasher"].result.score == 0
    assert "killed by SIGKILL" in rows["crasher"].reason
    assert "did not finish within 2s" in rows["sleeper"].reason
    assert "could not grade" in (crash_out / "sleeper" / "feedback.txt").read_text()
    assert (crash_out / "crasher" / "grading.log").read_text() == "about to crash\n"
    grandchild = int((tmp_path / "grandchild.pid").read_text())
    time.sleep(0.2)
    assert not Path(f"/proc/{grandchild}").exists() or \
        Path(f"/proc/{grandchild}/stat").read_text().split(") ")[1][0] == "Z"
    book = pd.read_csv(crash_out / "gradebook.csv")
    assert list(book["status"]) == [CRASHED, CRASHED]


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text in cmdline.read_bytes().decode(errors="replace"):
                found.append(int(cmdline.parent.name))
        except OSError:
            pass
    return found


def _as_from_a_terminal() -> None:
    """SIGINT deliverable and handled by Python, as under a terminal: a test process may
    have it blocked or ignored (by an earlier test's library), and a child inherits both."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_interrupt_keeps_what_finished_and_resumes(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    submit(subs, "ann")
    # ben's grading lasts long enough for the interrupt to land during it, however loaded
    # the machine (on 2 busy cores a quick one could finish before the signal arrives).
    submit(subs, "ben", dirs="    import time; time.sleep(20)\n" + GOOD_DIRS)
    command = [sys.executable, "-m", "grader", "batch", str(subs), "--assignment", "C2W1",
               "--out", str(out), "--workers", "1"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_as_from_a_terminal)
    journal = Journal(out / "journal.jsonl")
    deadline = time.monotonic() + 60
    while not journal.latest() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Resume with" in stderr and "grader batch" in stderr
    finished = journal.latest()
    assert len(finished) == 1  # ann; ben was being graded (1 worker) and is stopped
    assert leftover_temporaries(out) == []
    for folder in (p for p in out.iterdir() if p.is_dir() and p.name != ".work"):
        if (folder / "result.json").exists():  # every file there is whole
            json.loads((folder / "result.json").read_text())
    assert _processes_mentioning(str(out)) == []  # no worker outlived the batch

    submit(subs, "ben")  # a quick one for the resumed run
    resumed = subprocess.run(command[:-1] + ["2"], capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(finished)} already graded" in resumed.stderr
    assert sorted(pd.read_csv(out / "gradebook.csv")["learner"]) == ["ann", "ben"]


def test_atomic_write_and_torn_journal_lines(tmp_path, monkeypatch):
    target = tmp_path / "result.json"
    atomic_write(target, "old")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "old" and leftover_temporaries(tmp_path) == []

    journal = Journal(tmp_path / "journal.jsonl")
    record = Record("ann", "d1", GRADED, 50, 100, False, 1.0, "t")
    journal.append(record)
    with journal.path.open("a") as f:
        f.write('{"learner": "ben", "dig')  # power lost mid-line
    journal.append(Record("cat", "d2", GRADED, 90, 100, True, 1.0, "t"))
    assert sorted(journal.latest()) == ["ann", "cat"]


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/batch-report-pwned",))


def test_report_html_in_headless_chromium(tmp_path):
    rows = []
    for i, (name, history) in enumerate([("alice", GOOD_HISTORY), ("bob", None),
                                         ("mallory", _Evil())]):
        message = ["<script>alert(1)</script> raised", "wrong size", "<img src=x onerror=y>"][i]
        result = zero_result(SPEC, message, "2", tmp_path / f"{name}.ipynb")
        for part in result.parts[: i + 1]:
            for test in part.tests:
                test.passed, test.points = True, test.max_points
        pkl = None
        if history is not None:
            pkl = tmp_path / f"{name}_history.pkl"
            pkl.write_bytes(pickle.dumps(history))
        rows.append(LearnerRow(Entry(name, f"{name}.ipynb", None, pkl), GRADED, result))
    pair = similarity.Pair("split_data", "alice", "bob", 2, 120, "ab12")
    report = tmp_path / "out" / "report.html"
    write_report(report, SPEC, rows, [pair], "2")
    page = report.read_text()
    # One script, the grader's sorter, allowed by its hash; learner strings are text.
    assert page.count("<script") == 1 and f"<script>{_SORT_SCRIPT}</script>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=y&gt;" in page
    assert '<a href="alice/feedback.html">alice</a>' in page
    assert not Path("/tmp/batch-report-pwned").exists()
    assert "mallory: mallory_history.pkl was refused" in page

    exe = chromium()
    dom = headless(exe, tmp_path / "profile", "--dump-dom", report.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    parsed = dom_of(dom.stdout)
    assert parsed.headings == [
        "C2W1 batch report: Cats vs dogs (full Kaggle set)", "Learners", "Score distribution",
        "Pass rate per check", "Most common failure messages",
        "History evidence", "Similar submissions", "Training and validation accuracy"]
    images = [a for tag, a in parsed.tags if tag == "img"]
    assert len(images) == 2  # histogram, alice's curves (bob none, mallory refused)
    assert all(a["src"].startswith("data:image/png;base64,") for a in images)
    assert len([tag for tag, _ in parsed.tags if tag == "script"]) == 1
    assert "<script>alert(1)</script> raised" in "".join(parsed.text)  # shown as text
    table = next(i for i, (tag, a) in enumerate(parsed.tags) if a.get("id") == "learners")
    headers = [a["href"] for tag, a in parsed.tags[table:] if tag == "a"][:3]
    assert headers == ["#sort=0", "#sort=1", "#sort=2"]

    def order(fragment: str) -> list[str]:
        run = headless(exe, tmp_path / "profile", "--dump-dom", report.as_uri() + fragment)
        assert run.returncode == 0, run.stderr[-2000:]
        body = run.stdout[run.stdout.index('id="learners"'):]
        return re.findall(r'<a href="(\w+)/feedback.html">', body)

    assert order("") == ["alice", "bob", "mallory"]  # as found
    assert order("#sort=1-desc") == ["mallory", "bob", "alice"]  # by score, highest first
    assert order("#sort=4-desc") == ["bob", "mallory", "alice"]  # the second part's points
    # The policy runs the sorter by its hash and nothing else: a script slipped into the page
    # does not run.
    forged = tmp_path / "forged.html"
    forged.write_text(page.replace("</body>", "<script>document.title='pwned'</script></body>"))
    run = headless(exe, tmp_path / "profile", "--dump-dom", forged.as_uri())
    assert "<title>pwned</title>" not in run.stdout and "C2W1 batch report" in run.stdout

    shot = tmp_path / "shot.png"
    run = headless(exe, tmp_path / "profile", f"--screenshot={shot}",
                    "--window-size=1280,2000", report.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1280, 2000)
    assert len(data) > 20_000  # a rendered page, not a blank one


def _function(source: str) -> ast.FunctionDef:
    return ast.parse(textwrap.dedent(source)).body[0]


def test_similarity_normaliser_sees_through_renames_only():
    original = _function(GOOD_SPLIT.split("from shutil import copyfile\n")[1])
    renamed = _function(RENAMED_SPLIT.split("from shutil import copyfile\n")[1])
    assert similarity.normalise(original) == similarity.normalise(renamed)
    other = _function(OTHER_SPLIT.split("from shutil import copyfile\n")[1])
    assert similarity.normalise(original) != similarity.normalise(other)
    off_by_one = _function(RENAMED_SPLIT.split("from shutil import copyfile\n")[1]
                           .replace("> 0", ">= 0"))
    assert similarity.normalise(renamed) != similarity.normalise(off_by_one)
    # Module names and attributes are not renamed: another library is other code.
    uses_os = _function("def f(p):\n    return os.listdir(p)\n")
    uses_glob = _function("def f(p):\n    return glob.listdir(p)\n")
    assert similarity.normalise(uses_os) != similarity.normalise(uses_glob)

    fp = similarity.Fingerprint
    prints = {"ann": {"split_data": fp("x", 50), "create_model": fp("ref", 9)},
              "ben": {"split_data": fp("x", 50), "create_model": fp("ref", 9)},
              "cat": {"split_data": fp("y", 50)}}
    pairs = similarity.similar_pairs(prints, {"create_model": {"ref"}})
    assert [(p.function, p.learner_a, p.learner_b) for p in pairs] == [
        ("split_data", "ann", "ben")]
    known = similarity.known_digests(SPEC, ROOT)
    solution = similarity.fingerprints(ROOT / "solutions" / "C2W1_Assignment.ipynb", SPEC)
    assert set(solution) == set(SPEC.functions)
    assert all(solution[f].digest in known[f] for f in SPEC.functions)


POISON = """  import glob, os as _os
  work = _os.environ['HOME']  # the work folder
  for path in glob.glob(_os.path.join(work, 'data/validation/dogs/*')):
      _os.remove(path)
  _os.chmod(_os.path.join(work, 'data/training/dogs'), 0)
  leaked = []
  for secret in {secrets!r}:
      try:  # a hidden folder reads as empty, a hidden file as missing
          found = (_os.listdir(secret) if _os.path.isdir(secret)
                   else open(secret).read()[:20])
      except OSError:
          found = None
      if found:
          leaked.append(found)
  if leaked and {isolated!r}:
      raise RuntimeError('read another learner\\'s work: ' + str(leaked))
"""


def test_a_poisoner_changes_nothing_for_the_learner_graded_after_it():
    """Issue 30, items 4 and 5, in a batch: alice's create_model (the reference model)
    empties validation/dogs, makes training/dogs unreadable and reads bob's notebook and the
    results folder; bob, the untouched reference solution graded after her on the same
    worker with her model's clean measurement in the cache, gets exactly his solo score,
    also on --regrade. The folders live outside /tmp (under HOME), where only the batch's
    hiding keeps them from learner code. (On Ray: tests/test_ray.py.)"""
    poisoner_then_reference()


def poisoner_then_reference(engine: str = "local") -> None:
    from conftest import edit, load_solution

    from grader.sandbox import confine

    root = Path(tempfile.mkdtemp(prefix="grader-test-batch-", dir=Path.home()))
    try:
        subs, out = root / "subs", root / "out"
        (subs / "bob").mkdir(parents=True)
        bob = subs / "bob" / "C2W1_Assignment.ipynb"
        shutil.copy(ROOT / "solutions" / "C2W1_Assignment.ipynb", bob)
        shutil.copy(ROOT / "solutions" / "history.pkl", subs / "bob" / "history.pkl")
        # bob's notebook; on --regrade his results (written after alice's first grading)
        secrets = [str(bob), str(out / ".clean-cache"), str(out / "bob")]
        isolated = confine.describe().namespaces
        poisoned = edit(load_solution("C2W1"), "c2w1-create-model", "  ### START CODE HERE\n",
                        "  ### START CODE HERE\n"
                        + POISON.format(secrets=secrets, isolated=isolated))
        (subs / "alice").mkdir()
        nbformat.write(poisoned, subs / "alice" / "C2W1_Assignment.ipynb")
        shutil.copy(ROOT / "solutions" / "history.pkl", subs / "alice" / "history.pkl")
        for regrade in (False, True):
            summary = run_batch(subs, out, BatchOptions("C2W1", workers=1, regrade=regrade,
                                                        engine=engine), **quiet())
            scores = {r.learner: r.result.score for r in summary.rows}
            assert scores == {"alice": 100, "bob": 100}, [
                (r.learner, r.reason, r.result.to_dict()["parts"][3]) for r in summary.rows]
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_failure_messages_are_filed_under_the_check_that_failed_first():
    """Issue 31, items 6 and 9: one cause failing every check is listed under the first check
    in the assignment's order, not the alphabetically first; a path with and without its
    trailing slash is one message."""
    from grader.batch.report import _failure_messages

    spec = get_spec("C2W1")
    rows = [LearnerRow(Entry(name, name, None, None), GRADED,
                       zero_result(spec, f"Nothing was found at '{path}'.", "2", None))
            for name, path in (("ann", "/tmp/cats-v-dogs/"), ("ben", "/tmp/cats-v-dogs"))]
    table = _failure_messages(rows)
    first = f"create_train_val_dirs: {spec.parts[0].test_names[0]}"
    assert table.count("<tr>") == 2, table  # the header and one message
    assert '<td class="num">2</td>' in table and first in table, table
