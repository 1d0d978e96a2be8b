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

RESULT_FILE = "bench_noise.md"
PARTS = ("labels", "injector", "projection", "boundary")


def time_noise(n, n_classes=10, repeats=3):
    y = np.random.RandomState(0).randint(0, n_classes, n)
    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        make_noisy_labels(y, noise_rate=0.2, random_state=seed)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    make_noisy_labels(y, noise_rate=0.2, random_state=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return min(times), peak


def injector_overhead(n_samples, n_estimators, repeats):
    X, y = make_classification(n_samples=n_samples, n_features=20, n_informative=10,
                               random_state=0)
    forest = RandomForestClassifier(n_estimators=n_estimators, random_state=0, n_jobs=1)
    y_noisy = make_noisy_labels(y, noise_rate=0.2, random_state=0)[0]
    plain, injected = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        clone(forest).fit(X, y_noisy)
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        LabelNoiseInjector(forest, noise_rate=0.2, random_state=0).fit(X, y)
        injected.append(time.perf_counter() - start)
    return float(np.median(plain)), float(np.median(injected))


def _instance_data(n_samples):
    return make_classification(n_samples=n_samples, n_features=20, n_informative=10,
                               n_classes=10, random_state=0)


def time_projection(n_samples, repeats=3):
    X, y = _instance_data(n_samples)
    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        make_noisy_labels(y, X=X, noise_rate=0.2, noise_type="instance",
                          instance_method="projection", random_state=seed)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    make_noisy_labels(y, X=X, noise_rate=0.2, noise_type="instance",
                      instance_method="projection", random_state=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return min(times), peak


def boundary_cost(n_samples, repeats=3):
    X, y = _instance_data(n_samples)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    fit, noise = [], []
    for seed in range(repeats):
        start = time.perf_counter()
        clone(model).fit(X, y)
        fit.append(time.perf_counter() - start)
        start = time.perf_counter()
        make_noisy_labels(y, X=X, noise_rate=0.2, noise_type="instance",
                          instance_method="boundary", random_state=seed)
        noise.append(time.perf_counter() - start)
    return float(np.median(fit)), float(np.median(noise))


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
        "labels": lambda: labels_markdown(sizes),
        "injector": lambda: injector_markdown(n_rows, n_trees, repeats),
        "projection": lambda: projection_markdown(1_000_000 // scale),
        "boundary": lambda: boundary_markdown(n_rows, repeats),
    })
    write_bench_report("bench_noise: make_noisy_labels and LabelNoiseInjector",
                       "benchmarks.bench_noise", sections, args.output, argv, RESULT_FILE)


def labels_markdown(sizes):
    rows = []
    for n in sizes:
        seconds, peak = time_noise(n)
        rows.append([f"{n:,}", f"{seconds:.3f}", f"{peak / 1e6:.1f}", f"{peak / n:.1f}"])
    return "### make_noisy_labels: 10 classes, symmetric 20%, best of 3\n\n" + markdown_table(
        ["labels", "time (s)", "peak memory (MB)", "bytes per label"], rows, align="rrrr")


def injector_markdown(n_rows, n_trees, repeats):
    plain, injected = injector_overhead(n_rows, n_trees, repeats)
    return (
        f"### LabelNoiseInjector overhead: RandomForest({n_trees} trees, n_jobs=1) on "
        f"{n_rows:,} × 20, median of {repeats} alternating fits\n\n" + markdown_table(
            ["plain fit (s)", "injector fit (s)", "overhead"],
            [[f"{plain:.2f}", f"{injected:.2f}", f"{100 * (injected / plain - 1):+.2f}%"]],
            align="rrr"))


def projection_markdown(n):
    seconds, peak = time_projection(n)
    return (
        f"### Instance-dependent noise, projection: {n:,} labels (10 classes) × 20 features, "
        "rate 20%, best of 3 (target: at most 5 s for 1,000,000)\n\n" + markdown_table(
            ["labels", "time (s)", "peak memory (MB)", "bytes per label"],
            [[f"{n:,}", f"{seconds:.3f}", f"{peak / 1e6:.1f}", f"{peak / n:.1f}"]],
            align="rrrr"))


def boundary_markdown(n_rows, repeats):
    fit, noise = boundary_cost(n_rows, repeats)
    return (
        f"### Instance-dependent noise, boundary: {n_rows:,} × 20, 10 classes, rate 20%, "
        "against one fit of its default model (StandardScaler + LogisticRegression), "
        f"median of {repeats} alternating runs\n\n" + markdown_table(
            ["one model fit (s)", "make_noisy_labels (s)", "cost in model fits"],
            [[f"{fit:.2f}", f"{noise:.2f}", f"{noise / fit:.1f}"]], align="rrr"))


if __name__ == "__main__":
    main()
