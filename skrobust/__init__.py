"""skrobust: learning with noisy labels, the scikit-learn way.

Simulate label noise on clean data, train classifiers that resist it, and
compare methods fairly inside ``Pipeline``, ``GridSearchCV`` and
``cross_validate``.

Every public name is loaded on first use, so ``import skrobust`` stays light:
TensorFlow is imported only when :class:`MAEClassifier` is, and cleanlab only
when confident learning is used.
"""

import importlib

__version__ = "0.1.0"

# public name -> submodule that defines it
_PUBLIC = {
    "noise_transition_matrix": "noise",
    "make_noisy_labels": "noise",
    "LabelNoiseInjector": "injector",
    "MAEClassifier": "neural",
    "CoTeachingClassifier": "coteaching",
    "CleanFirstRelabeler": "relabel",
    "NoisyLabelSelector": "selection",
    "out_of_fold_proba": "detection",
    "find_label_issues": "detection",
    "estimate_noise_rate": "detection",
    "noise_corrected_accuracy": "metrics",
    "noise_corrected_confusion_matrix": "metrics",
    "make_noise_corrected_scorer": "metrics",
    "estimate_transition_matrix": "detection",
    "NoiseRobustnessDisplay": "inspection",
    "noise_robustness_curve": "inspection",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name):
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__():
    return sorted(__all__)
