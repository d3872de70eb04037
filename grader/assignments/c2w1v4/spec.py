"""C2W1v4: the 2024 (Keras 3) cats vs dogs notebook. `./PetImages` as it ships (already
cleaned), split by `image_dataset_from_directory` itself; an Input + Rescaling model head; a
graded early-stopping callback; the history against 95% / 80%.

Probes run in the child and only observe; checks run in the parent and judge. The datasets
and the model are rebuilt from their configuration in the clean child (see
common/datasets.py and brief_training), the callback is judged on its behaviour.
"""

from __future__ import annotations

from pathlib import Path

from grader.assignments.c2w1v4 import probes
from grader.assignments.common import callbacks, datasets, fixtures_v4, models, petimages
from grader.assignments.common.learning import CATS_FROM_DOGS, training_verdict
from grader.assignments.common.models import (
    accuracy_verdict,
    compiled_verdict,
    convs_verdict,
    created_model,
    input_verdict,
    output_verdict,
    rescaling_verdict,
)
from grader.model.expected import CatsDogs2024
from grader.model.spec import (
    AssignmentSpec,
    Checks,
    Context,
    HistoryRule,
    ImageInput,
    PartSpec,
    Verdict,
    all_fail,
    part,
    weigh,
)

FUNCTIONS = ("train_val_datasets", "create_model", "EarlyStoppingCallback")
IMAGES = ImageInput(size=(150, 150))
# The brief training (common/learning.py) trains on two thirds of the fixture and measures
# on the other third (brief_split: 10% would leave 29 images, too few to tell learning from
# chance), for at most max_epochs epochs; most models show they learn after one.
# stop_at: the callback's targets, accuracy and val_accuracy.
EXPECTED = CatsDogs2024(validation_split=0.1, convs_at_least=3, stop_at=(0.95, 0.80),
                        brief_split=0.34, seed=1234, max_epochs=8)
HISTORY = HistoryRule("history.pkl", max_epochs=15, min_train_accuracy=EXPECTED.stop_at[0],
                      min_val_accuracy=EXPECTED.stop_at[1])


def parts(expected: CatsDogs2024) -> tuple[PartSpec, ...]:
    """The rubric, its test names filled from `expected`. Beside each check, the line of
    ASSIGNMENTS-2024.md (W1) it enforces."""
    dataset_tests = (
        # Ex1: "returns (training_dataset, validation_dataset)", one
        # image_dataset_from_directory call; also charged, once, when the function reads its
        # own machine's folder, not DATA_DIR
        datasets.SOURCE.worth(6),
        datasets.YIELDS.worth(6, shape=IMAGES.shape),  # image_size=(150,150); no rescaling
        datasets.SPLIT.worth(7, share=expected.validation_split),  # validation_split=0.1, seed
        datasets.LABELS.worth(6),  # "a label_mode that fits binary classification"
    )
    model_tests = (
        models.COMPILED.worth(3),  # Ex2: "a compiled, untrained Sequential"
        # "FIRST layer tf.keras.layers.Input with the right shape"
        models.INPUT_SHAPE.worth(4, shape=IMAGES.shape),
        models.RESCALING_FIRST.worth(5),
        models.CONVS.worth(4, least=expected.convs_at_least),  # "at least 3 convolution layers"
        models.TWO_CLASSES.worth(4),  # "last layer's activation must match the loss"
        models.ACCURACY.worth(3),  # metrics=['accuracy'] pre-filled; the callback reads it
        # Required behaviour: training reaches 95%/80% on the real data; here, that it learns
        CATS_FROM_DOGS.worth(12),
    )
    return (
        part("train_val_datasets", dataset_tests,
             probes=("train_val_datasets", "datasets_clean")),
        part("create_model", model_tests, probes=("create_model", "train")),
        part("EarlyStoppingCallback",
             weigh(callbacks.CALLBACK_TESTS, subclass=3, stops=6, keeps_training=6),
             probes=("EarlyStoppingCallback",)),
        HISTORY.part(readable=2, lists=2, epochs=1, finite=1, train_accuracy=9,
                     val_accuracy=10),
    )


def prepare(workdir: Path) -> tuple[dict, dict[str, dict]]:
    return petimages.petimages(workdir, IMAGES, EXPECTED)


CHECKS = Checks()
CHECKS.part("train_val_datasets")(petimages.check_train_val_datasets)


@CHECKS.part("create_model")
def check_create_model(ctx: Context, part: PartSpec) -> list[Verdict]:
    problem, info = created_model(ctx)
    if problem:
        return all_fail(part, problem)
    test = part.test
    return [compiled_verdict(test("compiled"), info),
            input_verdict(test("input_shape"), info, ctx.spec.images),
            rescaling_verdict(test("rescaling"), info),
            convs_verdict(test("convs"), info, ctx.spec.expected.convs_at_least),
            output_verdict(test("output"), info),
            accuracy_verdict(test("accuracy"), info), training_verdict(ctx, test("learns"))]


@CHECKS.part("EarlyStoppingCallback")
def _callback(ctx: Context, part: PartSpec) -> list[Verdict]:
    return callbacks.check_callback(ctx, part, *ctx.spec.expected.stop_at)


SPEC = AssignmentSpec(
    code="C2W1v4",
    title="Cats vs dogs, 2024 (Keras 3, image_dataset_from_directory)",
    functions=FUNCTIONS,
    parts=parts(EXPECTED),
    pass_mark=80.0,
    history=HISTORY,
    probe_timeouts={"train_val_datasets": 90, "datasets_clean": 90, "create_model": 90,
                    "train": 300, "EarlyStoppingCallback": 60},
    clean_probes={"train": "create_model", "datasets_clean": "train_val_datasets"},
    prepare=prepare,
    checks=CHECKS,
    probes=probes.PROBES,
    probe_module=probes.__name__,
    fixtures=fixtures_v4.petimages_v4,
    images=IMAGES,
    expected=EXPECTED,
    module=__name__,
    keras="3",
    course_version="v4",
    provided={"DATA_DIR": "./PetImages"},  # the notebook's graded globals cell
)
