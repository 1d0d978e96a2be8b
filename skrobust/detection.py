"""The noise core: confident learning, once, for every skrobust method.

Every estimate of label noise in skrobust comes from here: the out-of-fold
class probabilities (one default out-of-fold model, :func:`noise_model`, on
skrobust's one fold rule), the confident joint of given and true labels, the
noise rate with its bootstrap interval, the noise matrix and the mask of
label issues. ``CleanFirstRelabeler``, ``CoTeachingClassifier``,
``MAEClassifier``, the noise-corrected scorer and the public functions below
all read the noise through it, so that, with the same data, ``cv`` and
``random_state``, they read the same noise.

scikit-learn computes the out-of-fold probabilities (``check_cv`` +
``cross_val_predict``, as :class:`~sklearn.calibration.CalibratedClassifierCV`
does); cleanlab counts and filters on top of them
(:func:`cleanlab.count.calibrate_confident_joint`,
:func:`cleanlab.filter.find_label_issues`).
This module adds the label encoding (any label values work), the fold rule
(:func:`~skrobust._validation.check_folds`) and one change to confident
learning's counting for the noise rate: a row counts as mislabelled only where
the out-of-fold model gives another class a probability of at least
:func:`min_confidence`, so that a model too unsure to tell gives no evidence
of noise instead of reading its own errors as noise.

Parallelism goes through joblib only: ``n_jobs`` fits folds in parallel,
while cleanlab's filter always runs in the calling process (``n_jobs=1``), so
that no dependency starts processes inside a joblib, loky or Dask worker.

Nothing here ever sees true labels: the noise is estimated from how well a
model trained on the other folds agrees with the *given* labels.
"""

import warnings
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_val_predict
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_consistent_length

from ._compat import (
    HasMethods,
    StrOptions,
    _check_method_params,
    _safe_indexing,
    validate_params,
)
from ._proba import WithClasses
from ._validation import (
    check_fit_input,
    check_folds,
    check_labels,
    check_n_classes,
    check_pred_probs,
)

__all__ = [
    "out_of_fold_proba",
    "find_label_issues",
    "estimate_noise_rate",
    "estimate_transition_matrix",
]

FILTER_BY = (
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
    "low_normalized_margin",
    "low_self_confidence",
)

# Evidence of a wrong label needs the out-of-fold model to give another class
# at least MIN_CONFIDENCE, or CHANCE_MULTIPLE times the chance 1 / n_classes
# where that is less (as well as cleanlab's per-class threshold).
MIN_CONFIDENCE = 0.5
CHANCE_MULTIPLE = 6

# A class with fewer rows gives no evidence: a model that saw a handful of its
# rows cannot tell its honest hard rows from wrong labels, so they count as
# correctly labelled.
MIN_CLASS_ROWS = 10

# Bootstrap resamples of the noise rate's interval.
N_RESAMPLES = 100
#: Training rows beyond which :func:`noise_model`'s trees each see a bootstrap sample of this many.
SUBSAMPLE_ROWS = 8_000

# Acting on the estimate needs it to account for at least this share of the
# out-of-fold model's disagreement with the given labels (explains_errors).
MIN_EXPLAINED_ERROR = 0.75


# --- the out-of-fold probabilities --------------------------------------------


