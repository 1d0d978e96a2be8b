"""The one runner of the benchmark suites: jobs through joblib, locally or on a Dask cluster.

A job is one (dataset, noise type, noise rate, method, seed) cell, run by the
suite's job function ``func(job, **options)``, which returns a dict of
numbers. Jobs are small, picklable records: each worker loads the data and
builds the estimator itself, so nothing large travels to the workers.
:func:`run_jobs` returns a tidy pandas DataFrame, one row per job in job
order (whatever the order they finished in), so a run on a Dask cluster gives
the same table as a local run; the suites' tables, plots and files are all
made from it.
"""

import sys
import time
import traceback
import warnings
from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["Job", "SchedulerUnreachable", "connect", "one_row_per_entry", "one_thread", "run_checked", "run_here",
           "run_jobs"]


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


def one_thread():
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
    """Run ``func(job, **options)`` for every job: a DataFrame, one row per job in job order.

    Columns: the job's fields, what ``func`` returned (``accuracy``,
    ``accuracy_folds``, ``fit_time``, ...), ``cpu_time``, ``error`` (empty
    unless the job raised; its numbers are then NaN) and ``warnings`` (the
    warning classes raised, comma-separated).

    Each worker first builds every method of ``jobs`` once (:func:`warm_up`).

    With ``client`` (a connected ``dask.distributed.Client``) the jobs go to
    its cluster through joblib's Dask backend; otherwise they run on
    ``n_jobs`` local processes (joblib's default backend).
    """
    from joblib import Parallel, delayed, parallel_config
    from tqdm import tqdm

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
    import pandas as pd

    return pd.DataFrame(results)


def run_checked(func, jobs, **kwargs):
    """:func:`run_jobs` for a table without gaps: a failed job raises its error.

    A component benchmark reports every job's numbers, so a job that raised
    stops it loudly (naming the first failure) instead of printing NaNs.
    """
    table = run_jobs(func, jobs, **kwargs)
    failed = table[table["error"] != ""]
    if len(failed):
        raise RuntimeError(f"{len(failed)} of {len(table)} jobs failed; the first, "
                           f"{failed.iloc[0][['dataset', 'method', 'seed']].to_dict()}: {failed['error'].iloc[0]}")
    return table


def run_here(func, jobs, *, desc=None, **options):
    """:func:`run_checked` with the jobs one after the other in this process.

    For parts that time things (alternating fits on one otherwise idle core)
    or that must see one process's state; ``options`` go to ``func``; a
    progress bar is shown only with ``desc``.
    """
    return run_checked(func, jobs, options=options, n_jobs=1, progress=desc is not None,
                       desc=desc or "jobs")


def one_row_per_entry(table):
    """A :func:`run_checked` table whose jobs returned lists (one entry per fold, fit, ...), one row per entry.

    Every list column is spread (a job's lists have one length); the other
    columns repeat on each of the job's rows.
    """
    lists = [column for column in table.columns if len(table) and isinstance(table[column].iloc[0], list)]
    return table.explode(lists, ignore_index=True).infer_objects()


def _indexed(i, func, job, options, methods):
    return i, _run_captured(func, job, options, methods)
