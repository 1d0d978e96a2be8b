"""Noise-corrected scoring: how close to the clean accuracy, and which method it picks.

Run from the project root::

    python -m benchmarks.bench_scoring [--quick] [--seeds 100,101] [--datasets digits,wine] [--output benchmarks/results]

The user's situation: every label is noisy, for training *and* validation.
On tuning data (:data:`benchmarks.datasets.DATASETS`: digits, wine, breast_cancer, the
15-class ``many_classes`` synthetic set with 2,000 rows, plus ``synthetic_3000``, a 3-class
synthetic set of 3,000 rows, so that two data sets have at least
1,000 validation rows), for 20% and 40% symmetric and pair noise applied by
``make_noisy_labels`` to *all* labels with tuning seeds (100 and up), each
seed fixes the noise draw, a shuffled 2-fold ``StratifiedKFold`` over the
noisy labels (each row is validated once, so half the rows are validation
rows) and the methods' randomness.

On each validation fold, four methods fitted on the noisy training fold
(RandomForest, StandardScaler + LogisticRegression, StandardScaler +
``CleanFirstRelabeler()``, HistGradientBoosting) are scored five ways:

- ``clean``: accuracy on the true labels (what the user cannot compute);
- ``plain``: accuracy on the noisy validation labels;
- ``known T``: ``noise_corrected_accuracy`` with the true transition matrix;
- ``T per fold``: the matrix ``make_noise_corrected_scorer(transition_matrix="estimate")``
  estimates, confident learning on the validation fold's own features and
  noisy labels (the benchmark checks it is the scorer's very matrix; the
  scorer corrects with it by non-negative least squares, this column, as the
  others, with its inverse);
- ``T on all data``: ``estimate_transition_matrix`` once on all rows and
  their noisy labels, passed as a matrix.

Reported: the mean absolute error of each score against ``clean`` (points),
the estimated matrices' error, and for each (data set, noise, seed) search,
whether the method with the best mean score over the folds (the choice
``GridSearchCV(refit=False)`` makes with that scorer, ties to the first
method) is the one with the best clean-label mean, and the clean accuracy
lost when it is not. True labels are used only to make the noise and to
score. One job of :func:`benchmarks.runner.run_jobs` per search
(:func:`scoring_job`); one BLAS thread, ``n_jobs=1``.

A second part (``--parts instance``) does the same under instance-dependent
noise (``make_noisy_labels(..., noise_type="instance")``, which flips the
samples a model finds hardest), where the correction's assumption fails;
there ``known T`` is the realised class-level matrix of the noise.
"""

import time
import warnings

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, confusion_matrix
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrobust import (
    estimate_transition_matrix,
    make_noise_corrected_scorer,
    make_noisy_labels,
    noise_corrected_accuracy,
    noise_transition_matrix,
)

from .cli import bench_parser
from .datasets import DATASETS
from .report import markdown_table, write_bench_report
from .runner import Job, one_thread, run_checked
from .tuning import TUNING_SEEDS

RESULT_FILE = "bench_scoring.md"
NOISE = (("symmetric", 0.2), ("symmetric", 0.4), ("pair", 0.2), ("pair", 0.4))
# Instance-dependent noise (make_noisy_labels' default "boundary" flavour),
# which breaks the correction's assumption: first seed only, two data sets.
INSTANCE_NOISE = (("instance", 0.2), ("instance", 0.4))
INSTANCE_DATASETS = ("digits", "synthetic_3000")
SCORES = ("plain", "known T", "T per fold", "T on all data")
N_FOLDS = 2
LARGE_ROWS = 1000  # the targets apply from this many validation rows

# the data sets, from benchmarks.datasets.DATASETS: tuning data, and a 3-class set of 3,000
# rows so that two data sets have at least 1,000 validation rows
SCORING_DATASETS = ("digits", "wine", "breast_cancer", "many_classes", "synthetic_3000")
METHOD = "scoring"  # a job fits and scores every method of methods() on one seed's folds


def methods(seed):
    from .methods import METHODS

    return {
        "RandomForest": METHODS["random_forest"](seed),
        "LogisticRegression": make_pipeline(StandardScaler(), METHODS["logistic_regression"](seed)),
        "CleanFirstRelabeler": make_pipeline(StandardScaler(), METHODS["clean_first"](seed)),
        "HistGradientBoosting": HistGradientBoostingClassifier(random_state=seed),
    }


def _corrected(y_noisy, y_pred, matrix, classes):
    """(score, clipped, refused): NaN when the matrix is too ill-conditioned to use."""
    if matrix is None:
        return np.nan, False, True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = noise_corrected_accuracy(y_noisy, y_pred, transition_matrix=matrix, labels=classes)
    return value, any("clipped" in str(w.message) for w in caught), False


