"""CleanFirstRelabeler against plain fits and cleanlab's CleanLearning.

Run from the project root::

    python -m benchmarks.bench_relabel [--quick] [--output benchmarks/results]
                                      [--parts tuning,noise_rate,article,digits,scale]

0. **Tuning data** (:mod:`benchmarks.tuning`: its eight data sets, clean
   labels and 20%/40% symmetric and pair noise in the training folds only,
   tuning seeds 100-102, 3 folds, ``StandardScaler`` first):
   ``CleanFirstRelabeler()`` with its defaults against the forest it acts
   with (leaves of 5) fitted plainly, ``CleanLearning`` with that forest and
   with a plain ``RandomForestClassifier()``, and that plain forest (the
   relabeler's own fit when it does not act). **Noise-rate estimates**
   (``noise_rate``): on the same training folds, the ``noise_rate_`` of
   ``CleanFirstRelabeler()`` and of ``CoTeachingClassifier()`` against the
   share of labels changed, and how often each acts.

1. **Article task** (the seed article's data, split and 20% flips, noise
   seeds 0-9): test accuracy of ``CleanFirstRelabeler(random_state=seed)``
   with no trusted rows, and with a user-supplied trusted mask of 10% of the
   training rows whose labels the user verified (they carry their true
   labels; the mask is drawn with ``RandomState(1000 + seed)``), next to
   the plain default estimator and ``CleanLearning`` with that estimator.
2. **load_digits** (stratified 80/20 split, ``random_state=0``): 20% and 40%
   symmetric and pair noise from ``make_noisy_labels`` on the training
   labels, seeds 0-2 (0-4 without ``--quick``). ``CleanFirstRelabeler`` and
   ``CleanLearning`` share the base estimator (StandardScaler +
   LogisticRegression) and the very same 5 folds (``random_state=seed`` and
   ``seed=seed`` both give ``StratifiedKFold(5, shuffle=True, random_state=seed)``),
   so the difference is relabel-vs-drop alone. Accuracy on the clean test labels,
   precision/recall of the flagged rows against the flipped ones, and the
   fit-time ratio, the two fitted alternately 3 times per seed in one run
   on one machine, the fastest fit of each counting.
3. **Scale**: 20,000 and 200,000 rows × 20 features, 10 classes, 20%
   symmetric noise, base ``LogisticRegression()``: fit time and
   the peak memory allocated during ``fit`` (tracemalloc), and their growth.

True labels are used only to make the noise and to score. BLAS/OpenMP are
limited to one thread (threadpoolctl) for every method alike.

Each part is a list of :class:`benchmarks.runner.Job` run by the one runner:
the tuning parts through :mod:`benchmarks.tuning` (one job: one seed of one
method on one tuning cell), the others by :func:`benchmarks.runner.run_here`
one after the other in this process (one job: one noise seed of the article
task, all its models on the same flips; one seed of one load_digits noise
setting, with the alternating timings; one size of the scale part). The
tables are made from the runner's DataFrame.
"""

import tracemalloc
from functools import partial

import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skrobust import CleanFirstRelabeler, CoTeachingClassifier, make_noisy_labels

from .cli import bench_parser
from .datasets import DATASETS, article_data, article_flip
from .methods import METHODS
from .report import fit_timed, markdown_table, mean_std, run_parts, seed_range, write_bench_report
from .runner import Job, run_here

RESULT_FILE = "bench_relabel.md"
PARTS = ("tuning", "noise_rate", "article", "digits", "scale")
TIMING_REPEATS = 3
# CoTeachingClassifier's peers take their second look at the noise after this many plain
# epochs (its ``forget_rate`` documentation: "after ``PEER_ESTIMATE_EPOCHS`` (10) plain epochs")
PEER_ESTIMATE_EPOCHS = 10


def _clean_learning(clf, seed):
    from cleanlab.classification import CleanLearning

    return CleanLearning(clf=clf, cv_n_folds=5, seed=seed, verbose=False)


