"""Choose a classifier from noisy labels alone: :class:`NoisyLabelSelector`."""

import importlib.util
import time
import warnings
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone, is_classifier
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted, indexable

from ._compat import StrOptions, _fit_context, _safe_indexing
from ._proba import proba_in_classes
from ._validation import DEFAULT_FOLDS, check_fit_input, check_folds, check_n_classes

__all__ = ["NoisyLabelSelector", "default_candidates"]

_SCORE_COLUMNS = {"corrected": "corrected_score", "noisy": "noisy_score"}


def _keras_installed():
    """Whether the ``keras`` extra is installed, found without importing TensorFlow."""
    return all(importlib.util.find_spec(name) is not None for name in ("tensorflow", "scikeras"))


def default_candidates(random_state=None):
    """The candidates :class:`NoisyLabelSelector` compares when given none.

    Plain scikit-learn models (a forest, gradient boosting, a scaled logistic
    regression and a scaled multi-layer perceptron) and skrobust's
    noise-handling methods (:class:`~skrobust.CleanFirstRelabeler` over the
    forest and over gradient boosting, :class:`~skrobust.CoTeachingClassifier`,
    and :class:`~skrobust.MAEClassifier` when the ``keras`` extra is
    installed), each seeded with ``random_state``.

    Parameters
    ----------
    random_state : int or None, default=None
        The seed of every candidate's randomness.

    Returns
    -------
    candidates : dict
        Name to unfitted estimator, built fresh on each call.

    Examples
    --------
    >>> from skrobust.selection import default_candidates
    >>> list(default_candidates(0))[:4]
    ['random_forest', 'gradient_boosting', 'logistic_regression', 'mlp']
    """
    from .coteaching import CoTeachingClassifier
    from .relabel import CleanFirstRelabeler

    seed = random_state
    candidates = {
        "random_forest": RandomForestClassifier(random_state=seed),
        "gradient_boosting": HistGradientBoostingClassifier(random_state=seed),
        "logistic_regression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        "mlp": make_pipeline(StandardScaler(), MLPClassifier(random_state=seed)),
        "clean_first_forest": CleanFirstRelabeler(random_state=seed),
        "clean_first_boosting": CleanFirstRelabeler(
            HistGradientBoostingClassifier(random_state=seed), random_state=seed
        ),
        "coteaching": CoTeachingClassifier(random_state=seed),
    }
    if _keras_installed():
        from .neural import MAEClassifier  # TensorFlow itself loads when it is fitted

        candidates["mae"] = make_pipeline(StandardScaler(), MAEClassifier(random_state=seed))
    return candidates


def _check_candidates(candidates):
    """``candidates`` as a list of ``(name, estimator)``, or a clear error."""
    if isinstance(candidates, dict):
        pairs = list(candidates.items())
    else:
        pairs = []
        for item in candidates:
            if not (isinstance(item, tuple) and len(item) == 2):
                raise TypeError(
                    "candidates must be a dict of name -> estimator or a list of "
                    f"(name, estimator) pairs; got the item {item!r}."
                )
            pairs.append(item)
    if not pairs:
        raise ValueError("candidates must name at least one estimator; got none.")
    names = [name for name, _ in pairs]
    for name in names:
        if not isinstance(name, str) or not name:
            raise TypeError(f"candidates' names must be non-empty strings; got {name!r}.")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"candidates' names must be unique; {duplicates} appear more than once.")
    for name, estimator in pairs:
        if not (hasattr(estimator, "fit") and hasattr(estimator, "predict")) or isinstance(estimator, type):
            raise TypeError(
                f"candidate {name!r} must be an estimator instance with fit and predict; "
                f"got {estimator!r}."
            )
        if not is_classifier(estimator):
            raise TypeError(
                f"candidate {name!r} must be a classifier (scikit-learn's is_classifier); "
                f"got {type(estimator).__name__}."
            )
    return pairs


