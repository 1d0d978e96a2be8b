"""Does ``NoisyLabelSelector`` choose as well as the clean labels would? (tuning data only)

Run from the project root::

    python -m benchmarks.bench_selector [--quick] [--output benchmarks/results]
                                        [--cache FILE] [--n-jobs N]

For each tuning data set (:data:`benchmarks.datasets.DATASETS`: wine,
breast_cancer and the synthetic small6, 214 x 9, 6 imbalanced classes;
binary_hard, 1,000 x 10, 2 classes, and imbalanced, 1,500 x 12, 4 classes
11:1, whose test parts of 300 and 450 rows measure the choice more
finely than the others' 54-171) x noise
setting (clean, 20% and 40% symmetric, pair and instance-dependent; pair is
symmetric with two classes, so it is run once there) x tuning seed
(100-102): a stratified 70/30 train/test split (seeded), noise injected into
the training labels only (``make_noisy_labels``, seeded; instance-dependent
noise in its default ``"boundary"`` flavour, on the training features),
``StandardScaler`` fitted on the training part. Then

- ``NoisyLabelSelector(candidates, random_state=seed)`` is fitted on the noisy
  training labels (5 folds, its defaults); its cross-validation gives both
  choices: ``scoring="corrected"`` (the fitted selector's own) and
  ``scoring="noisy"`` (the best mean plain score of the same folds, which
  is what the selector with that scoring would choose: same folds, same
  candidates);
- every candidate is fitted plainly on the noisy training labels and scored
  on the clean test labels; the selector's refit is checked to predict as
  its candidate's plain fit does;
- the control: each candidate's 5-fold cross-validated accuracy on the
  *clean* labels of the training rows (fitted on the noisy ones), which
  no user has; its choice shows how far the cell's sampling error alone
  keeps any choice made on the training rows from the bars.

Reported, per data set x noise setting averaged over the seeds (the tuning
protocol's cell) and per seed: the clean-test accuracy of each choice against the best candidate
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
keep the run near 140 CPU minutes (the control about 60 of them). ``--quick``: wine only, seed 100.

Each cell is two :class:`benchmarks.runner.Job` (job functions :func:`_cell`
and :func:`_oracle_cell`,
run by :func:`benchmarks.runner.run_checked`: a failed cell stops the run
with its error); the report is made from the table of cells, one row each.
``--cache`` keeps the finished jobs' records, one JSON line each (a cell's two are merged).
"""

import json
import os
import time
import warnings
from dataclasses import asdict

import numpy as np
import pandas as pd

from .cli import bench_parser
from .datasets import DATASETS as REGISTRY
from .report import markdown_table, write_bench_report
from .runner import Job, one_thread, run_checked

RESULT_FILE = "bench_selector.md"
DATASETS = ("wine", "breast_cancer", "small6", "binary_hard", "imbalanced")
NOISE = (("none", 0.0), ("symmetric", 0.2), ("symmetric", 0.4), ("pair", 0.2), ("pair", 0.4),
         ("instance", 0.2), ("instance", 0.4))
SEEDS = (100, 101, 102)
PLAIN = ("random_forest", "gradient_boosting", "logistic_regression", "mlp")
WITHIN = 0.01  # "within 1 point of the best candidate"
BELOW_PLAIN = 0.005  # "more than 0.5 point below the best plain candidate"
CHOICES = {  # the choices compared: the selector's two scorings, and the control with the clean labels
    "corrected": 'scoring="corrected"',
    "noisy": 'scoring="noisy"',
    "oracle": "control: clean-label CV (no user has it)",
}


def candidates(seed):
    """The selector's default candidates without ``MAEClassifier``, seeded."""
    from skrobust.selection import default_candidates

    return {name: est for name, est in default_candidates(seed).items() if name != "mae"}