def _estimate(X, y_noisy, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cleanlab chatter
        return estimate_transition_matrix(None, X, y_noisy, random_state=seed)


def _usable(matrix, classes):
    """``matrix``, or None when the metric refuses it as too ill-conditioned."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the probe's score is irrelevant
            noise_corrected_accuracy(classes, classes, transition_matrix=matrix, labels=classes)
    except ValueError:
        return None
    return matrix


def scoring_job(job):
    """One (data set, noise, seed) search, a job of the runner (one BLAS thread): its scores, one
    entry per (fold, method) in the ``score ...`` columns, and its estimated matrices, one per
    (fold, estimate) in the ``matrix ...`` columns."""
    with one_thread():
        scores, matrices = cell(job.dataset, job.noise_type, job.noise_rate, job.seed)
    return {**_columns(scores, "score "), **_columns(matrices, "matrix ")}


def cell(dataset, noise_type, rate, seed):
    """One row per (fold, method), one per (fold, estimate) for the matrices."""
    X, y = DATASETS[dataset].load()
    classes = np.unique(y)
    if noise_type == "instance":
        y_noisy, _ = make_noisy_labels(y, X=X, noise_rate=rate, noise_type="instance",
                                       random_state=seed)
        # The best class-level description of this noise: its realised matrix.
        known = confusion_matrix(y, y_noisy, labels=classes, normalize="true")
    else:
        y_noisy, _ = make_noisy_labels(y, noise_rate=rate, noise_type=noise_type,
                                       random_state=seed)
        known = noise_transition_matrix(classes, rate, noise_type)
    on_all = _estimate(X, y_noisy, seed)
    scores, matrices = [], []
    folds = StratifiedKFold(N_FOLDS, shuffle=True, random_state=seed)
    for fold, (train, test) in enumerate(folds.split(X, y_noisy)):
        per_fold = _estimate(X[test], y_noisy[test], seed)
        estimates = {"T per fold": per_fold, "T on all data": on_all}
        for name, matrix in estimates.items():
            matrices.append({
                "fold": fold, "estimate": name, "max_abs_error": np.abs(matrix - known).max(),
                "estimated_rate": float(np.mean(1 - np.diag(matrix))),
                "condition": float(np.linalg.cond(matrix)),
            })
        usable = {name: _usable(m, classes) for name, m in estimates.items()}
        for i, (name, model) in enumerate(methods(seed).items()):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence and cleanlab chatter
                model.fit(X[train], y_noisy[train])
            y_pred = model.predict(X[test])
            row = {
                "fold": fold, "method": name, "n_validation": len(test),
                "clean": accuracy_score(y[test], y_pred),
                "plain": accuracy_score(y_noisy[test], y_pred),
            }
            for score, matrix in (("known T", known), *usable.items()):
                row[score], row[f"{score} clipped"], row[f"{score} refused"] = _corrected(
                    y_noisy[test], y_pred, matrix, classes
                )
            if i == 0 and usable["T per fold"] is not None:
                _check_scorer(model, X[test], y_noisy[test], y_pred, per_fold, classes, seed)
            scores.append(row)
    return scores, matrices


def _check_scorer(model, X, y_noisy, y_pred, matrix, classes, seed):
    """The per-fold estimate is exactly the matrix the scorer estimates on the fold.

    (The scorer corrects with it by non-negative least squares, ``method="nnls"``;
    the ``T per fold`` column with the inverse, as the other columns.)
    """
    scorer = make_noise_corrected_scorer(transition_matrix="estimate", random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = noise_corrected_accuracy(y_noisy, y_pred, transition_matrix=matrix, labels=classes,
                                            method="nnls")
        assert scorer(model, X, y_noisy) == expected


def _columns(rows, prefix):
    """Rows (dicts with the same keys) as one list per key, the keys prefixed."""
    return {prefix + key: [row[key] for row in rows] for key in rows[0]}


def tables(results):
    """The runner's table of :func:`scoring_job` as ``(scores, matrices)``: one row per
    (search, fold, method) and one per (search, fold, estimate)."""
    keys = ["dataset", "noise_type", "noise_rate", "seed"]

    def explode(prefix):
        columns = [c for c in results.columns if c.startswith(prefix)]
        frame = results[keys + columns].explode(columns, ignore_index=True).infer_objects()
        return frame.rename(columns=lambda c: c.removeprefix(prefix))

    return explode("score "), explode("matrix ")


def run(cells, n_jobs=1, progress=True):
    """:func:`scoring_job` for each ``(dataset, noise_type, rate, seeds)`` of ``cells`` and each
    of its seeds, through the runner (a failed job raises): ``(scores, matrices)`` as :func:`tables`."""
    jobs = [Job(dataset, noise_type, rate, METHOD, seed)
            for dataset, noise_type, rate, seeds in cells for seed in seeds]
    return tables(run_checked(scoring_job, jobs, n_jobs=n_jobs, progress=progress, desc="scoring"))


def _points(values):
    return f"{100 * np.nanmean(values):.2f}"


def error_markdown(scores):
    df = scores.copy()
    for score in SCORES:
        df[f"|{score}|"] = (df[score] - df["clean"]).abs()
    df["bias known"] = df["known T"] - df["clean"]
    df["bias"] = df["T per fold"] - df["clean"]
    keys = ["dataset", "noise_type", "noise_rate"]
    rows = []
    for key, group in df.groupby(keys, sort=False):
        dataset, noise_type, rate = key
        rows.append([
            dataset, group["n_validation"].min(), f"{noise_type} {rate:.0%}",
            *(_points(group[f"|{score}|"]) for score in SCORES),
            f"{100 * group['bias known'].mean():+.2f}",
            f"{100 * group['bias'].mean():+.2f}",
            int(group["T per fold clipped"].sum() + group["T per fold refused"].sum()),
        ])
    class_level = df[df["noise_type"] != "instance"]
    large = class_level[class_level["n_validation"] >= LARGE_ROWS]
    summary = []
    parts = (("all", class_level), (f"≥ {LARGE_ROWS:,} validation rows", large),
             ("instance-dependent", df[df["noise_type"] == "instance"]))
    for label, part in parts:
        if part.empty:
            continue
        summary.append([
            label, "", "symmetric, pair" if label != "instance-dependent" else "instance",
            *(f"**{_points(part[f'|{score}|'])}**" for score in SCORES),
            f"{100 * part['bias known'].mean():+.2f}",
            f"{100 * part['bias'].mean():+.2f}",
            int(part["T per fold clipped"].sum() + part["T per fold refused"].sum()),
        ])
    header = ["data set", "validation rows", "noise", *(f"{s}" for s in SCORES),
              "bias, known T", "bias, T per fold", "T per fold clipped/refused"]
    return (
        "### Error of the accuracy estimate\n\n"
        "Mean absolute error (points) against the clean-label accuracy, over the "
        f"scores of 4 methods × {N_FOLDS} folds × the seeds per row; `bias` is the mean signed "
        "error (positive: the estimate is too high). `clipped/refused`: "
        "scores clipped to [0, 1] or matrices refused as too ill-conditioned. "
        "Targets at ≥ 1,000 validation rows: ≤ 2 points with the known T, ≤ 4 with an "
        "estimated one. For instance-dependent noise (one seed) `known T` is the noise's "
        "realised class-level matrix (row k: how the labels of true class k ended up), the "
        "best a class-conditional correction can be given.\n\n"
        + markdown_table(header, rows + summary, align="lrl" + "r" * (len(header) - 3))
    )


def matrix_markdown(matrices):
    df = matrices
    rows = []
    for (dataset, noise_type, rate), group in df.groupby(["dataset", "noise_type", "noise_rate"], sort=False):
        cells = []
        for estimate in ("T per fold", "T on all data"):
            part = group[group["estimate"] == estimate]
            cells += [f"{part['max_abs_error'].mean():.3f}", f"{part['estimated_rate'].mean():.3f}"]
        rows.append([dataset, f"{noise_type} {rate:.0%}", *cells])
    header = ["data set", "noise", "max error, per fold", "mean off-diagonal rate, per fold",
              "max error, all data", "mean off-diagonal rate, all data"]
    return (
        "### The estimated transition matrices\n\n"
        "Largest absolute entry error against the true matrix, and the estimated noise "
        "rate (mean over classes of 1 − T[k, k]; the true one is the noise rate), mean over "
        "folds and seeds. Confident learning (`estimate_transition_matrix`, ExtraTrees "
        "out-of-fold probabilities, 5 folds).\n\n"
        + markdown_table(header, rows, align="ll" + "r" * 4)
    )


def selection(scores):
    """One row per search: the method each score picks, and its clean accuracy lost."""
    import pandas as pd

    means = scores.groupby(["dataset", "noise_type", "noise_rate", "seed", "method"], sort=False)[
        ["clean", *SCORES]
    ].mean()
    searches = []
    for key, group in means.groupby(level=[0, 1, 2, 3], sort=False):
        group = group.droplevel([0, 1, 2, 3])
        best_clean = group["clean"].idxmax()
        row = dict(zip(["dataset", "noise_type", "noise_rate", "seed"], key))
        for score in SCORES:
            if group[score].isna().any():
                row[score], row[f"{score} regret"] = np.nan, np.nan
                continue
            chosen = group[score].idxmax()
            row[score] = float(chosen == best_clean)
            row[f"{score} regret"] = group["clean"].max() - group.loc[chosen, "clean"]
        row["clean choice"] = best_clean
        row["clean margin"] = group["clean"].max() - group["clean"].drop(best_clean).max()
        searches.append(row)
    return pd.DataFrame(searches)


def selection_markdown(searches):
    rows = []
    for label, part in [
        ("all", searches),
        *((f"{t}", searches[searches["noise_type"] == t]) for t in searches["noise_type"].unique()),
        *((d, searches[searches["dataset"] == d]) for d in searches["dataset"].unique()),
    ]:
        cells = []
        for score in SCORES:
            agree = part[score].dropna()
            cells.append(
                f"{100 * agree.mean():.0f}% ({int(agree.sum())}/{len(agree)}), "
                f"{100 * part[f'{score} regret'].mean():.2f}"
            )
        rows.append([label, len(part), *cells])
    chosen = searches["clean choice"].value_counts()
    return (
        "### Which method the search picks\n\n"
        "Share of searches whose choice (best mean score over the folds) is the clean-label "
        "choice, and the mean clean accuracy (points) lost against it. Target: the clean-label "
        "choice in ≥ 80% of the searches. The clean-label choices: "
        + ", ".join(f"{m} {c}" for m, c in chosen.items())
        + f"; median clean margin between the best and second-best method "
        f"{100 * searches['clean margin'].median():.2f} points.\n\n"
        + markdown_table(["searches", "n", *SCORES], rows, align="lr" + "r" * len(SCORES))
    )


def main(argv=None):
    parser = bench_parser(__doc__.splitlines()[0], "one seed", parts=("class", "instance"))
    parser.add_argument("--seeds", default=None, help="comma-separated tuning seeds (default: 100,101)")
    parser.add_argument("--datasets", default=",".join(SCORING_DATASETS))
    args = parser.parse_args(argv)
    if args.seeds:
        seeds = [int(s) for s in args.seeds.split(",")]
    else:
        seeds = list(TUNING_SEEDS[: 1 if args.quick else 2])
    if any(s not in TUNING_SEEDS for s in seeds):
        parser.error(f"--seeds must be tuning seeds ({TUNING_SEEDS[0]}-{TUNING_SEEDS[-1]})")
    datasets = args.datasets.split(",")
    unknown = [d for d in datasets if d not in DATASETS]
    if unknown:
        parser.error(f"--datasets: unknown {', '.join(unknown)}; registered: {', '.join(DATASETS)}")
    parts = args.parts
    cells = []
    if "class" in parts:
        cells += [(d, t, r, seeds) for d in datasets for t, r in NOISE]
    if "instance" in parts:
        cells += [(d, t, r, seeds[:1]) for d in datasets if d in INSTANCE_DATASETS
                  for t, r in INSTANCE_NOISE]
    if not cells:
        parser.error(f"nothing to run: --parts instance runs on {', '.join(INSTANCE_DATASETS)} only")
    start = time.perf_counter()
    scores, matrices = run(cells)
    elapsed = time.perf_counter() - start
    searches = selection(scores)
    described = {d: DATASETS[d].description for d in datasets}
    settings = (
        "### Settings\n\n"
        "- data sets: " + "; ".join(f"`{k}` ({v})" for k, v in described.items()) + "\n"
        f"- noise: {', '.join(f'{t} {r:.0%}' for t, r in NOISE)} on all labels "
        f"(`make_noisy_labels`, `random_state=seed`); tuning seeds {seeds}\n"
        f"- instance-dependent noise: {', '.join(f'{r:.0%}' for _, r in INSTANCE_NOISE)} "
        f"(`make_noisy_labels(y, X=X, noise_type='instance')`, boundary flavour) on "
        f"{', '.join(INSTANCE_DATASETS)}, seed {seeds[0]} only\n"
        f"- folds: `StratifiedKFold({N_FOLDS}, shuffle=True, random_state=seed)` on the noisy labels\n"
        "- methods: " + ", ".join(f"`{m}`" for m in methods(seeds[0])) + " (seeded with the seed)\n"
        f"- wall time: {elapsed:.0f} s (`nice -n 10`, one BLAS thread, shared 2-core machine)\n"
    )
    sections = [settings, error_markdown(scores), matrix_markdown(matrices), selection_markdown(searches)]
    for section in sections[1:]:
        print(section + "\n", flush=True)
    write_bench_report(
        "Noise-corrected scoring benchmark", "benchmarks.bench_scoring", sections, args.output,
        argv, RESULT_FILE,
    )


if __name__ == "__main__":
    main()
