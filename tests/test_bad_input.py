"""A table of bad inputs across skrobust's estimators and public functions.

Each case asserts the exception type, a message that names the parameter (or
the input) and what was expected, and that no input was modified. The same
mistake gets the same message from every estimator and function: scikit-learn's
own where scikit-learn has one.
"""

import copy

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import LinearSVC

from skrobust import (
    CleanFirstRelabeler,
    CoTeachingClassifier,
    LabelNoiseInjector,
    estimate_noise_rate,
    find_label_issues,
    make_noisy_labels,
    out_of_fold_proba,
)

X, Y = make_blobs(n_samples=60, centers=3, random_state=0)


def _with(value, at=(0, 0)):
    bad = X.copy()
    bad[at] = value
    return bad


X_NAN, X_INF = _with(np.nan), _with(np.inf)
X_EMPTY, Y_EMPTY = np.empty((0, 2)), np.empty(0, dtype=int)
X_STR = np.array([["a", "b"]] * 60, dtype=object)
X_SPARSE = sp.csr_matrix(X)
Y_2D = np.column_stack([Y, Y])
Y_CONTINUOUS = np.linspace(0.0, 1.0, 60)
Y_ONE_CLASS = np.zeros(60, dtype=int)
Y_NONE = Y.astype(object)
Y_NONE[5] = None
PROBA = np.eye(3)[Y] * 0.8 + 0.2 / 3
PROBA_SUM = PROBA * 1.8
PROBA_NAN = PROBA.copy()
PROBA_NAN[4, 1] = np.nan
PROBA_NEG = PROBA - 0.5
PROBA_SHAPE = PROBA[:, :2]
TRUSTED = np.ones(60, dtype=bool)
WEIGHTS = np.ones(60)
NEGATIVE_WEIGHTS = -WEIGHTS


def _estimators():
    """Every estimator with its defaults, MAEClassifier last (it imports TensorFlow)."""
    return {
        "LabelNoiseInjector": LabelNoiseInjector,
        "CleanFirstRelabeler": CleanFirstRelabeler,
        "CoTeachingClassifier": CoTeachingClassifier,
        "MAEClassifier": None,
    }


def _make(name, **params):
    if name == "MAEClassifier":
        from skrobust import MAEClassifier

        return MAEClassifier(**params)
    return _estimators()[name](**params)


def _fit(name, params=None, **fit_params):
    def call(X, y, **extra):
        return _make(name, **(params or {})).fit(X, y, **fit_params, **extra)

    return call


ESTIMATOR_CASES = [
    # (what, params, X, y, error, message)
    ("nan X", {}, X_NAN, Y, ValueError, r"Input X contains NaN"),
    ("inf X", {}, X_INF, Y, ValueError, r"Input X contains infinity"),
    ("empty X", {}, X_EMPTY, Y_EMPTY, ValueError, r"Found array with 0 sample\(s\)"),
    ("length mismatch", {}, X[:-1], Y, ValueError, r"inconsistent numbers of samples"),
    ("2-D y", {}, X, Y_2D, ValueError, r"y should be a 1d array"),
    ("continuous y", {}, X, Y_CONTINUOUS, ValueError, r"Unknown label type: .*continuous"),
    ("string X", {}, X_STR, Y, ValueError, r"could not convert string to float"),
    ("one class", {}, X, Y_ONE_CLASS, ValueError,
     r"needs samples of at least 2 classes in y, but y contains only one class: \[0\]"),
    ("one sample", {}, X[:1], Y[:1], ValueError,
     r"needs samples of at least 2 classes in y, but y contains only one class"),
    ("None label", {}, X, Y_NONE, ValueError, r"Input y contains NaN or None"),
    ("y is None", {}, X, None, ValueError, r"requires y to be passed"),
]
# The default relabeler (a random forest) accepts NaN: its NaN case uses a
# base that does not.
NAN_BASE = {"CleanFirstRelabeler": {"estimator": LogisticRegression()}}