def _fold_transition_matrix(X, y, train, cv, seed):
    """The transition matrix estimated on the training rows of one fold, or why it could not be."""
    from . import estimate_transition_matrix  # the public noise estimate, loaded on first use

    try:
        with warnings.catch_warnings():
            # fold-count warnings of the inner cross-validation: the outcome is recorded instead
            warnings.simplefilter("ignore", UserWarning)
            matrix = estimate_transition_matrix(
                None, _safe_indexing(X, train), y[train], cv=cv, random_state=seed
            )
    except ValueError as exc:
        return None, f"transition matrix not estimated ({str(exc).split(';')[0]})"
    return matrix, ""


def _fit_and_score(name, estimator, X, y, fold, train, test, matrix, note, classes):
    """Fit a clone of ``estimator`` on ``train`` and score it on ``test``: one row of ``cv_results_``."""
    from . import noise_corrected_accuracy

    model = clone(estimator)
    start = time.perf_counter()
    try:
        model.fit(_safe_indexing(X, train), y[train])
    except Exception as exc:
        if hasattr(exc, "add_note"):  # Python >= 3.11
            exc.add_note(f"(NoisyLabelSelector: fitting candidate {name!r} on fold {fold})")
        raise
    fit_time = time.perf_counter() - start
    y_test = y[test]
    y_pred = model.predict(_safe_indexing(X, test))
    noisy = float(np.mean(y_pred == y_test))
    corrected = noisy
    if matrix is not None:  # non-negative least squares: bounded with an estimated matrix
        corrected = noise_corrected_accuracy(
            y_test, y_pred, transition_matrix=matrix, labels=classes, method="nnls"
        )
    return {
        "candidate": name,
        "fold": fold,
        "corrected_score": float(corrected),
        "noisy_score": noisy,
        "fit_time": fit_time,
        "corrected_is_noisy": matrix is None,
        "note": note,
    }


def _selector_has(attr):
    """Whether the fitted ``best_estimator_``, else every candidate, has ``attr``."""

    def check(self):
        if hasattr(self, "best_estimator_"):
            return hasattr(self.best_estimator_, attr)
        candidates = self.candidates if self.candidates is not None else default_candidates()
        try:
            pairs = _check_candidates(candidates)
        except (TypeError, ValueError):  # bad candidates: fit says why
            return True
        return all(hasattr(est, attr) for _, est in pairs)

    return check


