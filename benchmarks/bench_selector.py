"""Does ``NoisyLabelSelector`` choose as well as the clean labels would? (tuning data only)

Run from the project root::

    python -m benchmarks.bench_selector [--quick] [--output benchmarks/results]
                                        [--cache FILE] [--n-jobs N]

For each tuning data set (:data:`benchmarks.datasets.DATASETS`: wine,
breast_cancer and the synthetic small6, 214 x 9, 6 imbalanced classes) x noise
setting (clean, 20% and 40% symmetric, 20% pair; pair is symmetric with two
classes, so it is run once there) x tuning seed (100, 101): a stratified
70/30 train/test split (seeded), noise injected into the training labels
only (``make_noisy_labels``, seeded), ``StandardScaler`` fitted on the
training part. Then

- ``NoisyLabelSelector(candidates, random_state=seed)`` is fitted on the noisy
  training labels (5 folds, its defaults); its cross-validation gives both
  choices: ``scoring="corrected"`` (the fitted selector's own) and
  ``scoring="noisy"`` (the best mean plain score of the same folds, which
  is what the selector with that scoring would choose: same folds, same
  candidates);
- every candidate is fitted plainly on the noisy training labels and scored
  on the clean test labels; the selector's refit is checked to predict as
  its candidate's plain fit does.

Reported: the clean-test accuracy of each choice against the best candidate
(chosen with the clean test labels, which the selector never sees) and
against the best *plain* candidate (forest, gradient boosting, linear,
MLP); how well each score ranks the candidates (Kendall's tau with the
clean-test accuracies); and the selector's fit time against the sum of its
candidates' fit times in its cross-validation (a plain cross-validation of
every candidate costs that sum; fits run one at a time, ``n_jobs=None``).

The candidates are the defaults without ``MAEClassifier`` (TensorFlow
training would multiply the run time; the selector's default list has it
when the ``keras`` extra is installed). Each cell runs on one thread
(``threadpoolctl``); digits and the larger synthetic sets are left out to
keep the run near 15 CPU minutes. ``--quick``: wine only, seed 100.
"""

import json
import os
import time
import warnings

import numpy as np

from .cli import bench_parser
from .report import markdown_table, write_bench_report

RESULT_FILE = "bench_selector.md"
DATASETS = ("wine", "breast_cancer", "small6")
NOISE = (("none", 0.0), ("symmetric", 0.2), ("symmetric", 0.4), ("pair", 0.2))
SEEDS = (100, 101)
PLAIN = ("random_forest", "gradient_boosting", "logistic_regression", "mlp")
WITHIN = 0.01  # "within 1 point of the best candidate"
BELOW_PLAIN = 0.005  # "more than 0.5 point below the best plain candidate"


def candidates(seed):
    """The selector's default candidates without ``MAEClassifier``, seeded."""
    from skrobust.selection import default_candidates

    return {name: est for name, est in default_candidates(seed).items() if name != "mae"}


def _cell(dataset, noise_type, rate, seed):
    from sklearn.base import clone
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from skrobust import NoisyLabelSelector, make_noisy_labels

    from .datasets import DATASETS

    X, y = DATASETS[dataset].load()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    if rate > 0:
        y_noisy, _ = make_noisy_labels(y_train, noise_rate=rate, noise_type=noise_type, random_state=seed)
    else:
        y_noisy = y_train
    from .runner import one_thread

    models = candidates(seed)
    with warnings.catch_warnings(), one_thread():  # one core per cell; no convergence chatter
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        selector = NoisyLabelSelector(models, random_state=seed).fit(X_train, y_noisy)
        selector_time = time.perf_counter() - start
        test, fit_time = {}, {}
        for name, model in models.items():
            start = time.perf_counter()
            fitted = clone(model).fit(X_train, y_noisy)
            fit_time[name] = time.perf_counter() - start
            pred = fitted.predict(X_test)
            test[name] = float(np.mean(pred == y_test))
            if name == selector.best_name_ and not np.array_equal(pred, selector.predict(X_test)):
                raise AssertionError(f"the selector's refit of {name} differs from its plain fit")
    results = selector.cv_results_
    names = list(models)
    scores = {
        kind: {n: float(results[f"{kind}_score"][results["candidate"] == n].mean()) for n in names}
        for kind in ("corrected", "noisy")
    }
    cv_fit = float(results["fit_time"].sum())
    return {
        "dataset": dataset, "noise_type": noise_type, "noise_rate": rate, "seed": seed,
        "test": test, "corrected": scores["corrected"], "noisy": scores["noisy"],
        "fallback_folds": int(len(set(results["fold"][results["corrected_is_noisy"]]))),
        "selector_time": selector_time, "cv_fit_time": cv_fit,
        "refit_time": fit_time[selector.best_name_], "best_name": selector.best_name_,
    }


def run(quick=False, cache=None, n_jobs=1, cached_only=False):
    """One row (dict) per cell; cells already in ``cache`` (JSON lines) are read, not rerun.

    ``cached_only``: only the cells of ``cache``, and the list of the grid's cells it lacks.
    """
    from joblib import Parallel, delayed

    from .datasets import DATASETS

    datasets, seeds = (("wine",), SEEDS[:1]) if quick else (DATASETS, SEEDS)
    grid = [  # seed by seed: a run cut short still covers every data set and noise
        (d, t, r, s)
        for s in seeds
        for d in datasets
        for t, r in NOISE
        if not (t == "pair" and DATASETS[d].n_classes == 2)
    ]
    done = {}
    if cache and os.path.exists(cache):
        with open(cache) as f:
            for line in f:
                row = json.loads(line)
                done[(row["dataset"], row["noise_type"], row["noise_rate"], row["seed"])] = row
    todo = [cell for cell in grid if cell not in done]
    if cached_only:
        return [done[cell] for cell in grid if cell in done], todo

    def one(cell):
        row = _cell(*cell)
        if cache:
            with open(cache, "a") as f:
                f.write(json.dumps(row) + "\n")
        return row

    for row in Parallel(n_jobs=n_jobs)(delayed(one)(cell) for cell in todo):
        done[(row["dataset"], row["noise_type"], row["noise_rate"], row["seed"])] = row
    return [done[cell] for cell in grid], []


