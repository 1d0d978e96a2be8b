"""Speed and memory of make_noisy_labels, and LabelNoiseInjector's overhead.

Run from the project root::

    python -m benchmarks.bench_noise [--quick]

1. ``make_noisy_labels`` on 1, 3 and 10 million integer labels over 10 classes:
   best wall time of 3 runs and the peak memory it allocates (tracemalloc),
   whose growth with n shows it is O(n).
2. ``LabelNoiseInjector(RandomForestClassifier)`` against the same forest fit
   directly on labels already made noisy, on 100,000 × 20 rows: the two fits
   alternate, and the overhead is the ratio of their median times.
"""

import argparse
import platform
import time
import tracemalloc

import numpy as np
import sklearn
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

import skrobust
from skrobust import LabelNoiseInjector, make_noisy_labels


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    args = parser.parse_args(argv)
    sizes = [100_000, 1_000_000] if args.quick else [1_000_000, 3_000_000, 10_000_000]
    n_rows, n_trees, repeats = (5_000, 10, 2) if args.quick else (100_000, 50, 3)

    print(f"skrobust {skrobust.__version__}, numpy {np.__version__}, scikit-learn "
          f"{sklearn.__version__}; Python {platform.python_version()} on "
          f"{platform.machine()}, {__import__('os').cpu_count()} CPUs\n")
    print("## make_noisy_labels: 10 classes, symmetric 20%, best of 3\n")
    print("| labels | time (s) | peak memory (MB) | bytes per label |")
    print("|---:|---:|---:|---:|")
    for n in sizes:
        seconds, peak = time_noise(n)
        print(f"| {n:,} | {seconds:.3f} | {peak / 1e6:.1f} | {peak / n:.1f} |")

    plain, injected = injector_overhead(n_rows, n_trees, repeats)
    print(f"\n## LabelNoiseInjector overhead: RandomForest({n_trees} trees, n_jobs=1) on "
          f"{n_rows:,} × 20, median of {repeats} alternating fits\n")
    print("| plain fit (s) | injector fit (s) | overhead |")
    print("|---:|---:|---:|")
    print(f"| {plain:.2f} | {injected:.2f} | {100 * (injected / plain - 1):+.2f}% |")


if __name__ == "__main__":
    main()
