"""Finding noisy labels: out-of-fold probabilities fed to confident learning.

scikit-learn computes the out-of-fold class probabilities (``check_cv`` +
``cross_val_predict``, as :class:`~sklearn.calibration.CalibratedClassifierCV`
does); cleanlab does the confident learning on top of them
(:func:`cleanlab.filter.find_label_issues`, :func:`cleanlab.count.estimate_joint`).
This module only adds the glue: label encoding (so that any label values
work), cross-validation that every class can survive (skrobust's one fold
rule, :func:`~skrobust._validation.check_folds`), and the scikit-learn
calling conventions.

Parallelism goes through joblib only: ``n_jobs`` fits folds in parallel
(:func:`~sklearn.model_selection.cross_val_predict`), while cleanlab's filter
always runs in the calling process (``n_jobs=1``), so that no dependency
starts processes inside a joblib, loky or Dask worker.

None of these functions ever sees true labels: they estimate which of the
*given* labels are wrong from how well a model trained on the other folds
agrees with them.
"""

from numbers import Integral

import numpy as np
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.model_selection import cross_val_predict
from sklearn.preprocessing import LabelEncoder
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


def _encode(y, X, pred_probs, owner):
    """Labels as 0..K-1 plus the sorted classes; at least two classes required."""
    if pred_probs is None:
        y = check_fit_input(X, y)
    else:
        y = check_labels(y)
    encoder = LabelEncoder().fit(y)
    check_n_classes(encoder.classes_, owner)
    return encoder.transform(y), encoder.classes_


def _oof_encoded(estimator, X, y_encoded, *, cv, n_jobs, random_state, params, classes=None):
    """Out-of-fold probabilities, one column per code of ``y_encoded`` (0..K-1).

    Folds by :func:`~skrobust._validation.check_folds`; the rows it cannot
    hold out (a class with a single sample) get a row of NaN. ``classes``
    (the labels the codes stand for) names them in its warnings.
    """
    estimator = _default_estimator(estimator, random_state)
    check_consistent_length(X, y_encoded)
    splitter, held_out = check_folds(cv, y_encoded, random_state, classes=classes)
    proba = np.full((len(y_encoded), int(y_encoded.max()) + 1), np.nan)
    if splitter is None:
        return proba
    if held_out.all():
        rows, X_cv, y_cv, params_cv = slice(None), X, y_encoded, params
    else:
        rows = np.flatnonzero(held_out)
        X_cv, y_cv = _safe_indexing(X, rows), y_encoded[rows]
        params_cv = _check_method_params(X, params=params or {}, indices=rows)
    oof = cross_val_predict(
        WithClasses(estimator),  # CleanLearning sets no classes_
        X_cv,
        y_cv,
        cv=splitter,
        n_jobs=n_jobs,
        method="predict_proba",
        params=params_cv,
    )
    if held_out.all():
        return oof
    proba[rows] = 0.0  # classes that no fold holds out are never predicted
    proba[np.ix_(rows, np.unique(y_cv))] = oof
    return proba


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
    y_encoded, classes = _encode(y, X, None, "out_of_fold_proba")
    proba = _oof_encoded(
        estimator,
        X,
        y_encoded,
        cv=cv,
        n_jobs=n_jobs,
        random_state=random_state,
        params=params,
        classes=classes,
    )
    return proba, classes


