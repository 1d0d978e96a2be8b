"""Scoring against noisy labels: the clean-label accuracy, estimated.

When the validation labels are as noisy as the training labels, the plain
accuracy of a model is off by about the noise rate, and under
class-conditional noise the ranking of models can flip. If the noise is
*class-conditional*, with transition matrix ``T`` (``T[k, j]``: the
probability that a sample of true class ``k`` is labelled ``j``), and the
predictions do not depend on the validation labels, then

    E[M] = Tᵀ N,

where ``M[j, p]`` counts the samples with noisy label ``j`` and prediction
``p`` and ``N[k, p]`` those with true class ``k`` and prediction ``p`` (the
confusion matrix one would get with clean labels). So ``N`` is estimated by
solving ``Tᵀ N = M``, and the clean accuracy ``trace(N) / n`` by the mean of
``T⁻¹[j_i, p_i]`` over the samples: an unbiased estimate. This is backward
loss correction (Patrini et al., 2017) applied to evaluation.
"""

import warnings
from numbers import Integral

import numpy as np
from sklearn.metrics import confusion_matrix
from sklearn.utils.multiclass import unique_labels

from ._compat import HasMethods, Interval, StrOptions, validate_params
from ._validation import check_labels
from .detection import estimate_transition_matrix
from .noise import resolve_transition_matrix

__all__ = [
    "make_noise_corrected_scorer",
    "noise_corrected_accuracy",
    "noise_corrected_confusion_matrix",
]

# Above this condition number the correction multiplies the sampling error of
# the noisy-label counts by so much that the estimate carries no information.
MAX_CONDITION_NUMBER = 100.0

# Floating-point dust around [0, 1] that is clipped without a warning.
_CLIP_TOLERANCE = 1e-9


def _classes(y_noisy, y_pred, labels):
    """Validated label arrays and the classes that index the matrices."""
    y_noisy = check_labels(y_noisy, name="y_noisy")
    y_pred = check_labels(y_pred, name="y_pred")
    if y_noisy.shape[0] != y_pred.shape[0]:
        raise ValueError(
            "y_noisy and y_pred must have one entry per sample; got "
            f"{y_noisy.shape[0]} noisy labels and {y_pred.shape[0]} predictions."
        )
    if y_noisy.shape[0] == 0:
        raise ValueError("y_noisy and y_pred are empty; there is nothing to score.")
    if labels is None:
        try:
            return y_noisy, y_pred, unique_labels(y_noisy, y_pred)
        except ValueError as exc:
            raise ValueError(
                f"y_noisy and y_pred must hold labels of the same kind: {exc}"
            ) from exc
    classes = np.asarray(labels)
    if classes.ndim != 1 or classes.size == 0:
        raise ValueError(
            f"labels must be a non-empty 1-D list of classes; got shape {classes.shape}."
        )
    if np.unique(classes).size != classes.size:
        raise ValueError(f"labels must not repeat a class; got {classes.tolist()}.")
    known = set(classes.tolist())
    for name, values in (("y_noisy", y_noisy), ("y_pred", y_pred)):
        unknown = sorted(set(np.unique(values).tolist()) - known, key=str)
        if unknown:
            raise ValueError(
                f"{name} contains the labels {unknown}, which are not in labels "
                f"{classes.tolist()}; labels must list every class."
            )
    return y_noisy, y_pred, classes


def _invertible_transition_matrix(transition_matrix, classes):
    """The K×K matrix over ``classes``, checked to be safely invertible."""
    matrix = resolve_transition_matrix(classes, 0.0, "symmetric", transition_matrix)
    condition = np.linalg.cond(matrix) if matrix.size else np.inf
    if not np.isfinite(condition) or condition > MAX_CONDITION_NUMBER:
        n_classes = len(classes)
        raise ValueError(
            "transition_matrix is singular or too ill-conditioned to correct for "
            f"(condition number {condition:.3g}, above {MAX_CONDITION_NUMBER:g}): "
            "the noisy labels of some true classes are distributed (almost) alike, "
            "so they cannot tell those classes apart. This happens with symmetric "
            f"noise at a rate close to (K - 1) / K = {(n_classes - 1) / max(n_classes, 1):.3g} "
            "or pair noise close to 0.5. Check the matrix (rows: true classes, "
            "columns: noisy labels, in the order of labels or of the sorted "
            "classes); if it is right, these labels cannot estimate the clean "
            "accuracy: have some of them verified instead."
        )
    return matrix


