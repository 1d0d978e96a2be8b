"""Datasets and noise models of the benchmark: a registry, plus the user's own file.

:data:`DATASETS` maps a name to a :class:`Dataset`; adding a data set is one
entry. It is the one registry of every suite: the sweep's data sets, the
tuning data the defaults are chosen on, and the check and estimate shapes
(:func:`datasets_in` names a group). :func:`file_dataset` makes one from a CSV or Parquet file and a target
column (``python -m benchmarks sweep --data FILE --target COLUMN``).

The article's task lives here exactly: its data and split
(:func:`article_data`), its label flips (:func:`article_flip`) and its score
(:func:`article_task_score`). With noise seed 42 and
``RandomForestClassifier(random_state=42)`` it gives the article's 93.00%
(clean) and 86.00% (noisy).
"""

import os
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Callable

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine, make_classification
from sklearn.model_selection import train_test_split

__all__ = [
    "DATASETS",
    "NOISE_TYPES",
    "BadDataFile",
    "Dataset",
    "article_data",
    "article_flip",
    "article_task_score",
    "class_conditional_matrix",
    "datasets_in",
    "default_datasets",
    "file_dataset",
    "noise_parameters",
]


def _article_xy():
    return make_classification(
        n_samples=1000,
        n_features=2,
        n_informative=2,
        n_redundant=0,
        n_clusters_per_class=1,
        random_state=42,
    )


def article_data():
    """The article's train/test split: ``X_train, X_test, y_train, y_test``."""
    X, y = _article_xy()
    return train_test_split(X, y, test_size=0.2, random_state=42)


def article_flip(y, seed, rate=0.2):
    """The article's noise: exactly ``int(rate * len(y))`` binary labels flipped.

    The flipped positions are drawn with ``RandomState(seed).choice``; seed 42
    is the article's own run. ``y`` is not modified.
    """
    rng = np.random.RandomState(seed)
    idx = rng.choice(len(y), int(len(y) * rate), replace=False)
    y_noisy = y.copy()
    y_noisy[idx] = 1 - y_noisy[idx]
    return y_noisy


def article_task_score(make_estimator, seeds=range(10), rate=0.2):
    """The article's task: mean, std and list of clean-test accuracies over noise seeds.

    ``make_estimator(seed)`` returns an unfitted estimator; it is fitted on the
    training labels flipped by :func:`article_flip` with that seed.

    >>> from sklearn.ensemble import RandomForestClassifier
    >>> article_task_score(lambda seed: RandomForestClassifier(random_state=42), seeds=[42])
    (0.86, 0.0, [0.86])
    """
    X_train, X_test, y_train, y_test = article_data()
    accs = []
    for seed in seeds:
        est = make_estimator(seed)
        est.fit(X_train, article_flip(y_train, seed, rate))
        accs.append(float(np.mean(est.predict(X_test) == y_test)))
    return float(np.mean(accs)), float(np.std(accs)), accs


def _synthetic(**params):
    """``make_classification(random_state=7, flip_y=0, **params)`` as a loader."""
    return partial(make_classification, random_state=7, flip_y=0.0, **params)


def _shape(name, description, groups, **params):
    """A synthetic :class:`Dataset` of :func:`_synthetic` ``(**params)``; its class count from the params."""
    return Dataset(name, description, _synthetic(**params), params.get("n_classes", 2), groups=groups)


def _sklearn_loader(load):
    return partial(load, return_X_y=True)


def _scaler():
    from sklearn.preprocessing import StandardScaler

    return StandardScaler()


@dataclass(frozen=True)
class Dataset:
    """A named data set: ``loader()`` returns ``(X, y)``.

    ``preprocessor()`` builds the unfitted transformer a user would put in
    front of every method (fitted inside each training fold). ``groups`` says
    which suites use it: ``"sweep"`` (the sweep without ``--datasets``; its
    tables are reported), ``"tuning"`` (the data defaults are chosen on),
    ``"check"`` (shapes added to the tuning data to check that a default
    generalises; tuning data too) and ``"estimate"`` (the noise-estimate
    benchmark's larger shapes; tuning data too). A data set in no group is
    opt-in (``--datasets large``).
    """

    name: str
    description: str
    loader: Callable
    n_classes: int
    preprocessor: Callable = _scaler
    groups: tuple = ("sweep",)

    def load(self):
        """``(X, y)``, cached per process; NumPy arrays are read-only."""
        return _load(self.loader)


