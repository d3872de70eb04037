"""The InceptionV3 parts of C2W3 and C2W3v4. create_pre_trained_model: a frozen InceptionV3
holding the weights of the file it is given, told apart by fingerprint from a fresh
initialisation and from the copy laid out at the course's /tmp path (each week judges the
weights with its own `judge_weights`); output_of_last_layer (mixed7) and create_final_model
(the head, compiled at the learning rate each week declares). The numbers (parameter counts,
the last layer and its shape, the head, the learning rate) are each week's `Pretrained`
(model/expected.py). Their probes are in probes_pretrained.py."""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path

from grader.assignments.common import fixtures, observers
from grader.assignments.common.feedback import (
    call_problem,
    describe_error,
    outcome_problem,
)
from grader.assignments.common.models import tracks_accuracy
from grader.i18n import say, tr
from grader.model import keras_names
from grader.model.expected import Pretrained
from grader.model.spec import Context, ImageInput, PartSpec, Test, Verdict, all_fail
from grader.sandbox import course_paths

# create_pre_trained_model's checks; C2W3 and C2W3v4 weigh them, and C2W3v4 names the
# weights' file otherwise (a "weights" test of its own).
INCEPTION = Test("inception", "InceptionV3 without its top, input {shape}")
WEIGHTS = Test("weights", "weights loaded from the file it is given")
FROZEN = Test("frozen", "every layer frozen: 0 trainable parameters")
PARAMS = Test("params", "{params:,} parameters")


def pre_trained_tests(expected: Pretrained, images: ImageInput,
                      weights: Test = WEIGHTS) -> tuple[Test, ...]:
    """create_pre_trained_model's checks, named by the week's images and parameter count."""
    return (INCEPTION.worth(0, shape=images.shape), weights, FROZEN,
            PARAMS.worth(0, params=expected.pre_trained_params))


def last_layer_tests(expected: Pretrained) -> tuple[Test, ...]:
    """output_of_last_layer's: the same model in both weeks."""
    return (
        Test("mixed7", "returns the output of layer '{layer}'", points=10,
             params={"layer": expected.last_layer}),
        Test("shape", "output shape {shape}", points=5,
             params={"shape": expected.last_layer_shape}),
    )


def final_tests(expected: Pretrained) -> tuple[Test, ...]:
    """create_final_model's checks: the head on the last layer, the counts, compiled with
    RMSprop at the week's learning rate."""
    return (
        Test("head", "{head} on {layer}", points=9,
             params={"head": expected.head_described, "layer": expected.last_layer}),
        Test("inputs", "built from pre_trained_model.input", points=4),
        Test("counts", "{params:,} parameters, {trainable:,} trainable", points=9,
             params={"params": expected.final_params,
                     "trainable": expected.final_trainable}),
        # the rate as the notebook writes it: 0.00001, not 1e-05
        Test("compile", "RMSprop(learning_rate={rate}), binary_crossentropy, accuracy",
             points=6, params={"rate": format(Decimal(repr(expected.learning_rate)), "f")}),
        Test("lowers_loss", "training the head lowers the loss", points=7),
    )


def reference_args(expected: Pretrained, images: ImageInput) -> dict:
    """What the probes that build the grader's own frozen InceptionV3 are handed."""
    return {"seed": expected.seed, "shape": list(images.shape),
            "last_layer": expected.last_layer}



COURSE_WEIGHTS = f"/tmp/{fixtures.WEIGHTS_FILE}"


@functools.lru_cache(maxsize=4)
def fixture_fingerprint(path: str) -> dict:
    """Of a fixture file in the cache (never of learner output): ~90 MB read once."""
    return fixtures.h5_fingerprint(Path(path))


def _saved_fingerprint(ctx: Context) -> dict:
    """Fingerprint of the weights the model held, read by the grader from the saved file."""
    return ctx.fact(observers.weights_fingerprint,
                    str(ctx.workdir / "exports" / "pretrained.weights.h5"), 512 * 2**20)


def same_weights(got: dict, want: dict) -> bool:
    return (got.get("count") == want["count"]
            and abs(got.get("sum", 0) - want["sum"]) <= 1e-6 * max(1.0, abs(want["sum"]))
            and abs(got.get("sumsq", 0) - want["sumsq"]) <= 1e-6 * want["sumsq"])


def weights_verdict(ctx: Context, got: dict, _obs: dict) -> tuple[bool, str]:
    """C2W3's: the weights of the file passed as local_weights_file."""
    if same_weights(got, ctx.prepared["fingerprint"]):
        return True, tr("The model holds exactly the weights of the file passed in.")
    if same_weights(got, ctx.prepared["course_fingerprint"]):
        return False, course_paths.arguments_verdict(
            "create_pre_trained_model", [("local_weights_file", ctx.prepared["weights"],
                                          COURSE_WEIGHTS)], True)[2]
    return False, tr(
        "The model's weights are not those of the file passed as local_weights_file. Call "
        "pre_trained_model.load_weights(local_weights_file) with the argument, not a "
        "hard-coded path, and build InceptionV3 with weights=None.")


