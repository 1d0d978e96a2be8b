import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csr_matrix
from scipy.special import softmax
from scipy.stats import chisquare, kstest, truncnorm
from sklearn.datasets import load_digits
from sklearn.dummy import DummyClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from skrobust import (
    LabelNoiseInjector,
    make_noisy_labels,
    noise_transition_matrix,
    out_of_fold_proba,
)
from skrobust.noise import (
    _draw_class,
    _flip_rates,
    exact_transition_counts,
    projection_target_proba,
)


@pytest.fixture(scope="module")
def y_10k():
    """10,000 labels over 4 classes of unequal sizes, in shuffled order."""
    y = np.repeat([0, 1, 2, 3], [1000, 2000, 3000, 4000])
    return np.random.RandomState(0).permutation(y)


def realized_counts(y, y_noisy, classes):
    return np.array([[np.sum((y == a) & (y_noisy == b)) for b in classes] for a in classes])


# --- noise_transition_matrix -------------------------------------------------


def test_symmetric_matrix_spreads_rate_over_other_classes():
    matrix = noise_transition_matrix([0, 1, 2, 3, 4], 0.4, "symmetric")
    assert np.allclose(np.diag(matrix), 0.6)
    assert np.allclose(matrix[~np.eye(5, dtype=bool)], 0.1)


def test_symmetric_matrix_with_two_classes_is_a_flip():
    assert np.allclose(noise_transition_matrix([0, 1], 0.2), [[0.8, 0.2], [0.2, 0.8]])


def test_pair_matrix_moves_each_class_to_the_next_in_sorted_order():
    matrix = noise_transition_matrix(["c", "a", "b"], 0.45, "pair")  # sorted: a, b, c
    expected = [[0.55, 0.45, 0], [0, 0.55, 0.45], [0.45, 0, 0.55]]
    assert np.allclose(matrix, expected)


@pytest.mark.parametrize("noise_type", ["symmetric", "pair"])
def test_matrices_are_row_stochastic(noise_type):
    matrix = noise_transition_matrix(np.arange(7), 0.3, noise_type)
    assert np.allclose(matrix.sum(axis=1), 1) and np.all(matrix >= 0)


# --- exact counts -------------------------------------------------------------


def test_largest_remainder_rounding_keeps_class_sizes():
    counts = exact_transition_counts(np.array([[0.5, 0.25, 0.25]] * 2), [3, 7])
    # 3 -> 1.5, .75, .75 : floors 1, 0, 0; two more go to the largest remainders.
    assert counts.tolist() == [[1, 1, 1], [3, 2, 2]]


def test_floating_point_dust_does_not_change_a_count():
    # 0.29 * 100 = 28.999999999999996 in floating point.
    counts = exact_transition_counts(np.array([[0.71, 0.29], [0.29, 0.71]]), [100, 100])
    assert counts.tolist() == [[71, 29], [29, 71]]


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        # symmetric 0.3: each class loses 30%, split evenly over the 3 others
        (
            {"noise_rate": 0.3, "noise_type": "symmetric"},
            [[700, 100, 100, 100], [200, 1400, 200, 200], [300, 300, 2100, 300],
             [400, 400, 400, 2800]],
        ),
        (
            {"noise_rate": 0.45, "noise_type": "pair"},
            [[550, 450, 0, 0], [0, 1100, 900, 0], [0, 0, 1650, 1350],
             [1800, 0, 0, 2200]],
        ),
        (
            {"transition_matrix": {1: {2: 0.25}, 3: {0: 0.1, 1: 0.05}}},
            [[1000, 0, 0, 0], [0, 1500, 500, 0], [0, 0, 3000, 0],
             [400, 200, 0, 3400]],
        ),
        (
            {"transition_matrix": [[0.9, 0.1, 0, 0], [0, 1, 0, 0], [0, 0, 0.5, 0.5],
                                   [0.25, 0.25, 0.25, 0.25]]},
            [[900, 100, 0, 0], [0, 2000, 0, 0], [0, 0, 1500, 1500],
             [1000, 1000, 1000, 1000]],
        ),
    ],
    ids=["symmetric", "pair", "mapping", "matrix"],
)
def test_realized_transition_counts_equal_exact_targets(y_10k, kwargs, expected):
    y_noisy, mask = make_noisy_labels(y_10k, random_state=0, **kwargs)
    assert realized_counts(y_10k, y_noisy, [0, 1, 2, 3]).tolist() == expected
    assert np.array_equal(mask, y_noisy != y_10k)


