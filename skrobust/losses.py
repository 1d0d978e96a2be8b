"""Noise-robust Keras losses on predicted class probabilities.

Every loss here takes ``y_true`` as one-hot (or soft) targets of shape
``(n_samples, n_classes)`` and ``y_pred`` as class probabilities of the same
shape (the output of a softmax), for any number of classes. Probabilities are
clipped to ``[EPSILON, 1]`` before any logarithm or fractional power, so the
losses and their gradients stay finite when the network is sure of itself.

With one-hot targets and ``p_y`` the probability given to the labelled class:

- :class:`MAELoss`: ``sum_k |y_k - p_k| = 2 (1 - p_y)`` (Ghosh et al., AAAI 2017);
- :class:`GCELoss`: ``(1 - p_y**q) / q`` (Zhang & Sabuncu, NeurIPS 2018);
- :class:`SCELoss`: ``alpha * CE + beta * RCE`` with ``RCE = -A (1 - p_y)`` and
  ``A = -4`` (Wang et al., ICCV 2019);
- :class:`NCERCELoss` and :class:`NCEMAELoss`: the active-passive losses
  ``alpha * NCE + beta * RCE`` and ``alpha * NCE + beta * MAE``, with the
  normalized cross-entropy ``NCE = log p_y / sum_k log p_k`` (Ma et al., ICML 2020);
- :class:`CrossEntropyLoss`: ``-log p_y``, the non-robust baseline.

Importing this module imports Keras (and its backend, TensorFlow by default);
``import skrobust`` does not. If TensorFlow is not imported yet, it first sets
the environment variable ``TF_CPP_MIN_LOG_LEVEL`` to ``"3"`` unless the caller
has set it, so that TensorFlow's C++ start-up log lines stay out of the
output (see :class:`~skrobust.MAEClassifier`, Notes).
"""

import math
import os
import sys


def _default_tf_log_level(environ, modules):
    """``TF_CPP_MIN_LOG_LEVEL=3`` in ``environ`` unless set there, while TensorFlow is not in ``modules``.

    TensorFlow reads the variable when it loads, and only then.
    """
    if "tensorflow" not in modules:
        environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


_default_tf_log_level(os.environ, sys.modules)

try:
    import keras
    from keras import ops
except ImportError as exc:  # pragma: no cover - exercised by simulating the missing module
    raise ImportError(
        "skrobust.losses needs Keras and TensorFlow, which are not installed. "
        'Install them with: pip install "skrobust[keras]"'
    ) from exc

__all__ = [
    "EPSILON",
    "RCE_LOG_ZERO",
    "MAELoss",
    "GCELoss",
    "SCELoss",
    "NCERCELoss",
    "NCEMAELoss",
    "CrossEntropyLoss",
    "get_loss",
]

#: Probabilities are clipped to ``[EPSILON, 1]`` before a log or a power.
EPSILON = 1e-7

#: ``A``, the value SCE's reverse cross-entropy uses for ``log 0`` (Wang et al.
#: set ``A = -4``): the one-hot target is clipped to ``[exp(A), 1]`` before its log.
RCE_LOG_ZERO = -4.0


def _clip(p, low):
    return ops.clip(p, low, 1.0)


# The terms the losses below combine, per sample, for targets y and probabilities p.


def _cross_entropy(y, p):
    return -ops.sum(y * ops.log(_clip(p, EPSILON)), axis=-1)


def _reverse_cross_entropy(y, p):
    return -ops.sum(p * ops.log(_clip(y, math.exp(RCE_LOG_ZERO))), axis=-1)


def _mean_absolute_error(y, p):
    return ops.sum(ops.abs(y - p), axis=-1)


def _normalized_cross_entropy(y, p):
    # CE with the label divided by the sum of CE over every possible label.
    log_p = ops.log(_clip(p, EPSILON))
    return ops.sum(y * log_p, axis=-1) / ops.sum(log_p, axis=-1)