def _corrected_counts(y_noisy, y_pred, transition_matrix, labels, method="inverse"):
    """The clean counts ``N`` (true class x prediction) that explain the noisy ones: ``Tᵀ N = M``.

    Solved exactly (``"inverse"``: ``T`` must be well conditioned), or by
    non-negative least squares for each predicted class (``"nnls"``).
    """
    y_noisy, y_pred, classes = _classes(y_noisy, y_pred, labels)
    noisy_counts = confusion_matrix(y_noisy, y_pred, labels=classes)
    if method == "inverse":
        matrix = _invertible_transition_matrix(transition_matrix, classes)
        return np.linalg.solve(matrix.T, noisy_counts)  # solve, never invert
    from scipy.optimize import nnls

    matrix = resolve_transition_matrix(classes, 0.0, "symmetric", transition_matrix)
    return np.column_stack(
        [nnls(matrix.T, noisy_counts[:, p].astype(float))[0] for p in range(len(classes))]
    )


_METRIC_PARAMETERS = {
    "y_noisy": ["array-like"],
    "y_pred": ["array-like"],
    "transition_matrix": ["array-like", dict],
    "labels": ["array-like", None],
}


@validate_params(_METRIC_PARAMETERS, prefer_skip_nested_validation=True)
def noise_corrected_confusion_matrix(y_noisy, y_pred, *, transition_matrix, labels=None):
    """Estimate the clean-label confusion matrix from noisy labels.

    ``C[k, p]`` estimates how many samples of *true* class ``k`` are predicted
    ``p``, from their noisy labels and the class-conditional noise model
    ``transition_matrix``: the solution of ``Tᵀ C = M``, where ``M`` is the
    confusion matrix of the noisy labels. See the module docstring for the
    algebra and :func:`noise_corrected_accuracy` for the assumptions.

    Parameters
    ----------
    y_noisy : array-like of shape (n_samples,)
        The noisy labels the predictions are compared with; any label values.

    y_pred : array-like of shape (n_samples,)
        Predicted labels, from a model that was not fitted on ``y_noisy``.

    transition_matrix : array-like of shape (n_classes, n_classes) or dict
        The noise model: the row-stochastic matrix whose ``[k, j]`` entry is
        the probability that a sample of true class ``k`` is labelled ``j``
        (rows and columns in the order of ``labels``, or of the sorted
        classes), or the mapping ``{true_class: {noisy_class: rate}}`` that
        :func:`~skrobust.make_noisy_labels` accepts. It must be invertible and
        well conditioned (condition number at most 100).

    labels : array-like of shape (n_classes,), default=None
        Every class, in the order of the matrix rows. ``None`` means the
        sorted classes found in ``y_noisy`` and ``y_pred``; give it when a
        class of the noise model may be missing from both.

    Returns
    -------
    confusion : ndarray of shape (n_classes, n_classes), dtype=float
        Estimated counts, rows the true classes and columns the predicted
        ones (the layout of :func:`sklearn.metrics.confusion_matrix`). Each
        column sums to the number of samples predicted as its class. An
        entry may be slightly negative: the estimate is unbiased, not
        constrained.

    See Also
    --------
    noise_corrected_accuracy : The trace of this matrix over the sample size.
    sklearn.metrics.confusion_matrix : The same matrix for clean labels.

    Examples
    --------
    >>> from skrobust.metrics import noise_corrected_confusion_matrix
    >>> y_pred = ["cat"] * 10 + ["cat"] * 5 + ["dog"] * 5   # true: 10 cats, 10 dogs
    >>> y_noisy = (["cat"] * 8 + ["dog"] * 2                 # 20% of each group flipped
    ...            + ["dog"] * 4 + ["cat"] + ["dog"] * 4 + ["cat"])
    >>> C = noise_corrected_confusion_matrix(
    ...     y_noisy, y_pred, transition_matrix=[[0.8, 0.2], [0.2, 0.8]])
    >>> print(C.round(6) + 0.0)   # rows: true cat, dog; columns: predicted cat, dog
    [[10.  0.]
     [ 5.  5.]]
    """
    return _corrected_counts(y_noisy, y_pred, transition_matrix, labels)


