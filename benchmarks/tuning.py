"""Tuning data, tuning seeds and the evaluation that chooses skrobust's defaults.

Defaults are chosen here and only here: on scikit-learn's bundled data sets
and synthetic data of varied shape (binary and many classes, few and many
features, imbalanced), with seeds from :data:`TUNING_SEEDS` (100 and up). The
tables the README reports use other seeds (the seed suite's noise seeds 0-9
and 42, the sweep's seeds 0-4), and held-out real data sets outside the
project check that a choice generalises. See ``benchmarks/README.md``.

>>> sorted(TUNING_DATASETS)[:3]
['binary_hard', 'breast_cancer', 'digits']
>>> TUNING_SEEDS[0]
100
"""

import warnings
from functools import lru_cache

import numpy as np

__all__ = ["CHECK_DATASETS", "NOISE_SETTINGS", "TUNING_DATASETS", "TUNING_SEEDS", "cell_rows", "cells_below", "describe", "evaluate", "gain", "load_tuning", "noise_rate_estimates", "summarize", "tuning_model"]

TUNING_SEEDS = tuple(range(100, 200))

# (noise_type, noise_rate): clean labels, then 20% and 40% symmetric and pair noise
NOISE_SETTINGS = (
    ("none", 0.0),
    ("symmetric", 0.2),
    ("symmetric", 0.4),
    ("pair", 0.2),
    ("pair", 0.4),
)


def _sklearn(name):
    def load():
        from sklearn import datasets

        return getattr(datasets, f"load_{name}")(return_X_y=True)

    return load


def _synthetic(**params):
    def load():
        from sklearn.datasets import make_classification

        return make_classification(random_state=7, **params)

    return load


# name -> (description, loader returning (X, y))
TUNING_DATASETS = {
    "digits": ("load_digits: 1,797 x 64, 10 classes", _sklearn("digits")),
    "wine": ("load_wine: 178 x 13, 3 classes", _sklearn("wine")),
    "breast_cancer": ("load_breast_cancer: 569 x 30, 2 classes", _sklearn("breast_cancer")),
    "iris": ("load_iris: 150 x 4, 3 classes", _sklearn("iris")),
    "binary_hard": (
        "make_classification: 1,000 x 10 (4 informative), 2 classes, 2 clusters per class, flip_y=0",
        _synthetic(n_samples=1000, n_features=10, n_informative=4, n_redundant=2,
                   n_clusters_per_class=2, class_sep=0.8, flip_y=0.0),
    ),
    "many_classes": (
        "make_classification: 2,000 x 20 (12 informative), 15 classes, flip_y=0",
        _synthetic(n_samples=2000, n_features=20, n_informative=12, n_redundant=4,
                   n_classes=15, n_clusters_per_class=1, flip_y=0.0),
    ),
    "many_features": (
        "make_classification: 600 x 200 (20 informative), 4 classes, flip_y=0",
        _synthetic(n_samples=600, n_features=200, n_informative=20, n_redundant=10,
                   n_classes=4, flip_y=0.0),
    ),
    "imbalanced": (
        "make_classification: 1,500 x 12 (6 informative), 4 classes weighted 0.55/0.25/0.15/0.05, flip_y=0",
        _synthetic(n_samples=1500, n_features=12, n_informative=6, n_redundant=2,
                   n_classes=4, weights=[0.55, 0.25, 0.15, 0.05], flip_y=0.0),
    ),
}


# Shapes the tuning data lacks, modelled on the held-out failures the issues
# report (a small 6-class imbalanced set, a hard binary one, a 10-class set
# where a forest beats a network, a separable 32-class set), added 2026-12-06
# as a check that the defaults generalise (``python -m benchmarks.bench_shapes``);
# the relabeler's round 8 and the estimate's round 9 chose on them too, so they
# are tuning data, never held-out data.
# Same seeds and protocol as the tuning data.
CHECK_DATASETS = {
    "small6": (
        "make_classification: 214 x 9 (6 informative), 6 classes weighted 0.33/0.35/0.08/0.06/0.04/0.14",
        _synthetic(n_samples=214, n_features=9, n_informative=6, n_redundant=1, n_classes=6,
                   n_clusters_per_class=1, weights=[0.33, 0.35, 0.08, 0.06, 0.04, 0.14], class_sep=1.0,
                   flip_y=0.0),
    ),
    "binary7": (
        "make_classification: 532 x 7 (3 informative), 2 classes weighted 0.67/0.33, 2 clusters per class, class_sep=0.6",
        _synthetic(n_samples=532, n_features=7, n_informative=3, n_redundant=2, n_clusters_per_class=2,
                   weights=[0.67, 0.33], class_sep=0.6, flip_y=0.0),
    ),
    "signal10": (
        "make_classification: 4,000 x 40 (8 informative), 10 classes, 2 clusters per class, class_sep=0.8",
        _synthetic(n_samples=4000, n_features=40, n_informative=8, n_redundant=12, n_classes=10,
                   n_clusters_per_class=2, class_sep=0.8, flip_y=0.0),
    ),
    "leaf32": (
        "make_classification: 1,907 x 80 (30 informative), 32 classes, class_sep=3",
        _synthetic(n_samples=1907, n_features=80, n_informative=30, n_redundant=20, n_classes=32,
                   n_clusters_per_class=1, class_sep=3.0, flip_y=0.0),
    ),
}


