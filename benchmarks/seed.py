"""The ``seed`` suite: the article's experiment, done honestly.

Data, split and 20% label flips are the article's (see :mod:`benchmarks.datasets`);
every method is fitted on the flipped training labels of one noise seed and
scored on the clean test labels. The article's own numbers (one run, noise
seed 42) are shown beside ours and marked as the article's; its co-teaching and
semi-supervised numbers picked their "trusted" samples with the true labels.
"""

import time

import numpy as np

from .methods import METHODS
from .report import environment_markdown, markdown_table, mean_std, seed_range
from .runner import Job, one_thread

NAME = "seed"
DESCRIPTION = "the article's experiment: its data, split and 20% flips; 10 noise seeds"
NOISE_RATE = 0.2
ARTICLE_SEED = 42  # the noise seed of the article's single published run
DEFAULT_SEEDS = tuple(range(10))
DEFAULT_METHODS = ("mae", "mae_article", "coteaching", "clean_first")

# The article's published accuracies (%), one run with noise seed 42, and what its code did.
ARTICLE = {
    "ceiling": (93.00, "RandomForest on clean labels", False),
    "baseline": (86.00, "RandomForest on noisy labels", False),
    "mae_article": (91.50, "Keras MLP 16-16-1 with MAE loss", False),
    "coteaching": (90.00, "two LogisticRegressions on samples chosen with the true labels", True),
    "clean_first": (90.50, "RandomForest on samples chosen with the true labels, relabel, refit", True),
}


def rows(methods):
    """``(key, method, noise_type, noise_rate, label)`` of each table row.

    The ceiling, the baseline, the baseline with skrobust's own noise
    (``LabelNoiseInjector``: exactly 20% of each class flipped), then ``methods``.
    """
    out = [
        ("ceiling", "random_forest", "none", 0.0, "RandomForest, clean labels (ceiling)"),
        ("baseline", "random_forest", "article_flip", NOISE_RATE,
         "RandomForest, noisy labels (baseline)"),
        ("injector", "random_forest", "symmetric", NOISE_RATE,
         "RandomForest, skrobust's noise (baseline)"),
    ]
    return out + [(m, m, "article_flip", NOISE_RATE, METHODS[m].label) for m in methods]


def settings(quick=False, methods=None, seeds=None):
    """The suite's settings (``--quick`` runs 3 seeds instead of 10)."""
    seeds = seeds if seeds is not None else (DEFAULT_SEEDS[:3] if quick else DEFAULT_SEEDS)
    return {
        "suite": NAME,
        "quick": quick,
        "methods": list(methods or DEFAULT_METHODS),
        "seeds": [int(s) for s in seeds],
        "article_seed": ARTICLE_SEED,
        "noise_rate": NOISE_RATE,
    }


def method_names(options):
    return ["random_forest", *options["methods"]]


def jobs(options):
    seeds = list(dict.fromkeys([*options["seeds"], ARTICLE_SEED]))
    return [
        Job("article", noise, rate, method, seed)
        for _, method, noise, rate, _ in rows(options["methods"])
        for seed in seeds
    ]


def seed_job(job):
    """The article's experiment: fit on its (possibly flipped) training labels, score on its clean test set."""
    from skrobust import LabelNoiseInjector

    from .datasets import article_data, article_flip

    X_train, X_test, y_train, y_test = article_data()
    estimator = METHODS[job.method](job.seed)
    y_fit = y_train
    if job.noise_type == "article_flip":
        y_fit = article_flip(y_train, job.seed, job.noise_rate)
    elif job.noise_type != "none":  # skrobust's own noise, through the injector
        estimator = LabelNoiseInjector(estimator, noise_rate=job.noise_rate,
                                       noise_type=job.noise_type, random_state=job.seed)
    with one_thread():
        start = time.perf_counter()
        estimator.fit(X_train, y_fit)
        fit_time = time.perf_counter() - start
        accuracy = float(np.mean(np.asarray(estimator.predict(X_test)) == y_test))
    return {"accuracy": accuracy, "accuracy_folds": [accuracy], "fit_time": fit_time}


JOB_FUNCTION = seed_job


def job_options(options):
    return {}


def estimate_seconds(options, n_workers):
    return None  # a few minutes at most; the progress bar shows the rest


def _by_row(results, options):
    """``{key: (label, accuracies over seeds, accuracy at the article's seed, fit times)}``."""
    table = {}
    for key, method, noise, _, label in rows(options["methods"]):
        cell = results[(results["method"] == method) & (results["noise_type"] == noise)]
        accs = cell.loc[cell["seed"].isin(options["seeds"]), "accuracy"].tolist()
        at_article = cell.loc[cell["seed"] == ARTICLE_SEED, "accuracy"].tolist()
        table[key] = (label, accs, at_article, cell["fit_time"].tolist())
    return table


