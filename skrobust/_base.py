"""A private base for skrobust's meta-classifiers that wrap one ``estimator``."""

from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils import get_tags

from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._compat import HasMethods, _raise_for_params, _routing_enabled
from ._proba import proba_in_classes

_DELEGATED = ("predict", "predict_proba", "predict_log_proba", "decision_function")


def _estimator_has(attr):
    """Whether the fitted ``estimator_``, else the (default) ``estimator``, has ``attr``."""

    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self._get_estimator(), attr)

    return check


def with_inner_input_tags(tags, estimator):
    """``tags`` with the sparse and NaN input tags of ``estimator``, which sees ``X`` as given."""
    inner = get_tags(estimator).input_tags
    tags.input_tags.sparse = inner.sparse
    tags.input_tags.allow_nan = inner.allow_nan
    return tags


class BaseMetaClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Wraps one classifier: its default, tags, metadata routing and delegation.

    Subclasses fit ``self.estimator_`` (a clone of :meth:`_get_estimator`) in
    ``fit`` and call :meth:`_copy_fitted_attributes` with the classes of the
    ``y`` given to ``fit``; prediction is delegated to ``estimator_``, and
    probabilities get a column per class of ``classes_`` (0 for a class that
    ``estimator_`` never saw; an inner estimator without ``classes_``, such
    as cleanlab's ``CleanLearning``, gives its columns in that order).
    Finiteness and sparsity checks of ``X`` are left to the inner estimator,
    whose input tags are copied.
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"]), None],
    }

    def __init__(self, estimator=None):
        self.estimator = estimator

    def _get_estimator(self):
        """The estimator to clone: ``estimator``, or a fast, sensible default."""
        if self.estimator is None:
            return LogisticRegression()
        return self.estimator

    def _route_params(self, params, method):
        """The parameters of ``method`` meant for the inner estimator.

        With metadata routing enabled they are routed by request; without it,
        every parameter is forwarded (scikit-learn's pre-routing behaviour).
        """
        if _routing_enabled():
            return process_routing(self, method, **params).estimator[method]
        return params

    def _copy_fitted_attributes(self, classes):
        self.classes_ = classes
        for attr in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, attr):
                setattr(self, attr, getattr(self.estimator_, attr))

    def _delegate(self, method, X, params):
        check_is_fitted(self)
        _raise_for_params(params, self, method)  # without routing, no predict params
        params = self._route_params(params, method)
        if method in ("predict_proba", "predict_log_proba"):
            return proba_in_classes(self.estimator_, X, self.classes_, method=method, **params)
        return getattr(self.estimator_, method)(X, **params)

    @available_if(_estimator_has("predict"))
    def predict(self, X, **params):
        """Predict class labels for ``X`` with the fitted ``estimator_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        **params : dict
            Routed to ``estimator_.predict`` (metadata routing).

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted class labels.
        """
        return self._delegate("predict", X, params)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X, **params):
        """Class probabilities of ``X`` from the fitted ``estimator_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        **params : dict
            Routed to ``estimator_.predict_proba`` (metadata routing).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        return self._delegate("predict_proba", X, params)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X, **params):
        """Log class probabilities of ``X`` from the fitted ``estimator_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        **params : dict
            Routed to ``estimator_.predict_log_proba`` (metadata routing).

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities, columns in the order of ``classes_``.
        """
        return self._delegate("predict_log_proba", X, params)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X, **params):
        """Decision function of ``X`` from the fitted ``estimator_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        **params : dict
            Routed to ``estimator_.decision_function`` (metadata routing).

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Decision scores of the inner estimator.
        """
        return self._delegate("decision_function", X, params)

    def get_metadata_routing(self):
        """Get the metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            ``fit`` and the prediction methods route to the inner estimator.
        """
        mapping = MethodMapping().add(caller="fit", callee="fit")
        for method in _DELEGATED:
            mapping.add(caller=method, callee=method)
        return MetadataRouter(owner=self).add(
            estimator=self._get_estimator(), method_mapping=mapping
        )

    def __sklearn_tags__(self):
        return with_inner_input_tags(super().__sklearn_tags__(), self._get_estimator())
