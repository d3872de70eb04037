"""Give the learner's process the `keras` the course was written for.

The notebooks target TensorFlow 2.15, where the plain `keras` package *is* Keras 2: on it
`from keras.optimizers import RMSprop` and `tf.keras.optimizers.RMSprop` are one class. Here
`keras` is Keras 3 and Keras 2 is `tf_keras`, so under `--keras 2` a learner's `import keras`
would get Keras 3, which has no `keras.preprocessing.image.ImageDataGenerator` and whose
layers and optimizers do not mix with tf.keras models. `install("2")` makes `keras` and every
`keras.*` the very module object `tf_keras` / `tf_keras.*` (the package `tf.keras` is built
from), as on 2.15; `install("3")` changes nothing. `lr=` needs no help: tf_keras 2.21, like
2.15, accepts it with a warning and keeps the default learning rate.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Sequence

ALIAS, REAL = "keras", "tf_keras"


def _real_name(fullname: str) -> str | None:
    if fullname == ALIAS or fullname.startswith(ALIAS + "."):
        return REAL + fullname[len(ALIAS):]
    return None


class KerasAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports `keras.X` as the already existing module `tf_keras.X` (no second copy)."""

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        real = _real_name(fullname)
        if real is None:
            return None
        try:
            found = importlib.util.find_spec(real)
        except (ImportError, ValueError):
            return None
        if found is None:  # the import then fails as "No module named 'keras.X'"
            return None
        return importlib.machinery.ModuleSpec(
            fullname, self, loader_state={"real": real},
            is_package=found.submodule_search_locations is not None)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = importlib.import_module(spec.loader_state["real"])
        spec.loader_state["spec"] = module.__spec__  # the import system overwrites it
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__ = module.__spec__.loader_state["spec"]


def _keras_is_legacy() -> bool:
    """TensorFlow 2.15 (the course's own pin): the plain `keras` package is Keras 2 and is
    what tf.keras uses, so it needs no alias (a tf_keras beside it is a second copy)."""
    return (_version("keras") or "").startswith("2.")


def install(keras_version: str) -> None:
    """Under Keras 2, route `keras` to `tf_keras` in this process, replacing any Keras 3
    modules already imported (a zygote's) so that the alias wins."""
    if (keras_version != "2" or _keras_is_legacy()
            or any(isinstance(f, KerasAlias) for f in sys.meta_path)):
        return
    for name in [n for n in sys.modules if _real_name(n) is not None]:
        del sys.modules[name]
    sys.meta_path.insert(0, KerasAlias())


def _version(*distributions: str) -> str | None:
    from importlib import metadata

    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def _tensorflow() -> str | None:
    return _version("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly")


def _tf_keras() -> str | None:
    """tf-keras where it is what grades Keras 2 (not on TF 2.15, see `_keras_is_legacy`)."""
    return None if _keras_is_legacy() else _version("tf-keras", "tf_keras")


def environment(keras_version: str) -> dict[str, str]:
    """What graded, for every report: the child runs this interpreter and these packages.
    Read from package metadata, so the parent need not import TensorFlow."""
    import platform

    from grader.sandbox import confine

    legacy, plain = _tf_keras() if keras_version == "2" else None, _version("keras")
    keras = f"tf-keras {legacy}" if legacy else f"keras {plain}" if plain else "not installed"
    return {"python": platform.python_version(), "tensorflow": _tensorflow() or "not installed",
            "keras": keras, "sandbox": confine.level()}


def missing(keras_version: str) -> str | None:
    """Why this environment cannot grade with that Keras, with the install line that fixes
    it; None when it can. The grader never installs TensorFlow over a learner's own."""
    tf = _tensorflow()
    if tf is None:
        return ("TensorFlow is not installed here: install a supported one (2.15 to 2.21), "
                "e.g. pip install 'c2-grader[tf]'")
    minor = ".".join(tf.split(".")[:2])
    if keras_version == "2" and not _keras_is_legacy() and _tf_keras() is None:
        return (f"grading with Keras 2 (what the course used) on TensorFlow {tf} needs the "
                f"matching tf-keras: pip install 'tf-keras=={minor}.*' (or grade with --keras 3)")
    if keras_version == "3" and _keras_is_legacy():
        return f"Keras 3 needs TensorFlow 2.16 or later; this is TensorFlow {tf} (use --keras 2)"
    return None
