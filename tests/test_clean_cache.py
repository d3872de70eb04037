"""The clean cache: each input a clean probe's result depends on changes the key; a grading
served from the cache gives the verdicts a fresh one gives."""

from __future__ import annotations

import copy

import pytest
from conftest import SOLUTION, SOLUTION_HISTORY, edit, grading_options, load_solution, write

from grader.api import get_spec, grade
from grader.pipeline import clean_cache
from grader.pipeline.clean_cache import CleanCache

ENV = {"python": "3.11.7", "tensorflow": "2.21.0", "keras": "tf-keras 2.21.0",
       "sandbox": "namespaces as root"}


def _workdir(root, name="grader-c2w1-abc"):
    workdir = root / name
    for part, files in (("training", ("cat.1.jpg", "dog.1.jpg")), ("validation", ("cat.2.jpg",))):
        (workdir / "data" / part).mkdir(parents=True)
        for file in files:
            (workdir / "data" / part / file).write_bytes(file.encode() * 10)
    return workdir


def _args(workdir) -> dict:
    return {"training": str(workdir / "data" / "training"),
            "validation": str(workdir / "data" / "validation"), "seed": 42, "max_epochs": 1,
            "export": {"model": {"class_name": "Sequential", "layers": [{"units": 512}]},
                       "loss": "binary_crossentropy"}}


def test_every_input_changes_the_key_and_nothing_else_does(tmp_path, monkeypatch):
    cache = CleanCache(tmp_path / "cache")
    workdir = _workdir(tmp_path)
    base = dict(assignment="C2W1", probe="train", args=_args(workdir), workdir=workdir,
                environment=ENV, keras="2", use_gpu=False)
    key = cache.key(**base)
    # Another grading's work directory with the same content: the same key (that is the hit).
    other = _workdir(tmp_path, "grader-c2w1-xyz")
    assert cache.key(**{**base, "workdir": other, "args": _args(other)}) == key

    def changed(**override) -> str:
        return cache.key(**{**base, **override})

    args = _args(workdir)
    args["export"]["model"]["layers"][0]["units"] = 256
    variants = {
        "export": changed(args=args),
        "seed": changed(args={**_args(workdir), "seed": 43}),
        "argument": changed(args={**_args(workdir), "max_epochs": 2}),
        "assignment": changed(assignment="C2W2"),
        "probe": changed(probe="generators_clean"),
        "tensorflow": changed(environment={**ENV, "tensorflow": "2.15.1"}),
        "python": changed(environment={**ENV, "python": "3.12.1"}),
        "keras mode": changed(keras="3"),
        "gpu": changed(use_gpu=True),
    }
    (workdir / "data" / "training" / "cat.1.jpg").write_bytes(b"one byte else" * 10)
    variants["fixture content"] = changed()
    (workdir / "data" / "training" / "cat.1.jpg").write_bytes(b"cat.1.jpg" * 10)
    assert changed() == key  # restored
    (workdir / "data" / "training" / "cat.1.jpg").rename(workdir / "data" / "training" / "c.jpg")
    variants["fixture file name"] = changed()
    (workdir / "data" / "training" / "c.jpg").rename(workdir / "data" / "training" / "cat.1.jpg")
    (workdir / "data" / "validation" / "dog.2.jpg").write_bytes(b"new")
    variants["a fixture file more"] = changed()
    (workdir / "data" / "validation" / "dog.2.jpg").unlink()
    monkeypatch.setattr(clean_cache, "grader_digest", lambda: "another grader")
    variants["grader source or versions"] = changed()
    monkeypatch.undo()
    assert changed() == key
    assert len(set(variants.values()) | {key}) == len(variants) + 1, variants


def test_the_digest_covers_the_grader_and_what_trains(monkeypatch):
    clean_cache.grader_digest.cache_clear()
    before = clean_cache.grader_digest()
    real = clean_cache.metadata.version
    monkeypatch.setattr(clean_cache.metadata, "version",
                        lambda name: "9.9" if name == "tensorflow" else real(name))
    clean_cache.grader_digest.cache_clear()
    assert clean_cache.grader_digest() != before
    monkeypatch.undo()
    clean_cache.grader_digest.cache_clear()
    assert clean_cache.grader_digest() == before