def _kendall(a, b):
    from scipy.stats import kendalltau

    tau = kendalltau(a, b).statistic
    return 0.0 if np.isnan(tau) else float(tau)


def _label(row):
    return "clean" if row["noise_rate"] == 0 else f"{row['noise_type']} {row['noise_rate']:.0%}"


def summary(rows):
    """The Markdown tables of the run."""
    per_cell, counts = [], {k: {"within": 0, "below_plain": [], "regret": [], "tau": []}
                            for k in ("corrected", "noisy")}
    times = []
    for row in rows:
        test = row["test"]
        best = max(test, key=test.get)
        plain = max(PLAIN, key=test.get)
        cells = [row["dataset"], _label(row), row["seed"], f"{best} {100 * test[best]:.1f}",
                 f"{plain} {100 * test[plain]:.1f}"]
        names = list(test)
        for kind in ("corrected", "noisy"):
            choice = max(names, key=row[kind].get)  # first listed on ties, as the selector
            acc = test[choice]
            c = counts[kind]
            c["within"] += acc >= test[best] - WITHIN - 1e-12
            c["regret"].append(100 * (test[best] - acc))
            if acc < test[plain] - BELOW_PLAIN - 1e-12:
                c["below_plain"].append(f"{row['dataset']} {_label(row)} seed {row['seed']} "
                                        f"({100 * (acc - test[plain]):+.1f})")
            c["tau"].append(_kendall([row[kind][n] for n in names], [test[n] for n in names]))
            cells.append(f"{choice} {100 * acc:.1f}")
        cells.append(row["fallback_folds"])
        per_cell.append(cells)
        times.append((row["selector_time"], row["cv_fit_time"], row["refit_time"]))

    n = len(rows)
    table = markdown_table(
        ["data set", "noise", "seed", "best candidate (clean test)", "best plain", "selector: corrected",
         "selector: noisy", "folds without T"],
        per_cell, align="lllllllr")
    summary_rows = []
    for kind in ("corrected", "noisy"):
        c = counts[kind]
        summary_rows.append([
            f'scoring="{kind}"',
            f"{c['within']} of {n} ({100 * c['within'] / n:.0f}%)",
            f"{len(c['below_plain'])}" + (f": {'; '.join(c['below_plain'])}" if c["below_plain"] else ""),
            f"{np.mean(c['regret']):.2f}",
            f"{np.max(c['regret']):.1f}",
            f"{np.mean(c['tau']):.2f}",
        ])
    head = markdown_table(
        ["choice", "within 1 point of the best candidate", "cells > 0.5 below the best plain",
         "mean gap to the best (points)", "worst gap", "mean Kendall tau (score vs clean test)"],
        summary_rows, align="llllrr")
    sel, cv_fit, refit = (np.array(t) for t in zip(*times))
    cost = (
        f"Fit time: the selector took {sel.sum():.0f} s over the {n} cells; its candidates' fits "
        f"in its cross-validation (what a plain cross-validation of every candidate costs) "
        f"{cv_fit.sum():.0f} s, the refit of the chosen one {refit.sum():.0f} s; the rest, "
        f"{sel.sum() - cv_fit.sum() - refit.sum():.0f} s ({100 * (sel.sum() - cv_fit.sum() - refit.sum()) / cv_fit.sum():.0f}% "
        "of the cross-validation), is the noise estimate (one per fold) and scoring. "
        f"Per cell: selector / candidates' cross-validation = {np.median(sel / cv_fit):.2f} (median), "
        f"{np.max(sel / cv_fit):.2f} (max)."
    )
    return "\n\n".join([
        "Clean-test accuracy (%) of the selector's choice, on tuning data; candidates: "
        + ", ".join(candidates(0)) + ".",
        head, cost, table,
    ])


def main(argv=None):
    parser = bench_parser(__doc__.splitlines()[0], quick_help="wine only, seed 100")
    parser.add_argument("--cache", metavar="FILE",
                        help="JSON-lines file of finished cells: read, appended to, never rerun")
    parser.add_argument("--n-jobs", type=int, default=1, help="cells run in parallel (default 1)")
    parser.add_argument("--cached-only", action="store_true",
                        help="report the cells of --cache only, listing the missing ones")
    args = parser.parse_args(argv)
    if args.cached_only and not args.cache:
        parser.error("--cached-only needs --cache FILE")
    start = time.perf_counter()
    rows, missing = run(args.quick, args.cache, args.n_jobs, args.cached_only)
    text = summary(rows)
    if missing:
        text += ("\n\nNot run (out of time): " + "; ".join(
            f"{d} {'clean' if r == 0 else f'{t} {r:.0%}'} seed {s}" for d, t, r, s in missing) + ".")
    if not args.cached_only:
        text += f"\n\nWall time: {time.perf_counter() - start:.0f} s."
    write_bench_report("NoisyLabelSelector on tuning data", "benchmarks.bench_selector", [text],
                       args.output, argv, RESULT_FILE)
    print(text)


if __name__ == "__main__":
    main()