@lru_cache(maxsize=None)
def load_tuning(name):
    """``(X, y)`` of the tuning (or check) data set ``name`` (float64 X, read-only arrays)."""
    X, y = {**TUNING_DATASETS, **CHECK_DATASETS}[name][1]()
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def tuning_model(estimator, noise_type, rate, seed, *, scale=True):
    """``estimator`` as a tuning cell fits it: ``StandardScaler`` first, noise in its training labels only.

    The noise (``LabelNoiseInjector``, seeded with ``seed``) is left out at
    ``rate`` 0; fitted, the model scores on clean labels.
    """
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skrobust import LabelNoiseInjector

    if scale:
        estimator = make_pipeline(StandardScaler(), estimator)
    if rate > 0:
        estimator = LabelNoiseInjector(estimator, noise_rate=rate, noise_type=noise_type,
                                       random_state=seed)
    return estimator


def _cell(name, build, dataset, noise_type, rate, seed, cv, scale):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import StratifiedKFold, cross_validate

    X, y = load_tuning(dataset)
    estimator = tuning_model(build(seed), noise_type, rate, seed, scale=scale)
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    with warnings.catch_warnings():  # an MLP stopped at max_iter is part of the measurement
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_validate(estimator, X, y, cv=folds, error_score="raise")
    return [
        {"method": name, "dataset": dataset, "noise_type": noise_type, "noise_rate": rate,
         "seed": seed, "fold": fold, "accuracy": float(score), "fit_time": float(fit_time)}
        for fold, (score, fit_time) in enumerate(zip(scores["test_score"], scores["fit_time"]))
    ]


def evaluate(methods, datasets=None, noise=NOISE_SETTINGS, seeds=TUNING_SEEDS[:3], *, cv=3,
             scale=True, n_jobs=1):
    """Clean-test accuracy of each method on each tuning cell, one row per fold.

    Parameters
    ----------
    methods : dict of str to callable
        ``name -> build(seed)``, returning a fresh unfitted estimator.
    datasets : list of str, default=None
        Names from :data:`TUNING_DATASETS` (or :data:`CHECK_DATASETS`); all
        the tuning data sets by default.
    noise : sequence of (str, float), default=NOISE_SETTINGS
        ``(noise_type, noise_rate)`` pairs; rate 0 means clean labels.
    seeds : sequence of int, default=TUNING_SEEDS[:3]
        Each seed fixes the folds, the noise draw and the method's randomness.
    cv : int, default=3
        Stratified folds; the noise is injected into the training folds only
        (``LabelNoiseInjector`` inside ``cross_validate``), test folds keep
        their clean labels.
    scale : bool, default=True
        Put a ``StandardScaler`` in front of every method.
    n_jobs : int, default=1
        Cells run in parallel through joblib.

    Returns
    -------
    table : pandas.DataFrame
        Columns method, dataset, noise_type, noise_rate, seed, fold, accuracy, fit_time.
    """
    return _run_cells(_cell, methods, datasets, noise, seeds, n_jobs, cv, scale)


