"""Tests of skrobust.coteaching: CoTeachingClassifier and its forget-rate schedule.

scikit-learn's estimator checks run in tests/test_common.py.
"""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_blobs, make_classification
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import skrobust.coteaching
from skrobust import CoTeachingClassifier, estimate_noise_rate, make_noisy_labels
from skrobust.coteaching import forget_rate_schedule

NOISE_RATE = 0.3


def _sgd():
    return SGDClassifier(loss="log_loss")


def _fast(estimator=None, **params):
    """A quick, seeded co-teaching classifier (fixed forget rate unless given)."""
    kwargs = dict(forget_rate=NOISE_RATE, max_epochs=6, num_gradual=3, random_state=0)
    kwargs.update(params)
    return CoTeachingClassifier(_sgd() if estimator is None else estimator, **kwargs)


@pytest.fixture(scope="module")
def noisy_blobs():
    """Three well separated blobs, 30% of the labels moved to another class."""
    X, y = make_blobs(n_samples=300, centers=3, cluster_std=1.0, random_state=0)
    rng = np.random.RandomState(0)
    flipped = rng.permutation(len(y))[: int(NOISE_RATE * len(y))]
    y_noisy = y.copy()
    y_noisy[flipped] = (y[flipped] + rng.randint(1, 3, size=len(flipped))) % 3
    noise_mask = y_noisy != y
    return X, y, y_noisy, noise_mask


# ------------------------------------------------------------------ schedule
def test_schedule_ramps_linearly_then_holds():
    schedule = forget_rate_schedule(0.5, 8, num_gradual=5)
    np.testing.assert_allclose(schedule, [0, 0.125, 0.25, 0.375, 0.5, 0.5, 0.5, 0.5])


def test_schedule_ramp_ends_at_forget_rate_to_the_exponent():
    schedule = forget_rate_schedule(0.5, 4, num_gradual=3, exponent=2)
    np.testing.assert_allclose(schedule, [0, 0.125, 0.25, 0.5])


def test_schedule_shorter_than_ramp():
    np.testing.assert_allclose(forget_rate_schedule(0.4, 2, num_gradual=5), [0, 0.1])


def test_schedule_of_one_gradual_epoch_starts_at_zero():
    np.testing.assert_allclose(forget_rate_schedule(0.3, 3, num_gradual=1), [0, 0.3, 0.3])


