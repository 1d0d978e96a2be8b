"""MAEClassifier: a Keras network trained with a noise-robust loss, as a scikit-learn classifier.

The network is built here (an MLP) and trained by scikeras's
:class:`~scikeras.wrappers.KerasClassifier`, which MAEClassifier holds
(composition) rather than subclasses. scikeras 0.13 predates scikit-learn
1.6's tags API and is unmaintained; every workaround for it lives in this
module, in the section "scikeras workarounds", each with its reason, so it can
go when scikeras or a successor catches up.

Importing this module imports TensorFlow; ``import skrobust`` does not.
"""

import collections
import contextlib
import math
import threading
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

try:
    import keras
    import tensorflow as tf
    from scikeras.wrappers import KerasClassifier
except ImportError as exc:
    raise ImportError(
        "MAEClassifier needs scikeras and TensorFlow, which are not installed. "
        'Install them with: pip install "skrobust[keras]"'
    ) from exc

from ._compat import Interval, StrOptions, _fit_context
from ._proba import PredictFromProbaMixin
from .losses import CrossEntropyLoss, GCELoss, MAELoss, SCELoss, get_loss

__all__ = ["MAEClassifier"]

_LOSS_NAMES = ("mae", "gce", "sce", "cross_entropy")
_POOLED_LOSSES = (MAELoss, GCELoss, SCELoss, CrossEntropyLoss)
_OPTIMIZERS = ("adam", "adamw", "nadam", "rmsprop", "sgd", "adagrad")
_ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "selu", "gelu", "swish")