def _estimator_params():
    for name in _estimators():
        marks = [pytest.mark.slow] if name == "MAEClassifier" else []
        for what, params, X_, y_, error, message in ESTIMATOR_CASES:
            if what in ("nan X", "inf X"):
                params = NAN_BASE.get(name, params)
            yield pytest.param(
                _fit(name, params), (X_, y_), {}, error, message,
                id=f"{name}-{what}", marks=marks,
            )


def _call(function, **kwargs):
    def call(*args):
        return function(*args, **kwargs)

    return call


OTHER_CASES = [
    # --- out-of-range or unknown parameters: scikit-learn's message naming each
    (_fit("LabelNoiseInjector", {"noise_rate": 1.0}), (X, Y), {}, ValueError,
     r"'noise_rate' parameter of LabelNoiseInjector must be a float in the range \[0(\.0)?, 1(\.0)?\)"),
    (_fit("LabelNoiseInjector", {"noise_type": "gaussian"}), (X, Y), {}, ValueError,
     r"'noise_type' parameter of LabelNoiseInjector must be a str among"),
    (_fit("LabelNoiseInjector", {"estimator": "lr"}), (X, Y), {}, ValueError,
     r"'estimator' parameter of LabelNoiseInjector must be an object implementing 'fit'"),
    (_fit("CleanFirstRelabeler", {"min_confidence": 1.5}), (X, Y), {}, ValueError,
     r"'min_confidence' parameter of CleanFirstRelabeler must be a float in the range \[0(\.0)?, 1(\.0)?\]"),
    (_fit("CleanFirstRelabeler", {"cv": 1}), (X, Y), {}, ValueError,
     r"'cv' parameter of CleanFirstRelabeler must be"),
    (_fit("CleanFirstRelabeler", {"estimator": LinearSVC()}), (X, Y), {}, ValueError,
     r"'estimator' parameter of CleanFirstRelabeler must be an object implementing 'fit' and 'predict_proba'"),
    (_fit("CoTeachingClassifier", {"forget_rate": 1.0}), (X, Y), {}, ValueError,
     r"'forget_rate' parameter of CoTeachingClassifier must be a float in the range \[0(\.0)?, 1(\.0)?\)"),
    (_fit("CoTeachingClassifier", {"batch_size": 0}), (X, Y), {}, ValueError,
     r"'batch_size' parameter of CoTeachingClassifier must be an int in the range \[1, inf\)"),
    (_fit("CoTeachingClassifier", {"cv": 1}), (X, Y), {}, ValueError,
     r"'cv' parameter of CoTeachingClassifier must be"),
    # --- sparse X where the inner estimator does not take it
    (_fit("LabelNoiseInjector", {"estimator": GaussianNB()}), (X_SPARSE, Y), {}, TypeError,
     r"Sparse data was passed for X, but dense data is required"),
    (_fit("CoTeachingClassifier", {"estimator": GaussianNB()}), (X_SPARSE, Y), {}, TypeError,
     r"Sparse data was passed for X, but dense data is required"),
    (_call(find_label_issues, cv=3), (GaussianNB(), X_SPARSE, Y), {}, TypeError,
     r"Sparse data was passed for X, but dense data is required"),
    # --- the relabeler's trusted mask
    (_fit("CleanFirstRelabeler"), (X, Y), {"trusted": TRUSTED[:-1]}, ValueError,
     r"trusted must be a 1-D boolean mask with one entry per sample"),
    (_fit("CleanFirstRelabeler"), (X, Y), {"trusted": TRUSTED.astype(int)}, TypeError,
     r"trusted must be a boolean mask \(dtype bool\)"),
    (_fit("CleanFirstRelabeler"), (X, Y), {"trusted": Y != 2}, ValueError,
     r"trusted must mark at least one row of every class.*\[2\]"),
    # --- co-teaching's sample_weight
    (_fit("CoTeachingClassifier"), (X, Y), {"sample_weight": NEGATIVE_WEIGHTS}, ValueError,
     r"Negative values in data passed to `?sample_weight`?"),
    (_fit("CoTeachingClassifier"), (X, Y), {"sample_weight": WEIGHTS[:-1]}, ValueError,
     r"sample_weight.shape == \(59,\), expected \(60,\)"),
    (_fit("CoTeachingClassifier", {"estimator": KNeighborsClassifier(), "forget_rate": 0.1}),
     (X, Y), {"sample_weight": WEIGHTS}, ValueError,
     r"sample_weight was passed, but KNeighborsClassifier.fit, .* takes no sample_weight"),
    # --- detection functions: pred_probs, parameters, labels
    (_call(find_label_issues, pred_probs=PROBA_SUM), (None, None, Y), {}, ValueError,
     r"pred_probs rows must sum to 1 .* summing to 1.8"),
    (_call(find_label_issues, pred_probs=PROBA_NAN), (None, None, Y), {}, ValueError,
     r"pred_probs must be finite"),
    (_call(estimate_noise_rate, pred_probs=PROBA_NEG), (None, None, Y), {}, ValueError,
     r"pred_probs must be non-negative"),
    (_call(estimate_noise_rate, pred_probs=PROBA_SHAPE), (None, None, Y), {}, ValueError,
     r"pred_probs must have shape \(n_samples, n_classes\) = \(60, 3\)"),
    (_call(find_label_issues, filter_by="vote"), (None, X, Y), {}, ValueError,
     r"'filter_by' parameter of find_label_issues must be a str among"),
    (_call(out_of_fold_proba, cv=1), (None, X, Y), {}, ValueError,
     r"'cv' parameter of out_of_fold_proba must be"),
    (_call(out_of_fold_proba), (LinearSVC(), X, Y), {}, ValueError,
     r"'estimator' parameter of out_of_fold_proba must be an object implementing 'fit' and 'predict_proba'"),
    (_call(out_of_fold_proba), (None, X_EMPTY, Y_EMPTY), {}, ValueError,
     r"Found array with 0 sample\(s\)"),
    (_call(estimate_noise_rate), (None, X[:-1], Y), {}, ValueError,
     r"inconsistent numbers of samples"),
    (_call(find_label_issues), (None, X, Y_ONE_CLASS), {}, ValueError,
     r"find_label_issues needs samples of at least 2 classes in y, but y contains only one class: \[0\]"),
    (_call(estimate_noise_rate), (None, X, Y_CONTINUOUS), {}, ValueError,
     r"Unknown label type: .*continuous"),
    (_call(out_of_fold_proba), (None, X, Y_NONE), {}, ValueError,
     r"Input y contains NaN or None"),
    (_call(find_label_issues), (LogisticRegression(), X_NAN, Y), {}, ValueError,
     r"Input X contains NaN"),
    (_call(estimate_noise_rate), (None, X, None), {}, ValueError, r"requires y to be passed"),
    # --- noise injection
    (_call(make_noisy_labels, noise_rate=1.5), (Y,), {}, ValueError,
     r"'noise_rate' parameter of make_noisy_labels must be"),
    (_call(make_noisy_labels, noise_rate=0.2), (Y_CONTINUOUS,), {}, ValueError,
     r"Unknown label type: .*continuous"),
]
OTHER_IDS = [
    "injector-noise_rate", "injector-noise_type", "injector-estimator",
    "relabeler-min_confidence", "relabeler-cv", "relabeler-estimator",
    "coteaching-forget_rate", "coteaching-batch_size", "coteaching-cv",
    "injector-sparse X", "coteaching-sparse X", "find_label_issues-sparse X",
    "relabeler-trusted length", "relabeler-trusted dtype", "relabeler-trusted class",
    "coteaching-negative weights", "coteaching-weights length", "coteaching-base without weights",
    "find_label_issues-rows sum 1.8", "find_label_issues-NaN pred_probs",
    "estimate_noise_rate-negative pred_probs", "estimate_noise_rate-pred_probs shape",
    "find_label_issues-filter_by", "out_of_fold_proba-cv", "out_of_fold_proba-estimator",
    "out_of_fold_proba-empty X", "estimate_noise_rate-length mismatch",
    "find_label_issues-one class", "estimate_noise_rate-continuous y",
    "out_of_fold_proba-None label", "find_label_issues-nan X", "estimate_noise_rate-y is None",
    "make_noisy_labels-noise_rate", "make_noisy_labels-continuous y",
]
CASES = [*_estimator_params(), *(
    pytest.param(*case, id=name) for case, name in zip(OTHER_CASES, OTHER_IDS, strict=True)
)]


