"""CoTeachingClassifier against its own base estimator trained plainly.

Run from the project root::

    python -m benchmarks.bench_coteaching [--quick] [--output benchmarks/results]
                                          [--parts tuning,article,digits,timing]

1. **Article task** (the seed article's data, split and 20% flips, noise
   seeds 0-9): clean-test accuracy of ``CoTeachingClassifier(random_state=seed)``
   with every default (``forget_rate="auto"``), of the same with a single
   peer predicting, and of the default peer (StandardScaler + network)
   fitted plainly (``max_iter=500``), with the forget rate used.
2. **load_digits**, the paper's settings: 45% pair and 50% symmetric noise
   from ``make_noisy_labels`` on the training labels of a stratified 70/30
   split (split and noise seeded with the same seed; seeds 0-2, 0-4 without
   ``--quick``). Bases: the default MLP and ``SGDClassifier(loss="log_loss")``,
   each after a ``StandardScaler``. For each base: the base fitted plainly,
   co-teaching with ``forget_rate="auto"`` and with the true noise rate (the
   reference code's setting, which a user cannot know). Accuracy on the
   clean test labels, the label precision of the rows each peer kept in the
   last epoch (share whose given label is the true one), and the estimated
   forget rate against the true noise rate.
3. **Fit time**: co-teaching (fixed forget rate, so without the noise-rate
   estimate) against one plain run of the same base with ``partial_fit`` over
   the same number of epochs and mini-batches, alternating in one run on one
   machine; the ratio is median(co-teaching) / median(plain). The cost of
   ``forget_rate="auto"`` is reported as its own ratio.

0. **Tuning data** (``benchmarks.tuning``: the eight tuning data sets, seeds
   100-102, 3 folds, noise in the training folds only): ``CoTeachingClassifier()``
   against ``MLPClassifier()``, ``RandomForestClassifier()`` and its own two
   peers trained plainly for the same epochs (``forget_rate=0``).

True labels are used only to make the noise and to score.

Each part is a list of :class:`benchmarks.runner.Job` run by
:func:`benchmarks.runner.run_here` (one job: one noise seed of one
method on the article task; one seed of one noise setting and base on
load_digits; one timing repeat of one base), one after the other in this
process; the tables are made from its DataFrame.
"""

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrobust import CoTeachingClassifier, make_noisy_labels

from .cli import bench_parser
from .datasets import DATASETS, article_data, article_flip
from .methods import METHODS
from .report import fit_timed, markdown_table, mean_std, run_parts, seed_range, write_bench_report
from .runner import Job, run_here

RESULT_FILE = "bench_coteaching.md"
PARTS = ("tuning", "article", "digits", "timing")


def _default_base():
    """The network of the default peer, as ``CoTeachingClassifier``'s ``estimator`` documents it
    (``None`` means ``make_pipeline(StandardScaler(), MLPClassifier(learning_rate_init=0.005))``)."""
    return MLPClassifier(learning_rate_init=0.005)


# --------------------------------------------------------------- article task
def _article_base(seed):
    """The default peer fitted plainly: StandardScaler + its network, ``max_iter=500``."""
    return make_pipeline(StandardScaler(), _default_base().set_params(random_state=seed, max_iter=500))


# job method -> build(seed)
ARTICLE_METHODS = {"coteaching": METHODS["coteaching"], "base": _article_base}


def article_job(job, methods):
    """One noise seed of the article task: the clean-test accuracy of ``methods[job.method](seed)``;
    for co-teaching also that of peer 0 alone and the forget rate used."""
    X_train, X_test, y_train, y_test = article_data()
    y_noisy = article_flip(y_train, job.seed, job.noise_rate)
    model = methods[job.method](job.seed)
    fit_timed(model, X_train, y_noisy)
    result = {"accuracy": model.score(X_test, y_test)}
    if isinstance(model, CoTeachingClassifier):
        result["forget_rate"] = model.forget_rate_
        result["peer0_accuracy"] = model.set_params(predict_with=0).score(X_test, y_test)
    return result


def article(seeds):
    """The runner's table of :func:`article_job`: every method on each noise seed."""
    jobs = [Job("article", "flip", 0.2, method, seed) for seed in seeds for method in ARTICLE_METHODS]
    return run_here(article_job, jobs, desc="article", methods=ARTICLE_METHODS)


def article_markdown(table):
    ct, base = (table[table["method"] == m] for m in ARTICLE_METHODS)
    rows = {"co-teaching (defaults)": ct["accuracy"], "co-teaching, peer 0 alone": ct["peer0_accuracy"],
            "base, plain fit": base["accuracy"]}
    table_md = markdown_table(
        ["method", "test accuracy (%)"],
        [[name, mean_std(acc)] for name, acc in rows.items()],
        align="lr",
    )
    return (
        f"### Article task (20% flipped, noise seeds {seed_range(ct['seed'])})\n\n"
        f"Base: `{_default_base()!r}` behind a StandardScaler. Forget rate used (the estimated noise rate; true noise rate 0.20): "
        f"{mean_std(ct['forget_rate'], scale=1, digits=3)}. The article's best honest number "
        "is 91.50 (MAE-loss MLP); its leaky co-teaching gave 90.00.\n\n" + table_md
    )


