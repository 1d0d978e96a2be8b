"""The ``sweep`` suite: every method on every dataset, noise type and noise rate.

Each job cross-validates ``LabelNoiseInjector(make_pipeline(preprocessor,
method), noise_rate=..., random_state=seed)``: the training folds are
corrupted, the test folds are scored against the dataset's own labels. The
preprocessor is the dataset's (``StandardScaler`` for the bundled ones;
imputation, scaling and one-hot encoding for a user's file given with
``--data FILE --target COLUMN``). Noise rate 0 is run once per dataset and
shared by the noise types (it is the same experiment).
"""

import os
from functools import lru_cache

import numpy as np

from .datasets import DATASETS, NOISE_TYPES, default_datasets, file_dataset
from .methods import METHODS
from .report import environment_markdown, markdown_table, mean_std
from .runner import Job, one_thread

NAME = "sweep"
DESCRIPTION = "datasets x noise types x rates x methods, cross-validated with clean test folds"
DEFAULT_RATES = (0.0, 0.2, 0.4)
DEFAULT_SEEDS = tuple(range(5))  # reporting seeds: no default was tuned on them
DEFAULT_CV = 5
REFERENCE = "random_forest"  # the recovery ratio's ceiling and baseline, as in the article
TIE = 0.005  # accuracy differences below half a point count as ties in the head-to-head

# --quick: what fits in 3 minutes on 2 cores (digits and the large dataset are left out)
QUICK = {
    "datasets": ["article", "breast_cancer", "wine"],
    "seeds": [0],
    "cv": 2,
}

# Seconds per fit in a 5-fold job (fit on 80% of the rows, noise injection and scaling included), one
# job per core: the bundled data sets from the fit-time table of the committed full sweep
# (`benchmarks/results/sweep.json`, 4 noise types, 2-core x86-64 VM, scikit-learn 1.9.1, TensorFlow
# 2.21; coteaching rerun on 2026-12-04, clean_first on 2026-12-06); `large` from 2026-11-27 (single
# fits on 4,000 rows, scaled by 10). Used only to announce a sweep's expected duration.
FIT_SECONDS = {
    "article": {"random_forest": 0.18, "logistic_regression": 0.01, "mlp": 0.25, "mae": 1.81,
                "coteaching": 1.8, "clean_first": 1.36, "cleanlab": 0.03},
    "breast_cancer": {"random_forest": 0.22, "logistic_regression": 0.02, "mlp": 0.31, "mae": 1.66,
                      "coteaching": 1.41, "clean_first": 1.64, "cleanlab": 0.06},
    "wine": {"random_forest": 0.14, "logistic_regression": 0.01, "mlp": 0.09, "mae": 1.08,
             "coteaching": 0.79, "clean_first": 1.27, "cleanlab": 0.05},
    "digits": {"random_forest": 0.41, "logistic_regression": 0.06, "mlp": 1.12, "mae": 2.78,
               "coteaching": 3.38, "clean_first": 5.15, "cleanlab": 0.21},
    "large": {"random_forest": 18.0, "logistic_regression": 0.3, "mlp": 32.0, "mae": 80.0,
              "coteaching": 250.0, "clean_first": 100.0, "cleanlab": 1.5},
}
# Seconds of a job beyond its fits (scoring, the folds, the runner): the clean_first update of that
# sweep took 2,001 worker-seconds for 160 jobs whose fits took 1,969.
JOB_SECONDS = 0.2
# A user's file costs the article's fit times, times its rows / 1,000 and (its encoded columns / 20) to
# this power. Measured on a 1,309-row CSV of 1 numeric and 3 text columns (one a unique name per row:
# 1,315 columns after one-hot encoding), `--quick`, every sweep method, 2026-12-07: its 49 jobs took
# 182 CPU-seconds; this rule gives 177 (the square root of the width gave 3 times too much).
WIDTH_EXPONENT = 0.25
STARTUP_SECONDS = 15  # interpreter, TensorFlow import in each worker, report and plot
UNKNOWN_FIT_SECONDS = 5.0  # a method missing from FIT_SECONDS


