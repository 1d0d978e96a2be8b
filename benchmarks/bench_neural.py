"""MAEClassifier: accuracy of its losses under label noise, its speed, and the import cost.

Run from the project root::

    python -m benchmarks.bench_neural [--quick] [--parts import,tuning,article,digits,timing]
                                     [--output DIR]   (writes DIR/bench_neural.md)
    python -m benchmarks.bench_neural --parts gate   (not run by default: 28 min on 2 cores)

1. ``import``: time of ``import skrobust`` and of ``from skrobust import
   MAEClassifier`` (neither may import TensorFlow: it loads at the first
   ``fit``), each in a fresh interpreter, median of 5.
2. ``tuning``: the acceptance table on the tuning data
   (:mod:`benchmarks.tuning`: its eight data sets, clean labels and 20%/40%
   symmetric and pair noise in the training folds only, tuning seeds
   100-102, 3 folds, ``StandardScaler`` first): ``MAEClassifier()`` against
   ``MLPClassifier()``, both with their defaults.
3. ``article``: the seed article's task (its data and split, exactly 20% of the
   training labels flipped, noise seeds 0-9), ``MAEClassifier`` with default
   parameters and each ``loss``, plus the article's own settings (20 epochs,
   batch 16, learning rate 0.001) with MAE. Accuracy on the clean test labels.
4. ``digits``: ``load_digits`` (10 classes), a stratified 70/30 split per seed,
   40% symmetric and 40% pair noise on the training labels
   (``make_noisy_labels``), ``StandardScaler`` + ``MAEClassifier`` with
   default parameters and each loss; accuracy on the clean test labels.
5. ``timing``: ``MAEClassifier`` against scikit-learn's ``MLPClassifier`` with
   the same layers, epochs, batch size, optimizer (Adam) and learning rate,
   forced to run every epoch, and against the same network, loss and seeded
   shuffling trained through scikeras by Keras's own ``Model.fit`` with
   ``compile(steps_per_execution=...)`` (:class:`KerasOwnFit`: one compiled
   call per epoch, or per ten epochs, which leaves one loss value per ten
   epochs), fitted alternately (A B C D A B C D ...) in one process, on the
   article's data (at MAEClassifier's defaults, and at the article's 20
   epochs and batch 16) and on 100,000 × 20. Each is fitted with two epoch
   counts; the per-epoch cost is the slope, the fixed per-fit cost (build,
   compile, trace: every fit builds a new network, nothing is cached) the
   intercept. Ratios are medians of the per-repeat ratios. Wall time and process CPU
   time are both shown: on a shared machine CPU time is the steadier.

6. ``gate`` (only when named): ``min_noise_rate`` on the tuning data of part 2,
   per fold: the robust network (``min_noise_rate=0``), the lower end of its
   in-sample noise-rate interval, and where it is below 0.1 the network
   trained with cross-entropy instead (what ``min_noise_rate`` keeps there),
   against ``MLPClassifier()``; the acceptance counted for thresholds 0,
   0.05 and 0.1.

Each part is a list of :class:`benchmarks.runner.Job` run by the runner (a
failed job stops the bench), and its Markdown is made from the table that
returns: ``import`` one job per statement and repeat, ``article`` one per
network and noise seed, ``digits`` one per seed, noise and loss, ``timing``
one per case (its fits alternate inside the job), all one at a time in this
process (:func:`benchmarks.runner.run_here`); ``tuning`` and ``gate`` one
per tuning cell, method and seed in worker processes
(:func:`benchmarks.tuning.run_cells`, a row per fold).

True labels are used only to score.
"""

import math
import os
import platform
import subprocess
import sys
import time
import warnings
from functools import partial

import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skrobust
from benchmarks.cli import bench_parser
from benchmarks.datasets import DATASETS, article_data, article_flip
from benchmarks.report import mean_std
from benchmarks.runner import Job, one_row_per_entry, run_here
from skrobust import make_noisy_labels

LOSSES = ("mae", "gce", "sce", "nce_rce", "nce_mae", "cross_entropy")
PARTS = ("import", "tuning", "article", "digits", "timing", "gate")
DEFAULT_PARTS = PARTS[:-1]
GATE_THRESHOLDS = (0.0, 0.05, 0.1)
IMPORT_STATEMENTS = ("import skrobust", "from skrobust import MAEClassifier")


