"""C2W1v4's probes (child side): call the learner's functions and report what they did; in the
clean child, measure the rebuilt model. All are shared (common/probes_datasets.py,
probes_model.py, probes_petimages.py, probes_callbacks.py). Imports only probe modules; the
checks are in spec.py and common/."""

from __future__ import annotations

from grader.assignments.common import probes_callbacks, probes_datasets
from grader.assignments.common.probes_model import probe_create_model
from grader.assignments.common.probes_petimages import probe_train

PROBES = {
    "train_val_datasets": probes_datasets.probe_train_val_datasets,
    "datasets_clean": probes_datasets.probe_datasets_clean,
    "create_model": probe_create_model,
    "train": probe_train,
    "EarlyStoppingCallback": probes_callbacks.probe_callback,
}