@lru_cache(maxsize=None)
def _load(loader):
    X, y = loader()
    if isinstance(X, np.ndarray):
        X = np.asarray(X, dtype=np.float64)
        X.setflags(write=False)
    y = np.asarray(y)
    y.setflags(write=False)
    return X, y


DATASETS = {
    d.name: d
    for d in [
        # the sweep's data sets (reported with seeds 0-4); three are tuning data too (seeds 100+)
        Dataset("article", "the article's make_classification: 1,000 x 2, 2 classes, random_state=42",
                _article_xy, 2),
        Dataset("breast_cancer", "load_breast_cancer: 569 x 30, 2 classes",
                _sklearn_loader(load_breast_cancer), 2, groups=("sweep", "tuning")),
        Dataset("wine", "load_wine: 178 x 13, 3 classes", _sklearn_loader(load_wine), 3,
                groups=("sweep", "tuning")),
        Dataset("digits", "load_digits: 1,797 x 64, 10 classes", _sklearn_loader(load_digits), 10,
                groups=("sweep", "tuning")),
        Dataset("large", "make_classification: 50,000 x 20 (10 informative, 5 redundant), 5 classes, "
                "flip_y=0, random_state=0 (opt-in: --datasets large)",
                partial(make_classification, n_samples=50_000, n_features=20, n_informative=10,
                        n_redundant=5, n_classes=5, flip_y=0.0, random_state=0),
                5, groups=()),
        # bench_scoring's set with >= 1,000 validation rows in each of its 2 folds (tuning data)
        _shape("synthetic_3000", "make_classification: 3,000 x 20 (8 informative), 3 classes, flip_y=0", (),
               n_samples=3000, n_features=20, n_informative=8, n_redundant=4, n_classes=3),
        # the tuning data: scikit-learn's bundled sets and synthetic shapes (random_state=7)
        Dataset("iris", "load_iris: 150 x 4, 3 classes", _sklearn_loader(load_iris), 3, groups=("tuning",)),
        _shape("binary_hard", "make_classification: 1,000 x 10 (4 informative), 2 classes, "
               "2 clusters per class, flip_y=0", ("tuning",),
               n_samples=1000, n_features=10, n_informative=4, n_redundant=2, n_clusters_per_class=2,
               class_sep=0.8),
        _shape("many_classes", "make_classification: 2,000 x 20 (12 informative), 15 classes, flip_y=0",
               ("tuning",), n_samples=2000, n_features=20, n_informative=12, n_redundant=4, n_classes=15,
               n_clusters_per_class=1),
        _shape("many_features", "make_classification: 600 x 200 (20 informative), 4 classes, flip_y=0",
               ("tuning",), n_samples=600, n_features=200, n_informative=20, n_redundant=10, n_classes=4),
        _shape("imbalanced", "make_classification: 1,500 x 12 (6 informative), 4 classes weighted "
               "0.55/0.25/0.15/0.05, flip_y=0", ("tuning",),
               n_samples=1500, n_features=12, n_informative=6, n_redundant=2, n_classes=4,
               weights=[0.55, 0.25, 0.15, 0.05]),
        # check shapes, modelled on held-out failures (tuning data: defaults were chosen on them too)
        _shape("small6", "make_classification: 214 x 9 (6 informative), 6 classes weighted "
               "0.33/0.35/0.08/0.06/0.04/0.14", ("check",),
               n_samples=214, n_features=9, n_informative=6, n_redundant=1, n_classes=6, n_clusters_per_class=1,
               weights=[0.33, 0.35, 0.08, 0.06, 0.04, 0.14], class_sep=1.0),
        _shape("binary7", "make_classification: 532 x 7 (3 informative), 2 classes weighted "
               "0.67/0.33, 2 clusters per class, class_sep=0.6", ("check",),
               n_samples=532, n_features=7, n_informative=3, n_redundant=2, n_clusters_per_class=2,
               weights=[0.67, 0.33], class_sep=0.6),
        _shape("signal10", "make_classification: 4,000 x 40 (8 informative), 10 classes, "
               "2 clusters per class, class_sep=0.8", ("check",),
               n_samples=4000, n_features=40, n_informative=8, n_redundant=12, n_classes=10,
               n_clusters_per_class=2, class_sep=0.8),
        _shape("leaf32", "make_classification: 1,907 x 80 (30 informative), 32 classes, class_sep=3",
               ("check",), n_samples=1907, n_features=80, n_informative=30, n_redundant=20, n_classes=32,
               n_clusters_per_class=1, class_sep=3.0),
        # the noise estimate's shapes: a weak model, 32 classes and 15:1 imbalance at >= 1,000
        # validation rows (tuning data)
        _shape("weak3", "make_classification: 3,000 x 10 (3 informative), 3 classes, "
               "2 clusters per class, class_sep=0.3", ("estimate",),
               n_samples=3000, n_features=10, n_informative=3, n_redundant=2, n_classes=3,
               n_clusters_per_class=2, class_sep=0.3),
        _shape("many32_big", "make_classification: 4,000 x 40 (20 informative), 32 classes, class_sep=2",
               ("estimate",), n_samples=4000, n_features=40, n_informative=20, n_redundant=10, n_classes=32,
               n_clusters_per_class=1, class_sep=2.0),
        _shape("imbalanced_big", "make_classification: 3,000 x 12 (6 informative), 5 classes weighted "
               "0.6/0.2/0.1/0.06/0.04", ("estimate",),
               n_samples=3000, n_features=12, n_informative=6, n_redundant=2, n_classes=5,
               n_clusters_per_class=1, weights=[0.6, 0.2, 0.1, 0.06, 0.04]),
    ]
}