def _snapshot(value):
    if sp.issparse(value):
        return value.copy()
    return copy.deepcopy(value)


def _assert_same(before, after):
    if sp.issparse(before):
        assert (before != after).nnz == 0
    elif isinstance(before, np.ndarray):
        assert before.dtype == after.dtype and before.shape == after.shape
        np.testing.assert_array_equal(before, after)
    else:
        assert repr(before) == repr(after)


@pytest.mark.parametrize("call, args, kwargs, error, message", CASES)
def test_bad_input_raises_a_clear_error_and_changes_no_input(call, args, kwargs, error, message):
    before = [_snapshot(a) for a in args], {k: _snapshot(v) for k, v in kwargs.items()}
    with pytest.raises(error, match=message):
        call(*args, **kwargs)
    for old, new in zip(before[0], args):
        _assert_same(old, new)
    for key, old in before[1].items():
        _assert_same(old, kwargs[key])


def test_the_table_has_at_least_forty_cases():
    assert len(CASES) >= 40


# issue 37, cases 2-7 (case 2, the benchmarks' string target, is in tests/test_benchmarks.py;
# case 3, a failing estimator in a robustness curve, in tests/test_inspection.py)


def _rounded_away_cases():
    from skrobust import LabelNoiseInjector as Injector

    fifty_by_three = np.repeat(np.arange(50), 3)
    three_by_two = np.repeat(["a", "b", "c"], 2)
    return [
        pytest.param(lambda y: make_noisy_labels(y, noise_rate=0.2, random_state=0), fifty_by_three,
                     r"about 30 of 150\), .* changes 0 labels \(0\.0%\)", id="function-50x3"),
        pytest.param(lambda y: make_noisy_labels(y, noise_rate=0.2, random_state=0), three_by_two,
                     r"about 1\.2 of 6\), .* changes 0 labels \(0\.0%\)", id="function-3x2"),
        pytest.param(lambda y: Injector(noise_rate=0.2, random_state=0).fit(np.zeros((len(y), 1)), y),
                     fifty_by_three, r"about 30 of 150\), .* changes 0 labels", id="injector-50x3"),
        pytest.param(lambda y: Injector(noise_rate=0.2, random_state=0).fit_resample(np.zeros((len(y), 1)), y),
                     three_by_two, r"about 1\.2 of 6\), .* changes 0 labels", id="injector-3x2"),
    ]