@keras.saving.register_keras_serializable(package="skrobust")
class MAELoss(keras.losses.Loss):
    """Mean absolute error between one-hot targets and class probabilities.

    ``sum_k |y_k - p_k|``, which for a one-hot target is ``2 (1 - p_y)``. Its
    sum over all ``K`` possible labels is the constant ``2 (K - 1)`` whatever
    the prediction: the symmetry that makes it tolerant of symmetric label
    noise below ``(K - 1) / K`` (Ghosh et al., 2017). It learns slowly when
    there are many classes, because its gradient vanishes on samples the
    network gets badly wrong.

    Parameters
    ----------
    name : str, default="mae_loss"
        Name of the loss.

    **kwargs : dict
        ``reduction`` and ``dtype``, passed to :class:`keras.losses.Loss`.

    References
    ----------
    .. [1] A. Ghosh, H. Kumar and P. S. Sastry, "Robust Loss Functions under
       Label Noise for Deep Neural Networks", AAAI 2017.
       :doi:`10.1609/aaai.v31i1.10894`

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.losses import MAELoss
    >>> y_true = np.array([[0.0, 1.0, 0.0]])
    >>> y_pred = np.array([[0.2, 0.7, 0.1]])
    >>> round(float(MAELoss()(y_true, y_pred)), 4)  # 2 * (1 - 0.7)
    0.6
    """

    def __init__(self, name="mae_loss", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        return _mean_absolute_error(ops.cast(y_true, y_pred.dtype), y_pred)


@keras.saving.register_keras_serializable(package="skrobust")
class GCELoss(keras.losses.Loss):
    """Generalized cross-entropy, ``(1 - p_y**q) / q``.

    A Box-Cox bridge between cross-entropy (``q -> 0``) and the mean absolute
    error (``q = 1``: ``1 - p_y``, half of :class:`MAELoss`), trading CE's fast
    learning against MAE's noise tolerance (Zhang & Sabuncu, 2018). For soft
    targets it is ``sum_k y_k (1 - p_k**q) / q``.

    Parameters
    ----------
    q : float, default=0.7
        Exponent in ``(0, 1]``; the paper's default is 0.7.

    name : str, default="gce_loss"
        Name of the loss.

    **kwargs : dict
        ``reduction`` and ``dtype``, passed to :class:`keras.losses.Loss`.

    References
    ----------
    .. [1] Z. Zhang and M. R. Sabuncu, "Generalized Cross Entropy Loss for
       Training Deep Neural Networks with Noisy Labels", NeurIPS 2018.
       :doi:`10.48550/arXiv.1805.07836`

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.losses import GCELoss
    >>> y_true = np.array([[0.0, 1.0]])
    >>> y_pred = np.array([[0.75, 0.25]])
    >>> round(float(GCELoss(q=0.5)(y_true, y_pred)), 4)  # (1 - 0.25**0.5) / 0.5
    1.0
    """

    def __init__(self, q=0.7, name="gce_loss", **kwargs):
        if not 0.0 < q <= 1.0:
            raise ValueError(f"GCELoss needs q in (0, 1], got q={q!r}.")
        super().__init__(name=name, **kwargs)
        self.q = float(q)

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, y_pred.dtype)
        p = _clip(y_pred, EPSILON)
        return ops.sum(y_true * (1.0 - ops.power(p, self.q)), axis=-1) / self.q

    def get_config(self):
        return {**super().get_config(), "q": self.q}


