"""Train the reference solution on the fixture data and save its real history.

The bundled `solutions/history.pkl` comes from this script, never from typed numbers:
    python tools/make_example_history.py C2W1   (or C2W2)
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.assignments import get_spec  # noqa: E402
from grader.assignments.common import fixtures  # noqa: E402
from grader.pipeline.extract import extract  # noqa: E402
from grader.pipeline.notebook import read_notebook  # noqa: E402
from grader.sandbox.child import load_submission  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("assignment", choices=["C2W1", "C2W2"])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    spec = get_spec(args.assignment)
    notebook = ROOT / "solutions" / f"{args.assignment}_Assignment.ipynb"
    extraction = extract(read_notebook(notebook), spec.functions)
    namespace, problems = load_submission([s.__dict__ for s in extraction.snippets])
    if problems:
        raise SystemExit(f"the solution did not load: {problems}")
    import tensorflow as tf

    tf.keras.utils.set_random_seed(args.seed)
    pets = fixtures.petimages()
    train, val = namespace["train_val_generators"](str(pets.training) + os.sep,
                                                    str(pets.validation) + os.sep)
    model = namespace["create_model"]()
    history = model.fit(train, epochs=args.epochs, validation_data=val, verbose=2)
    out = ROOT / "solutions" / spec.history.file_name
    with open(out, "wb") as f:
        pickle.dump({k: [float(v) for v in vals] for k, vals in history.history.items()}, f)
    print(f"wrote {out}: final accuracy {history.history['accuracy'][-1]:.3f}, "
          f"val_accuracy {history.history['val_accuracy'][-1]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
