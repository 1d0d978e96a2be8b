"""``python -m benchmarks choose --data FILE --target COLUMN``: which method to fit on your labels as they are.

The sweep answers "which method resists noise that I inject into clean
labels"; ``choose`` answers "which method should I fit on my labels as they
are": it fits :class:`skrobust.NoisyLabelSelector` on the file's labels as
given (no noise is injected) behind the sweep's preprocessing of a user's
file (numeric columns imputed and scaled, the others imputed and one-hot
encoded; :func:`benchmarks.datasets.file_dataset`), prints each
candidate's cross-validated noise-corrected and plain accuracy (mean ± std
over folds), the choice and how sure it is (its gap to the runner-up
against the standard error of the fold-paired gap), and writes the table
(``choose-NAME.md``) and a plot (``choose-NAME.png``) to ``--output``. The fit is
one job of :func:`benchmarks.runner.run_jobs` (:func:`choose_job`); the table and
the plot are made from its DataFrame, one row per candidate and fold (:func:`select`).
"""

import argparse
import os
import sys
import time

import numpy as np

NAME = "choose"
DESCRIPTION = "which method to fit on your own file's labels as they are (no noise injected)"


def _parser():
    from skrobust.selection import default_candidates

    names = list(default_candidates())
    p = argparse.ArgumentParser(
        prog="python -m benchmarks choose",
        description="Which method should I fit on my labels as they are? Cross-validates every "
        "candidate on the file's labels (no noise injected) with the noise-corrected accuracy "
        "and names the best. (The sweep instead injects noise into labels it treats as clean.)",
    )
    p.add_argument("--data", metavar="FILE", required=True, help="your CSV or Parquet file")
    p.add_argument("--target", metavar="COLUMN", required=True, help="the label column of --data")
    p.add_argument("--candidates", help="comma-separated subset of the candidates (default: all of "
                   + ", ".join(names) + ")")
    p.add_argument("--scoring", choices=["corrected", "noisy"], default=None,
                   help="the score that chooses (default: NoisyLabelSelector's)")
    p.add_argument("--cv", type=int, default=5, help="cross-validation folds (default 5)")
    p.add_argument("--seed", type=int, default=0, help="random_state of the folds and candidates (default 0)")
    p.add_argument("--n-jobs", type=int, default=1, help="candidates x folds fitted in parallel (default 1)")
    p.add_argument("--output", default=".", metavar="DIR",
                   help="folder for the Markdown table and the PNG plot (default: the current folder)")
    return p, names


def parse_settings(argv):
    """``(args, dataset)``; bad input exits with status 2 and a message naming the flag."""
    from .datasets import BadDataFile, file_dataset

    parser, names = _parser()
    args = parser.parse_args(argv)
    if args.cv < 2:
        parser.error(f"--cv: expected an integer >= 2, got {args.cv}")
    if args.candidates is None:
        args.candidates = names
    else:
        chosen = [n.strip() for n in args.candidates.split(",") if n.strip()]
        unknown = [n for n in chosen if n not in names]
        if unknown or not chosen:
            parser.error(f"--candidates: unknown {', '.join(map(repr, unknown)) or repr(args.candidates)}; "
                         f"valid candidates: {', '.join(names)}")
        args.candidates = list(dict.fromkeys(chosen))
    try:
        dataset = file_dataset(os.path.abspath(args.data), args.target)
    except BadDataFile as exc:
        parser.error(str(exc))
    return args, dataset


# the columns of NoisyLabelSelector.cv_results_ that choose reports, one entry per (candidate, fold)
CV_COLUMNS = ("candidate", "fold", "corrected_score", "noisy_score", "fit_time", "corrected_is_noisy")


def choose_job(job, path, target, candidates, scoring, cv, n_jobs):
    """The one job of ``choose``: :class:`skrobust.NoisyLabelSelector` fitted on the file's labels
    as given, behind the file's preprocessing, seeded with ``job.seed``.

    Returns the selector's cross-validation (the :data:`CV_COLUMNS` of its
    ``cv_results_``, one entry per candidate and fold), its choice and the
    score that chose.
    """
    from sklearn.pipeline import make_pipeline

    from skrobust import NoisyLabelSelector
    from skrobust.selection import default_candidates

    from .datasets import file_dataset

    dataset = file_dataset(path, target)
    X, y = dataset.load()
    every = default_candidates(job.seed)
    built = {n: every[n] for n in candidates}
    params = {} if scoring is None else {"scoring": scoring}
    selector = NoisyLabelSelector(built, cv=cv, random_state=job.seed, n_jobs=n_jobs, **params)
    make_pipeline(dataset.preprocessor(), selector).fit(X, y)
    return {**{c: selector.cv_results_[c].tolist() for c in CV_COLUMNS},
            "chosen": selector.best_name_, "scoring": selector.scoring}


def select(args, dataset, progress=False):
    """:func:`choose_job` through the runner: one row per candidate and fold (a failure raises)."""
    from .runner import Job, one_row_per_entry, run_checked

    job = Job(dataset.name, "none", 0.0, "NoisyLabelSelector", args.seed)
    options = {"path": os.path.abspath(args.data), "target": args.target, "candidates": args.candidates,
               "scoring": args.scoring, "cv": args.cv, "n_jobs": args.n_jobs}
    table = run_checked(choose_job, [job], options=options, progress=progress, desc="choose")
    if table["warnings"].iloc[0]:
        print(f"choose: warnings raised while fitting: {table['warnings'].iloc[0]}", file=sys.stderr)
    return one_row_per_entry(table)


