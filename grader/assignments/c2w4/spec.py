"""C2W4: multi-class classification of Sign Language MNIST from CSV.

Accuracy is not graded for this assignment; the points go to the three functions. The first
one, parse_data_from_input, is judged in parsing.py.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np

from grader.assignments.c2w4 import probes
from grader.assignments.c2w4.parsing import (
    PARSE_TESTS,
    check_parse,
)
from grader.assignments.common import fixtures, models
from grader.assignments.common.generators import generator_observations
from grader.assignments.common.learning import LETTERS_APART
from grader.assignments.common.probes_sign import read_sign_csv
from grader.i18n import tr
from grader.model import keras_names
from grader.model.expected import Signs
from grader.model.spec import (
    AssignmentSpec,
    Checks,
    Context,
    ImageInput,
    PartSpec,
    Test,
    Verdict,
    all_fail,
    fail_the_rest,
    part,
    weigh,
)

FUNCTIONS = ("parse_data_from_input", "train_val_generators", "create_model")
IMAGES = ImageInput(size=(28, 28), channels=1)
# units: the output widths accepted (26, as the notebook says; 25 also fits labels 0-24).
# max_epochs: the brief training's cap (common/learning.py): 24 letters.
EXPECTED = Signs(batch_size=32, convs_at_most=2, pools_at_most=2, units=(25, 26), seed=4321,
                 max_epochs=10)


def parts(expected: Signs) -> tuple[PartSpec, ...]:
    """The rubric, its test names filled from `expected`."""
    generator_tests = (
        Test("returns", "returns (train_generator, validation_generator)", points=4),
        Test("shapes", "images (N, {dims}) and labels (N,)", points=8,
             params={"dims": ", ".join(map(str, IMAGES.shape))}),
        Test("batch_size", "batch size {size}", points=4, params={"size": expected.batch_size}),
        Test("rescales", "rescales pixels by 1/{scale} on both generators", points=8,
             params={"scale": round(1 / IMAGES.rescale)}),
        Test("validation_plain", "validation generator does not augment", points=6),
    )
    model_tests = (
        models.COMPILED.worth(4),
        models.INPUT_SHAPE.worth(6, shape=IMAGES.shape),
        Test("small", "at most {convs} Conv2D and {pools} MaxPooling2D layers", points=6,
             params={"convs": expected.convs_at_most, "pools": expected.pools_at_most}),
        Test("softmax", "softmax output with {most} (or {fewer}) units", points=6,
             params={"most": max(expected.units), "fewer": min(expected.units)}),
        Test("loss", "loss fits integer labels", points=5),
        models.ACCURACY.worth(3),
        LETTERS_APART.worth(10),
    )
    return (
        part("parse_data_from_input",
             weigh(PARSE_TESTS, arrays=4, shapes=6, dtypes=4, values=10, fast=6),
             probes=("parse_data_from_input",)),
        part("train_val_generators", generator_tests,
             probes=("train_val_generators", "generators_clean")),
        part("create_model", model_tests, probes=("create_model", "train")),
    )


def prepare(workdir: Path) -> tuple[dict, dict[str, dict]]:
    sign = fixtures.sign_mnist()
    data = workdir / "data"
    data.mkdir()
    (workdir / "exports").mkdir()
    paths = {}
    for source in (sign.train, sign.test, *sign.timing):
        paths[source.name] = data / source.name
        shutil.copyfile(source, paths[source.name])
    images, labels = read_sign_csv(sign.train)
    val_images, _ = read_sign_csv(sign.test)
    for source in (sign.train, sign.test):  # the notebook's './sign_mnist_*.csv', rows reversed
        header, *rows = source.read_text().splitlines(keepends=True)
        (workdir / source.name).write_text(header + "".join(reversed(rows)))
    prepared = {
        "rows": len(labels),
        "val_rows": len(val_images),
        "images_sha256": hashlib.sha256(np.ascontiguousarray(images).tobytes()).hexdigest(),
        "labels_sha256": hashlib.sha256(np.ascontiguousarray(labels).tobytes()).hexdigest(),
        "labels_head": labels[:6].tolist(),
        "course_images_sha256": hashlib.sha256(
            np.ascontiguousarray(images[::-1]).tobytes()).hexdigest(),
    }
    train, test = str(paths[sign.train.name]), str(paths[sign.test.name])
    prepared["train_file"] = train
    args = {
        "parse_data_from_input": {
            "train": train,
            "timing": [str(paths[p.name]) for p in sign.timing],
            "timing_rows": list(fixtures.SIGN_TIMING_ROWS),
            "exports": str(workdir / "exports"),
        },
        "train_val_generators": {"train": train, "test": test,
                                 "exports": str(workdir / "exports")},
        "train": {"train": train, "test": test, "seed": EXPECTED.seed,
                  "max_epochs": EXPECTED.max_epochs, "batch_size": EXPECTED.batch_size},
    }
    return prepared, args


CHECKS = Checks()
CHECKS.part("parse_data_from_input")(check_parse)


@CHECKS.part("train_val_generators")
def check_generators(ctx: Context, part: PartSpec) -> list[Verdict]:
    problem, gens = generator_observations(
        ctx, "x_shape", "ImageDataGenerator(...).flow(x, y, batch_size=32)")
    if problem:
        return all_fail(part, problem)
    train, val = gens
    test = part.test
    images, batch = ctx.spec.images, ctx.spec.expected.batch_size
    verdicts: list[Verdict] = [test("returns").verdict(True, tr("Two array iterators."))]
    rows = (ctx.prepared["rows"], ctx.prepared["val_rows"])
    shapes = [(g["x_shape"], g["y_shape"]) for g in gens]
    want = [([n, *images.shape], [n]) for n in rows]
    shapes_ok = shapes == want
    verdicts.append(test("shapes").verdict(shapes_ok, (
        tr("Images have a channel axis; labels are a vector.") if shapes_ok else
        tr("Expected images {train_images} / {val_images} and labels "
           "{train_labels} / {val_labels}; found {shapes}. Add the channel axis "
           "with np.expand_dims(images, axis=3).",
           train_images=tuple(want[0][0]), val_images=tuple(want[1][0]),
           train_labels=tuple(want[0][1]), val_labels=tuple(want[1][1]), shapes=shapes))))
    batches = (train.get("batch_size"), val.get("batch_size"))
    verdicts.append(test("batch_size").verdict(batches == (batch, batch), (
        tr("Batch size 32.") if batches == (batch, batch) else
        tr("Expected batch_size=32 on both; found {training} and {validation}.",
           training=batches[0], validation=batches[1]))))
    errors = [g.get("batch_error") for g in gens if g.get("batch_error")]
    if errors:
        return fail_the_rest(part, verdicts,
                             tr("Reading a batch failed: {error}.", error=errors[0]))
    scaled = [(tr("training: rescale={rescale}, pixel max {x_max}", rescale=train.get("rescale"),
                  x_max=train.get("x_max")), train),
              (tr("validation: rescale={rescale}, pixel max {x_max}", rescale=val.get("rescale"),
                  x_max=val.get("x_max")), val)]
    bad = [text for text, g in scaled
           if g.get("rescale") is None or abs(g["rescale"] - images.rescale) > 1e-6
           or g.get("x_max", 2.0) > 1.0 + 1e-6]
    verdicts.append(test("rescales").verdict(not bad, (
        tr("Pixels are scaled to [0, 1] on both.") if not bad else
        tr("Expected ImageDataGenerator(rescale=1./255) on both; found {found}.",
           found="; ".join(bad)))))
    behaviour = val.get("behaviour") or {}
    plain = (behaviour.get("repeat_max_diff", 1.0) <= 1e-6
             and behaviour.get("rescaled_max_diff", 1.0) <= 1e-4)
    verdicts.append(test("validation_plain").verdict(plain, (
        tr("Validation images are only rescaled.") if plain else
        tr("The validation generator changes images; augmentation belongs on the training "
           "generator only. Use ImageDataGenerator(rescale=1./255) for validation."))))
    return verdicts


@CHECKS.part("create_model")
def check_model(ctx: Context, part: PartSpec) -> list[Verdict]:
    from grader.assignments.common.learning import training_verdict
    from grader.assignments.common.models import created_model

    problem, info = created_model(ctx)
    if problem:
        return all_fail(part, problem)
    verdicts: list[Verdict] = []
    test = part.test
    expected = ctx.spec.expected
    compiled = bool(info.get("compiled") and info.get("loss"))
    verdicts.append(test("compiled").verdict(compiled, (
        tr("A compiled {model}.", model=info["type"]) if compiled else
        tr("The model is not compiled: call model.compile(...) before returning it."))))
    shape = info.get("input_shape")
    right = shape == [None, *ctx.spec.images.shape]
    verdicts.append(test("input_shape").verdict(right, (
        tr("Input shape (28, 28, 1).") if right else
        tr("Expected input shape (None, 28, 28, 1); found {shape}. Give the first layer "
           "input_shape=(28, 28, 1).", shape=shape))))
    layers = info.get("layers", [])
    convs, pools = layers.count("Conv2D"), layers.count("MaxPooling2D")
    small = convs <= expected.convs_at_most and pools <= expected.pools_at_most
    verdicts.append(test("small").verdict(small, (
        tr("{convs} Conv2D and {pools} MaxPooling2D layers.", convs=convs, pools=pools)
        if small else
        tr("The assignment allows at most 2 Conv2D and 2 MaxPooling2D layers; found {convs} "
           "and {pools}.", convs=convs, pools=pools))))
    units = (info.get("output_shape") or [None])[-1]
    activation = keras_names.canonical(info.get("output_activation")) or "linear"
    logits = bool(info.get("loss_from_logits"))
    out_ok = units in expected.units and activation in (("softmax", "linear") if logits
                                                  else ("softmax",))
    verdicts.append(test("softmax").verdict(out_ok, (
        tr("{units} {activation} units.", units=units, activation=activation) if out_ok else
        tr("Expected a last Dense layer of 26 units with softmax (labels go up to 24, Z=25 "
           "absent); found {units} unit(s) with {activation}.",
           units=units, activation=repr(info.get("output_activation"))))))
    loss = keras_names.canonical(info.get("loss"))
    mismatch = logits and activation == "softmax"
    loss_ok = loss == "sparse_categorical_crossentropy" and not mismatch
    found_loss = repr(info.get("loss_spelled") or info.get("loss"))
    verdicts.append(test("loss").verdict(loss_ok, (
        tr("{loss} fits integer labels.", loss=info.get("loss_spelled") or loss) if loss_ok else
        (keras_names.logits_problem(info) if mismatch else None) or (
            tr("Labels are integers (0-24), so use loss='sparse_categorical_crossentropy'; "
               "found {loss} (it needs one-hot labels).", loss=found_loss)
            if loss == "categorical_crossentropy" else
            tr("Labels are integers (0-24), so use loss='sparse_categorical_crossentropy'; "
               "found {loss}.", loss=found_loss)))))
    kinds = [keras_names.canonical(k) for k in info.get("metric_kinds") or info.get("metrics")
             or []]
    acc = any(k in ("accuracy", "sparse_categorical_accuracy") for k in kinds)
    verdicts.append(test("accuracy").verdict(acc, (
        tr("Accuracy is tracked.") if acc else
        tr("Expected metrics=['accuracy'] in compile; found {metrics}. With "
           "integer labels, 'accuracy' or SparseCategoricalAccuracy.",
           metrics=info.get("metrics")))))
    verdicts.append(training_verdict(ctx, test("learns")))
    return verdicts


SPEC = AssignmentSpec(
    code="C2W4",
    title="Multi-class classification: Sign Language MNIST",
    functions=FUNCTIONS,
    parts=parts(EXPECTED),
    pass_mark=80.0,
    history=None,
    probe_timeouts={"parse_data_from_input": 120, "train_val_generators": 90,
                    "create_model": 90, "train": 300, "generators_clean": 90},
    clean_probes={"train": "create_model", "generators_clean": "train_val_generators"},
    prepare=prepare,
    checks=CHECKS,
    probes=probes.PROBES,
    probe_module=probes.__name__,
    fixtures=fixtures.sign_mnist,
    images=IMAGES,
    expected=EXPECTED,
    module=__name__,
)
