"""Tests of :class:`skrobust.NoisyLabelSelector`: it chooses from noisy labels alone."""

import pickle
import sys

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_moons
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skrobust import NoisyLabelSelector, make_noisy_labels, selection

COLUMNS = ["candidate", "fold", "corrected_score", "noisy_score", "fit_time",
           "corrected_is_noisy", "note"]


def _fast():
    return {
        "linear": LogisticRegression(),
        "tree": DecisionTreeClassifier(max_depth=3, random_state=0),
        "majority": DummyClassifier(),
    }


@pytest.fixture(scope="module")
def moons():
    """Two interleaved half-moons (a linear model cannot separate them), 20% of labels flipped."""
    X, y = make_moons(n_samples=600, noise=0.15, random_state=0)
    y_noisy, _ = make_noisy_labels(y, noise_rate=0.2, random_state=0)
    return X, y, y_noisy


@pytest.fixture(scope="module")
def blobs():
    X, y = make_classification(n_samples=300, n_features=6, n_informative=4, n_redundant=0,
                               n_classes=3, n_clusters_per_class=1, random_state=0)
    y_noisy, _ = make_noisy_labels(y, noise_rate=0.2, random_state=0)
    return X, y_noisy


@pytest.fixture(scope="module")
def fast_fit(blobs):
    """``(X, y, copies of X and y before the fit, candidates, selector)``: ``_fast()`` chosen by 3 folds, seed 0."""
    X, y = blobs
    before = X.copy(), y.copy()
    candidates = _fast()
    return X, y, before, candidates, NoisyLabelSelector(candidates, cv=3, random_state=0).fit(X, y)


def _without_times(results):
    return {k: v for k, v in results.items() if k != "fit_time"}


def _assert_same_results(a, b):
    a, b = _without_times(a), _without_times(b)
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.mark.parametrize("scoring", ["corrected", "noisy"])
def test_picks_the_model_that_fits_the_shape_of_the_classes(moons, scoring):
    X, y, y_noisy = moons
    candidates = {"linear": LogisticRegression(),
                  "forest": RandomForestClassifier(min_samples_leaf=5, random_state=0)}
    selector = NoisyLabelSelector(candidates, scoring=scoring, random_state=0).fit(X, y_noisy)
    assert selector.best_name_ == "forest"
    forest = RandomForestClassifier(min_samples_leaf=5, random_state=0).fit(X, y_noisy)
    np.testing.assert_array_equal(selector.predict(X), forest.predict(X))
    assert selector.score(X, y) > 0.9  # clean labels it never saw


def test_corrected_score_estimates_the_clean_accuracy_and_the_plain_score_does_not(moons):
    X, y, y_noisy = moons
    selector = NoisyLabelSelector({"forest": RandomForestClassifier(min_samples_leaf=5, random_state=0)},
                                  random_state=0).fit(X, y_noisy)
    results = selector.cv_results_
    assert not results["corrected_is_noisy"].any()
    # The forest's clean accuracy here is about 0.97; with 20% flipped labels its plain
    # accuracy is about 0.8 * 0.97 + 0.2 * 0.03 = 0.78, and 120 held-out rows per fold
    # give a standard error of the fold mean under 0.03.
    assert results["noisy_score"].mean() < 0.83
    assert results["corrected_score"].mean() > 0.9


def test_cv_results_has_one_row_per_candidate_and_fold(blobs):
    X, y = blobs
    selector = NoisyLabelSelector(_fast(), cv=4, random_state=0).fit(X, y)
    results = selector.cv_results_
    assert list(results) == COLUMNS
    assert all(len(column) == 3 * 4 for column in results.values())
    assert results["candidate"].tolist() == [n for n in _fast() for _ in range(4)]
    assert results["fold"].tolist() == [0, 1, 2, 3] * 3
    assert (results["fit_time"] > 0).all()
    column = results[f"{selector.scoring}_score"]
    means = {n: column[results["candidate"] == n].mean() for n in _fast()}
    assert selector.best_name_ == max(means, key=means.get)
    assert selector.best_score_ == pytest.approx(means[selector.best_name_])


