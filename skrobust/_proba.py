"""What skrobust's classifiers derive from class probabilities."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing

from ._compat import _routing_enabled


def proba_in_classes(estimator, X, classes, *, method="predict_proba", **params):
    """``estimator.predict_proba(X)`` with one column per entry of ``classes``.

    ``estimator`` may know only some of ``classes`` (it was fitted on a subset
    of the rows); the columns of the classes it does not know are 0 (``-inf``
    for ``method="predict_log_proba"``). An estimator without ``classes_``
    (cleanlab's ``CleanLearning``) must give a column per class, in order.
    ``classes`` must be sorted, as every fitted ``classes_`` is.
    """
    known = getattr(estimator, method)(X, **params)
    inner = getattr(estimator, "classes_", None)
    if inner is None:
        if known.shape[1] != len(classes):
            raise ValueError(
                f"{type(estimator).__name__}.{method} gave {known.shape[1]} columns for "
                f"{len(classes)} classes, and has no classes_ to say which they are."
            )
        return known
    if len(inner) == len(classes) and np.array_equal(inner, classes):
        return known
    fill = -np.inf if method == "predict_log_proba" else 0.0
    proba = np.full((known.shape[0], len(classes)), fill)
    proba[:, np.searchsorted(classes, inner)] = known
    return proba


class WithClasses(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """``estimator`` plus the ``classes_`` that cross-validation reads.

    ``cross_val_predict(method="predict_proba")`` orders each fold's columns
    by the fitted estimator's ``classes_``, which cleanlab's ``CleanLearning``
    does not set. This sets it: the inner estimator's own ``classes_``, else
    the classes of the ``y`` it was fitted on (whose columns such an estimator
    gives in order). Fit parameters go to the inner estimator (routed by
    request when metadata routing is enabled).
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y, **params):
        if _routing_enabled():
            params = process_routing(self, "fit", **params).estimator.fit
        self.estimator_ = clone(self.estimator).fit(X, y, **params)
        classes = getattr(self.estimator_, "classes_", None)
        self.classes_ = np.unique(y) if classes is None else classes
        return self

    def predict(self, X):
        return self.estimator_.predict(X)

    def predict_proba(self, X):
        return self.estimator_.predict_proba(X)

    def get_metadata_routing(self):
        mapping = MethodMapping().add(caller="fit", callee="fit")
        return MetadataRouter(owner=self).add(estimator=self.estimator, method_mapping=mapping)


class PredictFromProbaMixin:
    """``predict`` and ``predict_log_proba`` of a classifier, from its ``predict_proba``."""

    def predict_log_proba(self, X):
        """Log of the class probabilities of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples, as ``predict_proba`` accepts them.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities, columns in the order of ``classes_``.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Predicted class labels of ``X``: the most probable class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples, as ``predict_proba`` accepts them.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels, values from ``classes_``.
        """
        proba = self.predict_proba(X)  # first: it raises NotFittedError before fit
        return self.classes_[np.argmax(proba, axis=1)]
