"""C2W3's create_pre_trained_model: a frozen InceptionV3 holding the weights of the file it
is given, told apart by fingerprint from a fresh initialisation and from the copy laid out at
the course's /tmp path. Split out of c2w3.py."""

from __future__ import annotations

import functools
from pathlib import Path

from grader.assignments.common import fixtures
from grader.assignments.common.feedback import call_problem
from grader.i18n import N_, say, tr
from grader.model.spec import Context, PartSpec, Verdict, all_fail
from grader.sandbox import course_paths

PRE_TRAINED_PARAMS = 21_802_784
PRE_TRAINED_TESTS = (
    N_("InceptionV3 without its top, input (150, 150, 3)"),
    N_("weights loaded from the file it is given"),
    N_("every layer frozen: 0 trainable parameters"),
    N_("21,802,784 parameters"),
)

# --------------------------------------------------------------------------- child side

def trainable_count(model) -> int:
    import numpy as np

    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def probe_pre_trained(ns: dict, args: dict) -> dict:
    """Learner side: call the function, then export the model's configuration and save its
    weights; the parent fingerprints the saved weights and a clean child the architecture."""
    from grader.sandbox.probe_tools import call_learner, export_model

    call = call_learner(ns, "create_pre_trained_model", args["weights"])
    obs: dict = {"call": call.summary()}
    if not call.ok or not hasattr(call.value, "layers"):
        obs["returned"] = type(call.value).__name__
        return obs
    model = call.value
    obs["export"] = export_model(model)
    try:
        model.save_weights(args["saved_weights"])
    except Exception as exc:  # noqa: BLE001 - reported, judged by the parent
        obs["save_error"] = f"{type(exc).__name__}: {exc}"[:300]
    return obs


def probe_pre_trained_clean(ns: dict, args: dict) -> dict:
    from grader.sandbox.probe_tools import clean_model

    model, obs = clean_model(args)
    if model is None:
        return obs
    info = obs["model"]
    info["trainable_params"] = trainable_count(model)
    info["trainable_layers"] = sum(1 for layer in model.layers
                                   if layer.trainable and layer.weights)
    info["has_mixed7"] = any(layer.name == "mixed7" for layer in model.layers)
    return obs


# --------------------------------------------------------------------------- parent side

COURSE_WEIGHTS = f"/tmp/{fixtures.WEIGHTS_FILE}"


@functools.lru_cache(maxsize=4)
def fixture_fingerprint(path: str) -> dict:
    """Of a fixture file in the cache (never of learner output): ~90 MB read once."""
    return fixtures.h5_fingerprint(Path(path))


def _saved_fingerprint(ctx: Context) -> dict:
    """Fingerprint of the weights the model held, read by the grader from the saved file."""
    path = ctx.workdir / "exports" / "pretrained.weights.h5"
    if not path.is_file() or path.is_symlink() or path.stat().st_size > 512 * 2**20:
        return {}
    try:
        return fixtures.h5_fingerprint(path)
    except (OSError, ValueError):
        return {}


def _same_weights(got: dict, want: dict) -> bool:
    return (got.get("count") == want["count"]
            and abs(got.get("sum", 0) - want["sum"]) <= 1e-6 * max(1.0, abs(want["sum"]))
            and abs(got.get("sumsq", 0) - want["sumsq"]) <= 1e-6 * want["sumsq"])


def check_pre_trained(ctx: Context, part: PartSpec) -> list[Verdict]:
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
    verdicts: list[Verdict] = []
    shape_ok = (info.get("input_shape") == [None, 150, 150, 3]
                and info.get("output_shape") == [None, 3, 3, 2048] and info.get("has_mixed7"))
    verdicts.append((PRE_TRAINED_TESTS[0], shape_ok, (
        tr("InceptionV3, no top, 150x150x3.") if shape_ok else
        tr("Expected InceptionV3(input_shape=(150, 150, 3), include_top=False, weights=None); "
           "found input {input_shape} and output {output_shape}.",
           input_shape=info.get("input_shape"), output_shape=info.get("output_shape")))))
    got = _saved_fingerprint(ctx)
    if _same_weights(got, ctx.prepared["fingerprint"]):
        verdicts.append((PRE_TRAINED_TESTS[1], True,
                         tr("The model holds exactly the weights of the file passed in.")))
    elif _same_weights(got, ctx.prepared["course_fingerprint"]):
        verdicts.append((PRE_TRAINED_TESTS[1], False, course_paths.arguments_verdict(
            "create_pre_trained_model", [("local_weights_file", ctx.prepared["weights"],
                                          COURSE_WEIGHTS)], True)[2]))
    else:
        verdicts.append((PRE_TRAINED_TESTS[1], False, tr(
            "The model's weights are not those of the file passed as local_weights_file. Call "
            "pre_trained_model.load_weights(local_weights_file) with the argument, not a "
            "hard-coded path, and build InceptionV3 with weights=None.")))
    trainable = info.get("trainable_params")
    verdicts.append((PRE_TRAINED_TESTS[2], trainable == 0, (
        tr("No trainable parameters.") if trainable == 0 else
        tr("{trainable:,} parameters are still trainable in {layers} layer(s). Set "
           "layer.trainable = False for every layer of pre_trained_model.layers.",
           trainable=trainable, layers=info.get("trainable_layers")))))
    params = info.get("params")
    verdicts.append((PRE_TRAINED_TESTS[3], params == PRE_TRAINED_PARAMS, (
        tr("{params:,} parameters.", params=params) if params == PRE_TRAINED_PARAMS else
        tr("Expected {expected:,} parameters; found {params}.",
           expected=PRE_TRAINED_PARAMS, params=params))))
    return verdicts
