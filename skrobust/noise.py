"""Label-noise models: transition matrices and exact, seeded label corruption.

A noise model is a K×K row-stochastic *transition matrix* ``T`` over the
sorted classes: ``T[k, j]`` is the fraction of samples of true class ``k``
whose observed label becomes class ``j``. :func:`make_noisy_labels` applies it
*exactly*: within each true class ``k`` with ``n_k`` samples, exactly
``round(T[k, j] * n_k)`` labels move to class ``j`` (largest-remainder rounding,
so each class keeps its size), the moved samples being chosen uniformly at
random.

*Instance-dependent* noise (``noise_type="instance"``) keeps those exact
per-class counts, but lets the features decide which samples of a class flip
and to which class: near the decision boundary, towards the class a model
confuses them with (``instance_method="boundary"``), or by the random
projections of Xia et al. (2020) (``instance_method="projection"``).
"""

import warnings
from numbers import Real

import numpy as np
from scipy.special import logit, ndtr, ndtri, softmax
from sklearn.utils import check_array, check_random_state
from sklearn.utils.validation import _num_samples

from ._compat import HasMethods, Interval, StrOptions, validate_params
from ._validation import check_labels

# The models with a transition matrix, and all noise types make_noisy_labels takes.
CLASS_NOISE_TYPES = ("symmetric", "pair")
NOISE_TYPES = (*CLASS_NOISE_TYPES, "instance")
INSTANCE_METHODS = ("boundary", "projection")

# instance_method="boundary": stratified folds of its out-of-fold probabilities.
_BOUNDARY_FOLDS = 5
# instance_method="projection": spread of the per-sample flip rates (Xia et al.'s norm_std).
_PROJECTION_FLIP_STD = 0.1
# Inclusion probabilities are clipped into [eps, 1 - eps] before the logit.
_INCLUSION_EPS = 1e-12

# How far a transition matrix's row may sum from 1: rows of rounded decimals
# (three classes at 0.333333) pass and are renormalised.
_ROW_SUM_TOLERANCE = 1e-6

# Integer labels spanning at most this many values (or 10 per sample) are
# encoded with bincount, in O(n); wider ones go through np.unique's sort.
_DENSE_INT_RANGE = 1 << 20


@validate_params(
    {
        "classes": ["array-like"],
        "noise_rate": [Interval(Real, 0, 1, closed="left")],
        "noise_type": [StrOptions(set(CLASS_NOISE_TYPES))],
    },
    prefer_skip_nested_validation=True,
)
def noise_transition_matrix(classes, noise_rate, noise_type="symmetric"):
    """Return the transition matrix of a standard noise model.

    Parameters
    ----------
    classes : array-like of shape (n_classes,)
        The class labels; rows and columns follow their sorted order
        (``np.unique(classes)``).

    noise_rate : float in [0, 1)
        Fraction of each class's labels that the model changes.

    noise_type : {"symmetric", "pair"}, default="symmetric"
        - ``"symmetric"``: a changed label is uniform over the *other*
          ``K - 1`` classes, ``T = (1 - r) I + r / (K - 1) (1 - I)``. For two
          classes this is a plain flip. Some papers draw the new label from
          all ``K`` classes instead, so that their "rate ``r``" changes only
          ``r (K - 1) / K`` of the labels; here ``noise_rate`` is the fraction
          actually changed.
        - ``"pair"``: class ``k`` moves to the next class in sorted order
          (the last to the first), the pair flip of Han et al. (2018).

    Returns
    -------
    transition_matrix : ndarray of shape (n_classes, n_classes)
        Row-stochastic matrix; ``T[k, j]`` is the probability that a sample of
        true class ``k`` is labelled ``j``.

    Examples
    --------
    >>> from skrobust import noise_transition_matrix
    >>> noise_transition_matrix(["cat", "dog", "fox"], 0.3, "pair")
    array([[0.7, 0.3, 0. ],
           [0. , 0.7, 0.3],
           [0.3, 0. , 0.7]])
    """
    classes = np.unique(np.asarray(classes))
    n_classes = classes.size
    if n_classes == 0:
        raise ValueError(
            "classes is empty: a noise model needs the class labels (at least 2 "
            "for a noise_rate above 0)."
        )
    if n_classes < 2 and noise_rate > 0:
        raise ValueError(
            f"{noise_type} noise needs at least 2 classes, but there is only one "
            f"class: {classes.tolist()}."
        )
    if noise_rate == 0 or n_classes < 2:
        return np.eye(n_classes)
    if noise_type == "symmetric":
        matrix = np.full((n_classes, n_classes), noise_rate / (n_classes - 1))
    else:
        matrix = np.roll(np.eye(n_classes) * noise_rate, 1, axis=1)
    np.fill_diagonal(matrix, 1.0 - noise_rate)
    return matrix


