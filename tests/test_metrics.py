"""Noise-corrected scoring: clean-label accuracy estimated from noisy labels.

The statistical tests use fixed seeds and tolerances derived from the sample
size: the corrected accuracy is the mean over samples of ``T⁻¹[noisy, pred]``,
whose difference from the clean accuracy has mean zero under the noise model,
so its standard error is computed from the samples themselves and the test
allows four of them.
"""

import copy

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

import skrobust
from skrobust import make_noisy_labels, noise_transition_matrix
from skrobust.metrics import (
    estimate_transition_matrix,
    make_noise_corrected_scorer,
    noise_corrected_accuracy,
    noise_corrected_confusion_matrix,
)

N_SE = 4  # standard errors allowed


def _classifiers():
    return {
        "logistic": LogisticRegression(max_iter=1000),
        "naive_bayes": GaussianNB(),
        "tree": DecisionTreeClassifier(min_samples_leaf=20, random_state=0),
        "knn15": KNeighborsClassifier(n_neighbors=15),
    }


def _codes(values, classes):
    return np.searchsorted(classes, values)


def _standard_errors(y_true, y_noisy, y_pred, matrix, classes):
    """SE of corrected - clean, and of plain - its expectation under the model."""
    true, noisy, pred = (_codes(v, classes) for v in (y_true, y_noisy, y_pred))
    correct = (pred == true).astype(float)
    corrected_scores = np.linalg.inv(matrix)[noisy, pred]
    plain_scores = (noisy == pred).astype(float)
    expected_plain = matrix[true, pred]  # P(noisy label = prediction | true class)
    n = len(y_true)
    return (
        np.std(corrected_scores - correct, ddof=1) / np.sqrt(n),
        np.std(plain_scores - expected_plain, ddof=1) / np.sqrt(n),
        expected_plain.mean(),
    )


def _problem(n_classes, seed):
    X, y = make_classification(
        n_samples=7000,
        n_features=12,
        n_informative=8,
        n_redundant=2,
        n_classes=n_classes,
        n_clusters_per_class=1,
        class_sep=2.0,
        flip_y=0.0,
        random_state=seed,
    )
    return X[:2000], y[:2000], X[2000:], y[2000:]


CASES = {
    "2 classes, symmetric 30%": (2, lambda classes: noise_transition_matrix(classes, 0.3)),
    "10 classes, symmetric 40%": (10, lambda classes: noise_transition_matrix(classes, 0.4)),
    "10 classes, pair 30%": (10, lambda classes: noise_transition_matrix(classes, 0.3, "pair")),
    "10 classes, class-conditional mapping": (
        10,
        lambda classes: {0: {1: 0.3, 2: 0.1}, 3: {8: 0.35}, 5: {6: 0.2, 9: 0.2}, 7: {0: 0.25}},
    ),
}


@pytest.fixture(scope="module", params=list(CASES))
def noisy_validation(request):
    n_classes, noise = CASES[request.param]
    X_train, y_train, X_val, y_val = _problem(n_classes, seed=len(request.param))
    classes = np.unique(y_val)
    model = noise(classes)
    matrix = (
        skrobust.noise._matrix_from_mapping(classes, model) if isinstance(model, dict) else model
    )
    y_train_noisy, _ = make_noisy_labels(y_train, transition_matrix=model, random_state=1)
    y_val_noisy, _ = make_noisy_labels(y_val, transition_matrix=model, random_state=2)
    predictions = {
        name: clf.fit(X_train, y_train_noisy).predict(X_val)
        for name, clf in _classifiers().items()
    }
    return y_val, y_val_noisy, predictions, model, matrix, classes


def test_corrected_accuracy_matches_clean_accuracy_within_sampling_error(noisy_validation):
    y_val, y_noisy, predictions, model, matrix, classes = noisy_validation
    for name, y_pred in predictions.items():
        clean = accuracy_score(y_val, y_pred)
        corrected = noise_corrected_accuracy(y_noisy, y_pred, transition_matrix=model)
        se_corrected, _, _ = _standard_errors(y_val, y_noisy, y_pred, matrix, classes)
        assert abs(corrected - clean) <= N_SE * se_corrected, (name, corrected, clean)


