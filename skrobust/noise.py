"""Label-noise models: transition matrices and exact, seeded label corruption.

A noise model is a K×K row-stochastic *transition matrix* ``T`` over the
sorted classes: ``T[k, j]`` is the fraction of samples of true class ``k``
whose observed label becomes class ``j``. :func:`make_noisy_labels` applies it
*exactly*: within each true class ``k`` with ``n_k`` samples, exactly
``round(T[k, j] * n_k)`` labels move to class ``j`` (largest-remainder rounding,
so each class keeps its size), the moved samples being chosen uniformly at
random.
"""

from numbers import Real

import numpy as np
from sklearn.utils import check_random_state

from ._compat import Interval, StrOptions, validate_params
from ._validation import check_labels

NOISE_TYPES = ("symmetric", "pair")

# Integer labels spanning at most this many values (or 10 per sample) are
# encoded with bincount, in O(n); wider ones go through np.unique's sort.
_DENSE_INT_RANGE = 1 << 20


@validate_params(
    {
        "classes": ["array-like"],
        "noise_rate": [Interval(Real, 0, 1, closed="left")],
        "noise_type": [StrOptions(set(NOISE_TYPES))],
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
        "noise_rate": [Interval(Real, 0, 1, closed="left")],
        "noise_type": [StrOptions(set(NOISE_TYPES))],
        "transition_matrix": ["array-like", dict, None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_noisy_labels(
    y,
    *,
    noise_rate=0.2,
    noise_type="symmetric",
    transition_matrix=None,
    random_state=None,
):
    """Corrupt labels with a noise model, exactly and reproducibly.

    Within each true class ``k`` with ``n_k`` samples, exactly
    ``round(T[k, j] * n_k)`` labels are changed to class ``j``
    (largest-remainder rounding, so the counts of a class add up to ``n_k``),
    the changed samples being drawn uniformly at random. The realised noise is
    therefore exactly the one asked for, not a random draw around it. A rate
    whose count rounds to zero changes nothing.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        The true labels: any values (ints, strings, booleans, a pandas
        Series), any number of classes. Never modified.

    noise_rate : float in [0, 1), default=0.2
        Fraction of each class's labels to change, for the standard models of
        ``noise_type``. Unused when ``transition_matrix`` is given.

    noise_type : {"symmetric", "pair"}, default="symmetric"
        The standard noise model; see :func:`noise_transition_matrix`.
        Leave it at its default when giving ``transition_matrix``: any other
        value conflicts with the matrix and raises an error.

    transition_matrix : array-like of shape (n_classes, n_classes) or dict, default=None
        A noise model of your own. Either the row-stochastic matrix over the
        sorted classes of ``y``, or a mapping ``{true_class: {noisy_class:
        rate}}`` such as ``{"husky": {"malamute": 0.3}}`` (classes not named
        keep their labels; each true class's rates must sum to at most 1).

    random_state : int, RandomState instance or None, default=None
        Seeds the choice of changed samples. Pass an int for reproducible
        output.

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

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust import make_noisy_labels
    >>> y = np.array(["husky"] * 10 + ["malamute"] * 10)
    >>> y_noisy, mask = make_noisy_labels(
    ...     y, transition_matrix={"husky": {"malamute": 0.3}}, random_state=0)
    >>> int(mask.sum()), int((y_noisy[:10] == "malamute").sum())
    (3, 3)
    """
    y_noisy, noise_mask, _ = corrupt_labels(
        y, noise_rate, noise_type, transition_matrix, random_state
    )
    return y_noisy, noise_mask


def corrupt_labels(y, noise_rate, noise_type, transition_matrix, random_state):
    """:func:`make_noisy_labels` without parameter validation, also returning
    the transition matrix it applied (for LabelNoiseInjector)."""
    y_in = y
    y = check_labels(y)
    classes, codes = _encode(y)
    matrix = _resolve_transition_matrix(
        classes, noise_rate, noise_type, transition_matrix
    )
    rng = check_random_state(random_state)
    generator = np.random.default_rng(rng.randint(np.iinfo(np.int32).max))

    counts = np.bincount(codes, minlength=classes.size)
    targets = exact_transition_counts(matrix, counts)
    members = np.split(np.argsort(codes, kind="stable"), np.cumsum(counts)[:-1])

    y_noisy = y.copy()
    noise_mask = np.zeros(y.shape[0], dtype=bool)
    for k, (rows, row_targets) in enumerate(zip(members, targets)):
        moved = np.delete(row_targets, k)
        n_moved = int(moved.sum())
        if n_moved == 0:
            continue
        chosen = rows[generator.choice(rows.size, n_moved, replace=False)]
        y_noisy[chosen] = np.repeat(np.delete(classes, k), moved)
        noise_mask[chosen] = True
    return _like_input(y_noisy, y_in), noise_mask, matrix


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


def _resolve_transition_matrix(classes, noise_rate, noise_type, transition_matrix):
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
    if not np.allclose(row_sums, 1.0, rtol=0, atol=1e-8):
        raise ValueError(
            "transition_matrix rows must each sum to 1 (row-stochastic); got row "
            f"sums {np.round(row_sums, 6).tolist()}."
        )
    return matrix


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
