"""C2W1's probes (child side): the learner's functions called and observed, and the brief
training in the clean child, all shared with C2W2 (common/probes_files.py,
probes_generators.py, probes_model.py). Imports only probe modules, the sandbox's
child-side helpers and the model; the checks are in spec.py and common/."""

from __future__ import annotations

from grader.assignments.common.probes_files import (
    probe_create_train_val_dirs,
    probe_split_data,
    probe_train,
)
from grader.assignments.common.probes_generators import (
    probe_generators_clean,
    probe_train_val_generators,
)
from grader.assignments.common.probes_model import probe_create_model

PROBES = {
    "create_train_val_dirs": probe_create_train_val_dirs,
    "split_data": probe_split_data,
    "train_val_generators": probe_train_val_generators,
    "generators_clean": probe_generators_clean,
    "create_model": probe_create_model,
    "train": probe_train,
}
