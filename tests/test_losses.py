"""Tests of skrobust.losses: hand-computed values and each loss's defining property."""

import math

import numpy as np
import pytest

import keras

from skrobust import losses

pytestmark = pytest.mark.slow  # every test here runs TensorFlow


def value(loss, y_true, y_pred):
    return float(loss(np.asarray(y_true, "float32"), np.asarray(y_pred, "float32")))


def one_hot(k, n_classes):
    return np.eye(n_classes, dtype="float32")[k]


@pytest.fixture(scope="module")
def probabilities():
    """Random softmax outputs: 6 samples, 4 classes."""
    logits = np.random.RandomState(0).normal(size=(6, 4))
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return p.astype("float32")


def test_mae_matches_hand_computed_value():
    # |0 - 0.2| + |1 - 0.7| + |0 - 0.1| = 0.6 = 2 * (1 - 0.7)
    assert value(losses.MAELoss(), [[0, 1, 0]], [[0.2, 0.7, 0.1]]) == pytest.approx(0.6, rel=1e-6)


def test_mae_averages_over_the_batch():
    y_true = [[0, 1], [1, 0]]
    y_pred = [[0.5, 0.5], [0.9, 0.1]]  # 2 * 0.5 and 2 * 0.1
    assert value(losses.MAELoss(), y_true, y_pred) == pytest.approx(0.6, rel=1e-6)


def test_mae_sum_over_all_labels_is_constant(probabilities):
    """Ghosh et al.'s symmetry: sum_k L(p, e_k) = 2 (K - 1) for any prediction p."""
    n_samples, n_classes = probabilities.shape
    for p in probabilities:
        total = sum(
            value(losses.MAELoss(), one_hot([k], n_classes), p[None]) for k in range(n_classes)
        )
        assert total == pytest.approx(2 * (n_classes - 1), rel=1e-5)


def test_gce_matches_hand_computed_value():
    # (1 - 0.25 ** 0.5) / 0.5 = 1.0
    assert value(losses.GCELoss(q=0.5), [[0, 1]], [[0.75, 0.25]]) == pytest.approx(1.0, rel=1e-6)


def test_gce_at_q_one_is_one_minus_p_y(probabilities):
    y_true = one_hot([0, 1, 2, 3, 0, 1], 4)
    expected = np.mean(1 - probabilities[np.arange(6), [0, 1, 2, 3, 0, 1]])
    assert value(losses.GCELoss(q=1.0), y_true, probabilities) == pytest.approx(expected, rel=1e-5)
    # ... which is half the MAE
    half_mae = value(losses.MAELoss(), y_true, probabilities) / 2
    assert value(losses.GCELoss(q=1.0), y_true, probabilities) == pytest.approx(half_mae, rel=1e-5)


def test_gce_tends_to_cross_entropy_as_q_goes_to_zero(probabilities):
    y_true = one_hot([0, 1, 2, 3, 0, 1], 4)
    ce = value(losses.CrossEntropyLoss(), y_true, probabilities)
    # (1 - p**q) / q = -log p - q (log p)**2 / 2 + ...; at q = 1e-3 the gap is < 1e-2 here.
    assert value(losses.GCELoss(q=1e-3), y_true, probabilities) == pytest.approx(ce, abs=1e-2)


def test_sce_matches_hand_computed_value():
    # CE = log 2, RCE = -A (1 - 0.5) = 4 * 0.5 = 2
    expected = 0.1 * math.log(2) + 1.0 * 2.0
    assert value(losses.SCELoss(alpha=0.1, beta=1.0), [[0, 1]], [[0.5, 0.5]]) == pytest.approx(
        expected, rel=1e-6
    )


def test_sce_reverse_term_is_minus_a_times_one_minus_p_y(probabilities):
    y_true = one_hot([0, 1, 2, 3, 0, 1], 4)
    p_y = probabilities[np.arange(6), [0, 1, 2, 3, 0, 1]]
    expected = np.mean(-losses.RCE_LOG_ZERO * (1 - p_y))
    assert losses.RCE_LOG_ZERO == -4.0
    rce_only = losses.SCELoss(alpha=0.0, beta=1.0)
    assert value(rce_only, y_true, probabilities) == pytest.approx(expected, rel=1e-5)


def test_sce_with_alpha_one_beta_zero_is_cross_entropy(probabilities):
    y_true = one_hot([3, 2, 1, 0, 3, 2], 4)
    ce = value(losses.CrossEntropyLoss(), y_true, probabilities)
    assert value(losses.SCELoss(alpha=1.0, beta=0.0), y_true, probabilities) == pytest.approx(
        ce, rel=1e-6
    )


