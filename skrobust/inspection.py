"""Robustness curves: how each estimator's held-out score falls as label noise rises.

:func:`noise_robustness_curve` cross-validates every estimator under every
noise setting, with the noise injected into the training folds only
(:class:`~skrobust.LabelNoiseInjector` inside ``cross_validate``), and returns
a tidy table; :class:`NoiseRobustnessDisplay` plots it in the shape of
scikit-learn's ``ValidationCurveDisplay``. matplotlib is imported only to plot.
"""

import time
import traceback
import warnings
from collections import Counter
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import check_cv, cross_validate
from sklearn.utils import check_random_state, indexable
from sklearn.utils.parallel import Parallel, delayed

from ._compat import StrOptions, validate_params
from .injector import LabelNoiseInjector

__all__ = ["NoiseRobustnessDisplay", "noise_robustness_curve"]

# LabelNoiseInjector's parameters that noise_robustness_curve sets itself
_OWN_PARAMS = ("estimator", "noise_rate", "noise_type", "random_state")


@validate_params(
    {
        "estimators": [dict],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "noise_rates": ["array-like"],
        "noise_type": [str, list, tuple],
        "noise_params": [dict, None],
        "cv": ["cv_object"],
        "scoring": [str, callable, None],
        "groups": ["array-like", None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "error_score": [StrOptions({"raise"}), Real],
    },
    prefer_skip_nested_validation=False,  # the estimators validate their own parameters
)
def noise_robustness_curve(
    estimators,
    X,
    y,
    *,
    noise_rates=(0.0, 0.1, 0.2, 0.3, 0.4),
    noise_type="symmetric",
    noise_params=None,
    cv=5,
    scoring=None,
    groups=None,
    n_jobs=None,
    random_state=None,
    error_score=np.nan,
):
    """Cross-validated score of each estimator at each label-noise rate.

    Every estimator is cross-validated as ``LabelNoiseInjector(estimator,
    noise_rate=rate, noise_type=noise_type, **noise_params)``: the labels of
    the training folds are corrupted, the test folds are scored against the
    labels given. Every estimator sees the same folds and, at a given rate
    and fold, the same noisy labels, so the curves differ only by the method.

    Parameters
    ----------
    estimators : dict of str -> estimator object
        The classifiers to compare, by the name shown in the table and the
        legend. Each is cloned for every fit.

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The data, passed unchanged to the estimators (a DataFrame stays one).

    y : array-like of shape (n_samples,)
        The labels, taken as clean: the test folds are scored against them.

    noise_rates : array-like of float in [0, 1), default=(0, 0.1, 0.2, 0.3, 0.4)
        The noise rates of the curve, the fraction of training labels changed.

    noise_type : str or list of str, default="symmetric"
        The noise model(s) of :class:`~skrobust.LabelNoiseInjector` (see
        :func:`~skrobust.noise_transition_matrix`); a list gives one curve per
        estimator and noise type. Rate 0 is one clean experiment, run once and
        reported for every noise type.

    noise_params : dict, default=None
        Further parameters of :class:`~skrobust.LabelNoiseInjector` (for
        example ``transition_matrix``), the same for every noise type.

    cv : int, cross-validation generator or iterable, default=5
        The folds, as in :func:`~sklearn.model_selection.cross_validate` (an
        int means ``StratifiedKFold`` without shuffling). They are split once
        and shared by every estimator and noise setting.

    scoring : str or callable, default=None
        The score of the test folds, as in ``cross_validate``; ``None`` is the
        estimator's ``score`` (accuracy for classifiers).

    groups : array-like of shape (n_samples,), default=None
        Group labels for a group splitter given as ``cv``.

    n_jobs : int, default=None
        Number of fits run in parallel (over estimators, noise settings and
        folds). ``None`` means 1 unless in a joblib ``parallel_config``.

    random_state : int, RandomState instance or None, default=None
        Seeds the noise: an int is every injector's ``random_state``; from a
        RandomState instance (or ``None``) one int is drawn first. The
        estimators keep their own ``random_state``.

    error_score : "raise" or float, default=np.nan
        The score of a fit (or its scoring) that fails, as in
        ``cross_validate``: the other fits go on, and a
        :class:`~sklearn.exceptions.FitFailedWarning` names the estimators
        that failed and why; if every fit fails, a ``ValueError`` does.
        ``"raise"`` raises the first error.

    Returns
    -------
    table : dict of str -> ndarray
        One entry per (estimator, noise type, noise rate, fold): columns
        ``"estimator"``, ``"noise_type"``, ``"noise_rate"``, ``"fold"``,
        ``"test_score"``, ``"fit_time"`` and ``"score_time"`` (seconds), all of
        equal length, ready for ``pandas.DataFrame(table)``.

    See Also
    --------
    NoiseRobustnessDisplay : Plot these curves.
    LabelNoiseInjector : The meta-estimator that corrupts the training labels.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skrobust import noise_robustness_curve
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> table = noise_robustness_curve(
    ...     {"logistic": LogisticRegression()}, X, y,
    ...     noise_rates=[0, 0.3], cv=3, random_state=0)
    >>> sorted(table)
    ['estimator', 'fit_time', 'fold', 'noise_rate', 'noise_type', 'score_time', 'test_score']
    >>> [(str(t), float(r)) for t, r in zip(table["noise_type"], table["noise_rate"])][::3]
    [('symmetric', 0.0), ('symmetric', 0.3)]
    >>> table["test_score"].reshape(2, 3).mean(axis=1).round(2)  # mean over the folds, per rate
    array([0.92, 0.69])
    """
    names, models = _check_estimators(estimators)
    rates = _check_rates(noise_rates)
    noise_types = [noise_type] if isinstance(noise_type, str) else list(noise_type)
    if not noise_types or not all(isinstance(t, str) for t in noise_types):
        raise ValueError(
            "noise_type must be a string or a non-empty list of strings, "
            f"got {noise_type!r}."
        )
    noise_params = dict(noise_params or {})
    taken = sorted(set(noise_params) & set(_OWN_PARAMS))
    if taken:
        raise ValueError(
            f"noise_params may not set {', '.join(taken)}: give the estimators, "
            "noise_rates, noise_type and random_state as their own arguments."
        )
    seed = random_state
    if not isinstance(seed, Integral):
        seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    injectors = {t: LabelNoiseInjector(noise_type=t, random_state=seed) for t in noise_types}
    for injector in injectors.values():
        injector.set_params(**noise_params)._validate_params()  # fail here, not in every fit

    X, y, groups = indexable(X, y, groups)
    splits = list(check_cv(cv, y, classifier=True).split(X, y, groups))
    # rate 0 is the same clean experiment for every noise type: run it once
    settings = [(t, r) for r in rates for t in (noise_types[:1] if r == 0 else noise_types)]
    cells = [
        (i, t, r, k) for i in range(len(models)) for t, r in settings for k in range(len(splits))
    ]
    results = Parallel(n_jobs=n_jobs)(
        delayed(_score_fold)(
            clone(injectors[t]).set_params(estimator=models[i], noise_rate=r),
            X, y, splits[k], scoring, error_score,
        )
        for i, t, r, k in cells
    )
    _report_failures(cells, results, names, error_score)
    by_cell = {cell: result[:3] for cell, result in zip(cells, results)}

    rows = [
        (names[i], t, r, k, *by_cell[i, noise_types[0] if r == 0 else t, r, k])
        for i in range(len(models))
        for t in noise_types
        for r in rates
        for k in range(len(splits))
    ]
    columns = list(zip(*rows))
    return {
        "estimator": np.asarray(columns[0], dtype=object),
        "noise_type": np.asarray(columns[1], dtype=object),
        "noise_rate": np.asarray(columns[2], dtype=float),
        "fold": np.asarray(columns[3], dtype=int),
        "test_score": np.asarray(columns[4], dtype=float),
        "fit_time": np.asarray(columns[5], dtype=float),
        "score_time": np.asarray(columns[6], dtype=float),
    }


def _score_fold(model, X, y, split, scoring, error_score):
    """``(test score, fit time, score time, error)`` of ``model`` on one (train, test) split.

    A fit or scoring that fails gives ``error_score`` and the formatted
    error (unless ``error_score="raise"``); ``error`` is ``None`` otherwise.
    Each fold is its own ``cross_validate``, whose "all fits failed" error
    would stop the whole curve: failures are gathered here instead, and
    reported once by :func:`_report_failures`.
    """
    start = time.perf_counter()
    try:
        result = cross_validate(model, X, y, cv=[split], scoring=scoring, error_score="raise")
    except Exception:
        if error_score == "raise":
            raise
        return float(error_score), time.perf_counter() - start, 0.0, traceback.format_exc()
    return (
        float(result["test_score"][0]),
        float(result["fit_time"][0]),
        float(result["score_time"][0]),
        None,
    )


def _report_failures(cells, results, names, error_score):
    """Warn (some fits failed) or raise (all failed), as ``cross_validate`` does."""
    failed = [(names[cell[0]], result[3]) for cell, result in zip(cells, results)
              if result[3] is not None]
    if not failed:
        return
    per_estimator = Counter(name for name, _ in failed)
    totals = Counter(names[cell[0]] for cell in cells)
    who = ", ".join(f"{name!r} ({n} of its {totals[name]})" for name, n in per_estimator.items())
    delimiter = "-" * 80 + "\n"
    details = "\n".join(
        f"{delimiter}{n} fits failed with the following error:\n{error}"
        for error, n in Counter(error for _, error in failed).items()
    )
    if len(failed) == len(cells):
        raise ValueError(
            f"\nAll the {len(cells)} fits of the robustness curve failed: {who}.\n"
            "You can try to debug the error by setting error_score='raise'.\n\n"
            f"Below are more details about the failures:\n{details}"
        )
    warnings.warn(
        f"\n{len(failed)} fits of the robustness curve failed out of a total of "
        f"{len(cells)}: {who}. Their test_score is set to {error_score}; the other "
        "estimators' curves are complete.\n"
        "If these failures are not expected, you can try to debug them by setting "
        f"error_score='raise'.\n\nBelow are more details about the failures:\n{details}",
        FitFailedWarning,
        stacklevel=3,
    )


def _check_estimators(estimators):
    if not estimators:
        raise ValueError("estimators must be a non-empty dict of name -> estimator.")
    for name, model in estimators.items():
        if not isinstance(name, str):
            raise TypeError(f"estimators must be keyed by str names, got the key {name!r}.")
        if not (hasattr(model, "fit") and hasattr(model, "predict")):
            raise TypeError(
                f"estimators[{name!r}] must be an estimator with fit and predict, got {model!r}."
            )
    return list(estimators), list(estimators.values())


def _check_rates(noise_rates):
    rates = np.asarray(noise_rates, dtype=float).ravel() if len(noise_rates) else np.array([])
    if rates.size == 0 or not np.all((rates >= 0) & (rates < 1)):
        raise ValueError(f"noise_rates must be a non-empty list of numbers in [0, 1), got {noise_rates!r}.")
    return sorted(set(rates.tolist()))


def _score_name(scoring):
    """The y-axis label: ``"Accuracy"`` for ``None``, ``"Balanced accuracy"`` for ``"balanced_accuracy"``."""
    if scoring is None:
        return "Accuracy"
    if isinstance(scoring, str):
        name = scoring.replace("neg_", "negative ").replace("_", " ")
        return name[:1].upper() + name[1:]
    return "Score"


class NoiseRobustnessDisplay:
    """Robustness curves: held-out score against training-label noise rate.

    One line per estimator (and noise type) with its mean over the folds and
    a band of ± one standard deviation. Build it with
    :meth:`from_estimators`, which runs :func:`noise_robustness_curve`, or
    from such a table with :meth:`from_curve`; every parameter is stored as an
    attribute.

    Parameters
    ----------
    noise_rates : ndarray of shape (n_rates,)
        The noise rates, the x-axis.

    test_scores : ndarray of shape (n_estimators, n_noise_types, n_rates, n_folds)
        The score of every test fold.

    estimator_names : list of str
        The estimators' names, the legend.

    noise_types : list of str
        The noise models, one curve per estimator each.

    score_name : str, default=None
        The y-axis label; ``None`` means ``"Score"``.

    fit_times : ndarray of the shape of ``test_scores``, default=None
        Seconds of each fit.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the curves.

    figure_ : matplotlib Figure
        Figure containing the curves.

    lines_ : list of matplotlib Line2D or None
        The mean curves, estimator-major (each estimator's noise types in
        turn); ``None`` with ``std_display_style="errorbar"``.

    fill_between_ : list of matplotlib PolyCollection or None
        The ± std bands, in the order of ``lines_``; ``None`` unless
        ``std_display_style="fill_between"``.

    errorbar_ : list of matplotlib ErrorbarContainer or None
        The curves with error bars with ``std_display_style="errorbar"``,
        else ``None``.

    See Also
    --------
    noise_robustness_curve : Compute the table behind the curves.
    sklearn.model_selection.ValidationCurveDisplay : The display this one is shaped after.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skrobust import NoiseRobustnessDisplay
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> display = NoiseRobustnessDisplay.from_estimators(
    ...     {"logistic": LogisticRegression(),
    ...      "forest": RandomForestClassifier(n_estimators=20, random_state=0)},
    ...     X, y, noise_rates=[0, 0.2, 0.4], cv=3, random_state=0)
    >>> display.test_scores.shape  # estimators, noise types, rates, folds
    (2, 1, 3, 3)
    >>> [line.get_label() for line in display.lines_]
    ['logistic', 'forest']
    >>> plt.close(display.figure_)
    """

    def __init__(
        self,
        *,
        noise_rates,
        test_scores,
        estimator_names,
        noise_types,
        score_name=None,
        fit_times=None,
    ):
        self.noise_rates = noise_rates
        self.test_scores = test_scores
        self.estimator_names = estimator_names
        self.noise_types = noise_types
        self.score_name = score_name
        self.fit_times = fit_times

    def plot(
        self,
        ax=None,
        *,
        score_name=None,
        std_display_style="fill_between",
        line_kw=None,
        fill_between_kw=None,
        errorbar_kw=None,
        percent=None,
    ):
        """Plot the curves.

        Scores that are fractions (accuracy, balanced accuracy, F1, ...) are
        drawn in percent on a y-axis that starts at 0, so that a fall in the
        score is seen at its true size; an estimator whose every fit failed
        (scores NaN) is listed in the legend as ``"(fit failed)"``.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on; ``None`` makes a new figure.

        score_name : str, default=None
            The y-axis label; ``None`` means the display's ``score_name``.

        std_display_style : {"fill_between", "errorbar"} or None, default="fill_between"
            How the standard deviation over the folds is shown; ``None``
            shows the mean curves only.

        line_kw : dict, default=None
            Keyword arguments of ``ax.plot`` for the mean curves.

        fill_between_kw : dict, default=None
            Keyword arguments of ``ax.fill_between`` for the bands.

        errorbar_kw : dict, default=None
            Keyword arguments of ``ax.errorbar``.

        percent : bool, default=None
            Draw the scores times 100, with ``(%)`` after the y-axis label
            and the y-axis from 0. ``None`` means ``True`` when every score
            lies in [0, 1]; ``False`` draws the scores as they are, on an
            axis that matplotlib scales to them.

        Returns
        -------
        display : NoiseRobustnessDisplay
            The display, with ``ax_``, ``figure_`` and the artists set.
        """
        if std_display_style not in ("fill_between", "errorbar", None):
            raise ValueError(
                f"std_display_style must be 'fill_between', 'errorbar' or None, got {std_display_style!r}."
            )
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:  # pragma: no cover - matplotlib is an optional dependency
            raise ImportError(
                f"{type(self).__name__}.plot needs matplotlib: pip install matplotlib"
            ) from exc

        if ax is None:
            _, ax = plt.subplots()
        rates = np.asarray(self.noise_rates, dtype=float)
        scores = np.asarray(self.test_scores, dtype=float)
        known = scores[~np.isnan(scores)]
        if percent is None:
            percent = bool(known.size) and bool(np.all((known >= 0) & (known <= 1)))
        scale = 100.0 if percent else 1.0
        mean, std = scale * scores.mean(axis=-1), scale * scores.std(axis=-1)
        styles = ["-", "--", ":", "-."]
        colors = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])

        self.lines_, self.fill_between_, self.errorbar_ = [], [], []
        for i, name in enumerate(self.estimator_names):
            for j, noise_type in enumerate(self.noise_types):
                label = name if len(self.noise_types) == 1 else f"{name}, {noise_type} noise"
                if np.isnan(scores[i, j]).all():
                    label += " (fit failed)"
                style = {"color": colors[i % len(colors)], "linestyle": styles[j % len(styles)],
                         "marker": "o", "label": label}
                if std_display_style == "errorbar":
                    self.errorbar_.append(ax.errorbar(
                        rates, mean[i, j], std[i, j], **{**style, "capsize": 3, **(errorbar_kw or {})}))
                    continue
                (line,) = ax.plot(rates, mean[i, j], **{**style, **(line_kw or {})})
                self.lines_.append(line)
                if std_display_style == "fill_between":
                    self.fill_between_.append(ax.fill_between(
                        rates, mean[i, j] - std[i, j], mean[i, j] + std[i, j],
                        **{"color": line.get_color(), "alpha": 0.2, **(fill_between_kw or {})}))
        if std_display_style == "errorbar":
            self.lines_ = self.fill_between_ = None
        else:
            self.errorbar_ = None
            if std_display_style is None:
                self.fill_between_ = None

        ax.set_xticks(rates)
        ax.set_xlabel("Noise rate (fraction of training labels changed)")
        ax.set_ylabel((score_name or self.score_name or "Score") + (" (%)" if percent else ""))
        if percent:
            ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_curve(cls, table, *, score_name=None):
        """Build the display from the table of :func:`noise_robustness_curve`.

        Parameters
        ----------
        table : dict of str -> array-like or pandas DataFrame
            The table, with its columns ``estimator``, ``noise_type``,
            ``noise_rate``, ``fold``, ``test_score`` and ``fit_time``; every
            combination present once.

        score_name : str, default=None
            The y-axis label; ``None`` means ``"Score"``.

        Returns
        -------
        display : NoiseRobustnessDisplay
            The display, not yet plotted.
        """
        columns = {k: np.asarray(table[k]) for k in
                   ("estimator", "noise_type", "noise_rate", "fold", "test_score", "fit_time")}
        names = list(dict.fromkeys(columns["estimator"].tolist()))
        types = list(dict.fromkeys(columns["noise_type"].tolist()))
        rates = np.unique(columns["noise_rate"].astype(float))
        folds = np.unique(columns["fold"])
        shape = (len(names), len(types), rates.size, folds.size)
        scores, times = np.full(shape, np.nan), np.full(shape, np.nan)
        index = (
            np.array([names.index(n) for n in columns["estimator"].tolist()]),
            np.array([types.index(t) for t in columns["noise_type"].tolist()]),
            np.searchsorted(rates, columns["noise_rate"].astype(float)),
            np.searchsorted(folds, columns["fold"]),
        )
        if len(set(zip(*(i.tolist() for i in index)))) != len(index[0]) or len(index[0]) != scores.size:
            raise ValueError(
                "table must hold each (estimator, noise_type, noise_rate, fold) exactly once."
            )
        scores[index] = columns["test_score"]
        times[index] = columns["fit_time"]
        return cls(noise_rates=rates, test_scores=scores, estimator_names=names,
                   noise_types=types, score_name=score_name, fit_times=times)

    @classmethod
    def from_estimators(
        cls,
        estimators,
        X,
        y,
        *,
        noise_rates=(0.0, 0.1, 0.2, 0.3, 0.4),
        noise_type="symmetric",
        noise_params=None,
        cv=5,
        scoring=None,
        groups=None,
        n_jobs=None,
        random_state=None,
        error_score=np.nan,
        ax=None,
        score_name=None,
        std_display_style="fill_between",
        line_kw=None,
        fill_between_kw=None,
        errorbar_kw=None,
        percent=None,
    ):
        """Cross-validate the estimators under label noise and plot their curves.

        The parameters up to ``error_score`` are those of
        :func:`noise_robustness_curve`, the rest those of :meth:`plot`; the
        table is :func:`noise_robustness_curve`'s.

        Parameters
        ----------
        estimators : dict of str -> estimator object
            The classifiers to compare, by name.

        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The data.

        y : array-like of shape (n_samples,)
            The labels, taken as clean.

        noise_rates : array-like of float in [0, 1), default=(0, 0.1, 0.2, 0.3, 0.4)
            The noise rates of the curve.

        noise_type : str or list of str, default="symmetric"
            The noise model(s) of :class:`~skrobust.LabelNoiseInjector`.

        noise_params : dict, default=None
            Further parameters of :class:`~skrobust.LabelNoiseInjector`.

        cv : int, cross-validation generator or iterable, default=5
            The folds, shared by every estimator and noise setting.

        scoring : str or callable, default=None
            The score of the clean test folds; ``None``: accuracy.

        groups : array-like of shape (n_samples,), default=None
            Group labels for a group splitter.

        n_jobs : int, default=None
            Number of fits run in parallel.

        random_state : int, RandomState instance or None, default=None
            Seeds the noise.

        error_score : "raise" or float, default=np.nan
            The score of a fit that fails.

        ax : matplotlib Axes, default=None
            Axes to plot on; ``None`` makes a new figure.

        score_name : str, default=None
            The y-axis label; ``None`` derives it from ``scoring``.

        std_display_style : {"fill_between", "errorbar"} or None, default="fill_between"
            How the standard deviation over the folds is shown.

        line_kw, fill_between_kw, errorbar_kw : dict, default=None
            Keyword arguments of the matplotlib calls, as in :meth:`plot`.

        percent : bool, default=None
            Draw the scores in percent on a y-axis from 0, as in :meth:`plot`
            (``None``: when every score lies in [0, 1]).

        Returns
        -------
        display : NoiseRobustnessDisplay
            The plotted display.
        """
        table = noise_robustness_curve(
            estimators, X, y, noise_rates=noise_rates, noise_type=noise_type,
            noise_params=noise_params, cv=cv, scoring=scoring, groups=groups,
            n_jobs=n_jobs, random_state=random_state, error_score=error_score,
        )
        display = cls.from_curve(table, score_name=score_name or _score_name(scoring))
        return display.plot(ax=ax, std_display_style=std_display_style, line_kw=line_kw,
                            fill_between_kw=fill_between_kw, errorbar_kw=errorbar_kw,
                            percent=percent)
