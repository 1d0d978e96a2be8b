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
def test_missing_keras_extra_raises_import_error_naming_it_at_fit(monkeypatch, missing):
    # Simulate an environment without the extra: importing a module mapped to
    # None in sys.modules raises ImportError. MAEClassifier itself imports
    # (a fitted one predicts without TensorFlow); fit names the extra.
    # The real module and the package's cached class are loaded first, so that
    # monkeypatch puts both back: left with the class of the test's own import
    # and the real module, pickle (and a Dask client's task) refuses the class
    # of every MAEClassifier made later in the session.
    assert skrobust.MAEClassifier is sys.modules["skrobust.neural"].MAEClassifier
    for name in list(sys.modules):
        if name == missing or name.startswith(missing + "."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, missing, None)
    for name in ("skrobust.neural", "skrobust.losses"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.delitem(vars(skrobust), "MAEClassifier", raising=False)
    monkeypatch.delattr(skrobust, "neural", raising=False)

    from skrobust import MAEClassifier

    with pytest.raises(ImportError, match=r'pip install "skrobust\[keras\]"'):
        MAEClassifier(epochs=1).fit([[0.0], [1.0]], [0, 1])
    if missing == "keras":  # the losses import Keras only
        with pytest.raises(ImportError, match=r'pip install "skrobust\[keras\]"'):
            importlib.import_module("skrobust.losses")


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
        "learning_rate", "epochs", "batch_size", "min_noise_rate", "random_state", "verbose",
    }
    assert set(clf.get_params()) == expected
    assert clf.get_params()["verbose"] == 0


@pytest.mark.slow
def test_fitted_attributes_and_proba_shape(fitted, data):
    X, y = data
    assert list(fitted.classes_) == [0, 1, 2]
    assert fitted.n_features_in_ == 4
    assert len(fitted.loss_curve_) == FAST["epochs"]
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
def test_pickle_round_trip_gives_identical_predictions(fitted, data):
    X, _ = data
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X), fitted.predict_proba(X))


@pytest.mark.slow
def test_clone_copies_params_not_the_fit(fitted):
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "coefs_")


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
@pytest.mark.parametrize(
    "loss", ["nce_rce", "nce_mae", "mae", "gce", "sce", "cross_entropy", "keras_object"]
)
def test_binary_fit_with_each_loss(MAEClassifier, loss):
    import keras

    if loss == "keras_object":
        loss = keras.losses.CategoricalCrossentropy()
    X, y = make_classification(n_samples=80, n_features=3, n_redundant=0, random_state=1)
    clf = MAEClassifier(loss=loss, epochs=2, random_state=0).fit(X, y)
    assert clf.predict_proba(X).shape == (80, 2)
    assert np.all(np.isfinite(clf.loss_curve_))


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
    # In this process; loky workers (n_jobs=2) and Dask run in tests/test_clients.py.
    pipe = make_pipeline(StandardScaler(), MAEClassifier(**FAST))
    search = GridSearchCV(pipe, {"maeclassifier__loss": ["mae", "gce"]}, cv=2).fit(X, y)
    assert search.best_params_["maeclassifier__loss"] in ("mae", "gce")
    assert search.predict(X).shape == (len(X),)


# --- the noise-rate gate: the robust loss only where the labels look noisy ---


@pytest.fixture(scope="module")
def separable():
    # Three well-separated classes: every sensible network is ~100% accurate.
    X, y = make_classification(
        n_samples=450, n_features=4, n_informative=4, n_redundant=0, n_classes=3,
        n_clusters_per_class=1, class_sep=3.0, random_state=0,
    )
    return X, y