def summary(results, options, env):
    """The Markdown report: table, notes, settings and environment."""
    table = _by_row(results, options)
    ceiling = np.mean(table["ceiling"][1])
    baseline = np.mean(table["baseline"][1])
    seeds = options["seeds"]
    seed_text = seed_range(seeds)
    body = []
    for key, (label, accs, at_article, times) in table.items():
        if key in ("ceiling", "baseline", "injector") or not ceiling - baseline > 0:
            ratio = "—"
        else:
            ratio = f"{(np.mean(accs) - baseline) / (ceiling - baseline):+.2f}"
        article = ""
        if key in ARTICLE:
            value, what, cheated = ARTICLE[key]
            article = f"{value:.2f} ({what})" + (" **used true labels**" if cheated else "")
        body.append([label, mean_std(accs), ratio, mean_std(at_article), article, f"{np.mean(times):.2f}"])
    header = [
        "method",
        f"accuracy % (mean ± std, noise seeds {seed_text})",
        "recovery ratio",
        f"accuracy % at noise seed {ARTICLE_SEED}",
        f"the article's number % (its one run, noise seed {ARTICLE_SEED})",
        "fit time s",
    ]
    failures = results[results["error"] != ""].to_dict("records")
    lines = [
        "## The article's experiment (`seed` suite)",
        "",
        markdown_table(header, body, align="lrrrlr"),
        "",
        f"Data: the article's `make_classification` (1,000 x 2, 2 classes, random_state=42), "
        f"80/20 split (random_state=42); exactly {int(NOISE_RATE * 100)}% of the 800 training labels "
        "flipped, positions drawn by `RandomState(seed).choice`; accuracy on the 200 clean test labels. "
        "Every method here is fitted on the noisy labels only, with its default parameters and "
        "`random_state=seed`; the true training labels are used only by the clean-label ceiling. "
        "Recovery ratio = (accuracy − baseline) / (ceiling − baseline), from the seed means. "
        f"The article's numbers are copied from the article (one run, noise seed {ARTICLE_SEED}); "
        "its co-teaching and semi-supervised methods selected their trusted samples by comparing "
        "the noisy labels with the true ones, which no user can do. The row \"skrobust's noise\" "
        "is the same forest under `LabelNoiseInjector(noise_rate=0.2, random_state=seed)`: "
        "`make_noisy_labels` flips exactly 20% of each class instead of 20% of all labels.",
    ]
    if failures:
        lines += ["", f"**{len(failures)} run(s) failed:**", ""]
        lines += [f"- {r['method']} seed {r['seed']}: {r['error']}" for r in failures]
    lines += ["", environment_markdown(env)]
    return "\n".join(lines)


def plot(results, options, path):
    """Horizontal bars from 0 (mean ± std over seeds), the article's numbers as markers.

    The bars are labelled with the table's numbers (two decimals); the
    dashed lines mark the ceiling's and the baseline's means and are in the
    legend.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    table = _by_row(results, options)
    keys = list(table)
    labels = [table[k][0] for k in keys]
    means = np.array([100 * np.mean(table[k][1]) for k in keys])
    stds = np.array([100 * np.std(table[k][1]) for k in keys])
    y = np.arange(len(keys))[::-1]
    kind_color = {"skrobust": "#1f77b4", "peer": "#9467bd", "baseline": "#8c564b"}
    colors = ["#aaaaaa", "#d62728", "#f4a3a3"] + [kind_color[METHODS[k].kind] for k in keys[3:]]

    fig, ax = plt.subplots(figsize=(10, 0.62 * len(keys) + 2.6))
    ax.barh(y, means, xerr=stds, color=colors, alpha=0.9, capsize=4, height=0.6)
    for yi, key in zip(y, keys):
        text = mean_std(table[key][1])  # the table's own text
        if text != "failed":
            ax.text(1, yi, text + " %", va="center", ha="left", fontsize=10, color="white",
                    fontweight="bold")
    handles = [Patch(color="#aaaaaa", label="RandomForest, clean labels (ceiling)"),
               Patch(color="#d62728", label="RandomForest, noisy labels (baseline)"),
               Patch(color="#f4a3a3", label="RandomForest, skrobust's noise: LabelNoiseInjector, 20% of each class")]
    kinds = {METHODS[k].kind for k in keys[3:]}
    for kind, text in [("skrobust", "skrobust"), ("baseline", "plain scikit-learn"), ("peer", "cleanlab")]:
        if kind in kinds:
            handles.append(Patch(color=kind_color[kind], label=text))
    handles.append(Line2D([], [], color="black", marker="|", ls="-", label="± std over noise seeds"))
    for cheated, marker, color, text in [
        (False, "D", "black", f"the article's number (one run, noise seed {ARTICLE_SEED})"),
        (True, "X", "#ff7f0e", "the article's number, which used the TRUE labels"),
    ]:
        points = [(yi, ARTICLE[k][0]) for yi, k in zip(y, keys) if k in ARTICLE and ARTICLE[k][2] == cheated]
        if points:
            ax.scatter([v for _, v in points], [yi for yi, _ in points], marker=marker, s=70, color=color,
                       edgecolor="black", zorder=3)
            handles.append(Line2D([], [], ls="", marker=marker, color=color, markeredgecolor="black",
                                  markersize=8, label=text))
    for index, color, what in [(0, "#888888", "ceiling"), (1, "#d62728", "baseline")]:
        if np.isfinite(means[index]):
            ax.axvline(means[index], color=color, ls="--", lw=1.2)
            handles.append(Line2D([], [], color=color, ls="--", lw=1.2,
                                  label=f"{what} mean, {means[index]:.2f} %"))
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xticks(np.arange(0, 101, 10))
    ax.set_xlabel("accuracy on the clean test labels (%), axis from 0")
    seeds = options["seeds"]
    # centred on the figure: long method names push the axes to the right
    fig.suptitle(f"The article's experiment: {int(NOISE_RATE * 100)}% of the training labels flipped, "
                 f"{len(seeds)} noise seeds", fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=9, frameon=False)
    n_legend_rows = (len(handles) + 1) // 2
    fig.tight_layout(rect=(0, (0.22 * n_legend_rows + 0.02) / fig.get_figheight(), 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)
