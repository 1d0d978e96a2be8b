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
    StrOptions,
    validate_params,
)

__all__ = [
    "HasMethods",
    "Interval",
    "StrOptions",
    "_fit_context",
    "_raise_for_params",
    "_routing_enabled",
    "validate_params",
]