@keras.saving.register_keras_serializable(package="skrobust")
class SCELoss(keras.losses.Loss):
    """Symmetric cross-entropy, ``alpha * CE + beta * RCE``.

    The reverse cross-entropy ``RCE = -sum_k p_k log y_k`` swaps the roles of
    prediction and target; ``log 0`` is replaced by the constant ``A = -4``
    (:data:`RCE_LOG_ZERO`, as in Wang et al.), so for a one-hot target
    ``RCE = -A (1 - p_y) = 4 (1 - p_y)``, a multiple of the noise-tolerant MAE.
    CE keeps learning fast, RCE keeps noisy labels from dominating.

    Parameters
    ----------
    alpha : float, default=0.1
        Weight (>= 0) of the cross-entropy term; the paper uses 0.1 on CIFAR-10.

    beta : float, default=1.0
        Weight (>= 0) of the reverse cross-entropy term.

    name : str, default="sce_loss"
        Name of the loss.

    **kwargs : dict
        ``reduction`` and ``dtype``, passed to :class:`keras.losses.Loss`.

    References
    ----------
    .. [1] Y. Wang, X. Ma, Z. Chen, Y. Luo, J. Yi and J. Bailey, "Symmetric
       Cross Entropy for Robust Learning with Noisy Labels", ICCV 2019.
       :doi:`10.1109/ICCV.2019.00041`

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.losses import SCELoss
    >>> y_true = np.array([[0.0, 1.0]])
    >>> y_pred = np.array([[0.5, 0.5]])
    >>> round(float(SCELoss(alpha=0.0, beta=1.0)(y_true, y_pred)), 4)  # 4 * (1 - 0.5)
    2.0
    """

    def __init__(self, alpha=0.1, beta=1.0, name="sce_loss", **kwargs):
        if alpha < 0 or beta < 0:
            raise ValueError(
                f"SCELoss needs alpha >= 0 and beta >= 0, got alpha={alpha!r}, beta={beta!r}."
            )
        super().__init__(name=name, **kwargs)
        self.alpha = float(alpha)
        self.beta = float(beta)

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, y_pred.dtype)
        return self.alpha * _cross_entropy(y_true, y_pred) + self.beta * _reverse_cross_entropy(
            y_true, y_pred
        )

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "beta": self.beta}


class _ActivePassiveLoss(keras.losses.Loss):
    """``alpha * NCE + beta * passive``: what NCERCELoss and NCEMAELoss share."""

    def __init__(self, alpha=1.0, beta=1.0, *, name, **kwargs):
        if alpha < 0 or beta < 0:
            raise ValueError(
                f"{type(self).__name__} needs alpha >= 0 and beta >= 0, got "
                f"alpha={alpha!r}, beta={beta!r}."
            )
        super().__init__(name=name, **kwargs)
        self.alpha = float(alpha)
        self.beta = float(beta)

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, y_pred.dtype)
        return self.alpha * _normalized_cross_entropy(y_true, y_pred) + self.beta * self._passive(
            y_true, y_pred
        )

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "beta": self.beta}


@keras.saving.register_keras_serializable(package="skrobust")
class NCERCELoss(_ActivePassiveLoss):
    """Active-passive loss ``alpha * NCE + beta * RCE`` (Ma et al., 2020).

    The normalized cross-entropy ``NCE = log p_y / sum_k log p_k`` (in
    ``[0, 1]``; it sums to 1 over the ``K`` possible labels, so it is robust
    to symmetric noise like MAE) is the *active* term: it pushes ``p_y`` up.
    On its own it underfits; the *passive* reverse cross-entropy ``RCE = 4
    (1 - p_y)`` (as in :class:`SCELoss`) also pushes the other classes down.
    Both terms are robust, so their sum is.

    Parameters
    ----------
    alpha : float, default=1.0
        Weight (>= 0) of NCE; Ma et al. use 1 on CIFAR-10, 10 on CIFAR-100.

    beta : float, default=1.0
        Weight (>= 0) of RCE; Ma et al. use 1 on CIFAR-10, 0.1 on CIFAR-100.

    name : str, default="nce_rce_loss"
        Name of the loss.

    **kwargs : dict
        ``reduction`` and ``dtype``, passed to :class:`keras.losses.Loss`.

    References
    ----------
    .. [1] X. Ma, H. Huang, Y. Wang, S. Romano, S. Erfani and J. Bailey,
       "Normalized Loss Functions for Deep Learning with Noisy Labels",
       ICML 2020. :doi:`10.48550/arXiv.2006.13554`

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.losses import NCERCELoss
    >>> y_true = np.array([[0.0, 1.0]])
    >>> y_pred = np.array([[0.5, 0.5]])
    >>> round(float(NCERCELoss()(y_true, y_pred)), 4)  # 1/2 + 4 * (1 - 0.5)
    2.5
    """

    def __init__(self, alpha=1.0, beta=1.0, name="nce_rce_loss", **kwargs):
        super().__init__(alpha, beta, name=name, **kwargs)

    @staticmethod
    def _passive(y_true, y_pred):
        return _reverse_cross_entropy(y_true, y_pred)


