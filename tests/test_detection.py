"""Tests for skrobust.detection: out-of-fold probabilities and confident learning."""

import numpy as np
import pytest
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_blobs
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

from skrobust import (
    CleanFirstRelabeler,
    CoTeachingClassifier,
    estimate_noise_rate,
    estimate_transition_matrix,
    find_label_issues,
    out_of_fold_proba,
)
from skrobust.detection import SUBSAMPLE_ROWS, noise_model, noise_rate_interval


@pytest.fixture(scope="module")
def blobs():
    """Three well-separated classes, 20% of labels flipped to another class."""
    X, y = make_blobs(
        n_samples=600, centers=[[-4, 0], [4, 0], [0, 6]], cluster_std=1.0, random_state=0
    )
    rng = np.random.RandomState(0)
    flipped = rng.rand(len(y)) < 0.2
    y_noisy = np.where(flipped, (y + rng.randint(1, 3, len(y))) % 3, y)
    return X, y, y_noisy, flipped


class WeightCheckingClassifier(ClassifierMixin, BaseEstimator):
    """LogisticRegression that asserts it receives a sample_weight aligned with X."""

    def fit(self, X, y, sample_weight=None):
        assert sample_weight is not None, "sample_weight was not forwarded"
        assert len(sample_weight) == len(X), "sample_weight was not split with X"
        self.inner_ = LogisticRegression().fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.inner_.classes_
        return self

    def predict_proba(self, X):
        return self.inner_.predict_proba(X)

    def predict(self, X):
        return self.inner_.predict(X)


# --- out_of_fold_proba -------------------------------------------------------


def test_out_of_fold_proba_matches_cross_val_predict_with_seeded_stratified_folds(blobs):
    X, _, y_noisy, _ = blobs
    proba, classes = out_of_fold_proba(LogisticRegression(), X, y_noisy, cv=4, random_state=3)
    expected = cross_val_predict(
        LogisticRegression(),
        X,
        y_noisy,
        cv=StratifiedKFold(4, shuffle=True, random_state=3),
        method="predict_proba",
    )
    np.testing.assert_allclose(proba, expected)
    assert classes.tolist() == [0, 1, 2]


def test_out_of_fold_proba_none_means_the_seeded_noise_model(blobs):
    X, _, y_noisy, _ = blobs
    default, _ = out_of_fold_proba(None, X, y_noisy, random_state=0)
    explicit, _ = out_of_fold_proba(
        RandomForestClassifier(min_samples_leaf=5, random_state=0), X, y_noisy, random_state=0
    )
    np.testing.assert_allclose(default, explicit)


def test_default_noise_model_subsamples_its_trees_beyond_8000_training_rows():
    # 2 folds of 22,000 rows: 11,000 training rows each, more than SUBSAMPLE_ROWS (8,000)
    X, y = make_blobs(n_samples=22_000, centers=3, cluster_std=3.0, random_state=0)
    forest = noise_model(0, n_samples=11_000)
    assert (forest.n_estimators, forest.max_samples) == (72, SUBSAMPLE_ROWS)
    assert noise_model(0, n_samples=SUBSAMPLE_ROWS).get_params() == noise_model(0).get_params()
    default, _ = out_of_fold_proba(None, X, y, cv=2, random_state=0)
    explicit, _ = out_of_fold_proba(forest, X, y, cv=2, random_state=0)
    np.testing.assert_array_equal(default, explicit)
    assert estimate_noise_rate(None, X, y, cv=2, random_state=0) == estimate_noise_rate(
        forest, X, y, cv=2, random_state=0
    )


def test_out_of_fold_proba_string_labels_give_same_columns_as_ints(blobs):
    X, _, y_noisy, _ = blobs
    names = np.array(["cat", "dog", "emu"])
    proba_int, _ = out_of_fold_proba(None, X, y_noisy, random_state=0)
    proba_str, classes = out_of_fold_proba(None, X, names[y_noisy], random_state=0)
    assert classes.tolist() == ["cat", "dog", "emu"]
    np.testing.assert_allclose(proba_str, proba_int)