def test_plain_accuracy_misses_by_what_the_noise_model_predicts(noisy_validation):
    y_val, y_noisy, predictions, model, matrix, classes = noisy_validation
    for name, y_pred in predictions.items():
        clean = accuracy_score(y_val, y_pred)
        plain = accuracy_score(y_noisy, y_pred)
        _, se_plain, expected_plain = _standard_errors(y_val, y_noisy, y_pred, matrix, classes)
        assert abs(plain - expected_plain) <= N_SE * se_plain, (name, plain, expected_plain)
        assert clean - plain > 10 * se_plain, (name, plain, clean)  # plainly wrong


def test_corrected_accuracy_is_the_trace_of_the_corrected_confusion_matrix(noisy_validation):
    _, y_noisy, predictions, model, _, _ = noisy_validation
    y_pred = predictions["logistic"]
    confusion = noise_corrected_confusion_matrix(y_noisy, y_pred, transition_matrix=model)
    accuracy = noise_corrected_accuracy(y_noisy, y_pred, transition_matrix=model)
    assert accuracy == pytest.approx(np.trace(confusion) / len(y_pred), abs=1e-12)
    # Columns keep the number of samples predicted as each class.
    predicted = confusion_matrix(y_noisy, y_pred).sum(axis=0)
    np.testing.assert_allclose(confusion.sum(axis=0), predicted, atol=1e-9)


@pytest.fixture(scope="module")
def small_problem():
    X, y = make_classification(n_samples=300, n_classes=3, n_informative=4, random_state=0)
    y_pred = LogisticRegression(max_iter=1000).fit(X[:150], y[:150]).predict(X[150:])
    return X[150:], y[150:], y_pred


def test_identity_matrix_gives_plain_accuracy_exactly(small_problem):
    _, y, y_pred = small_problem
    eye = np.eye(3)
    assert noise_corrected_accuracy(y, y_pred, transition_matrix=eye) == accuracy_score(y, y_pred)
    assert noise_corrected_accuracy(y, y_pred, transition_matrix={}) == accuracy_score(y, y_pred)
    np.testing.assert_array_equal(
        noise_corrected_confusion_matrix(y, y_pred, transition_matrix=eye),
        confusion_matrix(y, y_pred),
    )


def test_string_labels_and_labels_order():
    y_true = np.array(["husky"] * 60 + ["malamute"] * 60 + ["wolf"] * 60)
    mapping = {"husky": {"malamute": 0.3}, "malamute": {"husky": 0.2}}
    y_noisy, _ = make_noisy_labels(y_true, transition_matrix=mapping, random_state=0)
    y_pred = y_true.copy()
    y_pred[::7] = "wolf"
    by_mapping = noise_corrected_accuracy(y_noisy, y_pred, transition_matrix=mapping)
    reordered = ["wolf", "husky", "malamute"]
    matrix = np.array([[1.0, 0.0, 0.0], [0.0, 0.7, 0.3], [0.0, 0.2, 0.8]])  # rows: reordered
    by_array = noise_corrected_accuracy(
        y_noisy, y_pred, transition_matrix=matrix, labels=reordered
    )
    assert by_array == pytest.approx(by_mapping, abs=1e-12)
    # Flips spread evenly over the predictions make the estimate exact here.
    assert by_mapping == pytest.approx(accuracy_score(y_true, y_pred), abs=0.03)


