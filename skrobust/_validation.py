"""Input checks shared by skrobust's estimators (only what scikit-learn lacks)."""

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d


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


def _has_missing(y):
    if y.dtype.kind == "f":
        return bool(np.isnan(y).any())
    if y.dtype.kind == "O":
        # NaN is the only value unequal to itself; None is an explicit missing label.
        return any(v is None or v != v for v in y)
    return False