def test_out_of_fold_proba_accepts_pandas_and_leaves_input_unchanged(blobs):
    import pandas as pd
    X, _, y_noisy, _ = blobs
    X_df = pd.DataFrame(X, columns=["a", "b"])
    y_s = pd.Series(y_noisy)
    X_before, y_before = X_df.copy(), y_s.copy()
    proba_pd, _ = out_of_fold_proba(None, X_df, y_s, random_state=0)
    proba_np, _ = out_of_fold_proba(None, X, y_noisy, random_state=0)
    np.testing.assert_allclose(proba_pd, proba_np)
    pd.testing.assert_frame_equal(X_df, X_before)
    pd.testing.assert_series_equal(y_s, y_before)


def test_out_of_fold_proba_same_seed_same_result_and_seed_changes_folds(blobs):
    X, _, y_noisy, _ = blobs
    a, _ = out_of_fold_proba(None, X, y_noisy, random_state=1)
    b, _ = out_of_fold_proba(None, X, y_noisy, random_state=1)
    c, _ = out_of_fold_proba(None, X, y_noisy, random_state=2)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


@pytest.mark.slow  # starts worker processes
def test_out_of_fold_proba_parallel_equals_sequential(blobs):
    X, _, y_noisy, _ = blobs
    seq, _ = out_of_fold_proba(None, X, y_noisy, cv=3, random_state=0, n_jobs=1)
    par, _ = out_of_fold_proba(None, X, y_noisy, cv=3, random_state=0, n_jobs=2)
    np.testing.assert_allclose(seq, par)


def test_out_of_fold_proba_accepts_a_splitter(blobs):
    X, _, y_noisy, _ = blobs
    proba, _ = out_of_fold_proba(None, X, y_noisy, cv=KFold(3, shuffle=True, random_state=0))
    assert proba.shape == (len(y_noisy), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_out_of_fold_proba_forwards_fit_params_split_with_folds(blobs):
    X, _, y_noisy, _ = blobs
    weights = np.ones(len(y_noisy))
    proba, _ = out_of_fold_proba(
        WeightCheckingClassifier(), X, y_noisy, random_state=0, params={"sample_weight": weights}
    )
    assert proba.shape == (len(y_noisy), 3)


def test_out_of_fold_proba_routes_fit_params_by_request(blobs):
    X, _, y_noisy, _ = blobs
    weights = np.ones(len(y_noisy))
    with config_context(enable_metadata_routing=True):
        est = WeightCheckingClassifier().set_fit_request(sample_weight=True)
        proba, _ = out_of_fold_proba(
            est, X, y_noisy, random_state=0, params={"sample_weight": weights}
        )
    assert proba.shape == (len(y_noisy), 3)


def test_cv_larger_than_smallest_class_uses_fewer_folds_with_a_warning():
    X = np.arange(20, dtype=float).reshape(-1, 1)
    y = np.array([0] * 17 + [1] * 3)
    with pytest.warns(UserWarning, match=r"cv=5 folds .* smallest class .* has 3: using 3 folds"):
        proba, _ = out_of_fold_proba(LogisticRegression(), X, y, cv=5, random_state=0)
    expected = cross_val_predict(
        LogisticRegression(), X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0),
        method="predict_proba",
    )
    np.testing.assert_allclose(proba, expected)


def test_single_sample_class_is_not_held_out_and_gets_nan_probabilities(blobs):
    X, _, y_noisy, _ = blobs
    y = y_noisy.copy()
    y[0] = 7  # a class of one sample
    with pytest.warns(UserWarning, match=r"class\(es\) \[7\] of y have a single sample"):
        proba, classes = out_of_fold_proba(None, X, y, random_state=0)
    assert classes.tolist() == [0, 1, 2, 7]
    assert np.isnan(proba[0]).all()
    # The other rows: the folds of the data without that row, column 7 zero.
    rest, _ = out_of_fold_proba(None, X[1:], y[1:], random_state=0)
    np.testing.assert_array_equal(proba[1:, :3], rest)
    np.testing.assert_array_equal(proba[1:, 3], 0.0)