def _pred_probs_and_labels(
    estimator, X, y, cv, n_jobs, random_state, pred_probs, params, owner
):
    y_encoded, classes = _encode(y, X, pred_probs, owner)
    if pred_probs is None:
        pred_probs = _oof_encoded(
            estimator,
            X,
            y_encoded,
            cv=cv,
            n_jobs=n_jobs,
            random_state=random_state,
            params=params,
            classes=classes,
        )
    else:
        pred_probs = check_pred_probs(pred_probs, len(y_encoded), len(classes))
    return y_encoded, pred_probs


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
        means ``ExtraTreesClassifier(min_samples_leaf=5, random_state=random_state)``.

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
    13 0
    """
    y_encoded, pred_probs = _pred_probs_and_labels(
        estimator, X, y, cv, n_jobs, random_state, pred_probs, params, "find_label_issues"
    )
    return _confident_learning(y_encoded, pred_probs, filter_by)[0]


def _held_out_problem(y_encoded, pred_probs):
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


def _confident_learning(y_encoded, pred_probs, filter_by):
    """cleanlab's label-issue mask and noise matrix, from one confident joint.

    Rows of NaN (not held out by the folds) are kept as given: never
    flagged, and outside the estimate of the noise matrix, whose columns of
    classes without such rows are those of the identity.

    The confident joint is computed once (calibrated, as cleanlab's filter and
    ``CleanLearning`` compute it) and passed to the filter, as ``CleanLearning``
    does, so the mask is the one :func:`cleanlab.filter.find_label_issues`
    returns on its own.
    ``noise_matrix[i, j]`` estimates P(given label = i | true label = j)
    (:func:`cleanlab.count.estimate_latent`, as ``CleanLearning`` estimates it).
    """
    from cleanlab.count import compute_confident_joint
    from cleanlab.filter import find_label_issues as cl_find_label_issues

    n_classes = pred_probs.shape[1]
    mask = np.zeros(len(y_encoded), dtype=bool)
    noise_matrix = np.eye(n_classes)
    rows, present, labels, probs = _held_out_problem(y_encoded, pred_probs)
    if labels is None:
        return mask, noise_matrix
    confident_joint = compute_confident_joint(labels, probs)
    # "confident_learning" re-estimates the joint itself (and warns if given one).
    given = {} if filter_by == "confident_learning" else {"confident_joint": confident_joint}
    # n_jobs=1: cleanlab's own pool would start processes inside joblib, loky
    # or Dask workers ("daemonic processes are not allowed to have children"),
    # and in a worker whose multiprocessing does not fork (a loky worker) its
    # pool workers lack the module global they read: "NameError: name
    # 'pred_probs_by_class' is not defined" (cleanlab 2.9 filter.py decides
    # by the OS, not by the start method, whether globals reach its workers;
    # its docstring tip: https://github.com/cleanlab/cleanlab/issues/150).
    # skrobust parallelises through joblib (the folds) instead.
    found = cl_find_label_issues(labels, probs, filter_by=filter_by, n_jobs=1, **given)
    mask[rows] = np.asarray(found, dtype=bool)
    noise_matrix[np.ix_(present, present)] = _noise_matrix(labels, probs, confident_joint)
    return mask, noise_matrix


def _noise_matrix(y_encoded, pred_probs, confident_joint=None):
    """Confident learning's estimate of P(given label = i | true label = j), as ``[i, j]``.

    ``pred_probs`` must be out-of-sample for the rows of ``y_encoded``. Columns
    of true classes that no row is estimated to belong to are zero.
    """
    from cleanlab.count import compute_confident_joint, estimate_latent

    if confident_joint is None:
        confident_joint = compute_confident_joint(y_encoded, pred_probs)
    return estimate_latent(confident_joint, y_encoded)[1]


@validate_params(
    {**_PARAMS, "pred_probs": ["array-like", None]}, prefer_skip_nested_validation=False
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
        As in :func:`out_of_fold_proba`; rows that the folds cannot hold out
        count as correctly labelled.

    n_jobs : int, default=None
        Folds fitted in parallel by joblib (``None`` means 1).

    random_state : int, RandomState instance or None, default=None
        Shuffles the folds when ``cv`` is an int.

    pred_probs : array-like of shape (n_samples, n_classes), default=None
        As in :func:`find_label_issues`; the cross-validation is then skipped.

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
        estimator, X, y, cv, n_jobs, random_state, pred_probs, params, "estimate_noise_rate"
    )
    rows, _, labels, probs = _held_out_problem(y_encoded, pred_probs)
    if labels is None:
        return 0.0
    joint = estimate_joint(labels, probs)
    rate = (1.0 - np.trace(joint)) * np.count_nonzero(rows) / len(rows)
    return float(np.clip(rate, 0.0, 1.0 - np.finfo(float).eps))