def test_nce_rce_matches_hand_computed_value():
    # p = (0.2, 0.7, 0.1), label 1: NCE = log 0.7 / (log 0.2 + log 0.7 + log 0.1),
    # RCE = 4 * (1 - 0.7) = 1.2
    nce = math.log(0.7) / (math.log(0.2) + math.log(0.7) + math.log(0.1))
    expected = 2.0 * nce + 0.5 * 1.2
    got = value(losses.NCERCELoss(alpha=2.0, beta=0.5), [[0, 1, 0]], [[0.2, 0.7, 0.1]])
    assert got == pytest.approx(expected, rel=1e-6)


def test_nce_mae_matches_hand_computed_value():
    # NCE as above (alpha 1), MAE = 2 * (1 - 0.7) = 0.6 (beta 3)
    nce = math.log(0.7) / (math.log(0.2) + math.log(0.7) + math.log(0.1))
    got = value(losses.NCEMAELoss(alpha=1.0, beta=3.0), [[0, 1, 0]], [[0.2, 0.7, 0.1]])
    assert got == pytest.approx(nce + 3 * 0.6, rel=1e-6)


def test_normalized_cross_entropy_sums_to_one_over_all_labels(probabilities):
    """Ma et al.'s normalization: sum_k NCE(p, e_k) = 1 for any prediction p."""
    n_samples, n_classes = probabilities.shape
    nce_only = losses.NCERCELoss(alpha=1.0, beta=0.0)
    for p in probabilities:
        total = sum(value(nce_only, one_hot([k], n_classes), p[None]) for k in range(n_classes))
        assert total == pytest.approx(1.0, rel=1e-5)


def test_active_passive_passive_terms_are_rce_and_mae(probabilities):
    y_true = one_hot([0, 1, 2, 3, 0, 1], 4)
    rce = value(losses.SCELoss(alpha=0.0, beta=1.0), y_true, probabilities)
    mae = value(losses.MAELoss(), y_true, probabilities)
    assert value(losses.NCERCELoss(alpha=0.0), y_true, probabilities) == pytest.approx(rce, rel=1e-6)
    assert value(losses.NCEMAELoss(alpha=0.0), y_true, probabilities) == pytest.approx(mae, rel=1e-6)


def test_cross_entropy_matches_keras(probabilities):
    y_true = one_hot([0, 1, 2, 3, 0, 1], 4)
    expected = float(keras.losses.CategoricalCrossentropy()(y_true, probabilities))
    assert value(losses.CrossEntropyLoss(), y_true, probabilities) == pytest.approx(expected, rel=1e-5)
    assert value(losses.CrossEntropyLoss(), [[1, 0]], [[0.5, 0.5]]) == pytest.approx(math.log(2), rel=1e-6)


@pytest.mark.parametrize("name", ["mae", "gce", "sce", "nce_rce", "nce_mae", "cross_entropy"])
def test_losses_and_gradients_stay_finite_at_certain_predictions(name):
    import tensorflow as tf

    loss = losses.get_loss(name)
    y_true = tf.constant([[0.0, 1.0], [1.0, 0.0]])
    y_pred = tf.Variable([[1.0, 0.0], [1.0, 0.0]])  # one sure and wrong, one sure and right
    with tf.GradientTape() as tape:
        out = loss(y_true, y_pred)
    grad = tape.gradient(out, y_pred)
    assert np.isfinite(float(out))
    assert np.all(np.isfinite(grad.numpy()))


@pytest.mark.parametrize(
    "loss",
    [
        losses.MAELoss(),
        losses.GCELoss(q=0.3),
        losses.SCELoss(alpha=0.5, beta=2.0),
        losses.NCERCELoss(alpha=10.0, beta=0.1),
        losses.NCEMAELoss(alpha=2.0, beta=3.0),
    ],
)
def test_losses_round_trip_through_keras_serialization(loss):
    restored = keras.losses.deserialize(keras.losses.serialize(loss))
    assert type(restored) is type(loss)
    assert restored.get_config() == loss.get_config()


def test_get_loss_rejects_an_unknown_name():
    with pytest.raises(ValueError, match="Unknown loss 'hinge'"):
        losses.get_loss("hinge")


@pytest.mark.parametrize("q", [0.0, -0.5, 1.5])
def test_gce_rejects_q_outside_zero_one(q):
    with pytest.raises(ValueError, match=r"q in \(0, 1\]"):
        losses.GCELoss(q=q)


@pytest.mark.parametrize("alpha, beta", [(-0.1, 1.0), (0.1, -1.0)])
@pytest.mark.parametrize("loss", [losses.SCELoss, losses.NCERCELoss, losses.NCEMAELoss])
def test_weighted_losses_reject_negative_weights(loss, alpha, beta):
    with pytest.raises(ValueError, match="alpha >= 0 and beta >= 0"):
        loss(alpha=alpha, beta=beta)