def test_single_sample_class_is_never_flagged_and_counts_as_clean(blobs):
    X, _, y_noisy, flipped = blobs
    y = y_noisy.copy()
    y[0] = 7
    with pytest.warns(UserWarning, match="single sample"):
        issues = find_label_issues(None, X, y, random_state=0)
    assert not issues[0]
    assert flipped[1:][issues[1:]].mean() > 0.9  # the others still found
    with pytest.warns(UserWarning, match="single sample"):
        rate = estimate_noise_rate(None, X, y, random_state=0)
    assert abs(rate - flipped[1:].mean()) < 0.05


def test_no_class_of_two_samples_keeps_every_label_with_a_warning():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 2])
    with pytest.warns(UserWarning, match="no row can be cross-validated"):
        issues = find_label_issues(LogisticRegression(), X, y)
    assert not issues.any()
    with pytest.warns(UserWarning, match="no row can be cross-validated"):
        assert estimate_noise_rate(LogisticRegression(), X, y) == 0.0


def test_cv_below_two_is_refused(blobs):
    X, _, y_noisy, _ = blobs
    with pytest.raises(ValueError, match=r"'cv' parameter of out_of_fold_proba must be"):
        out_of_fold_proba(None, X, y_noisy, cv=1)


def test_estimator_without_predict_proba_is_refused(blobs):
    X, _, y_noisy, _ = blobs
    match = r"'estimator' parameter of {} must be an object implementing 'fit' and 'predict_proba'"
    with pytest.raises(ValueError, match=match.format("out_of_fold_proba")):
        out_of_fold_proba(LinearSVC(), X, y_noisy)
    with pytest.raises(ValueError, match=match.format("find_label_issues")):
        find_label_issues(LinearSVC(), X, y_noisy)


def test_single_class_is_refused():
    X = np.zeros((10, 2))
    with pytest.raises(ValueError, match="out_of_fold_proba needs samples of at least 2 classes"):
        out_of_fold_proba(None, X, np.ones(10))


def test_cleanlab_always_runs_in_this_process_even_under_a_parallel_backend(blobs, monkeypatch):
    import cleanlab.filter
    from joblib import parallel_backend

    X, _, y_noisy, _ = blobs
    seen = []
    original = cleanlab.filter.find_label_issues

    def spy(*args, **kwargs):
        seen.append(kwargs.get("n_jobs"))
        return original(*args, **kwargs)

    monkeypatch.setattr(cleanlab.filter, "find_label_issues", spy)
    with parallel_backend("threading", n_jobs=2):
        find_label_issues(None, X, y_noisy, random_state=0, n_jobs=2)
    assert seen == [1]


