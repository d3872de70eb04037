"""Train the reference solution on the fixture data and save its real history.

The bundled `solutions/history.pkl` comes from this script, never from typed numbers:
    python tools/make_example_history.py C2W1   (or C2W2)
The 2024 notebooks train under Keras 3, with their own datasets and early-stopping callback,
from the notebook's `./PetImages`; their file would be `history.pkl` too, so it is written as
`solutions/<code>_history.pkl`:
    python tools/make_example_history.py C2W2v4
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
from pathlib import Path

V4 = ("C2W1v4", "C2W2v4")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "0" if set(sys.argv[1:]) & set(V4) else "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.assignments import get_spec  # noqa: E402
from grader.assignments.common import fixtures, fixtures_v4  # noqa: E402
from grader.pipeline.extract import extract  # noqa: E402
from grader.pipeline.notebook import read_notebook  # noqa: E402
from grader.sandbox import child  # noqa: E402
from grader.sandbox.child import load_submission  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("assignment", choices=["C2W1", "C2W2", *V4])
    parser.add_argument("--epochs", type=int, default=None,
                        help="default: the assignment's most (15; 35 for C2W2v4)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    spec = get_spec(args.assignment)
    notebook = ROOT / "solutions" / f"{args.assignment}_Assignment.ipynb"
    extraction = extract(read_notebook(notebook), spec.functions)
    sys.meta_path.append(child._ColabStub())  # the course's `import unittests`, as graded
    namespace, problems = load_submission([s.__dict__ for s in extraction.snippets])
    if problems:
        raise SystemExit(f"the solution did not load: {problems}")
    import tensorflow as tf

    tf.keras.utils.set_random_seed(args.seed)
    epochs = args.epochs or spec.history.max_epochs
    callbacks = []
    if args.assignment in V4:  # the notebook's DATA_DIR = './PetImages'
        work = Path(tempfile.mkdtemp(prefix="history-"))
        (work / "PetImages").symlink_to(fixtures_v4.petimages_v4())
        os.chdir(work)
        train, val = namespace["train_val_datasets"]()
        callbacks = [namespace["EarlyStoppingCallback"]()]
    else:
        pets = fixtures.petimages()
        train, val = namespace["train_val_generators"](str(pets.training) + os.sep,
                                                        str(pets.validation) + os.sep)
    model = namespace["create_model"]()
    history = model.fit(train, epochs=epochs, validation_data=val, verbose=2,
                        callbacks=callbacks)
    out = ROOT / "solutions" / (f"{args.assignment}_history.pkl" if args.assignment in V4
                                else spec.history.file_name)
    with open(out, "wb") as f:
        pickle.dump({k: [float(v) for v in vals] for k, vals in history.history.items()}, f)
    print(f"wrote {out}: final accuracy {history.history['accuracy'][-1]:.3f}, "
          f"val_accuracy {history.history['val_accuracy'][-1]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
