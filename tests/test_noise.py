import numpy as np
import pandas as pd
import pytest
from scipy.stats import chisquare

from skrobust import make_noisy_labels, noise_transition_matrix
from skrobust.noise import exact_transition_counts


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


def test_rate_rounding_to_zero_flips_nothing():
    y = np.repeat([0, 1], [3, 3])
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
