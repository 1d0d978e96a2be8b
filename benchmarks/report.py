"""Markdown tables, CSV/JSON files, plots and the environment of a benchmark run."""

import datetime
import json
import os
import platform
import sys
import tempfile
import time
import warnings
from importlib import metadata

import numpy as np

__all__ = [
    "OutputNotWritable",
    "check_writable",
    "environment",
    "environment_markdown",
    "fit_timed",
    "markdown_table",
    "mean_std",
    "seed_range",
    "write_bench_report",
    "write_csv",
    "write_json",
]

_PACKAGES = (
    "numpy", "scikit-learn", "cleanlab", "joblib", "tensorflow", "keras", "scikeras",
    "dask", "distributed", "matplotlib", "pandas",
)


class OutputNotWritable(RuntimeError):
    """The output folder cannot be created or written."""


def check_writable(folder):
    """Create ``folder`` if needed and prove a file can be written there."""
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise OutputNotWritable(
            f"cannot write results to the output folder {os.fspath(folder)!r} "
            f"({exc.strerror or exc}); choose another with --output DIR"
        ) from exc


def _version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def environment(argv=None):
    """Date, machine, Python and package versions of this run, and its command line ``argv``."""
    import skrobust

    versions = {"skrobust": skrobust.__version__}
    versions.update({p: v for p in _PACKAGES if (v := _version(p)) is not None})
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "packages": versions,
        "command": "python -m benchmarks " + " ".join(sys.argv[1:] if argv is None else argv),
    }


def environment_markdown(env):
    """The environment as a short Markdown list."""
    packages = ", ".join(f"{k} {v}" for k, v in env["packages"].items())
    text = (
        f"- command: `{env['command']}`\n"
        f"- date: {env['date']}\n"
        f"- machine: {env['platform']}, {env['processor']}, {env['cpu_count']} CPUs; Python {env['python']}\n"
        f"- packages: {packages}\n"
    )
    for update in env.get("updates", []):  # methods rerun into these results (``--update``)
        changed = {k: v for k, v in update["packages"].items() if env["packages"].get(k) != v}
        text += (
            f"- rerun of {', '.join(f'`{m}`' for m in update['methods'])}: `{update['command']}`, "
            f"{update['date']}, {update['platform']}, {update['cpu_count']} CPUs"
            + (f"; packages changed: {', '.join(f'{k} {v}' for k, v in changed.items())}" if changed else "")
            + "\n"
        )
    return text


def run_parts(parts, sections):
    """The Markdown of each of ``sections`` (name to a function making it) named in ``parts``.

    Made in ``sections``' order, each printed as soon as it is made.

    >>> run_parts(["b"], {"a": lambda: "A", "b": lambda: "B"})
    B
    <BLANKLINE>
    ['B']
    """
    made = []
    for name, make in sections.items():
        if name in parts:
            made.append(make())
            print(made[-1] + "\n", flush=True)
    return made


def write_bench_report(title, module, sections, output, argv, filename):
    """Print the run's environment and write ``title``, it and ``sections`` to ``output/filename``.

    ``module`` is the benchmark's module (``benchmarks.bench_...``) and
    ``argv`` its arguments (``None``: the command line), for the command
    shown; an empty ``output`` writes nothing.
    """
    env = environment()
    env["command"] = f"python -m {module} " + " ".join(sys.argv[1:] if argv is None else argv)
    text = f"## {title}\n\n" + environment_markdown(env) + "\n" + "\n\n".join(sections) + "\n"
    print(environment_markdown(env))
    if output:
        os.makedirs(output, exist_ok=True)
        with open(os.path.join(output, filename), "w") as f:
            f.write(text)


def mean_std(values, scale=100.0, digits=2):
    """``"mean ± std"`` of ``values`` times ``scale``; NaNs (failed runs) make it ``"failed"``.

    >>> mean_std([0.9, 0.92])
    '91.00 ± 1.00'
    >>> mean_std([0.9], digits=1)
    '90.0'
    """
    values = np.asarray(values, dtype=float)
    if values.size == 0 or np.isnan(values).any():
        return "failed"
    mean = f"{scale * values.mean():.{digits}f}"
    if values.size == 1:
        return mean
    return f"{mean} ± {scale * values.std():.{digits}f}"


def seed_range(seeds):
    """Seeds as a short text: ``"0-9"`` for a run of consecutive seeds, else the list.

    >>> seed_range(range(10)), seed_range([0, 3, 7])
    ('0-9', '0, 3, 7')
    """
    seeds = [int(s) for s in seeds]
    if len(seeds) > 1 and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}-{seeds[-1]}"
    return ", ".join(map(str, seeds))


def fit_timed(model, X, y, **fit_params):
    """Fit ``model`` with its warnings silenced (convergence chatter); returns the seconds taken.

    >>> from sklearn.linear_model import LogisticRegression
    >>> fit_timed(LogisticRegression(max_iter=1), [[0.0], [1.0]], [0, 1]) > 0
    True
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model.fit(X, y, **fit_params)
        return time.perf_counter() - start


def markdown_table(header, rows, align=None):
    """A GitHub Markdown table; ``align`` is a string of ``l``/``r`` per column.

    >>> print(markdown_table(["a", "b"], [[1, 2]], align="lr"))
    | a | b |
    |:--|--:|
    | 1 | 2 |
    """
    align = align or "l" * len(header)
    rule = "|" + "|".join(":--" if a == "l" else "--:" for a in align) + "|"
    lines = ["| " + " | ".join(map(str, header)) + " |", rule]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines)


def write_csv(path, results):
    """The runner's DataFrame, one row per job (fold accuracies joined with ``;``)."""
    frame = results.copy()
    frame["accuracy_folds"] = [";".join(f"{a:.6f}" for a in folds) for folds in frame["accuracy_folds"]]
    frame.to_csv(path, index=False)


def write_json(path, settings, env, results):
    """Settings, environment and one record per job (NaN written as null)."""
    records = json.loads(results.to_json(orient="records", double_precision=15))
    with open(path, "w") as f:
        json.dump({"settings": settings, "environment": env, "results": records}, f, indent=1)
        f.write("\n")
