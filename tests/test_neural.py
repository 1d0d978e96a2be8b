"""Tests of skrobust.neural.MAEClassifier.

check_estimator runs in tests/test_common.py. Tests that need TensorFlow are
marked slow and kept few and small (a handful of epochs on a few hundred rows).
"""

import importlib
import pickle
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skrobust

FAST = dict(epochs=3, random_state=0)


def test_import_skrobust_does_not_import_tensorflow():
    code = (
        "import sys, skrobust; "
        "heavy = [m for m in ('tensorflow', 'keras', 'scikeras') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("missing", ["scikeras", "tensorflow", "keras"])
def test_missing_keras_extra_raises_import_error_naming_it(monkeypatch, missing):
    # Simulate an environment without the extra: importing a module mapped to
    # None in sys.modules raises ImportError.
    for name in list(sys.modules):
        if name == missing or name.startswith(missing + "."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, missing, None)
    for name in ("skrobust.neural", "skrobust.losses"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.delitem(vars(skrobust), "MAEClassifier", raising=False)

    with pytest.raises(ImportError, match=r'pip install "skrobust\[keras\]"'):
        from skrobust import MAEClassifier  # noqa: F401
    with pytest.raises(ImportError, match=r'pip install "skrobust\[keras\]"'):
        importlib.import_module("skrobust.neural")


# --------------------------------------------------------------------------- #
# Everything below runs TensorFlow.
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def MAEClassifier():
    from skrobust.neural import MAEClassifier

    return MAEClassifier


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=120, n_features=4, n_informative=3, n_redundant=0, n_classes=3,
        n_clusters_per_class=1, random_state=0,
    )
    return X, y


@pytest.fixture(scope="module")
def fitted(MAEClassifier, data):
    X, y = data
    return MAEClassifier(**FAST).fit(X, y)


@pytest.mark.slow
def test_is_a_classifier_with_every_param_in_get_params(MAEClassifier):
    clf = MAEClassifier()
    assert is_classifier(clf)
    expected = {
        "hidden_layer_sizes", "loss", "q", "alpha", "beta", "activation", "optimizer",
        "learning_rate", "epochs", "batch_size", "random_state", "verbose",
    }
    assert set(clf.get_params()) == expected
    assert clf.get_params()["verbose"] == 0


@pytest.mark.slow
def test_fitted_attributes_and_proba_shape(fitted, data):
    X, y = data
    assert list(fitted.classes_) == [0, 1, 2]
    assert fitted.n_features_in_ == 4
    assert len(fitted.loss_curve_) == FAST["epochs"]
    assert fitted.loss_ == "mae"  # loss="auto" with 3 classes
    proba = fitted.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(fitted.predict(X), fitted.classes_[proba.argmax(axis=1)])


@pytest.mark.slow
def test_same_random_state_gives_identical_predict_proba(MAEClassifier, fitted, data):
    X, y = data
    again = MAEClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), fitted.predict_proba(X))


@pytest.mark.slow
def test_seeded_fit_restores_the_callers_tensorflow_state(MAEClassifier, data):
    import tensorflow as tf
    from tensorflow.python.framework import config as tf_config

    X, y = data
    MAEClassifier(**FAST).fit(X, y)
    assert not tf_config.is_op_determinism_enabled()
    tf.random.uniform((2,))  # fails with "Random ops require a seed" if determinism leaked
    unseeded = MAEClassifier(epochs=2).fit(X, y)
    assert unseeded.predict(X).shape == (len(X),)

    tf_config.enable_op_determinism()  # a caller who wants determinism keeps it
    try:
        MAEClassifier(**FAST).fit(X, y)
        assert tf_config.is_op_determinism_enabled()
    finally:
        tf_config.disable_op_determinism()


@pytest.mark.slow
def test_pickle_round_trip_gives_identical_predictions(fitted, data):
    X, _ = data
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X), fitted.predict_proba(X))


