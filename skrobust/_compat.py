"""Every private scikit-learn name skrobust uses, imported in one place.

Each is a helper that scikit-learn's own estimators use and that has no public
equivalent yet (checked against scikit-learn 1.6, the minimum, and 1.9); should
one move, only this module changes.
"""

from sklearn.base import _fit_context
from sklearn.utils._metadata_requests import _raise_for_params, _routing_enabled
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    Options,
    StrOptions,
    validate_params,
)

# Row indexing of X and of fit parameters, as scikit-learn's meta-estimators do it.
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _check_method_params, _check_sample_weight

__all__ = [
    "HasMethods",
    "Interval",
    "Options",
    "StrOptions",
    "_check_method_params",
    "_check_sample_weight",
    "_safe_indexing",
    "_fit_context",
    "_raise_for_params",
    "_routing_enabled",
    "validate_params",
]