@pytest.mark.parametrize("corrupt, y, message", _rounded_away_cases())
def test_a_noise_rate_that_rounds_to_zero_warns_with_the_rate_asked_and_realised(corrupt, y, message):
    with pytest.warns(UserWarning, match=r"noise_rate=0\.2 asks to change 20\.0% of the labels \(" + message):
        corrupt(y)


def test_a_noise_rate_met_by_the_rounding_does_not_warn():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, mask = make_noisy_labels(np.repeat(np.arange(3), 10), noise_rate=0.2, random_state=0)
    assert mask.sum() == 6


def test_a_transition_matrix_whose_rows_round_to_one_is_taken_and_renormalised():
    from skrobust import noise_corrected_accuracy

    y = np.repeat([0, 1], 10)
    matrix = [[0.8 + 1e-7, 0.2], [0.3, 0.7]]  # rows summing to 1 + 1e-7 and 1
    y_noisy, mask = make_noisy_labels(y, transition_matrix=matrix, random_state=0)
    assert mask[:10].sum() == 2 and mask[10:].sum() == 3
    model = LabelNoiseInjector(transition_matrix=matrix, random_state=0).fit(np.c_[y], y)
    np.testing.assert_allclose(model.transition_matrix_.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    assert 0 <= noise_corrected_accuracy(y_noisy, y, transition_matrix=matrix) <= 1


def test_a_transition_matrix_row_off_one_is_refused_with_its_true_sum():
    with pytest.raises(ValueError, match=r"within 1e-06\); got row 1: 1\.000004\.$"):
        make_noisy_labels(np.repeat([0, 1], 10), transition_matrix=[[0.8, 0.2], [0.3, 0.700004]])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: make_noisy_labels([]), r"^y is empty \(0 labels\): there are no labels to corrupt\.$"),
        (lambda: make_noisy_labels(np.array([], dtype=int), noise_rate=0.0), r"^y is empty"),
        (lambda: __import__("skrobust").noise_transition_matrix([], 0.2), r"^classes is empty"),
    ],
    ids=["make_noisy_labels", "make_noisy_labels-rate-0", "noise_transition_matrix"],
)
def test_an_empty_y_is_called_empty(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- issue 37: the relabeler's quiet failures (case 1, case 7's sample_weight messages) ---