def _precision_recall(flagged, flipped):
    precision = flipped[flagged].mean() if flagged.any() else np.nan
    recall = flagged[flipped].mean() if flipped.any() else np.nan
    return precision, recall


# --- 1. the article's task ------------------------------------------------------

ARTICLE_ROWS = ("plain", "cleanlab", "relabel", "relabel_all", "trusted10", "trusted10_keep")


def article_job(job):
    """One noise seed of the article task: the clean-test accuracy of each of :data:`ARTICLE_ROWS`
    on the same flips, and ``base``, the relabeler's default estimator that ``plain`` and
    ``cleanlab`` fit (the one its final fit used on these labels)."""
    seed = job.seed
    X_train, X_test, y_train, y_test = article_data()
    y_noisy = article_flip(y_train, seed, job.noise_rate)
    scores = {}
    model = CleanFirstRelabeler(random_state=seed)
    fit_timed(model, X_train, y_noisy)
    scores["relabel"] = model.score(X_test, y_test)
    base = clone(model.estimator_)  # the default estimator, unfitted

    plain = clone(base)
    fit_timed(plain, X_train, y_noisy)
    scores["plain"] = plain.score(X_test, y_test)

    cleanlab = _clean_learning(clone(base), seed)
    fit_timed(cleanlab, X_train, y_noisy)
    scores["cleanlab"] = np.mean(cleanlab.predict(X_test) == y_test)

    article_like = CleanFirstRelabeler(
        relabel="all", relabel_by="clean_model", min_confidence=0.0, random_state=seed
    )
    fit_timed(article_like, X_train, y_noisy)
    scores["relabel_all"] = article_like.score(X_test, y_test)

    rng = np.random.RandomState(1000 + seed)
    trusted = np.zeros(len(y_train), dtype=bool)
    trusted[rng.choice(len(y_train), len(y_train) // 10, replace=False)] = True
    y_given = np.where(trusted, y_train, y_noisy)  # the user verified these rows
    with_mask = CleanFirstRelabeler(random_state=seed)
    fit_timed(with_mask, X_train, y_given, trusted=trusted)
    scores["trusted10"] = with_mask.score(X_test, y_test)
    cautious = CleanFirstRelabeler(min_confidence=0.9, low_confidence="keep", random_state=seed)
    fit_timed(cautious, X_train, y_given, trusted=trusted)
    scores["trusted10_keep"] = cautious.score(X_test, y_test)
    return {**scores, "base": _one_line(base).replace(f"random_state={seed}", "random_state=seed")}


def article(seeds):
    """The runner's table of :func:`article_job`, one row per noise seed."""
    jobs = [Job("article", "flip", 0.2, "CleanFirstRelabeler and references", seed) for seed in seeds]
    return run_here(article_job, jobs, desc="article")


def article_markdown(table):
    base = table["base"].iloc[-1]  # as the last seed's relabeler chose it
    labels = {
        "plain": f"plain `{base}` on the noisy labels",
        "cleanlab": f"cleanlab `CleanLearning({base})` (drops the issues)",
        "relabel": "`CleanFirstRelabeler()`: confident learning finds the trusted rows",
        "relabel_all": "`CleanFirstRelabeler(relabel='all', relabel_by='clean_model', min_confidence=0)`: "
        "the article's method, honest",
        "trusted10": "`CleanFirstRelabeler()` + `trusted=` 10% verified rows",
        "trusted10_keep": "`CleanFirstRelabeler(min_confidence=0.9, low_confidence='keep')` + `trusted=` "
        "10% verified rows (setting picked after seeing the row above: optimistic)",
    }
    rows = [[labels[k], mean_std(table[k])] for k in ARTICLE_ROWS]
    rows.append(["the article's leaky version (one run, compares with true labels)", "90.50"])
    return (
        "### The article's task\n\n"
        f"Test accuracy (%) on clean labels, mean ± std over noise seeds {seed_range(table['seed'])}; "
        "target for `CleanFirstRelabeler()`: ≥ 91.5.\n\n"
        + markdown_table(["method", "accuracy (%)"], rows, align="lr")
    )


# --- 2. load_digits against CleanLearning -----------------------------------------


def digits_base():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def digits_job(job, repeats=TIMING_REPEATS):
    """One seed of one noise setting on load_digits: CleanFirstRelabeler and CleanLearning with
    the same base and folds (their fastest of ``repeats`` alternating fits), what each flagged,
    and the base fitted plainly."""
    seed = job.seed
    X, y = DATASETS["digits"].load()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    y_noisy, flipped = make_noisy_labels(
        y_train, noise_rate=job.noise_rate, noise_type=job.noise_type, random_state=seed
    )
    ours = CleanFirstRelabeler(digits_base(), cv=5, random_state=seed)
    cl = _clean_learning(digits_base(), seed)
    # Alternate which goes first, so drift in machine load favours
    # neither; each is fitted `repeats` times and its fastest fit
    # counts (as timeit does: load only ever adds time).
    times = {"ours": [], "cl": []}
    for repeat in range(repeats):
        order = [("ours", ours), ("cl", cl)]
        for name, model in order if (seed + repeat) % 2 == 0 else order[::-1]:
            times[name].append(fit_timed(model, X_train, y_noisy))
    result = {"t_" + name: min(values) for name, values in times.items()}
    result["ours"] = np.mean(ours.predict(X_test) == y_test)
    result["cl"] = np.mean(cl.predict(X_test) == y_test)
    result["p_ours"], result["r_ours"] = _precision_recall(ours.label_issues_, flipped)
    cl_flags = cl.get_label_issues()["is_label_issue"].to_numpy()
    result["p_cl"], result["r_cl"] = _precision_recall(cl_flags, flipped)
    plain = digits_base()
    fit_timed(plain, X_train, y_noisy)
    result["plain"] = plain.score(X_test, y_test)
    return result


def digits(seeds, cells):
    """The runner's table of :func:`digits_job` over ``cells`` (noise type, rate) and seeds."""
    jobs = [Job("digits", noise_type, rate, "CleanFirstRelabeler vs CleanLearning", seed)
            for noise_type, rate in cells for seed in seeds]
    return run_here(digits_job, jobs, desc="digits")


def digits_markdown(table):
    rows = []
    for (noise_type, rate), cell in table.groupby(["noise_type", "noise_rate"], sort=False):
        c = {key: cell[key].to_numpy() for key in cell}
        ratio = np.sum(c["t_ours"]) / np.sum(c["t_cl"])
        rows.append([
            f"{noise_type} {rate:.0%}",
            mean_std(c["plain"]),
            mean_std(c["cl"]),
            mean_std(c["ours"]),
            "yes" if np.mean(c["ours"]) >= np.mean(c["cl"]) else "**no**",
            f"{mean_std(c['p_ours'], digits=1)} / {mean_std(c['r_ours'], digits=1)}",
            f"{mean_std(c['p_cl'], digits=1)} / {mean_std(c['r_cl'], digits=1)}",
            f"{np.mean(c['t_ours']):.2f} / {np.mean(c['t_cl']):.2f}",
            f"{ratio:.2f}",
        ])
    return (
        "### load_digits: CleanFirstRelabeler vs cleanlab CleanLearning\n\n"
        f"Base estimator for all: `{_one_line(digits_base())}`; the same 5 stratified folds for both "
        f"(`CleanFirstRelabeler(base, random_state=seed)`, `CleanLearning(base, seed=seed)`); "
        f"`make_noisy_labels` seeds {seed_range(table['seed'].unique())}; "
        "stratified 80/20 split (random_state=0); accuracy (%) on the clean test labels. "
        "Detection: precision / recall (%) of the flagged rows against the flipped ones. "
        f"Fit times in seconds: the two fitted alternately {TIMING_REPEATS} times per seed in one run, "
        "the fastest of each counting; ratio = total ours / total CleanLearning (lower is faster).\n\n"
        + markdown_table(
            ["noise", "plain", "CleanLearning", "CleanFirstRelabeler", "≥?",
             "ours P / R", "CleanLearning P / R", "fit s ours / CL", "time ratio"],
            rows,
            align="lrrrlrrrr",
        )
    )


# --- 0. tuning data -----------------------------------------------------------------

TUNING_BASE = "RandomForestClassifier(min_samples_leaf=5)"  # the default forest when acting
TUNING_RF = "RandomForestClassifier()"  # the default forest's plain fit when not acting


def _tuning_base(seed, acting=True):
    """``CleanFirstRelabeler(random_state=seed)``'s default estimator, as its ``estimator``
    parameter documents it: the forest with leaves of 5 where it acts, scikit-learn's default
    forest where it does not."""
    if not acting:
        return METHODS["random_forest"](seed)
    return RandomForestClassifier(min_samples_leaf=5, random_state=seed)


def tuning_clean_learning(seed, acting=True):
    from ._cleanlab import CleanLearningClassifier

    return CleanLearningClassifier(_tuning_base(seed, acting), seed=seed,
                                   find_label_issues_kwargs={"n_jobs": 1})


def _tuning_relabeler(seed):
    return CleanFirstRelabeler(random_state=seed)


def tuning(quick):
    from .tuning import TUNING_SEEDS, evaluate

    methods = {
        TUNING_RF: METHODS["random_forest"],
        TUNING_BASE: _tuning_base,
        f"CleanLearning({TUNING_RF})": partial(tuning_clean_learning, acting=False),
        f"CleanLearning({TUNING_BASE})": tuning_clean_learning,
        "CleanFirstRelabeler()": _tuning_relabeler,
    }
    return evaluate(methods, datasets=["wine", "iris"] if quick else None,
                    seeds=TUNING_SEEDS[:1] if quick else TUNING_SEEDS[:3], cv=3, n_jobs=-1)


def tuning_markdown(table):
    from .tuning import cell_rows, cells_below, describe, gain

    cfr, base, rf = "CleanFirstRelabeler()", TUNING_BASE, TUNING_RF
    cl, cl_rf = f"CleanLearning({base})", f"CleanLearning({rf})"
    vs_rf, vs_cl, vs_cl_rf = gain(table, cfr, rf), gain(table, cfr, cl), gain(table, cfr, cl_rf)
    lines = [
        "### Tuning data\n",
        describe(table) + "\n",
        f"CFR = `{cfr}`: it acts with `{base}` (\"leaves of 5\") and fits `{rf}` where it does not act; "
        "CL = CleanLearning.\n",
        f"| data set | noise | {rf} | leaves of 5 | CL(leaves of 5) | CL({rf}) | CFR | CFR − {rf} "
        f"| CFR − CL(leaves of 5) | CFR − CL({rf}) |",
        "|:--|:--|--:|--:|--:|--:|--:|--:|--:|--:|",
        *cell_rows(table, [rf, base, cl, cl_rf, cfr], [vs_rf, vs_cl, vs_cl_rf]),
    ]
    rates = vs_rf.index.get_level_values("noise_rate")
    clean, noisy_rf = vs_rf["mean"][rates == 0], vs_rf["mean"][rates > 0]
    lines += [
        "",
        f"- clean labels, within 0.5 point of the plain forest: {(clean.abs() <= 0.5).sum()} of "
        f"{len(clean)} data sets (worst {clean.min():+.1f}).",
    ]
    for name, vs in ((cl, vs_cl), (cl_rf, vs_cl_rf)):
        noisy = vs["mean"][rates > 0]
        lost = cells_below(noisy, 0)
        lines.append(f"- noisy cells with CFR ≥ {name}: {len(noisy) - len(lost)} of {len(noisy)}; "
                     f"lost: {', '.join(lost) or 'none'}.")
    lines.append(f"- noisy cells more than 1 point below the plain forest: "
                 f"{', '.join(cells_below(noisy_rf, -1)) or 'none'}.")
    return "\n".join(lines)


NOISE_RATE_METHODS = {
    "CleanFirstRelabeler()": _tuning_relabeler,
    # the forest's estimate, or where its gate is closed the peers' second look, which
    # comes after PEER_ESTIMATE_EPOCHS plain epochs: the epochs after it do not change it
    "CoTeachingClassifier()": lambda seed: CoTeachingClassifier(
        max_epochs=PEER_ESTIMATE_EPOCHS + 1, random_state=seed
    ),
}


def noise_rate(quick):
    from .tuning import TUNING_SEEDS, noise_rate_estimates

    return noise_rate_estimates(NOISE_RATE_METHODS, datasets=["wine", "iris"] if quick else None,
                                seeds=TUNING_SEEDS[:1] if quick else TUNING_SEEDS[:3], cv=3, n_jobs=-1)


def noise_rate_markdown(table, tolerance=0.05, data="the tuning data"):
    """The estimates against the share of labels changed, per tuning cell, and the cells within ``tolerance``."""
    from .tuning import CELL, noise_label

    table = table.assign(error=table["estimate"] - table["true_rate"])
    stats = table.groupby(CELL + ["method"]).agg(
        true=("true_rate", "mean"), mean=("estimate", "mean"), std=("estimate", "std"),
        error=("error", "mean"), abs_error=("error", lambda e: e.abs().mean()), acted=("acted", "mean"),
    ).unstack("method")
    methods = list(NOISE_RATE_METHODS)
    header = " | ".join(f"{m} estimate | mean error | folds acted on" for m in methods)
    lines = [
        f"### Noise-rate estimates on {data}\n",
        "`benchmarks.tuning.noise_rate_estimates`: the training folds of the accuracy table (same folds, "
        f"same noise), {table['fold'].nunique()} folds × {table['seed'].nunique()} seeds per cell. "
        "`noise_rate_` of `CleanFirstRelabeler()` and of `CoTeachingClassifier()` (both read "
        "out-of-fold probabilities of the forest with leaves of 5, on folds each draws from its "
        "`random_state`; where that estimate's gate is closed, co-teaching's is its peers' second "
        f"look, their in-sample probabilities after {PEER_ESTIMATE_EPOCHS} plain epochs), "
        "mean ± std over folds; "
        "mean error = estimate − share of labels changed (positive: too high); folds acted on = share "
        "of folds whose interval's lower end reaches the estimator's `min_noise_rate` (0.1).\n",
        f"| data set | noise | labels changed | {header} |",
        "|:--|:--|--:|" + "--:|--:|--:|" * len(methods),
    ]
    for key in stats.index:
        row = stats.loc[key]
        cells = [f"{row[('true', methods[0])]:.3f}"]
        for m in methods:
            cells += [f"{row[('mean', m)]:.3f} ± {row[('std', m)]:.3f}", f"{row[('error', m)]:+.3f}",
                      f"{row[('acted', m)]:.0%}"]
        lines.append(f"| {key[0]} | {noise_label(*key[1:])} | " + " | ".join(cells) + " |")
    noisy = stats.index.get_level_values("noise_rate") > 0
    lines.append("")
    for m in methods:
        error = stats[("error", m)][noisy]
        missed = [f"{d} {noise_label(t, r)} ({e:+.3f})" for (d, t, r), e in error.items()
                  if abs(e) > tolerance]
        lines.append(
            f"- {m}: noisy cells whose mean estimate is within ±{tolerance} of the share changed: "
            f"{len(error) - len(missed)} of {len(error)}; mean absolute error per fold "
            f"{stats[('abs_error', m)][noisy].mean():.3f}; missed: {', '.join(missed) or 'none'}."
        )
    return "\n".join(lines)


# --- 3. scale -----------------------------------------------------------------------


def scale_job(job):
    """``CleanFirstRelabeler(LogisticRegression(), cv=5)`` on ``n`` rows (``job.dataset`` is
    ``"make_classification_<n>"``): one fit's seconds, then the peak memory of a second fit."""
    n = int(job.dataset.rsplit("_", 1)[1])
    X, y = make_classification(
        n_samples=n, n_features=20, n_informative=15, n_redundant=2,
        n_classes=10, random_state=job.seed,
    )
    y_noisy, _ = make_noisy_labels(y, noise_rate=job.noise_rate, random_state=job.seed)
    base = LogisticRegression()
    model = CleanFirstRelabeler(base, cv=5, random_state=job.seed)
    seconds = fit_timed(clone(model), X, y_noisy)
    tracemalloc.start()
    fit_timed(model, X, y_noisy)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"n": n, "seconds": seconds, "peak_mb": peak / 2**20, "data_mb": X.nbytes / 2**20}


def scale(sizes):
    """The runner's table of :func:`scale_job`, one row per size, as records for :func:`scale_markdown`."""
    method = "CleanFirstRelabeler(LogisticRegression())"
    jobs = [Job(f"make_classification_{n}", "symmetric", 0.2, method, 0) for n in sizes]
    return run_here(scale_job, jobs, desc="scale").to_dict("records")


def scale_markdown(rows):
    table = [[f"{r['n']:,}", f"{r['seconds']:.2f}", f"{r['peak_mb']:.1f}", f"{r['data_mb']:.1f}"] for r in rows]
    first, last = rows[0], rows[-1]
    growth = (
        f"From {first['n']:,} to {last['n']:,} rows ({last['n'] / first['n']:.0f}×): time "
        f"×{last['seconds'] / first['seconds']:.1f}, peak memory ×{last['peak_mb'] / first['peak_mb']:.1f}."
    )
    return (
        "### Scale\n\n"
        "`CleanFirstRelabeler(LogisticRegression(), cv=5, random_state=0)` "
        "on `make_classification(n_features=20, n_informative=15, n_classes=10)`, 20% symmetric noise. "
        "Time: one fit (wall clock, not under tracemalloc); peak memory: allocated during a second "
        "fit, traced by tracemalloc (X itself excluded).\n\n"
        + markdown_table(["rows", "fit (s)", "peak memory (MiB)", "X (MiB)"], table, align="rrrr")
        + "\n\n" + growth
    )


def _one_line(estimator):
    return " ".join(repr(estimator).split())


def main(argv=None):
    parser = bench_parser(__doc__.splitlines()[0], "3 digits seeds, scale 20,000 only", parts=PARTS)
    args = parser.parse_args(argv)
    # One BLAS/OpenMP thread: on a shared machine, oversubscribed BLAS threads
    # made LogisticRegression fits up to 40x slower; both methods run alike.
    with threadpool_limits(limits=1):
        _run(args, argv)


def _run(args, argv):
    digits_seeds = range(3) if args.quick else range(5)
    sections = run_parts(args.parts, {
        "tuning": lambda: tuning_markdown(tuning(args.quick)),
        "noise_rate": lambda: noise_rate_markdown(noise_rate(args.quick)),
        "article": lambda: article_markdown(article(range(10))),
        "digits": lambda: digits_markdown(
            digits(digits_seeds, [(t, r) for t in ("symmetric", "pair") for r in (0.2, 0.4)])
        ),
        "scale": lambda: scale_markdown(scale((20_000,) if args.quick else (20_000, 200_000))),
    })
    write_bench_report(
        "CleanFirstRelabeler benchmark", "benchmarks.bench_relabel", sections, args.output, argv, RESULT_FILE
    )


if __name__ == "__main__":
    main()
