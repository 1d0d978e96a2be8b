"""Command line of the benchmark: ``python -m benchmarks SUITE [options]``.

A suite is a module with ``NAME``, ``DESCRIPTION``, ``settings(...)``,
``method_names(options)``, ``jobs(options)``, ``JOB_FUNCTION`` (run by
:func:`benchmarks.runner.run_jobs` as ``JOB_FUNCTION(job, **job_options(options))``),
``estimate_seconds(options, n_workers)`` and, from the runner's DataFrame,
``summary(results, options, env)`` (Markdown) and ``plot(results, options, path)``.
The component benchmarks (``python -m benchmarks.bench_*``) share
:func:`bench_parser`: ``--quick`` and ``--output DIR`` (default ``benchmarks/results``,
none with ``--quick``).
"""

import argparse
import json
import os
import sys
import time

import pandas as pd

from . import seed, sweep
from .datasets import DATASETS, NOISE_TYPES, BadDataFile, default_datasets
from .methods import METHODS, MethodUnavailable, check_available, unavailable_methods
from .report import OutputNotWritable, check_writable, environment, write_csv, write_json
from .runner import SchedulerUnreachable, connect, run_jobs

SUITES = {seed.NAME: seed, sweep.NAME: sweep}
DEFAULT_OUTPUT = os.path.join("benchmarks", "results")


class _BenchParser(argparse.ArgumentParser):
    """``--output`` left out: :data:`DEFAULT_OUTPUT`, or none with ``--quick`` (a smoke test
    does not overwrite the committed results)."""

    def parse_known_args(self, args=None, namespace=None):
        parsed, rest = super().parse_known_args(args, namespace)
        if parsed.output is None:
            parsed.output = "" if parsed.quick else DEFAULT_OUTPUT
        return parsed, rest


def _parts_of(choices):
    """``--parts``' parser: a comma-separated, non-empty subset of ``choices``."""

    def parse(text):
        parts = [part for part in text.split(",") if part]
        unknown = sorted(set(parts) - set(choices))
        if unknown or not parts:
            raise argparse.ArgumentTypeError(
                f"unknown parts {unknown}; choose from {', '.join(choices)}" if unknown
                else f"no part named; choose from {', '.join(choices)}"
            )
        return parts

    return parse


def bench_parser(description, quick_help="a smaller, faster version (smoke test)", parts=(),
                 default_parts=None):
    """The command line every component benchmark starts from: ``--quick`` and ``--output DIR``.

    With ``parts`` (the benchmark's sections, in order), also ``--parts``: a
    comma-separated subset of them, ``default_parts`` (default: all) when
    left out; any other name is an error before any work.

    >>> bench_parser("demo").parse_args([]).output
    'benchmarks/results'
    >>> args = bench_parser("demo").parse_args(["--quick"])
    >>> args.quick, args.output
    (True, '')
    >>> bench_parser("demo").parse_args(["--quick", "--output", "out"]).output
    'out'
    >>> bench_parser("demo", parts=("a", "b", "c")).parse_args(["--parts", "c,a"]).parts
    ['c', 'a']
    """
    parser = _BenchParser(description=description)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--output", metavar="DIR",
                        help=f"folder for the results file (default: {DEFAULT_OUTPUT}, "
                        "none with --quick); '' writes none")
    if parts:
        default = list(parts if default_parts is None else default_parts)
        parser.add_argument("--parts", type=_parts_of(parts), default=default, metavar="PART,...",
                            help=f"comma-separated subset of {', '.join(parts)} "
                            f"(default: {','.join(default)})")
    return parser

_EPILOG = """\
suites:
{suites}

datasets (sweep): {datasets} (default: {default_datasets})
noise types (sweep): {noise}
methods: {methods}

examples:
  python -m benchmarks seed                       # the article's experiment, 10 noise seeds
  python -m benchmarks sweep --quick              # under 3 minutes on 2 cores
  python -m benchmarks sweep                      # the full sweep: 5 seeds, 5 folds (prints its expected time)
  python -m benchmarks sweep --data my.csv --target label   # on your own data (CSV or Parquet);
                                                  # writes sweep-my.* in the current folder
  python -m benchmarks choose --data my.csv --target label  # which method to fit on your labels as they are
  python -m benchmarks sweep --datasets wine,digits --methods random_forest,coteaching --seeds 0-2
  python -m benchmarks sweep --scheduler tcp://10.0.0.5:8786   # on a Dask cluster
  python -m benchmarks sweep --methods clean_first --update benchmarks/results/sweep.json
                                                  # rerun one method of an earlier sweep, keep the others
"""