def fold_table(results, order):
    """Per candidate, in ``order``: its fold scores ``{"corrected": array, "noisy": array}`` and fit time."""
    out = {}
    for name in order:
        rows = results["candidate"] == name
        out[name] = {
            "corrected": np.asarray(results["corrected_score"][rows], dtype=float),
            "noisy": np.asarray(results["noisy_score"][rows], dtype=float),
            "fit_time": float(np.sum(results["fit_time"][rows])),
        }
    return out


def sureness(best, runner_up):
    """The gap between two candidates' fold scores, its standard error (paired by fold), and a verdict.

    >>> gap, se, verdict = sureness([0.90, 0.92, 0.91], [0.85, 0.88, 0.86])
    >>> round(gap, 3), round(se, 4), verdict
    (0.047, 0.0033, 'clear: the gap is 14.0 standard errors')
    >>> sureness([0.90, 0.84], [0.85, 0.86])[2]
    'a toss-up: the gap is 0.4 standard errors'
    """
    diff = np.asarray(best, dtype=float) - np.asarray(runner_up, dtype=float)
    gap = float(diff.mean())
    se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else float("nan")
    if not se > 0:
        return gap, se, "no spread over the folds to judge by" if gap == 0 else "clear: the same gap in every fold"
    ratio = gap / se
    if ratio >= 2:
        word = "clear"
    elif ratio >= 1:
        word = "likely"
    else:
        word = "a toss-up"
    return gap, se, f"{word}: the gap is {ratio:.1f} standard errors"


def report(results, dataset, args, elapsed):
    """The Markdown the command prints and writes, from the table of :func:`select`."""
    from .report import markdown_table

    names = list(dict.fromkeys(results["candidate"].tolist()))
    folds = fold_table(results, names)
    key, best = results["scoring"].iloc[0], results["chosen"].iloc[0]
    order = sorted(names, key=lambda n: -folds[n][key].mean())
    rows = [
        [n + (" **(chosen)**" if n == best else ""),
         f"{100 * folds[n]['corrected'].mean():.1f} ± {100 * folds[n]['corrected'].std():.1f}",
         f"{100 * folds[n]['noisy'].mean():.1f} ± {100 * folds[n]['noisy'].std():.1f}",
         f"{folds[n]['fit_time']:.1f}"]
        for n in order
    ]
    n_folds = len(folds[names[0]]["noisy"])
    text = (
        f"## Which method to fit on `{os.path.basename(args.data)}` as its labels are\n\n"
        f"- data: {dataset.description}; labels used as given (no noise injected)\n"
        f"- {n_folds}-fold cross-validation on the file's labels (seed {args.seed}); "
        "*corrected*: accuracy on the labels corrected for the noise that confident learning "
        "estimates from each fold's training rows (an estimate of the accuracy on true labels); "
        "*plain*: accuracy on the labels as given; mean ± std over folds, in %\n\n"
    )
    text += markdown_table(["candidate", "corrected", "plain", "fit time (s, all folds)"], rows,
                           align="lrrr") + "\n\n"
    text += f"**Choice: {best}** (by the {'plain' if key == 'noisy' else key} accuracy"
    if len(order) > 1:
        runner = order[1] if order[0] == best else order[0]
        gap, se, verdict = sureness(folds[best][key], folds[runner][key])
        text += (f"). Runner-up: {runner}, {100 * gap:.1f} points behind "
                 f"(standard error of the fold-paired gap {100 * se:.1f}): {verdict}.\n")
    else:
        text += "; the only candidate).\n"
    fallback = sorted(set(results["fold"][results["corrected_is_noisy"]].tolist()))
    if fallback:
        text += (f"\nThe noise could not be estimated in fold(s) {fallback}: those folds' corrected "
                 "accuracy is the plain one.\n")
    text += (f"\n{best} was refitted on every row. Total time {elapsed:.0f} s.\n")
    return text


def plot(results, path):
    """Corrected accuracy (bars, fold std as error bars) and plain accuracy (markers) per candidate,
    from the table of :func:`select`."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(results["candidate"].tolist()))
    folds = fold_table(results, names)
    best = results["chosen"].iloc[0]
    order = sorted(names, key=lambda n: folds[n][results["scoring"].iloc[0]].mean())
    y = np.arange(len(order))
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(order) + 1.5))
    corrected = [100 * folds[n]["corrected"].mean() for n in order]
    ax.barh(y, corrected, xerr=[100 * folds[n]["corrected"].std() for n in order],
            color=["tab:green" if n == best else "tab:blue" for n in order],
            alpha=0.8, label="corrected accuracy (± fold std)")
    ax.plot([100 * folds[n]["noisy"].mean() for n in order], y, "k|", markersize=14, mew=2,
            label="plain accuracy on the labels as given")
    ax.set_yticks(y, order)
    ax.set_xlabel("cross-validated accuracy (%)")
    ax.set_xlim(max(0, min(corrected) - 15), 100)
    ax.set_title(f"chosen: {best}")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    """Run ``choose``; returns the exit status (0 ok, 2 bad input)."""
    from .report import OutputNotWritable, check_writable

    args, dataset = parse_settings(sys.argv[1:] if argv is None else argv)
    try:
        check_writable(args.output)
    except OutputNotWritable as exc:
        print(f"python -m benchmarks choose: error: {exc}", file=sys.stderr)
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    print(f"choose: {len(args.candidates)} candidates x {args.cv} folds on {dataset.description}",
          file=sys.stderr, flush=True)
    start = time.perf_counter()
    results = select(args, dataset)
    text = report(results, dataset, args, time.perf_counter() - start)
    print(text)
    stem = os.path.join(args.output, f"{NAME}-{dataset.name}")
    with open(stem + ".md", "w") as f:
        f.write(text)
    plot(results, stem + ".png")
    print(f"wrote {stem}.md and .png", file=sys.stderr)
    return 0
