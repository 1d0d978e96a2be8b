"""The noise-rate estimate that skrobust's estimators act on, with its uncertainty.

Confident learning (cleanlab) counts a row as mislabelled when the
out-of-fold model is confident of another class than the given one; here
"confident" also needs a probability of at least :data:`MIN_CONFIDENCE`, so
that a model too unsure to tell (few rows per class, honest overlap between
classes) gives no evidence of noise instead of reading its own errors as
noise. The interval comes from a bootstrap over rows of that estimate.
"""

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["confident_joint", "noise_rate_interval"]

# Evidence of a wrong label needs the out-of-fold model to give another class
# at least this probability (as well as cleanlab's per-class threshold).
# Chosen on the tuning data: see benchmarks/README.md.
MIN_CONFIDENCE = 0.5

# A class with fewer rows gives no evidence: a model that saw a handful of its
# rows cannot tell its honest hard rows from wrong labels, so they count as
# correctly labelled (50 classes of 3 clean rows read as 18% noise without it).
MIN_CLASS_ROWS = 10

N_RESAMPLES = 100


def confident_joint(y_encoded, pred_probs):
    """cleanlab's calibrated confident joint, thresholds at least :data:`MIN_CONFIDENCE`.

    ``[i, j]`` counts the rows given label ``i`` whose true class is
    confidently ``j``; rows confident of no class are spread as cleanlab's
    calibration spreads them, and a label with no confident row at all
    counts as correct (cleanlab keeps a diagonal entry of at least 1).
    """
    from cleanlab.count import compute_confident_joint, get_confident_thresholds

    thresholds = np.maximum(get_confident_thresholds(y_encoded, pred_probs), MIN_CONFIDENCE)
    return compute_confident_joint(y_encoded, pred_probs, thresholds=thresholds)


def _rate(y_encoded, pred_probs):
    from cleanlab.count import estimate_joint

    joint = estimate_joint(
        y_encoded, pred_probs, confident_joint=confident_joint(y_encoded, pred_probs)
    )
    return float(np.clip(1.0 - np.trace(joint), 0.0, 1.0))


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
    rate = _rate(y_encoded, pred_probs)
    rng = check_random_state(random_state)
    n_samples, n_classes = pred_probs.shape
    rates = []
    for _ in range(N_RESAMPLES):
        rows = rng.randint(n_samples, size=n_samples)
        if np.unique(y_encoded[rows]).size < n_classes:
            continue  # a class missing from the resample: no estimate of its noise
        rates.append(_rate(y_encoded[rows], pred_probs[rows]))
    if not rates:
        return rate, (0.0, 1.0)
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(rates, [tail, 100 - tail])
    return rate, (float(min(low, rate)), float(max(high, rate)))