def test_continuous_or_missing_labels_are_refused(blobs):
    X, _, _, _ = blobs
    with pytest.raises(ValueError, match="Unknown label type"):
        out_of_fold_proba(None, X, np.linspace(0, 1, len(X)))
    y = np.array(["a", "b"] * (len(X) // 2), dtype=object)
    y[3] = None
    with pytest.raises(ValueError, match="NaN or None"):
        estimate_noise_rate(None, X, y)


def test_length_mismatch_is_refused(blobs):
    X, _, y_noisy, _ = blobs
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        out_of_fold_proba(None, X[:-1], y_noisy)


# --- find_label_issues --------------------------------------------------------


def test_find_label_issues_finds_the_flipped_rows(blobs):
    X, _, y_noisy, flipped = blobs
    issues = find_label_issues(None, X, y_noisy, random_state=0)
    assert issues.dtype == bool and issues.shape == y_noisy.shape
    precision = flipped[issues].mean()
    recall = issues[flipped].mean()
    # The classes are separated by 8 standard deviations: detection is near perfect.
    assert precision > 0.9 and recall > 0.9


def test_find_label_issues_flags_nothing_on_clean_separable_labels(blobs):
    X, y, _, _ = blobs
    assert not find_label_issues(None, X, y, random_state=0).any()


def test_find_label_issues_with_given_pred_probs_skips_cross_validation(blobs):
    X, _, y_noisy, _ = blobs
    proba, _ = out_of_fold_proba(None, X, y_noisy, random_state=0)
    from_proba = find_label_issues(None, None, y_noisy, pred_probs=proba)
    np.testing.assert_array_equal(from_proba, find_label_issues(None, X, y_noisy, random_state=0))


@pytest.mark.parametrize("filter_by", ["prune_by_class", "both", "confident_learning"])
def test_find_label_issues_passes_filter_by_to_cleanlab(blobs, filter_by):
    from cleanlab.filter import find_label_issues as cl_find

    X, _, y_noisy, _ = blobs
    proba, _ = out_of_fold_proba(None, X, y_noisy, random_state=0)
    ours = find_label_issues(None, X, y_noisy, filter_by=filter_by, pred_probs=proba)
    np.testing.assert_array_equal(ours, cl_find(y_noisy, proba, filter_by=filter_by, n_jobs=1))


def test_find_label_issues_string_labels_equal_int_labels(blobs):
    X, _, y_noisy, _ = blobs
    names = np.array(["x", "y", "z"])
    np.testing.assert_array_equal(
        find_label_issues(None, X, names[y_noisy], random_state=0),
        find_label_issues(None, X, y_noisy, random_state=0),
    )


def test_find_label_issues_bad_filter_by_is_refused(blobs):
    X, _, y_noisy, _ = blobs
    with pytest.raises(ValueError, match="'filter_by' parameter of find_label_issues must be"):
        find_label_issues(None, X, y_noisy, filter_by="vote")


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda p: p * 1.8, "rows must sum to 1.*1.8"),
        (lambda p: np.where(np.arange(p.size).reshape(p.shape) == 4, np.nan, p), "finite"),
        (lambda p: np.where(np.arange(p.size).reshape(p.shape) == 4, np.inf, p), "finite"),
        (lambda p: p - 0.5, "non-negative"),
    ],
)
def test_pred_probs_that_are_not_probabilities_are_refused(blobs, change, match):
    _, _, y_noisy, _ = blobs
    proba = np.eye(3)[y_noisy] * 0.8 + 0.2 / 3
    bad = change(proba)
    before = bad.copy()
    for function in (find_label_issues, estimate_noise_rate):
        with pytest.raises(ValueError, match="pred_probs .*" + match):
            function(None, None, y_noisy, pred_probs=bad)
    np.testing.assert_array_equal(bad, before)


def test_pred_probs_rows_of_nan_are_kept_as_given(blobs):
    X, _, y_noisy, _ = blobs
    proba, _ = out_of_fold_proba(None, X, y_noisy, random_state=0)
    issues = find_label_issues(None, None, y_noisy, pred_probs=proba)
    assert issues.any()
    proba[issues] = np.nan
    assert not find_label_issues(None, None, y_noisy, pred_probs=proba)[issues].any()


def test_pred_probs_of_wrong_shape_is_refused(blobs):
    X, _, y_noisy, _ = blobs
    with pytest.raises(ValueError, match=r"pred_probs must have shape .*\(600, 3\)"):
        find_label_issues(None, X, y_noisy, pred_probs=np.full((600, 2), 0.5))
    with pytest.raises(ValueError, match="pred_probs must have shape"):
        estimate_noise_rate(None, X, y_noisy, pred_probs=np.full((599, 3), 1 / 3))


# --- estimate_noise_rate ------------------------------------------------------


@pytest.mark.parametrize("rate", [0.1, 0.3])
def test_estimate_noise_rate_is_close_to_the_flipped_share(rate):
    X, y = make_blobs(n_samples=1000, centers=[[-4, 0], [4, 0]], random_state=1)
    rng = np.random.RandomState(1)
    flipped = rng.rand(len(y)) < rate
    y_noisy = np.where(flipped, 1 - y, y)
    estimate = estimate_noise_rate(None, X, y_noisy, random_state=0)
    # 1000 samples: the flipped share itself has std ~0.015; 0.04 leaves room.
    assert abs(estimate - flipped.mean()) < 0.04