def test_the_noise_is_estimated_once_per_fold_and_shared_by_every_candidate(blobs, monkeypatch):
    import skrobust

    calls = []
    estimate = skrobust.estimate_transition_matrix

    def counting(*args, **kwargs):
        calls.append(len(args[2]))
        return estimate(*args, **kwargs)

    monkeypatch.setattr(skrobust, "estimate_transition_matrix", counting)
    X, y = blobs
    NoisyLabelSelector(_fast(), cv=3, random_state=0).fit(X, y)
    assert len(calls) == 3  # 3 folds, 3 candidates: one estimate per fold
    assert all(n == 200 for n in calls)  # on the training rows only


def test_a_fold_whose_noise_cannot_be_estimated_is_scored_plainly_with_a_warning(blobs, monkeypatch):
    import skrobust

    def failing(*args, **kwargs):
        raise ValueError("Confident learning put no sample confidently in the true classes [2]")

    monkeypatch.setattr(skrobust, "estimate_transition_matrix", failing)
    X, y = blobs
    with pytest.warns(UserWarning, match="3 of 3 folds could not be scored with the noise-corrected"):
        selector = NoisyLabelSelector(_fast(), cv=3, random_state=0).fit(X, y)
    results = selector.cv_results_
    assert results["corrected_is_noisy"].all()
    np.testing.assert_array_equal(results["corrected_score"], results["noisy_score"])
    assert "no sample confidently" in results["note"][0]


def test_a_single_candidate_is_that_candidate_refitted_on_every_row(blobs):
    X, y = blobs
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.3))
    selector = NoisyLabelSelector([("only", model)], cv=3, random_state=0).fit(X, y)
    plain = clone(model).fit(X, y)
    assert selector.best_name_ == "only"
    np.testing.assert_array_equal(selector.predict(X), plain.predict(X))
    np.testing.assert_allclose(selector.predict_proba(X), plain.predict_proba(X))
    np.testing.assert_allclose(selector.decision_function(X), plain.decision_function(X))
    assert model.named_steps["logisticregression"].__dict__.get("coef_") is None  # not fitted itself


def test_one_random_state_gives_one_result(fast_fit):
    X, y, _, _, a = fast_fit
    b = NoisyLabelSelector(_fast(), cv=3, random_state=0).fit(X, y)
    _assert_same_results(a.cv_results_, b.cv_results_)
    assert a.best_name_ == b.best_name_
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_string_labels_are_chosen_and_predicted_as_given(blobs):
    X, y = blobs
    names = np.array(["ant", "bee", "cat"])[y]
    selector = NoisyLabelSelector(_fast(), cv=3, random_state=0).fit(X, names)
    assert selector.classes_.tolist() == ["ant", "bee", "cat"]
    assert set(selector.predict(X)) <= {"ant", "bee", "cat"}
    assert selector.predict_proba(X).shape == (len(X), 3)


def test_default_candidates_are_named_seeded_and_mae_only_with_keras(monkeypatch):
    monkeypatch.setattr(selection, "_keras_installed", lambda: False)
    candidates = selection.default_candidates(3)
    assert list(candidates) == ["random_forest", "gradient_boosting", "logistic_regression", "mlp",
                                "clean_first_forest", "clean_first_boosting", "coteaching"]
    assert candidates["random_forest"].random_state == 3
    assert candidates["clean_first_boosting"].estimator.random_state == 3
    monkeypatch.setattr(selection, "_keras_installed", lambda: True)
    assert list(selection.default_candidates(3))[-1] == "mae"


