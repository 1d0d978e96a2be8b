"""Extra synthetic tuning shapes for the noise-estimate benchmark (tuning data, never held out).

The shapes issue 34 asks the estimate to be right on and that the tuning
data (:data:`benchmarks.tuning.TUNING_DATASETS` and ``CHECK_DATASETS``)
lacks at the size the corrected-accuracy check needs (at least 1,000
validation rows): a weak-model shape (the best model under 70% clean
accuracy), 32 classes with 4,000 rows, and imbalanced classes at 15:1 with
3,000 rows. Made with :func:`sklearn.datasets.make_classification`
(``random_state=7``, as the tuning data).

>>> sorted(ESTIMATE_DATASETS)
['imbalanced_big', 'many32_big', 'weak3']
>>> X, y = load_estimate_shape("weak3")
>>> X.shape, len(set(y.tolist()))
((3000, 10), 3)
"""

from functools import lru_cache

import numpy as np

__all__ = ["ESTIMATE_DATASETS", "load_estimate_shape", "load_any"]


def _synthetic(**params):
    def load():
        from sklearn.datasets import make_classification

        return make_classification(random_state=7, flip_y=0.0, **params)

    return load


ESTIMATE_DATASETS = {
    "weak3": (
        "make_classification: 3,000 x 10 (3 informative), 3 classes, 2 clusters per class, class_sep=0.3",
        _synthetic(n_samples=3000, n_features=10, n_informative=3, n_redundant=2, n_classes=3,
                   n_clusters_per_class=2, class_sep=0.3),
    ),
    "many32_big": (
        "make_classification: 4,000 x 40 (20 informative), 32 classes, class_sep=2",
        _synthetic(n_samples=4000, n_features=40, n_informative=20, n_redundant=10, n_classes=32,
                   n_clusters_per_class=1, class_sep=2.0),
    ),
    "imbalanced_big": (
        "make_classification: 3,000 x 12 (6 informative), 5 classes weighted 0.6/0.2/0.1/0.06/0.04",
        _synthetic(n_samples=3000, n_features=12, n_informative=6, n_redundant=2, n_classes=5,
                   n_clusters_per_class=1, weights=[0.6, 0.2, 0.1, 0.06, 0.04]),
    ),
}


@lru_cache(maxsize=None)
def load_estimate_shape(name):
    """``(X, y)`` of the shape ``name`` (float64 X, read-only arrays)."""
    X, y = ESTIMATE_DATASETS[name][1]()
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def load_any(name):
    """``(X, y)`` of a tuning, check or estimate shape by name."""
    if name in ESTIMATE_DATASETS:
        return load_estimate_shape(name)
    from .tuning import load_tuning

    return load_tuning(name)