def _network(seed, **params):
    """``MAEClassifier(random_state=seed, **params)``, imported when first built (the ``import`` part runs first)."""
    from skrobust import MAEClassifier

    return MAEClassifier(random_state=seed, **params)


# --------------------------------------------------------------------------- #
# 1. import time
# --------------------------------------------------------------------------- #


def _import_job(job):
    """The job function of ``import``: ``job.method`` (a statement) timed in a fresh interpreter.

    ``job.seed`` numbers the repeat. Returns the seconds and whether TensorFlow got imported.
    """
    code = (
        "import time, sys\n"
        "t = time.perf_counter()\n"
        f"{job.method}\n"
        "dt = time.perf_counter() - t\n"
        "print(dt, 'tensorflow' in sys.modules)\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.split()
    return {"seconds": float(out[-2]), "tensorflow": out[-1] == "True"}


def part_import(quick):
    jobs = [Job("import", "none", 0.0, statement, repeat) for statement in IMPORT_STATEMENTS
            for repeat in range(5)]
    table = run_here(_import_job, jobs)
    lines = ["## Import time (fresh interpreter, median of 5)\n",
             "| statement | time (s) | imports TensorFlow |", "|---|---:|---|"]
    for statement, runs in table.groupby("method", sort=False):
        lines.append(f"| `{statement}` | {runs['seconds'].median():.3f} | "
                     f"{'yes' if runs['tensorflow'].any() else 'no'} |")
    return lines


# --------------------------------------------------------------------------- #
# 2. tuning data: MAEClassifier() against MLPClassifier()
# --------------------------------------------------------------------------- #


def tuning_table(quick):
    """The runner's rows (one per method x cell x seed x fold) for MAEClassifier() and MLPClassifier()."""
    from benchmarks.methods import METHODS
    from benchmarks.tuning import TUNING_SEEDS, evaluate

    datasets = ["wine", "iris"] if quick else None
    seeds = TUNING_SEEDS[:1] if quick else TUNING_SEEDS[:3]
    return evaluate({"MLPClassifier()": METHODS["mlp"], "MAEClassifier()": METHODS["mae"]},
                    datasets=datasets, seeds=seeds, cv=3, n_jobs=-1)


def tuning_markdown(table):
    """Per cell: both accuracies and the paired difference; then the issue's acceptance, counted."""
    from benchmarks.tuning import describe, gain, noise_label, summarize

    mae, mlp = "MAEClassifier()", "MLPClassifier()"
    cell_gain, text = gain(table, mae, mlp), summarize(table)
    lines = [
        f"## Tuning data: {mae} against {mlp}\n",
        describe(table) + " Gain = MAE − MLP.\n",
        f"| data set | noise | {mlp} | {mae} | gain |",
        "|:--|:--|--:|--:|--:|",
    ]
    for (dataset, noise_type, rate), row in cell_gain.iterrows():
        accuracies = " | ".join(text.loc[(dataset, noise_type, rate), [mlp, mae]])
        lines.append(f"| {dataset} | {noise_label(noise_type, rate)} | {accuracies} | "
                     f"{row['mean']:+.1f} ± {row['std']:.1f} |")
    mean_gain = cell_gain["mean"]
    rates = mean_gain.index.get_level_values("noise_rate")
    clean, noisy, forty = mean_gain[rates == 0], mean_gain[rates > 0], mean_gain[rates == 0.4]
    lines += [
        "",
        f"- clean labels, MAE within 1 point of MLP (gain ≥ −1): {(clean >= -1).sum()} of {len(clean)} "
        f"data sets (worst {clean.min():+.1f}).",
        f"- noisy cells with MAE ≥ MLP: {(noisy >= 0).sum()} of {len(noisy)} (worst {noisy.min():+.1f}).",
        f"- mean gain at 40% noise: {forty.mean():+.1f} points over {len(forty)} cells.",
    ]
    return lines


def part_tuning(quick):
    return tuning_markdown(tuning_table(quick))


def _gated_network(seed):
    return _network(seed, min_noise_rate=max(GATE_THRESHOLDS))


GATE_METHODS = {"MAEClassifier(min_noise_rate=0.1)": _gated_network}
GATE_COLUMNS = ("fold", "mlp", "robust", "low", "ce")


def _gate_cell(job, methods):
    """The job function of ``gate``: one tuning cell and seed, a list per column, one entry per fold.

    ``mlp``: ``MLPClassifier()``; ``low``: the lower end of the gated
    network's noise-rate interval; ``robust``: the robust network
    (``min_noise_rate=0``); ``ce``: where the gate closed, the gated network
    itself (cross-entropy), else NaN.
    """
    from sklearn.model_selection import StratifiedKFold

    from benchmarks.tuning import tuning_model

    warnings.simplefilter("ignore", ConvergenceWarning)  # in each worker, as evaluate's cells
    X, y = DATASETS[job.dataset].load()
    columns = {key: [] for key in GATE_COLUMNS}
    folds = StratifiedKFold(3, shuffle=True, random_state=job.seed)
    for fold, (train, test) in enumerate(folds.split(X, y)):
        def fit(estimator):  # the folds and model of benchmarks.tuning.evaluate
            model = tuning_model(estimator, job.noise_type, job.noise_rate, job.seed)
            model.fit(X[train], y[train])
            fitted = model.estimator_[-1] if job.noise_rate > 0 else model[-1]
            return model.score(X[test], y[test]), fitted

        mlp, _ = fit(MLPClassifier(random_state=job.seed))
        robust, gated = fit(methods[job.method](job.seed))
        ce = np.nan
        if gated.loss_ == "cross_entropy":  # the gate closed: the robust network itself
            ce, (robust, _) = robust, fit(_network(job.seed))
        for key, value in zip(GATE_COLUMNS, (fold, mlp, robust, gated.noise_rate_ci_[0], ce)):
            columns[key].append(value)
    return columns


def part_gate(quick):
    from benchmarks.tuning import (CELL, NOISE_SETTINGS, TUNING_DATASETS, TUNING_SEEDS, noise_label,
                                   run_cells, seeds_label)

    datasets = ["wine", "iris"] if quick else list(TUNING_DATASETS)
    seeds = TUNING_SEEDS[:1] if quick else TUNING_SEEDS[:3]
    table = run_cells(_gate_cell, GATE_METHODS, datasets, NOISE_SETTINGS, seeds, n_jobs=-1)
    lines = [
        "## min_noise_rate on the tuning data: MAEClassifier against MLPClassifier()\n",
        f"The folds and noise of the tuning part, {seeds_label(seeds)}; gain = MAE − MLP in "
        "points (mean over seeds of the fold means); threshold t keeps the cross-entropy network "
        "in the folds whose interval's lower end is below t. Share gated: folds so retrained.\n",
        "| data set | noise | MLPClassifier() | " + " | ".join(
            f"gain, t={t} | share gated" for t in GATE_THRESHOLDS) + " |",
        "|:--|:--|--:|" + "--:|--:|" * len(GATE_THRESHOLDS),
    ]
    summary, gains = [], {}
    for t in GATE_THRESHOLDS:
        gated = table["low"] < t
        kept = table.assign(acc=np.where(gated, table["ce"], table["robust"]), gated=gated)
        per_seed = kept.groupby(CELL + ["seed"])[["acc", "mlp", "gated"]].mean()
        gain = (100 * (per_seed["acc"] - per_seed["mlp"])).groupby(CELL).mean()
        gains[t] = (gain, per_seed["gated"].groupby(CELL).mean())
        rates = gain.index.get_level_values("noise_rate")
        met = np.where(rates == 0, gain >= -1, gain >= 0)
        missed = ", ".join(f"{d} {noise_label(n, r)} ({g:+.1f})"
                           for (d, n, r), g, ok in zip(gain.index, gain, met) if not ok)
        summary.append(f"- t={t}: {met.sum()} of {len(gain)} cells met (clean: gain ≥ −1; noisy: "
                       f"≥ 0), mean gain at 40% {gain[rates == 0.4].mean():+.1f}; missed: {missed or 'none'}.")
    mlp = 100 * table.groupby(CELL)["mlp"].mean()
    for key in mlp.index:
        cells = " | ".join(f"{gains[t][0][key]:+.1f} | {gains[t][1][key]:.0%}" for t in GATE_THRESHOLDS)
        lines.append(f"| {key[0]} | {noise_label(*key[1:])} | {mlp[key]:.1f} | {cells} |")
    return lines + [""] + summary


# --------------------------------------------------------------------------- #
# 3. the article's task
# --------------------------------------------------------------------------- #


ARTICLE_METHODS = {  # row label -> build(seed)
    "MAEClassifier() (all defaults, loss='nce_rce')": _network,
    **{f"MAEClassifier(loss={loss!r})": partial(_network, loss=loss) for loss in LOSSES},
    "the article's own network: MAEClassifier(hidden_layer_sizes=(16, 16), loss='mae', epochs=20, "
    "batch_size=16, learning_rate=0.001)": partial(_network, hidden_layer_sizes=(16, 16), loss="mae",
                                                   epochs=20, batch_size=16, learning_rate=0.001),
}


def _article_job(job, methods):
    """The job function of ``article``: ``methods[job.method]`` on the article's task, noise seed ``job.seed``."""
    X_train, X_test, y_train, y_test = article_data()
    model = methods[job.method](job.seed).fit(X_train, article_flip(y_train, job.seed, job.noise_rate))
    return {"accuracy": float(np.mean(model.predict(X_test) == y_test))}


def part_article(quick):
    from skrobust import MAEClassifier

    seeds = range(3) if quick else range(10)
    jobs = [Job("article", "flip", 0.2, method, seed) for method in ARTICLE_METHODS for seed in seeds]
    table = run_here(_article_job, jobs, methods=ARTICLE_METHODS)
    defaults = MAEClassifier().get_params()
    lines = [
        f"## The article's task: 20% flipped labels, noise seeds {seeds.start}-{seeds.stop - 1}\n",
        "MAEClassifier's other parameters at their defaults: " + ", ".join(
            f"{k}={defaults[k]!r}" for k in
            ("hidden_layer_sizes", "q", "alpha", "beta", "learning_rate", "epochs", "batch_size")
        ) + ". Clean test accuracy, mean ± std over noise seeds.\n",
        "| model | accuracy | per seed |", "|---|---:|---|",
    ]
    for name, runs in table.groupby("method", sort=False):
        accs = runs["accuracy"]
        lines.append(f"| {name} | {mean_std(accs, scale=1, digits=4)} | {', '.join(f'{a:.3f}' for a in accs)} |")
    return lines


# --------------------------------------------------------------------------- #
# 4. digits, 40% symmetric and pair noise
# --------------------------------------------------------------------------- #


def _digits_job(job):
    """The job function of ``digits``: ``StandardScaler`` + ``MAEClassifier(loss=job.method)``, split and noise seeded by ``job.seed``."""
    X, y = DATASETS[job.dataset].load()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=job.seed
    )
    y_noisy, _ = make_noisy_labels(
        y_train, noise_rate=job.noise_rate, noise_type=job.noise_type, random_state=job.seed
    )
    model = make_pipeline(StandardScaler(), _network(job.seed, loss=job.method))
    model.fit(X_train, y_noisy)
    return {"accuracy": model.score(X_test, y_test)}


