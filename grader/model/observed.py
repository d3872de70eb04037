"""What each probe promises to return, declared: a TypedDict per kind of observation, named
as the probe's return annotation, and `conform()`, which the parent applies where an
observation crosses from a child (grader/pipeline/grade.py): a field the probe does not
declare, or of another type than declared, is dropped there, so no check ever reads a key a
learner's code slipped into the report, and every check reads only declared fields.

Shallow by design where the grader's own describers build the nested data (a model's
description, an iterator's settings: `dict`), exact where the shape is small and fixed (a
call's summary).
"""

from __future__ import annotations

import types
import typing
from typing import Any, TypedDict

MAX_TEXT = 1 << 20  # a declared string longer than this is dropped (the channel caps lines)


class Probed(TypedDict, total=False):
    probe_error: dict  # the probe itself raised (sandbox/child.py)


class Call(TypedDict):
    """`call_learner(...).summary()`: how one call of the learner's function went."""

    ok: bool
    stdout: str
    error: dict | None


class Calls(Probed, total=False):
    """create_train_val_dirs, split_data: one summary per call, in the parent's order."""

    calls: list[Call]


class Called(Probed, total=False):
    call: Call
    returned: str  # the type name of what came back


class GeneratorsMade(Called, total=False):
    export: list  # the two iterators' settings (sandbox/probe_tools.export_iterator)


class GeneratorsRebuilt(Probed, total=False):
    generators: list  # each iterator as rebuilt and observed, or its rebuild_error


class ModelMade(Called, total=False):
    """create_model, create_augmentation_model: the model described and exported."""

    model: dict
    export: dict


class Rebuilt(Probed, total=False):
    """A clean rebuild (probe_tools.clean_model): its description, or why it failed."""

    model: dict
    rebuild_error: dict | str


class Trained(Rebuilt, total=False):
    """sandbox/brief_training.py: the looks at held-out accuracy, epoch by epoch."""

    looks: list
    measured: int
    class_counts: list
    max_epochs: int
    modes: list
    confidence: float
    steps_per_epoch: int
    unchanged_epoch: int
    fit_error: dict


class DatasetsMade(Called, total=False):
    export: list  # the recorded image_dataset_from_directory calls
    datasets: list


class DatasetsRebuilt(Probed, total=False):
    rebuilt: list | None
    rebuild_error: str


class CallbackCases(Called, total=False):
    """The 2024 EarlyStoppingCallback: each case's outcome."""

    subclass: bool
    own_method: bool
    results: list


class CallbackStops(Called, total=False):
    """C2W3's myCallback: whether it stopped below and above the threshold."""

    stops: dict


class AugmentationApplied(Rebuilt, total=False):
    apply_error: str
    out_shape: list
    in_shape: list
    calls_differ: float
    changed: float | None


class PreTrainedMade(Called, total=False):
    downloads: list
    export: dict
    save_error: str


class LastLayer(Called, total=False):
    shape: list | None
    layer: str | None


class FinalMade(Called, total=False):
    same_input: bool
    export: dict


class FinalTrained(Rebuilt, total=False):
    loss: dict
    loss_finite: bool
    fit_error: dict


class Parsed(Called, total=False):
    images: dict
    labels: dict
    timings: list


def declared(probe: object) -> type | None:
    """The TypedDict a probe function names as its return annotation, or None."""
    try:
        kind = typing.get_type_hints(probe).get("return")
    except Exception:  # noqa: BLE001 - an unresolvable annotation declares nothing
        return None
    return kind if typing.is_typeddict(kind) else None


def conform(value: dict, kind: type) -> tuple[dict, list[str]]:
    """`value` with only the fields `kind` declares, each of its declared type (nested
    TypedDicts, and lists of them, conformed in turn); and the fields dropped."""
    hints = typing.get_type_hints(kind)
    kept, dropped = {}, []
    for key, item in value.items():
        expected = hints.get(key)
        if expected is None or not _fits(item, expected):
            dropped.append(str(key))
            continue
        kept[key] = _nested(item, expected)
    return kept, dropped


def _fits(item: object, expected: object) -> bool:
    if expected is Any:
        return True
    origin = typing.get_origin(expected)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(item, option) for option in typing.get_args(expected))
    if expected is type(None):
        return item is None
    if typing.is_typeddict(expected) or expected is dict or origin is dict:
        return isinstance(item, dict)
    if expected is list or origin is list:
        return isinstance(item, list)
    if expected is bool:
        return isinstance(item, bool)
    if expected is int:
        return isinstance(item, int) and not isinstance(item, bool)
    if expected is float:
        return isinstance(item, int | float) and not isinstance(item, bool)
    if expected is str:
        return isinstance(item, str) and len(item) <= MAX_TEXT
    return isinstance(item, expected)  # type: ignore[arg-type]


def _nested(item: object, expected: object) -> object:
    if typing.is_typeddict(expected) and isinstance(item, dict):
        return conform(item, expected)[0]
    args = typing.get_args(expected)
    if typing.get_origin(expected) is list and args and typing.is_typeddict(args[0]):
        return [conform(x, args[0])[0] if isinstance(x, dict) else x for x in item]
    if typing.get_origin(expected) in (typing.Union, types.UnionType):
        for option in args:
            if typing.is_typeddict(option) and isinstance(item, dict):
                return conform(item, option)[0]
    return item