def test_finding_keras_does_not_import_tensorflow():
    import subprocess
    import sys

    code = ("import sys, skrobust.selection as s; s.default_candidates(0); "
            "print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_default_candidates_are_cross_validated_and_one_is_chosen(monkeypatch):
    monkeypatch.setattr(selection, "_keras_installed", lambda: False)
    # two classes (gradient boosting grows one tree per iteration) and two processes keep it short
    X, y = make_classification(n_samples=200, n_features=8, random_state=100)
    y_noisy, _ = make_noisy_labels(y, noise_rate=0.2, random_state=100)
    selector = NoisyLabelSelector(cv=2, random_state=100, n_jobs=2).fit(X, y_noisy)
    assert set(selector.cv_results_["candidate"]) == set(selection.default_candidates())
    assert len(selector.cv_results_["fold"]) == 7 * 2
    results = pd.DataFrame(selector.cv_results_)
    means = results.groupby("candidate", sort=False)[f"{selector.scoring}_score"].mean()
    assert selector.best_name_ == means.idxmax()  # the best mean score; ties: the first listed
    expected = type(selection.default_candidates(100)[selector.best_name_])
    assert isinstance(selector.best_estimator_, expected)
    assert selector.predict(X).shape == y.shape


@pytest.mark.parametrize(
    "candidates, error, message",
    [
        ({}, ValueError, "candidates must name at least one estimator"),
        ([], ValueError, "candidates must name at least one estimator"),
        ({"scaler": StandardScaler()}, TypeError, "candidate 'scaler' must be an estimator instance with fit and predict"),
        ({"ols": LinearRegression()}, TypeError, "candidate 'ols' must be a classifier"),
        ({"tree": DecisionTreeClassifier}, TypeError, "candidate 'tree' must be an estimator instance"),
        ([("a", LogisticRegression()), ("a", DummyClassifier())], ValueError, r"names must be unique; \['a'\]"),
        ([LogisticRegression()], TypeError, "a list of \\(name, estimator\\) pairs"),
        ({1: LogisticRegression()}, TypeError, "names must be non-empty strings; got 1"),
    ],
)
def test_bad_candidates_are_refused_by_name(candidates, error, message, blobs):
    X, y = blobs
    with pytest.raises(error, match=message):
        NoisyLabelSelector(candidates).fit(X, y)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"scoring": "accuracy"}, "'scoring' parameter of NoisyLabelSelector must be a str among"),
        ({"candidates": "forest"}, "'candidates' parameter of NoisyLabelSelector must be"),
        ({"cv": 1}, "'cv' parameter of NoisyLabelSelector must be"),
    ],
)
def test_bad_parameters_are_refused_by_name(params, message, blobs):
    X, y = blobs
    with pytest.raises(ValueError, match=message):
        NoisyLabelSelector(**{"candidates": _fast(), **params}).fit(X, y)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes need Python 3.11")
def test_a_candidate_that_fails_names_itself(blobs):
    X, y = blobs
    broken = LogisticRegression(C=-1.0)
    with pytest.raises(ValueError, match="'C' parameter of LogisticRegression") as exc:
        NoisyLabelSelector({"good": LogisticRegression(), "broken": broken}, cv=2).fit(X, y)
    assert "fitting candidate 'broken' on fold 0" in " ".join(exc.value.__notes__)


def test_composes_in_a_pipeline_clones_and_pickles(blobs):
    X, y = blobs
    pipe = make_pipeline(StandardScaler(), NoisyLabelSelector(_fast(), cv=3, random_state=0)).fit(X, y)
    assert pipe[-1].best_name_ in _fast()
    copy = clone(pipe)
    assert copy[-1].get_params()["cv"] == 3 and not hasattr(copy[-1], "best_estimator_")
    loaded = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))


def test_fit_does_not_modify_the_candidates_or_the_data(fast_fit):
    X, y, (X_before, y_before), candidates, _ = fast_fit
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    assert not hasattr(candidates["linear"], "coef_")


def test_two_jobs_give_the_sequential_result(fast_fit):
    X, y, _, _, one = fast_fit
    two = NoisyLabelSelector(_fast(), cv=3, random_state=0, n_jobs=2).fit(X, y)
    _assert_same_results(one.cv_results_, two.cv_results_)
    assert one.best_name_ == two.best_name_


def test_a_dask_cluster_gives_the_sequential_result(fast_fit):
    distributed = pytest.importorskip("distributed")
    X, y, _, _, one = fast_fit
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=":0", silence_logs=40) as cluster, \
            distributed.Client(cluster), joblib.parallel_backend("dask"):
        dask = NoisyLabelSelector(_fast(), cv=3, random_state=0, n_jobs=-1).fit(X, y)
    _assert_same_results(one.cv_results_, dask.cv_results_)
