"""LabelNoiseInjector: train any classifier on labels corrupted by a noise model."""

from numbers import Real

import numpy as np
from sklearn.base import clone

from ._base import BaseMetaClassifier
from ._compat import HasMethods, Interval, StrOptions, _fit_context
from ._validation import check_fit_input, check_n_classes
from .noise import INSTANCE_METHODS, NOISE_TYPES, corrupt_labels


class LabelNoiseInjector(BaseMetaClassifier):
    """Fit a classifier on labels corrupted by a noise model; predict as it does.

    ``fit`` corrupts the labels it is given with :func:`make_noisy_labels`
    and fits a clone of ``estimator`` on them; prediction is delegated to that
    clone. Inside ``cross_validate`` or ``GridSearchCV`` only the training
    folds are corrupted, while the held-out folds are scored against the
    labels given: the experiment "how well does this method learn from noisy
    labels?" done right, in one line.

    Parameters
    ----------
    estimator : estimator object, default=None
        The classifier to train on the noisy labels. ``None`` means
        ``LogisticRegression()``.

    noise_rate : float in [0, 1), default=0.2
        Fraction of each class's training labels to change.

    noise_type : {"symmetric", "pair", "instance"}, default="symmetric"
        The noise model: the matrices of :func:`noise_transition_matrix`, or
        ``"instance"`` for instance-dependent noise computed from the ``X``
        given to ``fit``, as in :func:`make_noisy_labels`.

    transition_matrix : array-like of shape (n_classes, n_classes) or dict, default=None
        A noise model of your own, as in :func:`make_noisy_labels`; then
        ``noise_rate`` is unused and ``noise_type`` must stay at its default.

    instance_method : {"boundary", "projection"}, default="boundary"
        The kind of instance-dependent noise (``noise_type="instance"``
        only): flips near a model's class boundary, or the random
        projections of Xia et al. (2020); see :func:`make_noisy_labels`.

    noise_estimator : estimator object, default=None
        The classifier whose out-of-fold probabilities drive
        ``instance_method="boundary"``; ``None`` means a standardised
        ``LogisticRegression``. Not the ``estimator`` trained on the labels.

    random_state : int, RandomState instance or None, default=None
        Seeds the noise. The inner estimator keeps its own ``random_state``.

    Attributes
    ----------
    estimator_ : estimator object
        The clone of ``estimator`` fitted on the noisy labels.

    classes_ : ndarray of shape (n_classes,)
        The sorted classes of the ``y`` given to ``fit`` (also when
        ``estimator_`` has no ``classes_``, as cleanlab's ``CleanLearning``).

    n_features_in_ : int
        Number of features seen during ``fit`` (when ``estimator_`` has it).

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during ``fit``, when ``X`` has string column names.

    noise_mask_ : ndarray of shape (n_samples,), dtype=bool
        True for the training rows whose label was changed.

    transition_matrix_ : ndarray of shape (n_classes, n_classes)
        The noise model applied, over the sorted classes of ``y``; for
        instance-dependent noise, the realised fractions of each true class
        that received each label.

    See Also
    --------
    make_noisy_labels : The function that corrupts the labels.

    Notes
    -----
    ``X`` is passed to ``estimator`` unchanged (a DataFrame stays a
    DataFrame), and its validation is left to the inner estimator. With
    scikit-learn's metadata routing enabled, fit parameters reach the inner
    estimator by request (``set_fit_request``); without it, every fit
    parameter (``sample_weight``, ...) is forwarded to the inner ``fit``.

    ``fit_resample(X, y)`` returns ``X`` and the noisy labels, so the injector
    also serves as a sampler in imbalanced-learn pipelines.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.model_selection import cross_val_score
    >>> from skrobust import LabelNoiseInjector
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> model = LabelNoiseInjector(
    ...     RandomForestClassifier(random_state=0), noise_rate=0.3, random_state=0)
    >>> scores = cross_val_score(model, X, y, cv=3)  # clean held-out folds
    >>> float(model.fit(X, y).noise_mask_.mean())
    0.3
    """

    _parameter_constraints: dict = {
        **BaseMetaClassifier._parameter_constraints,
        "noise_rate": [Interval(Real, 0, 1, closed="left")],
        "noise_type": [StrOptions(set(NOISE_TYPES))],
        "transition_matrix": ["array-like", dict, None],
        "instance_method": [StrOptions(set(INSTANCE_METHODS))],
        "noise_estimator": [HasMethods(["fit", "predict_proba"]), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        noise_rate=0.2,
        noise_type="symmetric",
        transition_matrix=None,
        instance_method="boundary",
        noise_estimator=None,
        random_state=None,
    ):
        self.estimator = estimator
        self.noise_rate = noise_rate
        self.noise_type = noise_type
        self.transition_matrix = transition_matrix
        self.instance_method = instance_method
        self.noise_estimator = noise_estimator
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Corrupt ``y`` and fit a clone of ``estimator`` on the noisy labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, passed unchanged to the inner estimator.

        y : array-like of shape (n_samples,)
            Clean target labels; they are copied, never modified.

        **fit_params : dict
            Parameters for the inner estimator's ``fit`` (routed by request
            when metadata routing is enabled).

        Returns
        -------
        self : object
            The fitted injector.
        """
        classes = np.unique(check_fit_input(X, y))
        check_n_classes(classes, "LabelNoiseInjector")
        y_noisy = self._corrupt(X, y)
        self.estimator_ = clone(self._get_estimator())
        self.estimator_.fit(X, y_noisy, **self._route_params(fit_params, "fit"))
        self._copy_fitted_attributes(classes)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_resample(self, X, y):
        """Return ``X`` with its labels corrupted by the noise model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, returned as given.

        y : array-like of shape (n_samples,)
            Clean target labels; they are copied, never modified.

        Returns
        -------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The same ``X``.

        y_noisy : ndarray or pandas Series of shape (n_samples,)
            The corrupted labels (``noise_mask_`` marks the changed ones).
        """
        return X, self._corrupt(X, y)

    def _corrupt(self, X, y):
        check_fit_input(X, y)
        y_noisy, self.noise_mask_, self.transition_matrix_ = corrupt_labels(
            y, self.noise_rate, self.noise_type, self.transition_matrix, self.random_state,
            X=X, instance_method=self.instance_method,
            noise_estimator=self.noise_estimator,
        )
        return y_noisy

    def __sklearn_is_fitted__(self):
        # fit_resample fits the noise but no estimator; prediction needs one.
        return hasattr(self, "estimator_")