def test_flipped_samples_are_uniform_within_a_class():
    # Over 2,000 seeded draws, every one of a class's 50 samples should be
    # flipped about 2000 * 0.2 times; a chi-square test of those counts against
    # uniform. Seeds are fixed, so the p-value is a fixed number, not a flake.
    y = np.repeat([0, 1], 50)
    flips = np.zeros(100)
    for seed in range(2000):
        flips += make_noisy_labels(y, noise_rate=0.2, random_state=seed)[1]
    assert np.all(flips[:50].sum() == flips[50:].sum())
    for half in (flips[:50], flips[50:]):
        assert chisquare(half).pvalue > 0.01


def test_rate_rounding_to_zero_flips_nothing_and_says_so():
    y = np.repeat([0, 1], [3, 3])
    with pytest.warns(UserWarning, match=r"noise_rate=0\.1 asks to change 10\.0% .* changes 0 labels"):
        y_noisy, mask = make_noisy_labels(y, noise_rate=0.1, random_state=0)
    assert not mask.any() and np.array_equal(y_noisy, y)


# --- label kinds, input safety, determinism -----------------------------------


def test_never_modifies_y(y_10k):
    before = y_10k.copy()
    make_noisy_labels(y_10k, noise_rate=0.4, random_state=0)
    assert np.array_equal(y_10k, before)


@pytest.mark.parametrize(
    "y",
    [
        np.array(["husky", "malamute", "labrador"] * 20),
        np.array([1.0, 2.0, 3.0] * 20),
        np.array([True, False] * 30),
        np.array(["a", 1, "b"] * 20, dtype=object)[[0, 2] * 30],
        np.array([-5, 10**12] * 30),
        np.array([-100, 0, 100] * 20, dtype=np.int8),
        np.array([0, 2**63 + 5] * 30, dtype=np.uint64),
    ],
    ids=["str", "float", "bool", "object", "wide-int", "int8", "uint64"],
)
def test_returns_labels_of_the_input_dtype_and_classes(y):
    y_noisy, mask = make_noisy_labels(y, noise_rate=0.2, random_state=0)
    assert isinstance(y_noisy, np.ndarray) and y_noisy.dtype == y.dtype
    assert set(np.unique(y_noisy)) == set(np.unique(y))
    assert np.array_equal(mask, y_noisy != y) and mask.sum() == 12


def test_series_stays_a_series_with_its_index_name_and_dtype():
    y = pd.Series(["cat", "dog"] * 10, index=np.arange(100, 120), name="animal",
                  dtype="category")
    y_noisy, mask = make_noisy_labels(y, noise_rate=0.3, random_state=0)
    assert isinstance(y_noisy, pd.Series)
    assert y_noisy.index.equals(y.index) and y_noisy.name == "animal"
    assert y_noisy.dtype == y.dtype and mask.sum() == 6


def test_list_input_works():
    y_noisy, mask = make_noisy_labels([0, 1, 2] * 10, noise_rate=0.2, random_state=0)
    assert y_noisy.shape == (30,) and mask.sum() == 6


def test_same_random_state_gives_same_noise_and_other_seeds_differ(y_10k):
    first = make_noisy_labels(y_10k, noise_rate=0.2, random_state=3)[0]
    again = make_noisy_labels(y_10k, noise_rate=0.2, random_state=3)[0]
    other = make_noisy_labels(y_10k, noise_rate=0.2, random_state=4)[0]
    assert np.array_equal(first, again) and not np.array_equal(first, other)


