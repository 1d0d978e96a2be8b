"""Co-teaching (Han et al., 2018) as a scikit-learn classifier."""

import inspect
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.model_selection import cross_val_predict
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import LabelEncoder, StandardScaler
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.validation import check_is_fitted, has_fit_parameter, validate_data

from ._base import with_inner_input_tags
from ._compat import (
    HasMethods,
    Interval,
    Options,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    _routing_enabled,
)
from ._proba import PredictFromProbaMixin, WithClasses, proba_in_classes
from ._validation import check_folds, check_labels, check_n_classes
from .detection import estimate_noise, noise_rate_interval

_MAX_SEED = np.iinfo(np.int32).max
# Probabilities are clipped here before the log, so a zero probability gives a
# large but finite loss.
_EPS = 1e-12
# Where the forest's estimate gives no forget rate, the incremental peers
# estimate the noise themselves after this many epochs of plain training
# (chosen on the tuning data, docs/decisions.md).
PEER_ESTIMATE_EPOCHS = 10


def forget_rate_schedule(forget_rate, n_epochs, *, num_gradual=10, exponent=1.0):
    """The forget rate of each epoch, as in the reference code of co-teaching.

    The rate ramps linearly from 0 to ``forget_rate ** exponent`` over the
    first ``num_gradual`` epochs, then holds at ``forget_rate``.

    Parameters
    ----------
    forget_rate : float
        The rate held after the ramp, in [0, 1).

    n_epochs : int
        Number of epochs (or rounds).

    num_gradual : int, default=10
        Length of the ramp in epochs (``T_k`` in the paper).

    exponent : float, default=1.0
        The ramp ends at ``forget_rate ** exponent`` (``c`` in the paper).

    Returns
    -------
    schedule : ndarray of shape (n_epochs,)
        ``schedule[t]`` is the fraction of each mini-batch forgotten in epoch ``t``.

    Examples
    --------
    >>> from skrobust.coteaching import forget_rate_schedule
    >>> forget_rate_schedule(0.4, 6, num_gradual=3).round(2).tolist()
    [0.0, 0.2, 0.4, 0.4, 0.4, 0.4]
    """
    schedule = np.full(n_epochs, float(forget_rate))
    ramp = np.linspace(0.0, forget_rate**exponent, num_gradual)[:n_epochs]
    schedule[: len(ramp)] = ramp
    return schedule