def _parser():
    epilog = _EPILOG.format(
        suites="\n".join(f"  {name:6} {suite.DESCRIPTION}" for name, suite in SUITES.items()),
        datasets=", ".join(DATASETS),
        default_datasets=", ".join(default_datasets()),
        noise=", ".join(NOISE_TYPES),
        methods=", ".join(METHODS),
    )
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Which noise-handling method should I use? skrobust's benchmark suites.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("suite", help="suite to run: " + ", ".join(SUITES) + "; or choose (see choose --help)")
    p.add_argument("--quick", action="store_true",
                   help="a small version: seed suite 3 seeds; sweep 1 seed, 2 folds, on the article, "
                   "breast_cancer and wine data (with --data: on your file)")
    p.add_argument("--methods", help="comma-separated method names (seed suite: added to the RandomForest "
                   "ceiling and baseline)")
    p.add_argument("--datasets", help="comma-separated dataset names (sweep; default: "
                   + ", ".join(default_datasets()) + ")")
    p.add_argument("--data", metavar="FILE", help="sweep on your own CSV or Parquet file instead "
                   "(needs --target); other columns: numbers scaled, the rest one-hot encoded")
    p.add_argument("--target", metavar="COLUMN", help="the label column of --data")
    p.add_argument("--noise-types", help="comma-separated noise types (sweep)")
    p.add_argument("--rates", help="comma-separated noise rates in [0, 1) (sweep; 0 is always run)")
    p.add_argument("--seeds", help="seeds, e.g. 0-9 or 0,3,7 (default: seed 0-9, sweep 0-4)")
    p.add_argument("--cv", type=int, help="cross-validation folds (sweep; default 5)")
    p.add_argument("--n-jobs", type=int, default=-1, help="local worker processes (default -1: all cores)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the jobs on this Dask scheduler (e.g. tcp://host:8786) instead of locally")
    p.add_argument("--scheduler-timeout", type=float, default=5.0, metavar="SECONDS",
                   help="give up connecting to the scheduler after this long (default 5)")
    p.add_argument("--output", metavar="DIR",
                   help=f"folder for the Markdown, CSV, JSON and PNG files (default: {DEFAULT_OUTPUT}; "
                   "a sweep on your own --data: the current folder)")
    p.add_argument("--skip-unavailable", action="store_true",
                   help="run without methods that cannot be built here (listed in the report) instead of stopping")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--update", metavar="FILE",
                   help="rerun --methods of an earlier sweep (its .json results file) with that sweep's "
                   "settings, and write the merged results (the other methods' rows kept as they were)")
    return p


def _names(parser, text, valid, what):
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in valid]
    if unknown or not names:
        parser.error(f"unknown {what} {', '.join(map(repr, unknown)) or repr(text)}; "
                     f"valid {what}s: {', '.join(valid)}")
    return list(dict.fromkeys(names))


def _seeds(parser, text):
    if text is None:
        return None
    seeds = []
    try:
        for part in text.split(","):
            if "-" in part.strip()[1:]:
                lo, hi = part.split("-")
                seeds += range(int(lo), int(hi) + 1)
            else:
                seeds.append(int(part))
    except ValueError:
        parser.error(f"--seeds: expected non-negative integers like 0-9 or 0,3,7, got {text!r}")
    if not seeds or min(seeds) < 0:
        parser.error(f"--seeds: expected non-negative integers like 0-9 or 0,3,7, got {text!r}")
    return list(dict.fromkeys(seeds))


def _rates(parser, text):
    if text is None:
        return None
    try:
        rates = [float(r) for r in text.split(",")]
    except ValueError:
        rates = [-1.0]
    if not all(0 <= r < 1 for r in rates):
        parser.error(f"--rates: expected comma-separated numbers in [0, 1), got {text!r}")
    return rates