def test_estimate_noise_rate_is_small_on_clean_labels_and_in_range(blobs):
    X, y, _, _ = blobs
    estimate = estimate_noise_rate(None, X, y, random_state=0)
    assert 0.0 <= estimate < 0.01


def test_estimate_noise_rate_does_not_modify_labels(blobs):
    X, _, y_noisy, _ = blobs
    before = y_noisy.copy()
    rate = estimate_noise_rate(None, X, y_noisy, random_state=0)
    np.testing.assert_array_equal(y_noisy, before)
    assert isinstance(rate, float)


# --- one noise core: the public functions return what the estimators act on -----


def test_estimate_noise_rate_equals_the_estimators_noise_rate(blobs):
    X, _, y_noisy, _ = blobs
    rate, interval = estimate_noise_rate(None, X, y_noisy, cv=4, random_state=3,
                                         return_interval=True)
    relabeler = CleanFirstRelabeler(cv=4, random_state=3).fit(X, y_noisy)
    coteaching = CoTeachingClassifier(cv=4, max_epochs=1, random_state=3).fit(X, y_noisy)
    assert 0 < rate < 1
    for model in (relabeler, coteaching):
        assert model.noise_rate_ == rate
        assert model.noise_rate_ci_ == interval


def test_find_label_issues_equals_the_issues_the_relabeler_acts_on(blobs):
    X, _, y_noisy, _ = blobs
    issues = find_label_issues(None, X, y_noisy, cv=4, random_state=3)
    relabeler = CleanFirstRelabeler(cv=4, min_noise_rate=0, random_state=3).fit(X, y_noisy)
    assert issues.any()
    np.testing.assert_array_equal(relabeler.label_issues_, issues)


def test_estimate_noise_rate_reads_the_same_noise_from_given_pred_probs(blobs):
    X, _, y_noisy, _ = blobs
    proba, _ = out_of_fold_proba(None, X, y_noisy, random_state=0)
    from_data = estimate_noise_rate(None, X, y_noisy, random_state=0)
    from_proba = estimate_noise_rate(None, None, y_noisy, pred_probs=proba)
    assert from_proba == pytest.approx(from_data)


def test_estimate_transition_matrix_uses_the_default_noise_model(blobs):
    X, _, y_noisy, _ = blobs
    default = estimate_transition_matrix(None, X, y_noisy, random_state=0)
    explicit = estimate_transition_matrix(
        RandomForestClassifier(min_samples_leaf=5, random_state=0), X, y_noisy, random_state=0
    )
    np.testing.assert_array_equal(default, explicit)
    np.testing.assert_allclose(default.sum(axis=1), 1.0)


def test_estimate_noise_rate_interval_contains_the_estimate(blobs):
    X, _, y_noisy, flipped = blobs
    rate, (low, high) = estimate_noise_rate(None, X, y_noisy, random_state=0,
                                            return_interval=True)
    assert low <= rate <= high
    assert low <= flipped.mean() <= high


def test_pred_probs_without_any_row_is_an_error():
    y = np.array([0, 1, 0, 1, 0, 1])
    proba = np.full((6, 2), np.nan)
    for function in (find_label_issues, estimate_noise_rate):
        with pytest.raises(ValueError, match="pred_probs has no row of probabilities"):
            function(None, None, y, pred_probs=proba)


def test_a_binary_noise_rate_above_one_half_is_capped_with_a_warning():
    # Every row repeated with both labels, and a model sure of the other one:
    # the labels agree with it less often than chance.
    y = np.repeat([0, 1], 50)
    proba = np.where(np.eye(2)[y] == 1, 0.1, 0.9)
    with pytest.warns(UserWarning, match="capped at 0.500"):
        rate, (low, high) = noise_rate_interval(y, proba, random_state=0)
    assert rate == 0.5 and high <= 0.5
    with pytest.warns(UserWarning, match="1 - 1/n_classes"):
        assert estimate_noise_rate(None, None, y, pred_probs=proba) == 0.5
