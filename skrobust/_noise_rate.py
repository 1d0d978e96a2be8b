"""The noise-rate estimate that skrobust's estimators act on, with its uncertainty.

Confident learning (cleanlab) counts a row as mislabelled when the
out-of-fold model is confident of another class than the given one; here
"confident" also needs a probability of at least :func:`min_confidence`, so
that a model too unsure to tell (few rows per class, honest overlap between
classes) gives no evidence of noise instead of reading its own errors as
noise. The interval comes from a bootstrap over rows of that estimate.
"""

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.utils import check_random_state

__all__ = [
    "confident_joint",
    "explains_errors",
    "min_confidence",
    "noise_forest",
    "noise_rate_interval",
]

# Evidence of a wrong label needs the out-of-fold model to give another class
# at least MIN_CONFIDENCE, or CHANCE_MULTIPLE times the chance 1 / n_classes
# where that is less (as well as cleanlab's per-class threshold): a forest
# spreads its probabilities over many classes (with 32 classes its most
# probable class is right 97% of the time at a median probability of 0.33,
# and it gives 0.5 to 0-3% of the rows once 20-40% of the labels are wrong).
# Chosen on the tuning data: see benchmarks/README.md.
MIN_CONFIDENCE = 0.5
CHANCE_MULTIPLE = 6

# A class with fewer rows gives no evidence: a model that saw a handful of its
# rows cannot tell its honest hard rows from wrong labels, so they count as
# correctly labelled (50 classes of 3 clean rows read as 18% noise without it).
MIN_CLASS_ROWS = 10

N_RESAMPLES = 100

# Acting on the estimate also needs it to account for most of the out-of-fold
# model's disagreement with the given labels. Wrong labels make confident
# disagreements; where most of the disagreements are unsure ones (classes
# that overlap honestly, a model too weak for its data) the flags are mostly
# the model's own errors and acting on them costs more than it fixes.
# Chosen on the tuning data (benchmarks/README.md).
MIN_EXPLAINED_ERROR = 0.75


def noise_forest(random_state=None):
    """The default out-of-fold model of the estimate: a random forest with leaves of 5 rows.

    CleanFirstRelabeler detects (and acts) with it, and CoTeachingClassifier
    estimates its forget rate with it, so the two estimators read the noise
    with the same model. Chosen on the tuning data (benchmarks/README.md).
    """
    return RandomForestClassifier(min_samples_leaf=5, random_state=random_state)


def min_confidence(n_classes):
    """The least probability of another class that counts as evidence of a wrong label.

    :data:`MIN_CONFIDENCE` up to 12 classes, then :data:`CHANCE_MULTIPLE`
    times the chance ``1 / n_classes``.

    >>> min_confidence(3), min_confidence(12), min_confidence(15), min_confidence(32)
    (0.5, 0.5, 0.4, 0.1875)
    """
    return min(MIN_CONFIDENCE, CHANCE_MULTIPLE / n_classes)


def _counts(y_encoded, pred_probs, weight=None):
    """cleanlab's confident joint before calibration, rows weighted by ``weight``.

    cleanlab's ``compute_confident_joint`` counting with thresholds of at
    least :func:`min_confidence` (its thresholds: the mean self-confidence of
    each class; a row's true class: its one confident class, or its most
    probable of several), done with ``bincount``: cleanlab's own call spends
    most of its time validating the inputs of scikit-learn's
    ``confusion_matrix``, which the bootstrap would pay 100 times per fit
    (tests/test_relabel.py checks that both count the same). Every class
    must have a row of positive weight.
    """
    n_samples, n_classes = pred_probs.shape
    self_confidence = pred_probs[np.arange(n_samples), y_encoded]
    weight_self = self_confidence if weight is None else weight * self_confidence
    thresholds = np.bincount(y_encoded, weights=weight_self, minlength=n_classes)
    thresholds /= np.bincount(y_encoded, weights=weight, minlength=n_classes)
    thresholds = np.maximum(thresholds, min_confidence(n_classes))
    confident = pred_probs >= thresholds - 1e-6  # cleanlab's tolerance
    n_confident = confident.sum(axis=1)
    true_guess = np.where(n_confident > 1, pred_probs.argmax(axis=1), confident.argmax(axis=1))
    rows = n_confident > 0
    # Counted as [true, given] and transposed, as cleanlab transposes its
    # confusion matrix: its calibration's rounding breaks ties by an argsort
    # whose order of equal values depends on the memory layout.
    joint = np.bincount(
        true_guess[rows] * n_classes + y_encoded[rows],
        weights=None if weight is None else weight[rows],
        minlength=n_classes * n_classes,
    ).reshape(n_classes, n_classes).T
    # cleanlab: every label has at least one row counted as correct
    np.fill_diagonal(joint, np.maximum(joint.diagonal(), 1))
    return joint


