"""The noise estimate itself: true against estimated noise rate and transition matrix.

Run from the project root::

    python -m benchmarks.bench_noise_estimate [--quick] [--output benchmarks/results]
                                              [--parts estimate,cost]

1. **estimate**: per data set × noise type × rate × seed, through the one
   runner (:func:`benchmarks.runner.run_jobs`): out-of-fold probabilities of
   skrobust's default model (:func:`skrobust.out_of_fold_proba`, 5 folds),
   then, on those same probabilities, skrobust's estimate
   (:func:`skrobust.estimate_noise_rate` with its 95% interval, and
   :func:`skrobust.estimate_transition_matrix`) beside cleanlab's
   :func:`cleanlab.count.estimate_joint` (its rate ``1 - trace`` and its
   noise matrix). The public API is called, so the table measures whatever
   skrobust's core is. Measured: the error of the rate against the share of
   labels changed, whether the interval covers it, the mean total-variation
   distance of ``T`` from the realised one (per true class, averaged), and,
   on data sets of at least 2,000 rows, the error of the corrected accuracy
   (:func:`skrobust.noise_corrected_accuracy` with the estimated ``T``) of a
   forest trained on the other rows, on at least 1,000 validation rows with
   noisy labels, against its accuracy on their true labels; and the time.
2. **cost**: the estimate on 100,000 × 20 rows with 10 classes beside
   cleanlab's ``CleanLearning().find_label_issues`` with its own default
   out-of-fold model (``LogisticRegression``), the two in turn three times
   in one process (about a minute).

Data: the tuning data (the groups ``"tuning"``, ``"check"`` and ``"estimate"``
of :data:`benchmarks.datasets.DATASETS`; the estimate shapes are a weak-model shape, 32 classes, 15:1
imbalance, each with at least 3,000 rows); noise by
:func:`skrobust.make_noisy_labels` (symmetric, pair, instance-dependent) at
20% and 40%, plus clean labels; tuning seeds (100 and up). The bars are
those of issue 34. True labels are used only to make the noise and to score.

Seed 100 (one tuning seed: the grid's 105 cells take about an hour on two
busy cores). ``--quick``: iris at 20% symmetric noise, and the cost on 2,000 rows, once.
"""

import time
import warnings

import numpy as np

from .cli import bench_parser
from .report import markdown_table, run_parts, write_bench_report
from .runner import Job, run_jobs

RESULT_FILE = "bench_noise_estimate.md"
PARTS = ("estimate", "cost")
METHOD = "estimate"
NOISE = (("none", 0.0), ("symmetric", 0.2), ("symmetric", 0.4), ("pair", 0.2), ("pair", 0.4),
         ("instance", 0.2), ("instance", 0.4))
# issue 34's bars
RATE_BAR, INSTANCE_BAR, COVERAGE_BAR, CLEAN_BAR = 0.05, 0.08, 0.85, 0.03
ACCURACY_MAE_BAR, ACCURACY_MAX_BAR, MIN_VALIDATION = 4.0, 8.0, 1000
COST_BAR = 1.5


def _datasets(quick):
    from .datasets import datasets_in

    if quick:
        return ["iris"]
    return [*datasets_in("tuning"), *datasets_in("check"), *datasets_in("estimate")]


def _jobs(quick):
    from .tuning import TUNING_SEEDS

    noise = (("symmetric", 0.2),) if quick else NOISE
    seeds = TUNING_SEEDS[:1]
    return [Job(dataset, noise_type, rate, METHOD, seed)
            for dataset in _datasets(quick) for noise_type, rate in noise for seed in seeds]


def realised_matrix(y, y_noisy, n_classes):
    """The transition matrix the noise made: row ``k``, the labels given to true class ``k``.

    >>> realised_matrix(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), 2)
    array([[0.5, 0.5],
           [0. , 1. ]])
    """
    counts = np.bincount(y * n_classes + y_noisy, minlength=n_classes ** 2).reshape(n_classes, n_classes)
    return counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)


def matrix_error(estimate, truth):
    """Mean over true classes of the total-variation distance between rows of two matrices.

    >>> round(matrix_error(np.eye(2), np.array([[0.8, 0.2], [0.0, 1.0]])), 6)
    0.1
    """
    return float(np.abs(np.asarray(estimate) - truth).sum(axis=1).mean() / 2)