def part_digits(quick):
    seeds = range(1) if quick else range(3)
    jobs = [Job("digits", noise_type, 0.4, loss, seed) for seed in seeds
            for noise_type in ("symmetric", "pair") for loss in LOSSES]
    table = run_here(_digits_job, jobs)
    lines = [
        f"## load_digits (10 classes), 40% noise on the training labels, seeds {list(seeds)}\n",
        "StandardScaler + MAEClassifier(loss=..., random_state=seed), other parameters default; "
        "stratified 70/30 split and noise both seeded by `seed`. Clean test accuracy, mean ± std.\n",
        "| loss | symmetric 40% | pair 40% |", "|---|---:|---:|",
    ]
    results = table.groupby(["method", "noise_type"])["accuracy"]
    for loss in LOSSES:
        lines.append(
            f"| {loss}{' (default)' if loss == 'nce_rce' else ''} | {mean_std(results.get_group((loss, 'symmetric')), scale=1, digits=4)} | {mean_std(results.get_group((loss, 'pair')), scale=1, digits=4)} |"
        )
    return lines


# --------------------------------------------------------------------------- #
# 5. timing against MLPClassifier
# --------------------------------------------------------------------------- #


def _timed_fit(estimator, X, y):
    wall, cpu = time.perf_counter(), time.process_time()
    estimator.fit(X, y)
    return time.perf_counter() - wall, time.process_time() - cpu