def test_zero_rate_returns_an_equal_copy(y_10k):
    y_noisy, mask = make_noisy_labels(y_10k, noise_rate=0, random_state=0)
    assert np.array_equal(y_noisy, y_10k) and not mask.any()
    assert y_noisy is not y_10k


# --- bad input --------------------------------------------------------------


@pytest.mark.parametrize("rate", [1.0, -0.1, 1.5])
def test_noise_rate_outside_unit_interval_is_rejected(rate):
    with pytest.raises(ValueError, match=r"'noise_rate' parameter .* range \[0.0, 1.0\)"):
        make_noisy_labels([0, 1] * 5, noise_rate=rate)


@pytest.mark.parametrize("rate", ["0.2", None])
def test_noise_rate_not_a_number_is_rejected(rate):
    with pytest.raises(TypeError, match="'noise_rate' parameter .* must be a float"):
        make_noisy_labels([0, 1] * 5, noise_rate=rate)


def test_unknown_noise_type_is_rejected():
    with pytest.raises(ValueError, match="'noise_type' parameter .* among .*'pair'.* Got 'uniform'"):
        make_noisy_labels([0, 1] * 5, noise_type="uniform")


@pytest.mark.parametrize(
    "matrix, message",
    [
        ([[0.9, 0.1], [0.1, 0.9]], r"shape \(3, 3\).*got shape \(2, 2\)"),
        ([[1.2, -0.2, 0], [0, 1, 0], [0, 0, 1]], "non-negative"),
        ([[0.9, 0.2, 0], [0, 1, 0], [0, 0, 1]], r"sum to 1 .*1\.1"),
        ([[np.nan, 1, 0], [0, 1, 0], [0, 0, 1]], "finite"),
    ],
    ids=["shape", "negative", "row-sum", "nan"],
)
def test_bad_transition_matrix_is_rejected(matrix, message):
    with pytest.raises(ValueError, match=message):
        make_noisy_labels([0, 1, 2] * 5, transition_matrix=matrix)


def test_mapping_naming_an_unknown_class_is_rejected():
    with pytest.raises(ValueError, match="names the class 'wolf', which is not in y"):
        make_noisy_labels(["husky", "malamute"] * 5,
                          transition_matrix={"husky": {"wolf": 0.3}})


def test_mapping_whose_rates_sum_over_one_is_rejected():
    with pytest.raises(ValueError, match=r"rates of class 'a' sum to 1.2; .* <= 1"):
        make_noisy_labels(["a", "b", "c"] * 5,
                          transition_matrix={"a": {"b": 0.7, "c": 0.5}})


def test_mapping_rate_outside_unit_interval_is_rejected():
    with pytest.raises(ValueError, match=r"rate 'a' -> 'b' must be a number in \[0, 1\]"):
        make_noisy_labels(["a", "b"] * 5, transition_matrix={"a": {"b": -0.1}})


def test_mapping_of_a_class_to_itself_is_rejected():
    with pytest.raises(ValueError, match="maps class 'a' to itself"):
        make_noisy_labels(["a", "b"] * 5, transition_matrix={"a": {"a": 0.1}})


@pytest.mark.parametrize("noise_type", ["symmetric", "pair"])
def test_single_class_y_is_rejected(noise_type):
    with pytest.raises(ValueError, match=f"{noise_type} noise needs at least 2 classes"):
        make_noisy_labels([3] * 10, noise_rate=0.2, noise_type=noise_type)


@pytest.mark.parametrize(
    "y", [[0.0, 1.0, np.nan, 1.0], np.array(["a", None, "b"], dtype=object)],
    ids=["float-nan", "object-none"],
)
def test_missing_labels_are_rejected(y):
    with pytest.raises(ValueError, match="y contains NaN or None"):
        make_noisy_labels(y, noise_rate=0.2)