# ------------------------------------------------------------ fitted state
def test_fitted_attributes(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    clf = _fast().fit(X, y_noisy)
    assert len(clf.estimators_) == 2
    assert all(isinstance(peer, SGDClassifier) for peer in clf.estimators_)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.n_features_in_ == 2
    assert clf.forget_rate_ == NOISE_RATE
    assert clf.mode_ == "incremental"
    assert clf.n_iter_ == 6
    assert clf.kept_mask_.shape == (2, len(y_noisy))
    assert clf.kept_mask_.dtype == bool


def test_peers_get_different_random_states(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    clf = _fast(SGDClassifier(loss="log_loss", random_state=7)).fit(X, y_noisy)
    states = [peer.random_state for peer in clf.estimators_]
    assert states[0] != states[1]
    assert not np.allclose(clf.estimators_[0].coef_, clf.estimators_[1].coef_)


def test_kept_fraction_follows_the_forget_rate(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    clf = _fast().fit(X, y_noisy)
    # 5 batches of 60 rows: int(0.7 * 60) = 42 kept per batch.
    assert clf.kept_mask_.sum(axis=1).tolist() == [210, 210]


def test_zero_forget_rate_keeps_every_row(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    clf = _fast(forget_rate=0.0).fit(X, y_noisy)
    assert clf.kept_mask_.all()


def test_kept_rows_are_mostly_clean(noisy_blobs):
    X, _, y_noisy, noise_mask = noisy_blobs
    clf = _fast().fit(X, y_noisy)
    for kept in clf.kept_mask_:
        # 70% of the labels are right; blobs this clear leave few wrong ones kept.
        assert np.mean(~noise_mask[kept]) > 0.9


def test_beats_plain_training_on_the_same_noisy_labels():
    X, y = make_classification(
        n_samples=600, n_features=10, n_informative=6, n_classes=3, random_state=0
    )
    rng = np.random.RandomState(0)
    y_noisy = np.where(rng.rand(len(y)) < 0.45, (y + 1) % 3, y)  # 45% pair noise
    X_test, y_test = X[400:], y[400:]
    X_train, y_train = StandardScaler().fit_transform(X[:400]), y_noisy[:400]
    X_test = StandardScaler().fit(X[:400]).transform(X_test)
    plain = SGDClassifier(loss="log_loss", random_state=0).fit(X_train, y_train)
    clf = _fast(forget_rate=0.45, max_epochs=20, num_gradual=5).fit(X_train, y_train)
    assert clf.score(X_test, y_test) > plain.score(X_test, y_test) + 0.05


def test_same_random_state_same_model(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    first = _fast().fit(X, y_noisy)
    second = _fast().fit(X, y_noisy)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    np.testing.assert_array_equal(first.kept_mask_, second.kept_mask_)


def test_does_not_modify_inputs(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    X_copy, y_copy = X.copy(), y_noisy.copy()
    _fast().fit(X, y_noisy)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y_noisy, y_copy)


# ---------------------------------------------------------------- prediction
def test_mean_prediction_averages_the_peers(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    clf = _fast().fit(X, y_noisy)
    expected = (clf.estimators_[0].predict_proba(X) + clf.estimators_[1].predict_proba(X)) / 2
    np.testing.assert_allclose(clf.predict_proba(X), expected)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[expected.argmax(axis=1)])
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), expected)


@pytest.mark.parametrize("peer", [0, 1])
def test_predict_with_one_peer(noisy_blobs, peer):
    X, _, y_noisy, _ = noisy_blobs
    clf = _fast(predict_with=peer).fit(X, y_noisy)
    np.testing.assert_allclose(clf.predict_proba(X), clf.estimators_[peer].predict_proba(X))
    np.testing.assert_array_equal(clf.predict(X), clf.estimators_[peer].predict(X))


def test_has_no_decision_function():
    assert not hasattr(CoTeachingClassifier(), "decision_function")


# ----------------------------------------------------------------- rounds mode
def test_auto_mode_picks_rounds_without_partial_fit(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    clf = _fast(LogisticRegression(), max_epochs=3, num_gradual=2, cv=3).fit(X, y_noisy)
    assert clf.mode_ == "rounds"
    assert clf.n_iter_ == 3
    assert all(isinstance(peer, LogisticRegression) for peer in clf.estimators_)


def test_rounds_mode_can_be_asked_of_an_incremental_estimator(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    clf = _fast(mode="rounds", max_epochs=2, num_gradual=1, cv=3).fit(X, y_noisy)
    assert clf.mode_ == "rounds"
    assert clf.kept_mask_.sum(axis=1).tolist() == [210, 210]


def test_rounds_mode_ranks_by_out_of_fold_loss(noisy_blobs):
    # A distance-weighted k-NN peer recalls every training label (zero
    # in-sample loss, so an in-sample ranking would keep rows at random, 70%
    # clean); only out-of-fold losses tell the noisy rows apart.
    X, _, y_noisy, noise_mask = noisy_blobs
    knn = KNeighborsClassifier(n_neighbors=10, weights="distance")
    assert knn.fit(X, y_noisy).score(X, y_noisy) == 1.0
    clf = _fast(knn, max_epochs=2, num_gradual=1, cv=5).fit(X, y_noisy)
    for kept in clf.kept_mask_:
        assert np.mean(~noise_mask[kept]) > 0.85


def test_rounds_mode_keeps_every_class():
    X = np.arange(20, dtype=float).reshape(-1, 1)
    y = np.array([0] * 18 + [1] * 2)
    clf = CoTeachingClassifier(
        LogisticRegression(), forget_rate=0.5, max_epochs=2, num_gradual=1, cv=2,
        random_state=0,
    ).fit(X, y)
    for kept in clf.kept_mask_:
        assert set(y[kept]) == {0, 1}


# ------------------------------------------------------------- forget rate
def test_auto_forget_rate_is_the_estimated_noise_rate(noisy_blobs, monkeypatch):
    X, _, y_noisy, _ = noisy_blobs
    calls = []

    def fake_estimate(y_encoded, pred_probs, **kwargs):
        calls.append(pred_probs)
        return 0.27, (0.2, 0.33)

    monkeypatch.setattr(skrobust.detection, "noise_rate_interval", fake_estimate)
    clf = _fast(forget_rate="auto", cv=4).fit(X, y_noisy)
    assert clf.forget_rate_ == pytest.approx(0.27)
    assert clf.noise_rate_ == pytest.approx(0.27) and clf.noise_rate_ci_ == (0.2, 0.33)
    assert calls[0].shape == (len(y_noisy), 3)  # out-of-fold probabilities, one column per class


@pytest.mark.parametrize(
    "estimate, n_classes, expected",
    [((0.97, (0.9, 0.99)), 2, 0.5), ((0.97, (0.9, 0.99)), 3, 2 / 3), ((0.3, (0.11, 0.4)), 3, 0.3)],
)
def test_auto_forget_rate_is_clipped(monkeypatch, estimate, n_classes, expected):
    monkeypatch.setattr(skrobust.detection, "noise_rate_interval", lambda *a, **k: estimate)
    X, y = make_blobs(n_samples=60, centers=n_classes, random_state=0)
    clf = _fast(forget_rate="auto", max_epochs=2).fit(X, y)
    assert clf.forget_rate_ == pytest.approx(expected)


@pytest.mark.parametrize("min_noise_rate, expected", [(0.1, 0.0), (0.05, 0.08)])
def test_auto_forget_rate_is_zero_below_min_noise_rate(monkeypatch, min_noise_rate, expected):
    # The interval's lower end decides: 0.06 is below 0.1 (plain training), above 0.05 (the estimate, 0.08).
    monkeypatch.setattr(skrobust.detection, "noise_rate_interval", lambda *a, **k: (0.08, (0.06, 0.1)))
    X, y = make_blobs(n_samples=60, centers=3, random_state=0)
    clf = _fast(forget_rate="auto", max_epochs=2, min_noise_rate=min_noise_rate).fit(X, y)
    assert clf.forget_rate_ == pytest.approx(expected)
    assert clf.noise_rate_ == pytest.approx(0.08)


def test_clean_separable_labels_give_a_zero_forget_rate():
    X, y = make_blobs(n_samples=300, centers=3, cluster_std=1.0, random_state=0)
    clf = _fast(forget_rate="auto").fit(X, y)
    assert clf.noise_rate_ < 0.05 and clf.noise_rate_ci_[0] < clf.min_noise_rate
    assert clf.forget_rate_ == 0.0
    assert clf.kept_mask_.all()  # both peers trained on every row, as plainly


def test_many_small_clean_classes_give_a_zero_forget_rate():
    # 50 classes of 3 clean rows: the out-of-fold model is too weak to judge
    # them, which is not evidence of noise.
    X, y = make_blobs(n_samples=150, centers=50, random_state=100)
    clf = _fast(forget_rate="auto", cv=3).fit(X, y)
    assert clf.noise_rate_ == 0.0
    assert clf.forget_rate_ == 0.0


def test_auto_forget_rate_reads_the_out_of_fold_forest_the_relabeler_acts_with(noisy_blobs, monkeypatch):
    from skrobust import CleanFirstRelabeler

    X, _, y_noisy, _ = noisy_blobs
    models = []
    real = skrobust.detection.noise_model

    def spy(*args, **kwargs):
        models.append(real(*args, **kwargs))
        return models[-1]

    monkeypatch.setattr(skrobust.detection, "noise_model", spy)
    _fast(forget_rate="auto", max_epochs=1).fit(X, y_noisy)
    forest = models[0].get_params()
    assert forest == CleanFirstRelabeler(random_state=forest["random_state"])._get_estimator().get_params()
    assert forest["min_samples_leaf"] == 5


def test_noisy_labels_give_the_estimated_noise_rate_as_forget_rate(noisy_blobs):
    # 30% of the labels are wrong; the estimate's accuracy on the tuning data:
    # benchmarks/results/bench_noise_estimate.md.
    X, _, y_noisy, _ = noisy_blobs
    clf = _fast(forget_rate="auto", max_epochs=2).fit(X, y_noisy)
    low, high = clf.noise_rate_ci_
    assert clf.min_noise_rate <= low <= clf.noise_rate_ <= high
    assert clf.forget_rate_ == pytest.approx(clf.noise_rate_)


def _blind_forest(monkeypatch):
    """The forest behind ``forget_rate="auto"`` sees nothing: uniform out-of-fold probabilities."""

    def uniform(estimator, X, y_encoded, **kwargs):
        n_classes = len(np.unique(y_encoded))
        return np.full((len(y_encoded), n_classes), 1 / n_classes), []

    monkeypatch.setattr(skrobust.detection, "held_out_proba", uniform)


def test_noise_the_forest_misses_is_read_by_the_peers_after_their_plain_epochs(noisy_blobs, monkeypatch):
    # As on the 15-class tuning data: the forest reads no noise, the peers'
    # own probabilities after PEER_ESTIMATE_EPOCHS plain epochs do.
    _blind_forest(monkeypatch)
    X, _, y_noisy, noise_mask = noisy_blobs
    epochs = skrobust.coteaching.PEER_ESTIMATE_EPOCHS
    log = []  # the forget rate of each epoch
    monkeypatch.setattr(CoTeachingClassifier, "_log", lambda self, e, rate, kept: log.append(rate))
    clf = _fast(forget_rate="auto", max_epochs=epochs + 4, num_gradual=3).fit(X, y_noisy)
    assert clf.noise_rate_ == 0.0  # the forest's reading, as estimate_noise_rate's
    assert clf.forget_rate_ == pytest.approx(noise_mask.mean(), abs=0.05)
    np.testing.assert_allclose(log[:epochs], 0.0)  # plain epochs, then a fresh ramp to the estimate
    np.testing.assert_allclose(log[epochs:], forget_rate_schedule(clf.forget_rate_, 4, num_gradual=3))
    assert not clf.kept_mask_.all()


def test_clean_labels_the_peers_read_as_clean_train_exactly_as_plainly(monkeypatch):
    _blind_forest(monkeypatch)
    X, y = make_blobs(n_samples=300, centers=3, cluster_std=1.0, random_state=0)
    epochs = skrobust.coteaching.PEER_ESTIMATE_EPOCHS + 4
    clf = _fast(forget_rate="auto", max_epochs=epochs).fit(X, y)
    plain = _fast(forget_rate=0.0, max_epochs=epochs).fit(X, y)
    assert clf.noise_rate_ci_[0] < clf.min_noise_rate and clf.forget_rate_ == 0.0
    assert clf.kept_mask_.all()
    np.testing.assert_array_equal(clf.predict_proba(X), plain.predict_proba(X))


def test_a_given_forget_rate_or_the_rounds_mode_takes_no_second_look(noisy_blobs, monkeypatch):
    _blind_forest(monkeypatch)
    X, _, y_noisy, _ = noisy_blobs
    epochs = skrobust.coteaching.PEER_ESTIMATE_EPOCHS + 2
    fixed = _fast(forget_rate=0.0, max_epochs=epochs).fit(X, y_noisy)
    assert not hasattr(fixed, "noise_rate_")
    rounds = _fast(LogisticRegression(), forget_rate="auto", mode="rounds", max_epochs=epochs, cv=2)
    rounds.fit(X, y_noisy)
    assert rounds.forget_rate_ == 0.0 and rounds.noise_rate_ == 0.0  # the forest's reading stands


SECOND_LOOK_RATES = (0.0, 0.2, 0.4)


@pytest.fixture(scope="module")
def forest_blind_noise():
    """Four classes told apart by 50 weak features at once: a forest reads no noise, linear peers do.

    For each injected noise rate: the forest's estimate (with its interval) and the
    co-teaching classifier fitted with ``forget_rate="auto"`` past the peers' plain epochs.
    """
    X, y = make_classification(
        n_samples=300, n_features=50, n_informative=50, n_redundant=0, n_classes=4,
        n_clusters_per_class=1, class_sep=1.0, flip_y=0.0, random_state=0,
    )
    epochs = skrobust.coteaching.PEER_ESTIMATE_EPOCHS + 2
    fits = {}
    for rate in SECOND_LOOK_RATES:
        y_noisy = y if rate == 0 else make_noisy_labels(y, noise_rate=rate, random_state=0)[0]
        forest = estimate_noise_rate(None, X, y_noisy, cv=3, random_state=0, return_interval=True)
        clf = _fast(forget_rate="auto", max_epochs=epochs, num_gradual=2, cv=3).fit(X, y_noisy)
        fits[rate] = forest, clf
    return fits


@pytest.mark.parametrize("rate", SECOND_LOOK_RATES[1:])
def test_noise_the_forest_cannot_read_is_forgotten_after_the_peers_plain_epochs(forest_blind_noise, rate):
    (_, (forest_low, _)), clf = forest_blind_noise[rate]
    assert forest_low < clf.min_noise_rate  # the forest's estimate alone would train plainly
    assert clf.forget_rate_ > 0
    assert not clf.kept_mask_.all()


def test_the_peers_forget_rate_grows_with_the_injected_noise(forest_blind_noise):
    forget_rates = [forest_blind_noise[rate][1].forget_rate_ for rate in SECOND_LOOK_RATES]
    assert np.all(np.diff(forget_rates) > 0), forget_rates


def test_clean_labels_the_forest_cannot_read_are_trained_on_plainly(forest_blind_noise):
    (_, (forest_low, _)), clf = forest_blind_noise[0.0]
    assert forest_low < clf.min_noise_rate
    assert clf.forget_rate_ == 0.0
    assert clf.kept_mask_.all()


# ------------------------------------------------------------ default peer
def test_default_peer_is_a_scaled_network_trained_incrementally(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    clf = CoTeachingClassifier(forget_rate=0.3, max_epochs=3, random_state=0).fit(X, y_noisy)
    assert clf.mode_ == "incremental"
    for peer in clf.estimators_:
        assert isinstance(peer, Pipeline)
        assert isinstance(peer[0], StandardScaler) and isinstance(peer[-1], MLPClassifier)
        np.testing.assert_allclose(peer[0].mean_, X.mean(axis=0))  # fitted once, on all rows


def test_default_peer_does_not_depend_on_the_units_of_a_feature(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    X_units = X * np.array([1.0, 1e6])
    params = dict(forget_rate=0.3, max_epochs=5, random_state=0)
    clf = CoTeachingClassifier(**params).fit(X, y_noisy)
    clf_units = CoTeachingClassifier(**params).fit(X_units, y_noisy)
    np.testing.assert_allclose(clf_units.predict_proba(X_units), clf.predict_proba(X), atol=1e-6)


def test_pipeline_peer_trains_its_last_step_by_partial_fit(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    pipe = make_pipeline(StandardScaler(), _sgd())
    clf = _fast(pipe).fit(X, y_noisy)
    assert clf.mode_ == "incremental"
    assert all(peer[-1].t_ > 1 for peer in clf.estimators_)  # many partial_fit updates
    assert clf.kept_mask_.sum(axis=1).tolist() == [210, 210]


# ---------------------------------------------------------- sklearn plumbing
def test_string_labels(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    names = np.array(["cat", "dog", "emu"])
    clf = _fast().fit(X, names[y_noisy])
    np.testing.assert_array_equal(clf.classes_, names)
    assert set(clf.predict(X)) <= set(names)
    codes = _fast().fit(X, y_noisy).predict(X)
    np.testing.assert_array_equal(clf.predict(X), names[codes])


def test_string_labels_rounds_mode(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    names = np.array(["cat", "dog", "emu"])
    clf = _fast(LogisticRegression(), max_epochs=2, num_gradual=1, cv=3)
    assert set(clf.fit(X, names[y_noisy]).predict(X)) <= set(names)


def test_pandas_input(noisy_blobs):
    import pandas as pd
    X, _, y_noisy, _ = noisy_blobs
    frame = pd.DataFrame(X, columns=["a", "b"])
    clf = _fast().fit(frame, pd.Series(y_noisy))
    np.testing.assert_array_equal(clf.feature_names_in_, ["a", "b"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no feature-name warning from the peers
        np.testing.assert_array_equal(clf.predict(frame), _fast().fit(X, y_noisy).predict(X))


def test_clone_and_pickle(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    clf = _fast().fit(X, y_noisy)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    fresh = clone(clf)
    assert not hasattr(fresh, "estimators_")
    assert fresh.get_params()["forget_rate"] == NOISE_RATE


def test_pipeline(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    pipe = make_pipeline(StandardScaler(), _fast()).fit(X, y_noisy)
    assert pipe.predict_proba(X).shape == (len(X), 3)


def test_grid_search_over_forget_rate_and_estimator(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    grid = GridSearchCV(
        _fast(max_epochs=2, cv=2),
        {"forget_rate": [0.0, 0.3], "estimator": [_sgd(), LogisticRegression()]},
        cv=2,
    ).fit(X, y_noisy)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_estimator_.mode_ in ("incremental", "rounds")


def test_verbose_prints_each_epoch(noisy_blobs, capsys):
    X, _, y_noisy, _ = noisy_blobs
    _fast(verbose=1, max_epochs=2).fit(X, y_noisy)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert "epoch 2/2: forget rate" in lines[-1]


# --------------------------------------------------------------- bad input
@pytest.mark.parametrize("forget_rate", [-0.1, 1.0, 1.5, "half"])
def test_forget_rate_out_of_range(noisy_blobs, forget_rate):
    X, _, y_noisy, _ = noisy_blobs
    with pytest.raises(ValueError, match=r"'forget_rate' parameter .* range \[0(\.0)?, 1(\.0)?\)"):
        _fast(forget_rate=forget_rate).fit(X, y_noisy)


@pytest.mark.parametrize("num_gradual", [0, -3])
def test_num_gradual_below_one(noisy_blobs, num_gradual):
    X, _, y_noisy, _ = noisy_blobs
    with pytest.raises(ValueError, match=r"'num_gradual' parameter .* range \[1, inf\)"):
        _fast(num_gradual=num_gradual).fit(X, y_noisy)


def test_estimator_without_predict_proba(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    with pytest.raises(ValueError, match=r"'estimator' parameter .* 'predict_proba'"):
        _fast(SVC()).fit(X, y_noisy)


def test_incremental_mode_needs_partial_fit(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    with pytest.raises(ValueError, match=r"mode='incremental' needs .* partial_fit"):
        _fast(LogisticRegression(), mode="incremental").fit(X, y_noisy)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"predict_with": 2}, "'predict_with' parameter"),
        ({"mode": "batch"}, "'mode' parameter"),
        ({"max_epochs": 0}, "'max_epochs' parameter"),
        ({"batch_size": 0}, "'batch_size' parameter"),
        ({"exponent": 0}, "'exponent' parameter"),
    ],
)
def test_other_bad_parameters(noisy_blobs, params, match):
    X, _, y_noisy, _ = noisy_blobs
    with pytest.raises(ValueError, match=match):
        _fast(**params).fit(X, y_noisy)


# ---------------------------------------------------------------- MAEClassifier
@pytest.mark.slow
def test_with_mae_classifier(noisy_blobs):
    from skrobust import MAEClassifier

    X, y, y_noisy, _ = noisy_blobs
    # batch_size=32: the default (200) would give these 300 rows 2 updates an epoch
    base = MAEClassifier(epochs=10, batch_size=32, random_state=0)
    # Incremental when MAEClassifier has partial_fit, else by rounds.
    clf = _fast(base, max_epochs=2, num_gradual=1, cv=2).fit(X, y_noisy)
    assert clf.mode_ == ("incremental" if hasattr(base, "partial_fit") else "rounds")
    assert all(isinstance(peer, MAEClassifier) for peer in clf.estimators_)
    assert clf.predict_proba(X).shape == (len(X), 3)
    assert clf.score(X, y) > 0.8


# ---------------------------------------------------------------- sample_weight
WEIGHT_LOG = []


class WeightLoggingSGD(SGDClassifier):
    """SGDClassifier(loss="log_loss") that logs the row ids and weights of each update.

    The first column of X holds each row's id.
    """

    def __init__(self, loss="log_loss", random_state=None):
        super().__init__(loss=loss, random_state=random_state)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        WEIGHT_LOG.append((np.asarray(X)[:, 0].astype(int), sample_weight))
        return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)


class WeightLoggingLR(LogisticRegression):
    """LogisticRegression that logs the row ids and weights of each fit (no partial_fit)."""

    def fit(self, X, y, sample_weight=None):
        WEIGHT_LOG.append((np.asarray(X)[:, 0].astype(int), sample_weight))
        return super().fit(X, y, sample_weight=sample_weight)


def _ids_and_weights(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    X = np.column_stack([np.arange(len(X)), X])
    weights = np.random.RandomState(0).randint(1, 4, len(X)).astype(float)
    return X, y_noisy, weights


def _assert_logged_weights_are_those_of_the_rows(weights):
    assert WEIGHT_LOG
    for ids, logged in WEIGHT_LOG:
        assert logged is not None, "sample_weight did not reach the peer"
        np.testing.assert_array_equal(logged, weights[ids])


def test_sample_weight_reaches_every_peer_update_with_its_rows(noisy_blobs):
    X, y, weights = _ids_and_weights(noisy_blobs)
    WEIGHT_LOG.clear()
    _fast(WeightLoggingSGD()).fit(X, y, sample_weight=weights)
    _assert_logged_weights_are_those_of_the_rows(weights)


def test_sample_weight_reaches_every_fit_of_the_rounds_mode_out_of_fold_ones_included(
    noisy_blobs,
):
    X, y, weights = _ids_and_weights(noisy_blobs)
    WEIGHT_LOG.clear()
    _fast(WeightLoggingLR(), max_epochs=2, num_gradual=1, cv=2).fit(X, y, sample_weight=weights)
    # 2 peers x (1 fit per round + 2 out-of-fold fits in the second round)
    assert len(WEIGHT_LOG) == 2 * 2 + 2 * 2
    _assert_logged_weights_are_those_of_the_rows(weights)


def test_weighted_selection_keeps_the_forget_rate_of_the_weight_not_of_the_rows(noisy_blobs):
    X, y, weights = _ids_and_weights(noisy_blobs)
    clf = _fast(batch_size=300).fit(X, y, sample_weight=weights)  # one batch
    kept_weight = weights[clf.kept_mask_[0]].sum() / weights.sum()
    # The longest prefix (by loss) whose weight is at most 70% of the batch's.
    assert 1 - NOISE_RATE - weights.max() / weights.sum() < kept_weight <= 1 - NOISE_RATE


def test_unit_sample_weight_equals_no_sample_weight(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    plain = _fast().fit(X, y_noisy)
    weighted = _fast().fit(X, y_noisy, sample_weight=np.ones(len(y_noisy)))
    np.testing.assert_array_equal(plain.kept_mask_, weighted.kept_mask_)
    np.testing.assert_array_equal(plain.predict_proba(X), weighted.predict_proba(X))


def test_sample_weight_is_routed_to_the_peers_by_request(noisy_blobs):
    from sklearn import config_context

    X, y, weights = _ids_and_weights(noisy_blobs)
    with config_context(enable_metadata_routing=True):
        WEIGHT_LOG.clear()
        base = WeightLoggingSGD().set_partial_fit_request(sample_weight=True)
        clf = _fast(base).set_fit_request(sample_weight=True).set_score_request(
            sample_weight=False
        )
        GridSearchCV(clf, {"max_epochs": [2]}, cv=2).fit(X, y, sample_weight=weights)
        _assert_logged_weights_are_those_of_the_rows(weights)

        WEIGHT_LOG.clear()
        unrequested = WeightLoggingSGD().set_partial_fit_request(sample_weight=False)
        _fast(unrequested).fit(X, y, sample_weight=weights)
        assert all(logged is None for _, logged in WEIGHT_LOG)


def test_sample_weight_unset_request_with_routing_is_refused(noisy_blobs):
    from sklearn import config_context
    from sklearn.exceptions import UnsetMetadataPassedError

    X, y, weights = _ids_and_weights(noisy_blobs)
    with config_context(enable_metadata_routing=True):
        with pytest.raises(UnsetMetadataPassedError, match=r"\[sample_weight\]"):
            _fast(WeightLoggingSGD()).fit(X, y, sample_weight=weights)


def test_base_without_sample_weight_is_refused_with_a_clear_error(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    with pytest.raises(ValueError, match=r"sample_weight was passed, but KNeighborsClassifier.fit"):
        _fast(KNeighborsClassifier(), max_epochs=2).fit(
            X, y_noisy, sample_weight=np.ones(len(X))
        )


# ------------------------------------------------------------ degenerate input
@pytest.mark.parametrize("forget_rate", ["auto", 0.2])
def test_a_single_class_or_sample_is_refused_naming_the_classes(forget_rate):
    X = np.arange(20, dtype=float).reshape(10, 2)
    for X_, y_ in ((X, np.zeros(10)), (X[:1], np.zeros(1))):
        with pytest.raises(ValueError, match="CoTeachingClassifier needs samples of at least 2"):
            CoTeachingClassifier(forget_rate=forget_rate).fit(X_, y_)


def test_auto_forget_rate_counts_a_single_sample_class_as_clean(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    y = y_noisy.copy()
    y[0] = 7
    with pytest.warns(UserWarning, match=r"class\(es\) \[7\] of y have a single sample"):
        clf = CoTeachingClassifier(_sgd(), max_epochs=2, random_state=0).fit(X, y)
    assert 0.0 < clf.forget_rate_ < 0.6
    assert clf.classes_.tolist() == [0, 1, 2, 7]