def settings(quick=False, datasets=None, noise_types=None, rates=None, methods=None,
             seeds=None, cv=None, data=None, target=None):
    """The sweep's settings; ``quick`` changes only the defaults of what is not given.

    ``data`` and ``target`` (a CSV or Parquet file and its label column) make
    the sweep run on that file alone; the file is read here, so a bad one
    fails before any job (:class:`~benchmarks.datasets.BadDataFile`).
    """
    preset = QUICK if quick else {}
    rates = sorted({0.0, *(float(r) for r in (rates if rates is not None else DEFAULT_RATES))})
    user = None
    if data is not None:
        data = os.path.abspath(data)  # the workers may run in another folder
        dataset = file_dataset(data, target)
        user = {"name": dataset.name, "path": data, "target": target}
        datasets = [dataset.name]
    return {
        "suite": NAME,
        "quick": quick,
        "datasets": list(datasets or preset.get("datasets", default_datasets())),
        "data": user,
        "noise_types": list(noise_types or NOISE_TYPES),
        "rates": rates,
        "methods": list(methods or [m for m, method in METHODS.items() if method.in_sweep]),
        "seeds": [int(s) for s in (seeds if seeds is not None else preset.get("seeds", DEFAULT_SEEDS))],
        "cv": int(cv or preset.get("cv", DEFAULT_CV)),
    }


def get_dataset(name, data=None):
    """The :class:`~benchmarks.datasets.Dataset` called ``name``: the user's file or a registered one."""
    if data is not None and name == data["name"]:
        return file_dataset(data["path"], data["target"])
    return DATASETS[name]


def method_names(options):
    return list(options["methods"])


def noise_settings(options, name=None):
    """``(noise_type, rate)`` pairs: one clean setting, then every noise type at every rate > 0.

    With two classes pair noise is symmetric noise (the other class is the
    next one), so a two-class dataset ``name`` runs it once, as ``symmetric``.
    """
    two = name is not None and get_dataset(name, options.get("data")).n_classes == 2
    types = [t for t in options["noise_types"] if not (t == "pair" and two)]
    noisy = [(t, r) for t in types for r in options["rates"] if r > 0]
    return [("none", 0.0)] * (0.0 in options["rates"]) + noisy


def _fit_seconds(options, name, method):
    """Reference CPU seconds of one fit; a user's file is scaled from the article by its size.

    The size is the rows and the columns the methods see, after the file's
    one-hot encoding (a text column of unique names is a column per row),
    at the power :data:`WIDTH_EXPONENT`.
    """
    if name in FIT_SECONDS:
        return FIT_SECONDS[name].get(method, UNKNOWN_FIT_SECONDS)
    data = options["data"]
    n_rows, n_columns = _encoded_shape(data["path"], data["target"])
    scale = max(1.0, n_rows / 1000) * max(1.0, n_columns / 20) ** WIDTH_EXPONENT
    return scale * FIT_SECONDS["article"].get(method, UNKNOWN_FIT_SECONDS)


@lru_cache(maxsize=None)
def _encoded_shape(path, target):
    """Rows and columns of a user's file after its preprocessing (fitted on every row)."""
    source = file_dataset(path, target)
    X, _ = source.load()
    return X.shape[0], source.preprocessor().fit(X).transform(X.iloc[:1]).shape[1]


def jobs(options):
    """Largest datasets first, so the slowest jobs do not come last."""
    order = sorted(options["datasets"],
                   key=lambda d: -sum(_fit_seconds(options, d, m) for m in options["methods"]))
    return [
        Job(name, noise_type, rate, method, seed)
        for name in order
        for noise_type, rate in noise_settings(options, name)
        for method in options["methods"]
        for seed in options["seeds"]
    ]


def sweep_job(job, *, cv=5, data=None):
    """Cross-validated clean-test accuracy of one method under one noise setting.

    The method is wrapped as ``LabelNoiseInjector(make_pipeline(preprocessor,
    method), ...)``: only the training folds are corrupted, the test folds
    are scored against the dataset's own labels. ``job.seed`` fixes the noise
    draw, the fold split and the method's randomness.
    """
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.pipeline import make_pipeline

    from skrobust import LabelNoiseInjector

    from .datasets import noise_parameters

    source = get_dataset(job.dataset, data)
    X, y = source.load()
    estimator = make_pipeline(source.preprocessor(), METHODS[job.method](job.seed))
    if job.noise_rate == 0:
        noise = {"noise_rate": 0.0}
    else:
        noise = noise_parameters(job.noise_type, job.noise_rate, source)
    model = LabelNoiseInjector(estimator, **noise, random_state=job.seed)
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=job.seed)
    with one_thread():
        scores = cross_validate(model, X, y, cv=folds, scoring="accuracy", error_score="raise")
    return {
        "accuracy": float(np.mean(scores["test_score"])),
        "accuracy_folds": [float(s) for s in scores["test_score"]],
        "fit_time": float(np.mean(scores["fit_time"])),
    }