def test_continuous_y_is_rejected():
    with pytest.raises(ValueError, match="Unknown label type"):
        make_noisy_labels([0.1, 0.7, 0.3, 0.9], noise_rate=0.2)


def test_transition_matrix_with_conflicting_noise_type_is_rejected():
    with pytest.raises(ValueError, match="noise_type='pair' conflicts with transition_matrix"):
        make_noisy_labels([0, 1] * 5, noise_type="pair",
                          transition_matrix=[[0.9, 0.1], [0, 1]])


# --- instance-dependent noise -------------------------------------------------

METHODS = ["boundary", "projection"]


@pytest.fixture(scope="module")
def X_10k(y_10k):
    """Features of y_10k: class k centred at k on the first feature, overlapping
    its neighbours, plus four pure-noise features."""
    X = np.random.RandomState(1).normal(size=(y_10k.size, 5))
    X[:, 0] += y_10k
    return X


def instance_noise(y, X, method, rate=0.2, seed=0, **kwargs):
    return make_noisy_labels(y, X=X, noise_rate=rate, noise_type="instance",
                             instance_method=method, random_state=seed, **kwargs)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("rate", [0.15, 0.4])
def test_instance_noise_flips_exactly_round_rate_of_each_class(y_10k, X_10k, method, rate):
    y_noisy, mask = instance_noise(y_10k, X_10k, method, rate)
    flipped = [int(mask[y_10k == k].sum()) for k in range(4)]
    assert flipped == [round(rate * n) for n in (1000, 2000, 3000, 4000)]
    assert np.array_equal(mask, y_noisy != y_10k)


@pytest.mark.parametrize("method", METHODS)
def test_instance_counts_round_like_the_other_noise_types(method):
    # 0.25 * 7 = 1.75 -> 2 and 0.25 * 13 = 3.25 -> 3, as exact_transition_counts rounds.
    y = np.repeat(["a", "b"], [7, 13])
    X = np.random.RandomState(0).normal(size=(20, 3)) + (y == "b")[:, None]
    y_noisy, mask = instance_noise(y, X, method, 0.25)
    assert [mask[y == "a"].sum(), mask[y == "b"].sum()] == [2, 3]
    assert y_noisy.dtype == y.dtype and set(y_noisy) == {"a", "b"}


@pytest.fixture(scope="module", params=["overlapping", "digits"])
def boundary_noise(request, X_10k, y_10k):
    """20% boundary noise on a data set, and independent out-of-fold probabilities
    of its default model (own folds, seed 0)."""
    if request.param == "overlapping":
        X, y = X_10k, y_10k
    else:  # the first 1,000 digits: their logistic regressions converge in a second
        X, y = (part[:1000] for part in load_digits(return_X_y=True))
    y_noisy, mask = instance_noise(y, X, "boundary", 0.2)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    proba, _ = out_of_fold_proba(model, X, y, random_state=0)
    return y, y_noisy, mask, proba


def test_boundary_flips_the_samples_least_confident_in_their_class(boundary_noise):
    y, _, mask, proba = boundary_noise
    p_true = proba[np.arange(y.size), y]
    gap = p_true[~mask].mean() - p_true[mask].mean()
    # Flipping a uniform random 20% (the class-conditional models) gives a gap
    # of mean 0 and this standard error; the boundary flavour's must be far above.
    standard_error = p_true.std() * np.sqrt(1 / mask.sum() + 1 / (~mask).sum())
    assert gap > 10 * standard_error


def test_boundary_flips_to_the_most_confused_class_far_more_than_uniform(boundary_noise):
    y, y_noisy, mask, proba = boundary_noise
    other = proba.copy()
    other[np.arange(y.size), y] = -1
    most_confused = other.argmax(axis=1)
    hits = np.mean(y_noisy[mask] == most_confused[mask])
    uniform = 1 / (np.unique(y).size - 1)
    # A uniform choice of new label hits with probability `uniform`; 10 of its
    # binomial standard errors above that cannot happen by chance.
    assert hits > uniform + 10 * np.sqrt(uniform * (1 - uniform) / mask.sum())


