"""Datasets and noise models of the benchmark.

The article's data, split and label flips are copied from the project's
``shared/tools/article_task.py`` (which is not part of the package), so the
``seed`` suite reproduces the article's experiment exactly: with noise seed 42
and ``RandomForestClassifier(random_state=42)`` it gives the article's 93.00%
(clean) and 86.00% (noisy).
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine, make_classification
from sklearn.model_selection import train_test_split

__all__ = [
    "DATASETS",
    "NOISE_TYPES",
    "Dataset",
    "article_data",
    "article_flip",
    "class_conditional_matrix",
    "load_dataset",
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


def _large():
    return make_classification(
        n_samples=50_000,
        n_features=20,
        n_informative=10,
        n_redundant=5,
        n_classes=5,
        flip_y=0.0,
        random_state=0,
    )


def _sklearn_loader(load):
    def loader():
        return load(return_X_y=True)

    return loader


@dataclass(frozen=True)
class Dataset:
    """A named dataset of the sweep; ``loader()`` returns ``(X, y)``."""

    name: str
    description: str
    loader: Callable
    n_classes: int


DATASETS = {
    d.name: d
    for d in [
        Dataset(
            "article",
            "the article's make_classification: 1,000 x 2, 2 classes, random_state=42",
            _article_xy,
            2,
        ),
        Dataset("breast_cancer", "load_breast_cancer: 569 x 30, 2 classes", _sklearn_loader(load_breast_cancer), 2),
        Dataset("wine", "load_wine: 178 x 13, 3 classes", _sklearn_loader(load_wine), 3),
        Dataset("digits", "load_digits: 1,797 x 64, 10 classes", _sklearn_loader(load_digits), 10),
        Dataset(
            "large",
            "make_classification: 50,000 x 20 (10 informative, 5 redundant), 5 classes, "
            "flip_y=0, random_state=0",
            _large,
            5,
        ),
    ]
}


@lru_cache(maxsize=None)
def load_dataset(name):
    """``(X, y)`` of the dataset ``name``, cached per process (read-only arrays)."""
    X, y = DATASETS[name].loader()
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


# noise type -> one-line description (the Markdown report prints these)
NOISE_TYPES = {
    "symmetric": "a flipped label goes to any other class with equal probability",
    "pair": "a flipped label goes to the next class (k -> k+1 mod K)",
    "class_conditional": (
        "per-class flip rates spread evenly from 0.5x to 1.5x the nominal rate "
        "(first to last class, mean = the nominal rate); a flipped label goes to any "
        "other class with equal probability"
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


def noise_parameters(noise_type, rate, n_classes):
    """Keyword arguments of ``LabelNoiseInjector`` for one noise setting."""
    if noise_type == "class_conditional":
        return {"noise_rate": rate, "transition_matrix": class_conditional_matrix(n_classes, rate)}
    return {"noise_rate": rate, "noise_type": noise_type}