def confident_joint(y_encoded, pred_probs):
    """cleanlab's calibrated confident joint, thresholds at least :func:`min_confidence`.

    ``[i, j]`` counts the rows given label ``i`` whose true class is
    confidently ``j``; rows confident of no class are spread as cleanlab's
    calibration spreads them (each row of the joint scaled to the count of
    its label, then rounded to whole rows), and a label with no confident
    row at all counts as correct. Every class must have a row.
    """
    from cleanlab.count import calibrate_confident_joint

    return calibrate_confident_joint(_counts(y_encoded, pred_probs), y_encoded)


def explains_errors(y_encoded, pred_probs, rate):
    """Whether ``rate`` is at least :data:`MIN_EXPLAINED_ERROR` of the out-of-fold error rate.

    The error rate is the share of the rows whose out-of-fold prediction is
    not the given label (rows of NaN, not held out, count as agreeing).

    >>> import numpy as np
    >>> y = np.array([0, 0, 1, 1])
    >>> proba = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8], [0.3, 0.7]])
    >>> explains_errors(y, proba, 0.25), explains_errors(y, proba, 0.1)
    (True, False)
    """
    held_out = ~np.isnan(pred_probs).all(axis=1)
    wrong = pred_probs[held_out].argmax(axis=1) != y_encoded[held_out]
    return bool(rate >= MIN_EXPLAINED_ERROR * np.count_nonzero(wrong) / len(y_encoded))


def _rate(joint):
    """``1 - trace`` of a calibrated joint of counts, as a share of its rows."""
    return float(np.clip(1.0 - np.trace(joint) / joint.sum(), 0.0, 1.0))


def noise_rate_interval(y_encoded, pred_probs, *, confidence=0.95, random_state=None):
    """Estimated share of wrong labels and a bootstrap interval around it.

    Parameters
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Given labels as codes ``0..n_classes - 1``.

    pred_probs : ndarray of shape (n_samples, n_classes)
        Out-of-fold probabilities of those rows.

    confidence : float, default=0.95
        Coverage of the percentile interval.

    random_state : int, RandomState instance or None, default=None
        Draws the bootstrap samples.

    Returns
    -------
    rate : float
        ``1 - trace`` of the calibrated joint of given and true labels. Rows
        of NaN (not held out by the folds) and the rows of classes with fewer
        than :data:`MIN_CLASS_ROWS` rows count as correctly labelled.

    interval : tuple of two floats
        Percentile bootstrap interval over rows (:data:`N_RESAMPLES` resamples).
    """
    from .detection import _held_out_problem

    small = np.bincount(y_encoded, minlength=pred_probs.shape[1]) < MIN_CLASS_ROWS
    if small.any():
        pred_probs = np.where(small[y_encoded, None], np.nan, pred_probs)
    rows, _, y_encoded, pred_probs = _held_out_problem(y_encoded, pred_probs)
    if y_encoded is None:
        return 0.0, (0.0, 0.0)
    share = np.count_nonzero(rows) / len(rows)
    rate, (low, high) = _rate_interval(y_encoded, pred_probs, confidence, random_state)
    return float(share * rate), (float(share * low), float(share * high))


def _rate_interval(y_encoded, pred_probs, confidence, random_state):
    rate = _rate(confident_joint(y_encoded, pred_probs))
    rng = check_random_state(random_state)
    n_samples, n_classes = pred_probs.shape
    rates = []
    for _ in range(N_RESAMPLES):
        # A resample as each row's multiplicity, and its calibrated joint
        # without cleanlab's rounding to whole rows (which moves the rate by
        # less than n_classes / n_samples): a tenth of the time of
        # calibrating each resample with cleanlab.
        weight = np.bincount(rng.randint(n_samples, size=n_samples), minlength=n_samples)
        label_counts = np.bincount(y_encoded, weights=weight, minlength=n_classes)
        if not label_counts.all():
            continue  # a class missing from the resample: no estimate of its noise
        joint = _counts(y_encoded, pred_probs, weight.astype(np.float64))
        rates.append(_rate(joint / joint.sum(axis=1, keepdims=True) * label_counts[:, None]))
    if not rates:
        return rate, (0.0, 1.0)
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(rates, [tail, 100 - tail])
    return rate, (float(min(low, rate)), float(max(high, rate)))