@pytest.mark.slow
def test_labels_that_look_clean_give_the_cross_entropy_network(MAEClassifier, separable):
    X, y = separable
    clf = MAEClassifier(min_noise_rate=0.1, random_state=0).fit(X, y)
    assert clf.noise_rate_ci_[0] < clf.min_noise_rate
    assert clf.noise_rate_ < 0.02
    assert clf.loss_ == "cross_entropy"
    plain = MAEClassifier(loss="cross_entropy", random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), plain.predict_proba(X))
    assert clf.loss_curve_ == plain.loss_curve_


@pytest.mark.slow
@pytest.mark.parametrize("noise_type", ["symmetric", "pair"])
def test_noisy_labels_keep_the_robust_network_and_estimate_the_noise(MAEClassifier, separable,
                                                                       noise_type):
    from skrobust import make_noisy_labels

    X, y = separable
    y_noisy, flipped = make_noisy_labels(y, noise_rate=0.3, noise_type=noise_type, random_state=0)
    clf = MAEClassifier(min_noise_rate=0.1, random_state=0).fit(X, y_noisy)
    assert clf.loss_ == "nce_rce"
    assert abs(clf.noise_rate_ - flipped.mean()) <= 0.05
    assert clf.noise_rate_ci_[0] <= clf.noise_rate_ <= clf.noise_rate_ci_[1]
    always_robust = MAEClassifier(min_noise_rate=0, random_state=0).fit(X, y_noisy)
    np.testing.assert_array_equal(clf.predict_proba(X), always_robust.predict_proba(X))
    assert clf.score(X, y) > 0.95


@pytest.mark.slow
def test_by_default_the_robust_loss_is_kept_and_nothing_estimated(MAEClassifier, separable):
    X, y = separable
    clf = MAEClassifier(loss="mae", **FAST).fit(X, y)
    assert clf.min_noise_rate == 0 and clf.loss_ == "mae"
    assert not hasattr(clf, "noise_rate_")
    gated = MAEClassifier(loss="mae", min_noise_rate=0.1, **FAST).fit(X, y)
    assert gated.loss_ == "cross_entropy"
    assert not np.array_equal(clf.coefs_[0], gated.coefs_[0])


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
        ({"min_noise_rate": -0.1}, "'min_noise_rate' parameter"),
        ({"min_noise_rate": 1.5}, "'min_noise_rate' parameter"),
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


@pytest.mark.slow
def test_integer_sample_weight_is_repeating_the_sample(MAEClassifier, data):
    # Full batches (batch_size above the sample count): the same gradient
    # steps, up to float32 rounding in the sums.
    X, y = data
    weight = np.random.RandomState(0).randint(0, 3, size=len(y))
    params = dict(epochs=5, batch_size=1000, random_state=0)
    weighted = MAEClassifier(**params).fit(X, y, sample_weight=weight)
    repeated = MAEClassifier(**params).fit(X.repeat(weight, axis=0), y.repeat(weight))
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-6)


@pytest.mark.slow
def test_scaling_every_sample_weight_changes_nothing(MAEClassifier, data):
    X, y = data
    weight = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))
    a = MAEClassifier(**FAST).fit(X, y, sample_weight=weight)
    b = MAEClassifier(**FAST).fit(X, y, sample_weight=10 * weight)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-6)


# --- persistence: the fitted state is NumPy weights -------------------------


@pytest.mark.slow
def test_fitted_state_is_numpy_weights_and_no_keras_object(fitted):
    assert [c.shape for c in fitted.coefs_] == [(4, 100), (100, 3)]
    assert [b.shape for b in fitted.intercepts_] == [(100,), (3,)]
    for value in vars(fitted).values():
        for item in value if isinstance(value, list) else [value]:
            assert type(item).__module__.split(".")[0] in ("numpy", "builtins"), type(item)