@pytest.mark.slow
def test_clone_copies_params_not_the_fit(fitted):
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "keras_classifier_")


@pytest.mark.slow
def test_string_labels_and_pandas_input(MAEClassifier, data):
    import pandas as pd
    X, y = data
    X_df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    y_str = pd.Series(np.array(["cat", "dog", "eel"])[y])
    clf = MAEClassifier(**FAST).fit(X_df, y_str)
    assert list(clf.classes_) == ["cat", "dog", "eel"]
    assert list(clf.feature_names_in_) == ["a", "b", "c", "d"]
    assert set(clf.predict(X_df)) <= {"cat", "dog", "eel"}


@pytest.mark.slow
@pytest.mark.parametrize("loss", ["auto", "mae", "gce", "sce", "cross_entropy", "keras_object"])
def test_binary_fit_with_each_loss(MAEClassifier, loss):
    import keras

    if loss == "keras_object":
        loss = keras.losses.CategoricalCrossentropy()
    X, y = make_classification(n_samples=80, n_features=3, n_redundant=0, random_state=1)
    clf = MAEClassifier(loss=loss, epochs=2, random_state=0).fit(X, y)
    assert clf.predict_proba(X).shape == (80, 2)
    assert np.all(np.isfinite(clf.loss_curve_))
    if loss == "auto":
        assert clf.loss_ == "sce"  # two classes


@pytest.mark.slow
def test_learns_a_separable_problem_despite_label_noise(MAEClassifier):
    X, y = make_classification(
        n_samples=400, n_features=2, n_informative=2, n_redundant=0,
        n_clusters_per_class=1, class_sep=2.0, random_state=0,
    )
    rng = np.random.RandomState(0)
    y_noisy = y.copy()
    flip = rng.choice(len(y), 80, replace=False)  # 20% of the labels
    y_noisy[flip] = 1 - y_noisy[flip]
    clf = MAEClassifier(random_state=0).fit(X, y_noisy)
    # Clean accuracy of this problem is ~0.99 for any sensible classifier; 20%
    # flipped labels must not pull it anywhere near the 0.80 of the noisy labels.
    assert clf.score(X, y) > 0.9


@pytest.mark.slow
def test_pipeline_and_grid_search(MAEClassifier, data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), MAEClassifier(**FAST))
    for n_jobs in (1, 2):
        search = GridSearchCV(
            pipe, {"maeclassifier__loss": ["mae", "gce"]}, cv=2, n_jobs=n_jobs
        ).fit(X, y)
        assert search.best_params_["maeclassifier__loss"] in ("mae", "gce")
        assert search.predict(X).shape == (len(X),)


# --------------------------------------------------------------------------- #
# Bad input: each error names the parameter. Parameters are validated before
# TensorFlow does any work.
# --------------------------------------------------------------------------- #