def test_boundary_uses_the_noise_estimator(X_10k, y_10k):
    # A model that predicts the class prior for every sample sees no boundary:
    # every sample of a class is equally likely to flip, so the flipped ones
    # are no less typical than the kept ones.
    mask = instance_noise(y_10k, X_10k, "boundary", 0.2,
                          noise_estimator=DummyClassifier(strategy="prior"))[1]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    proba, _ = out_of_fold_proba(model, X_10k, y_10k, random_state=0)
    p_true = proba[np.arange(y_10k.size), y_10k]
    gap = p_true[~mask].mean() - p_true[mask].mean()
    standard_error = p_true.std() * np.sqrt(1 / mask.sum() + 1 / (~mask).sum())
    assert abs(gap) < 4 * standard_error


def test_boundary_takes_missing_values_with_a_model_that_does(X_10k, y_10k):
    X, y = X_10k[:1000].copy(), y_10k[:1000]
    X[::7, 1] = np.nan
    model = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression())
    y_noisy, mask = instance_noise(y, X, "boundary", 0.1, noise_estimator=model)
    assert [int(mask[y == k].sum()) for k in range(4)] == [
        round(0.1 * n) for n in np.bincount(y)]


def test_projection_target_proba_matches_a_hand_computed_example():
    weights = np.zeros((3, 2, 3))
    weights[1] = [[1.0, 9.0, 0.0], [0.0, -9.0, np.log(2)]]
    # x = (log 3, 1), class 1: logits (log 3, 0, log 2) -> class 1 removed ->
    # softmax over (log 3, log 2) = (3/5, 2/5).
    proba = projection_target_proba(np.array([[np.log(3), 1.0]]), 1, weights)
    assert np.allclose(proba, [[0.6, 0.0, 0.4]])


def reference_transition_rows(X, y, flip_rate, weights):
    """Xia et al.'s get_instance_noisy_label, one sample at a time: row i is the
    distribution of sample i's noisy label."""
    rows = []
    for x, label, q in zip(X, y, flip_rate):
        a = x @ weights[label]
        a[label] = -np.inf
        a = q * softmax(a)
        a[label] += 1 - q
        rows.append(a)
    return np.array(rows)


def test_projection_reproduces_the_reference_distribution_given_a_flip():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(12, 4)), np.arange(12) % 3
    weights, flip_rate = rng.normal(size=(3, 4, 3)), rng.uniform(0.1, 0.5, 12)
    reference = reference_transition_rows(X, y, flip_rate, weights)
    for k in range(3):
        ours = projection_target_proba(X[y == k], k, weights)
        # The reference's off-diagonal mass is q_i times our distribution.
        expected = reference[y == k].copy()
        expected[:, k] = 0
        assert np.allclose(ours * flip_rate[y == k, None], expected)


def test_projection_chooses_flips_independently_of_X_and_targets_from_X(X_10k, y_10k):
    # As in the reference, which samples flip depends on the flip rates only
    # and their new labels on the projections of X.
    y_a, mask_a = instance_noise(y_10k, X_10k, "projection", 0.3)
    y_b, mask_b = instance_noise(y_10k, 2 * X_10k[:, ::-1], "projection", 0.3)
    assert np.array_equal(mask_a, mask_b)
    assert np.mean(y_a[mask_a] != y_b[mask_b]) > 0.3


@pytest.mark.parametrize("rate", [0.0, 0.2, 0.45, 0.95])
def test_projection_flip_rates_follow_the_reference_truncated_normal(rate):
    # Xia et al.: stats.truncnorm((0 - n) / 0.1, (1 - n) / 0.1, loc=n, scale=0.1).
    rates = _flip_rates(rate, 20_000, np.random.default_rng(0))
    reference = truncnorm((0 - rate) / 0.1, (1 - rate) / 0.1, loc=rate, scale=0.1)
    assert rates.min() >= 0 and rates.max() <= 1
    assert kstest(rates, reference.cdf).pvalue > 0.01


