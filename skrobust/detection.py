"""Finding noisy labels: out-of-fold probabilities fed to confident learning.

scikit-learn computes the out-of-fold class probabilities (``check_cv`` +
``cross_val_predict``, as :class:`~sklearn.calibration.CalibratedClassifierCV`
does); cleanlab does the confident learning on top of them
(:func:`cleanlab.filter.find_label_issues`, :func:`cleanlab.count.estimate_joint`).
This module only adds the glue: label encoding (so that any label values
work), cross-validation that every class can survive, and the
scikit-learn calling conventions.

None of these functions ever sees true labels: they estimate which of the
*given* labels are wrong from how well a model trained on the other folds
agrees with them.
"""

from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import clone
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.model_selection import StratifiedKFold, check_cv, cross_val_predict
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.validation import check_consistent_length

from ._validation import check_labels

__all__ = ["out_of_fold_proba", "find_label_issues", "estimate_noise_rate"]

FILTER_BY = (
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
    "low_normalized_margin",
    "low_self_confidence",
)


def default_estimator(random_state=None):
    """The classifier confident learning uses when none is given.

    Extremely randomized trees with leaves of at least 5 samples: smooth
    probabilities, flexible boundaries. Chosen by measurement of the
    noise-rate estimate (seed 0): within 0.035 of the truth on load_digits
    with 45% pair and 50% symmetric noise (0.484, 0.514) and within 0.015 on
    the seed article's task (20%), where LogisticRegression and an MLP
    overestimated the digits rates by 0.06 to 0.18 and a random forest
    overestimated the article's by up to 0.035.
    """
    return ExtraTreesClassifier(min_samples_leaf=5, random_state=random_state)


def _default_estimator(estimator, random_state=None):
    return default_estimator(random_state) if estimator is None else estimator


def _check_has_proba(estimator):
    if not hasattr(estimator, "predict_proba"):
        raise TypeError(
            "The estimator must implement predict_proba to estimate label noise; "
            f"got {type(estimator).__name__}, which does not."
        )


def _encode(y):
    """Labels as 0..K-1 plus the sorted classes; at least two classes required."""
    y = check_labels(y)
    encoder = LabelEncoder().fit(y)
    if len(encoder.classes_) < 2:
        raise ValueError(
            "Label noise can't be estimated when only one class is present in y; "
            f"got the single class {encoder.classes_.tolist()}."
        )
    return encoder.transform(y), encoder.classes_


