import pickle

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_blobs, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skrobust import LabelNoiseInjector, make_noisy_labels


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Remembers the labels and sample weights its fit saw; predicts the majority."""

    def fit(self, X, y, sample_weight=None):
        self.y_seen_ = np.asarray(y).copy()
        self.sample_weight_seen_ = sample_weight
        self.classes_, counts = np.unique(y, return_counts=True)
        self.n_features_in_ = np.shape(X)[1]
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=400, n_features=6, random_state=0)


@pytest.fixture(scope="module")
def separable():
    """Two far-apart blobs: any sensible classifier is perfect on clean labels."""
    return make_blobs(n_samples=600, centers=[[-10, -10], [10, 10]], random_state=0)


def test_inner_estimator_is_fit_on_the_noisy_labels(data):
    X, y = data
    model = LabelNoiseInjector(RecordingClassifier(), noise_rate=0.25, random_state=0).fit(X, y)
    expected, mask = make_noisy_labels(y, noise_rate=0.25, random_state=0)
    assert np.array_equal(model.estimator_.y_seen_, expected)
    assert np.array_equal(model.noise_mask_, mask) and mask.mean() == 0.25
    assert np.allclose(model.transition_matrix_, [[0.75, 0.25], [0.25, 0.75]])


def test_zero_noise_is_identical_to_the_inner_estimator(data):
    X, y = data
    forest = RandomForestClassifier(n_estimators=20, random_state=0)
    model = LabelNoiseInjector(forest, noise_rate=0, random_state=0).fit(X, y)
    plain = clone(forest).fit(X, y)
    assert np.array_equal(model.predict_proba(X), plain.predict_proba(X))
    assert not model.noise_mask_.any()


def test_held_out_folds_are_scored_on_the_labels_given(separable):
    # 30% symmetric noise in training. Were the test folds corrupted too,
    # accuracy could not exceed about 0.7; on clean folds it stays near 1.
    X, y = separable
    model = LabelNoiseInjector(LogisticRegression(), noise_rate=0.3, random_state=0)
    scores = cross_validate(model, X, y, cv=5, return_estimator=True)
    assert scores["test_score"].min() >= 0.98
    assert all(est.noise_mask_.mean() == pytest.approx(0.3, abs=0.01)
               for est in scores["estimator"])


def test_grid_search_over_noise_rate_and_estimator(separable):
    X, y = separable
    grid = GridSearchCV(
        LabelNoiseInjector(random_state=0),
        {"noise_rate": [0, 0.2, 0.4], "estimator": [LogisticRegression(),
                                                    DecisionTreeClassifier(random_state=0)]},
        cv=3,
    ).fit(X, y)
    results = grid.cv_results_
    assert len(results["params"]) == 6
    tree_at_40 = [s for p, s in zip(results["params"], results["mean_test_score"])
                  if p["noise_rate"] == 0.4 and isinstance(p["estimator"], DecisionTreeClassifier)]
    logistic_at_40 = [s for p, s in zip(results["params"], results["mean_test_score"])
                      if p["noise_rate"] == 0.4 and isinstance(p["estimator"], LogisticRegression)]
    # A fully grown tree memorises the noise; the linear model shrugs it off.
    assert tree_at_40[0] < 0.8 < 0.95 < logistic_at_40[0]


def test_works_as_the_last_step_of_a_pipeline(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), LabelNoiseInjector(noise_rate=0.1, random_state=0))
    assert pipe.fit(X, y).score(X, y) > 0.8
    assert pipe.predict_proba(X).shape == (400, 2)


def test_clone_and_pickle_keep_predictions(data):
    X, y = data
    model = LabelNoiseInjector(RandomForestClassifier(n_estimators=10, random_state=0),
                               noise_rate=0.2, random_state=1)
    fitted = clone(model).fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    assert np.array_equal(restored.predict_proba(X), fitted.predict_proba(X))
    assert clone(model).get_params(deep=False).keys() == model.get_params(deep=False).keys()
    assert clone(model).noise_rate == 0.2 and clone(model).random_state == 1


def test_same_random_state_same_model_different_seed_different_noise(data):
    X, y = data
    first = LabelNoiseInjector(random_state=5).fit(X, y)
    again = LabelNoiseInjector(random_state=5).fit(X, y)
    other = LabelNoiseInjector(random_state=6).fit(X, y)
    assert np.array_equal(first.noise_mask_, again.noise_mask_)
    assert np.array_equal(first.predict_proba(X), again.predict_proba(X))
    assert not np.array_equal(first.noise_mask_, other.noise_mask_)


def test_string_labels_and_pandas_input(data):
    X, y = data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    labels = pd.Series(np.where(y == 1, "husky", "malamute"))
    model = LabelNoiseInjector(noise_rate=0.1, random_state=0).fit(frame, labels)
    assert model.classes_.tolist() == ["husky", "malamute"]
    assert model.feature_names_in_.tolist() == list(frame.columns)
    assert set(model.predict(frame)) <= {"husky", "malamute"}
    assert labels.iloc[0] in ("husky", "malamute") and labels.dtype != float  # untouched


def test_fit_never_modifies_y(data):
    X, y = data
    before = y.copy()
    LabelNoiseInjector(noise_rate=0.3, random_state=0).fit(X, y)
    assert np.array_equal(y, before)


def test_class_mapping_noise_moves_only_named_classes():
    X, y = make_blobs(n_samples=300, centers=3, random_state=0)
    names = np.array(["husky", "malamute", "labrador"])[y]
    model = LabelNoiseInjector(RecordingClassifier(),
                               transition_matrix={"husky": {"malamute": 0.3}},
                               random_state=0).fit(X, names)
    changed = names[model.noise_mask_]
    assert set(changed) == {"husky"} and changed.size == 30
    assert set(model.estimator_.y_seen_[model.noise_mask_]) == {"malamute"}


def test_sample_weight_is_forwarded_without_routing(data):
    X, y = data
    weights = np.arange(len(y), dtype=float)
    model = LabelNoiseInjector(RecordingClassifier()).fit(X, y, sample_weight=weights)
    assert model.estimator_.sample_weight_seen_ is weights


def test_sample_weight_is_routed_on_request_with_metadata_routing(data):
    X, y = data
    weights = np.ones(len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        inner = RecordingClassifier().set_fit_request(sample_weight=True)
        model = LabelNoiseInjector(inner).fit(X, y, sample_weight=weights)
        assert model.estimator_.sample_weight_seen_ is weights
        unrequested = LabelNoiseInjector(RecordingClassifier())
        with pytest.raises(sklearn.exceptions.UnsetMetadataPassedError):
            unrequested.fit(X, y, sample_weight=weights)


def test_fit_resample_returns_x_and_noisy_labels(data):
    X, y = data
    injector = LabelNoiseInjector(noise_rate=0.2, random_state=0)
    X_out, y_noisy = injector.fit_resample(X, y)
    assert X_out is X
    assert np.array_equal(y_noisy, make_noisy_labels(y, noise_rate=0.2, random_state=0)[0])
    with pytest.raises(sklearn.exceptions.NotFittedError):
        injector.predict(X)


def test_works_as_a_sampler_in_an_imbalanced_learn_pipeline(separable):
    from imblearn import pipeline as imblearn_pipeline
    X, y = separable
    pipe = imblearn_pipeline.make_pipeline(
        LabelNoiseInjector(noise_rate=0.3, random_state=0), RecordingClassifier()
    ).fit(X, y)
    seen = pipe[-1].y_seen_
    assert np.mean(seen != y) == pytest.approx(0.3)
    assert pipe.predict(X).shape == y.shape  # the sampler is skipped at predict


def test_predict_before_fit_raises(data):
    with pytest.raises(sklearn.exceptions.NotFittedError):
        LabelNoiseInjector().predict(data[0])


def test_delegates_only_the_methods_the_inner_estimator_has():
    assert hasattr(LabelNoiseInjector(), "predict_proba")
    assert not hasattr(LabelNoiseInjector(RecordingClassifier()), "predict_proba")
    assert not hasattr(LabelNoiseInjector(RandomForestClassifier()), "decision_function")


@pytest.mark.parametrize(
    "params, error, message",
    [
        ({"noise_rate": 1.0}, ValueError, r"'noise_rate' parameter .* \[0.0, 1.0\)"),
        ({"noise_rate": "high"}, TypeError, "'noise_rate' parameter .* must be a float"),
        ({"noise_type": "uniform"}, ValueError, "'noise_type' parameter .* among"),
        ({"estimator": "forest"}, TypeError, "'estimator' parameter .* object implementing"),
        ({"transition_matrix": [[0.9, 0.1], [0.5, 0.6]]}, ValueError, "rows must each sum to 1"),
        ({"transition_matrix": [[1, 0], [0, 1]], "noise_type": "pair"}, ValueError,
         "conflicts with transition_matrix"),
    ],
)
def test_bad_parameters_are_rejected_at_fit(data, params, error, message):
    X, y = data
    with pytest.raises(error, match=message):
        LabelNoiseInjector(**params).fit(X, y)


def test_inconsistent_lengths_are_rejected(data):
    X, y = data
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LabelNoiseInjector().fit(X, y[:-1])


def test_classes_are_those_of_y_when_the_noise_empties_a_class():
    X, y = make_blobs(n_samples=60, centers=3, random_state=0)
    model = LabelNoiseInjector(transition_matrix={2: {0: 0.99}}, random_state=0).fit(X, y)
    assert 2 not in model.estimator_.classes_  # no row is left with label 2
    assert model.classes_.tolist() == [0, 1, 2]
    proba = model.predict_proba(X)
    assert proba.shape == (60, 3)
    np.testing.assert_array_equal(proba[:, 2], 0.0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