def _cleanlab_estimate(y_encoded, proba):
    """cleanlab's rate (``1 - trace`` of ``estimate_joint``) and ``T`` (its noise matrix, transposed)."""
    from cleanlab.count import compute_confident_joint, estimate_joint, estimate_latent

    rate = float(1.0 - np.trace(estimate_joint(y_encoded, proba)))
    matrix = estimate_latent(compute_confident_joint(y_encoded, proba), y_encoded)[1].T
    return rate, matrix


def _corrected(y_noisy, y_pred, matrix, n_classes):
    """The noise-corrected accuracy with ``matrix``; NaN where skrobust refuses the matrix."""
    from skrobust import noise_corrected_accuracy

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a clipped estimate is part of the measurement
            return noise_corrected_accuracy(y_noisy, y_pred, transition_matrix=matrix,
                                            labels=np.arange(n_classes))
    except ValueError:  # a singular or ill-conditioned estimate
        return float("nan")


def estimate_job(job):
    """One cell: skrobust's and cleanlab's estimates on the same out-of-fold probabilities."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import train_test_split

    import skrobust

    from .datasets import DATASETS

    X, y = DATASETS[job.dataset].load()
    y = np.unique(y, return_inverse=True)[1]
    n_classes = int(y.max()) + 1
    if job.noise_rate > 0:
        y_noisy, _ = skrobust.make_noisy_labels(
            y, X=X if job.noise_type == "instance" else None, noise_rate=job.noise_rate,
            noise_type=job.noise_type, random_state=job.seed)
    else:
        y_noisy = y.copy()
    y_noisy = np.asarray(y_noisy)
    truth = realised_matrix(y, y_noisy, n_classes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the models' own warnings are not measured here
        start = time.perf_counter()
        proba, _ = skrobust.out_of_fold_proba(None, X, y_noisy, random_state=job.seed)
        oof_time = time.perf_counter() - start
        start = time.perf_counter()
        rate, (low, high) = skrobust.estimate_noise_rate(None, X, y_noisy, pred_probs=proba,
                                                         random_state=job.seed, return_interval=True)
        rate_time = time.perf_counter() - start
        start = time.perf_counter()
        cl_rate, cl_matrix = _cleanlab_estimate(y_noisy, proba)
        cl_time = time.perf_counter() - start
        start = time.perf_counter()
        matrix = skrobust.estimate_transition_matrix(None, X, y_noisy, random_state=job.seed)
        matrix_time = time.perf_counter() - start
    true_rate = float(np.mean(y != y_noisy))
    result = {
        "accuracy": np.nan, "accuracy_folds": [], "fit_time": oof_time + rate_time,
        "n_samples": len(y), "n_classes": n_classes, "true_rate": true_rate,
        "rate": float(rate), "low": float(low), "high": float(high),
        "covered": bool(low <= true_rate <= high), "cleanlab_rate": cl_rate,
        "T_error": matrix_error(matrix, truth), "cleanlab_T_error": matrix_error(cl_matrix, truth),
        "oof_time": oof_time, "rate_time": rate_time, "cleanlab_time": cl_time, "matrix_time": matrix_time,
    }
    if len(y) >= 2 * MIN_VALIDATION:
        train, val = train_test_split(np.arange(len(y)), test_size=max(MIN_VALIDATION, len(y) // 2),
                                      stratify=y_noisy, random_state=job.seed)
        forest = RandomForestClassifier(min_samples_leaf=5, random_state=job.seed)
        y_pred = forest.fit(X[train], y_noisy[train]).predict(X[val])
        clean = float(np.mean(y_pred == y[val]))
        result.update({
            "n_validation": len(val), "clean_accuracy": clean,
            "noisy_accuracy": float(np.mean(y_pred == y_noisy[val])),
            "corrected_accuracy": _corrected(y_noisy[val], y_pred, matrix, n_classes),
            "cleanlab_corrected_accuracy": _corrected(y_noisy[val], y_pred, cl_matrix, n_classes),
            "true_T_corrected_accuracy": _corrected(y_noisy[val], y_pred, truth, n_classes),
        })
    return result


def estimate(quick, n_jobs=2):
    """The runner's table of :func:`estimate_job` over the grid."""
    return run_jobs(estimate_job, _jobs(quick), n_jobs=n_jobs, desc="noise estimate")


def _share(mask):
    mask = np.asarray(mask, dtype=bool)
    return f"{mask.sum()} of {mask.size} ({100 * mask.mean():.0f}%)" if mask.size else "none (no such cells)"