@keras.saving.register_keras_serializable(package="skrobust")
class NCEMAELoss(_ActivePassiveLoss):
    """Active-passive loss ``alpha * NCE + beta * MAE`` (Ma et al., 2020).

    As :class:`NCERCELoss`, with the mean absolute error ``sum_k |y_k - p_k|
    = 2 (1 - p_y)`` (:class:`MAELoss`) as the passive term.

    Parameters
    ----------
    alpha : float, default=1.0
        Weight (>= 0) of NCE.

    beta : float, default=1.0
        Weight (>= 0) of MAE.

    name : str, default="nce_mae_loss"
        Name of the loss.

    **kwargs : dict
        ``reduction`` and ``dtype``, passed to :class:`keras.losses.Loss`.

    References
    ----------
    .. [1] X. Ma, H. Huang, Y. Wang, S. Romano, S. Erfani and J. Bailey,
       "Normalized Loss Functions for Deep Learning with Noisy Labels",
       ICML 2020. :doi:`10.48550/arXiv.2006.13554`

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.losses import NCEMAELoss
    >>> y_true = np.array([[0.0, 1.0]])
    >>> y_pred = np.array([[0.5, 0.5]])
    >>> round(float(NCEMAELoss()(y_true, y_pred)), 4)  # 1/2 + 2 * (1 - 0.5)
    1.5
    """

    def __init__(self, alpha=1.0, beta=1.0, name="nce_mae_loss", **kwargs):
        super().__init__(alpha, beta, name=name, **kwargs)

    @staticmethod
    def _passive(y_true, y_pred):
        return _mean_absolute_error(y_true, y_pred)



@keras.saving.register_keras_serializable(package="skrobust")
class CrossEntropyLoss(keras.losses.Loss):
    """Categorical cross-entropy on probabilities, ``-sum_k y_k log p_k``.

    The usual loss, not robust to label noise: the baseline the robust losses
    are measured against.

    Parameters
    ----------
    name : str, default="cross_entropy_loss"
        Name of the loss.

    **kwargs : dict
        ``reduction`` and ``dtype``, passed to :class:`keras.losses.Loss`.

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.losses import CrossEntropyLoss
    >>> y_true = np.array([[1.0, 0.0]])
    >>> y_pred = np.array([[0.5, 0.5]])
    >>> round(float(CrossEntropyLoss()(y_true, y_pred)), 4)  # log 2
    0.6931
    """

    def __init__(self, name="cross_entropy_loss", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        return _cross_entropy(ops.cast(y_true, y_pred.dtype), y_pred)


_LOSSES = {
    "mae": lambda q, alpha, beta: MAELoss(),
    "gce": lambda q, alpha, beta: GCELoss(q=q),
    "sce": lambda q, alpha, beta: SCELoss(alpha=alpha, beta=beta),
    "nce_rce": lambda q, alpha, beta: NCERCELoss(alpha=alpha, beta=beta),
    "nce_mae": lambda q, alpha, beta: NCEMAELoss(alpha=alpha, beta=beta),
    "cross_entropy": lambda q, alpha, beta: CrossEntropyLoss(),
}


def get_loss(name, *, q=0.7, alpha=0.1, beta=1.0):
    """The loss object for a name: ``"mae"``, ``"gce"``, ``"sce"``, ``"nce_rce"``, ``"nce_mae"`` or ``"cross_entropy"``.

    Parameters
    ----------
    name : {"mae", "gce", "sce", "nce_rce", "nce_mae", "cross_entropy"}
        Which loss.

    q : float, default=0.7
        GCE's exponent (used by ``"gce"`` only).

    alpha, beta : float, default=0.1, 1.0
        Weights of the active and the passive term (used by ``"sce"``,
        ``"nce_rce"`` and ``"nce_mae"``).

    Returns
    -------
    loss : keras.losses.Loss
        A fresh loss object.

    Examples
    --------
    >>> from skrobust.losses import get_loss
    >>> get_loss("gce", q=0.5).q
    0.5
    """
    if name not in _LOSSES:
        raise ValueError(
            f"Unknown loss {name!r}; expected one of {sorted(_LOSSES)}."
        )
    return _LOSSES[name](q, alpha, beta)