def _mlp(epochs, batch_size, learning_rate, hidden):
    # Every epoch runs: no early stopping, no convergence-based stop.
    return MLPClassifier(
        hidden_layer_sizes=hidden, solver="adam", learning_rate_init=learning_rate,
        batch_size=batch_size, max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1,
        random_state=0,
    )


class KerasOwnFit:
    """MAEClassifier's network, loss, optimizer and seeded shuffling, trained by Keras's own ``fit``.

    Through scikeras, as MAEClassifier; the network's only change to Keras is
    its ``fit``, which turns scikeras's arrays into an endless ``tf.data``
    stream of seeded per-epoch permutations cut into batches (Keras shuffles
    arrays with an unseeded op) and calls Keras's ``Model.fit`` with
    ``steps_per_epoch``; ``compile(steps_per_execution=...)`` runs
    ``epochs_per_call`` epochs of batches per compiled call, one Keras epoch.
    With ``epochs_per_call > 1`` the loss is recorded once per Keras epoch only.
    """

    def __init__(self, hidden, epochs, batch_size, learning_rate, epochs_per_call=1):
        self.hidden, self.epochs, self.batch_size = hidden, epochs, batch_size
        self.learning_rate, self.epochs_per_call = learning_rate, epochs_per_call

    def fit(self, X, y):
        import tensorflow as tf
        from scikeras.wrappers import KerasClassifier

        from skrobust.losses import get_loss

        X = np.asarray(X, dtype=np.float32)
        classes, y_encoded = np.unique(y, return_inverse=True)
        batch_size = min(self.batch_size, len(X))
        per_call = math.gcd(self.epochs, self.epochs_per_call)
        trainer = KerasClassifier(
            model=_keras_own_fit_network, model__hidden=self.hidden,
            model__steps=per_call * math.ceil(len(X) / batch_size), model__tf=tf,
            loss=get_loss("nce_rce"), optimizer="adam", optimizer__learning_rate=self.learning_rate,
            epochs=self.epochs, batch_size=batch_size, shuffle=True, verbose=0,
        )
        onehot = np.eye(len(classes), dtype=np.float32)[y_encoded]
        trainer.fit(X, onehot, sample_weight=np.ones(len(X), dtype=np.float32))
        self.loss_curve_ = list(trainer.history_["loss"])
        return self