def estimate_markdown(table):
    """The per-cell table (means over seeds) and issue 34's bars, for skrobust and cleanlab."""
    from .tuning import noise_label

    failed = table[table["error"] != ""]
    table = table[table["error"] == ""].copy()
    table["abs_error"] = (table["rate"] - table["true_rate"]).abs()
    table["cleanlab_abs_error"] = (table["cleanlab_rate"] - table["true_rate"]).abs()
    has_val = "corrected_accuracy" in table
    cells = table.groupby(["dataset", "noise_type", "noise_rate"], sort=False)
    rows = []
    for (dataset, noise_type, rate), cell in cells:
        row = [dataset, noise_label(noise_type, rate), f"{cell['true_rate'].mean():.3f}",
               f"{cell['rate'].mean():.3f}", f"[{cell['low'].mean():.3f}, {cell['high'].mean():.3f}]",
               f"{cell['covered'].mean():.0%}", f"{cell['cleanlab_rate'].mean():.3f}",
               f"{cell['T_error'].mean():.3f}", f"{cell['cleanlab_T_error'].mean():.3f}"]
        if has_val and cell["corrected_accuracy"].notna().any():
            row += [f"{100 * cell['clean_accuracy'].mean():.1f}",
                    f"{100 * (cell['corrected_accuracy'] - cell['clean_accuracy']).mean():+.1f}",
                    f"{100 * (cell['cleanlab_corrected_accuracy'] - cell['clean_accuracy']).mean():+.1f}",
                    f"{100 * (cell['true_T_corrected_accuracy'] - cell['clean_accuracy']).mean():+.1f}"]
        elif has_val:
            row += [""] * 4
        row += [f"{cell['fit_time'].mean():.1f}", f"{cell['cleanlab_time'].mean():.2f}"]
        rows.append(row)
    header = ["data set", "noise", "true rate", "skrobust", "95% interval", "covered", "cleanlab",
              "T error", "cleanlab T error"]
    if has_val:
        header += ["clean acc %", "corrected − clean", "cleanlab corrected − clean", "true-T corrected − clean"]
    header += ["skrobust s", "cleanlab s (same probabilities)"]
    seeds = sorted(table["seed"].unique())
    lines = [
        "### The estimate per cell\n",
        (f"Seeds {', '.join(map(str, seeds))}; means over seeds. Out-of-fold probabilities of skrobust's "
         "default model (`out_of_fold_proba(None, ...)`, 5 folds); skrobust = `estimate_noise_rate(..., "
         "pred_probs=proba, return_interval=True)` and `estimate_transition_matrix`; cleanlab = "
         "`cleanlab.count.estimate_joint` (rate) and `estimate_latent` (T) on the same probabilities. "
         "True rate = the share of labels changed. T error = mean over true classes of the total-variation "
         "distance from the realised matrix. Corrected accuracy (in points, against the forest's accuracy "
         "on the true labels of ≥ 1,000 validation rows): `noise_corrected_accuracy` with each T; blank "
         "where the data set has fewer than 2,000 rows. skrobust s = out-of-fold probabilities + estimate.\n"),
        markdown_table(header, rows, align="ll" + "r" * (len(header) - 2)),
        "",
    ]
    lines += _bars(table)
    if len(failed):
        lines.append(f"- {len(failed)} job(s) failed: " + "; ".join(
            f"{r.dataset} {noise_label(r.noise_type, r.noise_rate)} seed {r.seed}: {r.error}"
            for r in failed.itertuples()))
    return "\n".join(lines)


