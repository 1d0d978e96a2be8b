"""scikit-learn's estimator checks over every public estimator of skrobust."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skrobust import LabelNoiseInjector

ESTIMATORS = [
    LabelNoiseInjector(),
]

# check name -> the real reason it cannot pass; keyed by estimator class.
EXPECTED_FAILURES = {}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILURES.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
