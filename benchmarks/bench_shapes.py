"""Today's defaults on data shapes the tuning table lacks: a check that they generalise.

Run from the project root::

    python -m benchmarks.bench_shapes [--quick] [--output benchmarks/results]
                                      [--parts accuracy,noise_rate]

The four :data:`benchmarks.tuning.CHECK_DATASETS` (a small 6-class
imbalanced set, a hard binary set, a 10-class set where a forest beats a
network, a separable 32-class set) are modelled on the held-out failures the
issues report; the relabeler's second gate and the noise estimate's
many-class confidence floor were chosen on them (docs/decisions.md).
Same protocol and seeds as the tuning tables (100-102, 3
folds, noise in the training folds only, ``StandardScaler`` first), through
the tuning evaluation's jobs (:func:`benchmarks.tuning.evaluate` and
:func:`benchmarks.tuning.noise_rate_estimates` on :func:`benchmarks.runner.run_jobs`,
one job per data set, noise, seed and method; one row per fold):

1. **Accuracy** of every skrobust estimator with its defaults against the
   references of its issue: ``MLPClassifier()`` (MAEClassifier,
   CoTeachingClassifier), CoTeachingClassifier's peers trained plainly
   (``forget_rate=0``: its bar on clean labels), ``RandomForestClassifier()`` and cleanlab's
   ``CleanLearning`` with the relabeler's acting base, the forest with leaves
   of 5 (CleanFirstRelabeler).
2. **Noise-rate estimates** of CleanFirstRelabeler and CoTeachingClassifier on
   the same training folds, against the share of labels changed.

``--quick``: small6 only, seed 100. True labels are used only to make the
noise and to score.
"""

from functools import partial

from .bench_coteaching import TUNING_PLAIN, tuning_plain
from .bench_relabel import (
    NOISE_RATE_METHODS,
    tuning_clean_learning,
    noise_rate_markdown,
)
from .cli import bench_parser
from .methods import METHODS
from .report import run_parts, write_bench_report

RESULT_FILE = "bench_shapes.md"
PARTS = ("accuracy", "noise_rate")
RF, MLP, MAE, CT, CFR = ("RandomForestClassifier()", "MLPClassifier()", "MAEClassifier()",
                         "CoTeachingClassifier()", "CleanFirstRelabeler()")
CL = "CL(leaves of 5)"
CT_PLAIN = TUNING_PLAIN


def _grid(quick):
    from .tuning import CHECK_DATASETS, TUNING_SEEDS

    return {"datasets": ["small6"] if quick else list(CHECK_DATASETS),
            "seeds": TUNING_SEEDS[:1] if quick else TUNING_SEEDS[:3]}


# the accuracy part's methods, name -> build(seed), each a job of tuning.evaluate's runner
ACCURACY_METHODS = {RF: METHODS["random_forest"], MLP: METHODS["mlp"], MAE: METHODS["mae"],
                    CT: METHODS["coteaching"], CT_PLAIN: tuning_plain, CFR: METHODS["clean_first"],
                    CL: partial(tuning_clean_learning, acting=True)}


def accuracy(quick):
    """:func:`benchmarks.tuning.evaluate` of :data:`ACCURACY_METHODS`: one row per fold."""
    from .tuning import evaluate

    return evaluate(ACCURACY_METHODS, cv=3, n_jobs=-1, **_grid(quick))


# (method, reference, the bar on clean labels, on noisy cells), in points
COMPARISONS = [(MAE, MLP, -1.0, 0.0), (CT, CT_PLAIN, -0.5, None), (CT, MLP, None, 0.0), (CT, RF, None, -1.0),
               (CFR, RF, -0.5, -1.0), (CFR, CL, None, 0.0)]


def accuracy_markdown(table):
    from .datasets import DATASETS
    from .tuning import cell_rows, cells_below, describe, gain

    gains = [gain(table, m, r) for m, r, _, _ in COMPARISONS]
    columns = [RF, MLP, MAE, CT_PLAIN, CT, CFR, CL]
    short = {RF: "RF", MLP: "MLP", MAE: "MAE", CT_PLAIN: "CT plain", CT: "CT", CFR: "CFR", CL: "CL"}
    names = " | ".join(f"{short[m]} − {short[r]}" for m, r, _, _ in COMPARISONS)
    shapes = sorted(set(table["dataset"]))
    lines = [
        "### Accuracy\n",
        describe(table) + "\n",
        "Data: " + "; ".join(f"{d} = {DATASETS[d].description}" for d in shapes) + ".\n",
        (f"{CL} = cleanlab's CleanLearning with `RandomForestClassifier(min_samples_leaf=5)`, the base "
         f"{CFR} acts with; where it does not act it fits `{RF}`.\n"),
        f"| data set | noise | {' | '.join(columns)} | {names} |",
        "|:--|:--|" + "--:|" * (len(columns) + len(gains)),
        *cell_rows(table, columns, gains),
        "",
    ]
    for (method, reference, clean_bar, noisy_bar), g in zip(COMPARISONS, gains):
        rates = g.index.get_level_values("noise_rate")
        for label, bar, cells in (("clean", clean_bar, g["mean"][rates == 0]),
                                  ("noisy", noisy_bar, g["mean"][rates > 0])):
            if bar is None:
                continue
            missed = cells_below(cells, bar)
            lines.append(f"- {label} cells with {method} − {reference} ≥ {bar:+.1f}: "
                         f"{len(cells) - len(missed)} of {len(cells)}; missed: {', '.join(missed) or 'none'}.")
    return "\n".join(lines)


def noise_rate(quick):
    """:func:`benchmarks.tuning.noise_rate_estimates` of bench_relabel's estimators: one row per fold."""
    from .tuning import noise_rate_estimates

    return noise_rate_estimates(NOISE_RATE_METHODS, cv=3, n_jobs=-1, **_grid(quick))


def main(argv=None):
    parser = bench_parser(__doc__.splitlines()[0], "small6 only, seed 100", parts=PARTS)
    args = parser.parse_args(argv)
    sections = run_parts(args.parts, {
        "accuracy": lambda: accuracy_markdown(accuracy(args.quick)),
        "noise_rate": lambda: noise_rate_markdown(noise_rate(args.quick), data="the check shapes"),
    })
    write_bench_report("Defaults on data shapes the tuning table lacks", "benchmarks.bench_shapes",
                       sections, args.output, argv, RESULT_FILE)


if __name__ == "__main__":
    main()