@validate_params(
    {**_METRIC_PARAMETERS, "method": [StrOptions({"inverse", "nnls"})]},
    prefer_skip_nested_validation=True,
)
def noise_corrected_accuracy(y_noisy, y_pred, *, transition_matrix, labels=None, method="inverse"):
    """Estimate the accuracy on the clean labels from noisy ones.

    The trace of :func:`noise_corrected_confusion_matrix` over the number of
    samples, that is the mean of ``T⁻¹[noisy label, prediction]``: an
    unbiased estimate of the accuracy the predictions would have on the
    true labels, when the assumptions below hold. With the identity matrix
    it is the plain accuracy.

    Parameters
    ----------
    y_noisy : array-like of shape (n_samples,)
        The noisy labels the predictions are compared with; any label values.

    y_pred : array-like of shape (n_samples,)
        Predicted labels, from a model that was not fitted on ``y_noisy``.

    transition_matrix : array-like of shape (n_classes, n_classes) or dict
        The noise model: the row-stochastic matrix whose ``[k, j]`` entry is
        the probability that a sample of true class ``k`` is labelled ``j``
        (rows and columns in the order of ``labels``, or of the sorted
        classes), or the mapping ``{true_class: {noisy_class: rate}}`` that
        :func:`~skrobust.make_noisy_labels` accepts. It must be invertible and
        well conditioned (condition number at most 100). When it is not
        known, :func:`estimate_transition_matrix` estimates it from the noisy
        labels.

    labels : array-like of shape (n_classes,), default=None
        Every class, in the order of the matrix rows. ``None`` means the
        sorted classes found in ``y_noisy`` and ``y_pred``.

    method : {"inverse", "nnls"}, default="inverse"
        How ``Tᵀ N = M`` is solved for the clean counts ``N``: exactly
        (``"inverse"``, unbiased when ``T`` is right), or by non-negative
        least squares for each predicted class (``"nnls"``), the accuracy
        then being ``trace(N) / sum(N)``. ``"nnls"`` stays in ``[0, 1]`` and
        bounded when ``T`` is an estimate, or badly conditioned: prefer it
        with an estimated matrix (it is what
        ``make_noise_corrected_scorer(transition_matrix="estimate")`` uses).

    Returns
    -------
    accuracy : float
        In [0, 1]. An estimate that the algebra puts outside (a small sample,
        a wrong matrix) is clipped, with a warning.

    See Also
    --------
    make_noise_corrected_scorer : This metric as a scorer for
        :class:`~sklearn.model_selection.GridSearchCV` and ``cross_validate``.
    estimate_transition_matrix : ``T`` from the noisy labels alone.

    Notes
    -----
    Two assumptions make the estimate unbiased:

    - the noise is *class-conditional*: whether and how a label is wrong
      depends on the true class only, not on the features (what
      :func:`~skrobust.make_noisy_labels` simulates with its symmetric, pair
      and matrix models);
    - the predictions are independent of the label noise given the true
      class, which holds when the model was not fitted on these labels
      (score on held-out data, as cross-validation does).

    Under *instance-dependent* noise, where annotators mislabel the hard
    samples as the class they resemble, the label errors fall where models
    err too: a model then agrees with the wrong labels more often than the
    class-level rates predict, its noisy-label accuracy is inflated, and the
    correction, which removes only the class-level share, overestimates its
    clean accuracy, the more so the more its errors look like the
    annotators'. No estimate from noisy labels alone can undo that; a few
    verified labels can. In skrobust's benchmark
    (``benchmarks/bench_scoring.py``, ``make_noisy_labels(...,
    noise_type="instance")`` at 20% and 40%), correcting with the noise's own
    class-level matrix overestimated the clean accuracy by 8 to 27 points,
    more than the plain accuracy missed it by.

    The sampling error grows with the inverse of ``T``: at a noise rate ``r``
    on two classes it is the plain accuracy's divided by ``1 - 2r``.

    References
    ----------
    .. [1] G. Patrini, A. Rozza, A. K. Menon, R. Nock and L. Qu, "Making Deep
       Neural Networks Robust to Label Noise: a Loss Correction Approach",
       CVPR 2017, 1944-1952. :doi:`10.1109/CVPR.2017.240`

    Examples
    --------
    >>> from skrobust.metrics import noise_corrected_accuracy
    >>> y_true = ["cat"] * 10 + ["dog"] * 10
    >>> y_noisy = ["cat"] * 8 + ["dog"] * 2 + ["dog"] * 8 + ["cat"] * 2  # 20% flipped
    >>> y_pred = y_true                                  # a perfect model
    >>> sum(p == y for p, y in zip(y_pred, y_noisy)) / 20  # plain accuracy
    0.8
    >>> T = {"cat": {"dog": 0.2}, "dog": {"cat": 0.2}}   # as make_noisy_labels takes it
    >>> print(round(noise_corrected_accuracy(y_noisy, y_pred, transition_matrix=T), 6))
    1.0
    """
    counts = _corrected_counts(y_noisy, y_pred, transition_matrix, labels, method)
    total = counts.sum()  # the number of samples with "inverse" (T is row-stochastic)
    accuracy = float(np.trace(counts) / total) if total > 0 else 0.0
    if not -_CLIP_TOLERANCE <= accuracy <= 1 + _CLIP_TOLERANCE:
        warnings.warn(
            f"The noise-corrected accuracy {accuracy:.4f} lies outside [0, 1] and is "
            "clipped: the sample is too small for this transition_matrix, or the "
            "matrix does not describe the noise of y_noisy.",
            UserWarning,
            stacklevel=3,  # the caller of the validate_params wrapper
        )
    return float(np.clip(accuracy, 0.0, 1.0))