def _estimate_cell(name, build, dataset, noise_type, rate, seed, cv):
    from sklearn.model_selection import StratifiedKFold

    from skrobust import LabelNoiseInjector

    X, y = load_tuning(dataset)
    rows = []
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    for fold, (train, _) in enumerate(folds.split(X, y)):
        # clean labels: no label changed (a symmetric rate of 0)
        injector = LabelNoiseInjector(build(seed), noise_rate=rate,
                                      noise_type=noise_type if rate > 0 else "symmetric",
                                      random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the estimators' own warnings are not measured here
            injector.fit(X[train], y[train])
        model = injector.estimator_
        rows.append({"method": name, "dataset": dataset, "noise_type": noise_type, "noise_rate": rate,
                     "seed": seed, "fold": fold, "true_rate": float(injector.noise_mask_.mean()),
                     "estimate": model.noise_rate_, "low": model.noise_rate_ci_[0],
                     "high": model.noise_rate_ci_[1],
                     "acted": model.noise_rate_ci_[0] >= model.min_noise_rate})
    return rows


def noise_rate_estimates(methods, datasets=None, noise=NOISE_SETTINGS, seeds=TUNING_SEEDS[:3], *,
                         cv=3, n_jobs=1):
    """The fitted ``noise_rate_`` (and ``noise_rate_ci_``) of each method on each tuning cell.

    The training folds of :func:`evaluate` (the same folds and noise for a
    seed), one row per fold.

    Parameters
    ----------
    methods : dict of str to callable
        ``name -> build(seed)``, returning a fresh unfitted estimator that
        sets ``noise_rate_`` and ``noise_rate_ci_`` in ``fit`` and has a
        ``min_noise_rate`` (no scaler in
        front: the forests behind both estimates do not depend on the scale).
    datasets, noise, seeds, cv, n_jobs
        As in :func:`evaluate`.

    Returns
    -------
    table : pandas.DataFrame
        Columns method, dataset, noise_type, noise_rate, seed, fold, true_rate
        (the share of training labels changed), estimate, low, high, acted
        (the interval's lower end reaches the estimator's ``min_noise_rate``).
    """
    return _run_cells(_estimate_cell, methods, datasets, noise, seeds, n_jobs, cv)


def _run_cells(cell, methods, datasets, noise, seeds, n_jobs, *args):
    """``cell(name, build, dataset, noise_type, rate, seed, *args)`` over the grid, rows in one frame."""
    import pandas as pd
    from joblib import Parallel, delayed

    datasets = list(TUNING_DATASETS) if datasets is None else list(datasets)
    jobs = [
        delayed(cell)(name, build, dataset, noise_type, rate, seed, *args)
        for dataset in datasets
        for noise_type, rate in noise
        for seed in seeds
        for name, build in methods.items()
    ]
    rows = Parallel(n_jobs=n_jobs)(jobs)
    return pd.DataFrame([row for part in rows for row in part])


CELL = ["dataset", "noise_type", "noise_rate"]


def _per_seed(table, value="accuracy"):
    """The fold mean of ``value`` per cell, method and seed."""
    return table.groupby(CELL + ["method", "seed"])[value].mean()


def summarize(table, value="accuracy"):
    """Mean ± std over seeds (of the per-seed fold means), in %, per dataset × noise, methods as columns."""
    stats = _per_seed(table, value).groupby(CELL + ["method"]).agg(["mean", "std"])
    scale = 100 if value == "accuracy" else 1
    text = stats.apply(lambda r: f"{scale * r['mean']:.1f} ± {scale * r['std']:.1f}", axis=1)
    return text.unstack("method")


def gain(table, method, reference):
    """``method`` − ``reference`` in points per cell, paired by seed: columns mean and std.

    Indexed by dataset, noise_type and noise_rate, as :func:`summarize`.
    """
    per_seed = _per_seed(table).unstack("method")
    paired = 100 * (per_seed[method] - per_seed[reference])
    return paired.groupby(CELL).agg(["mean", "std"])


def noise_label(noise_type, rate):
    """``"clean"`` or e.g. ``"pair 40%"``, for tables."""
    return "clean" if rate == 0 else f"{noise_type} {rate:.0%}"


def cell_rows(table, columns, gains):
    """Markdown table rows, one per cell: the accuracy of each of ``columns`` (as :func:`summarize`),
    then the mean of each :func:`gain` frame of ``gains``, in points."""
    text = summarize(table)
    rows = []
    for key in gains[0].index:
        dataset, noise_type, rate = key
        cells = [*text.loc[key, columns], *(f"{g.loc[key, 'mean']:+.1f}" for g in gains)]
        rows.append(f"| {dataset} | {noise_label(noise_type, rate)} | " + " | ".join(cells) + " |")
    return rows


def cells_below(cell_gain, limit):
    """``"dataset noise (gain)"`` of each cell whose mean gain (a :func:`gain` column) is below ``limit``."""
    return [f"{d} {noise_label(t, r)} ({g:+.1f})" for (d, t, r), g in cell_gain.items() if g < limit]


def _seed_range(seeds):
    """``"seed 100"`` or ``"seeds 100-102"``."""
    return f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {seeds[0]}-{seeds[-1]}"


def describe(table):
    """The protocol behind a :func:`evaluate` table, as one Markdown sentence."""
    seeds = sorted(table["seed"].unique())
    return (
        "`benchmarks.tuning.evaluate`: StandardScaler first, noise in the training folds only "
        f"(`LabelNoiseInjector`), {table['fold'].nunique()} stratified folds, clean test folds, "
        f"{_seed_range(seeds)}; accuracy % mean ± std over seeds of the fold means; "
        "differences in points, paired by seed."
    )
