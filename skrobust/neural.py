"""MAEClassifier: a Keras network trained with a noise-robust loss, as a scikit-learn classifier.

The network (an MLP) is built here and trained by scikeras's
:class:`~scikeras.wrappers.KerasClassifier`; after training, its weights are
copied out as NumPy arrays (``coefs_``, ``intercepts_``, as in scikit-learn's
``MLPClassifier``) and the Keras objects are dropped. Prediction is a NumPy
forward pass, so a fitted MAEClassifier pickles, and loads and predicts in
any process, without TensorFlow.

TensorFlow, Keras and scikeras are imported by ``fit`` only: importing this
module does not import them. scikeras 0.13 predates scikit-learn 1.6's tags
API and is unmaintained, and Keras's own training loop is neither seeded
without process-wide seeds nor cheap for small networks; every workaround
for either lives in this module, in the one section "Workarounds" at its
end, each with its reason, so it can go when scikeras, Keras or a successor
catches up.
"""

import functools
import math
from numbers import Integral, Real

import numpy as np
from scipy.special import erf, expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._compat import Interval, StrOptions, _fit_context
from .detection import noise_rate_interval
from ._proba import PredictFromProbaMixin
from ._validation import check_labels, check_n_classes

__all__ = ["MAEClassifier"]

_LOSS_NAMES = ("mae", "gce", "sce", "nce_rce", "nce_mae", "cross_entropy")
_OPTIMIZERS = ("adam", "adamw", "nadam", "rmsprop", "sgd", "adagrad")


def _selu(h):
    # Keras's (and Klambauer et al.'s) constants.
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return scale * np.where(h > 0, h, alpha * np.expm1(np.minimum(h, 0)))


# The hidden activations, in NumPy (float64), as Keras defines them.
_ACTIVATIONS = {
    "relu": lambda h: np.maximum(h, 0),
    "tanh": np.tanh,
    "sigmoid": expit,
    "elu": lambda h: np.where(h > 0, h, np.expm1(np.minimum(h, 0))),
    "selu": _selu,
    "gelu": lambda h: 0.5 * h * (1 + erf(h / np.sqrt(2))),  # Keras's default, approximate=False
    "swish": lambda h: h * expit(h),
}