class _NoiseCorrectedScorer:
    """The callable :func:`make_noise_corrected_scorer` returns."""

    def __init__(self, transition_matrix, labels, noise_estimator, cv, n_jobs, random_state):
        self.transition_matrix = transition_matrix
        self.labels = labels
        self.noise_estimator = noise_estimator
        self.cv = cv
        self.n_jobs = n_jobs
        self.random_state = random_state

    def __call__(self, estimator, X, y_true):
        """Noise-corrected accuracy of fitted ``estimator`` on ``X`` against the noisy ``y_true``."""
        y_pred = estimator.predict(X)
        labels = self.labels
        if labels is None:
            labels = getattr(estimator, "classes_", None)
        matrix = self.transition_matrix
        if isinstance(matrix, str):  # "estimate"
            matrix = self._estimate(X, y_true, labels)
        method = "nnls" if isinstance(self.transition_matrix, str) else "inverse"
        return noise_corrected_accuracy(
            y_true, y_pred, transition_matrix=matrix, labels=labels, method=method
        )

    def _estimate(self, X, y_true, labels):
        matrix = estimate_transition_matrix(
            self.noise_estimator, X, y_true, cv=self.cv, n_jobs=self.n_jobs,
            random_state=self.random_state,
        )
        if labels is None:
            return matrix
        classes = np.unique(check_labels(y_true))
        missing = sorted(set(np.asarray(labels).tolist()) - set(classes.tolist()), key=str)
        if missing:
            raise ValueError(
                f"transition_matrix='estimate' needs every class among the labels being "
                f"scored, but the classes {missing} have none; use stratified folds or "
                "fewer of them, or estimate the matrix on all the data "
                "(estimate_transition_matrix) and pass it."
            )
        order = np.searchsorted(classes, labels)
        return matrix[np.ix_(order, order)]

    def __repr__(self):
        matrix = self.transition_matrix
        shown = repr(matrix) if isinstance(matrix, (str, dict)) else "array"
        return f"make_noise_corrected_scorer(transition_matrix={shown})"