def datasets_in(group):
    """The names of the registered data sets in ``group`` (``"sweep"``, ``"tuning"``, ...), in order.

    >>> datasets_in("check")
    ['small6', 'binary7', 'signal10', 'leaf32']
    """
    return [name for name, d in DATASETS.items() if group in d.groups]


def default_datasets():
    """The names the sweep runs when no ``--datasets`` is given."""
    return datasets_in("sweep")


# ------------------------------------------------------------------ the user's own file


class BadDataFile(ValueError):
    """The ``--data`` file cannot be used: missing, unreadable, or a bad target."""


_READERS = {".csv": "read_csv", ".parquet": "read_parquet", ".pq": "read_parquet"}


def _read_table(path, target):
    """``(X, y)`` of a CSV or Parquet file: ``X`` the DataFrame of every other column."""
    import pandas as pd

    extension = os.path.splitext(path)[1].lower()
    if extension not in _READERS:
        raise BadDataFile(
            f"--data {path!r}: unknown file format {extension or '(no extension)'!r}; "
            "expected a .csv or .parquet file"
        )
    try:
        frame = getattr(pd, _READERS[extension])(path)
    except FileNotFoundError:
        raise BadDataFile(f"--data {path!r}: no such file") from None
    except Exception as exc:  # the readers raise many kinds for a corrupt or foreign file
        raise BadDataFile(
            f"--data {path!r}: cannot be read as {extension[1:].upper()} "
            f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
        ) from exc
    if target not in frame.columns:
        raise BadDataFile(
            f"--target {target!r}: no such column in {path!r}; its columns are "
            + ", ".join(map(repr, frame.columns[:20])) + (" ..." if len(frame.columns) > 20 else "")
        )
    y = frame[target]
    if y.isna().any():
        raise BadDataFile(
            f"--target {target!r}: {int(y.isna().sum())} rows of {path!r} have no label; "
            "drop or label them first"
        )
    if y.nunique() < 2:
        raise BadDataFile(
            f"--target {target!r}: needs at least two classes, but every row of {path!r} has "
            f"the label {y.iloc[0]!r}" if len(y) else f"--data {path!r}: the file has no rows"
        )
    X = frame.drop(columns=[target])
    if X.shape[1] == 0:
        raise BadDataFile(f"--data {path!r}: no feature columns besides the target {target!r}")
    return X, y.to_numpy()