# -------------------------------------------------------------------- digits
# base name -> build(), unseeded (each use seeds it)
DIGITS_BASES = {"MLP (default)": _default_base, "SGD log-loss": lambda: SGDClassifier(loss="log_loss")}


def digits_job(job, bases):
    """One seed of one noise setting and base (``bases[job.method]()``) on load_digits: the base
    fitted plainly, co-teaching with ``forget_rate="auto"`` and with the true noise rate, and what
    each kept."""
    X, y = DATASETS["digits"].load()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=job.seed)
    y_noisy, noise_mask = make_noisy_labels(
        y_tr, noise_rate=job.noise_rate, noise_type=job.noise_type, random_state=job.seed
    )
    base = bases[job.method]()
    plain = make_pipeline(StandardScaler(), clone(base).set_params(random_state=job.seed))
    fit_timed(plain, X_tr, y_noisy)
    result = {"true_rate": noise_mask.mean(), "plain": plain.score(X_te, y_te)}
    for key, forget in (("auto", "auto"), ("oracle", noise_mask.mean())):
        ct = CoTeachingClassifier(base, forget_rate=forget, random_state=job.seed)
        model = make_pipeline(StandardScaler(), ct)
        fit_timed(model, X_tr, y_noisy)
        result[key] = model.score(X_te, y_te)
        result[f"precision_{key}"] = np.mean([np.mean(~noise_mask[kept]) for kept in ct.kept_mask_])
        if key == "auto":
            result["forget_rate_"] = ct.forget_rate_
            ct.set_params(predict_with=0)
            result["peer0_auto"] = model.score(X_te, y_te)
    return result


def digits(seeds, settings):
    """The runner's table of :func:`digits_job` over ``settings`` (noise type, rate), bases and seeds."""
    jobs = [Job("digits", noise_type, rate, base_name, seed)
            for noise_type, rate in settings for base_name in DIGITS_BASES for seed in seeds]
    return run_here(digits_job, jobs, desc="digits", bases=DIGITS_BASES)


def digits_markdown(table):
    rows = [
        [f"{noise_type} {rate:.0%}", base, mean_std(r["plain"]), mean_std(r["auto"]),
         mean_std(r["peer0_auto"]), mean_std(r["oracle"]),
         mean_std(np.subtract(r["auto"], r["plain"])),
         mean_std(r["precision_auto"]), mean_std(r["precision_oracle"]),
         f"{mean_std(r['forget_rate_'], scale=1, digits=3)} (true {np.mean(r['true_rate']):.3f})"]
        for (noise_type, rate, base), r in table.groupby(["noise_type", "noise_rate", "method"], sort=False)
    ]
    table_md = markdown_table(
        ["noise", "base", "plain base", "co-teaching auto", "auto, peer 0 alone",
         "co-teaching, true rate", "gain of auto (points)", "kept-label precision, auto",
         "kept-label precision, true rate", "forget_rate_ (auto)"],
        rows, align="llrrrrrrrl",
    )
    return (
        f"### load_digits (stratified 70/30, seeds {seed_range(table['seed'].unique())})\n\n"
        "Test accuracy (%) on clean labels, mean ± std over seeds; precision (%) of the "
        "given labels among the rows each peer kept in the last epoch (mean of the two "
        "peers); all models after a StandardScaler, co-teaching with its other defaults.\n\n"
        + table_md
    )


# ------------------------------------------------------------------ tuning data
TUNING_PLAIN = "CoTeachingClassifier(forget_rate=0)"


def tuning_plain(seed):
    """The default peers trained plainly (nothing forgotten) for the same epochs and batches."""
    return CoTeachingClassifier(forget_rate=0.0, random_state=seed)


def tuning(quick):
    from .tuning import TUNING_SEEDS, evaluate

    methods = {
        "RandomForestClassifier()": METHODS["random_forest"],
        "MLPClassifier()": METHODS["mlp"],
        TUNING_PLAIN: tuning_plain,
        "CoTeachingClassifier()": METHODS["coteaching"],
    }
    return evaluate(methods, datasets=["wine", "iris"] if quick else None,
                    seeds=TUNING_SEEDS[:1] if quick else TUNING_SEEDS[:3], cv=3, n_jobs=-1)