def test_new_labels_are_drawn_in_proportion_to_their_distribution():
    # 20,000 draws from (0.6, 0, 0.4): class 1 never, class 0 within 6
    # binomial standard errors (sd = 69) of 12,000.
    draws = _draw_class(np.tile([0.6, 0.0, 0.4], (20_000, 1)), np.random.default_rng(0))
    counts = np.bincount(draws, minlength=3)
    assert counts[1] == 0 and abs(counts[0] - 12_000) < 6 * np.sqrt(20_000 * 0.6 * 0.4)


@pytest.mark.parametrize("method", METHODS)
def test_instance_noise_same_seed_same_labels_other_seed_differs(X_10k, y_10k, method):
    first = instance_noise(y_10k, X_10k, method, seed=3)[0]
    again = instance_noise(y_10k, X_10k, method, seed=3)[0]
    other = instance_noise(y_10k, X_10k, method, seed=4)[0]
    assert np.array_equal(first, again) and not np.array_equal(first, other)


@pytest.mark.parametrize("method", METHODS)
def test_instance_noise_never_modifies_y_or_X(X_10k, y_10k, method):
    X_before, y_before = X_10k.copy(), y_10k.copy()
    instance_noise(y_10k, X_10k, method, 0.3)
    assert np.array_equal(X_10k, X_before) and np.array_equal(y_10k, y_before)


@pytest.mark.parametrize("method", METHODS)
def test_instance_noise_takes_a_dataframe_and_a_series_of_strings(X_10k, y_10k, method):
    X = pd.DataFrame(X_10k, columns=[f"f{i}" for i in range(5)])
    y = pd.Series(np.array(["w", "x", "y", "z"])[y_10k], name="breed")
    y_noisy, mask = instance_noise(y, X, method, 0.2)
    assert isinstance(y_noisy, pd.Series) and y_noisy.name == "breed"
    assert mask.sum() == 2000 and np.array_equal(mask, (y_noisy != y).to_numpy())


def test_projection_takes_sparse_X(X_10k, y_10k):
    dense = instance_noise(y_10k, X_10k, "projection", 0.2)[0]
    sparse = instance_noise(y_10k, csr_matrix(X_10k), "projection", 0.2)[0]
    assert np.array_equal(dense, sparse)


@pytest.mark.parametrize("method", METHODS)
def test_instance_noise_at_rate_zero_changes_nothing(X_10k, y_10k, method):
    y_noisy, mask = instance_noise(y_10k, X_10k, method, 0.0)
    assert np.array_equal(y_noisy, y_10k) and not mask.any()


def test_X_is_ignored_by_class_conditional_noise(X_10k, y_10k):
    with_X = make_noisy_labels(y_10k, X=X_10k, noise_rate=0.2, random_state=0)[0]
    without = make_noisy_labels(y_10k, noise_rate=0.2, random_state=0)[0]
    assert np.array_equal(with_X, without)


@pytest.mark.parametrize("method", METHODS)
def test_injector_reports_instance_noise_and_its_realised_matrix(X_10k, y_10k, method):
    injector = LabelNoiseInjector(
        DummyClassifier(), noise_rate=0.2, noise_type="instance",
        instance_method=method, random_state=0,
    ).fit(X_10k, y_10k)
    y_noisy, mask = instance_noise(y_10k, X_10k, method, 0.2)
    assert np.array_equal(injector.noise_mask_, mask)
    counts = realized_counts(y_10k, y_noisy, range(4))
    assert np.allclose(injector.transition_matrix_, counts / counts.sum(axis=1, keepdims=True))
    assert np.allclose(np.diag(injector.transition_matrix_), 0.8)
    X_out, y_out = injector.fit_resample(X_10k, y_10k)
    assert X_out is X_10k and np.array_equal(y_out, y_noisy)


