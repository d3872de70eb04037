"""The committed fixtures/ folder: where the grader finds it, and what it builds from it.
Fast; no TensorFlow."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import pytest
import tomllib
from conftest import ROOT

from grader.assignments.common import fixtures
from grader.assignments.common.probes_sign import read_sign_csv

FIXTURES = ROOT / "fixtures"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_fixtures_root_finds_the_checkout(monkeypatch):
    monkeypatch.delenv("GRADER_FIXTURES", raising=False)
    assert fixtures.fixtures_root() == FIXTURES


def test_grader_fixtures_wins(tmp_path, monkeypatch, cache):
    copy = tmp_path / "copy"
    shutil.copytree(FIXTURES, copy)
    (copy / "PetImages" / "Cat" / "extra.jpg").write_bytes((copy / "PetImages" / "Cat"
                                                            / "1033.jpg").read_bytes())
    monkeypatch.setenv("GRADER_FIXTURES", str(copy))
    assert fixtures.fixtures_root() == copy
    assert (fixtures.petimages().cats / "extra.jpg").is_file()


def test_missing_root_names_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.delenv("GRADER_FIXTURES", raising=False)
    monkeypatch.setattr(fixtures, "_CHECKOUT_FIXTURES", tmp_path / "checkout")
    monkeypatch.setattr(fixtures, "_PACKAGED_FIXTURES", tmp_path / "packaged")
    with pytest.raises(fixtures.FixturesNotFound) as error:
        fixtures.fixtures_root()
    assert str(tmp_path / "checkout") in str(error.value)
    assert str(tmp_path / "packaged") in str(error.value)
    monkeypatch.setenv("GRADER_FIXTURES", str(tmp_path / "elsewhere"))
    with pytest.raises(FileNotFoundError, match="GRADER_FIXTURES.*elsewhere"):
        fixtures.fixtures_root()


def test_petimages_from_the_committed_files_has_the_quirks(monkeypatch, cache):
    monkeypatch.delenv("GRADER_FIXTURES", raising=False)
    pets = fixtures.petimages()
    assert pets.raw == cache / fixtures.FIXTURE_VERSION / "raw" / "PetImages"
    for folder, zero in ((pets.cats, "666.jpg"), (pets.dogs, "11702.jpg")):
        assert (folder / zero).stat().st_size == 0
        assert (folder / "Thumbs.db").read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
        assert len(list(folder.iterdir())) == fixtures.IMAGES_PER_CLASS + 2
        assert len(fixtures.image_files(folder)) == fixtures.IMAGES_PER_CLASS
    for split in (pets.training, pets.validation):
        assert sorted(p.name for p in split.iterdir()) == ["cats", "dogs"]
    assert len(list((pets.training / "cats").iterdir())) == 135
    assert len(list((pets.validation / "dogs").iterdir())) == 15
    assert fixtures.tree_digest(pets.raw) == fixtures.tree_digest(FIXTURES / "PetImages")


def test_sign_mnist_copies_the_csvs_and_derives_timing(monkeypatch, cache):
    monkeypatch.delenv("GRADER_FIXTURES", raising=False)
    sign = fixtures.sign_mnist()
    assert sign.train.read_bytes() == (FIXTURES / "sign_mnist" / sign.train.name).read_bytes()
    images, labels = read_sign_csv(sign.test)
    assert images.shape == (192, 28, 28) and set(labels) == set(fixtures.SIGN_LABELS)
    assert [len(read_sign_csv(t)[1]) for t in sign.timing] == [1000, 3000]


def test_make_fixtures_check_names_a_changed_file(tmp_path):
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    (copy / "sign_mnist" / "sign_mnist_test.csv").write_text("label\n")
    (copy / "PetImages" / "Dog" / "1.jpg").write_bytes(b"")
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "make_fixtures.py"), "--check",
                           "--fixtures", str(copy)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "sign_mnist/sign_mnist_test.csv: differs" in proc.stderr
    assert "PetImages/Dog/1.jpg: not written by the generators" in proc.stderr


def test_pyproject_lists_every_package_and_maps_the_fixtures():
    """pyproject lists its packages (find cannot map fixtures/ in): a new folder must be added."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "grader").rglob("__init__.py")}
    assert set(setuptools["packages"]) == found | {"grader._fixtures"}
    assert setuptools["package-dir"] == {"grader._fixtures": "fixtures"}


def test_the_wheel_carries_the_fixtures(tmp_path):
    """The wheel (as the Gradescope bundle builds it) installs fixtures/ as grader/_fixtures."""
    from grader.gradescope.bundle import build_wheel

    with zipfile.ZipFile(build_wheel(tmp_path)) as wheel:
        names = {n for n in wheel.namelist() if n.startswith("grader/_fixtures/")}
    committed = {"grader/_fixtures/" + p.relative_to(FIXTURES).as_posix()
                 for top in ("PetImages", "sign_mnist") for p in (FIXTURES / top).rglob("*")
                 if p.is_file()}
    assert names == committed | {"grader/_fixtures/README.md"}


def test_processes_building_one_fixture_together_build_it_once(tmp_path):
    """Parallel test or batch workers start together and all ask for the fixtures: one
    builds while the others wait for its copy, so no half-built sibling ever sits in the
    cache beside a fixture in use (a hostile test digests the whole cache before and after)."""
    import threading
    import time

    target = tmp_path / "cache" / "thing-v1"
    builds, siblings = [], []

    def build(folder):
        builds.append(folder)
        time.sleep(0.3)
        siblings.append(sorted(p.name for p in target.parent.iterdir()
                               if p.name.startswith("thing-v1.")))
        (folder / "data").write_text("x")

    workers = [threading.Thread(target=fixtures.atomic_build, args=(target, build))
               for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(builds) == 1 and siblings == [[builds[0].name]]
    assert (target / "data").read_text() == "x" and (target / ".complete").exists()
    assert sorted(p.name for p in target.parent.iterdir()) == [".thing-v1.lock", "thing-v1"]