def _split(job):
    """The cell's scaled 70/30 split and its noisy training labels: ``X_train, X_test, y_train, y_test, y_noisy``."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from skrobust import make_noisy_labels

    X, y = REGISTRY[job.dataset].load()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=job.seed)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    if job.noise_rate > 0:
        instance = {"X": X_train} if job.noise_type == "instance" else {}
        y_noisy, _ = make_noisy_labels(y_train, noise_rate=job.noise_rate, noise_type=job.noise_type,
                                       random_state=job.seed, **instance)
    else:
        y_noisy = y_train
    return X_train, X_test, y_train, y_test, y_noisy


def _cache(cache, job, record):
    """Append the job's record to ``cache`` (JSON lines, with the job's fields)."""
    if cache:
        with open(cache, "a") as f:
            f.write(json.dumps({**asdict(job), **record}) + "\n")
    return record


def _cell(job, cache=None):
    """The job function: one grid cell (``job.seed`` seeds the split, the noise and every model).

    A flat record: ``test:NAME``, ``corrected:NAME`` and ``noisy:NAME`` per
    candidate, the fallback folds, the times and the chosen name; appended
    to ``cache`` as soon as it is made.
    """
    from sklearn.base import clone

    from skrobust import NoisyLabelSelector

    X_train, X_test, _, y_test, y_noisy = _split(job)
    models = candidates(job.seed)
    with warnings.catch_warnings(), one_thread():  # one core per cell; no convergence chatter
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        selector = NoisyLabelSelector(models, random_state=job.seed).fit(X_train, y_noisy)
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
    record = {f"test:{name}": score for name, score in test.items()}
    for kind in ("corrected", "noisy"):
        record.update({f"{kind}:{name}": float(results[f"{kind}_score"][results["candidate"] == name].mean())
                       for name in models})
    record.update({
        "fallback_folds": int(len(set(results["fold"][results["corrected_is_noisy"]]))),
        "selector_time": selector_time, "cv_fit_time": float(results["fit_time"].sum()),
        "refit_time": fit_time[selector.best_name_], "best_name": selector.best_name_,
    })
    return _cache(cache, job, record)


def _oracle_cell(job, cache=None):
    """The job function of the control: each candidate's 5-fold cross-validated accuracy on the
    *clean* labels of the training rows (fitted on the noisy ones), ``oracle:NAME``.

    What a selector could do with the clean labels no user has: the bar's
    ceiling set by the sampling error of the cell's rows alone.
    """
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    X_train, _, y_train, _, y_noisy = _split(job)
    folds = StratifiedKFold(5, shuffle=True, random_state=job.seed)
    record = {}
    with warnings.catch_warnings(), one_thread():
        warnings.simplefilter("ignore")
        for name, model in candidates(job.seed).items():
            pred = cross_val_predict(clone(model), X_train, y_noisy, cv=folds)
            record[f"oracle:{name}"] = float(np.mean(pred == y_train))
    return _cache(cache, job, record)


def _key(row):
    return row["dataset"], row["noise_type"], row["noise_rate"], row["seed"]


def _flat(row):
    """A cached record; lines written before the runner (``"test": {NAME: ...}``) flattened to ``test:NAME``."""
    flat = {}
    for key, value in row.items():
        flat.update({f"{key}:{name}": v for name, v in value.items()} if isinstance(value, dict)
                    else {key: value})
    return flat


def run(quick=False, cache=None, n_jobs=1, cached_only=False):
    """The cells' table (one row per cell, in grid order) and the jobs not run.

    Each cell has two jobs, the selector's (:func:`_cell`) and the
    control's (:func:`_oracle_cell`). Jobs already in ``cache`` (JSON lines)
    are read, not rerun; the others run through
    :func:`benchmarks.runner.run_jobs`, and a job that fails stops the run
    with its error once the others are done (and cached). ``cached_only``:
    only the records of ``cache``; the cells lacking one are returned.
    """

    datasets, seeds = (("wine",), SEEDS[:1]) if quick else (DATASETS, SEEDS)
    grid = [  # seed by seed: a run cut short still covers every data set and noise
        Job(d, t, r, "selector", s)
        for s in seeds
        for d in datasets
        for t, r in NOISE
        if not (t == "pair" and REGISTRY[d].n_classes == 2)
    ]
    done = {}
    if cache and os.path.exists(cache):
        with open(cache) as f:
            for line in f:  # a cell's selector and oracle records are merged
                row = _flat(json.loads(line))
                done.setdefault(_key(row), {}).update(row)
    fields = {_cell: "best_name", _oracle_cell: "oracle:random_forest"}  # one field each job makes
    for function, field in fields.items():
        todo = [job for job in grid if field not in done.get(_key(asdict(job)), {})]
        if todo and not cached_only:
            table = run_checked(function, todo, options={"cache": cache}, n_jobs=n_jobs,
                                desc=f"{function.__name__} cells")
            for row in table.to_dict("records"):
                done.setdefault(_key(row), {}).update(row)
    todo = [job for job in grid if not set(fields.values()) <= set(done.get(_key(asdict(job)), {}))]
    return pd.DataFrame([done[_key(asdict(job))] for job in grid if _key(asdict(job)) in done]), todo


def _kendall(a, b):
    from scipy.stats import kendalltau

    tau = kendalltau(a, b).statistic
    return 0.0 if np.isnan(tau) else float(tau)


def _label(row):
    return "clean" if row["noise_rate"] == 0 else f"{row['noise_type']} {row['noise_rate']:.0%}"


def summary(table):
    """The Markdown tables of the run, from :func:`run`'s table."""
    names = [column.split(":", 1)[1] for column in table.columns if column.startswith("test:")]
    per_cell, chosen = [], []
    for row in table.to_dict("records"):
        test = {n: row[f"test:{n}"] for n in names}
        best = max(test, key=test.get)
        plain = max(PLAIN, key=test.get)
        cells = [row["dataset"], _label(row), row["seed"], f"{best} {100 * test[best]:.1f}",
                 f"{plain} {100 * test[plain]:.1f}"]
        for kind in CHOICES:
            score = {n: row.get(f"{kind}:{n}", np.nan) for n in names}
            if any(np.isnan(list(score.values()))):  # no control run for this cell
                cells.append("")
                continue
            choice = max(names, key=score.get)  # first listed on ties, as the selector
            cells.append(f"{choice} {100 * test[choice]:.1f}")
            chosen.append({"choice": kind, "dataset": row["dataset"], "noise": _label(row),
                           "seed": f"seed {row['seed']}", "accuracy": test[choice], **test,
                           "tau": _kendall([score[n] for n in names], [test[n] for n in names])})
        cells.append(row["fallback_folds"])
        per_cell.append(cells)
    chosen = pd.DataFrame(chosen)
    sel, cv_fit, refit = (table[column].to_numpy() for column in ("selector_time", "cv_fit_time", "refit_time"))
    cost = (
        f"Fit time: the selector took {sel.sum():.0f} s over the {len(table)} cells; its candidates' fits "
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
        "Per data set x noise setting, accuracies averaged over the seeds (the tuning protocol's cell):",
        _choices(chosen, names, ["dataset", "noise"]),
        "Per seed (one split each):", _choices(chosen, names, ["dataset", "noise", "seed"]), cost,
        markdown_table(["data set", "noise", "seed", "best candidate (clean test)", "best plain",
                        "selector: corrected", "selector: noisy", "control: clean-label CV", "folds without T"],
                       per_cell, align="llllllllr"),
    ])