def _with_unique_id(n_samples, n_features, n_informative, weight, flip_y, random_state):
    """A tabular problem whose features include a unique string ID per row (one-hot encoded)."""
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=n_samples, n_features=n_features, n_informative=n_informative, n_redundant=0,
        weights=[weight], flip_y=flip_y, random_state=random_state,
    )
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(n_features)])
    frame["id"] = [f"row{i}" for i in range(n_samples)]
    return frame, y


@pytest.mark.parametrize(
    "shape",
    [(1300, 4, 2, 0.62, 0.2, 0), (1000, 5, 3, 0.7, 0.15, 1)],
    ids=["issue-reproduction", "another-shape"],
)
def test_relabeler_on_clean_labels_with_an_id_column_is_not_below_its_plain_forest(shape):
    # A unique-ID column dilutes the forest's features until its out-of-fold
    # model reads its own errors as noise; acting then emptied a class's signal
    # and the relabeler predicted the majority class for every row.
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    frame, y = _with_unique_id(*shape)
    X_train, X_test, y_train, y_test = train_test_split(
        frame, y, test_size=0.5, stratify=y, random_state=0
    )

    def fit(estimator):
        encode = make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), ["id"]), remainder="passthrough"
        )
        return make_pipeline(encode, estimator).fit(X_train, y_train)

    forest = fit(RandomForestClassifier(random_state=0)).score(X_test, y_test)
    relabeler = fit(CleanFirstRelabeler(random_state=0))
    constant = np.bincount(y_test).max() / len(y_test)
    assert forest > constant + 0.1
    assert relabeler.score(X_test, y_test) >= forest - 0.005
    assert len(np.unique(relabeler.predict(X_test))) == 2


def test_relabeler_refuses_trusted_rows_that_all_have_zero_weight():
    X_, y_ = make_blobs(n_samples=90, centers=3, random_state=0)
    trusted = np.zeros(len(y_), dtype=bool)
    trusted[np.unique(y_, return_index=True)[1]] = True  # one row of each class
    trusted[:30] = True
    weight = np.where(trusted, 0.0, 1.0)
    with pytest.raises(ValueError, match=r"sample_weight is 0 on every trusted row, .*60 of 90"):
        CleanFirstRelabeler().fit(X_, y_, trusted=trusted, sample_weight=weight)


def test_relabeler_refuses_negative_sample_weight_by_name():
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        CleanFirstRelabeler().fit(X, Y, sample_weight=np.full(len(Y), -1.0))


def test_the_class_count_check_calls_an_empty_y_empty():
    from skrobust._validation import check_n_classes

    with pytest.raises(ValueError, match=r"^LabelNoiseInjector needs samples of at least 2 classes in y, but y is empty\.$"):
        check_n_classes(np.array([]), "LabelNoiseInjector")