def _bars(table):
    """Issue 34's bars, one line each, for skrobust and for cleanlab's estimate_joint."""
    noisy = table["noise_rate"] > 0
    class_level = noisy & table["noise_type"].isin(["symmetric", "pair"])
    instance = noisy & (table["noise_type"] == "instance")
    clean = ~noisy
    lines = []
    for name, rate_col, err_col in (("skrobust", "rate", "abs_error"),
                                    ("cleanlab estimate_joint", "cleanlab_rate", "cleanlab_abs_error")):
        within = table.loc[class_level, err_col] <= RATE_BAR
        within_instance = table.loc[instance, err_col] <= INSTANCE_BAR
        over = table.loc[clean].groupby("dataset")[rate_col].max()
        lines += [
            f"- {name}: rate within ±{RATE_BAR} in {_share(within)} of the symmetric/pair cells "
            f"(bar ≥ {COVERAGE_BAR:.0%}); within ±{INSTANCE_BAR} in {_share(within_instance)} of the "
            f"instance cells (bar ≥ 75%); mean |error| {table.loc[noisy, err_col].mean():.3f} on noisy cells.",
            f"- {name}: clean labels read ≤ {CLEAN_BAR} on {int((over <= CLEAN_BAR).sum())} of {len(over)} "
            f"data sets; above: {', '.join(f'{d} ({v:.3f})' for d, v in over[over > CLEAN_BAR].items()) or 'none'}.",
        ]
    lines.append(f"- skrobust: the 95% interval covers the true rate in {_share(table['covered'])} of all "
                 f"cells (bar ≥ {COVERAGE_BAR:.0%}).")
    if "corrected_accuracy" in table:
        val = table[table["n_validation"].fillna(0) >= MIN_VALIDATION]
        for name, col in (("skrobust's T", "corrected_accuracy"), ("cleanlab's T", "cleanlab_corrected_accuracy"),
                          ("the realised T", "true_T_corrected_accuracy")):
            error = 100 * (val[col] - val["clean_accuracy"]).abs()
            level = (val["noise_type"] != "instance").to_numpy()
            lines.append(
                f"- corrected accuracy with {name} over {len(val)} cells of ≥ {MIN_VALIDATION} validation "
                f"rows: mean |error| {error.mean():.1f} points, max {error.max():.1f} "
                f"(bar: mean ≤ {ACCURACY_MAE_BAR:g}, none above {ACCURACY_MAX_BAR:g}); on the "
                f"{int(level.sum())} clean, symmetric and pair cells {error[level].mean():.1f}, max "
                f"{error[level].max():.1f}; {int(val[col].isna().sum())} refused (singular T).")
    return lines


def cost(quick, repeats=3):
    """Seconds for the estimate and for cleanlab's find_label_issues, side by side on one data set.

    The two run in turn ``repeats`` times (ours, theirs, ours, ...) in this
    process; the ratio is the median of the pairs' ratios, so that a machine
    whose speed drifts moves both sides of a pair alike.
    """
    from sklearn.datasets import make_classification

    import skrobust

    from cleanlab.classification import CleanLearning

    n_samples, repeats = (2_000, 1) if quick else (100_000, repeats)
    X, y = make_classification(n_samples=n_samples, n_features=20, n_informative=10, n_classes=10,
                               random_state=100)
    y_noisy, _ = skrobust.make_noisy_labels(y, noise_rate=0.2, random_state=100)
    rows, ratios = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for run in range(1, repeats + 1):
            start = time.perf_counter()
            rate, _ = skrobust.estimate_noise_rate(None, X, y_noisy, random_state=100, return_interval=True)
            ours = time.perf_counter() - start
            start = time.perf_counter()
            issues = CleanLearning().find_label_issues(X, y_noisy)["is_label_issue"]
            theirs = time.perf_counter() - start
            ratios.append(ours / theirs)
            rows.append([str(run), f"{ours:.1f}", f"{rate:.3f}", f"{theirs:.1f}", f"{issues.mean():.3f}",
                         f"{ours / theirs:.2f}"])
    ratio = float(np.median(ratios))
    return "\n".join([
        "### Cost\n",
        (f"`make_classification` {n_samples:,} × 20 (10 informative), 10 classes, 20% symmetric noise "
         f"(true rate {np.mean(y_noisy != y):.3f}), seed 100, one process, the two in turn: "
         "`estimate_noise_rate(None, X, y, return_interval=True)` (its default model, 5 folds) against "
         "cleanlab's `CleanLearning().find_label_issues(X, y)` (its default `LogisticRegression`, 5 folds).\n"),
        markdown_table(["run", "skrobust s", "skrobust rate", "cleanlab s", "cleanlab share flagged", "ratio"],
                       rows, align="rrrrrr"),
        "",
        f"- median ratio {ratio:.2f} (bar ≤ {COST_BAR}): {'met' if ratio <= COST_BAR else 'missed'}.",
    ])


def main(argv=None):
    parser = bench_parser(__doc__.splitlines()[0], "iris, 20% symmetric, seed 100; cost on 2,000 rows",
                          parts=PARTS)
    args = parser.parse_args(argv)
    sections = run_parts(args.parts, {
        "estimate": lambda: estimate_markdown(estimate(args.quick)),
        "cost": lambda: cost(args.quick),
    })
    write_bench_report("The noise estimate: true against estimated rate and transition matrix",
                       "benchmarks.bench_noise_estimate", sections, args.output, argv, RESULT_FILE)


if __name__ == "__main__":
    main()
