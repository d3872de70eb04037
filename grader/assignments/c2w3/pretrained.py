"""C2W3's create_pre_trained_model: a frozen InceptionV3 holding the weights of the file it
is given, told apart by fingerprint from a fresh initialisation and from the copy laid out at
the course's /tmp path. Its probes are in probes.py."""

from __future__ import annotations

import functools
from pathlib import Path

from grader.assignments.common import fixtures, observers
from grader.assignments.common.feedback import call_problem
from grader.i18n import say, tr
from grader.model.spec import Context, PartSpec, Test, Verdict, all_fail
from grader.sandbox import course_paths

PRE_TRAINED_PARAMS = 21_802_784
# create_pre_trained_model's checks; C2W3 and C2W3v4 weigh them, and C2W3v4 names the
# weights' file otherwise (a "weights" test of its own).
INCEPTION = Test("inception", "InceptionV3 without its top, input (150, 150, 3)")
WEIGHTS = Test("weights", "weights loaded from the file it is given")
FROZEN = Test("frozen", "every layer frozen: 0 trainable parameters")
PARAMS = Test("params", "{params:,} parameters", params={"params": PRE_TRAINED_PARAMS})
PRE_TRAINED_TESTS = (INCEPTION, WEIGHTS, FROZEN, PARAMS)


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
    shape_ok = (info.get("input_shape") == [None, 150, 150, 3]
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
    params = info.get("params")
    verdicts.append(test("params").verdict(params == PRE_TRAINED_PARAMS, (
        tr("{params:,} parameters.", params=params) if params == PRE_TRAINED_PARAMS else
        tr("Expected {expected:,} parameters; found {params}.",
           expected=PRE_TRAINED_PARAMS, params=params))))
    return verdicts