@validate_params(
    {
        "transition_matrix": ["array-like", dict, StrOptions({"estimate"})],
        "labels": ["array-like", None],
        "noise_estimator": [HasMethods(["fit", "predict_proba"]), None],
        "cv": ["cv_object"],
        "n_jobs": [Integral, None],
        "random_state": [Interval(Integral, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def make_noise_corrected_scorer(
    *, transition_matrix, labels=None, noise_estimator=None, cv=5, n_jobs=None, random_state=0
):
    """Make a scorer that estimates clean-label accuracy from noisy labels.

    Use it as ``scoring=`` in :class:`~sklearn.model_selection.GridSearchCV`,
    :func:`~sklearn.model_selection.cross_validate` and the like when the
    labels you validate on are as noisy as those you train on: each
    candidate's accuracy on the noisy validation fold is corrected by
    :func:`noise_corrected_accuracy`, so the search ranks the candidates by
    (an estimate of) their accuracy on the true labels, and the reported
    score is that estimate rather than one off by the noise rate.

    Parameters
    ----------
    transition_matrix : array-like of shape (n_classes, n_classes), dict or "estimate"
        The noise model, as in :func:`noise_corrected_accuracy` (rows and
        columns in the order of ``labels``, by default the sorted classes),
        or ``"estimate"``: on every validation fold it scores, the scorer
        estimates the matrix by confident learning
        (:func:`estimate_transition_matrix`) from that fold's features and
        noisy labels alone, and corrects with ``method="nnls"`` of
        :func:`noise_corrected_accuracy`. The estimate does not depend on the model being
        scored, so every candidate of a search is corrected with the same
        matrix on the same fold. It needs every class in every validation
        fold (``cv`` samples of each when ``cv`` is an int), and it is as
        good as the fold is large: with small folds, estimate the matrix
        once on all your (noisy) data and pass it instead.

    labels : array-like of shape (n_classes,), default=None
        The classes, in the order of the matrix rows. ``None`` means the
        scored estimator's ``classes_`` (the sorted training classes), or, for
        an estimator without ``classes_``, the classes found in the labels and
        predictions.

    noise_estimator : estimator object, default=None
        With ``transition_matrix="estimate"``: the classifier (with
        ``predict_proba``) whose out-of-fold probabilities feed confident
        learning. ``None`` means
        ``ExtraTreesClassifier(min_samples_leaf=5, random_state=random_state)``.

    cv : int, cross-validation generator or iterable, default=5
        With ``transition_matrix="estimate"``: the folds, within each
        validation fold, of those out-of-fold probabilities.

    n_jobs : int, default=None
        With ``transition_matrix="estimate"``: those folds fitted in parallel.

    random_state : int, default=0
        With ``transition_matrix="estimate"``: seeds those folds and the
        default ``noise_estimator``. An int, not ``None``, so that every
        candidate is scored with the same estimated matrix.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)``: the noise-corrected accuracy of the
        fitted ``estimator``'s predictions on ``X`` against the noisy ``y``.

    See Also
    --------
    noise_corrected_accuracy : The metric, with its assumptions.

    Notes
    -----
    The correction assumes that the noise depends on the true class only,
    not on the features; under instance-dependent noise it overestimates
    the accuracy of models whose errors resemble the annotators' (see
    :func:`noise_corrected_accuracy`). Under symmetric noise with one matrix
    for all folds the correction is an increasing affine function of the
    plain accuracy: it does not change the ranking of the candidates, only
    the score reported; under asymmetric noise (pair, class-conditional) it
    can change the ranking. Scores clipped to 1 tie, so many clipping
    warnings mean the matrix overstates the noise or the folds are too
    small to rank on.

    With ``"estimate"``, the matrix is only as good as confident learning
    on the fold: on data whose classes overlap it overstates the noise and
    the scores come out too high, though equally so for every candidate of
    a fold (see :func:`estimate_transition_matrix`).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from skrobust import make_noisy_labels
    >>> from skrobust.metrics import make_noise_corrected_scorer
    >>> X, y = make_classification(n_samples=3000, random_state=0)
    >>> y_noisy, _ = make_noisy_labels(y, noise_rate=0.2, random_state=0)
    >>> model = LogisticRegression()
    >>> print(round(cross_val_score(model, X, y).mean(), 2))  # clean labels: unknown to you
    0.91
    >>> print(round(cross_val_score(model, X, y_noisy).mean(), 2))  # plain, noisy labels
    0.74
    >>> scorer = make_noise_corrected_scorer(transition_matrix=[[0.8, 0.2], [0.2, 0.8]])
    >>> print(round(cross_val_score(model, X, y_noisy, scoring=scorer).mean(), 2))
    0.9
    """
    if not isinstance(transition_matrix, (str, dict)):
        matrix = np.asarray(transition_matrix, dtype=float)
        # Shape, probabilities and conditioning are checked now, the classes when scoring.
        _invertible_transition_matrix(matrix, np.arange(matrix.shape[0] if matrix.ndim else 0))
    return _NoiseCorrectedScorer(
        transition_matrix, labels, noise_estimator, cv, n_jobs, random_state
    )
