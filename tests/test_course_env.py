"""The course's Keras 2 `keras` under --keras 2 (grader.sandbox.course_env), and the note for a
module the grading environment lacks (grader.assignments.common.feedback)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest
from conftest import (
    ROOT,
    SOLUTION_HISTORY,
    dump,
    edit,
    failing,
    grading_options,
    load_solution,
    write,
)

from grader.assignments import get_spec
from grader.assignments.common.feedback import describe_error
from grader.pipeline.grade import grade
from grader.sandbox import course_env

ALIAS_CHECK = """
import importlib, sys
import keras as keras3                       # as a zygote may have: Keras 3 already loaded
import keras.layers
assert keras3.__version__.startswith("3.")
import tensorflow as tf
from grader.sandbox import course_env
course_env.install("2")
course_env.install("2")                      # idempotent
assert sum(isinstance(f, course_env.KerasAlias) for f in sys.meta_path) == 1
import keras, keras.layers, tf_keras
from keras.preprocessing.image import ImageDataGenerator
from keras.optimizers import RMSprop
from keras.layers import Dense
assert keras is tf_keras and keras.__version__.startswith("2.")
assert keras.layers is tf_keras.layers is sys.modules["keras.layers"]
assert sys.modules["keras.preprocessing.image"] is sys.modules["tf_keras.preprocessing.image"]
assert keras.__spec__.name == "tf_keras" and importlib.util.find_spec("tf_keras").name == "tf_keras"
assert ImageDataGenerator is tf.keras.preprocessing.image.ImageDataGenerator
assert RMSprop is tf.keras.optimizers.RMSprop and Dense is tf.keras.layers.Dense
import keras.src.engine.training as training
assert training is sys.modules["tf_keras.src.engine.training"]
model = tf.keras.Sequential([tf.keras.Input((3,)), Dense(1, activation="sigmoid")])
model.compile(optimizer=RMSprop(lr=0.5), loss="binary_crossentropy")   # 2.15: warn, ignore
assert isinstance(model, keras.Model) and isinstance(model.layers[0], tf.keras.layers.Layer)
assert abs(float(model.optimizer.learning_rate.numpy()) - 0.001) < 1e-9
model.fit(tf.zeros((4, 3)), tf.ones((4, 1)), epochs=1, verbose=0)
try:
    import keras.no_such_module
except ModuleNotFoundError as exc:
    assert "keras.no_such_module" in str(exc), exc
else:
    raise AssertionError("keras.no_such_module imported")
print("ALIAS OK")
"""


def test_keras_is_tf_keras_under_keras_2_even_after_keras_3_was_imported():
    env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(ALIAS_CHECK)], env=env,
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0 and "ALIAS OK" in done.stdout, done.stderr[-3000:]


def test_keras_3_changes_nothing():
    before, keras_modules = list(sys.meta_path), {n for n in sys.modules if n == "keras"}
    course_env.install("3")
    assert sys.meta_path == before
    assert {n for n in sys.modules if n == "keras"} == keras_modules


def test_missing_module_note_names_it_and_what_is_offered():
    error = {"type": "ModuleNotFoundError", "message": "No module named 'sklearn'",
             "where": {"cell": "cell 3", "line": 9,
                       "code": "from sklearn.model_selection import train_test_split"}}
    text = describe_error("import", error)
    assert "'sklearn' is not installed in the grading environment" in text
    for offered in ("tensorflow", "numpy", "pandas", "scipy", "PIL", "matplotlib", "h5py"):
        assert offered in text
    sub = describe_error("f", {"type": "ModuleNotFoundError",
                               "message": "No module named 'keras.no_such_module'"})
    assert "has keras, but its version has no module 'keras.no_such_module'" in sub
    assert "not installed" not in sub
    odd = describe_error("f", {"type": "ModuleNotFoundError", "message": "odd"})
    assert "offers only tensorflow" in odd


@pytest.fixture(scope="module")
def keras_imports_graded(tmp_path_factory):
    nb = edit(load_solution("C2W1"), "c2w1-imports",
              "from tensorflow.keras.optimizers import RMSprop\n"
              "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n",
              "import keras\n"
              "from keras.optimizers import RMSprop\n"
              "from keras.preprocessing.image import ImageDataGenerator\n"
              "from sklearn.model_selection import train_test_split\n")
    nb = edit(nb, "c2w1-create-model", "tf.keras.layers.Dense(512", "keras.layers.Dense(512")
    nb = edit(nb, "c2w1-create-model", "RMSprop(learning_rate=0.001)", "RMSprop(lr=0.001)")
    path = write(nb, tmp_path_factory.mktemp("keras-imports"))
    return grade(get_spec("C2W1"), path, SOLUTION_HISTORY, grading_options())


@pytest.mark.slow
def test_plain_keras_imports_score_100(keras_imports_graded):
    result = keras_imports_graded
    assert result.score == 100, (failing(result), dump(result))
    assert result.keras == "2"


@pytest.mark.skipif(importlib.util.find_spec("sklearn") is not None,
                    reason="sklearn is installed here")
@pytest.mark.slow
def test_missing_sklearn_is_named_in_a_note(keras_imports_graded):
    notes = [n for n in keras_imports_graded.notes if "sklearn" in n]
    assert len(notes) == 1, dump(keras_imports_graded)
    assert "No module named 'sklearn'" in notes[0]
    assert "'sklearn' is not installed in the grading environment" in notes[0]


@pytest.mark.parametrize("installed,keras,problem", [
    # realistic environments that grade
    ({"tensorflow": "2.21.0", "keras": "3.15.1", "tf-keras": "2.21.0"}, "2", None),
    ({"tensorflow": "2.21.0", "keras": "3.15.1"}, "3", None),
    ({"tensorflow": "2.15.1", "keras": "2.15.0"}, "2", None),  # the course's pins
    ({"tensorflow": "2.15.1", "keras": "2.15.0", "tf-keras": "2.15.1"}, "2", None),
    ({"tensorflow-cpu": "2.18.0", "keras": "3.8.0", "tf-keras": "2.18.0"}, "2", None),
    # and the ones that cannot, each with the install line that fixes it
    ({"keras": "3.15.1"}, "2", "pip install 'c2-grader[tf]'"),
    ({"tensorflow": "2.19.0", "keras": "3.10.0"}, "2", "pip install 'tf-keras==2.19.*'"),
    ({"tensorflow": "2.15.1", "keras": "2.15.0"}, "3", "Keras 3 needs TensorFlow 2.16"),
])
def test_missing_names_what_to_install(monkeypatch, installed, keras, problem):
    monkeypatch.setattr(course_env, "_version",
                        lambda *names: next((installed[n] for n in names if n in installed), None))
    found = course_env.missing(keras)
    assert (found is None) if problem is None else (problem in found), found