@pytest.mark.slow
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "elu", "selu", "gelu", "swish"])
def test_numpy_forward_pass_matches_the_keras_network(MAEClassifier, data, activation):
    import keras

    X, y = data
    clf = MAEClassifier((16, 16), activation=activation, epochs=2, random_state=0).fit(X, y)
    network = keras.Sequential(
        [keras.Input((4,))]
        + [keras.layers.Dense(16, activation=activation) for _ in range(2)]  # as fitted below
        + [keras.layers.Dense(3, activation="softmax")]
    )
    network.set_weights([w for pair in zip(clf.coefs_, clf.intercepts_) for w in pair])
    expected = np.asarray(network(X.astype("float32")), dtype=np.float64)
    np.testing.assert_allclose(clf.predict_proba(X), expected, atol=1e-6)


LOAD_IN_FRESH_PROCESS = """
import pickle, sys, joblib, numpy as np
for blocked in ("tensorflow", "keras", "scikeras"):
    sys.modules[blocked] = None  # importing any of them now raises ImportError
path, how = sys.argv[1], sys.argv[2]
if how == "pickle":
    with open(path, "rb") as f:
        clf = pickle.load(f)
else:
    clf = joblib.load(path)
X = np.load(path + ".X.npy")
np.save(path + ".proba.npy", clf.predict_proba(X))
"""


@pytest.mark.slow
@pytest.mark.parametrize("how", ["pickle", "joblib"])
def test_loads_and_predicts_in_a_fresh_process_without_tensorflow(fitted, data, tmp_path, how):
    import joblib

    X, _ = data
    path = str(tmp_path / "model.bin")
    if how == "pickle":
        with open(path, "wb") as f:
            pickle.dump(fitted, f)
    else:
        joblib.dump(fitted, path)
    np.save(path + ".X.npy", X)
    subprocess.run([sys.executable, "-c", LOAD_IN_FRESH_PROCESS, path, how], check=True)
    np.testing.assert_array_equal(np.load(path + ".proba.npy"), fitted.predict_proba(X))


# --- no process-wide state ----------------------------------------------------


def _process_state():
    import os
    import random

    from tensorflow.python.framework import config as tf_config

    return {
        "op determinism": tf_config.is_op_determinism_enabled(),
        "numpy": np.random.get_state()[1].tobytes(),
        "random": random.getstate(),
        "environ": dict(os.environ),
    }


@pytest.mark.slow
def test_seeded_fits_leave_seeds_settings_and_environment_as_they_were(MAEClassifier, data):
    import tensorflow as tf

    X, y = data
    tf.random.set_seed(7)  # the caller's own global TensorFlow seed
    before = _process_state()
    draw_without_fit = tf.random.uniform((3,)).numpy()
    tf.random.set_seed(7)
    MAEClassifier(**FAST).fit(X, y)
    draw_after_fit = tf.random.uniform((3,)).numpy()
    assert _process_state() == before
    np.testing.assert_array_equal(draw_after_fit, draw_without_fit)


@pytest.mark.slow
def test_threads_fitting_seeded_estimators_match_sequential_fits(MAEClassifier, data):
    from concurrent.futures import ThreadPoolExecutor

    import tensorflow as tf

    X, y = data
    seeds = [0, 1, 2, 0, 1, 2, 0, 1]
    expected = {s: MAEClassifier(epochs=3, random_state=s).fit(X, y).predict_proba(X) for s in set(seeds)}
    before = _process_state()
    with ThreadPoolExecutor(max_workers=4) as pool:
        fits = list(pool.map(lambda s: MAEClassifier(epochs=3, random_state=s).fit(X, y), seeds))
    for seed, model in zip(seeds, fits):
        np.testing.assert_array_equal(model.predict_proba(X), expected[seed])
    assert _process_state() == before
    tf.random.uniform((2,))  # raised "Random ops require a seed" when determinism leaked


@pytest.mark.slow
def test_fit_leaves_a_callers_op_determinism_on(MAEClassifier, data):
    from tensorflow.python.framework import config as tf_config

    X, y = data
    tf_config.enable_op_determinism()
    try:
        MAEClassifier(**FAST).fit(X, y)
        assert tf_config.is_op_determinism_enabled()
    finally:
        tf_config.disable_op_determinism()