def check_pre_trained(ctx: Context, part: PartSpec, judge_weights=weights_verdict,
                      expected_call: str = "InceptionV3(input_shape=(150, 150, 3), "
                                            "include_top=False, weights=None)") -> list[Verdict]:
    """`judge_weights(ctx, fingerprint of the weights the model held, observation)`."""
    problem = call_problem(ctx, "create_pre_trained_model", "create_pre_trained_model")
    if problem:
        return all_fail(part, problem)
    obs = ctx.outcomes["create_pre_trained_model"].observation
    if "export" not in obs:
        return all_fail(part, tr("create_pre_trained_model did not return a Keras model."))
    if obs.get("rebuild_error"):
        return all_fail(part, tr("The grader checks a copy of your model rebuilt from its "
                                 "configuration, and it could not be rebuilt: {error}.",
                                 error=say(obs["rebuild_error"])))
    info = obs.get("model")
    if not info:
        failure = obs.get("clean_failure")
        return all_fail(part, say(failure) if failure else tr("The model could not be checked."))
    test = part.test
    shape_ok = (info.get("input_shape") == [None, *ctx.spec.images.shape]
                and info.get("output_shape") == [None, 3, 3, 2048] and info.get("has_mixed7"))
    verdicts: list[Verdict] = [test("inception").verdict(shape_ok, (
        tr("InceptionV3, no top, 150x150x3.") if shape_ok else
        tr("Expected {call}; found input {input_shape} and output {output_shape}.",
           call=expected_call, input_shape=info.get("input_shape"),
           output_shape=info.get("output_shape"))))]
    verdicts.append(test("weights").verdict(*judge_weights(ctx, _saved_fingerprint(ctx), obs)))
    trainable = info.get("trainable_params")
    verdicts.append(test("frozen").verdict(trainable == 0, (
        tr("No trainable parameters.") if trainable == 0 else
        tr("{trainable:,} parameters are still trainable in {layers} layer(s). Set "
           "pre_trained_model.trainable = False, or layer.trainable = False for every layer "
           "of pre_trained_model.layers.",
           trainable=trainable, layers=info.get("trainable_layers")))))
    params, want = info.get("params"), ctx.spec.expected.pre_trained_params
    verdicts.append(test("params").verdict(params == want, (
        tr("{params:,} parameters.", params=params) if params == want else
        tr("Expected {expected:,} parameters; found {params}.",
           expected=want, params=params))))
    return verdicts


def _missing_output_shape(outcome) -> bool:
    """Whether the call failed on Keras 3's missing `layer.output_shape` (read from the
    error itself, never from the wording of the message about it)."""
    obs = (outcome.observation if outcome else None) or {}
    error = obs.get("probe_error") or (obs.get("call") or {}).get("error") or {}
    where = error.get("where") or {}
    text = f"{error.get('type')} {error.get('message')} {where.get('code', '')}"
    return "output_shape" in text and "AttributeError" in text


def check_last_layer(ctx: Context, part: PartSpec) -> list[Verdict]:
    problem = call_problem(ctx, "output_of_last_layer", "output_of_last_layer")
    if problem:
        if _missing_output_shape(ctx.outcomes.get("output_of_last_layer")):
            problem += " " + tr("Keras 3 layers have no `output_shape`: print "
                                "`last_desired_layer.output.shape` instead (it works in Keras 2 "
                                "too).")
        return all_fail(part, problem)
    obs = ctx.outcomes["output_of_last_layer"].observation
    expected = ctx.spec.expected
    layer = obs.get("layer")
    right = layer == expected.last_layer
    verdicts: list[Verdict] = [part.test("mixed7").verdict(right, (
        tr("The output of mixed7.") if right else
        tr("Expected pre_trained_model.get_layer('mixed7').output; found the output of "
           "{layer}.", layer=repr(layer)) if layer else
        tr("Expected the output tensor of layer 'mixed7'; found a {returned}.",
           returned=obs.get("returned"))))]
    shape = obs.get("shape")
    right = shape == list(expected.last_layer_shape)
    verdicts.append(part.test("shape").verdict(right, (
        tr("Shape (None, 7, 7, 768).") if right else
        tr("Expected shape (None, 7, 7, 768); found {shape}.", shape=shape))))
    return verdicts


def _grouped(count):
    return format(count, ",") if isinstance(count, int) else count


def final_model_verdicts(ctx: Context, part: PartSpec) -> list[Verdict]:
    """The head, the inputs, the counts, the compile settings (RMSprop at the week's learning
    rate) and brief training."""
    test = part.test
    expected = ctx.spec.expected
    rate = expected.learning_rate
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
    want = [layer.described for layer in expected.head]
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
    counts_ok = (params, trainable) == (expected.final_params, expected.final_trainable)
    verdicts.append(test("counts").verdict(counts_ok, (
        tr("{params:,} parameters, {trainable:,} trainable.", params=params,
           trainable=trainable) if counts_ok else
        tr("Expected {expected:,} parameters of which {expected_trainable:,} trainable; found "
           "{params} and {trainable}.", expected=expected.final_params,
           expected_trainable=expected.final_trainable, params=_grouped(params),
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
