"""Run benchmark jobs through joblib, locally or on a Dask cluster.

A job is one (dataset, noise type, noise rate, method, seed) cell. Jobs are
small, picklable records: each worker loads the data and builds the estimator
itself, so nothing large travels to the workers. Results come back as plain
dicts in job order, whatever the order they finished in, so a run on a Dask
cluster gives the same table as a local run.
"""

import sys
import time
import traceback
import warnings
from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["Job", "SchedulerUnreachable", "connect", "run_jobs", "seed_job", "sweep_job"]


@dataclass(frozen=True)
class Job:
    """One cell of a benchmark grid (``noise_type="none"`` when ``noise_rate`` is 0)."""

    dataset: str
    noise_type: str
    noise_rate: float
    method: str
    seed: int


_WARM = set()  # methods already built once in this process


def warm_up(methods):
    """Build each method once in this process, before its first job.

    This loads every library the jobs need (TensorFlow above all) up front:
    loky measures a worker's memory after its first job and restarts workers
    that grow by more than 300 MB, so a worker importing TensorFlow in its
    second job would be restarted, and re-import TensorFlow, again and again.
    TensorFlow gets one thread, as every other library does in a job.
    """
    from .methods import METHODS

    for name in methods:
        if name in _WARM:
            continue
        _WARM.add(name)
        try:
            METHODS[name](0)
        except Exception:  # the job itself will report it
            continue
        if name == "mae":
            import tensorflow as tf

            try:
                tf.config.threading.set_intra_op_parallelism_threads(1)
                tf.config.threading.set_inter_op_parallelism_threads(1)
            except RuntimeError:  # TensorFlow already running in this process
                pass


def _run_captured(func, job, options, methods=()):
    """``func(job, **options)``; warnings and exceptions are recorded, not raised."""
    warm_up(methods)
    cpu_start = time.process_time()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = func(job, **options)
            error = ""
        except Exception as exc:  # reported in the table, never hidden
            result = {"accuracy": np.nan, "accuracy_folds": [], "fit_time": np.nan}
            error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            last = traceback.extract_tb(exc.__traceback__)[-1]
            error += f" ({last.filename.rsplit('/', 1)[-1]}:{last.lineno})"
    cpu_time = time.process_time() - cpu_start
    kinds = sorted({w.category.__name__ for w in caught})
    return {**asdict(job), **result, "cpu_time": cpu_time, "error": error, "warnings": ",".join(kinds)}


def sweep_job(job, *, cv=5):
    """Cross-validated clean-test accuracy of one method under one noise setting.

    The method is wrapped as ``LabelNoiseInjector(make_pipeline(StandardScaler(),
    method), ...)``: only the training folds are corrupted, the test folds are
    scored against the dataset's own labels. ``job.seed`` fixes the noise draw,
    the fold split and the method's randomness.
    """
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skrobust import LabelNoiseInjector

    from .datasets import load_dataset, noise_parameters
    from .methods import METHODS

    X, y = load_dataset(job.dataset)
    estimator = make_pipeline(StandardScaler(), METHODS[job.method](job.seed))
    if job.noise_rate == 0:
        noise = {"noise_rate": 0.0}
    else:
        noise = noise_parameters(job.noise_type, job.noise_rate, len(np.unique(y)))
    model = LabelNoiseInjector(estimator, **noise, random_state=job.seed)
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=job.seed)
    with _one_thread():
        scores = cross_validate(model, X, y, cv=folds, scoring="accuracy", error_score="raise")
    return {
        "accuracy": float(np.mean(scores["test_score"])),
        "accuracy_folds": [float(s) for s in scores["test_score"]],
        "fit_time": float(np.mean(scores["fit_time"])),
    }


def seed_job(job):
    """The article's experiment: fit on its (possibly flipped) training labels, score on its clean test set."""
    from skrobust import LabelNoiseInjector

    from .datasets import article_data, article_flip
    from .methods import METHODS

    X_train, X_test, y_train, y_test = article_data()
    estimator = METHODS[job.method](job.seed)
    y_fit = y_train
    if job.noise_type == "article_flip":
        y_fit = article_flip(y_train, job.seed, job.noise_rate)
    elif job.noise_type != "none":  # skrobust's own noise, through the injector
        estimator = LabelNoiseInjector(estimator, noise_rate=job.noise_rate,
                                       noise_type=job.noise_type, random_state=job.seed)
    with _one_thread():
        start = time.perf_counter()
        estimator.fit(X_train, y_fit)
        fit_time = time.perf_counter() - start
        accuracy = float(np.mean(np.asarray(estimator.predict(X_test)) == y_test))
    return {"accuracy": accuracy, "accuracy_folds": [accuracy], "fit_time": fit_time}


def _one_thread():
    """Limit BLAS/OpenMP to one thread per job: jobs run side by side, one per core.

    (Without it, OpenMP threads of concurrent jobs fight over the cores; on a
    busy 2-core machine a 0.1 s LogisticRegression fit took 7 s.) Called after
    the estimator is built, so the libraries it loads are already there.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


class SchedulerUnreachable(RuntimeError):
    """The Dask scheduler given with ``--scheduler`` could not be reached."""


def connect(address, timeout=5):
    """A ``dask.distributed.Client`` for ``address``; fails within ``timeout`` seconds."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise SchedulerUnreachable(
            f"--scheduler needs dask.distributed, which is missing ({exc}); "
            "install it with pip install \".[bench]\""
        ) from exc
    try:
        return Client(address, timeout=timeout)
    except Exception as exc:
        raise SchedulerUnreachable(
            f"could not reach the Dask scheduler at {address!r} within {timeout} s "
            f"({type(exc).__name__}: {exc}). Start one with `dask scheduler` and "
            "`dask worker ADDRESS` (run the workers from the repository root so they can "
            "import `benchmarks`), or leave out --scheduler to run locally."
        ) from exc


def run_jobs(func, jobs, *, options=None, n_jobs=1, client=None, progress=True, desc="jobs"):
    """Run ``func(job, **options)`` for every job; results in job order.

    Each worker first builds every method of ``jobs`` once (:func:`warm_up`).

    With ``client`` (a connected ``dask.distributed.Client``) the jobs go to
    its cluster through joblib's Dask backend; otherwise they run on
    ``n_jobs`` local processes (joblib's default backend).
    """
    from joblib import Parallel, delayed, parallel_config
    from tqdm.auto import tqdm

    jobs = list(jobs)
    options = options or {}
    backend = {"backend": "dask"} if client is not None else {}
    n_jobs = -1 if client is not None else n_jobs
    results = [None] * len(jobs)
    methods = tuple(dict.fromkeys(job.method for job in jobs))
    tasks = (delayed(_indexed)(i, func, job, options, methods) for i, job in enumerate(jobs))
    with parallel_config(**backend):
        parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered", batch_size=1)
        with tqdm(total=len(jobs), desc=desc, unit="job", disable=not progress, file=sys.stderr) as bar:
            for i, result in parallel(tasks):
                results[i] = result
                bar.set_postfix_str(f"{result['dataset']} {result['method']}", refresh=False)
                bar.update()
    return results


def _indexed(i, func, job, options, methods):
    return i, _run_captured(func, job, options, methods)