def _keras_own_fit_network(hidden, steps, tf, meta, compile_kwargs):
    import keras

    class Network(keras.Sequential):
        def fit(self, x, y, batch_size, epochs, sample_weight, shuffle, **kwargs):
            n = len(x)
            n_full = n - n % batch_size
            arrays = tuple(tf.constant(a) for a in (x, y, sample_weight))

            def epoch(e):  # a seeded permutation, cut into batches in one reshape
                rows = tf.random.experimental.stateless_shuffle(
                    tf.range(n, dtype=tf.int64), seed=tf.stack([tf.constant(0, tf.int64), e]))
                rows = rows if shuffle else tf.range(n, dtype=tf.int64)
                permuted = tuple(tf.gather(a, rows) for a in arrays)
                batches = tf.data.Dataset.from_tensor_slices(tuple(
                    tf.reshape(a[:n_full], [-1, batch_size, *a.shape[1:]]) for a in permuted))
                if n_full < n:
                    batches = batches.concatenate(
                        tf.data.Dataset.from_tensors(tuple(a[n_full:] for a in permuted)))
                return batches

            per_keras_epoch = steps // math.ceil(n / batch_size)
            return super().fit(tf.data.Dataset.counter().flat_map(epoch),
                               epochs=epochs // per_keras_epoch, steps_per_epoch=steps,
                               shuffle=False, **kwargs)

    model = Network([keras.Input((meta["n_features_in_"],))]
                    + [keras.layers.Dense(h, activation="relu", kernel_initializer=keras.initializers.GlorotUniform(i))
                       for i, h in enumerate(hidden)]
                    + [keras.layers.Dense(len(meta["classes_"]), activation="softmax")])
    model.compile(**compile_kwargs, steps_per_execution=steps)
    return model


