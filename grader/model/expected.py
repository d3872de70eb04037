"""What an assignment expects, as data (issue 32, item 4): one frozen value per assignment,
declared in its spec.py (`AssignmentSpec.expected`), holding the numbers the notebook asks for
(sizes, counts, units, thresholds, the head of C2W3, learning rates) and the grader's own
settings for its seeded runs. Checks read them from `ctx.spec.expected`, test names are filled
from them (`Test` params), and `prepare()` hands the probes those they need in their args: a
value is written once, so a rule, its test's name and the probe that measures it cannot drift
apart. The images a model takes are `AssignmentSpec.images` (model/spec.py's `ImageInput`).

One class per family of assignments, each field required (`kw_only`), so a week declares
every value its checks read.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Expected:
    """Every assignment's: the seed of the grader's own seeded runs (the brief training, the
    reference InceptionV3)."""

    seed: int


@dataclass(frozen=True, kw_only=True)
class BriefTraining(Expected):
    """The weeks whose "learns" check trains the model briefly (common/learning.py)."""

    max_epochs: int  # the brief training's cap


@dataclass(frozen=True, kw_only=True)
class CatsDogs(BriefTraining):
    """C2W1 and C2W2 (2022-2023): the split and the model."""

    split_size: float  # the course's SPLIT_SIZE
    other_split_size: float  # another, to catch a fixed one
    convs_at_least: int


@dataclass(frozen=True, kw_only=True)
class CatsDogs2024(BriefTraining):
    """C2W1v4 and C2W2v4: image_dataset_from_directory's split, the model, the callback."""

    validation_split: float  # the share of the files the notebook puts in validation
    brief_split: float  # the brief training's: the share it measures on
    convs_at_least: int
    stop_at: tuple[float, float]  # the callback's targets: accuracy, val_accuracy


@dataclass(frozen=True, kw_only=True)
class Signs(BriefTraining):
    """C2W4 and C2W4v4: sign-language letters."""

    batch_size: int
    convs_at_most: int
    pools_at_most: int
    units: tuple[int, ...]  # the output widths accepted
    classes: int | None = None  # the letters the folders hold (C2W4v4)


@dataclass(frozen=True)
class Layer:
    """One layer of a head, as the clean child describes it (type, units, activation, rate)."""

    type: str
    units: int | None = None
    activation: str | None = None
    rate: float | None = None

    @property
    def described(self) -> tuple:
        return (self.type, self.units, self.activation, self.rate)

    def __str__(self) -> str:  # Flatten, Dense(1024, relu), Dropout(0.2)
        shown = [str(v) for v in (self.units, self.activation, self.rate) if v is not None]
        return f"{self.type}({', '.join(shown)})" if shown else self.type


@dataclass(frozen=True, kw_only=True)
class Pretrained(Expected):
    """C2W3 and C2W3v4: a frozen InceptionV3, its `last_layer` and the head on it."""

    batch_size: int
    classes: int
    learning_rate: float  # RMSprop's, as the notebook compiles the final model
    last_layer: str
    last_layer_shape: tuple[int | None, ...]
    head: tuple[Layer, ...]  # the layers after last_layer
    pre_trained_params: int
    final_params: int
    final_trainable: int
    stop_above: float | None = None  # C2W3's provided myCallback: stops above this accuracy

    @property
    def head_described(self) -> str:
        return ", ".join(map(str, self.head))
