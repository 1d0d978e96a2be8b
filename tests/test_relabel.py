"""Tests for skrobust.relabel.CleanFirstRelabeler."""

import pickle

import numpy as np
import pytest
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_blobs, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from skrobust import (
    CleanFirstRelabeler,
    find_label_issues,
    make_noisy_labels,
    out_of_fold_proba,
)


@pytest.fixture(scope="module")
def noisy_blobs():
    """Three classes, 20% of the labels moved to another class (true labels kept to score)."""
    X, y = make_blobs(
        n_samples=450, centers=[[-3, 0], [3, 0], [0, 5]], cluster_std=1.2, random_state=0
    )
    rng = np.random.RandomState(0)
    flipped = rng.rand(len(y)) < 0.2
    y_noisy = np.where(flipped, (y + rng.randint(1, 3, len(y))) % 3, y)
    return X, y, y_noisy, flipped


@pytest.fixture(scope="module")
def fitted(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    return CleanFirstRelabeler(
        LogisticRegression(), cv=3, relabel_by="posterior", min_confidence=0.8,
        low_confidence="keep", random_state=0,
    ).fit(X, y_noisy)


# Records the rows each fit saw; X's first column holds a unique small float per row.
FIT_LOG = []


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """LogisticRegression that logs the rows (and sample weights) it is fitted on."""

    def fit(self, X, y, sample_weight=None):
        FIT_LOG.append((np.asarray(X)[:, 0].copy(), sample_weight))
        self.inner_ = LogisticRegression().fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.inner_.classes_
        return self

    def predict_proba(self, X):
        return self.inner_.predict_proba(X)

    def predict(self, X):
        return self.inner_.predict(X)


def _with_row_ids(X):
    """X with a first column ``row / 1000``: small, so the logistic fits still converge."""
    return np.column_stack([np.arange(len(X)) / 1000, X])


def _rows(logged_first_column):
    """Row indices logged by RecordingClassifier."""
    return np.rint(np.asarray(logged_first_column) * 1000).astype(int)


# --- behaviour ----------------------------------------------------------------


def test_fit_sets_the_documented_attributes(fitted, noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    n = len(y_noisy)
    assert fitted.label_issues_.dtype == bool and fitted.label_issues_.shape == (n,)
    assert fitted.relabeled_.shape == (n,) and fitted.dropped_.shape == (n,)
    assert not fitted.dropped_.any()  # low_confidence="keep"
    assert fitted.classes_.tolist() == [0, 1, 2]
    assert fitted.n_features_in_ == 2
    assert fitted.clean_estimator_ is not fitted.estimator_
    assert fitted.predict(X).shape == (n,)
    np.testing.assert_allclose(fitted.predict_proba(X).sum(axis=1), 1.0)


def test_label_issues_are_confident_learnings_with_the_same_folds(fitted, noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    expected = find_label_issues(LogisticRegression(), X, y_noisy, cv=3, random_state=0)
    np.testing.assert_array_equal(fitted.label_issues_, expected)


def test_clean_estimator_is_fitted_on_the_trusted_rows_only(fitted, noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    trusted = ~fitted.label_issues_
    expected = LogisticRegression().fit(X[trusted], y_noisy[trusted])
    np.testing.assert_allclose(fitted.clean_estimator_.coef_, expected.coef_)


def _posterior(proba, likelihood):
    joint = proba * likelihood
    return joint / joint.sum(axis=1, keepdims=True)


def _noise_matrix(y, proba):
    """cleanlab's P(given = i | true = j) from out-of-sample probabilities."""
    from cleanlab.count import compute_confident_joint, estimate_latent

    return estimate_latent(compute_confident_joint(y, proba), y)[1]


def test_posterior_relabelling_is_bayes_rule_with_confident_learnings_noise_matrix(
    fitted, noisy_blobs
):
    X, _, y_noisy, _ = noisy_blobs
    oof, _ = out_of_fold_proba(LogisticRegression(), X, y_noisy, cv=3, random_state=0)
    noise_matrix = _noise_matrix(y_noisy, oof)  # [given, true]
    posterior = _posterior(fitted.clean_estimator_.predict_proba(X), noise_matrix[y_noisy])
    confident = fitted.label_issues_ & (posterior.max(axis=1) >= fitted.min_confidence)
    expected = np.where(confident, posterior.argmax(axis=1), y_noisy)
    np.testing.assert_array_equal(fitted.relabeled_, expected)
    # The given label counts: the clean model alone would relabel differently here.
    clean_only = fitted.clean_estimator_.predict_proba(X)
    assert np.any(confident != (fitted.label_issues_ & (clean_only.max(axis=1) >= 0.8)))


def test_relabel_by_clean_model_replaces_the_flagged_labels_it_is_sure_of(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    model = CleanFirstRelabeler(
        LogisticRegression(), cv=3, relabel_by="clean_model", low_confidence="keep",
        random_state=0,
    ).fit(X, y_noisy)
    issues = model.label_issues_
    proba = model.clean_estimator_.predict_proba(X)
    confident = issues & (proba.max(axis=1) >= model.min_confidence)
    expected = np.where(confident, proba.argmax(axis=1), y_noisy)
    np.testing.assert_array_equal(model.relabeled_, expected)


def test_posterior_rules_out_classes_the_noise_matrix_says_never_become_the_given_one():
    proba = np.array([[0.1, 0.9, 0.0], [0.5, 0.5, 0.0], [0.0, 1.0, 0.0]])
    noise_matrix = np.array([[0.8, 0.0, 0.1], [0.2, 0.9, 0.0], [0.0, 0.1, 0.9]])
    y_encoded = np.array([0, 1, 0])
    rows = np.arange(3)
    posterior = CleanFirstRelabeler._posterior(proba, y_encoded, rows, None, noise_matrix)
    np.testing.assert_allclose(posterior[0], [1.0, 0.0, 0.0])  # P(given 0 | true 1) = 0
    np.testing.assert_allclose(posterior[1], [0.5 * 0.2, 0.5 * 0.9, 0.0] / np.float64(0.55))
    np.testing.assert_allclose(posterior[2], proba[2])  # every class ruled out: the clean model


def test_final_estimator_is_fitted_on_all_rows_with_corrected_labels(fitted, noisy_blobs):
    X, _, _, _ = noisy_blobs
    expected = LogisticRegression().fit(X, fitted.relabeled_)
    np.testing.assert_allclose(fitted.estimator_.coef_, expected.coef_)
    np.testing.assert_array_equal(fitted.predict(X), expected.predict(X))


def test_relabelling_corrects_more_labels_than_it_breaks(fitted, noisy_blobs):
    _, y, y_noisy, flipped = noisy_blobs
    fixed = np.sum((fitted.relabeled_ == y) & flipped)
    broken = np.sum((fitted.relabeled_ != y) & ~flipped)
    # 450 rows, ~90 flipped, classes 5 standard deviations apart.
    assert fixed > 0.7 * flipped.sum()
    assert broken < 0.05 * (~flipped).sum()


def test_relabel_all_replaces_every_label_the_clean_model_is_sure_of(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    model = CleanFirstRelabeler(
        LogisticRegression(), cv=3, relabel="all", relabel_by="clean_model",
        min_confidence=0.0, random_state=0,
    ).fit(X, y_noisy)
    # min_confidence=0: the article's method, every row takes the clean model's prediction.
    np.testing.assert_array_equal(model.relabeled_, model.clean_estimator_.predict(X))


def test_low_confidence_drop_leaves_unsure_suspects_out_of_the_final_fit(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    model = CleanFirstRelabeler(
        LogisticRegression(), cv=3, relabel_by="clean_model", min_confidence=0.9,
        low_confidence="drop", random_state=0,
    ).fit(X, y_noisy)
    proba = model.clean_estimator_.predict_proba(X).max(axis=1)
    np.testing.assert_array_equal(model.dropped_, model.label_issues_ & (proba < 0.9))
    assert model.dropped_.any()
    kept = ~model.dropped_
    expected = LogisticRegression().fit(X[kept], model.relabeled_[kept])
    np.testing.assert_allclose(model.estimator_.coef_, expected.coef_)


def test_min_confidence_one_keeps_every_unsure_label(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    model = CleanFirstRelabeler(
        LogisticRegression(), cv=3, relabel_by="clean_model", min_confidence=1.0,
        random_state=0,
    ).fit(X, y_noisy)
    proba = model.clean_estimator_.predict_proba(X).max(axis=1)
    changed = model.relabeled_ != y_noisy
    assert np.all(proba[changed] >= 1.0)


def test_final_fit_reuses_the_clean_model_when_every_suspect_is_dropped(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    X = _with_row_ids(X)
    FIT_LOG.clear()
    model = CleanFirstRelabeler(
        RecordingClassifier(), cv=3, relabel_by="clean_model", min_confidence=1.0,
        min_noise_rate=0, random_state=0,
    ).fit(X, y_noisy)
    assert model.label_issues_.any()
    np.testing.assert_array_equal(model.dropped_, model.label_issues_)
    assert len(FIT_LOG) == 3 + 1  # three folds and the clean fit: no repeated final fit
    assert model.estimator_ is model.clean_estimator_
    np.testing.assert_array_equal(np.sort(_rows(FIT_LOG[-1][0])), np.flatnonzero(~model.dropped_))


def test_final_fit_is_refitted_when_a_suspect_is_kept(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    X = _with_row_ids(X)
    FIT_LOG.clear()
    model = CleanFirstRelabeler(
        RecordingClassifier(), cv=3, relabel_by="posterior", min_noise_rate=0, random_state=0
    ).fit(X, y_noisy)
    assert (model.label_issues_ & ~model.dropped_).any()
    assert len(FIT_LOG) == 3 + 2
    assert model.estimator_ is not model.clean_estimator_


def test_out_of_fold_relabelling_fits_no_clean_model(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    X = _with_row_ids(X)
    FIT_LOG.clear()
    model = CleanFirstRelabeler(
        RecordingClassifier(), cv=3, relabel_by="out_of_fold", min_noise_rate=0, random_state=0
    ).fit(X, y_noisy)
    assert model.label_issues_.any()
    assert len(FIT_LOG) == 3 + 1  # the folds and the final fit: as many as CleanLearning
    assert not hasattr(model, "clean_estimator_")
    np.testing.assert_array_equal(np.sort(_rows(FIT_LOG[-1][0])), np.flatnonzero(~model.dropped_))


def test_acting_is_checked_on_the_noise_estimates_folds_with_the_corrected_labels(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    X = _with_row_ids(X)
    FIT_LOG.clear()
    model = CleanFirstRelabeler(
        RecordingClassifier(), cv=3, relabel_by="out_of_fold", random_state=0
    ).fit(X, y_noisy)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y_noisy))
    # The folds of the estimate, then one acting fit per fold on its training
    # rows less the dropped ones (a given estimator's plain predictions are its
    # out-of-fold ones), then the final fit.
    assert len(FIT_LOG) == 3 + 3 + 1
    dropped = CleanFirstRelabeler(
        RecordingClassifier(), cv=3, relabel_by="out_of_fold", min_noise_rate=0, random_state=0
    ).fit(X, y_noisy).dropped_
    for (train, _), (logged, _) in zip(folds, FIT_LOG[3:6]):
        np.testing.assert_array_equal(np.sort(_rows(logged)), np.sort(train[~dropped[train]]))
    assert model.label_issues_.any()


def test_acting_that_loses_on_the_held_out_folds_is_undone_to_a_plain_fit():
    # Clean labels behind a one-hot unique ID per row: the forest's out-of-fold
    # model is too weak to tell, reads its own errors as noise, and acting
    # empties the minority class; the plain forest agrees more with the
    # held-out labels, so the relabeler is the plain forest.
    X, y = make_classification(
        n_samples=400, n_features=4, n_informative=2, n_redundant=0, weights=[0.62],
        flip_y=0.2, random_state=0,
    )
    X = np.hstack([np.eye(len(y)), X])
    always = CleanFirstRelabeler(min_noise_rate=0, random_state=0).fit(X, y)
    checked = CleanFirstRelabeler(random_state=0).fit(X, y)
    plain = RandomForestClassifier(random_state=0).fit(X, y)
    assert always.label_issues_.any() and len(np.unique(always.predict(X))) == 1
    assert checked.noise_rate_ci_[0] >= checked.min_noise_rate  # the estimate alone would act
    assert not checked.label_issues_.any() and not checked.dropped_.any()
    np.testing.assert_array_equal(checked.predict_proba(X), plain.predict_proba(X))
    by_oof = CleanFirstRelabeler(relabel_by="out_of_fold", random_state=0).fit(X, y)
    assert not by_oof.label_issues_.any()  # undone too, and then the plain forest
    np.testing.assert_array_equal(by_oof.predict_proba(X), plain.predict_proba(X))


def test_out_of_fold_relabelling_is_bayes_rule_on_the_out_of_fold_probabilities(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    model = CleanFirstRelabeler(
        LogisticRegression(), cv=3, relabel_by="out_of_fold", low_confidence="keep",
        random_state=0,
    ).fit(X, y_noisy)
    oof, _ = out_of_fold_proba(LogisticRegression(), X, y_noisy, cv=3, random_state=0)
    posterior = _posterior(oof, _noise_matrix(y_noisy, oof)[y_noisy])
    confident = model.label_issues_ & (posterior.max(axis=1) >= model.min_confidence)
    np.testing.assert_array_equal(
        model.relabeled_, np.where(confident, posterior.argmax(axis=1), y_noisy)
    )


# --- equivalences --------------------------------------------------------------


def test_nothing_flagged_equals_a_plain_fit_with_the_same_random_state():
    X, y = make_blobs(n_samples=200, centers=[[-6, 0], [6, 0]], random_state=0)
    model = CleanFirstRelabeler(
        RandomForestClassifier(n_estimators=10, random_state=3), cv=3, random_state=0
    ).fit(X, y)
    assert not model.label_issues_.any()
    plain = RandomForestClassifier(n_estimators=10, random_state=3).fit(X, y)
    np.testing.assert_array_equal(model.relabeled_, y)
    np.testing.assert_array_equal(model.predict_proba(X), plain.predict_proba(X))


def test_clean_labels_with_the_default_estimator_give_scikit_learns_default_forest():
    # The forest with leaves of 5 is for the noise it acts on; clean labels get a plain forest.
    X, y = make_blobs(n_samples=200, centers=[[-6, 0], [6, 0]], random_state=0)
    model = CleanFirstRelabeler(cv=3, random_state=3).fit(X, y)
    assert not model.label_issues_.any()
    assert model.estimator_.min_samples_leaf == 1
    plain = RandomForestClassifier(random_state=3).fit(X, y)
    np.testing.assert_array_equal(model.predict_proba(X), plain.predict_proba(X))


def test_clean_labels_of_overlapping_classes_give_a_plain_fit():
    # Honest hard rows: confident learning flags 20 of 400 clean labels, but
    # the noise-rate interval stays below min_noise_rate, so nothing is acted on.
    X, y = make_classification(
        n_samples=400, n_features=6, n_informative=3, class_sep=0.7, flip_y=0, random_state=0
    )
    assert find_label_issues(RandomForestClassifier(random_state=0), X, y, cv=3, random_state=0).sum() == 20
    model = CleanFirstRelabeler(cv=3, random_state=0).fit(X, y)
    low, high = model.noise_rate_ci_
    assert low <= model.noise_rate_ <= high and low < model.min_noise_rate
    assert not model.label_issues_.any() and not model.dropped_.any()
    np.testing.assert_array_equal(model.relabeled_, y)
    plain = RandomForestClassifier(random_state=0).fit(X, y)
    np.testing.assert_array_equal(model.predict_proba(X), plain.predict_proba(X))


def test_clean_labels_whose_estimate_explains_few_of_the_models_errors_give_a_plain_fit():
    # A small 6-class imbalanced set (the check shape small6) with clean labels: the
    # interval's lower end reaches min_noise_rate, but the estimate accounts for
    # less than 0.75 of the out-of-fold forest's errors (most are unsure ones),
    # so nothing is acted on; min_noise_rate=0 still acts.
    from skrobust.detection import MIN_EXPLAINED_ERROR, noise_model

    X, y = make_classification(
        n_samples=214, n_features=9, n_informative=6, n_redundant=1, n_classes=6,
        n_clusters_per_class=1, weights=[0.33, 0.35, 0.08, 0.06, 0.04, 0.14], class_sep=1.0,
        flip_y=0.0, random_state=7,
    )
    model = CleanFirstRelabeler(random_state=0).fit(X, y)
    assert model.noise_rate_ci_[0] >= model.min_noise_rate
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    oof_error = 1 - cross_val_score(noise_model(0), X, y, cv=folds).mean()  # 0.37
    assert model.noise_rate_ < MIN_EXPLAINED_ERROR * oof_error
    assert not model.label_issues_.any() and not model.dropped_.any()
    plain = RandomForestClassifier(random_state=0).fit(X, y)
    np.testing.assert_array_equal(model.predict_proba(X), plain.predict_proba(X))
    assert CleanFirstRelabeler(min_noise_rate=0, random_state=0).fit(X, y).label_issues_.any()


def test_many_small_clean_classes_are_not_read_as_noise():
    # 50 classes of 3 clean rows: a model that saw two rows of a class cannot
    # judge its labels; that is no evidence of noise (it read as 18% without
    # the minimum class size, and confident learning flagged 51 rows).
    X, y = make_blobs(n_samples=150, centers=50, random_state=100)
    model = CleanFirstRelabeler(cv=3, random_state=0).fit(X, y)
    assert model.noise_rate_ == 0.0
    assert not model.label_issues_.any() and not model.dropped_.any()


def test_noisy_labels_are_acted_on_with_a_noise_rate_near_the_truth(noisy_blobs):
    X, _, y_noisy, flipped = noisy_blobs
    model = CleanFirstRelabeler(LogisticRegression(), cv=3, random_state=0).fit(X, y_noisy)
    low, high = model.noise_rate_ci_
    assert model.min_noise_rate <= low <= model.noise_rate_ <= high
    assert abs(model.noise_rate_ - flipped.mean()) < 0.05
    assert model.label_issues_.any()


def test_noise_acted_on_is_fitted_with_the_default_forests_leaves_of_five(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    model = CleanFirstRelabeler(cv=3, random_state=0).fit(X, y_noisy)
    assert model.label_issues_.any()
    assert model.estimator_.min_samples_leaf == 5


@pytest.mark.parametrize("n_classes", [2, 3, 10, 32])
def test_noise_rate_counts_the_confident_joint_as_cleanlab_does(n_classes):
    from cleanlab.count import compute_confident_joint, get_confident_thresholds

    from skrobust.detection import confident_joint, min_confidence

    rng = np.random.RandomState(n_classes)
    y = np.arange(300) % n_classes
    # peaked probabilities, with ties at the threshold's tolerance and rows confident of several classes
    probs = rng.dirichlet(np.full(n_classes, 0.3), size=300)
    probs[:20] = np.round(probs[:20], 1)
    probs /= probs.sum(axis=1, keepdims=True)
    thresholds = np.maximum(get_confident_thresholds(y, probs), min_confidence(n_classes))
    np.testing.assert_array_equal(
        confident_joint(y, probs), compute_confident_joint(y, probs, thresholds=thresholds)
    )


NOISE_RATES = (0.0, 0.1, 0.2, 0.3, 0.4)


@pytest.fixture(scope="module")
def estimates_by_noise_rate():
    """The relabeler's noise estimate on three blobs 8 standard deviations apart, at rising noise."""
    X, y = make_blobs(n_samples=300, centers=[[-4, 0], [4, 0], [0, 7]], cluster_std=1.0, random_state=0)
    fits = {}
    for rate in NOISE_RATES:
        y_noisy = y if rate == 0 else make_noisy_labels(y, noise_rate=rate, random_state=0)[0]
        model = CleanFirstRelabeler(LogisticRegression(), cv=3, random_state=0).fit(X, y_noisy)
        fits[rate] = (model.noise_rate_, model.noise_rate_ci_)
    return fits


def test_noise_rate_is_zero_on_clean_well_separated_labels(estimates_by_noise_rate):
    # Every out-of-fold probability backs the given label: no row counts as mislabelled.
    rate, interval = estimates_by_noise_rate[0.0]
    assert rate == 0.0 and tuple(interval) == (0.0, 0.0)


def test_noise_rate_grows_with_the_injected_noise(estimates_by_noise_rate):
    rates = [estimates_by_noise_rate[injected][0] for injected in NOISE_RATES]
    assert np.all(np.diff(rates) > 0), rates


@pytest.mark.parametrize("injected", NOISE_RATES)
def test_noise_rate_interval_contains_the_estimate(estimates_by_noise_rate, injected):
    rate, (low, high) = estimates_by_noise_rate[injected]
    assert 0.0 <= low <= rate <= high <= 1.0


class UnsureClassifier(ClassifierMixin, BaseEstimator):
    """Gaussian naive Bayes whose probabilities are mixed with chance: never sure of a class.

    Its most probable class is naive Bayes's, at a probability of at most
    ``certainty + (1 - certainty) / n_classes``.
    """

    def __init__(self, certainty=0.4):
        self.certainty = certainty

    def fit(self, X, y, sample_weight=None):
        self.inner_ = GaussianNB().fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.inner_.classes_
        return self

    def predict_proba(self, X):
        proba = self.inner_.predict_proba(X)
        return self.certainty * proba + (1 - self.certainty) / proba.shape[1]

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


@pytest.fixture(scope="module")
def many_classes():
    """32 separable classes of 20 rows: the labels as given and with 20% symmetric noise."""
    X, y = make_blobs(n_samples=640, centers=32, n_features=10, cluster_std=1.0, random_state=0)
    y_noisy, noise_mask = make_noisy_labels(y, noise_rate=0.2, random_state=0)
    return X, y, y_noisy, noise_mask


def test_noise_among_many_classes_is_acted_on_though_the_model_is_never_sure_of_one(many_classes):
    # With 32 classes another class counts as evidence of a wrong label below
    # a probability of 0.5; a model that never reaches 0.5 still reads the noise.
    X, y, y_noisy, noise_mask = many_classes
    model = CleanFirstRelabeler(UnsureClassifier(), cv=3, random_state=0).fit(X, y_noisy)
    proba = UnsureClassifier().fit(X, y_noisy).predict_proba(X)
    assert proba.max() < 0.5 and np.mean(proba.argmax(axis=1) == y) > 0.9
    assert model.noise_rate_ci_[0] >= model.min_noise_rate
    assert model.label_issues_.any()
    assert np.mean(noise_mask[model.label_issues_]) > 0.5  # the flagged rows are mostly wrong ones


def test_clean_labels_among_many_classes_give_a_plain_fit(many_classes):
    X, y, _, _ = many_classes
    model = CleanFirstRelabeler(UnsureClassifier(), cv=3, random_state=0).fit(X, y)
    assert model.noise_rate_ == 0.0
    assert not model.label_issues_.any() and not model.dropped_.any()
    plain = UnsureClassifier().fit(X, y)
    np.testing.assert_allclose(model.predict_proba(X), plain.predict_proba(X))


def test_same_folds_as_cleanlab_and_no_relabelling_fit_what_cleanlearning_fits(noisy_blobs):
    from cleanlab.classification import CleanLearning

    X, _, y_noisy, _ = noisy_blobs
    base = make_pipeline(StandardScaler(), LogisticRegression())  # no sample_weight: no reweighting
    ours = CleanFirstRelabeler(
        base, relabel_by="clean_model", min_confidence=1.0, low_confidence="drop",
        min_noise_rate=0, random_state=4,
    )
    ours.fit(X, y_noisy)
    theirs = CleanLearning(clone(base), cv_n_folds=5, seed=4, verbose=False).fit(X, y_noisy)
    their_issues = theirs.get_label_issues()["is_label_issue"].to_numpy()
    np.testing.assert_array_equal(ours.label_issues_, their_issues)
    if not (ours.relabeled_ != y_noisy).any():  # nothing at probability exactly 1
        np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X))


def test_all_rows_trusted_equals_a_plain_fit(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    model = CleanFirstRelabeler(LogisticRegression()).fit(
        X, y_noisy, trusted=np.ones(len(y_noisy), dtype=bool)
    )
    plain = LogisticRegression().fit(X, y_noisy)
    np.testing.assert_allclose(model.predict_proba(X), plain.predict_proba(X))


def test_same_random_state_gives_identical_fits(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    a = CleanFirstRelabeler(LogisticRegression(), cv=3, random_state=5).fit(X, y_noisy)
    b = CleanFirstRelabeler(LogisticRegression(), cv=3, random_state=5).fit(X, y_noisy)
    np.testing.assert_array_equal(a.label_issues_, b.label_issues_)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_string_labels_give_the_same_model_as_integer_labels(fitted, noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    names = np.array(["ant", "bee", "cow"])
    model = CleanFirstRelabeler(
        LogisticRegression(), cv=3, relabel_by="posterior", min_confidence=0.8,
        low_confidence="keep", random_state=0,
    ).fit(X, names[y_noisy])
    assert model.classes_.tolist() == ["ant", "bee", "cow"]
    np.testing.assert_array_equal(model.relabeled_, names[fitted.relabeled_])
    np.testing.assert_array_equal(model.predict(X), names[fitted.predict(X)])


def test_fit_never_modifies_its_inputs(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    X_copy, y_copy = X.copy(), y_noisy.copy()
    trusted = np.zeros(len(y_noisy), dtype=bool)
    trusted[:60] = True
    trusted_copy = trusted.copy()
    CleanFirstRelabeler(LogisticRegression(), cv=3, random_state=0).fit(X, y_noisy)
    CleanFirstRelabeler(LogisticRegression()).fit(X, y_noisy, trusted=trusted)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y_noisy, y_copy)
    np.testing.assert_array_equal(trusted, trusted_copy)


# --- trusted mask --------------------------------------------------------------


def test_trusted_mask_replaces_confident_learning(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    trusted = np.zeros(len(y_noisy), dtype=bool)
    trusted[::10] = True
    model = CleanFirstRelabeler(LogisticRegression()).fit(X, y_noisy, trusted=trusted)
    np.testing.assert_array_equal(model.label_issues_, ~trusted)
    expected = LogisticRegression().fit(X[trusted], y_noisy[trusted])
    np.testing.assert_allclose(model.clean_estimator_.coef_, expected.coef_)
    np.testing.assert_array_equal(model.relabeled_[trusted], y_noisy[trusted])


def test_trusted_mask_posterior_uses_the_noise_of_the_untrusted_rows_only(noisy_blobs):
    X, y, y_noisy, _ = noisy_blobs
    trusted = np.zeros(len(y), dtype=bool)
    trusted[::5] = True
    y_given = np.where(trusted, y, y_noisy)
    model = CleanFirstRelabeler(LogisticRegression(), relabel="all", min_confidence=0.0)
    model.fit(X, y_given, trusted=trusted)
    proba = model.clean_estimator_.predict_proba(X)
    noise_matrix = _noise_matrix(y_given[~trusted], proba[~trusted])
    posterior = _posterior(proba[~trusted], noise_matrix[y_given[~trusted]])
    np.testing.assert_array_equal(model.relabeled_[~trusted], posterior.argmax(axis=1))
    # Verified rows are never relabelled, even with relabel="all" and min_confidence=0.
    np.testing.assert_array_equal(model.relabeled_[trusted], y_given[trusted])
    assert np.any(proba[trusted].argmax(axis=1) != y_given[trusted])


def test_trusted_mask_of_true_labels_recovers_most_flips(noisy_blobs):
    X, y, y_noisy, flipped = noisy_blobs
    trusted = np.zeros(len(y), dtype=bool)
    trusted[::5] = True
    y_given = np.where(trusted, y, y_noisy)  # the caller verified these rows
    model = CleanFirstRelabeler(LogisticRegression()).fit(X, y_given, trusted=trusted)
    assert np.mean(model.relabeled_ == y) > np.mean(y_given == y)


@pytest.mark.parametrize("routing", [False, True])
def test_trusted_travels_through_grid_search_split_with_the_folds(noisy_blobs, routing):
    X, _, y_noisy, _ = noisy_blobs
    X = _with_row_ids(X)
    trusted = np.zeros(len(y_noisy), dtype=bool)
    trusted[::3] = True
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    FIT_LOG.clear()
    with config_context(enable_metadata_routing=routing):
        model = CleanFirstRelabeler(RecordingClassifier(), low_confidence="keep")
        if routing:
            model.set_fit_request(trusted=True)
        search = GridSearchCV(model, {"min_confidence": [0.5]}, cv=folds, refit=False)
        search.fit(X, y_noisy, trusted=trusted)
    # Per fold: the clean fit, then the final fit.
    assert len(FIT_LOG) == 2 * len(folds)
    for (train, _), (clean_rows, _), (final_rows, _) in zip(
        folds, FIT_LOG[0::2], FIT_LOG[1::2]
    ):
        expected_clean = train[trusted[train]]
        np.testing.assert_array_equal(np.sort(_rows(clean_rows)), np.sort(expected_clean))
        np.testing.assert_array_equal(np.sort(_rows(final_rows)), np.sort(train))


def test_trusted_must_be_requested_when_routing_is_enabled(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    trusted = np.ones(len(y_noisy), dtype=bool)
    with config_context(enable_metadata_routing=True):
        search = GridSearchCV(CleanFirstRelabeler(), {"min_confidence": [0.5]}, cv=2)
        with pytest.raises(ValueError, match="trusted"):
            search.fit(X, y_noisy, trusted=trusted)


# --- metadata routing of fit parameters ----------------------------------------


def test_sample_weight_reaches_every_fit_split_with_the_rows(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    X = _with_row_ids(X)
    weights = np.linspace(1, 2, len(X))
    FIT_LOG.clear()
    with config_context(enable_metadata_routing=True):
        inner = RecordingClassifier().set_fit_request(sample_weight=True)
        model = CleanFirstRelabeler(inner, cv=3, relabel_by="out_of_fold", random_state=0)
        model.fit(X, y_noisy, sample_weight=weights)
    # three folds, the check that acting helps (a fit per fold), the final fit
    # (no clean fit: out_of_fold)
    assert len(FIT_LOG) == 3 + 3 + 1
    for logged_ids, logged_weights in FIT_LOG:
        np.testing.assert_array_equal(logged_weights, weights[_rows(logged_ids)])


def test_sample_weight_is_forwarded_without_routing(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    weights = np.ones(len(X))
    weights[: len(X) // 2] = 5.0
    weighted = CleanFirstRelabeler(LogisticRegression(), cv=3, random_state=0)
    weighted.fit(X, y_noisy, sample_weight=weights)
    plain = CleanFirstRelabeler(LogisticRegression(), cv=3, random_state=0).fit(X, y_noisy)
    assert not np.allclose(weighted.estimator_.coef_, plain.estimator_.coef_)


# --- scikit-learn integration -----------------------------------------------------


def test_clone_and_pickle_keep_parameters_and_predictions(fitted, noisy_blobs):
    X, _, _, _ = noisy_blobs
    cloned = clone(fitted)
    assert repr(cloned) == repr(fitted)
    assert not hasattr(cloned, "estimator_")
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X), fitted.predict_proba(X))
    np.testing.assert_array_equal(restored.relabeled_, fitted.relabeled_)


def test_works_inside_a_pipeline(noisy_blobs):
    X, y, y_noisy, _ = noisy_blobs
    pipe = make_pipeline(
        StandardScaler(), CleanFirstRelabeler(LogisticRegression(), cv=3, random_state=0)
    )
    pipe.fit(X, y_noisy)
    assert pipe.score(X, y) > 0.9
    assert pipe.classes_.tolist() == [0, 1, 2]


def test_grid_search_over_relabel_min_confidence_and_estimator(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    grid = {
        "relabel": ["issues", "all"],
        "min_confidence": [0.5, 0.9],
        "estimator": [LogisticRegression(), KNeighborsClassifier(10)],
    }
    search = GridSearchCV(CleanFirstRelabeler(cv=3, random_state=0), grid, cv=2).fit(X, y_noisy)
    assert len(search.cv_results_["params"]) == 8
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert isinstance(search.best_estimator_.estimator_, (LogisticRegression, KNeighborsClassifier))


def test_pandas_input_keeps_feature_names(noisy_blobs):
    import pandas as pd
    X, _, y_noisy, _ = noisy_blobs
    X_df = pd.DataFrame(X, columns=["width", "height"])
    y_s = pd.Series(np.array(["a", "b", "c"])[y_noisy], name="label")
    trusted = pd.Series(np.arange(len(y_s)) % 4 == 0)
    for fit_kwargs in ({}, {"trusted": trusted}):
        model = CleanFirstRelabeler(LogisticRegression(), cv=3, random_state=0)
        model.fit(X_df, y_s, **fit_kwargs)
        assert model.feature_names_in_.tolist() == ["width", "height"]
        assert model.predict(X_df).dtype == object
    scores = cross_val_score(CleanFirstRelabeler(LogisticRegression(), cv=3), X_df, y_s, cv=3)
    assert scores.mean() > 0.7


# --- what relabelling buys --------------------------------------------------------


def _paired_difference(y_true, ours, theirs):
    """Mean and standard error of ``ours`` correct minus ``theirs`` correct, row by row."""
    difference = (ours == y_true).astype(float) - (theirs == y_true)
    return difference.mean(), difference.std(ddof=1) / np.sqrt(len(difference))


@pytest.fixture(scope="module")
def flipped_blobs():
    """Two 2-D classes 4 standard deviations apart; 20% of the 300 training labels flipped."""
    X, y = make_blobs(n_samples=500, centers=[[-2, 0], [2, 0]], cluster_std=1.0, random_state=0)
    X_train, X_test, y_train, y_test = X[:300], X[300:], y[:300], y[300:]
    flip = np.random.RandomState(0).choice(300, 60, replace=False)
    y_noisy = y_train.copy()
    y_noisy[flip] = 1 - y_noisy[flip]
    return X_train, y_train, y_noisy, X_test, y_test


@pytest.fixture(scope="module")
def default_relabeler(flipped_blobs):
    X, _, y_noisy, _, _ = flipped_blobs
    return CleanFirstRelabeler(cv=3, random_state=0).fit(X, y_noisy)


def test_default_relabeler_returns_more_labels_to_their_class_than_it_breaks(
    flipped_blobs, default_relabeler
):
    _, y, y_noisy, _, _ = flipped_blobs
    flipped = y_noisy != y
    fixed = np.sum((default_relabeler.relabeled_ == y) & flipped)
    broken = np.sum((default_relabeler.relabeled_ != y) & ~flipped)
    assert fixed > broken


def test_default_relabeler_leaves_the_final_fit_less_than_half_the_wrong_labels(
    flipped_blobs, default_relabeler
):
    # A flipped row is relabelled to its class or left out of the final fit.
    _, y, y_noisy, _, _ = flipped_blobs
    model = default_relabeler
    wrong_in_final_fit = np.sum((model.relabeled_ != y) & ~model.dropped_)
    assert wrong_in_final_fit < np.sum(y_noisy != y) / 2


def test_default_relabeler_beats_the_default_forest_on_flipped_labels(
    flipped_blobs, default_relabeler
):
    # The forest memorises the flipped labels; the relabeler corrects them first.
    # Held-out rows, paired: better by more than two standard errors of the difference.
    X, _, y_noisy, X_test, y_test = flipped_blobs
    plain = RandomForestClassifier(random_state=0).fit(X, y_noisy)
    gain, se = _paired_difference(y_test, default_relabeler.predict(X_test), plain.predict(X_test))
    assert gain > 2 * se


@pytest.fixture(scope="module")
def logistic_pair_noise():
    """Three blobs, 20% pair noise on the 600 training labels, a scaled logistic regression."""
    X, y = make_blobs(n_samples=900, centers=3, cluster_std=1.0, random_state=0)
    X_train, X_test, y_train, y_test = X[:600], X[600:], y[:600], y[600:]
    y_noisy, _ = make_noisy_labels(y_train, noise_rate=0.2, noise_type="pair", random_state=0)
    base = make_pipeline(StandardScaler(), LogisticRegression())
    model = CleanFirstRelabeler(base, random_state=0).fit(X_train, y_noisy)
    plain = clone(base).fit(X_train, y_noisy)
    return X_train, y_train, y_noisy, X_test, y_test, model, plain


def test_logistic_regression_base_relabels_pair_noise_toward_the_true_labels(logistic_pair_noise):
    _, y, y_noisy, _, _, model, _ = logistic_pair_noise
    changed = model.relabeled_ != y_noisy
    assert changed.any()
    assert np.mean(model.relabeled_[changed] == y[changed]) > 0.5
    assert np.mean(model.relabeled_ == y) > np.mean(y_noisy == y)


def test_logistic_regression_base_is_no_worse_than_the_plain_base_on_held_out_rows(
    logistic_pair_noise
):
    # Held-out rows, paired: no worse by more than two standard errors of the difference.
    _, _, _, X_test, y_test, model, plain = logistic_pair_noise
    gain, se = _paired_difference(y_test, model.predict(X_test), plain.predict(X_test))
    assert gain >= -2 * se


# --- bad input ------------------------------------------------------------------


def test_trusted_of_the_wrong_length_is_refused(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    with pytest.raises(ValueError, match=r"trusted must be a 1-D boolean mask .* got shape \(10,\)"):
        CleanFirstRelabeler().fit(X, y_noisy, trusted=np.ones(10, dtype=bool))


def test_trusted_that_is_not_boolean_is_refused(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    with pytest.raises(TypeError, match="trusted must be a boolean mask .*int"):
        CleanFirstRelabeler().fit(X, y_noisy, trusted=np.ones(len(y_noisy), dtype=int))


def test_trusted_without_a_row_of_some_class_is_refused(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    trusted = y_noisy != 2
    with pytest.raises(ValueError, match=r"trusted must mark at least one row of every class.*\[2\]"):
        CleanFirstRelabeler().fit(X, y_noisy, trusted=trusted)


def test_cv_larger_than_the_smallest_class_uses_fewer_folds_with_a_warning():
    X = np.arange(40, dtype=float).reshape(-1, 2)
    y = np.array([0] * 16 + [1] * 4)
    with pytest.warns(UserWarning, match=r"cv=5 folds .* has 4: using 4 folds"):
        model = CleanFirstRelabeler(
            LogisticRegression(), cv=5, min_noise_rate=0, random_state=0
        ).fit(X, y)
    expected = find_label_issues(LogisticRegression(), X, y, cv=4, random_state=0)
    np.testing.assert_array_equal(model.label_issues_, expected)


def test_a_single_sample_class_is_kept_as_given_and_in_classes(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    y = y_noisy.copy()
    y[0] = 9  # a class of one sample, deep inside another class's blob
    with pytest.warns(UserWarning, match=r"class\(es\) \[9\] of y have a single sample"):
        model = CleanFirstRelabeler(
            LogisticRegression(), relabel="all", min_confidence=0, random_state=0
        ).fit(X, y)
    assert not model.label_issues_[0] and not model.dropped_[0]
    assert model.relabeled_[0] == 9
    assert model.classes_.tolist() == [0, 1, 2, 9]


def test_classes_are_those_of_y_even_when_relabelling_empties_one():
    # Class 2's three rows sit where class 0's thirty do: the clean model
    # predicts 0 there, so relabelling every row by it empties class 2.
    X = np.array([[0.0]] * 30 + [[4.0]] * 30 + [[0.0]] * 3)
    y = np.array([0] * 30 + [1] * 30 + [2] * 3)
    model = CleanFirstRelabeler(
        LogisticRegression(), relabel="all", relabel_by="clean_model", min_confidence=0,
    ).fit(X, y, trusted=np.ones(len(y), dtype=bool))
    vanished = np.setdiff1d([0, 1, 2], model.estimator_.classes_)
    assert vanished.tolist() == [2]
    assert model.classes_.tolist() == [0, 1, 2]
    proba = model.predict_proba(X)
    assert proba.shape == (63, 3)
    np.testing.assert_array_equal(proba[:, vanished], 0.0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.isneginf(model.predict_log_proba(X)[:, vanished]).all()


def test_estimator_without_predict_proba_is_refused(noisy_blobs):
    X, _, y_noisy, _ = noisy_blobs
    with pytest.raises(ValueError, match="'estimator' parameter .* 'predict_proba'"):
        CleanFirstRelabeler(LinearSVC()).fit(X, y_noisy)


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_min_confidence_outside_zero_one_is_refused(noisy_blobs, value):
    X, _, y_noisy, _ = noisy_blobs
    with pytest.raises(ValueError, match=r"'min_confidence' parameter .* range \[0.0, 1.0\]"):
        CleanFirstRelabeler(min_confidence=value).fit(X, y_noisy)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"relabel": "some"}, "'relabel' parameter"),
        ({"low_confidence": "ignore"}, "'low_confidence' parameter"),
        ({"filter_by": "vote"}, "'filter_by' parameter"),
        ({"relabel_by": "oracle"}, "'relabel_by' parameter"),
    ],
)
def test_unknown_options_are_refused(noisy_blobs, params, match):
    X, _, y_noisy, _ = noisy_blobs
    with pytest.raises(ValueError, match=match):
        CleanFirstRelabeler(**params).fit(X, y_noisy)


def test_a_single_class_is_refused():
    with pytest.raises(ValueError, match="at least 2 classes"):
        CleanFirstRelabeler().fit(np.zeros((10, 2)), np.zeros(10))