def tuning_markdown(table):
    from .tuning import cell_rows, cells_below, describe, gain

    ct, plain, mlp, rf = "CoTeachingClassifier()", TUNING_PLAIN, "MLPClassifier()", "RandomForestClassifier()"
    vs_plain, vs_mlp, vs_rf = gain(table, ct, plain), gain(table, ct, mlp), gain(table, ct, rf)
    lines = [
        "### Tuning data\n",
        describe(table) + "\n",
        f"CT = `{ct}`; its plain network = `{plain}` (the same two peers, nothing forgotten).\n",
        f"| data set | noise | {rf} | {mlp} | CT's network, plain | CT | CT − plain | CT − MLP | CT − RF |",
        "|:--|:--|--:|--:|--:|--:|--:|--:|--:|",
        *cell_rows(table, [rf, mlp, plain, ct], [vs_plain, vs_mlp, vs_rf]),
    ]
    rates = vs_plain.index.get_level_values("noise_rate")
    clean, noisy_mlp, noisy_rf = vs_plain["mean"][rates == 0], vs_mlp["mean"][rates > 0], vs_rf["mean"][rates > 0]
    lost = cells_below(noisy_mlp, 0)
    lines += [
        "",
        f"- clean labels, within 0.5 point of its plain network: {(clean.abs() <= 0.5).sum()} of "
        f"{len(clean)} data sets (worst {clean.min():+.1f}).",
        f"- noisy cells with CT ≥ {mlp}: {len(noisy_mlp) - len(lost)} of {len(noisy_mlp)}; "
        f"lost: {', '.join(lost) or 'none'}.",
        f"- noisy cells with CT ≥ {rf}: {(noisy_rf >= 0).sum()} of {len(noisy_rf)}; more than 1 point "
        f"below it: {', '.join(cells_below(noisy_rf, -1)) or 'none'}.",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------ fit time
class _PlainPartialFit:
    """The base alone, over the same epochs and mini-batches as co-teaching: ``fit`` runs the
    ``partial_fit`` loop of a fresh clone seeded with ``seed``."""

    def __init__(self, base, epochs, batch_size, seed):
        self.base, self.epochs, self.batch_size, self.seed = base, epochs, batch_size, seed

    def fit(self, X, y):
        rng = np.random.RandomState(self.seed)
        model = clone(self.base).set_params(random_state=self.seed)
        classes = np.unique(y)
        n_batches = -(-len(y) // self.batch_size)
        for _ in range(self.epochs):
            for batch in np.array_split(rng.permutation(len(y)), n_batches):
                model.partial_fit(X[batch], y[batch], classes=classes)
        return model


def timing_job(job, bases, epochs, batch_size):
    """One repeat (``job.seed``) of one base on all of load_digits, 45% pair noise: the seconds of
    the plain ``partial_fit`` loop, of co-teaching with the true rate and with ``"auto"``, in turn."""
    X, y = DATASETS["digits"].load()
    X = StandardScaler().fit_transform(X)
    y_noisy, noise_mask = make_noisy_labels(y, noise_rate=job.noise_rate, noise_type=job.noise_type,
                                            random_state=0)
    base, r = bases[job.method](), job.seed
    return {
        "plain": fit_timed(_PlainPartialFit(base, epochs, batch_size, r), X, y_noisy),
        "fixed": fit_timed(CoTeachingClassifier(base, forget_rate=noise_mask.mean(), random_state=r),
                           X, y_noisy),
        "auto": fit_timed(CoTeachingClassifier(base, random_state=r), X, y_noisy),
    }


def timing(repeats):
    defaults = CoTeachingClassifier()
    epochs, batch_size = defaults.max_epochs, defaults.batch_size
    jobs = [Job("digits", "pair", 0.45, base_name, r) for base_name in DIGITS_BASES for r in range(repeats)]
    table = run_here(timing_job, jobs, desc="timing", bases=DIGITS_BASES, epochs=epochs,
                     batch_size=batch_size)
    medians = table.groupby("method", sort=False)[["plain", "fixed", "auto"]].median()
    rows = [[base_name, f"{m['plain']:.2f}", f"{m['fixed']:.2f}", f"{m['fixed'] / m['plain']:.2f}×",
             f"{m['auto'] / m['plain']:.2f}×"] for base_name, m in medians.iterrows()]
    table_md = markdown_table(
        ["base", "plain partial_fit loop (s)", "co-teaching, fixed rate (s)",
         "ratio, fixed rate", "ratio, forget_rate='auto'"],
        rows, align="lrrrr",
    )
    return (
        f"### Fit time (load_digits, all 1797 rows, 45% pair noise; {epochs} epochs of "
        f"batches of {batch_size}; median of {repeats} alternating runs)\n\n"
        "Ratios measured side by side in one run on one machine (shared CPUs, so absolute "
        "seconds are noisy).\n\n" + table_md
    )


def main(argv=None):
    parser = bench_parser(__doc__.splitlines()[0],
                          "tuning: wine and iris, 1 seed; 3 digits seeds, 3 timing repeats", parts=PARTS)
    args = parser.parse_args(argv)
    digits_seeds = range(3) if args.quick else range(5)
    sections = run_parts(args.parts, {
        "tuning": lambda: tuning_markdown(tuning(args.quick)),
        "article": lambda: article_markdown(article(range(10))),
        "digits": lambda: digits_markdown(digits(digits_seeds, [("pair", 0.45), ("symmetric", 0.5)])),
        "timing": lambda: timing(3 if args.quick else 5),
    })
    write_bench_report(
        "CoTeachingClassifier benchmark", "benchmarks.bench_coteaching", sections, args.output, argv, RESULT_FILE
    )


if __name__ == "__main__":
    main()
