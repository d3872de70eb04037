"""C2W3: transfer learning on horses vs humans with a frozen InceptionV3.

The pre-trained weights file is an untrained InceptionV3 saved in Keras 2's HDF5 format
under the course's file name; since its values are known to the grader (and differ from
any fresh initialisation), a model that holds them has provably loaded that very file.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

from grader.assignments.c2w2 import spec as c2w2
from grader.assignments.c2w3 import probes
from grader.assignments.c2w3.callback import CALLBACK_TESTS, check_callback
from grader.assignments.c2w3.pretrained import (
    COURSE_WEIGHTS,
    PRE_TRAINED_TESTS,
    check_pre_trained,
    fixture_fingerprint,
)
from grader.assignments.c2w3.probes import SEED
from grader.assignments.common import fixtures, generators
from grader.assignments.common.feedback import call_problem, describe_error, outcome_problem
from grader.assignments.common.models import tracks_accuracy
from grader.i18n import say, tr
from grader.model import keras_names
from grader.model.spec import (
    AssignmentSpec,
    Checks,
    Context,
    PartSpec,
    Test,
    Verdict,
    all_fail,
    part,
    weigh,
)
from grader.sandbox import course_paths

FUNCTIONS = ("train_val_generators", "create_pre_trained_model", "output_of_last_layer",
             "create_final_model", "myCallback")
FINAL_PARAMS = 47_512_481
FINAL_TRAINABLE = 38_537_217
LEARNING_RATE = 1e-4

BATCH_SETTINGS = Test("batch_settings", "batch_size 32 and class_mode 'binary'")
GENERATOR_TESTS = (  # C2W1's checks but the class_mode one, and C2W2's augmentation
    generators.RETURNS.worth(4), generators.YIELDS.worth(4), generators.RESCALES.worth(3),
    generators.FINDS.worth(3), BATCH_SETTINGS.worth(3), c2w2.AUGMENTS.worth(4),
    c2w2.VALIDATION_PLAIN.worth(2), course_paths.ARGUMENTS.worth(2),
)
LAST_LAYER_TESTS = (  # C2W3v4's too
    Test("mixed7", "returns the output of layer 'mixed7'", points=10),
    Test("shape", "output shape (None, 7, 7, 768)", points=5),
)


def final_tests(rate: float) -> tuple[Test, ...]:
    """create_final_model's checks, compiled with RMSprop at `rate` (C2W3v4's too)."""
    return (
        Test("head", "Flatten, Dense(1024, relu), Dropout(0.2), Dense(1, sigmoid) on mixed7",
             points=9),
        Test("inputs", "built from pre_trained_model.input", points=4),
        Test("counts", "{params:,} parameters, {trainable:,} trainable", points=9,
             params={"params": FINAL_PARAMS, "trainable": FINAL_TRAINABLE}),
        # the rate as the notebook writes it: 0.00001, not 1e-05
        Test("compile", "RMSprop(learning_rate={rate}), binary_crossentropy, accuracy",
             points=6, params={"rate": format(Decimal(repr(rate)), "f")}),
        Test("lowers_loss", "training the head lowers the loss", points=7),
    )


PARTS = (
    part("train_val_generators", GENERATOR_TESTS,
         probes=("train_val_generators", "generators_clean")),
    part("create_pre_trained_model",
         weigh(PRE_TRAINED_TESTS, inception=5, weights=10, frozen=7, params=3),
         probes=("create_pre_trained_model", "pretrained_clean")),
    part("output_of_last_layer", LAST_LAYER_TESTS, probes=("output_of_last_layer",)),
    part("create_final_model", final_tests(LEARNING_RATE),
         probes=("create_final_model", "final_model_training")),
    # The course provides myCallback ready-made: checked (a learner may break it) but worth
    # no points, so the blank template still scores 0.
    part("myCallback", weigh(CALLBACK_TESTS, goes_on=0, stops=0), probes=("myCallback",)),
)


def prepare(workdir: Path) -> tuple[dict, dict[str, dict]]:
    data = fixtures.horses_or_humans()
    weights = fixtures.inception_weights()
    (workdir / "weights").mkdir()
    (workdir / "exports").mkdir()
    local_weights = workdir / "weights" / fixtures.WEIGHTS_FILE
    shutil.copyfile(weights, local_weights)
    shutil.copytree(data.training, workdir / "training")
    shutil.copytree(data.validation, workdir / "validation")
    counts = {part: sum(fixtures.HORSES_COUNTS[part].values()) for part in fixtures.HORSES_COUNTS}
    course_weights = fixtures.course_weights()
    prepared = {"counts": counts, "classes": ["horses", "humans"],
                "fingerprint": fixture_fingerprint(str(weights)),
                "course_fingerprint": fixture_fingerprint(str(course_weights)),
                "weights": str(local_weights),
                "generator_dirs": [str(workdir / "training") + "/",
                                   str(workdir / "validation") + "/"],
                "course": {  # where the notebook's own paths point
                    "train_val_generators": {"/tmp/training": str(workdir / "training"),
                                             "/tmp/validation": str(workdir / "validation")},
                    "create_pre_trained_model": {COURSE_WEIGHTS: str(course_weights)}}}
    args = {
        "train_val_generators": {"training": str(workdir / "training") + "/",
                                 "validation": str(workdir / "validation") + "/",
                                 "exports": str(workdir / "exports")},
        "create_pre_trained_model": {
            "weights": str(local_weights),
            "saved_weights": str(workdir / "exports" / "pretrained.weights.h5")},
        "pretrained_clean": {"seed": SEED},
        "final_model_training": {"training": str(workdir / "training"), "steps": 3,
                                 "seed": SEED},
    }
    return prepared, args


CHECKS = Checks()


@CHECKS.part("train_val_generators")
def check_generators(ctx: Context, part: PartSpec) -> list[Verdict]:
    verdicts = c2w2.check_train_val_generators(ctx, part)
    by_name = {name: (ok, message) for name, ok, message in verdicts}
    problem, gens = generators.generator_observations(
        ctx, "samples", "ImageDataGenerator(...).flow_from_directory(...)")
    name = part.test("batch_settings").name
    if problem:
        settings = (False, problem)
    else:
        found = [(g.get("batch_size"), g.get("class_mode")) for g in gens]
        ok = all(f == (32, "binary") for f in found)
        settings = (ok, tr("batch_size 32, class_mode 'binary' on both.") if ok else tr(
            "Expected batch_size=32 and class_mode='binary' on both generators; found "
            "{training} (training) and {validation} (validation).",
            training=found[0], validation=found[1]))
    by_name[name] = settings
    return [(n, *by_name.get(n, (False, tr("Not checked.")))) for n in part.test_names]


def _missing_output_shape(outcome) -> bool:
    """Whether the call failed on Keras 3's missing `layer.output_shape` (read from the
    error itself, never from the wording of the message about it)."""
    obs = (outcome.observation if outcome else None) or {}
    error = obs.get("probe_error") or (obs.get("call") or {}).get("error") or {}
    where = error.get("where") or {}
    text = f"{error.get('type')} {error.get('message')} {where.get('code', '')}"
    return "output_shape" in text and "AttributeError" in text


@CHECKS.part("output_of_last_layer")
def check_last_layer(ctx: Context, part: PartSpec) -> list[Verdict]:
    problem = call_problem(ctx, "output_of_last_layer", "output_of_last_layer")
    if problem:
        if _missing_output_shape(ctx.outcomes.get("output_of_last_layer")):
            problem += " " + tr("Keras 3 layers have no `output_shape`: print "
                                "`last_desired_layer.output.shape` instead (it works in Keras 2 "
                                "too).")
        return all_fail(part, problem)
    obs = ctx.outcomes["output_of_last_layer"].observation
    layer = obs.get("layer")
    verdicts: list[Verdict] = [part.test("mixed7").verdict(layer == "mixed7", (
        tr("The output of mixed7.") if layer == "mixed7" else
        tr("Expected pre_trained_model.get_layer('mixed7').output; found the output of "
           "{layer}.", layer=repr(layer)) if layer else
        tr("Expected the output tensor of layer 'mixed7'; found a {returned}.",
           returned=obs.get("returned"))))]
    shape = obs.get("shape")
    verdicts.append(part.test("shape").verdict(shape == [None, 7, 7, 768], (
        tr("Shape (None, 7, 7, 768).") if shape == [None, 7, 7, 768] else
        tr("Expected shape (None, 7, 7, 768); found {shape}.", shape=shape))))
    return verdicts


@CHECKS.part("create_final_model")
def check_final_model(ctx: Context, part: PartSpec) -> list[Verdict]:
    return final_model_verdicts(ctx, part, LEARNING_RATE)


def _grouped(count):
    return format(count, ",") if isinstance(count, int) else count


def final_model_verdicts(ctx: Context, part: PartSpec, rate: float) -> list[Verdict]:
    """The head, the inputs, the counts, the compile settings (RMSprop at `rate`) and brief
    training; C2W3v4's too."""
    test = part.test
    problem = call_problem(ctx, "create_final_model", "create_final_model")
    if problem:
        return all_fail(part, problem)
    learner = ctx.outcomes["create_final_model"].observation
    if "export" not in learner:
        return all_fail(part, tr("create_final_model returned {returned}, not a Keras model.",
                                 returned=learner.get("returned")))
    problem = outcome_problem(tr("Checking the model"), ctx.outcomes.get("final_model_training"))
    if problem:
        return all_fail(part, problem)
    obs = ctx.outcomes["final_model_training"].observation
    if "rebuild_error" in obs:
        return all_fail(part, tr("The grader checks a copy of your model rebuilt from its "
                                 "configuration, and it could not be rebuilt: {error}.",
                                 error=say(obs["rebuild_error"])))
    info = obs["model"]
    head = [(h["type"], h.get("units"), h.get("activation"), h.get("rate"))
            for h in info.get("head", [])]
    want = [("Flatten", None, None, None), ("Dense", 1024, "relu", None),
            ("Dropout", None, None, 0.2), ("Dense", 1, "sigmoid", None)]
    shown = ", ".join(f"{t}({', '.join(str(v) for v in (u, a, r) if v is not None)})"
                      for t, u, a, r in head) or tr("nothing")
    verdicts: list[Verdict] = [test("head").verdict(head == want, (
        tr("Flatten, Dense(1024, relu), Dropout(0.2), Dense(1, sigmoid).") if head == want else
        tr("After mixed7 expected Flatten, Dense(1024, relu), Dropout(0.2), Dense(1, sigmoid); "
           "found {layers}.", layers=shown)))]
    same = bool(learner.get("same_input"))
    verdicts.append(test("inputs").verdict(same, (
        tr("Inputs are pre_trained_model.input.") if same else
        tr("Build the model with Model(inputs=pre_trained_model.input, outputs=x)."))))
    params, trainable = info.get("params"), info.get("trainable_params")
    counts_ok = (params, trainable) == (FINAL_PARAMS, FINAL_TRAINABLE)
    verdicts.append(test("counts").verdict(counts_ok, (
        tr("{params:,} parameters, {trainable:,} trainable.", params=params,
           trainable=trainable) if counts_ok else
        tr("Expected {expected:,} parameters of which {expected_trainable:,} trainable; found "
           "{params} and {trainable}.", expected=FINAL_PARAMS,
           expected_trainable=FINAL_TRAINABLE, params=_grouped(params),
           trainable=_grouped(trainable)))))
    lr = info.get("learning_rate")
    loss_ok = keras_names.output_kind(info) == "binary"
    compile_ok = (keras_names.canonical(info.get("optimizer")) == "rmsprop" and lr is not None
                  and abs(lr - rate) < rate * 1e-6 and loss_ok and tracks_accuracy(info))
    verdicts.append(test("compile").verdict(compile_ok, (
        tr("Compiled as asked.") if compile_ok else
        tr("Expected RMSprop(learning_rate={rate:g}), loss='binary_crossentropy', "
           "metrics=['accuracy']; found {optimizer} (learning rate {lr}), {loss}, {metrics}.",
           rate=rate, optimizer=info.get("optimizer"),
           lr=format(lr, ".3g") if isinstance(lr, float) else lr,
           loss=repr(info.get("loss_spelled") or info.get("loss")), metrics=info.get("metrics"))
        + (" " + keras_names.logits_problem(info) if not loss_ok
           and keras_names.logits_problem(info) else ""))))
    if "fit_error" in obs:
        verdicts.append(test("lowers_loss").verdict(False, tr(
            "Training the head failed: {error}",
            error=describe_error("model.fit", obs["fit_error"], bare=True))))
    else:
        loss = obs.get("loss") or {}
        lowered = obs.get("loss_finite") and loss.get("after", 1e9) < loss.get("before", 0)
        verdicts.append(test("lowers_loss").verdict(bool(lowered), (
            tr("Loss went from {before:.3f} to {after:.3f} in {steps} steps.",
               before=loss.get("before"), after=loss.get("after"), steps=loss.get("steps"))
            if lowered else
            tr("After {steps} training steps the loss did not go down ({before} -> {after}): "
               "check the learning rate and that the head layers are trainable.",
               steps=loss.get("steps"), before=loss.get("before"), after=loss.get("after")))))
    return verdicts


CHECKS.part("create_pre_trained_model")(check_pre_trained)
CHECKS.part("myCallback")(check_callback)


SPEC = AssignmentSpec(
    code="C2W3",
    title="Transfer learning: horses vs humans with InceptionV3",
    functions=FUNCTIONS,
    parts=PARTS,
    pass_mark=80.0,
    history=None,
    probe_timeouts={"train_val_generators": 90, "create_pre_trained_model": 180,
                    "output_of_last_layer": 120, "create_final_model": 120,
                    "final_model_training": 300, "myCallback": 30, "generators_clean": 90,
                    "pretrained_clean": 180},
    clean_probes={"final_model_training": "create_final_model",
                  "pretrained_clean": "create_pre_trained_model",
                  "generators_clean": "train_val_generators"},
    prepare=prepare,
    checks=CHECKS,
    probes=probes.PROBES,
    probe_module=probes.__name__,
    fixtures=lambda: (fixtures.horses_or_humans(), fixtures.inception_weights()),
    images=generators.IMAGES,
    module=__name__,
)
