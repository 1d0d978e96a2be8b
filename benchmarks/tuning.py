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

from .datasets import DATASETS, datasets_in
from .report import seed_range
from .runner import Job, one_row_per_entry, run_checked

__all__ = ["CHECK_DATASETS", "NOISE_SETTINGS", "TUNING_DATASETS", "TUNING_SEEDS", "cell_rows", "cells_below", "describe", "evaluate", "gain", "noise_rate_estimates", "run_cells", "seeds_label", "summarize", "tuning_model"]

TUNING_SEEDS = tuple(range(100, 200))

# (noise_type, noise_rate): clean labels, then 20% and 40% symmetric and pair noise
NOISE_SETTINGS = (
    ("none", 0.0),
    ("symmetric", 0.2),
    ("symmetric", 0.4),
    ("pair", 0.2),
    ("pair", 0.4),
)


TUNING_DATASETS = tuple(datasets_in("tuning"))
CHECK_DATASETS = tuple(datasets_in("check"))


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


def _cell(job, methods, cv, scale):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import StratifiedKFold, cross_validate

    X, y = DATASETS[job.dataset].load()
    estimator = tuning_model(methods[job.method](job.seed), job.noise_type, job.noise_rate, job.seed,
                             scale=scale)
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=job.seed)
    with warnings.catch_warnings():  # an MLP stopped at max_iter is part of the measurement
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_validate(estimator, X, y, cv=folds, error_score="raise")
    return {"fold": list(range(cv)), "accuracy": scores["test_score"].tolist(),
            "fit_time": scores["fit_time"].tolist()}


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
    return run_cells(_cell, methods, datasets, noise, seeds, n_jobs, cv=cv, scale=scale)


def _estimate_cell(job, methods, cv):
    from sklearn.model_selection import StratifiedKFold

    from skrobust import LabelNoiseInjector

    X, y = DATASETS[job.dataset].load()
    columns = {key: [] for key in ("fold", "true_rate", "estimate", "low", "high", "acted")}
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=job.seed)
    for fold, (train, _) in enumerate(folds.split(X, y)):
        # clean labels: no label changed (a symmetric rate of 0)
        injector = LabelNoiseInjector(methods[job.method](job.seed), noise_rate=job.noise_rate,
                                      noise_type=job.noise_type if job.noise_rate > 0 else "symmetric",
                                      random_state=job.seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the estimators' own warnings are not measured here
            injector.fit(X[train], y[train])
        model = injector.estimator_
        low, high = model.noise_rate_ci_
        for key, value in zip(columns, (fold, float(injector.noise_mask_.mean()), model.noise_rate_,
                                        low, high, low >= model.min_noise_rate)):
            columns[key].append(value)
    return columns


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
    return run_cells(_estimate_cell, methods, datasets, noise, seeds, n_jobs, cv=cv)


def run_cells(cell, methods, datasets, noise, seeds, n_jobs, **options):
    """``cell(job, methods, **options)`` over the grid through the runner: one row per fold.

    A cell returns one list per column, one entry per fold; a cell that
    raised stops the evaluation with its error (a tuning table has no gaps).
    """
    jobs = [Job(dataset, noise_type, rate, name, seed)
            for dataset in (TUNING_DATASETS if datasets is None else datasets)
            for noise_type, rate in noise for seed in seeds for name in methods]
    return one_row_per_entry(run_checked(cell, jobs, options={"methods": methods, **options},
                                         n_jobs=n_jobs, progress=False))


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


def seeds_label(seeds):
    """``"seed 100"`` or ``"seeds 100-102"``."""
    return f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {seed_range(seeds)}"


def describe(table):
    """The protocol behind a :func:`evaluate` table, as one Markdown sentence."""
    seeds = sorted(table["seed"].unique())
    return (
        "`benchmarks.tuning.evaluate`: StandardScaler first, noise in the training folds only "
        f"(`LabelNoiseInjector`), {table['fold'].nunique()} stratified folds, clean test folds, "
        f"{seeds_label(seeds)}; accuracy % mean ± std over seeds of the fold means; "
        "differences in points, paired by seed."
    )