def parse_settings(argv):
    """Parse and check the command line; returns ``(args, suite module, settings)``."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.suite not in SUITES:
        parser.error(f"unknown suite {args.suite!r}; valid suites: {', '.join(SUITES)}")
    suite = SUITES[args.suite]
    methods = _names(parser, args.methods, list(METHODS), "method")
    seeds = _seeds(parser, args.seeds)
    if (args.data is None) != (args.target is None):
        parser.error("--data FILE and --target COLUMN go together")
    if args.data is not None and args.datasets is not None:
        parser.error("give either --data (your own file) or --datasets, not both")
    if args.update is not None:
        options = _update_settings(parser, args, methods)
        args.output = _output_folder(args.output, options)
        return args, suite, options
    if args.suite == "seed":
        for flag in ("datasets", "noise_types", "rates", "cv", "data"):
            if getattr(args, flag) is not None:
                parser.error(f"--{flag.replace('_', '-')} applies to the sweep suite only")
        options = seed.settings(quick=args.quick, methods=methods, seeds=seeds)
    else:
        if args.cv is not None and args.cv < 2:
            parser.error(f"--cv: expected an integer >= 2, got {args.cv}")
        try:
            options = sweep.settings(
                quick=args.quick,
                datasets=_names(parser, args.datasets, list(DATASETS), "dataset"),
                noise_types=_names(parser, args.noise_types, list(NOISE_TYPES), "noise type"),
                rates=_rates(parser, args.rates),
                methods=methods,
                seeds=seeds,
                cv=args.cv,
                data=args.data,
                target=args.target,
            )
        except BadDataFile as exc:
            parser.error(str(exc))
    args.output = _output_folder(args.output, options)
    return args, suite, options


def _output_folder(output, options):
    """``--output``, or when left out: :data:`DEFAULT_OUTPUT` (the committed results) for the
    bundled data, the current folder for a user's ``--data`` file.

    >>> _output_folder(None, {"data": None}), _output_folder(None, {"data": {"name": "pets"}})
    ('benchmarks/results', '.')
    >>> _output_folder("out", {"data": {"name": "pets"}})
    'out'
    """
    if output is not None:
        return output
    return os.curdir if options.get("data") else DEFAULT_OUTPUT


_SETTING_FLAGS = ("quick", "datasets", "data", "noise_types", "rates", "seeds", "cv")


def _update_settings(parser, args, methods):
    """The settings of the earlier sweep ``args.update``, with its results, for rerunning ``methods``."""
    if args.suite != sweep.NAME:
        parser.error("--update applies to the sweep suite only")
    if methods is None:
        parser.error("--update needs --methods: the methods to rerun")
    given = [f"--{flag.replace('_', '-')}" for flag in _SETTING_FLAGS if getattr(args, flag) not in (None, False)]
    if given:
        parser.error(f"--update takes the earlier sweep's settings; leave out {', '.join(given)}")
    try:
        with open(args.update) as f:
            earlier = json.load(f)
        settings = earlier["settings"]
        if settings["suite"] != sweep.NAME:
            raise ValueError(f"it is a {settings['suite']!r} run")
        earlier["results"] = pd.DataFrame(earlier["results"]).fillna({"error": "", "warnings": ""})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        parser.error(f"--update: cannot read {args.update!r} as a sweep's .json results file ({exc})")
    return {**settings, "methods": methods, "earlier": earlier}


def merge_update(earlier, results, env):
    """An earlier sweep's ``(results, settings, environment)`` with the rows of the rerun methods replaced.

    ``results`` and ``env`` are the rerun's; the methods keep the earlier
    order (new ones at the end), and the environment lists each update.

    >>> old = pd.DataFrame({"method": ["a", "b"], "accuracy": [0.5, 0.6]})
    >>> new = pd.DataFrame({"method": ["b", "c"], "accuracy": [0.7, 0.8]})
    >>> earlier = {"results": old, "settings": {"methods": ["a", "b"]}, "environment": {"date": "d0"}}
    >>> merged, settings, environment = merge_update(earlier, new, {"date": "d1"})
    >>> merged.to_dict("list"), settings["methods"], environment["updates"][0]["methods"]
    ({'method': ['a', 'b', 'c'], 'accuracy': [0.5, 0.7, 0.8]}, ['a', 'b', 'c'], ['b', 'c'])
    """
    rerun = list(dict.fromkeys(results["method"]))
    kept = earlier["results"][~earlier["results"]["method"].isin(rerun)]
    methods = list(dict.fromkeys([*earlier["settings"]["methods"], *rerun]))
    merged = pd.concat([kept, results], ignore_index=True)
    merged = merged.sort_values("method", kind="stable", key=lambda m: m.map(methods.index))
    environment = dict(earlier["environment"])
    environment["updates"] = [*environment.get("updates", []), {**env, "methods": rerun}]
    return merged.reset_index(drop=True), {**earlier["settings"], "methods": methods}, environment


def _say(text):
    print(text, file=sys.stderr, flush=True)


def main(argv=None):
    """Run a suite; returns the exit status (0 ok, 1 some job failed, 2 bad input)."""
    given = sys.argv[1:] if argv is None else list(argv)
    if given[:1] == ["choose"]:  # not a suite of jobs: one selector fitted on the user's file
        from . import choose

        return choose.main(given[1:])
    args, suite, options = parse_settings(argv)
    prog = "python -m benchmarks"
    # TensorFlow's C++ info and warning lines would bury the progress bar; the workers inherit
    # this. (Its start-up lines ignore it: benchmarks.methods imports TensorFlow quietly.)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        check_writable(args.output)
    except OutputNotWritable as exc:
        _say(f"{prog}: error: {exc}")
        return 2

    client = None
    try:
        if args.scheduler:
            client = connect(args.scheduler, timeout=args.scheduler_timeout)
        names = suite.method_names(options)
        if args.skip_unavailable:
            skipped = unavailable_methods(names)
            for name, reason in skipped.items():
                _say(f"{prog}: skipping {name}: {reason}")
            options["methods"] = [m for m in options["methods"] if m not in skipped]
            options["skipped_methods"] = skipped
            if set(suite.method_names(options)) & set(skipped):
                raise MethodUnavailable(f"the suite's reference method cannot be built: {skipped}")
        else:
            check_available(names)
    except (SchedulerUnreachable, MethodUnavailable) as exc:
        _say(f"{prog}: error: {exc}")
        if client is not None:
            client.close()
        return 2

    jobs = suite.jobs(options)
    if client is not None:
        workers = sum(client.nthreads().values())
        where = f"the Dask cluster at {args.scheduler} ({workers} worker threads)"
    else:
        from joblib import effective_n_jobs

        workers = effective_n_jobs(args.n_jobs)
        where = f"{workers} local process(es)"
    estimate = suite.estimate_seconds(options, workers)
    plan = f"{suite.NAME}: {len(jobs)} jobs on {where}"
    if estimate is not None:
        plan += f"; expected time about {_duration(estimate)} (rough estimate from reference timings)"
    _say(plan)

    name = suite.NAME + (f"-{options['data']['name']}" if options.get("data") else "")
    stem = os.path.join(args.output, name + ("-quick" if options["quick"] else ""))
    start = time.perf_counter()
    try:
        results = run_jobs(suite.JOB_FUNCTION, jobs, options=suite.job_options(options),
                           n_jobs=args.n_jobs, client=client, progress=not args.no_progress,
                           desc=suite.NAME)
    finally:
        if client is not None:
            client.close()
    elapsed = time.perf_counter() - start

    env = environment(argv)
    env["wall_time_s"] = round(elapsed, 1)
    env["workers"] = where
    earlier = options.pop("earlier", None)
    if earlier is not None:
        results, options, env = merge_update(earlier, results, env)
    text = suite.summary(results, options, env)
    text += f"- wall time{' of the update' if earlier else ''}: {_duration(elapsed)} on {where}\n"
    if options.get("skipped_methods"):
        text += "- skipped (could not be built here): " + "; ".join(
            f"{m} ({why})" for m, why in options["skipped_methods"].items()) + "\n"
    print(text)
    with open(stem + ".md", "w") as f:
        f.write(text)
    write_csv(stem + ".csv", results)
    write_json(stem + ".json", options, env, results)
    suite.plot(results, options, stem + ".png")
    _say(f"wrote {stem}.md, .csv, .json and .png")
    return 1 if (results["error"] != "").any() else 0


def _duration(seconds):
    """``"42 s"``, ``"3.5 min"`` or ``"2.1 h"``.

    >>> _duration(42), _duration(210), _duration(7560)
    ('42 s', '3.5 min', '2.1 h')
    """
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