TRAINERS = ("mlp", "mae", "keras_fit", "keras_fit_10")


def _article_train():
    X_train, _, y_train, _ = article_data()
    return X_train, y_train


def _timing_job(job, cases, learning_rate, hidden):
    """The job function of ``timing``: the fit times (wall, CPU) of one case, one entry per fit.

    ``cases[job.method]`` is ``(load, epoch counts, batch size, repeats)``.
    MLPClassifier, MAEClassifier and KerasOwnFit are fitted alternately,
    repeat by repeat and epoch count by epoch count, after a TensorFlow
    warm-up. Every MAEClassifier and KerasOwnFit fit builds, compiles and
    traces a new network: nothing is shared between fits.
    """
    load, epoch_counts, batch_size, repeats = cases[job.method]
    X, y = load()

    def make(name, epochs):
        if name == "mlp":
            return _mlp(epochs, batch_size, learning_rate, hidden)
        if name == "mae":
            return _network(0, hidden_layer_sizes=hidden, epochs=epochs, batch_size=batch_size,
                            learning_rate=learning_rate)
        return KerasOwnFit(hidden, epochs, batch_size, learning_rate,
                           epochs_per_call=10 if name == "keras_fit_10" else 1)

    warnings.simplefilter("ignore", ConvergenceWarning)
    for name in TRAINERS[1:]:  # TensorFlow warm-up
        make(name, 1).fit(X[:100], y[:100])
    fits = {key: [] for key in ("trainer", "epochs", "repeat", "wall", "cpu")}
    for repeat in range(repeats):
        for epochs in epoch_counts:
            for name in TRAINERS:
                wall, cpu = _timed_fit(make(name, epochs), X, y)
                for key, value in zip(fits, (name, epochs, repeat, wall, cpu)):
                    fits[key].append(value)
    return fits


def _timing_rows(label, fits, epoch_counts):
    """Two Markdown rows (wall, CPU) of one case's fits (its rows of the timing table)."""
    times = {key: group[["wall", "cpu"]].to_numpy()  # (repeats, 2): wall, cpu
             for key, group in fits.groupby(["trainer", "epochs"], sort=False)}
    e1, e2 = epoch_counts
    rows = []
    for kind, col in (("wall", 0), ("CPU", 1)):
        fixed, per_epoch, fit, ratio = {}, {}, {}, {}
        for name in TRAINERS:
            a, b = times[(name, e1)][:, col], times[(name, e2)][:, col]
            slope = (b - a) / (e2 - e1)
            fixed[name] = float(np.median(a - e1 * slope))
            per_epoch[name] = float(np.median(slope))
            fit[name] = float(np.median(b))
            ratio[name] = float(np.median(b / times[("mlp", e2)][:, col]))
        cells = [f"{fixed['mlp']:.3f} | {per_epoch['mlp']:.4f} | {fit['mlp']:.2f}"]
        cells += [f"{fixed[n]:.3f} | {per_epoch[n]:.4f} | {fit[n]:.2f} | **{ratio[n]:.1f}×**"
                  for n in TRAINERS[1:]]
        rows.append(f"| {label} | {kind} | " + " | ".join(cells) + " |")
    return rows