JOB_FUNCTION = sweep_job


def job_options(options):
    return {"cv": options["cv"], "data": options.get("data")}


def estimate_seconds(options, n_workers):
    """Expected wall time from :data:`FIT_SECONDS` (a rough guide, not a promise)."""
    folds = options["cv"]
    # a job fits `folds` times on (folds - 1) / folds of the rows; FIT_SECONDS is for 4/5 of them
    scale = (folds - 1) / 0.8
    total = sum(scale * _fit_seconds(options, job.dataset, job.method) + JOB_SECONDS for job in jobs(options))
    return STARTUP_SECONDS + total / max(1, n_workers)


# ---------------------------------------------------------------- summaries


KEYS = ["dataset", "noise_type", "noise_rate", "method"]


def aggregate(results):
    """The seed statistics of every cell, from the runner's DataFrame.

    Indexed by ``(dataset, noise_type, noise_rate, method)``; columns ``mean``
    and ``std`` of the accuracy over seeds (NaN when a seed failed),
    ``accuracies`` (the list over seeds) and ``fit_time`` (mean seconds).
    """
    grouped = results.groupby(KEYS, sort=False)
    cells = grouped.agg(
        mean=("accuracy", lambda a: a.mean(skipna=False)),
        std=("accuracy", lambda a: a.std(ddof=0, skipna=False)),
        fit_time=("fit_time", "mean"),
    )
    cells["accuracies"] = grouped["accuracy"].agg(list)
    return cells


def _mean(cells, key):
    return float(cells["mean"].get(key, np.nan))


def recovery_ratio(cells, dataset, noise_type, rate, method):
    """(acc - RandomForest noisy) / (RandomForest clean - RandomForest noisy), from seed means.

    NaN when RandomForest did not run or lost less than two points to the noise
    (the ratio would divide by almost nothing).
    """
    ceiling = _mean(cells, (dataset, "none", 0.0, REFERENCE))
    baseline = _mean(cells, (dataset, noise_type, rate, REFERENCE))
    acc = _mean(cells, (dataset, noise_type, rate, method))
    if not ceiling - baseline >= 0.02:
        return np.nan
    return (acc - baseline) / (ceiling - baseline)


def head_to_head(cells, options, method, rival):
    """Wins, ties, losses and mean difference (points) of ``method`` against ``rival`` over the noisy settings."""
    wins = ties = losses = 0
    diffs = []
    for dataset in options["datasets"]:
        for noise_type, rate in noise_settings(options, dataset):
            if rate == 0:
                continue
            a = _mean(cells, (dataset, noise_type, rate, method))
            b = _mean(cells, (dataset, noise_type, rate, rival))
            if np.isnan(a) or np.isnan(b):
                continue
            diffs.append(a - b)
            wins += a - b > TIE
            losses += b - a > TIE
            ties += abs(a - b) <= TIE
    mean = 100 * float(np.mean(diffs)) if diffs else np.nan
    return wins, ties, losses, mean


def _section(title, text, table):
    """The lines of a summary section: a blank line, ``### title``, ``text`` and ``table``."""
    return ["", f"### {title}", "", text, "", table]


