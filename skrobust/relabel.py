"""CleanFirstRelabeler: find the trusted samples, learn from them, fix the rest."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.utils import indexable
from sklearn.utils.parallel import Parallel, delayed

from ._base import BaseMetaClassifier
from ._compat import (
    HasMethods,
    Interval,
    StrOptions,
    _check_method_params,
    _check_sample_weight,
    _fit_context,
    _safe_indexing,
)
from ._proba import proba_in_classes
from ._validation import check_fit_input, check_n_classes
from .detection import (
    FILTER_BY,
    estimate_noise,
    explains_errors,
    label_issues,
    noise_matrix,
    noise_model,
)


class CleanFirstRelabeler(BaseMetaClassifier):
    """Learn from the trusted samples, relabel the suspects, refit on everything.

    ``fit`` proceeds in five steps:

    1. **Trusted rows.** Without help, skrobust's noise core (confident
       learning on out-of-fold probabilities of ``estimator``, as
       :func:`estimate_noise_rate` reads them) estimates the share of wrong
       labels with a 95% interval (``noise_rate_``, ``noise_rate_ci_``).
       Where the interval's lower end is below ``min_noise_rate``, or the
       estimate accounts for less than three quarters of the out-of-fold
       model's errors against the given labels (most of its errors are then
       unsure ones: classes that overlap honestly, or a model too weak to
       tell), the evidence of noise is too weak to act on: every row is
       trusted and the fit is a plain fit of ``estimator`` (of
       scikit-learn's default forest when ``estimator`` is None). Otherwise
       confident learning flags the labels that are probably wrong and the
       other rows are trusted. A caller who has a verified subset passes it
       as ``fit(X, y, trusted=mask)`` instead (and the estimator always acts).
    2. **Clean model** (``relabel_by="posterior"`` or ``"clean_model"``, or
       with ``trusted``). A clone of ``estimator`` is fitted on the trusted
       rows only (``clean_estimator_``).
    3. **Relabel.** The untrusted rows (every row with ``relabel="all"``) get
       class probabilities: the clean model's (``relabel_by="posterior"``,
       the default, or ``"clean_model"``), or their out-of-fold ones
       (``"out_of_fold"``). Except with
       ``"clean_model"`` they are combined with the given label by Bayes'
       rule: the posterior of each true class is proportional to that
       probability times the estimated probability that a row of that class
       is given this row's label (confident learning's noise matrix). Where
       the top class reaches ``min_confidence`` it replaces the given label
       (or confirms it), elsewhere the row is dropped or keeps its label
       (``low_confidence``).
    4. **Does acting help?** (without ``trusted``, unless
       ``min_noise_rate=0``). On the folds of the noise estimate, a model
       fitted on each fold's kept training rows with their corrected labels
       and the plain model fitted on the training rows as given predict the
       held-out rows; where the plain model agrees with more of the given
       held-out labels, acting is undone and the fit is a plain fit, as in
       step 1. (Under noise that leaves each class's own label its most
       frequent one, the model that agrees more with noisy held-out labels
       is also the more accurate one.)
    5. **Final model.** Another clone is fitted on all kept rows with the
       corrected labels (``estimator_``); prediction is delegated to it.
       When a clean model was fitted on exactly those rows and labels (every
       candidate dropped, or none at all), it is reused.

    No step ever sees true labels. Where cleanlab's ``CleanLearning`` drops
    every suspect row, this estimator keeps those it can confidently correct:
    with ``relabel_by="clean_model"``, ``min_confidence=1`` and
    ``low_confidence="drop"`` it fits what ``CleanLearning`` fits on the same
    folds (except that ``CleanLearning`` also reweights the classes when the
    estimator's ``fit`` has a ``sample_weight`` argument).

    Parameters
    ----------
    estimator : estimator object, default=None
        A classifier with ``fit`` and ``predict_proba``; it is cloned for the
        cross-validation, the clean model and the final model. ``None`` means
        ``RandomForestClassifier(min_samples_leaf=5, random_state=random_state)``
        (in its cross-validation on more than 8,000 training rows, fewer
        trees of 8,000 sampled rows each, as
        :func:`skrobust.detection.noise_model` says), except for the plain
        fit when the evidence of noise is below ``min_noise_rate``: that is
        a fit of
        ``RandomForestClassifier(random_state=random_state)``. Leaves of 5
        average out the wrong labels the relabelling leaves behind; labels
        that look clean are fitted as scikit-learn's default forest would
        fit them.

    cv : int, cross-validation generator or iterable, default=5
        Folds for the out-of-fold probabilities of confident learning (unused
        when ``trusted`` is passed to ``fit``). An int is a
        ``StratifiedKFold(cv, shuffle=True)`` shuffled with ``random_state``
        (the folds of ``CleanLearning(cv_n_folds=cv, seed=random_state)``).
        skrobust's one fold rule (as in :func:`out_of_fold_proba`): fewer
        folds, with a warning, when the smallest class has fewer samples
        (down to 2); the rows of a class with a single sample cannot be
        cross-validated, and are kept as given (never flagged or
        relabelled), with a warning.

    filter_by : {"prune_by_noise_rate", "prune_by_class", "both", \
"confident_learning", "predicted_neq_given", "low_normalized_margin", \
"low_self_confidence"}, default="prune_by_noise_rate"
        cleanlab's rule for flagging label issues; see :func:`find_label_issues`.

    relabel : {"issues", "all"}, default="issues"
        Which rows may be relabelled: the untrusted ones, or every row (the
        seed article's "train on clean data first" method; with
        ``relabel_by="clean_model"`` and ``min_confidence=0`` every label
        becomes the clean model's prediction).

    relabel_by : {"out_of_fold", "posterior", "clean_model"}, default="posterior"
        The class probabilities a candidate is relabelled by.

        - ``"out_of_fold"``: as ``"posterior"``, with the out-of-fold
          probabilities of confident learning in place of a clean model's,
          so that no clean model is fitted (a fit as costly as
          ``CleanLearning``'s). With ``trusted`` there are none: the clean
          model's posterior is used.
        - ``"posterior"``: Bayes' rule under class-conditional noise, the
          clean model's probabilities times ``P(given label | true class)``,
          renormalised. That noise matrix is confident learning's estimate
          (:func:`cleanlab.count.estimate_latent`) from the out-of-fold
          probabilities; with ``trusted``, from the clean model's
          probabilities of the untrusted rows (out-of-sample for it), the
          trusted rows counting as correctly labelled. A class that the
          noise estimate says is never mislabelled as the given one is ruled
          out (e.g. under pair noise); where every class is, the clean
          model's probabilities are used.
        - ``"clean_model"``: the clean model's probabilities alone; with
          ``relabel="all"`` and ``min_confidence=0`` every label becomes the
          clean model's prediction (the seed article's method).

    min_confidence : float in [0, 1], default=0.8
        A candidate row is relabelled only where its highest class
        probability (``relabel_by``) is at least this; 0 relabels every
        candidate, 1 almost none.

    low_confidence : {"drop", "keep"}, default="drop"
        What happens to a candidate row below ``min_confidence``: it is left
        out of the final fit (as ``CleanLearning`` does with every suspect),
        or it keeps its given label.

    min_noise_rate : float in [0, 1], default=0.1
        Confident learning's flags are acted on only when the lower end of
        the estimated noise rate's 95% interval (``noise_rate_ci_[0]``) is at
        least this, and the estimate is at least three quarters of the
        out-of-fold error rate, and acting beats the plain model on the
        held-out folds (step 4); otherwise the labels are taken as clean and
        the fit is a plain fit of ``estimator`` on every row. 0 always acts
        (no check at all). Unused with ``trusted``.

    n_jobs : int, default=None
        Folds fitted in parallel by joblib during confident learning and the
        check of step 4 (``None`` means 1 unless in a
        :func:`joblib.parallel_backend` context). cleanlab's filter always
        runs in the calling process.

    random_state : int, RandomState instance or None, default=None
        Shuffles the folds when ``cv`` is an int, and seeds the default
        estimator. A given ``estimator`` keeps its own ``random_state``.

    Attributes
    ----------
    estimator_ : estimator object
        The clone of ``estimator`` fitted on the corrected labels; it predicts.

    clean_estimator_ : estimator object
        The clone of ``estimator`` fitted on the trusted rows only (the same
        object as ``estimator_`` when the final fit would repeat it). Only
        when a clean model is fitted: ``relabel_by`` other than
        ``"out_of_fold"``, or ``trusted`` given.

    label_issues_ : ndarray of shape (n_samples,), dtype=bool
        True for the training rows that were not trusted: flagged by confident
        learning, or outside the caller's ``trusted`` mask. All False when
        the estimator did not act (see ``min_noise_rate``).

    noise_rate_ : float
        The estimated share of wrong labels among the training rows: with
        the same ``cv`` and ``random_state`` (and ``estimator``), the number
        :func:`estimate_noise_rate` returns. Answers "is my data noisy enough
        to bother?". Only without ``trusted``.

    noise_rate_ci_ : tuple of two floats
        A 95% percentile bootstrap interval (100 resamples of the rows) around
        ``noise_rate_``; its lower end decides, against ``min_noise_rate``,
        whether the estimator acts. Only without ``trusted``.

    relabeled_ : ndarray of shape (n_samples,)
        The corrected training labels (the given label where unchanged).

    dropped_ : ndarray of shape (n_samples,), dtype=bool
        True for the suspects left out of the final fit: below
        ``min_confidence`` with ``low_confidence="drop"``.

    classes_ : ndarray of shape (n_classes,)
        The sorted classes of the ``y`` given to ``fit``; ``predict_proba``
        has a column for each.

    n_features_in_ : int
        Number of features seen during ``fit`` (when ``estimator_`` has it).

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during ``fit``, when ``X`` has string column names.

    See Also
    --------
    find_label_issues : The confident-learning step on its own.
    cleanlab.classification.CleanLearning : Drops the suspects instead.

    Notes
    -----
    ``X`` is passed to the inner estimator unchanged and its validation is
    left to it. ``trusted`` is a fit parameter: ``GridSearchCV`` and
    ``cross_validate`` split it with their folds. With metadata routing
    enabled, request it with ``set_fit_request(trusted=True)``; other fit
    parameters (``sample_weight``, ...) reach the inner estimator by its own
    requests, for the cross-validation and both fits.

    A fit costs ``cv`` fits for confident learning and the final fit, as
    many as ``CleanLearning``; ``relabel_by="posterior"`` or
    ``"clean_model"`` add the clean fit (skipped where the final fit would
    repeat it), ``trusted`` replaces the ``cv`` fits by it. Where it acts,
    the check of step 4 adds ``cv`` fits, and ``cv`` more for the plain
    forest when ``estimator`` is None (a given ``estimator``'s out-of-fold
    probabilities already are its plain predictions).

    The posterior assumes, as confident learning does, that a label's
    corruption depends on its true class only, not on the features. The
    defaults were chosen on tuning data (``docs/decisions.md``).

    A class that the relabelling empties (or that has only dropped rows) is
    unknown to ``estimator_``: it stays in ``classes_``, with probability 0.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang and I. L. Chuang, "Confident Learning:
       Estimating Uncertainty in Dataset Labels", Journal of Artificial
       Intelligence Research 70 (2021) 1373-1411. :doi:`10.1613/jair.1.12125`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skrobust import CleanFirstRelabeler
    >>> X, y = make_classification(n_samples=400, random_state=0)
    >>> flip = np.random.RandomState(0).rand(len(y)) < 0.2
    >>> y_noisy = np.where(flip, 1 - y, y)
    >>> model = CleanFirstRelabeler(random_state=0).fit(X, y_noisy)
    >>> kept = ~model.dropped_          # the rows the final model was fitted on
    >>> # Honest only here, where we know y: the share of right labels it learnt from.
    >>> print(round((y_noisy == y).mean(), 2), round((model.relabeled_[kept] == y[kept]).mean(), 2))
    0.79 0.94
    >>> low, high = model.noise_rate_ci_  # the estimated share of wrong labels, and its interval
    >>> print(low <= model.noise_rate_ <= high, model.label_issues_.any())
    True True
    >>> model.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        **BaseMetaClassifier._parameter_constraints,
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "cv": ["cv_object"],
        "filter_by": [StrOptions(set(FILTER_BY))],
        "relabel": [StrOptions({"issues", "all"})],
        "relabel_by": [StrOptions({"out_of_fold", "posterior", "clean_model"})],
        "min_confidence": [Interval(Real, 0, 1, closed="both")],
        "min_noise_rate": [Interval(Real, 0, 1, closed="both")],
        "low_confidence": [StrOptions({"keep", "drop"})],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        cv=5,
        filter_by="prune_by_noise_rate",
        relabel="issues",
        relabel_by="posterior",
        min_confidence=0.8,
        low_confidence="drop",
        min_noise_rate=0.1,
        n_jobs=None,
        random_state=None,
    ):
        self.estimator = estimator
        self.cv = cv
        self.filter_by = filter_by
        self.relabel = relabel
        self.relabel_by = relabel_by
        self.min_confidence = min_confidence
        self.low_confidence = low_confidence
        self.min_noise_rate = min_noise_rate
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _get_estimator(self, acting=True):
        """``estimator``, or scikit-learn's random forest seeded with ``random_state``.

        The default forest has leaves of 5 where the noise is acted on, and
        is a plain ``RandomForestClassifier`` where it is not (``acting``
        False). Chosen on the tuning data (see ``benchmarks/README.md``).
        """
        if self.estimator is not None:
            return self.estimator
        if acting:
            return noise_model(self.random_state)
        return RandomForestClassifier(random_state=self.random_state)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, trusted=None, **fit_params):
        """Find or take the trusted rows, relabel the others, fit the final model.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training data, passed unchanged to the inner estimator.

        y : array-like of shape (n_samples,)
            The given (possibly noisy) labels; never modified.

        trusted : array-like of shape (n_samples,), dtype=bool, default=None
            Rows whose labels the caller has verified; they replace confident
            learning. Every class needs at least one trusted row.

        **fit_params : dict
            Parameters for the inner estimator's ``fit`` (routed by request
            when metadata routing is enabled), split with the rows of each fit.

        Returns
        -------
        self : object
            The fitted relabeler.
        """
        y = check_fit_input(X, y)
        X, y = indexable(X, y)  # sparse matrices to CSR, array-likes to arrays
        classes, y_encoded = np.unique(y, return_inverse=True)  # y_encoded: positions in classes
        check_n_classes(classes, "CleanFirstRelabeler")
        params = self._route_params(fit_params, "fit")
        if params.get("sample_weight") is not None:
            params = {**params, "sample_weight": _check_sample_weight(
                params["sample_weight"], X, ensure_non_negative=True
            )}
        noise = matrix = None
        acting = True
        held_out = np.ones(len(y), dtype=bool)
        if trusted is None:
            noise = estimate_noise(
                self.estimator, X, y_encoded, cv=self.cv, n_jobs=self.n_jobs,
                random_state=self.random_state, params=params, classes=classes,
            )
            self.noise_rate_, self.noise_rate_ci_ = noise.rate, noise.interval
            # Rows the folds could not hold out are kept as given.
            held_out = ~np.isnan(noise.pred_probs).all(axis=1)
            acting = self._evidence_of_noise(y_encoded, noise)
            if acting:
                issues, matrix = label_issues(y_encoded, noise.pred_probs, self.filter_by)
        else:
            issues = ~self._check_trusted(trusted, y, classes, params)
        if not acting:  # too little evidence of noise to act on: a plain fit
            issues = held_out = np.zeros(len(y), dtype=bool)
        pred_probs = None if noise is None else noise.pred_probs
        relabeled, dropped = self._relabel(
            X, y, y_encoded, classes, params, issues, held_out, pred_probs, matrix, acting
        )
        if (
            acting and noise is not None and self.min_noise_rate > 0
            and not self._acting_helps(X, y, y_encoded, relabeled, ~dropped, params, noise)
        ):
            # Acting loses to the plain model on the held-out folds: a plain fit.
            acting = False
            issues = held_out = np.zeros(len(y), dtype=bool)
            relabeled, dropped = self._relabel(
                X, y, y_encoded, classes, params, issues, held_out, pred_probs, None, acting
            )

        self.label_issues_ = issues
        self.relabeled_ = relabeled
        self.dropped_ = dropped
        kept = ~dropped
        clean = getattr(self, "clean_estimator_", None)
        if clean is not None and np.array_equal(kept, ~issues) and np.array_equal(
            relabeled[kept], y[kept]
        ):
            # The final fit would see the clean fit's rows, labels and params.
            self.estimator_ = clean
        else:
            self.estimator_ = self._fit_rows(
                self._get_estimator(acting), X, relabeled, params, kept
            )
        self._copy_fitted_attributes(classes)
        return self

    def _evidence_of_noise(self, y_encoded, noise):
        """Whether the noise estimate is strong enough to act on (see ``min_noise_rate``)."""
        if self.min_noise_rate == 0:
            return True
        return noise.interval[0] >= self.min_noise_rate and explains_errors(
            y_encoded, noise.pred_probs, noise.rate
        )

    def _relabel(
        self, X, y, y_encoded, classes, params, issues, held_out, pred_probs, matrix, acting
    ):
        """The corrected labels and the dropped rows; fits ``clean_estimator_`` where one is used.

        The candidates are the untrusted rows (``relabel="issues"``) or every
        held-out row (``"all"``); out-of-fold probabilities, where there are
        some, replace the clean model with ``relabel_by="out_of_fold"``.
        """
        self.__dict__.pop("clean_estimator_", None)
        by_oof = self.relabel_by == "out_of_fold" and pred_probs is not None
        if not by_oof:
            self.clean_estimator_ = self._fit_rows(
                self._get_estimator(acting), X, y, params, ~issues
            )
        candidates = issues if self.relabel == "issues" else held_out
        relabeled = y.copy()
        dropped = np.zeros_like(issues)
        rows = np.flatnonzero(candidates)
        if rows.size:
            if by_oof:
                proba = pred_probs[rows]
            else:
                proba = proba_in_classes(self.clean_estimator_, _safe_indexing(X, rows), classes)
            if self.relabel_by != "clean_model":
                proba = self._posterior(proba, y_encoded, rows, issues, matrix)
            confident = proba.max(axis=1) >= self.min_confidence
            predicted = classes[proba.argmax(axis=1)]
            relabeled[rows[confident]] = predicted[confident]
            if self.low_confidence == "drop":
                dropped[rows[~confident]] = True
        return relabeled, dropped

    def _acting_helps(self, X, y, y_encoded, relabeled, kept, params, noise):
        """Whether acting is not worse than the plain model on the noise estimate's held-out folds.

        On each fold, the acting model is fitted on the training rows kept,
        with their corrected labels, and the plain model on the training
        rows as given (a given ``estimator`` was, for the out-of-fold
        probabilities: their most probable class is its prediction); both
        predict the held-out rows. Acting is undone where the plain model
        agrees with the given (noisy) held-out labels more often than acting
        does by more than one standard error of that paired difference.
        Under noise that leaves each class's own label its most frequent
        one, the model that agrees more with noisy held-out labels also
        agrees more with the true ones. The corrections come from the whole
        data's out-of-fold probabilities, so the held-out rows' labels have
        a small say in them.
        """
        jobs = [(True, relabeled, train[kept[train]], test) for train, test in noise.folds]
        if self.estimator is None:  # the plain forest is not the out-of-fold model
            jobs += [(False, y, train, test) for train, test in noise.folds]
        agree = Parallel(n_jobs=self.n_jobs)(
            delayed(_held_out_agreement)(
                self._get_estimator(acting), X, labels, y, params, rows, test
            )
            for acting, labels, rows, test in jobs
        )
        n_folds = len(noise.folds)
        test = np.concatenate([test for _, test in noise.folds])
        acting = np.concatenate(agree[:n_folds])
        if self.estimator is None:
            plain = np.concatenate(agree[n_folds:])
        else:
            plain = noise.pred_probs[test].argmax(axis=1) == y_encoded[test]
        weight = params.get("sample_weight")
        weight = np.ones(len(test)) if weight is None else np.asarray(weight)[test]
        loss = plain.astype(float) - acting  # per held-out row: 1 where only plain agrees
        mean = np.average(loss, weights=weight)
        error = np.sqrt(np.sum((weight * (loss - mean)) ** 2)) / weight.sum()
        return not mean > error

    @staticmethod
    def _posterior(proba, y_encoded, rows, issues, matrix):
        """P(true class | x, given label) of ``rows``, by Bayes' rule under class-conditional noise.

        ``matrix[i, j]`` estimates P(given = i | true = j); ``None`` (a
        ``trusted`` mask) estimates it from the clean model's probabilities of
        the untrusted rows, the trusted ones counting as correctly labelled.
        Rows whose every product is zero keep the clean model's probabilities.
        """
        given = y_encoded[rows]
        if matrix is not None:
            likelihood = matrix[given]
        else:
            likelihood = np.eye(proba.shape[1])[given]  # verified: given = true
            untrusted = issues[rows]
            if untrusted.any():
                estimated = noise_matrix(given[untrusted], proba[untrusted])
                likelihood[untrusted] = estimated[given[untrusted]]
        joint = proba * likelihood
        total = joint.sum(axis=1, keepdims=True)
        return np.divide(joint, total, out=proba.copy(), where=total > 0)

    @staticmethod
    def _fit_rows(estimator, X, y, params, mask):
        """A clone of ``estimator`` fitted on the rows of ``mask`` (all: no copy)."""
        if mask.all():
            return clone(estimator).fit(X, y, **params)
        return _fit_on(estimator, X, y, params, np.flatnonzero(mask))

    @staticmethod
    def _check_trusted(trusted, y, classes, params):
        trusted = np.asarray(trusted)
        if trusted.ndim != 1 or trusted.shape[0] != y.shape[0]:
            raise ValueError(
                "trusted must be a 1-D boolean mask with one entry per sample: "
                f"got shape {trusted.shape} for {y.shape[0]} samples."
            )
        if trusted.dtype != bool:
            raise TypeError(
                f"trusted must be a boolean mask (dtype bool); got dtype {trusted.dtype}. "
                "Convert row indices with a mask: m = np.zeros(n, bool); m[idx] = True."
            )
        missing = np.setdiff1d(classes, y[trusted])
        if missing.size:
            raise ValueError(
                "trusted must mark at least one row of every class; it marks no row "
                f"of class(es) {missing.tolist()}."
            )
        weight = params.get("sample_weight")
        if weight is not None and not np.any(weight[trusted] > 0):
            raise ValueError(
                "sample_weight is 0 on every trusted row, so the clean model would have "
                f"nothing to learn from ({np.count_nonzero(weight)} of {len(weight)} weights "
                "are non-zero, all on untrusted rows); give some trusted rows a positive weight."
            )
        return trusted

    def get_metadata_routing(self):
        """Get the metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            ``fit`` consumes ``trusted`` (when requested) and routes the other
            fit parameters, like the prediction methods, to the inner estimator.
        """
        return super().get_metadata_routing().add_self_request(self)


def _fit_on(estimator, X, y, params, rows):
    """A clone of ``estimator`` fitted on the rows ``rows`` (indices), their fit parameters with them."""
    return clone(estimator).fit(
        _safe_indexing(X, rows), y[rows], **_check_method_params(X, params=params, indices=rows)
    )


def _held_out_agreement(estimator, X, labels, y, params, rows, test):
    """Whether a clone fitted on ``rows`` (with ``labels``) predicts each ``test`` row's given label."""
    model = _fit_on(estimator, X, labels, params, rows)
    return model.predict(_safe_indexing(X, test)) == y[test]