def _table_preprocessor(numeric, categorical):
    """Impute and scale the numeric columns, impute and one-hot encode the others."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    return ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), list(numeric)),
        ("categorical", make_pipeline(
            SimpleImputer(strategy="most_frequent"),
            OneHotEncoder(handle_unknown="ignore", sparse_output=False)), list(categorical)),
    ])


@lru_cache(maxsize=None)
def file_dataset(path, target):
    """A :class:`Dataset` of a CSV or Parquet file and its ``target`` column.

    Numeric columns are imputed (median) and standardised; every other column
    (strings, categories, booleans) is imputed (most frequent) and one-hot
    encoded, inside each training fold. Raises :class:`BadDataFile` with
    the reason when the file cannot be used.
    """
    X, y = _read_table(path, target)
    numeric = tuple(X.select_dtypes(include="number").columns)
    categorical = tuple(c for c in X.columns if c not in numeric)
    classes = np.unique(y.astype(str))
    description = (
        f"{os.path.basename(path)}: {X.shape[0]:,} x {X.shape[1]} ({len(numeric)} numeric, "
        f"{len(categorical)} categorical columns), target {target!r}, {len(classes)} classes"
    )
    return Dataset(
        name=os.path.splitext(os.path.basename(path))[0],
        description=description,
        loader=partial(_read_table, path, target),
        n_classes=len(classes),
        preprocessor=partial(_table_preprocessor, numeric, categorical),
    )


# noise type -> one-line description (the Markdown report prints these)
NOISE_TYPES = {
    "symmetric": "a flipped label goes to any other class with equal probability",
    "pair": "a flipped label goes to the next class (k -> k+1 mod K)",
    "class_conditional": (
        "per-class flip rates spread evenly from 0.5x to 1.5x the nominal rate "
        "(first to last class, mean = the nominal rate); a flipped label goes to any "
        "other class with equal probability"
    ),
    "instance": (
        "instance-dependent (`instance_method=\"boundary\"`): the samples an out-of-fold "
        "LogisticRegression (behind the dataset's preprocessing) finds hardest flip, to the "
        "classes it confuses them with"
    ),
}


def class_conditional_matrix(n_classes, rate):
    """Row-stochastic K x K matrix with class-dependent flip rates.

    Row ``k`` keeps its label with probability ``1 - r_k`` where ``r_k`` runs
    linearly from ``0.5 * rate`` (first class) to ``1.5 * rate`` (last class),
    and spreads ``r_k`` evenly over the other classes.

    >>> class_conditional_matrix(2, 0.2).round(2)
    array([[0.9, 0.1],
           [0.3, 0.7]])
    """
    if n_classes < 2:
        return np.ones((1, 1))
    rates = rate * (0.5 + np.arange(n_classes) / (n_classes - 1))
    matrix = np.repeat((rates / (n_classes - 1))[:, None], n_classes, axis=1)
    np.fill_diagonal(matrix, 1 - rates)
    return matrix


def noise_parameters(noise_type, rate, dataset):
    """Keyword arguments of ``LabelNoiseInjector`` for one noise setting of a :class:`Dataset`."""
    if noise_type == "class_conditional":
        return {"noise_rate": rate,
                "transition_matrix": class_conditional_matrix(dataset.n_classes, rate)}
    if noise_type == "instance":  # the noise model sees X as the methods do
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        return {"noise_rate": rate, "noise_type": "instance",
                "noise_estimator": make_pipeline(dataset.preprocessor(),
                                                 LogisticRegression(max_iter=1000))}
    return {"noise_rate": rate, "noise_type": noise_type}