def part_timing(quick):
    from skrobust import MAEClassifier

    defaults = MAEClassifier().get_params()
    hidden, learning_rate = tuple(defaults["hidden_layer_sizes"]), defaults["learning_rate"]
    batch_size, epochs = defaults["batch_size"], defaults["epochs"]
    n_large = 10_000 if quick else 100_000
    large = partial(make_classification, n_samples=n_large, n_features=20, n_informative=10,
                    random_state=0)
    cases = {  # label -> load, (epoch counts), batch size, repeats
        "article 800×2, defaults": (_article_train, (1, epochs), batch_size, 5),
        "article 800×2, article's epochs and batch": (_article_train, (1, 20), 16, 5),
        f"{n_large:,}×20, defaults": (large, (1, 4), batch_size, 3),
    }
    if quick:
        cases = {label: (load, (1, 3), batch, 1) for label, (load, _, batch, _) in cases.items()}
    jobs = [Job(label.split(",")[0], "none", 0.0, label, 0) for label in cases]  # one job per case
    table = run_here(_timing_job, jobs, cases=cases, learning_rate=learning_rate, hidden=hidden)
    table = one_row_per_entry(table)
    lines = [
        f"## Fit time: MAEClassifier vs MLPClassifier, hidden_layer_sizes={hidden}, "
        f"Adam learning_rate={learning_rate}\n",
        "MLP: `MLPClassifier`; MAE: `MAEClassifier` (its own training step, up to ten epochs per "
        "compiled call); Keras fit: the same network, loss and seeded shuffling trained by Keras's "
        "own `Model.fit` through scikeras (`KerasOwnFit`), one compiled call "
        "(`steps_per_execution`) per epoch; Keras fit ×10: ten epochs per compiled call and Keras "
        "epoch (the loss then recorded once per ten epochs). All fitted alternately in one "
        "process, each with two epoch counts: per epoch = the slope between them, fixed = the "
        "intercept, fit = the fit at the larger count; medians over repeats. Every Keras fit "
        "builds, compiles and traces a new network (nothing is cached between fits). "
        "Ratio = fit / MLPClassifier's fit at the larger epoch count (median of per-repeat "
        "ratios).\n",
        "| data | time | MLP fixed (s) | MLP per epoch (s) | MLP fit (s) | "
        + " | ".join(f"{n} fixed (s) | {n} per epoch (s) | {n} fit (s) | {n} ratio"
                     for n in ("MAE", "Keras fit", "Keras fit ×10")) + " |",
        "|---|---|" + "---:|" * 15,
    ]
    for label, fits in table.groupby("method", sort=False):
        _, epochs, batch_size, repeats = cases[label]
        label = f"{label} (batch {batch_size}, epochs {epochs[0]} / {epochs[1]}, {repeats} repeats)"
        lines.extend(_timing_rows(label, fits, epochs))
    return lines


# --------------------------------------------------------------------------- #


def _header():
    from benchmarks.methods import stderr_captured

    with stderr_captured():  # TensorFlow's start-up lines
        import tensorflow as tf

        tf.config.list_physical_devices()
    import keras
    import scikeras

    return [
        "# bench_neural: MAEClassifier\n",
        f"skrobust {skrobust.__version__}, scikit-learn {sklearn.__version__}, numpy {np.__version__}, "
        f"TensorFlow {tf.__version__}, Keras {keras.__version__} (backend {keras.backend.backend()}), "
        f"scikeras {scikeras.__version__}; Python {platform.python_version()} on "
        f"{platform.platform()}, {os.cpu_count()} CPUs (load average at start: "
        f"{', '.join(f'{v:.1f}' for v in os.getloadavg())}).\n",
    ]


def main(argv=None):
    parser = bench_parser(__doc__.splitlines()[0], "fewer seeds and smaller data (smoke test)",
                          parts=PARTS, default_parts=DEFAULT_PARTS)
    args = parser.parse_args(argv)
    parts = args.parts

    lines = []
    if "import" in parts:  # before this process imports TensorFlow
        lines += part_import(args.quick) + [""]
    lines = _header() + lines
    print("\n".join(lines), flush=True)
    for name, part in (("tuning", part_tuning), ("article", part_article), ("digits", part_digits),
                       ("timing", part_timing), ("gate", part_gate)):
        if name in parts:
            start = time.perf_counter()
            section = part(args.quick) + [f"\n({name}: {time.perf_counter() - start:.0f} s)", ""]
            print("\n".join(section), flush=True)
            lines += section
    if args.output:
        os.makedirs(args.output, exist_ok=True)
        path = os.path.join(args.output, "bench_neural.md")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