@validate_params(
    {
        "y": ["array-like"],
        "X": ["array-like", "sparse matrix", None],
        "noise_rate": [Interval(Real, 0, 1, closed="left")],
        "noise_type": [StrOptions(set(NOISE_TYPES))],
        "transition_matrix": ["array-like", dict, None],
        "instance_method": [StrOptions(set(INSTANCE_METHODS))],
        "noise_estimator": [HasMethods(["fit", "predict_proba"]), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_noisy_labels(
    y,
    *,
    X=None,
    noise_rate=0.2,
    noise_type="symmetric",
    transition_matrix=None,
    instance_method="boundary",
    noise_estimator=None,
    random_state=None,
):
    """Corrupt labels with a noise model, exactly and reproducibly.

    Within each true class ``k`` with ``n_k`` samples, exactly
    ``round(T[k, j] * n_k)`` labels are changed to class ``j``
    (largest-remainder rounding, so the counts of a class add up to ``n_k``),
    the changed samples being drawn uniformly at random. The realised noise is
    therefore exactly the one asked for, not a random draw around it. On
    small classes the rounding can take the realised noise far from the
    rate asked (a rate whose counts all round to zero changes nothing): then
    a ``UserWarning`` gives both, when the number of labels changed is under
    half or over one and a half times the number asked.

    With ``noise_type="instance"`` exactly ``round(noise_rate * n_k)`` labels
    of each class ``k`` change as well, but the features ``X`` decide which
    ones and into what (see Notes).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        The true labels: any values (ints, strings, booleans, a pandas
        Series), any number of classes. Never modified.

    X : {array-like, sparse matrix} of shape (n_samples, n_features), default=None
        The features, required by ``noise_type="instance"`` and never
        modified. Other noise types depend on the class only: they ignore
        ``X``, apart from checking that it has one row per label.

    noise_rate : float in [0, 1), default=0.2
        Fraction of each class's labels to change, for the standard models of
        ``noise_type``. Unused when ``transition_matrix`` is given.

    noise_type : {"symmetric", "pair", "instance"}, default="symmetric"
        The noise model. ``"symmetric"`` and ``"pair"`` are the transition
        matrices of :func:`noise_transition_matrix`; ``"instance"`` is
        instance-dependent noise, of the kind ``instance_method`` names.
        Leave it at its default when giving ``transition_matrix``: any other
        value conflicts with the matrix and raises an error.

    transition_matrix : array-like of shape (n_classes, n_classes) or dict, default=None
        A noise model of your own. Either the row-stochastic matrix over the
        sorted classes of ``y``, or a mapping ``{true_class: {noisy_class:
        rate}}`` such as ``{"husky": {"malamute": 0.3}}`` (classes not named
        keep their labels; each true class's rates must sum to at most 1).

    instance_method : {"boundary", "projection"}, default="boundary"
        How ``noise_type="instance"`` makes its noise; ignored by the other
        noise types.

        - ``"boundary"``: the samples a model finds hardest are the most
          likely to flip, to the classes it confuses them with. The model's
          out-of-fold probabilities come from ``noise_estimator``.
        - ``"projection"``: the generator of Xia et al. (2020): per-sample
          flip rates around ``noise_rate`` and targets from random linear
          projections of ``X``.

    noise_estimator : estimator object, default=None
        The classifier (with ``fit`` and ``predict_proba``) whose out-of-fold
        probabilities drive ``instance_method="boundary"``; it is cloned,
        never fitted itself. ``None`` means
        ``make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))``,
        which needs finite, dense, numeric ``X``; give a model that takes
        what your ``X`` holds (e.g. ``HistGradientBoostingClassifier`` for
        missing values) otherwise. Give it a ``random_state`` if it is
        random, for reproducible noise.

    random_state : int, RandomState instance or None, default=None
        Seeds the choice of changed samples (and the folds and projections of
        instance-dependent noise). Pass an int for reproducible output.

    Returns
    -------
    y_noisy : ndarray or pandas Series of shape (n_samples,)
        The corrupted labels, with the dtype of ``y`` (a Series keeps its index
        and name).

    noise_mask : ndarray of shape (n_samples,), dtype=bool
        True where the label was changed.

    See Also
    --------
    noise_transition_matrix : The matrices of the standard noise models.
    LabelNoiseInjector : Applies this function to the training labels of any
        classifier, inside cross-validation.

    Notes
    -----
    Both kinds of instance-dependent noise give every sample ``i`` of class
    ``k`` a probability ``pi_i`` of being mislabelled and a distribution over
    the other classes for its wrong label. Exactly ``m_k = round(noise_rate *
    n_k)`` samples of class ``k`` are then drawn without replacement by
    Pareto sampling (Rosén, 1997): the ``m_k`` smallest keys
    ``logit(u_i) - logit(pi_i)`` with ``u_i`` uniform, a fixed-size draw whose
    inclusion probabilities are close to ``pi_i`` when these sum to ``m_k``
    and that otherwise keeps their order, the likeliest first. Each drawn
    sample's new label is drawn from its distribution over the other classes.

    - ``"boundary"``: ``pi_i = 1 - p_i(k)``, where ``p_i`` are the
      out-of-fold class probabilities of ``noise_estimator`` over 5
      stratified folds shuffled with ``random_state`` (so every class needs 5
      samples), and the new label is drawn in proportion to ``p_i(j)``,
      ``j != k`` (uniformly if these are all zero). Samples the model finds
      ambiguous flip first, mostly to the class they resemble most.
    - ``"projection"`` follows ``get_instance_noisy_label`` of Xia et al.'s
      code: flip rates ``q_i`` from a normal distribution with mean
      ``noise_rate`` and standard deviation 0.1 truncated to [0, 1], a weight
      tensor ``W`` of shape (n_classes, n_features, n_classes) with standard
      normal entries, and for a sample of class ``k`` the new-label
      distribution ``softmax(x_i @ W[k])`` over the classes other than
      ``k``. Where the reference flips each sample independently with
      probability ``q_i`` (so a class's realised rate scatters around
      ``noise_rate``), here ``pi_i = q_i`` under Pareto sampling flips
      exactly ``m_k``; given that a sample flips, its new label has the
      reference's distribution exactly. ``X`` is used as given, as in the
      reference: features of large scale make the projections' softmax
      sharper, so standardise ``X`` first for smoother targets.

    References
    ----------
    .. [1] X. Xia, T. Liu, B. Han, N. Wang, M. Gong, H. Liu, G. Niu, D. Tao,
       M. Sugiyama, "Part-dependent Label Noise: Towards Instance-dependent
       Label Noise", NeurIPS 2020. https://arxiv.org/abs/2006.07836
    .. [2] B. Rosén, "On sampling with probability proportional to size",
       Journal of Statistical Planning and Inference 62(2), 159-191, 1997.
       :doi:`10.1016/S0378-3758(96)00186-3`

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust import make_noisy_labels
    >>> y = np.array(["husky"] * 10 + ["malamute"] * 10)
    >>> y_noisy, mask = make_noisy_labels(
    ...     y, transition_matrix={"husky": {"malamute": 0.3}}, random_state=0)
    >>> int(mask.sum()), int((y_noisy[:10] == "malamute").sum())
    (3, 3)

    Instance-dependent noise flips the samples near the class boundary:

    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> y_noisy, mask = make_noisy_labels(
    ...     y, X=X, noise_rate=0.2, noise_type="instance", random_state=0)
    >>> int(mask[y == 0].sum()), int(mask[y == 1].sum())
    (20, 20)
    """
    y_noisy, noise_mask, _ = corrupt_labels(
        y,
        noise_rate,
        noise_type,
        transition_matrix,
        random_state,
        X=X,
        instance_method=instance_method,
        noise_estimator=noise_estimator,
    )
    return y_noisy, noise_mask


def corrupt_labels(
    y,
    noise_rate,
    noise_type,
    transition_matrix,
    random_state,
    *,
    X=None,
    instance_method="boundary",
    noise_estimator=None,
):
    """:func:`make_noisy_labels` without parameter validation, also returning
    the transition matrix it applied (for LabelNoiseInjector): the model's
    matrix, or for instance-dependent noise the realised one."""
    y_in = y
    y = check_labels(y)
    if y.shape[0] == 0:
        raise ValueError("y is empty (0 labels): there are no labels to corrupt.")
    if X is not None and _num_samples(X) != y.shape[0]:
        raise ValueError(
            f"X must have one row per label: X has {_num_samples(X)} rows but y "
            f"has {y.shape[0]} labels."
        )
    classes, codes = _encode(y)
    rng = check_random_state(random_state)
    generator = np.random.default_rng(rng.randint(np.iinfo(np.int32).max))
    counts = np.bincount(codes, minlength=classes.size)
    members = np.split(np.argsort(codes, kind="stable"), np.cumsum(counts)[:-1])

    y_noisy = y.copy()
    noise_mask = np.zeros(y.shape[0], dtype=bool)
    if noise_type == "instance":
        _check_instance_noise(X, classes, counts, noise_rate, transition_matrix,
                              instance_method)
        # round(noise_rate * n_k) by the same largest-remainder rule.
        n_flips = exact_transition_counts(
            np.array([[1 - noise_rate, noise_rate]]), counts
        )[:, 1]
        chosen, new_codes = _instance_flips(
            X, codes, members, n_flips, noise_rate, instance_method, noise_estimator,
            generator,
        )
        y_noisy[chosen] = classes[new_codes]
        noise_mask[chosen] = True
        realised = np.bincount(
            codes[chosen].astype(np.intp) * classes.size + new_codes,
            minlength=classes.size**2,
        ).reshape(classes.size, classes.size)
        np.fill_diagonal(realised, counts - n_flips)
        _warn_if_rounded_away(noise_rate * y.shape[0], int(noise_mask.sum()), y.shape[0],
                              f"noise_rate={noise_rate:g}")
        return _like_input(y_noisy, y_in), noise_mask, realised / counts[:, None]

    matrix = resolve_transition_matrix(
        classes, noise_rate, noise_type, transition_matrix
    )
    targets = exact_transition_counts(matrix, counts)
    for k, (rows, row_targets) in enumerate(zip(members, targets)):
        moved = np.delete(row_targets, k)
        n_moved = int(moved.sum())
        if n_moved == 0:
            continue
        chosen = rows[generator.choice(rows.size, n_moved, replace=False)]
        y_noisy[chosen] = np.repeat(np.delete(classes, k), moved)
        noise_mask[chosen] = True
    asked = float(np.sum((1.0 - np.diag(matrix)) * counts))
    what = "transition_matrix" if transition_matrix is not None else f"noise_rate={noise_rate:g}"
    _warn_if_rounded_away(asked, int(noise_mask.sum()), y.shape[0], what)
    return _like_input(y_noisy, y_in), noise_mask, matrix


def _warn_if_rounded_away(asked, changed, n_samples, what):
    """Warn when the per-class rounding changed under half or over 1.5 times the labels asked."""
    if asked <= 0 or 0.5 * asked <= changed <= 1.5 * asked:
        return
    warnings.warn(
        f"{what} asks to change {asked / n_samples:.1%} of the labels (about "
        f"{asked:.3g} of {n_samples}), but labels move in whole numbers per class "
        "(round(T[k, j] * n_k) of the n_k labels of class k to class j), which on "
        f"classes this small changes {changed} labels ({changed / n_samples:.1%}). "
        "Use more samples per class, or a rate that moves whole labels.",
        UserWarning,
        stacklevel=5,
    )


def _check_instance_noise(X, classes, counts, noise_rate, transition_matrix, method):
    if transition_matrix is not None:
        raise ValueError(
            "noise_type='instance' conflicts with transition_matrix: give one "
            "noise model, either instance-dependent noise or a transition_matrix "
            "(leave noise_type at its default 'symmetric')."
        )
    if X is None:
        raise ValueError(
            "noise_type='instance' needs the features: pass X, of shape "
            "(n_samples, n_features), with one row per label of y."
        )
    if classes.size < 2 and noise_rate > 0:
        raise ValueError(
            "instance noise needs at least 2 classes, but there is only one "
            f"class: {classes.tolist()}; no label can change to another class."
        )
    smallest = int(np.argmin(counts))
    if method == "boundary" and noise_rate > 0 and counts[smallest] < _BOUNDARY_FOLDS:
        label = classes[smallest]
        label = label.item() if isinstance(label, np.generic) else label
        raise ValueError(
            "instance_method='boundary' learns where labels are ambiguous from "
            f"{_BOUNDARY_FOLDS} stratified folds, so every class of y needs at "
            f"least {_BOUNDARY_FOLDS} samples; class {label!r} has "
            f"{counts[smallest]}. Use instance_method='projection' for so few "
            "samples."
        )


def _instance_flips(X, codes, members, n_flips, noise_rate, method, estimator,
                    generator):
    """Rows to relabel and their new class codes, for instance-dependent noise.

    ``members[k]`` are the rows of class ``k``, of which ``n_flips[k]`` flip.
    """
    n_classes = len(members)
    if not n_flips.any():
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    if method == "boundary":
        proba = _boundary_proba(X, codes, estimator, generator)
        inclusion = 1.0 - proba[np.arange(codes.size), codes]
    else:
        X = check_array(X, accept_sparse="csr", dtype=(np.float64, np.float32),
                        input_name="X")
        inclusion = _flip_rates(noise_rate, codes.size, generator)
        weights = generator.standard_normal((n_classes, X.shape[1], n_classes))
    chosen, new_codes = [], []
    for k, (rows, m) in enumerate(zip(members, n_flips)):
        if m == 0:
            continue
        rows = rows[_pareto_sample(inclusion[rows], m, generator)]
        if method == "boundary":
            other_proba = proba[rows]
            other_proba[:, k] = 0.0
            # A model certain of class k says nothing about the other classes.
            certain = other_proba.sum(axis=1) == 0
            other_proba[certain] = 1.0
            other_proba[certain, k] = 0.0
        else:
            other_proba = projection_target_proba(X[rows], k, weights)
        chosen.append(rows)
        new_codes.append(_draw_class(other_proba, generator))
    return np.concatenate(chosen), np.concatenate(new_codes)


def projection_target_proba(X, k, weights):
    """New-label distribution of samples of class ``k`` under projection noise.

    ``softmax(x @ weights[k])`` over the classes other than ``k`` (which gets
    probability 0): the distribution Xia et al.'s ``get_instance_noisy_label``
    draws a flipped label from.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Features of samples of true class ``k``.

    k : int
        Their true class code (position in the sorted classes).

    weights : ndarray of shape (n_classes, n_features, n_classes)
        The projections.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes)
        Rows sum to 1, with 0 in column ``k``.

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.noise import projection_target_proba
    >>> weights = np.zeros((3, 1, 3)); weights[0, 0] = [5.0, np.log(3), 0.0]
    >>> projection_target_proba(np.array([[1.0]]), 0, weights)
    array([[0.  , 0.75, 0.25]])
    """
    logits = np.asarray(X @ weights[k], dtype=float)
    logits[:, k] = -np.inf
    return softmax(logits, axis=1)


def _boundary_proba(X, codes, estimator, generator):
    """Out-of-fold class probabilities of ``noise_estimator`` (columns = codes)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from .detection import out_of_fold_proba

    if estimator is None:
        # Measured on tuning data (5 folds, seed 100): 1.1 s on load_digits and
        # 0.02 s on load_breast_cancer with out-of-fold log-loss 0.11 and 0.07,
        # where HistGradientBoostingClassifier(max_iter=50) took 9.8 s and 2.4 s
        # for 0.09 and 0.10.
        estimator = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        # What the default model can't take is reported as a problem of X.
        try:
            check_array(X, input_name="X")
        except (TypeError, ValueError) as error:
            raise type(error)(
                f"{error} instance_method='boundary' with the default "
                "noise_estimator (StandardScaler + LogisticRegression) needs X "
                "finite, dense and numeric; pass a noise_estimator that takes "
                "this X (e.g. HistGradientBoostingClassifier for missing values)."
            ) from error
    seed = int(generator.integers(np.iinfo(np.int32).max))
    proba, _ = out_of_fold_proba(
        estimator, X, codes, cv=_BOUNDARY_FOLDS, random_state=seed
    )
    return proba


def _flip_rates(noise_rate, n_samples, generator):
    """Per-sample flip rates: normal(noise_rate, 0.1) truncated to [0, 1].

    Drawn by inverting the truncated normal's CDF in place (the distribution
    of :class:`scipy.stats.truncnorm`; its ``rvs`` needs 25 times the memory).
    """
    std = _PROJECTION_FLIP_STD
    low, high = ndtr(-noise_rate / std), ndtr((1 - noise_rate) / std)
    rates = generator.random(n_samples)
    rates *= high - low
    rates += low
    ndtri(rates, out=rates)
    rates *= std
    rates += noise_rate
    return np.clip(rates, 0.0, 1.0, out=rates)


def _pareto_sample(inclusion, size, generator):
    """Positions of ``size`` items drawn by Pareto sampling (Rosén, 1997).

    The ``size`` smallest keys ``logit(u) - logit(inclusion)``, ``u``
    uniform: a fixed-size sample without replacement whose inclusion
    probabilities approximate ``inclusion`` (when it sums to ``size``).
    """
    if size >= inclusion.size:
        return np.arange(inclusion.size)
    inclusion = np.clip(inclusion, _INCLUSION_EPS, 1 - _INCLUSION_EPS)
    keys = logit(generator.random(inclusion.size)) - logit(inclusion)
    return np.argpartition(keys, size - 1)[:size]


def _draw_class(proba, generator):
    """One column per row, drawn with probability proportional to the row."""
    cumulative = np.cumsum(proba, axis=1)
    # u in (0, 1], so a column of probability 0 is never drawn.
    u = (1.0 - generator.random(proba.shape[0])) * cumulative[:, -1]
    return np.sum(cumulative < u[:, None], axis=1)


def exact_transition_counts(transition_matrix, class_counts):
    """How many labels of each class a transition matrix moves to each class.

    ``counts[k, j] = round(T[k, j] * n_k)`` by largest-remainder rounding, so
    that every row sums to ``n_k``; ties go to the lower column index.

    Parameters
    ----------
    transition_matrix : ndarray of shape (n_classes, n_classes)
        Row-stochastic matrix.

    class_counts : array-like of int of shape (n_classes,)
        Number of samples of each true class.

    Returns
    -------
    counts : ndarray of int of shape (n_classes, n_classes)
        ``counts[k, j]`` labels of class ``k`` become ``j``.

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.noise import exact_transition_counts
    >>> exact_transition_counts(np.array([[0.8, 0.1, 0.1]] * 3), [5, 10, 0])
    array([[4, 1, 0],
           [8, 1, 1],
           [0, 0, 0]])
    """
    class_counts = np.asarray(class_counts, dtype=np.int64)
    # Round away floating-point dust (0.29 * 100 = 28.999999999999996).
    exact = np.round(transition_matrix * class_counts[:, None], 9)
    counts = np.floor(exact).astype(np.int64)
    shortfall = class_counts - counts.sum(axis=1)
    remainders = exact - counts
    for k in np.flatnonzero(shortfall):
        order = np.argsort(-remainders[k], kind="stable")
        counts[k, order[: shortfall[k]]] += 1
    return counts


def resolve_transition_matrix(classes, noise_rate, noise_type, transition_matrix):
    """The K×K matrix of a standard model or of the user's matrix or mapping."""
    if transition_matrix is None:
        return noise_transition_matrix(classes, noise_rate, noise_type)
    if noise_type != "symmetric":
        raise ValueError(
            f"noise_type={noise_type!r} conflicts with transition_matrix: give "
            "one noise model, either a standard noise_type or a transition_matrix "
            "(leave noise_type at its default 'symmetric')."
        )
    if isinstance(transition_matrix, dict):
        return _matrix_from_mapping(classes, transition_matrix)
    return _check_transition_matrix(transition_matrix, classes.size)


def _matrix_from_mapping(classes, mapping):
    index = {c: i for i, c in enumerate(classes.tolist())}

    def position(label):
        key = label.item() if isinstance(label, np.generic) else label
        if key not in index:
            raise ValueError(
                f"transition_matrix names the class {label!r}, which is not in y; "
                f"the classes of y are {classes.tolist()}."
            )
        return index[key]

    matrix = np.eye(classes.size)
    for true, row in mapping.items():
        k = position(true)
        if not isinstance(row, dict):
            raise TypeError(
                "transition_matrix as a mapping must be {true_class: {noisy_class: "
                f"rate}}; got {row!r} for class {true!r}."
            )
        for noisy, rate in row.items():
            j = position(noisy)
            if j == k:
                raise ValueError(
                    f"transition_matrix maps class {true!r} to itself; give only "
                    "the rates of changing to other classes."
                )
            if not isinstance(rate, Real) or not 0 <= rate <= 1:
                raise ValueError(
                    f"transition_matrix rate {true!r} -> {noisy!r} must be a number "
                    f"in [0, 1]; got {rate!r}."
                )
            matrix[k, j] = rate
        off_diagonal = matrix[k].sum() - 1.0
        if off_diagonal > 1 + 1e-9:
            raise ValueError(
                f"transition_matrix rates of class {true!r} sum to {off_diagonal:g}; "
                "a class cannot lose more than all of its labels (sum <= 1)."
            )
        matrix[k, k] = max(0.0, 1.0 - off_diagonal)
    return matrix


def _check_transition_matrix(transition_matrix, n_classes):
    matrix = np.asarray(transition_matrix, dtype=float)
    if matrix.shape != (n_classes, n_classes):
        raise ValueError(
            f"transition_matrix must have shape ({n_classes}, {n_classes}), one row "
            f"and column per class of y; got shape {matrix.shape}."
        )
    if not np.all(np.isfinite(matrix)) or np.any(matrix < 0):
        raise ValueError(
            "transition_matrix must hold finite, non-negative probabilities."
        )
    row_sums = matrix.sum(axis=1)
    off = np.abs(row_sums - 1.0) > _ROW_SUM_TOLERANCE
    if off.any():
        shown = ", ".join(f"row {k}: {row_sums[k]:.10g}" for k in np.flatnonzero(off)[:10])
        raise ValueError(
            "transition_matrix rows must each sum to 1 (row-stochastic, within "
            f"{_ROW_SUM_TOLERANCE:g}); got {shown}."
        )
    # Within the tolerance (rounded decimals): renormalised, so the rows sum to 1.
    return matrix / row_sums[:, None]


def _encode(y):
    """Sorted classes and the code of each label, in O(n) for compact ints."""
    if y.dtype.kind in "iu" and y.size:
        low = y.min()
        span = int(y.max()) - int(low) + 1
        if span <= max(_DENSE_INT_RANGE, 10 * y.size):
            if low == 0 and np.can_cast(y.dtype, np.intp):
                offsets = y
            else:
                offsets = y.astype(np.intp) - int(low)
            present = np.bincount(offsets, minlength=span) > 0
            classes = (np.flatnonzero(present) + low).astype(y.dtype)
            lookup = _compact(np.cumsum(present) - 1, classes.size)
            return classes, lookup[offsets]
    classes, codes = np.unique(y, return_inverse=True)
    return classes, _compact(codes, classes.size)


def _compact(codes, n_classes):
    # Small integer codes make the stable argsort a linear-time radix sort.
    dtype = np.uint8 if n_classes <= 256 else np.uint16 if n_classes <= 65536 else np.intp
    return codes.astype(dtype, copy=False)


def _like_input(y_noisy, y_in):
    """Return ``y_noisy`` in the container of ``y_in`` (a Series stays a Series)."""
    if hasattr(y_in, "iloc") and hasattr(y_in, "index") and getattr(y_in, "ndim", 1) == 1:
        return y_in.__class__(y_noisy, index=y_in.index, name=y_in.name).astype(
            y_in.dtype
        )
    return y_noisy
