"""Speed and memory of make_noisy_labels, and LabelNoiseInjector's overhead.

Run from the project root::

    python -m benchmarks.bench_noise [--quick] [--output benchmarks/results]
        [--parts labels,injector,projection,boundary]

1. ``make_noisy_labels`` on 1, 3 and 10 million integer labels over 10 classes:
   best wall time of 3 runs and the peak memory it allocates (tracemalloc),
   whose growth with n shows it is O(n).
2. ``LabelNoiseInjector(RandomForestClassifier)`` against the same forest fit
   directly on labels already made noisy, on 100,000 × 20 rows: the two fits
   alternate, and the overhead is the ratio of their median times.
3. Instance-dependent noise, ``instance_method="projection"``: 1,000,000
   labels (10 classes) × 20 features, best wall time of 3 runs and peak memory.
4. Instance-dependent noise, ``instance_method="boundary"``: its cost as a
   multiple of one fit of its model (the default ``noise_estimator``,
   StandardScaler + LogisticRegression) on the same 100,000 × 20 rows, 10
   classes; the two alternate 3 times and the medians count.

``--quick`` shrinks every size tenfold (a smoke test). BLAS/OpenMP run on one
thread (threadpoolctl), for every timing alike.

Each part is a list of :class:`benchmarks.runner.Job` (one per size; the
alternating timings of a part are one job) run in this process, one after
the other, by :func:`benchmarks.runner.run_here`; the tables are made
from its DataFrame. A job's data set is named ``"<data>_<rows>"``.
"""

import time
import tracemalloc

import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skrobust import LabelNoiseInjector, make_noisy_labels

from .cli import bench_parser
from .report import markdown_table, run_parts, write_bench_report
from .runner import Job, run_here

RESULT_FILE = "bench_noise.md"
PARTS = ("labels", "injector", "projection", "boundary")
REPEATS = 3  # runs of each labels and projection timing (the best counts)


def _job(data, n, method):
    """The job of ``method`` on ``n`` rows of ``data``, 20% symmetric noise (instance noise for
    ``make_noisy_labels`` with an ``instance_method``), seed 0."""
    noise_type = "instance" if method.startswith("instance") else "symmetric"
    return Job(f"{data}_{n}", noise_type, 0.2, method, 0)


def _rows(job):
    return int(job.dataset.rsplit("_", 1)[1])


def _instance_data(n_samples):
    return make_classification(n_samples=n_samples, n_features=20, n_informative=10,
                               n_classes=10, random_state=0)


def _seconds(call):
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _best_time_and_peak(noise, repeats):
    """Best wall time of ``noise(seed)`` over seeds ``0..repeats-1``, then the peak memory
    ``noise(0)`` allocates (tracemalloc)."""
    times = [_seconds(lambda: noise(seed)) for seed in range(repeats)]
    tracemalloc.start()
    noise(0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"seconds": min(times), "peak": peak}


def labels_job(job, repeats=REPEATS, n_classes=10):
    """``make_noisy_labels`` on ``RandomState(0).randint(0, n_classes, n)``: best time and peak memory."""
    y = np.random.RandomState(0).randint(0, n_classes, _rows(job))
    return _best_time_and_peak(
        lambda seed: make_noisy_labels(y, noise_rate=job.noise_rate, random_state=seed), repeats)


def projection_job(job, repeats=REPEATS):
    """Instance-dependent noise by projection on ``_instance_data(n)``: best time and peak memory."""
    X, y = _instance_data(_rows(job))
    return _best_time_and_peak(
        lambda seed: make_noisy_labels(y, X=X, noise_rate=job.noise_rate, noise_type="instance",
                                       instance_method="projection", random_state=seed), repeats)


def injector_job(job, n_trees, repeats):
    """A plain forest fit on labels already made noisy, then the injector's fit, ``repeats`` times
    alternately: the seconds of each (lists)."""
    X, y = make_classification(n_samples=_rows(job), n_features=20, n_informative=10,
                               random_state=0)
    forest = RandomForestClassifier(n_estimators=n_trees, random_state=0, n_jobs=1)
    y_noisy = make_noisy_labels(y, noise_rate=job.noise_rate, random_state=0)[0]
    plain, injected = [], []
    for _ in range(repeats):
        plain.append(_seconds(lambda: clone(forest).fit(X, y_noisy)))
        injected.append(_seconds(
            lambda: LabelNoiseInjector(forest, noise_rate=job.noise_rate, random_state=0).fit(X, y)))
    return {"plain": plain, "injected": injected}