def noise_model(random_state=None, n_samples=None):
    """The default out-of-fold model of the noise core: a forest with leaves of 5 rows.

    Every skrobust function and estimator that reads the noise with its
    default model reads it with this one (the choice is in
    ``docs/decisions.md``). Fitted on more than ``SUBSAMPLE_ROWS`` (8,000)
    rows (``n_samples``), each tree sees a bootstrap sample of 8,000 rows
    and the forest has ``max(25, 100 * 8,000 // n_samples)`` trees, so
    that its cost stops growing with the rows.

    >>> from skrobust.detection import noise_model
    >>> noise_model(0)
    RandomForestClassifier(min_samples_leaf=5, random_state=0)
    >>> noise_model(0, n_samples=80_000)
    RandomForestClassifier(max_samples=8000, min_samples_leaf=5, n_estimators=25,
                           random_state=0)
    """
    if n_samples is None or n_samples <= SUBSAMPLE_ROWS:
        return RandomForestClassifier(min_samples_leaf=5, random_state=random_state)
    return RandomForestClassifier(
        n_estimators=max(25, 100 * SUBSAMPLE_ROWS // n_samples),
        min_samples_leaf=5,
        max_samples=SUBSAMPLE_ROWS,
        random_state=random_state,
    )


def encode_labels(y, X, owner, *, pred_probs=None):
    """Labels as codes ``0..K-1`` and the sorted classes; at least two classes required.

    ``X`` and ``y`` are checked together as a fit checks them, unless
    ``pred_probs`` is given (then ``X`` is unused).
    """
    y = check_labels(y) if pred_probs is not None else check_fit_input(X, y)
    encoder = LabelEncoder().fit(y)
    check_n_classes(encoder.classes_, owner)
    return encoder.transform(y), encoder.classes_


_FOLDS_SEED = object()  # held_out_proba's default model_seed: its random_state


def held_out_proba(
    estimator, X, y_encoded, *, cv=5, n_jobs=None, random_state=None, params=None, classes=None,
    model_seed=_FOLDS_SEED,
):
    """Out-of-fold probabilities, one column per code of ``y_encoded`` (0..K-1), and the folds.

    ``estimator`` is cloned for each fold (``None``: :func:`noise_model`
    sized to the folds' training rows and seeded with ``model_seed``, by
    default ``random_state``). Folds by
    :func:`~skrobust._validation.check_folds`, shuffled with
    ``random_state``; the rows it cannot hold out (a class with a single
    sample) get a row of NaN. ``classes`` (the labels the codes stand for)
    names them in its warnings.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes)

    folds : list of (train, test) pairs of row indices into ``X``
        The splits the probabilities came from (empty when no row could be
        held out), for a caller that needs to evaluate on the same folds.
    """
    check_consistent_length(X, y_encoded)
    splitter, held_out = check_folds(cv, y_encoded, random_state, classes=classes)
    proba = np.full((len(y_encoded), int(y_encoded.max()) + 1), np.nan)
    if splitter is None:
        return proba, []
    if held_out.all():
        rows, X_cv, y_cv, params_cv = np.arange(len(y_encoded)), X, y_encoded, params
    else:
        rows = np.flatnonzero(held_out)
        X_cv, y_cv = _safe_indexing(X, rows), y_encoded[rows]
        params_cv = _check_method_params(X, params=params or {}, indices=rows)
    splits = list(splitter.split(X_cv, y_cv))
    if estimator is None:
        estimator = noise_model(
            random_state if model_seed is _FOLDS_SEED else model_seed,
            n_samples=min(len(train) for train, _ in splits),
        )
    oof = cross_val_predict(
        WithClasses(estimator),  # CleanLearning sets no classes_
        X_cv,
        y_cv,
        cv=splits,
        n_jobs=n_jobs,
        method="predict_proba",
        params=params_cv,
    )
    folds = [(rows[train], rows[test]) for train, test in splits]
    if held_out.all():
        return oof, folds
    proba[rows] = 0.0  # classes that no fold holds out are never predicted
    proba[np.ix_(rows, np.unique(y_cv))] = oof
    return proba, folds


def held_out_problem(y_encoded, pred_probs):
    """The rows with probabilities, and the classes among them, as a smaller problem.

    Returns ``rows`` (mask), ``present`` (the codes among those rows) and
    the rows' codes and probabilities re-encoded over ``present`` (rows
    renormalised over those columns); ``None`` for the last two when fewer
    than two classes are present, so that nothing can be estimated.
    """
    rows = ~np.isnan(pred_probs).all(axis=1)
    present = np.unique(y_encoded[rows])
    if present.size < 2:
        return rows, present, None, None
    if rows.all() and present.size == pred_probs.shape[1]:
        return rows, present, y_encoded, pred_probs
    sub = pred_probs[np.ix_(rows, present)]
    total = sub.sum(axis=1, keepdims=True)
    sub = np.divide(sub, total, out=np.full_like(sub, 1.0 / present.size), where=total > 0)
    return rows, present, np.searchsorted(present, y_encoded[rows]), sub


# --- the noise rate -------------------------------------------------------------


def min_confidence(n_classes):
    """The least probability of another class that counts as evidence of a wrong label.

    :data:`MIN_CONFIDENCE` up to 12 classes, then :data:`CHANCE_MULTIPLE`
    times the chance ``1 / n_classes``.

    >>> from skrobust.detection import min_confidence
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
    ``confusion_matrix``, which the bootstrap would pay 100 times per fit.
    Every class must have a row of positive weight.
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


def _estimable(y_encoded, pred_probs):
    """:func:`held_out_problem` of the rows that give evidence: held out, of classes of
    at least :data:`MIN_CLASS_ROWS` rows."""
    small = np.bincount(y_encoded, minlength=pred_probs.shape[1]) < MIN_CLASS_ROWS
    if small.any():
        pred_probs = np.where(small[y_encoded, None], np.nan, pred_probs)
    return held_out_problem(y_encoded, pred_probs)


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
        Out-of-sample probabilities of those rows.

    confidence : float, default=0.95
        Coverage of the percentile interval.

    random_state : int, RandomState instance or None, default=None
        Draws the bootstrap samples.

    Returns
    -------
    rate : float
        ``1 - trace`` of the calibrated confident joint of given and true
        labels (:func:`confident_joint`). Rows of NaN (not held out by the
        folds) and the rows of classes with fewer than
        :data:`MIN_CLASS_ROWS` rows count as correctly labelled. At most
        ``1 - 1 / n_classes``: beyond it the labels would say less about the
        classes than chance, which class-conditional noise cannot tell from
        renamed classes, so the estimate is capped there with a warning.

    interval : tuple of two floats
        Percentile bootstrap interval over rows (:data:`N_RESAMPLES` resamples).
    """
    n_classes = pred_probs.shape[1]
    rows, _, y_encoded, pred_probs = _estimable(y_encoded, pred_probs)
    if y_encoded is None:
        return 0.0, (0.0, 0.0)
    share = np.count_nonzero(rows) / len(rows)
    rate, (low, high) = _rate_interval(y_encoded, pred_probs, confidence, random_state)
    rate, low, high = (share * value for value in (rate, low, high))
    most = 1.0 - 1.0 / n_classes
    if rate > most:
        warnings.warn(
            f"The estimated noise rate {rate:.3f} is above 1 - 1/n_classes = {most:.3f}, "
            "where the labels would say nothing about the classes; beyond it, label "
            "noise cannot be told from swapped class names (or rows repeated with "
            f"conflicting labels). The estimate is capped at {most:.3f}.",
            UserWarning,
            stacklevel=2,
        )
    return float(min(rate, most)), (float(min(low, most)), float(min(high, most)))


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


def explains_errors(y_encoded, pred_probs, rate):
    """Whether ``rate`` is at least :data:`MIN_EXPLAINED_ERROR` of the out-of-fold error rate.

    The error rate is the share of the rows whose out-of-fold prediction is
    not the given label (rows of NaN, not held out, count as agreeing).
    Wrong labels make confident disagreements; where most disagreements are
    unsure ones (classes that overlap honestly, a model too weak for its
    data), the flags are mostly the model's own errors.

    >>> import numpy as np
    >>> from skrobust.detection import explains_errors
    >>> y = np.array([0, 0, 1, 1])
    >>> proba = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8], [0.3, 0.7]])
    >>> explains_errors(y, proba, 0.25), explains_errors(y, proba, 0.1)
    (True, False)
    """
    held_out = ~np.isnan(pred_probs).all(axis=1)
    wrong = pred_probs[held_out].argmax(axis=1) != y_encoded[held_out]
    return bool(rate >= MIN_EXPLAINED_ERROR * np.count_nonzero(wrong) / len(y_encoded))


@dataclass(frozen=True)
class NoiseEstimate:
    """What the noise core reads from a data set: the estimators' one source of noise.

    Attributes
    ----------
    pred_probs : ndarray of shape (n_samples, n_classes)
        Out-of-fold probabilities (a row of NaN where no fold held the row out).

    folds : list of (train, test) pairs of row indices
        The folds they came from.

    rate : float
        :func:`noise_rate_interval`'s estimate of the share of wrong labels.

    interval : tuple of two floats
        Its 95% bootstrap interval.
    """

    pred_probs: np.ndarray
    folds: list
    rate: float
    interval: tuple


def estimate_noise(
    estimator, X, y_encoded, *, cv=5, n_jobs=None, random_state=None, params=None, classes=None
):
    """The :class:`NoiseEstimate` of ``X`` and the coded labels ``y_encoded``.

    One generator, ``check_random_state(random_state)``, shuffles the folds
    and then draws the bootstrap; the default model (``estimator=None``) is
    :func:`noise_model` seeded with ``random_state`` itself. Every caller
    goes through here, so the same arguments give the same estimate.
    """
    rng = check_random_state(random_state)
    proba, folds = held_out_proba(
        estimator, X, y_encoded, cv=cv, n_jobs=n_jobs, random_state=rng, params=params,
        classes=classes, model_seed=random_state,
    )
    rate, interval = noise_rate_interval(y_encoded, proba, random_state=rng)
    return NoiseEstimate(proba, folds, rate, interval)


# --- the issues and the noise matrix ------------------------------------------------


def noise_matrix(y_encoded, pred_probs):
    """Estimated P(given label = i | true label = j), as ``[i, j]``.

    Each column of :func:`confident_joint`, the joint the noise rate is read
    from, normalised: the rate and the matrix describe the same noise. Rows
    of NaN (not held out) and of classes with fewer than
    :data:`MIN_CLASS_ROWS` rows give no evidence; the columns of such
    classes are those of the identity.

    >>> import numpy as np
    >>> from skrobust.detection import noise_matrix
    >>> y = np.repeat([0, 1], 20)
    >>> proba = np.tile([[0.9, 0.1]], (40, 1))
    >>> proba[20:30] = [0.1, 0.9]  # half of the rows labelled 1 look like class 0
    >>> noise_matrix(y, proba).round(2)
    array([[0.67, 0.  ],
           [0.33, 1.  ]])
    """
    matrix = np.eye(pred_probs.shape[1])
    _, present, labels, probs = _estimable(y_encoded, pred_probs)
    if labels is None:
        return matrix
    joint = confident_joint(labels, probs).astype(float)  # [given, true]
    column = joint.sum(axis=0)
    sub = np.eye(len(present))
    seen = column > 0
    sub[:, seen] = joint[:, seen] / column[seen]
    matrix[np.ix_(present, present)] = sub
    return matrix


def label_issues(y_encoded, pred_probs, filter_by="prune_by_noise_rate"):
    """cleanlab's label-issue mask, and :func:`noise_matrix`.

    Rows of NaN (not held out by the folds) are kept as given: never
    flagged, and outside the estimate of the noise matrix. cleanlab's
    confident joint is computed once and passed to its filter, as
    ``CleanLearning`` does, so the mask is the one
    :func:`cleanlab.filter.find_label_issues` returns on its own.
    """
    from cleanlab.count import compute_confident_joint
    from cleanlab.filter import find_label_issues as cl_find_label_issues

    mask = np.zeros(len(y_encoded), dtype=bool)
    rows, _, labels, probs = held_out_problem(y_encoded, pred_probs)
    if labels is None:
        return mask, np.eye(pred_probs.shape[1])
    joint = compute_confident_joint(labels, probs)
    # "confident_learning" re-estimates the joint itself (and warns if given one).
    given = {} if filter_by == "confident_learning" else {"confident_joint": joint}
    # n_jobs=1: cleanlab's own pool would start processes inside joblib, loky
    # or Dask workers ("daemonic processes are not allowed to have children"),
    # and in a worker whose multiprocessing does not fork (a loky worker) its
    # pool workers lack the module global they read (cleanlab 2.9 filter.py
    # decides by the OS, not by the start method, whether globals reach its
    # workers; https://github.com/cleanlab/cleanlab/issues/150).
    found = cl_find_label_issues(labels, probs, filter_by=filter_by, n_jobs=1, **given)
    mask[rows] = np.asarray(found, dtype=bool)
    return mask, noise_matrix(y_encoded, pred_probs)


# --- the public functions -----------------------------------------------------------


def _labels_and_proba(y, X, pred_probs, owner):
    """Coded labels, classes and the caller's checked ``pred_probs`` (``None`` if not given).

    Given probabilities must have at least one row that is not NaN.
    """
    y_encoded, classes = encode_labels(y, X, owner, pred_probs=pred_probs)
    if pred_probs is None:
        return y_encoded, classes, None
    pred_probs = check_pred_probs(pred_probs, len(y_encoded), len(classes))
    if len(y_encoded) and np.isnan(pred_probs).all():
        raise ValueError(
            "pred_probs has no row of probabilities: every row is NaN (a NaN row "
            "keeps its label as given, so nothing could be estimated). Pass the "
            "out-of-fold probabilities of at least some rows."
        )
    return y_encoded, classes, pred_probs


_PARAMS = {
    "estimator": [HasMethods(["fit", "predict_proba"]), None],
    "X": ["array-like", "sparse matrix", None],
    "y": ["array-like", None],  # None: check_labels's message, as the estimators give it
    "cv": ["cv_object"],
    "n_jobs": [Integral, None],
    "random_state": ["random_state"],
    "params": [dict, None],
}


@validate_params(_PARAMS, prefer_skip_nested_validation=False)
def out_of_fold_proba(
    estimator, X, y, *, cv=5, n_jobs=None, random_state=None, params=None
):
    """Out-of-fold class probabilities of every training sample.

    Each sample's probabilities come from a clone of ``estimator`` fitted on
    the folds that do not contain it, so a model cannot vouch for a label it
    has memorised. This is what confident learning needs as input.

    Parameters
    ----------
    estimator : estimator object or None
        A classifier with ``fit`` and ``predict_proba``; it is cloned, never
        fitted itself. ``None`` means :func:`noise_model`,
        ``RandomForestClassifier(min_samples_leaf=5, random_state=random_state)``
        (with fewer trees of 8,000 sampled rows each on more than 8,000
        training rows).

    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        Training data, passed unchanged to the estimator.

    y : array-like of shape (n_samples,)
        The given (possibly noisy) labels; any values scikit-learn accepts
        (ints, strings, ...), at least two classes.

    cv : int, cross-validation generator or iterable, default=5
        An int is the number of folds of a
        :class:`~sklearn.model_selection.StratifiedKFold` shuffled with
        ``random_state``. When the smallest class has fewer samples, fewer
        folds are used (down to 2, with a warning); the rows of a class with
        a single sample cannot be held out and get probabilities of NaN
        (with a warning). Anything else goes through
        :func:`~sklearn.model_selection.check_cv`.

    n_jobs : int, default=None
        Folds fitted in parallel by joblib (``None`` means 1 unless in a
        :func:`joblib.parallel_backend` context).

    random_state : int, RandomState instance or None, default=None
        Shuffles the folds when ``cv`` is an int.

    params : dict, default=None
        Fit parameters (e.g. ``sample_weight``), split with the folds. With
        metadata routing enabled they are routed by the estimator's requests.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes)
        Out-of-fold probabilities, columns in the order of ``classes``; a row
        of NaN for each sample that the folds could not hold out.

    classes : ndarray of shape (n_classes,)
        The sorted distinct labels of ``y``.

    See Also
    --------
    find_label_issues : Which labels these probabilities call into question.
    sklearn.model_selection.cross_val_predict : Does the work.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skrobust import out_of_fold_proba
    >>> X, y = load_iris(return_X_y=True)
    >>> proba, classes = out_of_fold_proba(None, X, y, random_state=0)
    >>> proba.shape, classes.tolist()
    ((150, 3), [0, 1, 2])
    """
    y_encoded, classes = encode_labels(y, X, "out_of_fold_proba")
    proba, _ = held_out_proba(
        estimator, X, y_encoded, cv=cv, n_jobs=n_jobs, random_state=random_state,
        params=params, classes=classes,
    )
    return proba, classes


@validate_params(
    {
        **_PARAMS,
        "filter_by": [StrOptions(set(FILTER_BY))],
        "pred_probs": ["array-like", None],
    },
    prefer_skip_nested_validation=False,
)
def find_label_issues(
    estimator,
    X,
    y,
    *,
    cv=5,
    filter_by="prune_by_noise_rate",
    n_jobs=None,
    random_state=None,
    pred_probs=None,
    params=None,
):
    """Boolean mask of the samples whose given label is probably wrong.

    Confident learning (Northcutt et al., 2021) as implemented by
    :func:`cleanlab.filter.find_label_issues`, fed with out-of-fold
    probabilities from :func:`out_of_fold_proba`.

    Parameters
    ----------
    estimator : estimator object or None
        A classifier with ``predict_proba``, cloned for each fold. ``None``
        means :func:`noise_model`,
        ``RandomForestClassifier(min_samples_leaf=5, random_state=random_state)``
        (with fewer trees of 8,000 sampled rows each on more than 8,000
        training rows).

    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        Training data; ignored when ``pred_probs`` is given.

    y : array-like of shape (n_samples,)
        The given (possibly noisy) labels, any values.

    cv : int, cross-validation generator or iterable, default=5
        As in :func:`out_of_fold_proba`; rows that the folds cannot hold out
        are never flagged.

    filter_by : {"prune_by_noise_rate", "prune_by_class", "both", \
"confident_learning", "predicted_neq_given", "low_normalized_margin", \
"low_self_confidence"}, default="prune_by_noise_rate"
        cleanlab's rule for picking the issues from the confident joint.

    n_jobs : int, default=None
        Folds fitted in parallel by joblib (``None`` means 1). cleanlab's
        filter always runs in this process.

    random_state : int, RandomState instance or None, default=None
        Shuffles the folds when ``cv`` is an int.

    pred_probs : array-like of shape (n_samples, n_classes), default=None
        Out-of-fold probabilities you already have (columns in sorted class
        order; rows finite, non-negative and summing to 1, or entirely NaN
        for a row kept as given); the cross-validation is then skipped.

    params : dict, default=None
        Fit parameters for the estimator, split with the folds.

    Returns
    -------
    label_issues : ndarray of shape (n_samples,), dtype=bool
        ``True`` where the given label is estimated to be wrong.

    See Also
    --------
    estimate_noise_rate : The fraction of wrong labels, without the rows.
    CleanFirstRelabeler : Fixes the flagged labels instead of dropping them.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang and I. L. Chuang, "Confident Learning:
       Estimating Uncertainty in Dataset Labels", Journal of Artificial
       Intelligence Research 70 (2021) 1373-1411. :doi:`10.1613/jair.1.12125`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_blobs
    >>> from skrobust import find_label_issues
    >>> X, y = make_blobs(n_samples=300, centers=[[-3, 0], [3, 0]], random_state=0)
    >>> y_noisy = y.copy()
    >>> y_noisy[:15] = 1 - y_noisy[:15]           # flip the first 15 labels
    >>> issues = find_label_issues(None, X, y_noisy, random_state=0)
    >>> print(int(issues[:15].sum()), int(issues[15:].sum()))  # of 15 flipped, of 285 clean
    9 0
    """
    y_encoded, classes, pred_probs = _labels_and_proba(y, X, pred_probs, "find_label_issues")
    if pred_probs is None:  # the folds estimate_noise draws with the same random_state
        pred_probs, _ = held_out_proba(
            estimator, X, y_encoded, cv=cv, n_jobs=n_jobs, random_state=random_state,
            params=params, classes=classes,
        )
    return label_issues(y_encoded, pred_probs, filter_by)[0]


@validate_params(
    {**_PARAMS, "pred_probs": ["array-like", None], "return_interval": ["boolean"]},
    prefer_skip_nested_validation=False,
)
def estimate_noise_rate(
    estimator,
    X,
    y,
    *,
    cv=5,
    n_jobs=None,
    random_state=None,
    pred_probs=None,
    params=None,
    return_interval=False,
):
    """Estimated fraction of the given labels that are wrong, with its uncertainty.

    ``1 - trace(Q)``, where ``Q`` is confident learning's calibrated joint of
    given and true labels, computed from out-of-fold probabilities; a row
    counts as mislabelled only where the model gives another class at least
    0.5 (six times the chance ``1 / n_classes`` with more than 12 classes),
    and the rows of classes with fewer than 10 rows count as correct. This
    is the number ``CleanFirstRelabeler``, ``CoTeachingClassifier`` and
    ``MAEClassifier`` act on: with the same data, ``cv`` and
    ``random_state``, their ``noise_rate_`` is this. No true label is used.

    Parameters
    ----------
    estimator : estimator object or None
        A classifier with ``predict_proba``, cloned for each fold. ``None``
        means :func:`noise_model`,
        ``RandomForestClassifier(min_samples_leaf=5, random_state=random_state)``
        (with fewer trees of 8,000 sampled rows each on more than 8,000
        training rows).

    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        Training data; ignored when ``pred_probs`` is given.

    y : array-like of shape (n_samples,)
        The given (possibly noisy) labels, any values.

    cv : int, cross-validation generator or iterable, default=5
        As in :func:`out_of_fold_proba`; rows that the folds cannot hold out
        count as correctly labelled.

    n_jobs : int, default=None
        Folds fitted in parallel by joblib (``None`` means 1).

    random_state : int, RandomState instance or None, default=None
        Shuffles the folds when ``cv`` is an int, then draws the bootstrap
        resamples of the interval; seeds the default estimator.

    pred_probs : array-like of shape (n_samples, n_classes), default=None
        As in :func:`find_label_issues`; the cross-validation is then skipped.

    params : dict, default=None
        Fit parameters for the estimator, split with the folds.

    return_interval : bool, default=False
        Also return a 95% percentile bootstrap interval (100 resamples of
        the rows) around the estimate.

    Returns
    -------
    noise_rate : float
        In ``[0, 1 - 1 / n_classes]``: the estimated share of samples whose
        given label differs from the true one. An estimate above that bound
        (labels that agree with the model less often than chance: swapped
        class names, or repeated rows with conflicting labels) is capped
        there, with a warning.

    interval : tuple of two floats
        Only with ``return_interval=True``.

    See Also
    --------
    find_label_issues : Which samples those are.

    Notes
    -----
    The estimate is as good as the out-of-fold probabilities: a model too
    weak for the data reads its own errors as label noise and overestimates
    the rate.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang and I. L. Chuang, "Confident Learning:
       Estimating Uncertainty in Dataset Labels", Journal of Artificial
       Intelligence Research 70 (2021) 1373-1411. :doi:`10.1613/jair.1.12125`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_blobs
    >>> from skrobust import estimate_noise_rate
    >>> X, y = make_blobs(n_samples=400, centers=[[-3, 0], [3, 0]], random_state=0)
    >>> rng = np.random.RandomState(0)
    >>> flip = rng.rand(len(y)) < 0.2
    >>> y_noisy = np.where(flip, 1 - y, y)
    >>> rate, (low, high) = estimate_noise_rate(None, X, y_noisy, random_state=0,
    ...                                         return_interval=True)
    >>> print(round(flip.mean(), 2), 0.15 < rate < 0.25, low <= rate <= high)
    0.21 True True
    """
    y_encoded, classes, pred_probs = _labels_and_proba(y, X, pred_probs, "estimate_noise_rate")
    if pred_probs is None:
        noise = estimate_noise(
            estimator, X, y_encoded, cv=cv, n_jobs=n_jobs, random_state=random_state,
            params=params, classes=classes,
        )
        rate, interval = noise.rate, noise.interval
    else:
        rate, interval = noise_rate_interval(y_encoded, pred_probs, random_state=random_state)
    return (rate, interval) if return_interval else rate


@validate_params(
    {key: _PARAMS[key] for key in ("estimator", "X", "y", "cv", "n_jobs", "random_state")},
    prefer_skip_nested_validation=False,
)
def estimate_transition_matrix(estimator, X, y, *, cv=5, n_jobs=None, random_state=None):
    """Estimate the label-noise transition matrix from features and noisy labels alone.

    :func:`noise_matrix` of out-of-fold probabilities (the confident joint
    the noise rate is read from, each true class's column normalised),
    transposed into the convention of :func:`~skrobust.noise_transition_matrix`:
    row ``k`` says how the noisy labels of class ``k`` are distributed. It is
    the matrix ``CleanFirstRelabeler`` relabels with
    (``relabel_by="posterior"``). No true label is used.

    Parameters
    ----------
    estimator : estimator object or None
        A classifier with ``predict_proba``, cloned for each fold. ``None``
        means :func:`noise_model`,
        ``RandomForestClassifier(min_samples_leaf=5, random_state=random_state)``
        (with fewer trees of 8,000 sampled rows each on more than 8,000
        training rows).

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The features.

    y : array-like of shape (n_samples,)
        The noisy labels, any values.

    cv : int, cross-validation generator or iterable, default=5
        As in :func:`out_of_fold_proba`; rows that the folds cannot hold out
        are left out of the estimate.

    n_jobs : int, default=None
        Folds fitted in parallel (``None`` means 1).

    random_state : int, RandomState instance or None, default=None
        Shuffles the folds (when ``cv`` is an int) and seeds the default
        estimator.

    Returns
    -------
    transition_matrix : ndarray of shape (n_classes, n_classes)
        Row-stochastic; ``[k, j]`` estimates the probability that a sample
        of true class ``k`` is labelled ``j``, over the sorted classes of
        ``y``.

    See Also
    --------
    skrobust.noise_corrected_accuracy : What the matrix is for.
    estimate_noise_rate : The overall share of wrong labels.

    Notes
    -----
    The estimate is as good as the out-of-fold probabilities, and noisy
    labels alone cannot tell label noise from classes that overlap in
    feature space: where even a model trained on clean labels errs, confident
    learning counts that overlap, and the model's own errors, as noise, so
    the off-diagonal rates come out too high. With few samples per class the
    rates are also coarse. It assumes class-conditional noise, as the
    correction does.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang and I. L. Chuang, "Confident Learning:
       Estimating Uncertainty in Dataset Labels", Journal of Artificial
       Intelligence Research 70 (2021) 1373-1411. :doi:`10.1613/jair.1.12125`

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from skrobust import estimate_transition_matrix, make_noisy_labels
    >>> X, y = make_blobs(n_samples=600, centers=[[-4, 0], [4, 0]], random_state=0)
    >>> y_noisy, _ = make_noisy_labels(y, noise_rate=0.2, random_state=0)
    >>> estimate_transition_matrix(None, X, y_noisy, random_state=0).round(1)
    array([[0.8, 0.2],
           [0.2, 0.8]])
    """
    y_encoded, classes = encode_labels(y, X, "estimate_transition_matrix")
    proba, _ = held_out_proba(
        estimator, X, y_encoded, cv=cv, n_jobs=n_jobs, random_state=random_state,
        classes=classes,
    )
    return noise_matrix(y_encoded, proba).T  # P(given | true) as [given, true], transposed