def test_injector_in_cross_validation_flips_exact_counts_of_each_training_fold(X_10k, y_10k):
    injector = LabelNoiseInjector(DummyClassifier(), noise_rate=0.4, noise_type="instance",
                                  random_state=0)
    folds = cross_validate(injector, X_10k, y_10k, cv=3, return_estimator=True,
                           return_indices=True)
    for model, train in zip(folds["estimator"], folds["indices"]["train"]):
        per_class = [model.noise_mask_[y_10k[train] == k].sum() for k in range(4)]
        assert per_class == [round(0.4 * n) for n in np.bincount(y_10k[train])]


# --- instance-dependent noise: bad input --------------------------------------


def test_instance_noise_without_X_is_rejected():
    with pytest.raises(ValueError, match="noise_type='instance' needs the features: pass X"):
        make_noisy_labels([0, 1] * 10, noise_rate=0.2, noise_type="instance")


@pytest.mark.parametrize("noise_type", ["instance", "symmetric"])
def test_X_of_the_wrong_length_is_rejected(noise_type):
    with pytest.raises(ValueError, match="X must have one row per label: X has 5 rows but y has 20"):
        make_noisy_labels([0, 1] * 10, X=np.zeros((5, 2)), noise_type=noise_type)


def test_nan_X_with_the_default_boundary_model_is_rejected(X_10k, y_10k):
    X = X_10k.copy()
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN.*default noise_estimator.*"
                       "HistGradientBoostingClassifier"):
        instance_noise(y_10k, X, "boundary")


def test_sparse_X_with_the_default_boundary_model_is_rejected(X_10k, y_10k):
    with pytest.raises(TypeError, match="Sparse data was passed for X.*pass a noise_estimator"):
        instance_noise(y_10k, csr_matrix(X_10k), "boundary")


@pytest.mark.parametrize("bad, message", [(np.nan, "Input X contains NaN"),
                                          (np.inf, "Input X contains infinity")])
def test_non_finite_X_with_projection_is_rejected(X_10k, y_10k, bad, message):
    X = X_10k.copy()
    X[3, 2] = bad
    with pytest.raises(ValueError, match=message):
        instance_noise(y_10k, X, "projection")


@pytest.mark.parametrize("method", METHODS)
def test_instance_noise_of_a_single_class_is_rejected(method):
    with pytest.raises(ValueError, match="instance noise needs at least 2 classes"):
        instance_noise(np.zeros(10, dtype=int), np.ones((10, 2)), method)


def test_boundary_with_a_class_smaller_than_its_folds_is_rejected():
    y = np.repeat(["a", "b"], [30, 4])
    with pytest.raises(ValueError, match="every class of y needs at least 5 samples; "
                       "class 'b' has 4. Use instance_method='projection'"):
        instance_noise(y, np.ones((34, 2)), "boundary")


def test_instance_noise_with_a_transition_matrix_is_rejected():
    with pytest.raises(ValueError, match="noise_type='instance' conflicts with transition_matrix"):
        make_noisy_labels([0, 1] * 10, X=np.ones((20, 2)), noise_type="instance",
                          transition_matrix=[[0.9, 0.1], [0.1, 0.9]])


def test_unknown_instance_method_is_rejected():
    with pytest.raises(ValueError, match="'instance_method' parameter .* Got 'random'"):
        make_noisy_labels([0, 1] * 10, X=np.ones((20, 2)), noise_type="instance",
                          instance_method="random")


def test_noise_estimator_without_predict_proba_is_rejected():
    with pytest.raises(ValueError, match="'noise_estimator' parameter .* 'predict_proba'.* Got LinearSVC"):
        make_noisy_labels([0, 1] * 10, X=np.ones((20, 2)), noise_type="instance",
                          noise_estimator=LinearSVC())


def test_noise_transition_matrix_has_no_instance_model():
    with pytest.raises(ValueError, match="'noise_type' parameter .* Got 'instance'"):
        noise_transition_matrix([0, 1], 0.2, "instance")