def _choices(chosen, names, keys):
    """How each scoring's choice fares per group of ``keys``: the accuracies (the choice's and each
    candidate's) and Kendall's tau averaged over the group's rows."""
    means = chosen.groupby(["choice", *keys], sort=False)[["accuracy", *names, "tau"]].mean()
    rows = []
    for kind in chosen["choice"].unique():
        cells = means.loc[kind]
        best = cells[names].max(axis=1)
        plain = cells[list(PLAIN)].max(axis=1)
        within = cells["accuracy"] >= best - WITHIN - 1e-12
        below = cells["accuracy"] < plain - BELOW_PLAIN - 1e-12
        below_text = "; ".join(f"{' '.join(key)} ({100 * gap:+.1f})" for key, gap
                               in (cells["accuracy"] - plain)[below].items())
        gap = 100 * (best - cells["accuracy"])
        rows.append([CHOICES[kind], f"{within.sum()} of {len(cells)} ({100 * within.mean():.0f}%)",
                     f"{below.sum()}" + (f": {below_text}" if below_text else ""),
                     f"{gap.mean():.2f}", f"{gap.max():.1f}", f"{cells['tau'].mean():.2f}"])
    return markdown_table(["choice", "within 1 point of the best candidate", "cells > 0.5 below the best plain",
                           "mean gap to the best (points)", "worst gap", "mean Kendall tau (score vs clean test)"],
                          rows, align="llllrr")


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
    table, missing = run(args.quick, args.cache, args.n_jobs, args.cached_only)
    text = summary(table)
    if missing:
        text += ("\n\nNot run (out of time): " + "; ".join(
            f"{job.dataset} {_label(asdict(job))} seed {job.seed}" for job in missing) + ".")
    if not args.cached_only:
        text += f"\n\nWall time: {time.perf_counter() - start:.0f} s."
    write_bench_report("NoisyLabelSelector on tuning data", "benchmarks.bench_selector", [text],
                       args.output, argv, RESULT_FILE)
    print(text)


if __name__ == "__main__":
    main()