class NoisyLabelSelector(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Choose among classifiers from noisy labels alone, and refit the best.

    Cross-validates every candidate on the (noisy) labels it is fitted on,
    scores each held-out fold twice, with the plain accuracy on the noisy
    labels and with the noise-corrected accuracy (an estimate of the
    accuracy on the clean labels), picks the candidate with the best mean
    ``scoring`` score, and refits it on every row. No clean label is needed.

    For the corrected score the noise is estimated inside each fold from
    the training rows only (:func:`~skrobust.estimate_transition_matrix`,
    confident learning on their out-of-fold probabilities), once per fold
    and shared by every candidate; the held-out rows' predictions are then
    scored with :func:`~skrobust.noise_corrected_accuracy`.

    Parameters
    ----------
    candidates : dict or list of (str, estimator) tuples, default=None
        The classifiers to choose from, by name. Each is cloned for every
        fold and for the final fit. ``None`` means the candidates of
        :func:`skrobust.selection.default_candidates`, seeded with
        ``random_state``: a random forest, gradient boosting, a scaled
        logistic regression, a scaled MLP, :class:`~skrobust.CleanFirstRelabeler`
        over the forest and over gradient boosting,
        :class:`~skrobust.CoTeachingClassifier`, and
        :class:`~skrobust.MAEClassifier` when the ``keras`` extra is installed.

    cv : int, cross-validation generator or iterable, default=5
        The folds. An int is a :class:`~sklearn.model_selection.StratifiedKFold`
        shuffled with ``random_state`` (fewer folds when a class has fewer
        samples, with a warning; a class with a single sample is never
        held out); it is also the number of folds of the noise estimate
        inside each training part.

    scoring : {"corrected", "noisy"}, default="corrected"
        The score that picks the candidate: the noise-corrected accuracy,
        or the plain accuracy on the noisy labels. Both are recorded in
        ``cv_results_`` (see Notes for how they differ); the corrected one
        solves for the clean counts by non-negative least squares
        (``noise_corrected_accuracy(method="nnls")``). A fold whose
        transition matrix cannot be estimated gets the plain accuracy as its
        corrected score for every candidate, and a warning says so.

    random_state : int, RandomState instance or None, default=None
        Shuffles the folds, seeds the noise estimate and the default
        candidates. An int makes the choice reproducible.

    n_jobs : int, default=None
        Fits run in parallel over candidates x folds, through joblib (so
        ``joblib.parallel_backend("dask")`` spreads them over a Dask
        cluster). ``None`` means 1.

    Attributes
    ----------
    best_name_ : str
        The chosen candidate's name.

    best_estimator_ : estimator
        The chosen candidate, refitted on every row.

    best_score_ : float
        Its mean cross-validated score (of ``scoring``).

    cv_results_ : dict of ndarray
        One row per candidate x fold, as columns: ``candidate``, ``fold``,
        ``corrected_score``, ``noisy_score``, ``fit_time`` (seconds),
        ``corrected_is_noisy`` (True where the fold fell back to the plain
        score) and ``note`` (why). ``pandas.DataFrame(cv_results_)`` makes
        it a table.

    classes_ : ndarray of shape (n_classes,)
        The class labels.

    n_features_in_ : int
        Number of features seen during fit (when ``best_estimator_`` has it).

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when they are all strings.

    See Also
    --------
    skrobust.noise_corrected_accuracy : The score.
    skrobust.make_noise_corrected_scorer : The corrected score for ``GridSearchCV``.
    sklearn.model_selection.GridSearchCV : Chooses among parameters with
        clean validation labels.

    Notes
    -----
    Chen et al. show that under diagonally dominant class-conditional noise
    (the chance and direction of a wrong label depend on the true class
    only, and every class keeps most of its labels) the expected plain
    accuracy on noisy labels is an increasing affine function of the clean
    one, so it ranks models as the clean accuracy does, but shrinks their
    differences towards the folds' sampling error. The corrected accuracy
    recovers the clean scale, through a transition matrix estimated from
    the same rows, which adds variance and, where the estimate is off,
    reorders the candidates. On skrobust's tuning data
    (``benchmarks/bench_selector.py``) the two chose about equally well,
    the corrected one slightly better. Under instance-dependent noise
    neither score is unbiased, and with strong noise on few rows (40% on
    two classes) the choice can be poor.

    Every candidate is fitted ``n_folds + 1`` times (its cross-validation
    and the final fit), and the noise estimate adds ``n_folds`` times
    ``cv`` fits of the noise core's forest.

    References
    ----------
    .. [1] P. Chen, J. Ye, G. Chen, J. Zhao and P.-A. Heng, "Robustness of
       Accuracy Metric and its Inspirations in Learning with Noisy Labels",
       AAAI 2021, 11451-11461. :doi:`10.1609/aaai.v35i13.17364`

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skrobust import NoisyLabelSelector, make_noisy_labels
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> y_noisy, _ = make_noisy_labels(y, noise_rate=0.2, random_state=0)
    >>> selector = NoisyLabelSelector(
    ...     {"tree": DecisionTreeClassifier(random_state=0),
    ...      "linear": make_pipeline(StandardScaler(), LogisticRegression())},
    ...     random_state=0,
    ... ).fit(X, y_noisy)
    >>> selector.best_name_
    'linear'
    >>> sorted(selector.cv_results_)[:3]
    ['candidate', 'corrected_is_noisy', 'corrected_score']
    >>> float(selector.score(X, y)) > 0.9  # on the clean labels it never saw
    True
    """

    _parameter_constraints: dict = {
        "candidates": [dict, list, tuple, None],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(_SCORE_COLUMNS))],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(self, candidates=None, *, cv=5, scoring="corrected", random_state=None, n_jobs=None):
        self.candidates = candidates
        self.cv = cv
        self.scoring = scoring
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _candidates(self, seed):
        if self.candidates is None:
            return list(default_candidates(seed).items())
        return _check_candidates(self.candidates)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Cross-validate every candidate on ``y``, choose one and refit it on every row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training samples, as the candidates take them.

        y : array-like of shape (n_samples,)
            The (noisy) labels, any values.

        Returns
        -------
        self : object
            The fitted selector.
        """
        y = check_fit_input(X, y)
        X = indexable(X)[0]  # rows can be taken (sparse as CSR, other array-likes as arrays)
        classes = np.unique(y)
        check_n_classes(classes, type(self).__name__)
        rng = check_random_state(self.random_state)
        seed = (self.random_state if isinstance(self.random_state, Integral)
                else int(rng.randint(np.iinfo(np.int32).max)))
        candidates = self._candidates(seed)

        splitter, held_out = check_folds(self.cv, y, seed)
        if splitter is None:
            raise ValueError(
                "NoisyLabelSelector needs at least 2 classes with 2 or more samples in y "
                "to cross-validate its candidates."
            )
        rows = np.flatnonzero(held_out)
        kept = np.flatnonzero(~held_out)  # single-sample classes: always in training
        folds = [
            (np.concatenate([rows[train], kept]), rows[test])
            for train, test in splitter.split(_safe_indexing(X, rows), y[rows])
        ]
        inner_cv = self.cv if isinstance(self.cv, Integral) else DEFAULT_FOLDS

        parallel = Parallel(n_jobs=self.n_jobs)
        estimates = parallel(
            delayed(_fold_transition_matrix)(X, y, train, inner_cv, seed) for train, _ in folds
        )
        results = parallel(
            delayed(_fit_and_score)(name, estimator, X, y, k, train, test, *estimates[k], classes)
            for name, estimator in candidates
            for k, (train, test) in enumerate(folds)
        )
        self.cv_results_ = {
            key: np.asarray([row[key] for row in results]) for key in results[0]
        }
        fallback = sorted({row["note"] for row in results if row["corrected_is_noisy"]})
        if fallback:
            n_folds = len({row["fold"] for row in results if row["corrected_is_noisy"]})
            warnings.warn(
                f"{n_folds} of {len(folds)} folds could not "
                "be scored with the noise-corrected accuracy and use the plain accuracy on "
                "the noisy labels for every candidate instead: " + "; ".join(fallback)
                + ". See cv_results_['corrected_is_noisy'].",
                UserWarning,
                stacklevel=2,
            )

        names = [name for name, _ in candidates]
        column = self.cv_results_[_SCORE_COLUMNS[self.scoring]]
        means = [column[self.cv_results_["candidate"] == name].mean() for name in names]
        best = int(np.argmax(means))  # ties: the first candidate listed
        self.best_name_ = names[best]
        self.best_score_ = float(means[best])
        self.best_estimator_ = clone(candidates[best][1]).fit(X, y)
        self.classes_ = classes
        for attr in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.best_estimator_, attr):
                setattr(self, attr, getattr(self.best_estimator_, attr))
        return self

    @available_if(_selector_has("predict"))
    def predict(self, X):
        """Predict class labels with ``best_estimator_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            The predicted classes.
        """
        check_is_fitted(self)
        return self.best_estimator_.predict(X)

    @available_if(_selector_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from ``best_estimator_``, one column per class of ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The class probabilities.
        """
        check_is_fitted(self)
        return proba_in_classes(self.best_estimator_, X, self.classes_)

    @available_if(_selector_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from ``best_estimator_``, one column per class of ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log class probabilities.
        """
        check_is_fitted(self)
        return proba_in_classes(self.best_estimator_, X, self.classes_, method="predict_log_proba")

    @available_if(_selector_has("decision_function"))
    def decision_function(self, X):
        """Decision function of ``best_estimator_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            As ``best_estimator_.decision_function`` gives them.
        """
        check_is_fitted(self)
        return self.best_estimator_.decision_function(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            estimators = [est for _, est in self._candidates(None)]
        except (TypeError, ValueError):  # bad candidates: fit says why
            return tags
        inner = [get_tags(est).input_tags for est in estimators]
        # the noise estimate's forest takes sparse and NaN input too
        tags.input_tags.sparse = all(t.sparse for t in inner)
        tags.input_tags.allow_nan = all(t.allow_nan for t in inner)
        return tags
