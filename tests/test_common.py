"""scikit-learn's estimator checks over every public estimator of skrobust.

Every estimator is checked with its default parameters, as a user gets it;
two fast variants add the other modes of co-teaching (an incremental linear
base, and a base without ``partial_fit`` trained by rounds).
"""

import inspect

from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from skrobust import (
    CleanFirstRelabeler,
    CoTeachingClassifier,
    LabelNoiseInjector,
    MAEClassifier,
    NoisyLabelSelector,
)

ESTIMATORS = [
    LabelNoiseInjector(),
    CleanFirstRelabeler(),
    CoTeachingClassifier(),
    MAEClassifier(),  # TensorFlow: marked slow in conftest.py
    CoTeachingClassifier(SGDClassifier(loss="log_loss"), forget_rate=0.2, max_epochs=5,
                         random_state=0),
    CoTeachingClassifier(LogisticRegression(), forget_rate=0.2, max_epochs=2, num_gradual=1,
                         cv=2, random_state=0),
    NoisyLabelSelector({"weak": LogisticRegression(C=0.01), "strong": LogisticRegression()}, cv=2,
                       random_state=0),  # fast candidates: the defaults are tested in test_selection.py
]

# Expected failures: only those scikit-learn itself declares for the comparable
# scikit-learn estimator (sklearn.utils._test_common.instance_generator's
# PER_ESTIMATOR_XFAIL_CHECKS), each with its reason.
_SGD_REASON = (
    "sample_weight is not equivalent to removing/repeating samples: stochastic "
    "minibatch training sees differently composed batches, as scikit-learn declares "
    "for SGDClassifier (and tests MLPClassifier's equivalence only with solver='lbfgs')"
)


# scikit-learn < 1.7: MLPClassifier.partial_fit, which trains the default peers, takes no
# sample_weight, so CoTeachingClassifier() refuses weights (with a ValueError naming it).
_MLP_PARTIAL_FIT_WEIGHTS = "sample_weight" in inspect.signature(MLPClassifier.partial_fit).parameters
_NO_PEER_WEIGHTS_REASON = (
    "the default peer MLPClassifier.partial_fit takes sample_weight only from scikit-learn 1.7; "
    "on older versions CoTeachingClassifier() raises a ValueError naming sample_weight"
)
_SAMPLE_WEIGHT_CHECKS = (
    "check_sample_weights_pandas_series", "check_sample_weights_not_an_array",
    "check_sample_weights_list", "check_sample_weights_shape",
    "check_sample_weights_not_overwritten", "check_sample_weight_equivalence_on_dense_data",
    "check_classifiers_one_label_sample_weights",
)


def _expected_failed_checks(estimator):
    if (isinstance(estimator, CoTeachingClassifier) and estimator.estimator is None
            and not _MLP_PARTIAL_FIT_WEIGHTS):
        return dict.fromkeys(_SAMPLE_WEIGHT_CHECKS, _NO_PEER_WEIGHTS_REASON)
    stochastic = isinstance(estimator, MAEClassifier) or (
        isinstance(estimator, CoTeachingClassifier)
        and isinstance(estimator.estimator, SGDClassifier)
    )
    if stochastic:
        # scikit-learn declares both for SGDClassifier
        return {f"check_sample_weight_equivalence_on_{kind}_data": _SGD_REASON
                for kind in ("dense", "sparse")}
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