def test_stored_paths_follow_the_work_directory(tmp_path):
    cache = CleanCache(tmp_path / "cache")
    first, second = _workdir(tmp_path), _workdir(tmp_path, "grader-c2w1-next")
    cache.store("k", {"directory": str(first / "data" / "training"), "accuracy": 0.5}, first)
    assert str(first) not in (tmp_path / "cache" / "k.json").read_text()
    assert cache.load("k", second) == {"directory": str(second / "data" / "training"),
                                       "accuracy": 0.5}
    assert cache.load("missing", second) is None
    (tmp_path / "cache" / "torn.json").write_text('{"observation": ')
    assert cache.load("torn", second) is None  # a torn file is a miss, never an error


def _verdicts(result) -> dict:
    data = copy.deepcopy(result.to_dict())
    for key in ("duration_s", "clean_cache"):
        data.pop(key)
    return data


@pytest.mark.slow
def test_a_grading_from_the_cache_gives_the_fresh_verdicts(tmp_path):
    spec = get_spec("C2W1")
    options = grading_options(clean_cache=tmp_path / "cache")
    fresh = grade(spec, SOLUTION, SOLUTION_HISTORY, options)
    assert fresh.clean_cache == {"hits": 0, "misses": 2} and fresh.score == 100
    again = grade(spec, SOLUTION, SOLUTION_HISTORY, options)
    assert again.clean_cache == {"hits": 2, "misses": 0}
    assert _verdicts(again) == _verdicts(fresh)
    # Another model: its training runs; the generators, unchanged, come from the cache.
    nb = edit(load_solution(), "c2w1-create-model", "tf.keras.layers.Dense(512, activation='relu')",
              "tf.keras.layers.Dense(256, activation='relu')")
    other = grade(spec, write(nb, tmp_path / "other"), SOLUTION_HISTORY, options)
    assert other.clean_cache == {"hits": 1, "misses": 1} and other.score == 100
    without = grade(spec, SOLUTION, SOLUTION_HISTORY, grading_options(clean_cache=None))
    assert without.clean_cache is None and _verdicts(without) == _verdicts(fresh)


@pytest.mark.slow
def test_a_batch_trains_a_shared_model_once(tmp_path):
    import shutil

    from grader.batch.run import BatchOptions, run_batch

    subs, out = tmp_path / "subs", tmp_path / "out"
    for learner in ("ann", "ben"):  # the same model: ben's is served from ann's training
        (subs / learner).mkdir(parents=True)
        shutil.copy(SOLUTION, subs / learner / SOLUTION.name)
        shutil.copy(SOLUTION_HISTORY, subs / learner / "history.pkl")
    quiet = {"stream": open(tmp_path / "progress.txt", "w")}
    summary = run_batch(subs, out, BatchOptions("C2W1", workers=1), **quiet)
    assert [r.result.score for r in summary.rows] == [100, 100]
    assert [r.result.clean_cache for r in summary.rows] == [{"hits": 0, "misses": 2},
                                                            {"hits": 2, "misses": 0}]
    assert summary.from_cache == 1
    assert ("1 reused an earlier measurement of the same model's brief training (1 for every "
            "model they built)" in (out / "report.html").read_text())
    fresh = run_batch(subs, out, BatchOptions("C2W1", workers=1, regrade=True,
                                              clean_cache=False), **quiet)
    assert fresh.from_cache == 0 and [r.result.clean_cache for r in fresh.rows] == [None, None]
    assert [r.result.to_dict()["parts"] for r in fresh.rows] == [
        r.result.to_dict()["parts"] for r in summary.rows]


def test_a_key_reads_no_link_and_nothing_outside_the_grading(tmp_path):
    """Issue 30, item 9: an export naming `<workdir>/loop -> /proc/self` (or a folder
    holding such a link, or a host path) gets no key, so the probe runs uncached and the
    parent never walks /proc or the host; an honest export still gets one."""
    workdir = tmp_path / "grader-c2w1-abc"
    (workdir / "exports").mkdir(parents=True)
    (workdir / "exports" / "x.npy").write_bytes(b"\x93NUMPY")
    cache = CleanCache(tmp_path / "cache")

    def key(export):
        return cache.key("C2W1", "train", {"export": export}, workdir, {}, "2", False)

    assert key({"x": str(workdir / "exports" / "x.npy")}) is not None
    (workdir / "loop").symlink_to("/proc/self")
    assert key({"x": str(workdir / "loop")}) is None
    (workdir / "exports" / "inner").symlink_to("/etc")
    assert key({"x": str(workdir / "exports")}) is None
    assert key({"x": "/etc/hostname"}) is None