def summary(results, options, env):
    cells = aggregate(results)
    methods = options["methods"]
    labels = [METHODS[m].label for m in methods]
    data = options.get("data")
    seeds = options["seeds"]
    n_seeds = len(seeds)
    stat = "mean ± std over seeds" if n_seeds > 1 else "one seed"

    acc_rows, ratio_rows = [], []
    for dataset in options["datasets"]:
        for noise_type, rate in noise_settings(options, dataset):
            means = [_mean(cells, (dataset, noise_type, rate, m)) for m in methods]
            best = np.nanmax(means) if not np.all(np.isnan(means)) else np.nan
            row = [dataset, noise_type, f"{rate:g}"]
            for m, mean in zip(methods, means):
                text = mean_std(cells["accuracies"].get((dataset, noise_type, rate, m), []), digits=1)
                row.append(f"**{text}**" if mean == best else text)
            acc_rows.append(row)
            if rate > 0 and REFERENCE in methods:
                ratios = [recovery_ratio(cells, dataset, noise_type, rate, m) for m in methods if m != REFERENCE]
                ratio_rows.append([dataset, noise_type, f"{rate:g}"]
                                  + ["—" if np.isnan(x) else f"{x:+.2f}" for x in ratios])

    lines = [
        "## Noise sweep (`sweep` suite)" + (" — quick" if options["quick"] else ""),
        "",
        f"Test accuracy (%) on clean held-out folds, {options['cv']}-fold stratified CV, {stat} "
        f"(seeds {', '.join(map(str, seeds))}); the best mean of each row in bold.",
        "",
        markdown_table(["dataset", "noise", "rate", *labels], acc_rows, align="lll" + "r" * len(methods)),
    ]

    rivals = [m for m in methods if METHODS[m].kind in ("peer", "baseline")]
    contenders = [m for m in methods if METHODS[m].kind == "skrobust"]
    if contenders and rivals:
        h2h = []
        for m in contenders:
            row = [METHODS[m].label]
            for rival in rivals:
                w, t, lo, d = head_to_head(cells, options, m, rival)
                row.append("—" if np.isnan(d) else f"{w}–{t}–{lo} ({d:+.1f})")
            h2h.append(row)
        lines += _section(
            "Head to head over the noisy settings",
            f"Wins–ties–losses of each skrobust method against each rival over the settings with noise "
            f"rate > 0 (tie: seed means within {100 * TIE:g} point), and the mean accuracy difference in points.",
            markdown_table(["skrobust method", *(METHODS[r].label for r in rivals)], h2h,
                           align="l" + "r" * len(rivals)),
        )

    if ratio_rows:
        others = [METHODS[m].label for m in methods if m != REFERENCE]
        lines += _section(
            "Recovery ratio",
            "(accuracy − RandomForest on the noisy labels) / (RandomForest on clean labels − RandomForest "
            "on the noisy labels), from the seed means: 1 recovers all that the noise cost RandomForest, "
            "0 nothing, below 0 worse than RandomForest; — where the noise cost RandomForest under two points (the ratio would divide by almost nothing).",
            markdown_table(["dataset", "noise", "rate", *others], ratio_rows, align="lll" + "r" * len(others)),
        )

    fit_times = results.groupby(["dataset", "method"])["fit_time"].mean()
    time_rows = []
    for dataset in options["datasets"]:
        row = [dataset]
        for m in methods:
            seconds = fit_times.get((dataset, m), np.nan)
            row.append("—" if np.isnan(seconds) else f"{seconds:.2f}")
        time_rows.append(row)
    lines += _section(
        "Fit time",
        "Seconds per fit (one training fold, noise injection and scaling included), mean over the "
        "settings and seeds, one job per core.",
        markdown_table(["dataset", *labels], time_rows, align="l" + "r" * len(methods)),
    )

    failures = results[results["error"] != ""].to_dict("records")
    if failures:
        lines += ["", f"**{len(failures)} job(s) failed** (shown as `failed` above):", ""]
        lines += [
            f"- {r['dataset']} {r['noise_type']} {r['noise_rate']:g} {r['method']} seed {r['seed']}: {r['error']}"
            for r in failures
        ]
    warned = sorted({(m, w) for m, ws in zip(results["method"], results["warnings"]) for w in ws.split(",") if w})
    if warned:
        lines += ["", "Warnings raised during fits: "
                  + "; ".join(f"{METHODS[m].label}: {w}" for m, w in warned) + "."]

    lines += [
        "",
        "### Settings",
        "",
        "- every method: `LabelNoiseInjector(make_pipeline(preprocessor, method), noise_rate=rate, "
        "random_state=seed)` inside `cross_validate`; the seed also fixes the CV split and the "
        "method's `random_state`; noise rate 0 is the same clean run for every noise type; "
        + ("preprocessor: numeric columns median-imputed and standardised, the others imputed with "
           "the most frequent value and one-hot encoded (`ColumnTransformer`), fitted in each training fold"
           if data else "preprocessor: `StandardScaler()`"),
        "- datasets: " + "; ".join(f"`{d}` = {get_dataset(d, data).description}" for d in options["datasets"]),
        "- noise: " + "; ".join(f"`{t}`: {NOISE_TYPES[t]}" for t in options["noise_types"])
        + "; exactly the expected number of labels per class is changed (skrobust's injector); "
        "with two classes pair noise is symmetric noise, so it is run once, as symmetric",
        "- methods: " + "; ".join(f"`{m}` = {METHODS[m].description}" for m in methods),
        environment_markdown(env).rstrip(),
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- plot

_STYLE = {"baseline": ("--", 1.4), "peer": (":", 2.2), "skrobust": ("-", 2.4)}
_MARKERS = "osD^vP*X"


def plot(results, options, path):
    """Accuracy (%) against noise rate: a panel per dataset (row) and noise type (column).

    The y-axes start at 0 (a fall is drawn at its true size), as in the seed
    suite's plot. With two classes pair noise is symmetric noise (run once):
    its panel says so instead of repeating the symmetric curves, and there is
    no pair-noise column when every dataset has two classes.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cells = aggregate(results)
    datasets, methods = options["datasets"], options["methods"]
    two_class = {name: get_dataset(name, options.get("data")).n_classes == 2 for name in datasets}
    # no pair-noise column when every dataset has two classes (a user's yes/no file)
    noise_types = [t for t in options["noise_types"] if t != "pair" or not all(two_class.values())]
    colors = plt.get_cmap("tab10").colors
    fig_width = max(4.2 * len(noise_types), 9.0)  # room for the legend above a single column
    fig, axes = plt.subplots(len(datasets), len(noise_types), squeeze=False, sharex=True, sharey="row",
                             figsize=(fig_width, 3.0 * len(datasets) + 1.2))
    for i, name in enumerate(datasets):
        two = two_class[name]
        for j, noise_type in enumerate(noise_types):
            ax = axes[i, j]
            title = f"{name} — {noise_type.replace('_', '-')} noise"
            if i == len(datasets) - 1:
                ax.set_xlabel("noise rate (fraction of training labels changed)")
            if j == 0:
                ax.set_ylabel("clean test accuracy (%)")
            if noise_type == "pair" and two:
                ax.set_title(title, fontsize=10)
                ax.text(0.5, 0.5, "2 classes: pair noise is\nsymmetric noise (run once)",
                        ha="center", va="center", transform=ax.transAxes, fontsize=10, color="0.35")
                ax.set_xticks(options["rates"])
                continue
            for k, m in enumerate(methods):
                keys = [(name, "none" if rate == 0 else noise_type, rate, m) for rate in options["rates"]]
                keys = [key for key in keys if key in cells.index]
                xs = [key[2] for key in keys]
                ys = [100 * cells.at[key, "mean"] for key in keys]
                es = [100 * cells.at[key, "std"] for key in keys]
                style, width = _STYLE[METHODS[m].kind]
                ax.errorbar(xs, ys, yerr=es if len(options["seeds"]) > 1 else None, ls=style, lw=width,
                            marker=_MARKERS[k % len(_MARKERS)], ms=5, capsize=3, color=colors[k % 10],
                            label=METHODS[m].label)
            ax.set_title(title, fontsize=10)
            ax.grid(alpha=0.3)
            ax.set_xticks(options["rates"])
    for row in axes:  # shared within the row: from 0 to the top that fits every panel
        row[0].set_ylim(0, row[0].get_ylim()[1])
    handles, labels = max((ax.get_legend_handles_labels() for ax in axes.flat), key=lambda hl: len(hl[1]))
    ncol = max(1, min(4, len(labels), int(fig_width // 3)))
    fig.legend(handles, labels, loc="upper center", ncol=ncol, fontsize=10,
               frameon=False, bbox_to_anchor=(0.5, 1.0))
    n_rows = -(-len(labels) // ncol)
    top = 1 - (0.12 + 0.26 * n_rows) / fig.get_figheight()
    fig.tight_layout(rect=(0, 0, 1, top))
    fig.savefig(path, dpi=110)
    plt.close(fig)
