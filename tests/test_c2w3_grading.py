"""C2W3: frozen InceptionV3 loaded from the given weights file, mixed7, and the new head."""

from __future__ import annotations

import pytest
from conftest import (
    apply_variants,
    assert_fails_exactly,
    dump,
    failing,
    grading_options,
    load_solution,
    parts,
    solution_path,
    template_path,
    variant_groups,
    write,
)

from grader.assignments import get_spec
from grader.pipeline.grade import grade

SPEC = get_spec("C2W3")
NAME = "C2W3_Assignment.ipynb"


def run(path, **options):
    return grade(SPEC, path, None, grading_options(**options))


def test_reference_solution_scores_100():
    result = run(solution_path("C2W3"))
    assert result.score == 100, dump(result)


def test_blank_template_scores_0():
    result = run(template_path("C2W3"))
    assert result.score == 0, dump(result)


VARIANTS = {
    "weights_not_loaded": (
        "c2w3-create-pre-trained-model", "    pre_trained_model.load_weights(local_weights_file)",
        "", "create_pre_trained_model", "weights loaded from the file it is given"),
    "weights_from_hard_coded_path": (
        "c2w3-create-pre-trained-model", "load_weights(local_weights_file)",
        "load_weights('/tmp/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5')",
        "create_pre_trained_model", "weights loaded from the file it is given"),
    "layers_left_trainable": (
        "c2w3-create-pre-trained-model", "layer.trainable = False", "layer.trainable = True",
        "create_pre_trained_model", "every layer frozen: 0 trainable parameters"),
    "mixed6": (
        "c2w3-output-of-last-layer", "get_layer('mixed7')", "get_layer('mixed6')",
        "output_of_last_layer", "returns the output of layer 'mixed7'"),
    "head_without_dropout": (
        "c2w3-create-final-model", "    x = layers.Dropout(0.2)(x)\n", "", "create_final_model",
        "Flatten, Dense(1024, relu), Dropout(0.2), Dense(1, sigmoid) on mixed7"),
    "head_of_512_units": (
        "c2w3-create-final-model", "layers.Dense(1024,", "layers.Dense(512,",
        "create_final_model", "47,512,481 parameters, 38,537,217 trainable"),
    "wrong_loss": (
        "c2w3-create-final-model", "loss='binary_crossentropy'", "loss='mse'",
        "create_final_model", "RMSprop(learning_rate=0.0001), binary_crossentropy, accuracy"),
    "callback_stops_too_early": (
        "c2w3-callback", "0.999", "0.99", "myCallback", "keeps training while accuracy <= 0.999"),
}


@pytest.mark.parametrize("group", variant_groups(VARIANTS), ids="+".join)
def test_broken_variants_fail_exactly_their_checks(group, tmp_path):
    result = run(write(apply_variants(load_solution("C2W3"), VARIANTS, group), tmp_path, NAME))
    assert_fails_exactly(result, VARIANTS, group)


def test_keras3_explains_output_shape():
    result = run(solution_path("C2W3"), keras="3")
    assert set(failing(result)) == {"output_of_last_layer"}, dump(result)
    message = parts(result)["output_of_last_layer"]["tests"][0]["message"]
    assert "output_shape" in message and "last_desired_layer.output.shape" in message
    assert result.keras == "3"
