"""Input checks shared by skrobust's estimators and functions (only what scikit-learn lacks).

One rule for cross-validation folds lives here (:func:`check_folds`), used by
detection, :class:`~skrobust.CleanFirstRelabeler` and
:class:`~skrobust.CoTeachingClassifier`; so do the checks of the labels, the
number of classes and out-of-fold probabilities, so that the same mistake
gets the same message everywhere.
"""

import warnings
from numbers import Integral

import numpy as np
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_consistent_length, column_or_1d

# The int folds a ``cv=None`` means, as in scikit-learn.
DEFAULT_FOLDS = 5
# How far a row of pred_probs may sum from 1 (float32 softmax outputs pass).
_PROBA_TOLERANCE = 1e-3


def check_labels(y, *, name="y"):
    """Validate classification labels and return them as a 1-D array.

    Accepts any label values scikit-learn accepts (ints, strings, a pandas
    Series); rejects ``None``, missing values and continuous targets with a
    message naming ``name``. The input is never modified.
    """
    if y is None:
        raise ValueError(
            f"requires y to be passed, but the target {name} is None"
        )
    y = column_or_1d(y, warn=True)
    if y.size and _has_missing(y):
        raise ValueError(
            f"Input {name} contains NaN or None; every sample needs a label."
        )
    if y.dtype.kind not in "biuUS":
        # Integer, boolean and string labels are always class labels; floats
        # and objects need scikit-learn's (sorting, so costlier) inspection.
        check_classification_targets(y)
    return y


def check_fit_input(X, y):
    """``y`` as labels, with as many rows as ``X`` and at least one.

    For meta-estimators that pass ``X`` unchanged to an inner estimator:
    ``X`` itself is validated there, but an empty or misaligned ``X`` gets
    scikit-learn's own message here, before any class is counted.
    """
    y = check_labels(y)
    check_consistent_length(X, y)
    if y.shape[0] == 0:
        # scikit-learn's message for it ("Found array with 0 sample(s) ...").
        check_array(
            X, accept_sparse=True, dtype=None, ensure_all_finite=False,
            ensure_2d=False, allow_nd=True, ensure_min_features=0,
        )
    return y


def check_n_classes(classes, owner):
    """Refuse fewer than two classes, with the message every skrobust estimator gives."""
    if len(classes) == 0:
        raise ValueError(f"{owner} needs samples of at least 2 classes in y, but y is empty.")
    if len(classes) < 2:
        raise ValueError(
            f"{owner} needs samples of at least 2 classes in y, but y contains only "
            f"one class: {classes.tolist()}."
        )


def check_folds(cv, y, random_state=None, *, classes=None):
    """The folds of ``cv`` for the labels ``y``, and which rows they hold out.

    The one fold rule of skrobust. An int (or ``None``, meaning 5) asks for
    a :class:`~sklearn.model_selection.StratifiedKFold` shuffled with
    ``random_state``, and is fitted to the data:

    - A class with a single sample cannot be cross-validated (no training
      fold would know it): its rows are left out of the folds and kept as
      given, and a warning names it.
    - When the smallest remaining class has fewer samples than ``cv`` asks
      for, fewer folds are used (down to 2), with a warning.
    - When fewer than two classes can be cross-validated, no row is.

    Any other ``cv`` (a splitter, an iterable of splits) goes through
    :func:`~sklearn.model_selection.check_cv` and holds out every row; the
    caller is then responsible for folds that every class survives.

    Parameters
    ----------
    cv : int, cross-validation generator, iterable or None
        As the ``cv`` parameter of the estimators.

    y : ndarray of shape (n_samples,)
        The labels (any values).

    random_state : int, RandomState instance or None, default=None
        Shuffles an int's folds.

    classes : ndarray, default=None
        The class labels that the values of ``y`` encode (``y`` holds
        positions in ``classes``), so that warnings name the labels a user
        knows; ``None`` when ``y`` holds the labels themselves.

    Returns
    -------
    splitter : cross-validation generator or None
        Splits the rows of ``held_out`` (``X[held_out]``, ``y[held_out]``);
        ``None`` when no row can be cross-validated.

    held_out : ndarray of shape (n_samples,), dtype=bool
        The rows that the folds hold out; the others are kept as given.
    """
    if cv is None:
        cv = DEFAULT_FOLDS
    if not isinstance(cv, Integral) or isinstance(cv, bool):
        return check_cv(cv, y, classifier=True), np.ones(len(y), dtype=bool)
    if cv < 2:
        raise ValueError(f"cv must be at least 2 folds; got cv={cv}.")
    values, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    names = values if classes is None else np.asarray(classes)[values]
    single = counts < 2
    held_out = ~single[codes]
    if single.any():
        warnings.warn(
            f"The class(es) {names[single].tolist()} of y have a single sample, "
            "which cross-validation cannot hold out: their rows are kept as given "
            "(never flagged, relabelled or forgotten).",
            UserWarning,
            stacklevel=3,
        )
    if np.count_nonzero(~single) < 2:
        warnings.warn(
            "Fewer than 2 classes of y have 2 or more samples: no row can be "
            "cross-validated, so every label is kept as given.",
            UserWarning,
            stacklevel=3,
        )
        return None, np.zeros(len(y), dtype=bool)
    smallest = int(counts[~single].min())
    n_splits = min(int(cv), smallest)
    if n_splits < cv:
        warnings.warn(
            f"cv={cv} folds need at least {cv} samples in every class, but the "
            f"smallest class (of those with 2 or more) has {smallest}: using "
            f"{n_splits} folds.",
            UserWarning,
            stacklevel=3,
        )
    return StratifiedKFold(n_splits, shuffle=True, random_state=random_state), held_out


def check_pred_probs(pred_probs, n_samples, n_classes):
    """``pred_probs`` as a float array of class probabilities, or a clear error.

    Shape ``(n_samples, n_classes)``; every row finite, non-negative and
    summing to 1 (within 1e-3), except rows that are entirely NaN: those mark
    samples that could not be held out (what :func:`out_of_fold_proba` gives
    the rows of a single-sample class), which are kept as given.
    """
    pred_probs = check_array(
        pred_probs, dtype=np.float64, ensure_all_finite=False, input_name="pred_probs",
        ensure_min_samples=0,
    )
    if pred_probs.shape != (n_samples, n_classes):
        raise ValueError(
            f"pred_probs must have shape (n_samples, n_classes) = ({n_samples}, "
            f"{n_classes}), one column per sorted class of y; got {pred_probs.shape}."
        )
    rows = ~np.isnan(pred_probs).all(axis=1)
    given = pred_probs[rows]
    if not np.isfinite(given).all():
        raise ValueError(
            "pred_probs must be finite probabilities (a row may be all NaN to keep "
            "its label as given); got NaN or infinite values."
        )
    if (given < 0).any():
        raise ValueError(
            "pred_probs must be non-negative probabilities; got a minimum of "
            f"{given.min():.3g}."
        )
    sums = given.sum(axis=1)
    if given.size and not np.allclose(sums, 1.0, rtol=0, atol=_PROBA_TOLERANCE):
        worst = sums[np.argmax(np.abs(sums - 1.0))]
        raise ValueError(
            "pred_probs rows must sum to 1 (class probabilities); got a row "
            f"summing to {worst:.3g}."
        )
    return pred_probs


def _has_missing(y):
    if y.dtype.kind == "f":
        return bool(np.isnan(y).any())
    if y.dtype.kind == "O":
        # NaN is the only value unequal to itself; None is an explicit missing label.
        return any(v is None or v != v for v in y)
    return False