@pytest.mark.slow
@pytest.mark.parametrize(
    "params, match",
    [
        ({"loss": "hinge"}, "'loss' parameter"),
        ({"q": 0.0}, "'q' parameter"),
        ({"q": 1.5}, "'q' parameter"),
        ({"alpha": -0.1}, "'alpha' parameter"),
        ({"beta": -1.0}, "'beta' parameter"),
        ({"epochs": 0}, "'epochs' parameter"),
        ({"learning_rate": 0.0}, "'learning_rate' parameter"),
        ({"hidden_layer_sizes": ()}, "hidden_layer_sizes must be"),
        ({"hidden_layer_sizes": (16, 0)}, "hidden_layer_sizes must be"),
        ({"hidden_layer_sizes": (16, -3)}, "hidden_layer_sizes must be"),
        ({"hidden_layer_sizes": 0}, "'hidden_layer_sizes' parameter"),
    ],
)
def test_bad_parameters_are_rejected_with_their_name(MAEClassifier, data, params, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        MAEClassifier(**params).fit(X, y)


@pytest.mark.slow
def test_sparse_input_is_rejected(MAEClassifier, data):
    from scipy import sparse

    X, y = data
    with pytest.raises(TypeError, match="Sparse data was passed"):
        MAEClassifier(**FAST).fit(sparse.csr_matrix(X), y)


@pytest.mark.slow
def test_a_single_class_is_rejected(MAEClassifier, data):
    X, _ = data
    with pytest.raises(ValueError, match="at least 2 classes"):
        MAEClassifier(**FAST).fit(X, np.zeros(len(X)))


@pytest.mark.slow
def test_predict_checks_the_number_of_features(fitted, data):
    X, _ = data
    with pytest.raises(ValueError, match="features"):
        fitted.predict(X[:, :3])


# --- reuse of compiled networks ----------------------------------------------


@pytest.fixture
def empty_pool():
    from skrobust import neural

    neural._NETWORKS.clear()
    yield neural._NETWORKS
    neural._NETWORKS.clear()


def _pooled(pool):
    return [id(network) for idle in pool.values() for network in idle]


@pytest.mark.slow
def test_a_later_fit_reuses_the_network_and_matches_a_new_one(MAEClassifier, data, empty_pool):
    X, y = data
    first = MAEClassifier(**FAST).fit(X, y)
    pooled = _pooled(empty_pool)
    assert len(pooled) == 1
    later = MAEClassifier(**FAST).fit(X, y)
    assert _pooled(empty_pool) == pooled  # taken, trained, given back: no new network
    np.testing.assert_array_equal(later.predict_proba(X), first.predict_proba(X))


@pytest.mark.slow
def test_later_fits_never_change_a_fitted_estimator(MAEClassifier, data, empty_pool):
    X, y = data
    fitted = MAEClassifier(**FAST).fit(X, y)
    proba = fitted.predict_proba(X)
    weights = [w.copy() for w in fitted.keras_classifier_.model_.get_weights()]
    MAEClassifier(epochs=3, random_state=1).fit(X[::-1], y[::-1])  # reuses the network
    np.testing.assert_array_equal(fitted.predict_proba(X), proba)
    for before, after in zip(weights, fitted.keras_classifier_.model_.get_weights()):
        np.testing.assert_array_equal(after, before)
    assert id(fitted.keras_classifier_.model_) not in _pooled(empty_pool)


@pytest.mark.slow
def test_concurrent_fits_match_sequential_fits(MAEClassifier, data, empty_pool):
    from concurrent.futures import ThreadPoolExecutor

    X, y = data
    seeds = [0, 1, 0, 1]
    expected = [MAEClassifier(epochs=3, random_state=s).fit(X, y).predict_proba(X) for s in seeds[:2]]
    with ThreadPoolExecutor(max_workers=2) as pool:
        fits = list(pool.map(lambda s: MAEClassifier(epochs=3, random_state=s).fit(X, y), seeds))
    for seed, model in zip(seeds, fits):
        np.testing.assert_array_equal(model.predict_proba(X), expected[seed])
    assert sum(len(idle) for idle in empty_pool.values()) <= 2  # one key, at most two kept


@pytest.mark.slow
def test_pool_keeps_a_bounded_number_of_network_shapes(MAEClassifier, data, empty_pool):
    from skrobust import neural

    X, y = data
    for width in range(1, neural._NETWORK_KEYS + 3):
        MAEClassifier(hidden_layer_sizes=(width,), epochs=1, random_state=0).fit(X, y)
    assert len(empty_pool) == neural._NETWORK_KEYS
    assert all(key[2] != (1,) for key in empty_pool)  # the least recently used went first


@pytest.mark.slow
def test_a_loss_object_of_the_callers_own_is_never_pooled(MAEClassifier, data, empty_pool):
    import keras

    X, y = data
    MAEClassifier(loss=keras.losses.CategoricalCrossentropy(), epochs=1, random_state=0).fit(X, y)
    assert not empty_pool