class MAEClassifier(PredictFromProbaMixin, ClassifierMixin, BaseEstimator):
    """A neural-network classifier trained with a loss that wrong labels cannot drag around.

    A multi-layer perceptron (Keras) with a softmax output over the classes,
    trained through scikeras on one-hot targets with a noise-robust loss: the
    mean absolute error (MAE), generalized cross-entropy (GCE) or symmetric
    cross-entropy (SCE); plain cross-entropy is there for comparison. It is the "use MAE instead of cross-entropy" recipe of the
    seed article made into an estimator that works in ``Pipeline``,
    ``GridSearchCV``, ``clone`` and ``pickle``.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(16, 16)
        Units of each hidden layer (at least one layer, each >= 1).

    loss : {"auto", "mae", "gce", "sce", "cross_entropy"} or callable, default="auto"
        The training loss (see :mod:`skrobust.losses`). ``"auto"`` chooses by
        the number of classes what measured best (see Notes): ``"sce"`` for
        two classes, ``"mae"`` for more. A callable (such as a
        :class:`keras.losses.Loss`) is called as ``loss(y_true, y_pred)``
        with one-hot ``y_true`` and class probabilities ``y_pred``, both of
        shape ``(batch, n_classes)``.

    q : float, default=0.7
        Exponent of GCE, in ``(0, 1]``; used when ``loss="gce"``.

    alpha : float, default=0.1
        Weight (>= 0) of SCE's cross-entropy term; used when ``loss="sce"``.

    beta : float, default=1.0
        Weight (>= 0) of SCE's reverse cross-entropy term; used when ``loss="sce"``.

    activation : {"relu", "tanh", "sigmoid", "elu", "selu", "gelu", "swish"}, default="relu"
        Activation of the hidden layers.

    optimizer : str or keras.optimizers.Optimizer subclass, default="adam"
        The optimizer, by name (``"adam"``, ``"adamw"``, ``"nadam"``,
        ``"rmsprop"``, ``"sgd"``, ``"adagrad"``) or class; it is built with
        ``learning_rate``.

    learning_rate : float, default=0.01
        Learning rate of the optimizer (> 0).

    epochs : int, default=100
        Number of passes over the training data (>= 1).

    batch_size : int, default=32
        Samples per gradient step (>= 1); capped at the number of samples.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the shuffling of each epoch and
        TensorFlow's random ops during ``fit``, so that two fits with the same
        int give identical ``predict_proba``. The caller's TensorFlow seed and
        op-determinism setting are restored after ``fit``.

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

    keras_classifier_ : scikeras.wrappers.KerasClassifier
        The fitted scikeras estimator that trained the network. Its Keras
        model, ``keras_classifier_.model_``, holds the trained weights
        (uncompiled: the compiled network goes back to be reused by later
        fits, see Notes).

    loss_ : str or callable
        The loss used: ``loss``, with ``"auto"`` resolved.

    loss_curve_ : list of float
        Training loss at the end of each epoch.

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
    ``X`` is used as float32; scale it (e.g. ``StandardScaler`` in a
    ``Pipeline``) as for any neural network.

    MAE is provably tolerant of symmetric noise below ``(K - 1) / K`` but
    can learn slowly; GCE (``q`` -> 0 is cross-entropy, ``q=1`` is MAE) and
    SCE (cross-entropy plus a multiple of MAE) trade some of that tolerance
    for faster fitting. The defaults were chosen on the project's benchmark
    (``benchmarks/bench_neural.py``, defaults otherwise, mean ± std over
    seeds). On ``load_digits`` with 40% of the training labels changed (3
    seeds), MAE was clearly best: 0.914 ± 0.012 test accuracy under symmetric
    noise (GCE 0.891, SCE 0.736, cross-entropy 0.588) and 0.72 ± 0.02 under
    pair noise (GCE 0.63, SCE 0.59, cross-entropy 0.54). On the seed article's
    binary task (20% flips, 10 seeds) MAE fitted its curved boundary least
    well, 0.904 ± 0.032, while SCE reached 0.920 ± 0.026, GCE 0.914 ± 0.027
    and cross-entropy 0.920 ± 0.036 (0.9200 vs 0.9195: with two classes and
    20% noise no loss gains measurably over cross-entropy). Hence
    ``loss="auto"``: SCE for two classes, MAE for more.

    Training feeds Keras one endless ``tf.data`` pipeline (each epoch a
    fresh permutation of the rows, gathered at once and cut into batches) and
    runs a whole epoch per compiled call (``steps_per_execution``), which
    removes most of Keras's per-epoch overhead. Most of a small fit's time is
    TensorFlow tracing the training step, once per network: the first fit of
    a network shape in a process costs ~0.6-0.9 s before its epochs, while a
    later fit of the same shape (input width, layers, activation, classes,
    steps per epoch, loss and optimizer settings: cross-validation folds,
    grid-search candidates, refits) reuses the compiled network, its weights
    and optimizer state reset to where a new one starts, and costs ~0.2-0.4 s
    (results are identical either way). See ``benchmarks/bench_neural.py``
    for the measured ratios to ``MLPClassifier``. A loss object of the
    caller's own is never reused. Prediction is a float64 forward pass in
    NumPy.

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

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skrobust import MAEClassifier
    >>> X, y = make_classification(n_samples=200, n_features=4, random_state=0)
    >>> clf = MAEClassifier(epochs=10, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> bool(clf.score(X, y) > 0.8)
    True
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "loss": [StrOptions({"auto", *_LOSS_NAMES}), callable],
        "q": [Interval(Real, 0, 1, closed="right")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="left")],
        "activation": [StrOptions(set(_ACTIVATIONS))],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), callable],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(16, 16),
        *,
        loss="auto",
        q=0.7,
        alpha=0.1,
        beta=1.0,
        activation="relu",
        optimizer="adam",
        learning_rate=0.01,
        epochs=100,
        batch_size=32,
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
        check_classification_targets(y)
        encoder = LabelEncoder()
        y_encoded = encoder.fit_transform(y)
        self.classes_ = encoder.classes_
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(
                "MAEClassifier needs samples of at least 2 classes in y, but y "
                f"contains only one class: {self.classes_[0]!r}."
            )
        sample_weight = self._sample_weight(sample_weight, X.shape[0])
        y_onehot = np.eye(n_classes, dtype=np.float32)[y_encoded]

        self.loss_ = self.loss
        if self.loss == "auto":
            self.loss_ = "sce" if n_classes == 2 else "mae"
        loss = self.loss_
        if isinstance(loss, str):
            loss = get_loss(loss, q=self.q, alpha=self.alpha, beta=self.beta)
        seed = None
        if self.random_state is not None:
            seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        # scikeras drops samples of zero weight before training.
        n_samples = max(int(np.count_nonzero(sample_weight)), 1)
        batch_size = min(self.batch_size, n_samples)

        self.keras_classifier_ = KerasClassifier(
            model=_build_mlp,
            model__hidden_layer_sizes=layers,
            model__activation=self.activation,
            model__seed=seed,
            model__steps_per_epoch=math.ceil(n_samples / batch_size),
            loss=loss,
            optimizer=self.optimizer,
            optimizer__learning_rate=float(self.learning_rate),
            epochs=self.epochs,
            batch_size=batch_size,
            shuffle=True,
            verbose=self.verbose,
            predict__verbose=0,
            random_state=seed,
        )
        with _restore_tf_determinism():
            self.keras_classifier_.fit(X, y_onehot, sample_weight=sample_weight)
        self.keras_classifier_.model_ = _release_network(self.keras_classifier_.model_)
        self.loss_curve_ = [float(v) for v in self.keras_classifier_.history_["loss"]]
        return self

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
        X = validate_data(self, X, reset=False, dtype=np.float32)
        return _forward(self.keras_classifier_.model_, X)

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
        return sample_weight


# --------------------------------------------------------------------------- #
# The network.
# --------------------------------------------------------------------------- #


def _build_mlp(hidden_layer_sizes, activation, seed, steps_per_epoch, meta, compile_kwargs):
    """scikeras's ``model`` callable: the MLP, compiled with scikeras's optimizer and loss.

    A compiled network of the same shape left by an earlier fit (see
    :func:`_release_network`) is reused, its weights and optimizer state set
    to where a new one would start; otherwise a new one is built.
    """
    seeds = [None] * (len(hidden_layer_sizes) + 1)
    if seed is not None:
        seeds = np.random.RandomState(seed).randint(np.iinfo(np.int32).max, size=len(seeds))
    key = _network_key(hidden_layer_sizes, activation, steps_per_epoch, meta, compile_kwargs)
    model = _take_network(key)
    if model is None:
        model = _EpochStreamSequential(name="mlp")
        model.add(keras.Input(shape=(meta["n_features_in_"],)))
        for units, layer_seed in zip(hidden_layer_sizes, seeds):
            model.add(keras.layers.Dense(units, activation=activation, kernel_initializer=_glorot(layer_seed)))
        model.add(
            keras.layers.Dense(len(meta["classes_"]), activation="softmax", kernel_initializer=_glorot(seeds[-1]))
        )
        # One compiled call runs a whole epoch (see _EpochStreamSequential).
        model.compile(**compile_kwargs, steps_per_execution=steps_per_epoch)
        # Create the optimizer's slots now: left to the first training step,
        # they are created while TensorFlow traces it, which makes it trace
        # the step twice (half of the tracing cost).
        model.optimizer.build(model.trainable_variables)
        model.network_key = key
        model.optimizer_start = [v.numpy() for v in model.optimizer.variables]
    else:
        for layer, layer_seed in zip(model.layers, seeds):
            layer.kernel.assign(_glorot(layer_seed)(layer.kernel.shape, dtype=layer.kernel.dtype))
            layer.bias.assign(np.zeros(layer.bias.shape, dtype=layer.bias.dtype))
        for variable, start in zip(model.optimizer.variables, model.optimizer_start):
            variable.assign(start)
    model.shuffle_seed = None if seed is None else int(seed)
    return model


# Compiled networks kept for reuse. Most of a small fit's time is TensorFlow
# tracing the training step (~0.5 s), which Keras does once per model: a
# later fit of the same shape (cross-validation folds, grid-search
# candidates, refits) that reuses a compiled network skips it. A network is
# taken out of the pool for the length of a fit, so concurrent fits never
# share one, and the fitted estimator keeps an uncompiled copy of its
# weights, so later fits never change it.
_NETWORKS = collections.OrderedDict()  # key -> idle compiled networks
_NETWORKS_LOCK = threading.Lock()
_NETWORK_KEYS = 8  # shapes kept, least recently used dropped first
_NETWORKS_PER_KEY = 2


def _network_key(hidden_layer_sizes, activation, steps_per_epoch, meta, compile_kwargs):
    """What makes two compiled networks interchangeable, or None: do not pool."""
    loss, optimizer = compile_kwargs.get("loss"), compile_kwargs.get("optimizer")
    if type(loss) not in _POOLED_LOSSES or not isinstance(optimizer, keras.optimizers.Optimizer):
        return None  # a loss of the caller's own may carry state we cannot compare
    return (
        meta["n_features_in_"],
        len(meta["classes_"]),
        hidden_layer_sizes,
        activation,
        steps_per_epoch,
        type(loss).__name__,
        _settings(loss),
        type(optimizer).__name__,
        _settings(optimizer),
    )


def _settings(keras_object):
    # Keras numbers the names of optimizers (adam_1, adam_2, ...): not a setting.
    return repr(sorted((k, v) for k, v in keras_object.get_config().items() if k != "name"))


def _take_network(key):
    if key is None:
        return None
    with _NETWORKS_LOCK:
        idle = _NETWORKS.get(key)
        if not idle:
            return None
        _NETWORKS.move_to_end(key)
        return idle.pop()


def _release_network(model):
    """Put a trained network back in the pool; return an uncompiled copy of it."""
    key = getattr(model, "network_key", None)
    if key is None:
        return model
    copy = _EpochStreamSequential.from_config(model.get_config())
    copy.set_weights(model.get_weights())
    with _NETWORKS_LOCK:
        idle = _NETWORKS.setdefault(key, [])
        _NETWORKS.move_to_end(key)
        if len(idle) < _NETWORKS_PER_KEY:
            idle.append(model)
        while len(_NETWORKS) > _NETWORK_KEYS:
            _NETWORKS.popitem(last=False)
    return copy


def _forward(model, X):
    """Class probabilities from the trained network, computed in float64.

    Not scikeras's ``predict_proba`` (workaround 4 below): it runs Keras's
    ``Model.predict``, which traces a new ``tf.function`` for every fitted
    model (~0.3 s, more than the whole prediction for the data sizes this
    estimator sees, and most of cross-validation's scoring time), and works
    in float32, where a sample's probabilities change in the last digits
    with its position in the batch (failing scikit-learn's
    ``check_methods_sample_order_invariance``). The network is our own
    Dense stack, so its forward pass is a few matrix products.
    """
    h = np.asarray(X, dtype=np.float64)
    for layer in model.layers:
        kernel, bias = (np.asarray(w, dtype=np.float64) for w in layer.get_weights())
        h = h @ kernel + bias
        if layer.activation is keras.activations.softmax:
            h = np.exp(h - h.max(axis=1, keepdims=True))
            h /= h.sum(axis=1, keepdims=True)
        else:
            h = np.asarray(layer.activation(h), dtype=np.float64)
    return h


def _glorot(seed):
    return keras.initializers.GlorotUniform(seed=None if seed is None else int(seed))


# --------------------------------------------------------------------------- #
# scikeras workarounds. Each can go when scikeras (or a successor) does the
# right thing itself.
# --------------------------------------------------------------------------- #
#
# 1. Composition, not inheritance. scikeras declares
#    ``KerasClassifier(BaseWrapper, ClassifierMixin)`` with only the legacy
#    ``_more_tags``: on scikit-learn >= 1.6 ``is_classifier`` is False, and a
#    subclass can never pass ``check_mixin_order`` or
#    ``check_estimator_tags_renamed``. MAEClassifier is our own
#    ``(ClassifierMixin, BaseEstimator)`` that holds a KerasClassifier.
# 2. Input validation is scikit-learn's ``validate_data`` in MAEClassifier
#    (scikeras's own accepts sparse input, skips ``n_features_in_`` checks).
# 3. One-hot targets: scikeras one-hot encodes y only when it recognises the
#    loss as categorical cross-entropy, while MAE/GCE/SCE need one-hot targets;
#    MAEClassifier encodes the labels itself and gives scikeras the one-hot
#    matrix (which scikeras passes through as "multiclass-onehot").
# 4. Predictions do not go through scikeras's predict_proba (see _forward):
#    Keras's Model.predict traces a tf.function per fitted model and computes
#    in float32, which makes results depend on the batch a sample is in.
# 5. ``_restore_tf_determinism`` below.
# 6. ``_EpochStreamSequential`` below (speed).


@contextlib.contextmanager
def _restore_tf_determinism():
    """Keep a seeded scikeras fit from switching TensorFlow op determinism on for good.

    scikeras's seeding sets ``TF_DETERMINISTIC_OPS=1`` and only then asks
    TensorFlow whether determinism was on; TensorFlow reads that variable the
    first time it is asked, so it answers "yes" and scikeras never switches
    determinism off again. Every later unseeded random op then fails with
    "Random ops require a seed". Asking first fixes the answer to the
    caller's setting, which is restored afterwards.
    """
    # TensorFlow's public API can only enable determinism; querying and
    # disabling it are in tensorflow.python.framework.config, which scikeras
    # itself uses for the same purpose.
    from tensorflow.python.framework import config as tf_config

    was_enabled = tf_config.is_op_determinism_enabled()
    try:
        yield
    finally:
        if was_enabled:
            tf_config.enable_op_determinism()
        else:
            tf_config.disable_op_determinism()


@keras.saving.register_keras_serializable(package="skrobust")
class _EpochStreamSequential(keras.Sequential):
    """A Sequential model whose ``fit`` streams arrays through one endless ``tf.data`` pipeline.

    scikeras calls ``model.fit(x=array, y=array, batch_size=..., shuffle=...)``.
    For arrays, Keras's TensorFlow backend builds a new data iterator every
    epoch (tens of ms each, most of an epoch's cost on small data). Given one
    endless dataset and ``steps_per_epoch``, Keras keeps a single iterator for
    the whole fit, and ``steps_per_execution`` (set at compile time to the
    steps of an epoch) runs each epoch as one compiled call. Each epoch is one
    full pass over a fresh permutation of the rows, gathered in one operation
    and then cut into batches: cheaper than ``Dataset.shuffle``, which moves
    the rows one at a time through a buffer, and without a ``prefetch``
    thread, whose hand-offs cost more than the tiny batches they prepare
    (together ~40% of an epoch on 100,000 rows). The permutation of epoch
    ``e`` is ``stateless_shuffle`` seeded with ``(shuffle_seed, e)``.
    ``run_eagerly`` stays off: eager training is many times slower.
    """

    shuffle_seed = None

    def fit(
        self,
        x=None,
        y=None,
        batch_size=32,
        epochs=1,
        sample_weight=None,
        shuffle=True,
        validation_split=0.0,
        **kwargs,
    ):
        if isinstance(x, tf.data.Dataset) or validation_split:
            return super().fit(
                x,
                y,
                batch_size=batch_size,
                epochs=epochs,
                sample_weight=sample_weight,
                shuffle=shuffle,
                validation_split=validation_split,
                **kwargs,
            )
        n_samples = len(x)
        arrays = (x, y) if sample_weight is None else (x, y, sample_weight)
        tensors = tuple(tf.constant(a) for a in arrays)
        seed = self.shuffle_seed
        if seed is None:
            seed = np.random.randint(np.iinfo(np.int32).max)

        def epoch(e):
            rows = tf.range(n_samples, dtype=tf.int64)
            if shuffle:
                rows = tf.random.experimental.stateless_shuffle(
                    rows, seed=tf.stack([tf.constant(seed, tf.int64), e])
                )
            epoch_arrays = tuple(tf.gather(t, rows) for t in tensors)
            return tf.data.Dataset.from_tensor_slices(epoch_arrays).batch(batch_size)

        return super().fit(
            tf.data.Dataset.counter().flat_map(epoch),
            epochs=epochs,
            steps_per_epoch=math.ceil(n_samples / batch_size),
            shuffle=False,  # each epoch is permuted above
            **kwargs,
        )