def test_labels_cover_a_class_missing_from_the_sample():
    y_noisy = np.array([0, 0, 1, 1, 0, 1])
    y_pred = np.array([0, 1, 1, 0, 0, 1])
    # Class 2 neither loses labels to nor gains them from classes 0 and 1.
    matrix = np.array([[0.8, 0.2, 0.0], [0.2, 0.8, 0.0], [0.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match=r"transition_matrix must have shape \(2, 2\)"):
        noise_corrected_accuracy(y_noisy, y_pred, transition_matrix=matrix)
    with_labels = noise_corrected_accuracy(
        y_noisy, y_pred, transition_matrix=matrix, labels=[0, 1, 2]
    )
    two_classes = noise_corrected_accuracy(y_noisy, y_pred, transition_matrix=matrix[:2, :2])
    assert with_labels == pytest.approx(two_classes, abs=1e-12)
    assert two_classes == pytest.approx((4 / 6 - 0.2) / 0.6, abs=1e-12)


@pytest.mark.parametrize(
    "y_pred_of_noisy, expected",
    [(lambda y: y, 1.0), (lambda y: 1 - y, 0.0)],
    ids=["predictions copy the noisy labels", "predictions contradict them"],
)
def test_estimate_outside_unit_interval_is_clipped_with_a_warning(y_pred_of_noisy, expected):
    # Predictions that follow the noisy labels violate the independence the
    # correction assumes; the algebra then leaves [0, 1].
    y_noisy = np.array([0, 1] * 20)
    with pytest.warns(UserWarning, match=r"outside \[0, 1\] and is clipped"):
        value = noise_corrected_accuracy(
            y_noisy, y_pred_of_noisy(y_noisy), transition_matrix=[[0.8, 0.2], [0.2, 0.8]]
        )
    assert value == expected


BAD_INPUT = [
    (
        dict(transition_matrix=np.eye(3)),
        ValueError,
        r"transition_matrix must have shape \(2, 2\), one row and column per class",
    ),
    (
        dict(transition_matrix=[[0.8, 0.1], [0.2, 0.8]]),
        ValueError,
        "transition_matrix rows must each sum to 1",
    ),
    (
        dict(transition_matrix=[[1.2, -0.2], [0.2, 0.8]]),
        ValueError,
        "transition_matrix must hold finite, non-negative probabilities",
    ),
    (
        dict(transition_matrix=[[0.5, 0.5], [0.5, 0.5]]),
        ValueError,
        r"transition_matrix is singular or too ill-conditioned .* \(K - 1\) / K = 0.5",
    ),
    (
        dict(transition_matrix=[[0.503, 0.497], [0.497, 0.503]]),
        ValueError,
        r"too ill-conditioned to correct for \(condition number 167, above 100\)",
    ),
    (
        dict(transition_matrix={"fox": {"cat": 0.1}}),
        ValueError,
        "transition_matrix names the class 'fox'",
    ),
    (
        dict(transition_matrix="symmetric"),
        ValueError,
        "The 'transition_matrix' parameter of noise_corrected_accuracy must be",
    ),
    (
        dict(transition_matrix=np.eye(2), labels=["cat"]),
        ValueError,
        r"y_noisy contains the labels \['dog'\], which are not in labels",
    ),
    (
        dict(transition_matrix=np.eye(3), labels=["cat", "dog", "dog"]),
        ValueError,
        "labels must not repeat a class",
    ),
    (
        dict(transition_matrix=np.eye(2), y_pred=["cat", "dog", "cat"]),
        ValueError,
        "y_noisy and y_pred must have one entry per sample; got 4 noisy labels and 3",
    ),
    (
        dict(transition_matrix=np.eye(2), y_pred=[0, 1, 0, 1]),
        ValueError,
        "y_noisy and y_pred must hold labels of the same kind",
    ),
    (
        dict(transition_matrix=np.eye(2), y_pred=["cat", None, "cat", "dog"]),
        ValueError,
        "Input y_pred contains NaN or None",
    ),
]


@pytest.mark.parametrize("kwargs, error, message", BAD_INPUT)
def test_bad_input_raises_naming_the_parameter_and_leaves_inputs_unchanged(kwargs, error, message):
    kwargs = {"y_noisy": np.array(["cat", "dog", "dog", "cat"]), "y_pred": np.array(["cat", "cat", "dog", "dog"]), **kwargs}
    before = copy.deepcopy(kwargs)
    with pytest.raises(error, match=message):
        noise_corrected_accuracy(**kwargs)
    with pytest.raises(error, match=message.replace("noise_corrected_accuracy", "noise_corrected_confusion_matrix")):
        noise_corrected_confusion_matrix(**kwargs)
    for key, value in before.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(kwargs[key], value)
        else:
            assert kwargs[key] == value


def test_inputs_are_not_modified(small_problem):
    _, y, y_pred = small_problem
    matrix = noise_transition_matrix([0, 1, 2], 0.3, "pair")
    copies = [a.copy() for a in (y, y_pred, matrix)]
    noise_corrected_accuracy(y, y_pred, transition_matrix=matrix)
    noise_corrected_confusion_matrix(y, y_pred, transition_matrix=matrix)
    for original, kept in zip((y, y_pred, matrix), copies):
        np.testing.assert_array_equal(original, kept)


# --- the scorer -----------------------------------------------------------------


@pytest.fixture(scope="module")
def one_sided_noise():
    """Class 0 labelled 1 40% of the time: the noisy labels favour predicting 1."""
    X, y = make_classification(
        n_samples=6000, n_features=5, n_informative=3, class_sep=1.0, flip_y=0, random_state=0
    )
    noise = {0: {1: 0.4}}
    y_noisy, _ = make_noisy_labels(y, transition_matrix=noise, random_state=0)
    return X, y, y_noisy, noise


def test_scorer_in_cross_validate_matches_clean_accuracy_per_fold(one_sided_noise):
    X, y, y_noisy, noise = one_sided_noise
    matrix = np.array([[0.6, 0.4], [0.0, 1.0]])
    scores = cross_validate(
        LogisticRegression(class_weight={0: 7 / 3, 1: 1}),
        X,
        y_noisy,
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        scoring={"corrected": make_noise_corrected_scorer(transition_matrix=noise), "plain": "accuracy"},
        return_estimator=True,
        return_indices=True,
    )
    for fold, (model, test) in enumerate(zip(scores["estimator"], scores["indices"]["test"])):
        y_pred = model.predict(X[test])
        clean = accuracy_score(y[test], y_pred)
        se, se_plain, _ = _standard_errors(y[test], y_noisy[test], y_pred, matrix, np.array([0, 1]))
        assert abs(scores["test_corrected"][fold] - clean) <= N_SE * se
        assert abs(scores["test_plain"][fold] - clean) > 10 * se_plain


def test_grid_search_with_corrected_scorer_picks_what_clean_labels_pick(one_sided_noise):
    # Scored on the noisy labels, the model fitted to them (no class weight)
    # looks best; on the clean labels the reweighted one is far better
    # (about 0.69 against 0.50), and so it is for the corrected scorer.
    X, y, y_noisy, noise = one_sided_noise
    grid = {"class_weight": [None, {0: 7 / 3, 1: 1}]}
    folds = StratifiedKFold(3, shuffle=True, random_state=0)

    def search(scoring):
        return GridSearchCV(LogisticRegression(), grid, scoring=scoring, cv=folds).fit(X, y_noisy)

    corrected = search(make_noise_corrected_scorer(transition_matrix=noise))
    plain = search("accuracy")
    clean = [
        np.mean(
            [
                accuracy_score(y[test], LogisticRegression(**params).fit(X[train], y_noisy[train]).predict(X[test]))
                for train, test in folds.split(X, y_noisy)
            ]
        )
        for params in ({"class_weight": w} for w in grid["class_weight"])
    ]
    assert np.argmax(clean) == 1
    assert corrected.best_index_ == 1
    assert plain.best_index_ == 0
    assert corrected.best_score_ == pytest.approx(clean[1], abs=0.03)


@pytest.fixture(scope="module")
def separable_pair_noise():
    X, y = make_blobs(n_samples=3000, centers=[[-6, 0], [0, 6], [6, 0]], random_state=0)
    noise = noise_transition_matrix([0, 1, 2], 0.3, "pair")
    y_noisy, _ = make_noisy_labels(y, transition_matrix=noise, random_state=0)
    return X, y, y_noisy, noise


def test_estimated_transition_matrix_recovers_the_noise_on_separable_data(separable_pair_noise):
    X, _, y_noisy, noise = separable_pair_noise
    estimate = estimate_transition_matrix(None, X, y_noisy, random_state=0)
    np.testing.assert_allclose(estimate.sum(axis=1), 1.0)
    assert np.abs(estimate - noise).max() < 0.05


def test_estimating_scorer_is_deterministic_and_beats_the_plain_score(separable_pair_noise):
    X, y, y_noisy, _ = separable_pair_noise
    model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X[:1000], y_noisy[:1000])
    scorer = make_noise_corrected_scorer(transition_matrix="estimate")
    first = scorer(model, X[1000:], y_noisy[1000:])
    assert scorer(model, X[1000:], y_noisy[1000:]) == first
    clean = model.score(X[1000:], y[1000:])
    plain = model.score(X[1000:], y_noisy[1000:])
    assert abs(first - clean) < abs(plain - clean) / 5


def test_estimating_scorer_follows_the_estimators_class_order(separable_pair_noise):
    X, _, y_noisy, _ = separable_pair_noise
    names = np.array(["c", "a", "b"])[y_noisy]  # sorted order differs from the codes
    model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X[:1000], names[:1000])
    by_default = make_noise_corrected_scorer(transition_matrix="estimate")(model, X[1000:], names[1000:])
    by_labels = make_noise_corrected_scorer(transition_matrix="estimate", labels=["b", "c", "a"])(
        model, X[1000:], names[1000:]
    )
    assert by_labels == pytest.approx(by_default, abs=1e-12)