def _check_cv(cv, y_encoded, random_state):
    """A splitter for ``y_encoded``; an int gives a shuffled, seeded StratifiedKFold.

    An int larger than the smallest class is refused: some training fold would
    miss that class and its probability column would be undefined.
    """
    if cv is None:
        cv = 5
    if isinstance(cv, Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds; got cv={cv}.")
        smallest = int(np.bincount(y_encoded).min())
        if cv > smallest:
            raise ValueError(
                f"cv={cv} is larger than the number of samples in the smallest "
                f"class ({smallest}); every class needs at least cv samples. "
                "Lower cv or pass a splitter."
            )
        return StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    return check_cv(cv, y_encoded, classifier=True)


def _oof_encoded(estimator, X, y_encoded, *, cv, n_jobs, random_state, params):
    estimator = _default_estimator(estimator, random_state)
    _check_has_proba(estimator)
    check_consistent_length(X, y_encoded)
    splitter = _check_cv(cv, y_encoded, random_state)
    return cross_val_predict(
        clone(estimator),
        X,
        y_encoded,
        cv=splitter,
        n_jobs=n_jobs,
        method="predict_proba",
        params=params,
    )


def _check_pred_probs(pred_probs, n_samples, n_classes):
    pred_probs = np.asarray(pred_probs, dtype=float)
    if pred_probs.shape != (n_samples, n_classes):
        raise ValueError(
            f"pred_probs must have shape (n_samples, n_classes) = ({n_samples}, "
            f"{n_classes}), one column per sorted class of y; got {pred_probs.shape}."
        )
    return pred_probs


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
        fitted itself. ``None`` means
        ``ExtraTreesClassifier(min_samples_leaf=5, random_state=random_state)``.

    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        Training data, passed unchanged to the estimator.

    y : array-like of shape (n_samples,)
        The given (possibly noisy) labels; any values scikit-learn accepts
        (ints, strings, ...), at least two classes.

    cv : int, cross-validation generator or iterable, default=5
        An int is the number of folds of a
        :class:`~sklearn.model_selection.StratifiedKFold` shuffled with
        ``random_state``; it may not exceed the size of the smallest class.
        Anything else goes through :func:`~sklearn.model_selection.check_cv`.

    n_jobs : int, default=None
        Folds fitted in parallel (``None`` means 1 unless in a
        :func:`joblib.parallel_backend` context).

    random_state : int, RandomState instance or None, default=None
        Shuffles the folds when ``cv`` is an int.

    params : dict, default=None
        Fit parameters (e.g. ``sample_weight``), split with the folds. With
        metadata routing enabled they are routed by the estimator's requests.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes)
        Out-of-fold probabilities, columns in the order of ``classes``.

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
    y_encoded, classes = _encode(y)
    proba = _oof_encoded(
        estimator,
        X,
        y_encoded,
        cv=cv,
        n_jobs=n_jobs,
        random_state=random_state,
        params=params,
    )
    return proba, classes


def _pred_probs_and_labels(estimator, X, y, cv, n_jobs, random_state, pred_probs, params):
    y_encoded, classes = _encode(y)
    if pred_probs is None:
        pred_probs = _oof_encoded(
            estimator,
            X,
            y_encoded,
            cv=cv,
            n_jobs=n_jobs,
            random_state=random_state,
            params=params,
        )
    else:
        if estimator is not None:
            _check_has_proba(estimator)
        pred_probs = _check_pred_probs(pred_probs, len(y_encoded), len(classes))
    return y_encoded, pred_probs


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
        means ``ExtraTreesClassifier(min_samples_leaf=5, random_state=random_state)``.

    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        Training data; ignored when ``pred_probs`` is given.

    y : array-like of shape (n_samples,)
        The given (possibly noisy) labels, any values.

    cv : int, cross-validation generator or iterable, default=5
        As in :func:`out_of_fold_proba`.

    filter_by : {"prune_by_noise_rate", "prune_by_class", "both", \
"confident_learning", "predicted_neq_given", "low_normalized_margin", \
"low_self_confidence"}, default="prune_by_noise_rate"
        cleanlab's rule for picking the issues from the confident joint.

    n_jobs : int, default=None
        Parallel folds, and cleanlab's worker count (``None`` means 1).

    random_state : int, RandomState instance or None, default=None
        Shuffles the folds when ``cv`` is an int.

    pred_probs : array-like of shape (n_samples, n_classes), default=None
        Out-of-fold probabilities you already have (columns in sorted class
        order); the cross-validation is then skipped.

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
    13 0
    """
    if filter_by not in FILTER_BY:
        raise ValueError(
            f"filter_by must be one of {list(FILTER_BY)}; got {filter_by!r}."
        )
    y_encoded, pred_probs = _pred_probs_and_labels(
        estimator, X, y, cv, n_jobs, random_state, pred_probs, params
    )
    return _confident_learning(y_encoded, pred_probs, filter_by, n_jobs)[0]


def _confident_learning(y_encoded, pred_probs, filter_by, n_jobs):
    """cleanlab's label-issue mask and noise matrix, from one confident joint.

    The confident joint is computed once (calibrated, as cleanlab's filter and
    ``CleanLearning`` compute it) and passed to the filter, as ``CleanLearning``
    does, so the mask is the one :func:`cleanlab.filter.find_label_issues`
    returns on its own.
    ``noise_matrix[i, j]`` estimates P(given label = i | true label = j)
    (:func:`cleanlab.count.estimate_latent`, as ``CleanLearning`` estimates it).
    """
    from cleanlab.count import compute_confident_joint
    from cleanlab.filter import find_label_issues as cl_find_label_issues

    confident_joint = compute_confident_joint(y_encoded, pred_probs)
    # "confident_learning" re-estimates the joint itself (and warns if given one).
    given = {} if filter_by == "confident_learning" else {"confident_joint": confident_joint}
    mask = cl_find_label_issues(
        y_encoded,
        pred_probs,
        filter_by=filter_by,
        n_jobs=effective_n_jobs(n_jobs),
        **given,
    )
    return np.asarray(mask, dtype=bool), _noise_matrix(y_encoded, pred_probs, confident_joint)


def _noise_matrix(y_encoded, pred_probs, confident_joint=None):
    """Confident learning's estimate of P(given label = i | true label = j), as ``[i, j]``.

    ``pred_probs`` must be out-of-sample for the rows of ``y_encoded``. Columns
    of true classes that no row is estimated to belong to are zero.
    """
    from cleanlab.count import compute_confident_joint, estimate_latent

    if confident_joint is None:
        confident_joint = compute_confident_joint(y_encoded, pred_probs)
    return estimate_latent(confident_joint, y_encoded)[1]


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
):
    """Estimated fraction of the given labels that are wrong.

    ``1 - trace(Q)``, where ``Q`` is confident learning's calibrated estimate
    of the joint distribution of given and true labels
    (:func:`cleanlab.count.estimate_joint`), computed from out-of-fold
    probabilities. No true label is used.

    Parameters
    ----------
    estimator : estimator object or None
        A classifier with ``predict_proba``, cloned for each fold. ``None``
        means ``ExtraTreesClassifier(min_samples_leaf=5, random_state=random_state)``.

    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        Training data; ignored when ``pred_probs`` is given.

    y : array-like of shape (n_samples,)
        The given (possibly noisy) labels, any values.

    cv : int, cross-validation generator or iterable, default=5
        As in :func:`out_of_fold_proba`.

    n_jobs : int, default=None
        Folds fitted in parallel (``None`` means 1).

    random_state : int, RandomState instance or None, default=None
        Shuffles the folds when ``cv`` is an int.

    pred_probs : array-like of shape (n_samples, n_classes), default=None
        Out-of-fold probabilities you already have (columns in sorted class
        order); the cross-validation is then skipped.

    params : dict, default=None
        Fit parameters for the estimator, split with the folds.

    Returns
    -------
    noise_rate : float
        In ``[0, 1)``: the estimated share of samples whose given label
        differs from the true one.

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
    >>> rate = estimate_noise_rate(None, X, y_noisy, random_state=0)
    >>> print(0.15 < rate < 0.25)
    True
    """
    from cleanlab.count import estimate_joint

    y_encoded, pred_probs = _pred_probs_and_labels(
        estimator, X, y, cv, n_jobs, random_state, pred_probs, params
    )
    joint = estimate_joint(y_encoded, pred_probs)
    return float(np.clip(1.0 - np.trace(joint), 0.0, 1.0 - np.finfo(float).eps))