class MAEClassifier(PredictFromProbaMixin, ClassifierMixin, BaseEstimator):
    """A neural-network classifier trained with a loss that wrong labels cannot drag around.

    A multi-layer perceptron (Keras) with a softmax output over the classes,
    trained through scikeras on one-hot targets with a noise-robust loss: the
    mean absolute error (MAE), generalized cross-entropy (GCE), symmetric
    cross-entropy (SCE) or an active-passive loss (NCE+RCE, NCE+MAE); plain
    cross-entropy is there for comparison. It is the "use MAE instead of
    cross-entropy" recipe of the seed article made into an estimator that
    works in ``Pipeline``, ``GridSearchCV``, ``clone`` and ``pickle``.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Units of each hidden layer (at least one layer, each >= 1).

    loss : {"nce_rce", "nce_mae", "mae", "gce", "sce", "cross_entropy"} or callable, default="nce_rce"
        The training loss (see :mod:`skrobust.losses`); the default, NCE+RCE,
        was chosen on tuning data (see Notes). A callable (such as a
        :class:`keras.losses.Loss`) is called as ``loss(y_true, y_pred)``
        with one-hot ``y_true`` and class probabilities ``y_pred``, both of
        shape ``(batch, n_classes)``.

    q : float, default=0.7
        Exponent of GCE, in ``(0, 1]``; used when ``loss="gce"``.

    alpha : float, default=1.0
        Weight (>= 0) of the active term: cross-entropy in SCE, the
        normalized cross-entropy in NCE+RCE and NCE+MAE.

    beta : float, default=1.0
        Weight (>= 0) of the passive term: the reverse cross-entropy in SCE
        and NCE+RCE, MAE in NCE+MAE.

    activation : {"relu", "tanh", "sigmoid", "elu", "selu", "gelu", "swish"}, default="relu"
        Activation of the hidden layers.

    optimizer : str or keras.optimizers.Optimizer subclass, default="adam"
        The optimizer, by name (``"adam"``, ``"adamw"``, ``"nadam"``,
        ``"rmsprop"``, ``"sgd"``, ``"adagrad"``) or class; it is built with
        ``learning_rate``.

    learning_rate : float, default=0.003
        Learning rate of the optimizer (> 0).

    epochs : int, default=200
        Number of passes over the training data (>= 1).

    batch_size : int, default=200
        Samples per gradient step (>= 1); capped at the number of samples
        (``MLPClassifier``'s ``min(200, n_samples)``).

    min_noise_rate : float in [0, 1], default=0.0
        Above 0, the network trained with ``loss`` is kept only where the
        lower end of the 95% interval of its estimated noise rate
        (``noise_rate_ci_``) reaches this; below it the labels look clean,
        and a new network is trained with cross-entropy instead (see Notes).
        0 (the default) always keeps ``loss`` and estimates nothing.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the shuffling of each epoch and the
        noise-rate interval's bootstrap, so that two fits with the same int
        give identical ``predict_proba``.
        Only MAEClassifier's own generators are seeded: no process-wide seed
        (NumPy's, Python's, TensorFlow's) or TensorFlow setting is touched.

    verbose : int, default=0
        Keras's verbosity during ``fit`` (0: silent, 1: progress bar, 2: one
        line per epoch).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, in the order of ``predict_proba``'s columns.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``; only when ``X`` has string
        column names.

    coefs_ : list of ndarray
        The trained weight matrices, ``coefs_[i]`` of shape ``(n_units_in,
        n_units_out)`` for layer ``i`` (float64), as in ``MLPClassifier``.

    intercepts_ : list of ndarray
        The trained bias vectors, ``intercepts_[i]`` of shape
        ``(n_units_out,)`` (float64).

    loss_curve_ : list of float
        Training loss at the end of each epoch (of the network kept).

    loss_ : str or callable
        The loss of the network kept: ``loss``, or ``"cross_entropy"`` where
        the labels looked clean (``noise_rate_ci_[0] < min_noise_rate``).

    noise_rate_ : float
        Only with ``min_noise_rate > 0``: the estimated share of wrong labels
        in ``y``, read from the network trained with ``loss`` (its
        probabilities on the training rows, by confident learning as :class:`~skrobust.CleanFirstRelabeler`'s
        ``noise_rate_``: a row counts as mislabelled only where the network
        gives another class a probability of at least 0.5; classes with
        fewer than 10 rows count as correct). Answers "is my data noisy
        enough to bother?".

    noise_rate_ci_ : tuple of two floats
        Only with ``min_noise_rate > 0``: 95% bootstrap interval of
        ``noise_rate_``.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : The same network, trained with
        cross-entropy by scikit-learn.
    skrobust.losses : The losses, usable in any Keras model.
    skrobust.LabelNoiseInjector : Corrupts the training labels, to measure
        how much a classifier resists noise.

    Notes
    -----
    The network is ``Dense(h, activation)`` for each ``h`` in
    ``hidden_layer_sizes``, then ``Dense(n_classes, "softmax")``; binary
    problems get two softmax outputs, so every loss sees one-hot targets.
    ``X`` is used as float32 in training; scale it (e.g. ``StandardScaler``
    in a ``Pipeline``) as for any neural network.

    MAE is provably tolerant of symmetric noise below ``(K - 1) / K`` but
    can learn slowly; GCE (``q`` -> 0 is cross-entropy, ``q=1`` is MAE) and
    SCE (cross-entropy plus a multiple of MAE) trade some of that tolerance
    for faster fitting; the active-passive losses of Ma et al. combine two
    robust terms. The defaults (one hidden layer of 100 units and batches of
    200 as in ``MLPClassifier``, Adam at 0.003, 200 epochs, NCE+RCE with
    ``alpha=beta=1``, ``min_noise_rate=0``) were chosen on tuning data
    (scikit-learn's bundled data sets and synthetic data, clean labels and
    symmetric and pair noise) against ``MLPClassifier()``;
    ``docs/decisions.md`` says what was measured and why each won.

    Every fit builds, compiles and trains a new network (nothing is shared
    between fits or estimators), then keeps only its weights; prediction is
    a float64 forward pass in NumPy, so a fitted estimator needs neither
    TensorFlow nor Keras to be loaded or used. scikeras calls the network's
    ``fit``; training then runs up to ten epochs per compiled call (one per
    call with ``verbose``), each a permutation of the rows drawn from the
    estimator's own seed and cut into batches that Keras's own
    ``train_step`` trains (see the module's workaround section for why not
    Keras's own loop). ``benchmarks/bench_neural.py`` measures fit times
    against ``MLPClassifier``.

    A noise-robust loss resists wrong labels by giving up on rows the
    network finds hard, so on clean labels it can fit less than
    cross-entropy, most visibly with many classes. ``min_noise_rate > 0``
    asks the robust network whether the labels are noisy at all: it hardly
    learns the wrong labels, so on the training rows it confidently predicts
    another class than the given one for about the share of wrong labels
    where it learns the classes well (``noise_rate_``), and for few rows of
    clean data. It reads too little where it learns the wrong labels too
    (many features for few rows, few rows per class under pair noise) or
    under heavy pair noise. Where the interval's lower end is below
    ``min_noise_rate``, MAEClassifier trains a new network with
    cross-entropy, with the same initial weights and shuffling, and keeps
    that one: the fit is then what ``loss="cross_entropy"`` gives, at the
    cost of a second training. It is off by default: on the tuning data it
    lost more under pair noise than it gained on clean labels.

    With ``verbose=0`` fitting prints nothing. TensorFlow writes start-up
    lines from C++ to standard error when it is first imported. So, only if
    TensorFlow is not imported yet, skrobust sets the environment variable
    ``TF_CPP_MIN_LOG_LEVEL`` to ``"3"`` with ``os.environ.setdefault`` (a
    value the caller has set is kept) right before it first imports
    TensorFlow, in the first ``fit`` or ``import skrobust.losses``. That
    hides TensorFlow's C++ info, warning and error log lines (such as
    ``failed call to cuInit`` on a machine without a GPU; TensorFlow's
    errors still reach Python as exceptions); it is the only process-wide
    setting skrobust makes. Set ``TF_CPP_MIN_LOG_LEVEL=0`` before TensorFlow
    is imported to see them all.
    A few lines are written before TensorFlow reads that variable, and only
    redirecting the process's standard error removes them; on a machine
    without CUDA, TensorFlow 2.21 writes these two twice::

        WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
        I0000 00:00:... cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will not be used.

    References
    ----------
    .. [1] A. Ghosh, H. Kumar and P. S. Sastry, "Robust Loss Functions under
       Label Noise for Deep Neural Networks", AAAI 2017.
       :doi:`10.1609/aaai.v31i1.10894`
    .. [2] Z. Zhang and M. R. Sabuncu, "Generalized Cross Entropy Loss for
       Training Deep Neural Networks with Noisy Labels", NeurIPS 2018.
       :doi:`10.48550/arXiv.1805.07836`
    .. [3] Y. Wang, X. Ma, Z. Chen, Y. Luo, J. Yi and J. Bailey, "Symmetric
       Cross Entropy for Robust Learning with Noisy Labels", ICCV 2019.
       :doi:`10.1109/ICCV.2019.00041`
    .. [4] X. Ma, H. Huang, Y. Wang, S. Romano, S. Erfani and J. Bailey,
       "Normalized Loss Functions for Deep Learning with Noisy Labels",
       ICML 2020. :doi:`10.48550/arXiv.2006.13554`

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skrobust import MAEClassifier
    >>> X, y = make_classification(n_samples=200, n_features=4, random_state=0)
    >>> clf = MAEClassifier(random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> bool(clf.score(X, y) > 0.8)
    True
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "loss": [StrOptions(set(_LOSS_NAMES)), callable],
        "q": [Interval(Real, 0, 1, closed="right")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="left")],
        "activation": [StrOptions(set(_ACTIVATIONS))],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), callable],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "min_noise_rate": [Interval(Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        loss="nce_rce",
        q=0.7,
        alpha=1.0,
        beta=1.0,
        activation="relu",
        optimizer="adam",
        learning_rate=0.003,
        epochs=200,
        batch_size=200,
        min_noise_rate=0.0,
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.loss = loss
        self.q = q
        self.alpha = alpha
        self.beta = beta
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.min_noise_rate = min_noise_rate
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Build the network and train it on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples (dense; sparse input is rejected).

        y : array-like of shape (n_samples,)
            Class labels (any values: ints, strings, ...), possibly noisy.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, multiplying each sample's loss.

        Returns
        -------
        self : MAEClassifier
            The fitted classifier.
        """
        layers = self._hidden_layers()
        X, y = validate_data(self, X, y, dtype=np.float32)
        y = check_labels(y)  # a None label: the message every skrobust estimator gives
        encoder = LabelEncoder()
        y_encoded = encoder.fit_transform(y)
        self.classes_ = encoder.classes_
        n_classes = len(self.classes_)
        check_n_classes(self.classes_, "MAEClassifier")
        sample_weight = self._sample_weight(sample_weight, X.shape[0])
        y_onehot = np.eye(n_classes, dtype=np.float32)[y_encoded]

        _, _, KerasClassifier = _keras()
        from .losses import get_loss

        loss = self.loss
        if isinstance(loss, str):
            loss = get_loss(loss, q=self.q, alpha=self.alpha, beta=self.beta)
        # One seed per layer's initialiser and one for the shuffling, drawn
        # from the estimator's own generator (workarounds W5 and W7).
        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=len(layers) + 2)
        # scikeras drops samples of zero weight before training (workaround W6).
        n_samples = max(int(np.count_nonzero(sample_weight)), 1)
        batch_size = min(self.batch_size, n_samples)

        trainer = KerasClassifier(
            model=_build_mlp,
            model__hidden_layer_sizes=layers,
            model__activation=self.activation,
            model__seeds=[int(s) for s in seeds],
            loss=loss,
            optimizer=self.optimizer,
            optimizer__learning_rate=float(self.learning_rate),
            epochs=self.epochs,
            batch_size=batch_size,
            shuffle=True,
            verbose=self.verbose,
        )
        self._train(trainer, X, y_onehot, sample_weight)
        self.loss_ = self.loss
        if self.min_noise_rate > 0:
            # The estimate reads the network's probabilities on the rows it
            # trained on (scikeras drops those of weight 0).
            kept = sample_weight > 0
            self.noise_rate_, self.noise_rate_ci_ = noise_rate_interval(
                y_encoded[kept], self._forward(X[kept]),
                random_state=rng.randint(np.iinfo(np.int32).max),
            )
            if self.noise_rate_ci_[0] < self.min_noise_rate and not _is_cross_entropy(self.loss):
                # Labels that look clean: a new network (same seeds) with cross-entropy.
                trainer.set_params(loss=get_loss("cross_entropy"))
                self._train(trainer, X, y_onehot, sample_weight)
                self.loss_ = "cross_entropy"
        return self

    def _train(self, trainer, X, y_onehot, sample_weight):
        """Train a new network with ``trainer`` and keep its weights as NumPy arrays."""
        trainer.fit(X, y_onehot, sample_weight=sample_weight)
        weights = [np.asarray(w, dtype=np.float64) for w in trainer.model_.get_weights()]
        self.coefs_, self.intercepts_ = weights[0::2], weights[1::2]
        self.loss_curve_ = [float(v) for v in np.concatenate(trainer.history_["epoch_loss"])]

    def predict_proba(self, X):
        """Class probabilities of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities (rows sum to 1), columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        return self._forward(validate_data(self, X, reset=False, dtype=np.float32))

    def _forward(self, X):
        # The forward pass in float64: a sample's probabilities do not depend
        # on the other rows of X (in float32 matrix products they would
        # change in the last digits with the row's position in the batch).
        h = np.asarray(X, dtype=np.float64)
        activation = _ACTIVATIONS[self.activation]
        for i, (coef, intercept) in enumerate(zip(self.coefs_, self.intercepts_)):
            h = h @ coef + intercept
            if i < len(self.coefs_) - 1:
                h = activation(h)
        h = np.exp(h - h.max(axis=1, keepdims=True))
        return h / h.sum(axis=1, keepdims=True)

    def _hidden_layers(self):
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, Integral):
            sizes = [sizes]
        sizes = list(sizes)
        if not sizes or not all(
            isinstance(h, Integral) and not isinstance(h, bool) and h >= 1 for h in sizes
        ):
            raise ValueError(
                "hidden_layer_sizes must be a positive int or a non-empty sequence of "
                f"positive ints, got {self.hidden_layer_sizes!r}."
            )
        return tuple(int(h) for h in sizes)

    @staticmethod
    def _sample_weight(sample_weight, n_samples):
        # Always pass weights (ones when none are given), so that weighted and
        # unweighted fits run the same computation.
        if sample_weight is None:
            return np.ones(n_samples, dtype=np.float32)
        sample_weight = check_array(
            sample_weight, ensure_2d=False, dtype=np.float32, input_name="sample_weight"
        )
        if sample_weight.shape != (n_samples,):
            raise ValueError(
                f"sample_weight.shape == {sample_weight.shape}, expected ({n_samples},)!"
            )
        if np.any(sample_weight < 0):
            raise ValueError("sample_weight must be non-negative.")
        # Keras averages a batch's weighted losses over the number of samples,
        # not over their weights: scaled to mean 1 over the samples kept
        # (scikeras drops those of weight 0), the weights give the loss
        # scikit-learn's estimators minimise, sum(w * loss) / sum(w), so that
        # an integer weight is the same as repeating the sample.
        total = float(np.sum(sample_weight, dtype=np.float64))
        if total > 0:
            sample_weight = sample_weight * np.float32(np.count_nonzero(sample_weight) / total)
        return sample_weight


def _is_cross_entropy(loss):
    return isinstance(loss, str) and loss == "cross_entropy"


# --------------------------------------------------------------------------- #
# Training: TensorFlow, Keras and scikeras, imported by fit only.
# --------------------------------------------------------------------------- #


def _keras():
    """``(keras, tensorflow, KerasClassifier)``, imported on first use (workaround W12)."""
    try:
        from . import losses  # noqa: F401  sets TF_CPP_MIN_LOG_LEVEL before TensorFlow loads
        import keras
        import tensorflow as tf
        from scikeras.wrappers import KerasClassifier
    except ImportError as exc:
        raise ImportError(
            "MAEClassifier.fit needs scikeras and TensorFlow, which are not installed. "
            'Install them with: pip install "skrobust[keras]"'
        ) from exc
    return keras, tf, KerasClassifier


def _build_mlp(hidden_layer_sizes, activation, seeds, meta, compile_kwargs):
    """scikeras's ``model`` callable: a new MLP, compiled with scikeras's optimizer and loss."""
    keras, _, _ = _keras()
    model = _epoch_stream_sequential()(name="mlp")
    model.shuffle_seed = seeds[-1]
    model.add(keras.Input(shape=(meta["n_features_in_"],)))
    for units, seed in zip(hidden_layer_sizes, seeds):
        model.add(keras.layers.Dense(
            units, activation=activation, kernel_initializer=keras.initializers.GlorotUniform(seed)
        ))
    model.add(keras.layers.Dense(
        len(meta["classes_"]), activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seeds[len(hidden_layer_sizes)]),
    ))
    model.compile(**compile_kwargs)
    model.optimizer.build(model.trainable_variables)  # workaround W8
    return model


# --------------------------------------------------------------------------- #
# Workarounds. This is the one list of them: each says what it works around
# and can go when scikeras, Keras or TensorFlow (or a successor) does the
# right thing itself.
# --------------------------------------------------------------------------- #
#
# scikeras
#
# W1. Composition, not inheritance. scikeras declares
#    ``KerasClassifier(BaseWrapper, ClassifierMixin)`` with only the legacy
#    ``_more_tags``: on scikit-learn >= 1.6 ``is_classifier`` is False, and a
#    subclass can never pass ``check_mixin_order`` or
#    ``check_estimator_tags_renamed``. MAEClassifier is our own
#    ``(ClassifierMixin, BaseEstimator)`` that uses a KerasClassifier to train.
# W2. Input validation is scikit-learn's ``validate_data`` in MAEClassifier
#    (scikeras's own accepts sparse input, skips ``n_features_in_`` checks).
# W3. One-hot targets: scikeras one-hot encodes y only when it recognises the
#    loss as categorical cross-entropy, while MAE/GCE/SCE need one-hot targets;
#    MAEClassifier encodes the labels itself and gives scikeras the one-hot
#    matrix (which scikeras passes through as "multiclass-onehot").
# W4. The fitted KerasClassifier is not kept: its Keras model pickles only in
#    a process where Keras has registered the model's class under the name
#    scikeras saved it with, so a fitted estimator failed to load in a new
#    process (or a Dask or loky worker). The weights are copied out instead,
#    and predictions are a NumPy forward pass rather than scikeras's
#    ``predict_proba`` (Keras's ``Model.predict`` also traces a new
#    ``tf.function`` per model and computes in float32). The forward pass
#    needs the hidden activations in NumPy: ``_ACTIVATIONS`` re-implements
#    Keras's (float64, Keras's constants and its exact ``gelu``);
#    tests/test_neural.py checks each against the Keras network.
# W5. No ``random_state`` for scikeras: its seeding sets the process-wide
#    seeds of Python, NumPy and TensorFlow, ``os.environ`` and TensorFlow's
#    op determinism for the length of a fit, which races with any other
#    thread and leaked determinism into the caller. MAEClassifier seeds the
#    initialisers (stateless with an int seed) and the shuffling (W7) itself;
#    TensorFlow's CPU kernels for these layers and Adam are deterministic
#    without op determinism (tests/test_neural.py checks it).
# W6. scikeras drops the samples of weight 0 before training. MAEClassifier
#    always passes weights (ones when none are given, so weighted and
#    unweighted fits run the same computation) and counts the rows kept for
#    what depends on them: the batch cap (``min(batch_size, n_kept)``, as
#    ``MLPClassifier`` caps at the sample count), the rescaling of the
#    weights to mean 1 over the kept rows (Keras divides a batch's weighted
#    loss by its number of samples, not by its weights: rescaled, the loss
#    is scikit-learn's ``sum(w * loss) / sum(w)``, so an integer weight is
#    the same as repeating the sample), and the noise-rate estimate of
#    ``min_noise_rate``, which reads the rows the network trained on.
#
# Keras (``_epoch_stream_sequential``: the network scikeras trains overrides
# Keras's ``fit`` and ``make_train_function`` and extends ``train_step``)
#
# W7. Seeded shuffling. For array input Keras shuffles with an unseeded
#    ``tf.random.shuffle``, reproducible only under a process-wide TensorFlow
#    seed (W5). Each epoch here is ``stateless_shuffle`` seeded with the
#    estimator's seed and the epoch's number.
# W8. The optimizer's slots are created before the first training step:
#    created while TensorFlow traces that step, they make it trace the step
#    twice (half of the tracing cost).
# W9. Several epochs per compiled call. Keras's own loop pays, per epoch, a
#    Python round trip, callbacks, metric reads and a data-iterator step,
#    several times the cost of an epoch of a small network, and its
#    ``steps_per_execution`` spans at most one Keras epoch, whose loss is
#    one value. Trained by Keras's own ``fit`` (a seeded ``tf.data`` stream,
#    one compiled call per epoch), a fit at the defaults on the article's
#    data took 1.7-2.0 times as long as with this loop: 3.8-3.9 times
#    ``MLPClassifier``'s fit against 2.0-2.3 times, side by side;
#    ``benchmarks/results/bench_neural.md`` (fit time) has the measurement.
#    So ``train_step`` (Keras's documented hook) runs up to
#    ``EPOCHS_PER_CALL`` epochs in one graph loop, each batch trained by
#    Keras's own ``train_step``; after each epoch it reads and resets Keras's
#    loss tracker (the metric named ``loss``), and it returns the epochs'
#    losses as ``epoch_loss``, which ``loss_curve_`` reads from scikeras's
#    ``history_``.
# W10. One ``tf.function`` around ``train_step`` in place of Keras's two nested
#    ones and its distribution wrappers (one device here): the same
#    operations, traced and run with less overhead.
# W11. Every fit traces a new training function from the same code, by
#    design; TensorFlow's retracing detector, which counts traces per code
#    object, would warn after five fits that a function is retraced in a
#    loop. The traced callable is a ``functools.partial`` per network, which
#    the detector counts on its own (tests/test_neural.py checks that six
#    fits print nothing).
#
# TensorFlow
#
# W12. Quiet import (``skrobust.losses``, which ``_keras`` imports first):
#    TensorFlow's C++ start-up lines (CUDA probing: ``failed call to
#    cuInit`` on a machine without a GPU) are logged at import, before any
#    Python setting could reach them; only ``TF_CPP_MIN_LOG_LEVEL``, read
#    when TensorFlow loads, hides them. It is set with ``setdefault`` (a
#    caller's value is kept) and only while TensorFlow is not imported.


# Epochs trained per compiled call (one Keras epoch): workaround W9.
EPOCHS_PER_CALL = 10


@functools.cache
def _epoch_stream_sequential():
    """The Sequential subclass MAEClassifier trains: built once, as it needs Keras."""
    keras, tf, _ = _keras()

    class _EpochStreamSequential(keras.Sequential):
        """A Sequential model whose ``fit`` runs up to :data:`EPOCHS_PER_CALL` epochs per compiled call.

        scikeras calls ``model.fit(x=array, y=array, batch_size=..., shuffle=...)``.
        Here (workarounds W7 to W11) one Keras epoch is a call of ``train_step``
        (Keras's documented hook) that runs up to ``EPOCHS_PER_CALL`` epochs
        in one graph loop, each a full pass over a permutation of the rows
        cut into batches, each batch trained by Keras's own ``train_step``.
        The permutation of epoch ``e`` is ``stateless_shuffle`` seeded with
        ``(shuffle_seed, e)``: reproducible without any global seed. Each
        call returns its epochs' losses (``epoch_loss``), so the loss curve
        still has one value per epoch; with ``verbose`` a call runs one
        epoch, so that the progress bar shows each.
        """

        shuffle_seed = 0

        def make_train_function(self, force=False):
            # Workarounds W10 and W11: one tf.function of a callable of this
            # network's own.
            if self.train_function is None or force:
                self.train_function = tf.function(
                    functools.partial(_train_on_next, self), autograph=False
                )
            return self.train_function

        def fit(self, x, y, batch_size, epochs, sample_weight, shuffle, verbose, **kwargs):
            # A progress bar gets one epoch per call, so that it shows each epoch.
            per_call = 1 if verbose else EPOCHS_PER_CALL
            self.stream_plan = (batch_size, epochs, per_call, shuffle)
            arrays = tf.data.Dataset.from_tensors(tuple(tf.constant(a) for a in (x, y, sample_weight)))
            return super().fit(
                tf.data.Dataset.zip(tf.data.Dataset.counter(), arrays.repeat()),
                epochs=math.ceil(epochs / per_call),
                steps_per_epoch=1,
                shuffle=False,  # each epoch is permuted in train_step
                verbose=verbose,
                **kwargs,
            )

        def train_step(self, data):
            call, (x, y, sample_weight) = data
            batch_size, epochs, per_call, shuffle = self.stream_plan
            n_samples = tf.shape(x, out_type=tf.int64)[0]
            first = call * per_call
            n_epochs = tf.minimum(first + per_call, epochs) - first
            keras_step = super().train_step
            loss = next(m for m in self.metrics if m.name == "loss")

            def epoch(e, losses):
                rows = tf.range(n_samples)
                if shuffle:
                    rows = tf.random.experimental.stateless_shuffle(
                        rows, seed=tf.stack([self.shuffle_seed, first + e])
                    )
                x_e, y_e, w_e = (tf.gather(t, rows) for t in (x, y, sample_weight))

                def batch(start):
                    stop = tf.minimum(start + batch_size, n_samples)
                    keras_step((x_e[start:stop], y_e[start:stop], w_e[start:stop]))
                    return (stop,)

                tf.while_loop(lambda start: start < n_samples, batch, (tf.constant(0, tf.int64),))
                losses = tf.tensor_scatter_nd_update(losses, [[e]], [loss.result()])
                loss.reset_state()  # each epoch's loss is its own batches' mean
                return (e + 1, losses)

            _, losses = tf.while_loop(
                lambda e, _: e < n_epochs, epoch,
                (tf.constant(0, tf.int64), tf.zeros([per_call])),
            )
            return {"epoch_loss": losses[:n_epochs]}

    return _EpochStreamSequential


def _train_on_next(model, iterator):
    """The training function's body: ``model.train_step`` on the iterator's next element."""
    return model.train_step(next(iterator))
