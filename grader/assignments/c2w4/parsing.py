"""C2W4's first part, parse_data_from_input: the arrays it returns, judged from the files
the probe saved, and its speed extrapolated to the course's real CSV."""

from __future__ import annotations

import math

from grader.assignments.c2w4.probes import saved_array
from grader.assignments.common.feedback import describe_error, outcome_problem
from grader.i18n import tr
from grader.model.spec import Context, PartSpec, Test, Verdict, all_fail
from grader.sandbox import course_paths

REAL_ROWS = 27_455
PARSE_BUDGET_S = 60.0

PARSE_TESTS = (  # C2W4's spec weighs them
    Test("arrays", "returns (images, labels) as numpy arrays"),
    Test("shapes", "shapes are (N, 28, 28) and (N,)"),
    Test("dtypes", "both are float64"),
    Test("values", "values equal the CSV, header skipped"),
    Test("fast", "fast enough for the real {rows:,}-row file", params={"rows": REAL_ROWS}),
)
COURSE_TRAIN = "sign_mnist_train.csv"  # TRAINING_FILE in the notebook, relative to its folder


def predict_real_seconds(timings: list[dict]) -> tuple[float, float]:
    """Extrapolate from two file sizes to the real file; the exponent is fitted between 1
    (linear) and 2 (quadratic, e.g. np.append in a loop). Returns (seconds, exponent)."""
    small, large = timings
    exponent = 1.0
    if small["seconds"] > 0.05:
        exponent = math.log(large["seconds"] / small["seconds"]) / math.log(
            large["rows"] / small["rows"])
        exponent = min(max(exponent, 1.0), 2.0)
    return large["seconds"] * (REAL_ROWS / large["rows"]) ** exponent, exponent


def _saved_array(ctx: Context, name: str) -> dict | None:
    """Summary of an array the probe saved, read by the grader itself (no pickles)."""
    return ctx.fact(saved_array, str(ctx.workdir / "exports" / f"{name}.npy"), 256 * 2**20)


def check_parse(ctx: Context, part: PartSpec) -> list[Verdict]:
    outcome = ctx.outcomes.get("parse_data_from_input")
    problem = outcome_problem("parse_data_from_input", outcome)
    if problem:
        return all_fail(part, problem)
    obs = outcome.observation
    if not obs["call"]["ok"]:
        return all_fail(part, describe_error("parse_data_from_input", obs["call"]["error"]))
    # Values are judged only from the saved files; the in-process summary (which a
    # submission could forge) serves for shapes in messages, never for the hash.
    images, labels = (_saved_array(ctx, name) or {**(obs.get(name) or {}), "sha256": None}
                      for name in ("images", "labels"))
    if not images or not labels or "shape" not in images or "shape" not in labels:
        return all_fail(part, tr(
            "parse_data_from_input returned {returned}; expected a tuple "
            "(images, labels) of numpy arrays.", returned=obs.get("returned")))
    rows = ctx.prepared["rows"]
    test = part.test
    verdicts: list[Verdict] = [test("arrays").verdict(True, tr("Two numpy arrays."))]
    shapes_ok = images["shape"] == [rows, 28, 28] and labels["shape"] == [rows]
    found_shapes = {"images": tuple(images["shape"]), "labels": tuple(labels["shape"])}
    verdicts.append(test("shapes").verdict(shapes_ok, (
        tr("Shapes {images} and {labels}.", **found_shapes) if shapes_ok else
        " ".join([
            tr("Expected shapes ({rows}, 28, 28) and ({rows},) for a {rows}-row file; found "
               "{images} and {labels}.", rows=rows, **found_shapes),
            *([tr("One row too many: skip the header line with next(reader).")]
              if labels["shape"] == [rows + 1] else []),
            tr("Reshape the 784 pixels of each row to 28x28.")]))))
    dtypes_ok = images["dtype"] == "float64" and labels["dtype"] == "float64"
    verdicts.append(test("dtypes").verdict(dtypes_ok, (
        tr("Both float64.") if dtypes_ok else
        tr("Expected float64 arrays; found {images} and {labels}. Build them "
           "with np.array(..., dtype=np.float64) (or .astype(np.float64)).",
           images=images["dtype"], labels=labels["dtype"]))))
    values_ok = (images.get("sha256") == ctx.prepared["images_sha256"]
                 and labels.get("sha256") == ctx.prepared["labels_sha256"])
    if values_ok:
        verdicts.append(test("values").verdict(
            True, tr("Every label and pixel matches the CSV.")))
    elif images.get("sha256") == ctx.prepared["course_images_sha256"]:
        verdicts.append(test("values").verdict(False, course_paths.arguments_verdict(
            "parse_data_from_input", [("filename", ctx.prepared["train_file"],
                                       f"./{COURSE_TRAIN}")], True)[2]))
    else:
        verdicts.append(test("values").verdict(False, tr(
            "The values differ from the CSV: the first labels should be "
            "{expected}, found {found}. The first column is "
            "the label, the other 784 are pixels; skip the header row, keep rows in order.",
            expected=ctx.prepared["labels_head"], found=labels.get("head"))))
    timings = obs.get("timings") or []
    if len(timings) == 2 and all(t["ok"] for t in timings):
        seconds, exponent = predict_real_seconds(timings)
        measured = ", ".join(tr("{rows} rows in {seconds:.2f} s", rows=t["rows"],
                                seconds=t["seconds"]) for t in timings)
        fast = seconds <= PARSE_BUDGET_S
        facts = {"measured": measured, "real_rows": REAL_ROWS, "seconds": seconds,
                 "limit": PARSE_BUDGET_S}
        timing = (tr("Measured {measured}; growing linearly, the real {real_rows:,}-row file "
                     "would take about {seconds:.0f} s (limit {limit:.0f} s).", **facts)
                  if exponent < 1.2 else
                  tr("Measured {measured}; growing as rows^{exponent:.1f}, the real "
                     "{real_rows:,}-row file would take about {seconds:.0f} s (limit "
                     "{limit:.0f} s).", exponent=exponent, **facts))
        verdicts.append(test("fast").verdict(fast, (
            timing + ("" if fast else " " + tr(
                "Collect rows in a Python list and convert once at the end "
                "instead of np.append/np.vstack inside the loop.")))))
    else:
        verdicts.append(test("fast").verdict(
            False, tr("parse_data_from_input failed on the larger timing files.")))
    return verdicts