def boundary_job(job, repeats):
    """One fit of the boundary noise's default model, then the boundary noise (seed ``r``), for
    ``r`` in ``0..repeats-1``: the seconds of each (lists)."""
    X, y = _instance_data(_rows(job))
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    fit, noise = [], []
    for seed in range(repeats):
        fit.append(_seconds(lambda: clone(model).fit(X, y)))
        noise.append(_seconds(
            lambda: make_noisy_labels(y, X=X, noise_rate=job.noise_rate, noise_type="instance",
                                      instance_method="boundary", random_state=seed)))
    return {"fit": fit, "noise": noise}


def main(argv=None):
    parser = bench_parser(__doc__.splitlines()[0], "sizes ten times smaller, for a smoke test",
                          parts=PARTS)
    args = parser.parse_args(argv)
    with threadpool_limits(limits=1):
        _run(args, argv)


def _run(args, argv):
    scale = 10 if args.quick else 1
    sizes = [n // scale for n in (1_000_000, 3_000_000, 10_000_000)]
    n_rows, n_trees, repeats = (10_000, 10, 2) if args.quick else (100_000, 50, 3)
    sections = run_parts(args.parts, {
        "labels": lambda: labels_markdown(labels(sizes)),
        "injector": lambda: injector_markdown(injector(n_rows, n_trees, repeats), n_trees, repeats),
        "projection": lambda: projection_markdown(projection(1_000_000 // scale)),
        "boundary": lambda: boundary_markdown(boundary(n_rows, repeats), repeats),
    })
    write_bench_report("bench_noise: make_noisy_labels and LabelNoiseInjector",
                       "benchmarks.bench_noise", sections, args.output, argv, RESULT_FILE)


def labels(sizes):
    """The runner's table of :func:`labels_job`, one row per size."""
    return run_here(labels_job, [_job("randint", n, "make_noisy_labels") for n in sizes])


def injector(n_rows, n_trees, repeats):
    return run_here(injector_job, [_job("make_classification", n_rows, "LabelNoiseInjector")],
                     n_trees=n_trees, repeats=repeats)


def projection(n):
    return run_here(projection_job, [_job("make_classification", n, "instance projection")])


def boundary(n_rows, repeats):
    return run_here(boundary_job, [_job("make_classification", n_rows, "instance boundary")],
                     repeats=repeats)


def _time_memory_rows(table):
    return [[f"{_rows(r):,}", f"{r.seconds:.3f}", f"{r.peak / 1e6:.1f}", f"{r.peak / _rows(r):.1f}"]
            for r in table.itertuples()]


def labels_markdown(table):
    return "### make_noisy_labels: 10 classes, symmetric 20%, best of 3\n\n" + markdown_table(
        ["labels", "time (s)", "peak memory (MB)", "bytes per label"], _time_memory_rows(table),
        align="rrrr")


def injector_markdown(table, n_trees, repeats):
    job = table.iloc[0]
    plain, injected = float(np.median(job["plain"])), float(np.median(job["injected"]))
    return (
        f"### LabelNoiseInjector overhead: RandomForest({n_trees} trees, n_jobs=1) on "
        f"{_rows(job):,} × 20, median of {repeats} alternating fits\n\n" + markdown_table(
            ["plain fit (s)", "injector fit (s)", "overhead"],
            [[f"{plain:.2f}", f"{injected:.2f}", f"{100 * (injected / plain - 1):+.2f}%"]],
            align="rrr"))


def projection_markdown(table):
    return (
        f"### Instance-dependent noise, projection: {_rows(table.iloc[0]):,} labels (10 classes) × "
        "20 features, rate 20%, best of 3 (target: at most 5 s for 1,000,000)\n\n" + markdown_table(
            ["labels", "time (s)", "peak memory (MB)", "bytes per label"], _time_memory_rows(table),
            align="rrrr"))


def boundary_markdown(table, repeats):
    job = table.iloc[0]
    fit, noise = float(np.median(job["fit"])), float(np.median(job["noise"]))
    return (
        f"### Instance-dependent noise, boundary: {_rows(job):,} × 20, 10 classes, rate 20%, "
        "against one fit of its default model (StandardScaler + LogisticRegression), "
        f"median of {repeats} alternating runs\n\n" + markdown_table(
            ["one model fit (s)", "make_noisy_labels (s)", "cost in model fits"],
            [[f"{fit:.2f}", f"{noise:.2f}", f"{noise / fit:.1f}"]], align="rrr"))


if __name__ == "__main__":
    main()