@pytest.mark.slow
def test_different_random_states_give_different_networks(MAEClassifier, data):
    X, y = data
    a = MAEClassifier(epochs=1, random_state=0).fit(X, y)
    b = MAEClassifier(epochs=1, random_state=1).fit(X, y)
    assert not np.array_equal(a.coefs_[0], b.coefs_[0])


@pytest.mark.slow
def test_fitting_with_verbose_zero_prints_nothing(MAEClassifier, data, capfd):
    X, y = data
    MAEClassifier(epochs=1).fit(X, y)  # TensorFlow imported and started before capturing
    capfd.readouterr()
    for seed in range(6):  # more fits than TensorFlow's retracing warning allows
        MAEClassifier(epochs=2, random_state=seed).fit(X, y)
    assert capfd.readouterr() == ("", "")


@pytest.mark.slow
def test_verbose_shows_every_epoch_and_trains_the_same_network_as_a_quiet_fit(
    MAEClassifier, data, capfd
):
    # Quiet fits run several epochs per compiled call, verbose ones one:
    # 12 epochs are a full call and a partial one when quiet.
    X, y = data
    quiet = MAEClassifier(epochs=12, random_state=0).fit(X, y)
    capfd.readouterr()
    loud = MAEClassifier(epochs=12, verbose=1, random_state=0).fit(X, y)
    out = capfd.readouterr().out
    assert [f"Epoch {e}/12" in out for e in range(1, 13)] == [True] * 12
    assert len(quiet.loss_curve_) == 12
    assert loud.loss_curve_ == quiet.loss_curve_
    for a, b in zip(loud.coefs_ + loud.intercepts_, quiet.coefs_ + quiet.intercepts_):
        np.testing.assert_array_equal(a, b)


# --- a user's script: nothing printed beyond what TensorFlow cannot be stopped from printing ---

FIT_IN_FRESH_PROCESS = """
import os
from sklearn.datasets import make_classification
from skrobust import MAEClassifier
X, y = make_classification(n_samples=60, n_features=4, random_state=0)
MAEClassifier(epochs=2, random_state=0).fit(X, y)
assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3", os.environ["TF_CPP_MIN_LOG_LEVEL"]
"""

# What TensorFlow 2.21 writes, on a machine without CUDA, before it reads
# TF_CPP_MIN_LOG_LEVEL (MAEClassifier's Notes list them): nothing else may appear.
ALLOWED_STDERR = [
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR",
    r"I\d{4} [\d:.]+ +\d+ cudart_stub\.cc:\d+\] Could not find cuda drivers on your machine, "
    r"GPU will not be used\.",
]


def _environment_without_tf_logging():
    import os

    return {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}


@pytest.mark.slow
def test_a_fit_in_a_fresh_process_prints_only_what_tensorflow_cannot_be_stopped_from_printing():
    import re

    run = subprocess.run(
        [sys.executable, "-c", FIT_IN_FRESH_PROCESS], capture_output=True, text=True,
        env=_environment_without_tf_logging(),
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    unexpected = [
        line for line in run.stderr.splitlines()
        if not any(re.fullmatch(pattern, line) for pattern in ALLOWED_STDERR)
    ]
    assert unexpected == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "environ, modules, expected",
    [
        ({}, {}, "3"),
        ({"TF_CPP_MIN_LOG_LEVEL": "1"}, {}, "1"),  # the caller's value is kept
        ({}, {"tensorflow": object()}, None),  # TensorFlow already loaded: too late, left alone
    ],
)
def test_tf_log_level_is_only_a_default_set_before_tensorflow_loads(environ, modules, expected):
    # What importing skrobust.losses does with os.environ and sys.modules.
    from skrobust.losses import _default_tf_log_level

    _default_tf_log_level(environ, modules)
    assert environ.get("TF_CPP_MIN_LOG_LEVEL") == expected