class CoTeachingClassifier(PredictFromProbaMixin, ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Co-teaching: two peers, each trained on the small-loss samples of the other.

    Two copies ("peers") of ``estimator`` with different random states are
    trained together. In every epoch the training set is shuffled and cut into
    mini-batches; on each batch, each peer computes its cross-entropy loss of
    every sample against the given (possibly noisy) labels and keeps the
    ``1 - forget_rate(T)`` fraction with the smallest loss; each peer is then
    updated with ``partial_fit`` on the samples **its peer** kept. Noisy labels
    tend to have large losses, so each peer filters them out for the other, and
    the two peers' different errors keep them from confirming their own
    mistakes. The forget rate ramps from 0 (see :func:`forget_rate_schedule`),
    because networks fit clean patterns before they memorise noise.

    Read more in Han et al. (2018); this is their Algorithm 1 with any
    scikit-learn classifier in place of the two networks.

    Parameters
    ----------
    estimator : estimator object, default=None
        The classifier both peers are cloned from. It needs ``fit`` and
        ``predict_proba``; the incremental mode also needs ``partial_fit``
        (``SGDClassifier(loss="log_loss")``, ``MLPClassifier``,
        :class:`~skrobust.MAEClassifier`), or a
        :class:`~sklearn.pipeline.Pipeline` whose last step has it: its
        transformers are then fitted once on all of ``X`` and its last step
        is co-taught on the transformed rows. Every ``random_state``
        parameter of its clones (nested ones included) is set to a seed drawn
        from ``random_state``, so that the peers differ. ``None`` means
        ``make_pipeline(StandardScaler(), MLPClassifier(learning_rate_init=0.005))``
        (one hidden layer of 100 units; the scaler spares a user who forgets
        one).

    forget_rate : float in [0, 1) or "auto", default="auto"
        Fraction of each mini-batch forgotten once the ramp is over; ideally
        the noise rate. ``"auto"`` estimates the noise rate from the data
        alone (``noise_rate_``, with a 95% interval ``noise_rate_ci_``:
        confident learning on out-of-fold probabilities of
        ``RandomForestClassifier(min_samples_leaf=5)``, the relabeler's
        forest (:func:`skrobust.detection.noise_model`), which estimates
        the rate better than most peer models; folds from ``cv``, by the
        rule described there) and
        forgets the estimate, clipped to ``[0, min(0.9, 1 - 1 / n_classes)]``.
        Where the interval's lower end is below ``min_noise_rate`` the
        evidence of noise is too weak and the rate is 0 (both peers are
        trained plainly). In the incremental mode the peers then take a
        second look after ``PEER_ESTIMATE_EPOCHS`` (10) plain epochs: the
        same estimate on their mean probabilities of their own training
        rows, which fit the clean patterns before the wrong labels (they can
        see noise that the forest misses, with many classes); where
        its lower end reaches ``min_noise_rate`` the remaining epochs
        co-teach with a fresh ramp to it, otherwise the training stays
        exactly plain. The resolved value is ``forget_rate_``. On very
        small data sets (about 100 training rows, as iris) co-teaching can
        forget clean rows it needed and fall a few points below a plain
        network, and classes of a few rows can open the gate on clean
        labels.

    num_gradual : int, default=10
        Number of epochs over which the forget rate ramps up from 0.

    exponent : float, default=1.0
        The ramp ends at ``forget_rate ** exponent``, as in the reference code.

    max_epochs : int, default=30
        Number of passes over the training set (incremental mode), or of
        rounds (rounds mode).

    batch_size : int, default=64
        Size of the mini-batches (incremental mode). The training set is split
        into ``ceil(n_samples / batch_size)`` batches of nearly equal size.

    mode : {"auto", "incremental", "rounds"}, default="auto"
        How the peers are trained.

        - ``"incremental"``: co-teaching as published, on mini-batches with
          ``partial_fit``.
        - ``"rounds"``: for estimators without ``partial_fit`` (random
          forests, ...). In each round each peer ranks the **whole** training
          set by its out-of-fold loss (rows it was trained on are scored by
          cross-validation on its own training rows, folds from ``cv``, so
          that it cannot simply recall their labels; the other rows are
          scored by the peer itself), and the other peer is refit from scratch
          on the kept fraction. Costs about ``2 * (n_splits + 1)`` fits per
          round, so use a few rounds (e.g. ``max_epochs=4, num_gradual=2``).
        - ``"auto"``: ``"incremental"`` if ``estimator`` has ``partial_fit``,
          else ``"rounds"``. The mode used is ``mode_``.

    predict_with : {"mean", 0, 1}, default="mean"
        Which peer predicts. ``"mean"`` averages the probabilities of both
        peers; ``0`` or ``1`` uses that peer alone, which is how the paper
        evaluates co-teaching. The mean is usually a little more accurate and
        stable (it is an ensemble of two); see the benchmark.

    min_noise_rate : float in [0, 1], default=0.1
        With ``forget_rate="auto"``, nothing is forgotten unless the lower end
        of the estimated noise rate's 95% interval reaches this.

    cv : int, cross-validation generator or iterable, default=5
        Folds for ``forget_rate="auto"`` and for the out-of-fold losses of the
        rounds mode. An int means ``StratifiedKFold`` (shuffled with a seed
        from ``random_state`` in the rounds mode, so the peers' folds differ),
        under skrobust's fold rule (as in :func:`skrobust.out_of_fold_proba`):
        fewer folds, with a warning, when the smallest class has fewer rows
        (down to 2); a class with a single row cannot be cross-validated, so
        it is never forgotten in the rounds mode and counts as correctly
        labelled in the noise-rate estimate, with a warning.

    random_state : int, RandomState instance or None, default=None
        Seeds the peers, the shuffling of the batches and the folds. Pass an
        int for reproducible results.

    verbose : int, default=0
        Prints one line per epoch (or round) when positive.

    Attributes
    ----------
    estimators_ : list of two estimators
        The fitted peers.

    classes_ : ndarray of shape (n_classes,)
        The class labels.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, if ``X`` had string column names.

    forget_rate_ : float
        The forget rate held after the ramp: ``forget_rate``, or with
        ``"auto"`` ``noise_rate_`` clipped (0 where the lower end of
        ``noise_rate_ci_`` is below ``min_noise_rate``), or the peers'
        estimate where they took the second look.

    noise_rate_ : float
        With ``forget_rate="auto"``: the estimated share of wrong labels,
        :func:`~skrobust.estimate_noise_rate` with the default model and this
        estimator's ``cv`` and ``random_state`` (the same number, as
        :class:`~skrobust.CleanFirstRelabeler`'s ``noise_rate_``).
        Answers "is my data noisy enough to bother?".

    noise_rate_ci_ : tuple of two floats
        With ``forget_rate="auto"``: a 95% percentile bootstrap interval (100
        resamples of the rows) around ``noise_rate_``.

    mode_ : {"incremental", "rounds"}
        The training mode used.

    n_iter_ : int
        Number of epochs (or rounds) run.

    kept_mask_ : ndarray of bool of shape (2, n_samples)
        ``kept_mask_[k]`` marks the training rows that peer ``k`` selected as
        small-loss (probably clean) in the last epoch, so the rows that
        ``estimators_[1 - k]`` was last updated on. Rows kept by neither,
        ``~kept_mask_.any(axis=0)``, are the strongest noise suspects.

    See Also
    --------
    skrobust.MAEClassifier : A network trained with a noise-robust loss.
    skrobust.CleanFirstRelabeler : Finds noisy labels by confident learning and relabels them.
    skrobust.estimate_noise_rate : The estimate behind ``forget_rate="auto"``.

    Notes
    -----
    The reference code needs the true noise rate to set the forget rate,
    which a user never has; ``forget_rate="auto"`` estimates it instead.
    Differences from the paper: any classifier replaces the networks; the
    last mini-batch of an epoch is not dropped (batches are of nearly equal
    size); each peer keeps at least one sample per batch (and, in the rounds
    mode, at least its smallest-loss row of every class, since a peer refit
    from scratch needs every class); prediction averages
    both peers unless ``predict_with`` picks one. The first epoch (or round)
    always forgets nothing (the ramp starts at 0), so the peers are fitted on
    every sample before they rank any.

    An estimator that needs many epochs to learn (a network with a small
    learning rate) needs a larger ``max_epochs`` here than in its own ``fit``
    with ``max_iter``: each ``partial_fit`` on a mini-batch is one update.

    The defaults (the peer and its learning rate, the estimate as forget
    rate, ``min_noise_rate``, the peers' second look) were chosen on tuning
    data (scikit-learn's bundled data sets and synthetic data), never on
    the data and seeds of the reported results; ``docs/decisions.md`` says
    what was measured and why each won.

    References
    ----------
    .. [1] B. Han, Q. Yao, X. Yu, G. Niu, M. Xu, W. Hu, I. W. Tsang and
       M. Sugiyama, "Co-teaching: Robust training of deep neural networks with
       extremely noisy labels", NeurIPS 2018. :doi:`10.48550/arXiv.1804.06872`

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skrobust import CoTeachingClassifier
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> y_noisy = y.copy()
    >>> y_noisy[:60] = 1 - y_noisy[:60]  # 20% of the labels are wrong
    >>> clf = CoTeachingClassifier(
    ...     SGDClassifier(loss="log_loss"), forget_rate=0.2, random_state=0
    ... ).fit(X, y_noisy)
    >>> clf.estimators_[0].__class__.__name__, clf.mode_
    ('SGDClassifier', 'incremental')
    >>> bool(clf.score(X, y) > 0.85)
    True
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "forget_rate": [Interval(Real, 0, 1, closed="left"), StrOptions({"auto"})],
        "num_gradual": [Interval(Integral, 1, None, closed="left")],
        "exponent": [Interval(Real, 0, None, closed="neither")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "mode": [StrOptions({"auto", "incremental", "rounds"})],
        "predict_with": [StrOptions({"mean"}), Options(Integral, {0, 1})],
        "min_noise_rate": [Interval(Real, 0, 1, closed="both")],
        "cv": ["cv_object"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        forget_rate="auto",
        num_gradual=10,
        exponent=1.0,
        max_epochs=30,
        batch_size=64,
        mode="auto",
        predict_with="mean",
        min_noise_rate=0.1,
        cv=5,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.forget_rate = forget_rate
        self.num_gradual = num_gradual
        self.exponent = exponent
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.mode = mode
        self.predict_with = predict_with
        self.min_noise_rate = min_noise_rate
        self.cv = cv
        self.random_state = random_state
        self.verbose = verbose

    def _get_estimator(self):
        if self.estimator is None:
            # Chosen on the tuning data (docs/decisions.md); the scaler makes
            # the peers indifferent to the units of the features.
            return make_pipeline(StandardScaler(), MLPClassifier(learning_rate_init=0.005))
        return self.estimator

    def _resolve_mode(self, estimator):
        has_partial_fit = hasattr(_learner(estimator), "partial_fit")
        if self.mode == "auto":
            return "incremental" if has_partial_fit else "rounds"
        if self.mode == "incremental" and not has_partial_fit:
            raise ValueError(
                "mode='incremental' needs an estimator with a partial_fit method "
                "(or a Pipeline whose last step has one); "
                f"{type(_learner(estimator)).__name__} has none. Use mode='rounds' (or "
                "'auto', which picks it) for estimators that cannot learn incrementally."
            )
        return self.mode

    def _validate_X(self, X, y=None, reset=True):
        # The inner estimator decides whether NaN or sparse input is fine; it
        # is checked once here rather than on every mini-batch.
        inner = get_tags(self._get_estimator()).input_tags
        kwargs = dict(
            accept_sparse="csr" if inner.sparse else False,
            ensure_all_finite=not inner.allow_nan,
            dtype=None,
            reset=reset,
        )
        if y is None:
            return validate_data(self, X, **kwargs)
        return validate_data(self, X, y, **kwargs)

    def _resolve_forget_rate(self, X, y_code):
        if self.forget_rate != "auto":
            return float(self.forget_rate)
        # The noise core's estimate with its default model (not the peers'):
        # estimate_noise_rate(None, X, y, cv=cv, random_state=random_state).
        noise = estimate_noise(
            None, X, y_code, cv=self.cv, random_state=self.random_state, classes=self.classes_
        )
        self.noise_rate_, self.noise_rate_ci_ = noise.rate, noise.interval
        return self._forget_rate_from(noise.rate, noise.interval)

    def _forget_rate_from(self, rate, interval):
        """The forget rate a noise estimate gives: 0 where its interval is below ``min_noise_rate``."""
        if interval[0] < self.min_noise_rate:
            return 0.0  # too little evidence of noise: plain training of both peers
        # The estimate, not the interval's lower end (docs/decisions.md).
        upper = min(0.9, 1.0 - 1.0 / len(self.classes_))
        return float(np.clip(rate, 0.0, upper))

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Train the two peers by co-teaching on ``X`` and the (noisy) labels ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; sparse or missing values only where ``estimator``
            accepts them.

        y : array-like of shape (n_samples,)
            The labels, possibly noisy. Any label values (ints, strings).

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights. They weigh the small-loss selection (each
            peer keeps the smallest losses up to ``1 - forget_rate`` of the
            batch's total weight) and are passed with the kept rows to the
            peers' ``partial_fit`` (incremental mode) or ``fit`` (rounds mode,
            also for the out-of-fold losses), which must accept them. With
            metadata routing enabled, the peers get them by request
            (``set_partial_fit_request`` / ``set_fit_request`` on
            ``estimator``, or on a Pipeline's last step in incremental mode).
            The ``forget_rate="auto"`` estimate counts rows, unweighted.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        if y is None:
            check_labels(y)  # the standard message for a missing y
        X, y = self._validate_X(X, y)
        y = check_labels(y)
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        check_n_classes(self.classes_, "CoTeachingClassifier")
        y_code = encoder.transform(y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, ensure_non_negative=True)

        estimator = self._get_estimator()
        self.mode_ = self._resolve_mode(estimator)
        self._sample_weight = sample_weight
        self._peer_weight = self._route_sample_weight(estimator, sample_weight)
        rng = check_random_state(self.random_state)
        peer_seeds = rng.randint(_MAX_SEED, size=2)
        self.estimators_ = [_seeded_clone(estimator, seed) for seed in peer_seeds]
        estimate_seed = rng.randint(_MAX_SEED)
        self.forget_rate_ = self._resolve_forget_rate(X, y_code)
        schedule = forget_rate_schedule(
            self.forget_rate_,
            self.max_epochs,
            num_gradual=self.num_gradual,
            exponent=self.exponent,
        )
        try:
            if self.mode_ == "incremental":
                # The forest saw too little noise: the peers take a second look
                # once they have learnt for PEER_ESTIMATE_EPOCHS epochs.
                second_look = self.forget_rate == "auto" and self.forget_rate_ == 0
                self._fit_incremental(
                    X, y, y_code, schedule, rng, estimate_seed if second_look else None
                )
            else:
                self._fit_rounds(X, y, y_code, schedule, rng)
        finally:
            del self._sample_weight, self._peer_weight  # only for this fit
        self.n_iter_ = self.max_epochs
        return self

    def _route_sample_weight(self, estimator, sample_weight):
        """The weights the peers are trained with (``None``: none), by routing or directly."""
        method = "partial_fit" if self.mode_ == "incremental" else "fit"
        if _routing_enabled():
            params = {} if sample_weight is None else {"sample_weight": sample_weight}
            routed = process_routing(self, "fit", **params)
            return routed.estimator[method].get("sample_weight")
        if sample_weight is None:
            return None
        learner = _learner(estimator)
        if "sample_weight" not in inspect.signature(getattr(learner, method)).parameters:
            raise ValueError(
                f"sample_weight was passed, but {type(learner).__name__}.{method}, which "
                f"trains the peers in the {self.mode_} mode, takes no sample_weight; "
                "use an estimator that accepts it, or fit without sample_weight."
            )
        return sample_weight

    def _weights(self, rows):
        """The ranking weights and the peers' fit parameters of ``rows``."""
        ranking = None if self._sample_weight is None else self._sample_weight[rows]
        if self._peer_weight is None:
            return ranking, {}
        return ranking, {"sample_weight": self._peer_weight[rows]}

    def _fit_incremental(self, X, y, y_code, schedule, rng, estimate_seed=None):
        n_samples = len(y)
        n_batches = -(-n_samples // self.batch_size)
        # A Pipeline peer: its transformers are fitted once on all of X, its
        # last step is co-taught on the transformed rows.
        Xt = [_fit_transformers(peer, X, y, self._sample_weight) for peer in self.estimators_]
        learners = [_learner(peer) for peer in self.estimators_]
        kept = np.zeros((2, n_samples), dtype=bool)
        for epoch, rate in enumerate(schedule):
            kept[:] = False
            for batch in np.array_split(rng.permutation(n_samples), n_batches):
                if rate > 0:
                    weight = self._weights(batch)[0]
                    selected = [
                        batch[
                            _smallest(
                                self._loss(learner, Xt[k][batch], y_code[batch]), 1.0 - rate, weight
                            )
                        ]
                        for k, learner in enumerate(learners)
                    ]
                else:
                    selected = [batch, batch]
                for k in (0, 1):
                    kept[k, selected[k]] = True
                # Each peer learns from the rows its peer selected.
                for k in (0, 1):
                    rows = selected[1 - k]
                    learners[k].partial_fit(
                        Xt[k][rows], y[rows], classes=self.classes_, **self._weights(rows)[1]
                    )
            self._log(epoch, rate, kept)
            if estimate_seed is not None and epoch + 1 == PEER_ESTIMATE_EPOCHS < len(schedule):
                # rewrites the epochs still to come (this loop reads them as it goes)
                self._second_look(learners, Xt, y_code, schedule[epoch + 1 :], estimate_seed)
        self.kept_mask_ = kept

    def _second_look(self, learners, Xt, y_code, rest, seed):
        """The estimate from the peers' own probabilities; the ``rest`` of the schedule from it.

        Networks fit the clean patterns before they memorise the wrong labels
        (the premise of co-teaching), so after a few epochs of plain training
        the peers' probabilities of their own training rows show noise that
        the out-of-fold model can be too weak to see (with many classes).
        The same gate decides: below ``min_noise_rate`` the training
        stays plain, and is exactly what it would have been.
        """
        proba = np.mean(
            [proba_in_classes(learner, Xt[k], self.classes_) for k, learner in enumerate(learners)],
            axis=0,
        )
        rate, interval = noise_rate_interval(y_code, proba, random_state=seed)
        self.forget_rate_ = self._forget_rate_from(rate, interval)
        if self.verbose:
            print(
                f"[CoTeachingClassifier] the peers' estimate after {PEER_ESTIMATE_EPOCHS} epochs: "
                f"noise rate {rate:.3f}, forget rate {self.forget_rate_:.3f}"
            )
        rest[:] = forget_rate_schedule(
            self.forget_rate_, len(rest), num_gradual=self.num_gradual, exponent=self.exponent
        )

    def _fit_rounds(self, X, y, y_code, schedule, rng):
        n_samples = len(y)
        everything = np.arange(n_samples)
        trained_on = [everything, everything]
        kept = np.ones((2, n_samples), dtype=bool)
        for round_, rate in enumerate(schedule):
            if round_ == 0 or rate == 0:
                selected = [everything, everything]
            else:
                selected = [
                    _smallest_per_class(
                        self._out_of_fold_loss(
                            k, X, y, y_code, trained_on[k], rng.randint(_MAX_SEED)
                        ),
                        1.0 - rate,
                        y_code,
                        self._weights(everything)[0],
                    )
                    for k in (0, 1)
                ]
            kept = np.zeros((2, n_samples), dtype=bool)
            for k in (0, 1):
                kept[k, selected[k]] = True
            for k in (0, 1):
                rows = np.sort(selected[1 - k])
                self.estimators_[k].fit(X[rows], y[rows], **self._fit_params(rows))
                trained_on[k] = rows
            self._log(round_, rate, kept)
        self.kept_mask_ = kept

    def _out_of_fold_loss(self, k, X, y, y_code, trained_on, seed):
        """Loss of peer ``k`` on every row, out-of-fold for the rows it was fit on."""
        peer = self.estimators_[k]
        loss = np.empty(len(y))
        outside = np.ones(len(y), dtype=bool)
        outside[trained_on] = False
        if outside.any():
            loss[outside] = self._loss(peer, X[outside], y_code[outside])
        # skrobust's fold rule; rows no fold can hold out (a class with a
        # single row) are never forgotten.
        splitter, held_out = check_folds(self.cv, y[trained_on], seed)
        loss[trained_on[~held_out]] = -np.inf
        if splitter is None:
            return loss
        inside = trained_on[held_out]
        proba = cross_val_predict(
            WithClasses(peer),  # CleanLearning sets no classes_
            X[inside],
            y[inside],
            cv=splitter,
            method="predict_proba",
            params=self._fit_params(inside),
        )
        columns = np.searchsorted(self.classes_, np.unique(y[inside]))
        loss[inside] = _cross_entropy(proba, columns, y_code[inside], len(self.classes_))
        return loss

    def _fit_params(self, rows):
        """The peers' ``fit`` parameters of ``rows`` (rounds mode): their weights, if any."""
        params = self._weights(rows)[1]
        estimator = self._get_estimator()
        if params and not _routing_enabled() and isinstance(estimator, Pipeline):
            return {f"{estimator.steps[-1][0]}__sample_weight": params["sample_weight"]}
        return params

    def _loss(self, peer, X, y_code):
        n_classes = len(self.classes_)
        proba = proba_in_classes(peer, X, self.classes_)
        return _cross_entropy(proba, np.arange(n_classes), y_code, n_classes)

    def _log(self, epoch, rate, kept):
        if self.verbose:
            both = np.mean(kept[0] & kept[1]) / max(np.mean(kept[0] | kept[1]), _EPS)
            print(
                f"[CoTeachingClassifier] epoch {epoch + 1}/{self.max_epochs}: "
                f"forget rate {rate:.3f}, kept {kept[0].mean():.3f} / "
                f"{kept[1].mean():.3f}, peers agree on {both:.3f} of kept rows"
            )

    def predict_proba(self, X):
        """Class probabilities of ``X``: the peers' mean, or one peer's (``predict_with``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        if self.predict_with == "mean":
            peers = self.estimators_
        else:
            peers = [self.estimators_[self.predict_with]]
        return np.mean([proba_in_classes(peer, X, self.classes_) for peer in peers], axis=0)

    def get_metadata_routing(self):
        """Get the metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            ``fit`` consumes ``sample_weight`` (when requested) for the
            small-loss selection and routes it to the peers' ``partial_fit``
            (incremental mode: ``estimator``, or a Pipeline's last step) or
            ``fit`` (rounds mode).
        """
        estimator = self._get_estimator()
        router = MetadataRouter(owner=self).add_self_request(self)
        incremental = self.mode == "incremental" or (
            self.mode == "auto" and hasattr(_learner(estimator), "partial_fit")
        )
        if incremental:
            return router.add(
                estimator=_learner(estimator),
                method_mapping=MethodMapping().add(caller="fit", callee="partial_fit"),
            )
        return router.add(
            estimator=estimator, method_mapping=MethodMapping().add(caller="fit", callee="fit")
        )

    def __sklearn_tags__(self):
        return with_inner_input_tags(super().__sklearn_tags__(), self._get_estimator())


def _learner(estimator):
    """The model that co-teaching trains: ``estimator``, or a Pipeline's last step."""
    return estimator.steps[-1][1] if isinstance(estimator, Pipeline) else estimator


def _fit_transformers(estimator, X, y, sample_weight=None):
    """``X`` as the learner sees it: a Pipeline's transformers are fitted on it first.

    ``sample_weight`` reaches the transformers whose ``fit`` takes it (a
    StandardScaler's weighted mean and variance), unless metadata routing
    is enabled, where the steps' own requests decide.
    """
    if not isinstance(estimator, Pipeline) or len(estimator.steps) < 2:
        return X
    transformers = estimator[:-1]
    if sample_weight is None or _routing_enabled():
        return transformers.fit_transform(X, y)
    params = {
        f"{name}__sample_weight": sample_weight
        for name, step in transformers.steps
        if step not in (None, "passthrough") and has_fit_parameter(step, "sample_weight")
    }
    return transformers.fit_transform(X, y, **params)


def _seeded_clone(estimator, seed):
    """A clone of ``estimator`` with every ``random_state`` parameter set to ``seed``."""
    peer = clone(estimator)
    keys = [
        key
        for key in peer.get_params(deep=True)
        if key == "random_state" or key.endswith("__random_state")
    ]
    return peer.set_params(**dict.fromkeys(keys, int(seed)))


def _cross_entropy(proba, columns, y_code, n_classes):
    """Per-sample cross-entropy; ``columns[j]`` is the class code of column ``j`` of ``proba``."""
    if len(columns) != n_classes:  # a peer fit on rows that miss some class
        full = np.zeros((proba.shape[0], n_classes))
        full[:, columns] = proba
        proba = full
    p_true = proba[np.arange(len(y_code)), y_code]
    return -np.log(np.clip(p_true, _EPS, None))


def _smallest_per_class(loss, keep_fraction, y_code, weight=None):
    """The smallest losses (as :func:`_smallest`), plus the smallest of each class they miss.

    A peer refit from scratch needs every class in its training rows.
    """
    keep = _smallest(loss, keep_fraction, weight)
    missing = np.setdiff1d(np.unique(y_code), y_code[keep])
    extra = [np.flatnonzero(y_code == c)[np.argmin(loss[y_code == c])] for c in missing]
    return np.concatenate([keep, np.asarray(extra, dtype=keep.dtype)])


def _smallest(loss, keep_fraction, weight=None):
    """Indices of the smallest losses, at least one (ties broken by position).

    As many as make up ``keep_fraction`` of the rows, or with ``weight``, of
    their total weight (the longest prefix whose weight does not exceed it;
    unit weights keep exactly the rows that no weight keeps).
    """
    order = np.argsort(loss, kind="stable")
    if weight is None:
        n_keep = int(keep_fraction * len(loss))
    else:
        cumulative = np.cumsum(weight[order])
        n_keep = int(np.searchsorted(cumulative, keep_fraction * cumulative[-1], side="right"))
    return order[: max(1, n_keep)]