def test_estimating_scorer_needs_every_class_in_the_fold(separable_pair_noise):
    X, _, y_noisy, _ = separable_pair_noise
    model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y_noisy)
    kept = y_noisy != 2
    with pytest.raises(ValueError, match=r"transition_matrix='estimate' needs every class .* \[2\]"):
        make_noise_corrected_scorer(transition_matrix="estimate")(model, X[kept], y_noisy[kept])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(transition_matrix="estimated"), "The 'transition_matrix' parameter of make_noise_corrected_scorer"),
        (dict(transition_matrix=[[0.5, 0.5], [0.5, 0.5]]), "transition_matrix is singular"),
        (dict(transition_matrix=[[0.9, 0.2], [0.2, 0.8]]), "transition_matrix rows must each sum to 1"),
        (dict(transition_matrix=[0.8, 0.2]), r"transition_matrix must have shape \(2, 2\)"),
        (dict(transition_matrix="estimate", random_state=None), "The 'random_state' parameter"),
        (dict(transition_matrix="estimate", noise_estimator="forest"), "The 'noise_estimator' parameter"),
    ],
)
def test_scorer_bad_parameters_raise_when_made(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_noise_corrected_scorer(**kwargs)


def test_estimate_transition_matrix_bad_input_names_the_parameter():
    X, y = make_blobs(n_samples=40, centers=2, random_state=0)
    with pytest.raises(ValueError, match="The 'estimator' parameter of estimate_transition_matrix"):
        estimate_transition_matrix("forest", X, y)
    with pytest.raises(ValueError, match="The 'cv' parameter of estimate_transition_matrix"):
        estimate_transition_matrix(None, X, y, cv="five")


def test_public_names_and_submodule():
    import skrobust.metrics

    for name in skrobust.metrics.__all__:
        assert getattr(skrobust, name) is getattr(skrobust.metrics, name)
        assert name in dir(skrobust)
