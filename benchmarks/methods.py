"""The methods the benchmark compares: a registry of seeded estimator factories.

``METHODS[name](seed)`` returns a fresh, unfitted estimator whose randomness is
fixed by ``seed``. Every skrobust estimator and cleanlab's ``CleanLearning``
is built with its defaults, as a user would first try it. Imports happen
inside the factories, so a method whose module (or optional dependency such as
TensorFlow) is missing is reported by :func:`check_available` instead of
breaking the whole benchmark. Adding a method is one :class:`Method` entry.

>>> METHODS["random_forest"](seed=3)
RandomForestClassifier(random_state=3)
"""

import contextlib
import os
import sys
import tempfile
from dataclasses import dataclass
from typing import Callable

__all__ = ["METHODS", "Method", "MethodUnavailable", "check_available", "import_tensorflow_quietly", "stderr_captured"]


@dataclass(frozen=True)
class Method:
    """A named method: ``method(seed)`` builds its estimator.

    ``kind`` is ``"baseline"`` (plain scikit-learn), ``"skrobust"`` or
    ``"peer"`` (another library's noise-handling method). ``in_sweep=False``
    keeps a method out of the sweep's default methods (a row of the seed
    suite only).
    """

    name: str
    label: str
    kind: str
    description: str
    build: Callable
    in_sweep: bool = True

    def __call__(self, seed):
        return self.build(seed)


def _random_forest(seed):
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(random_state=seed)


def _logistic_regression(seed):
    from sklearn.linear_model import LogisticRegression

    # lbfgs is deterministic: the seed has nothing to fix
    return LogisticRegression(max_iter=1000)


def _mlp(seed):
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(random_state=seed)


@contextlib.contextmanager
def stderr_captured():
    """Send this process's file descriptor 2 (C++ code writes there too) to a temporary file."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def import_tensorflow_quietly():
    """Import TensorFlow once per process without its start-up lines; one thread per job.

    TensorFlow 2.21 writes its oneDNN, CUDA-probing and absl lines to file
    descriptor 2 before its logging is set up, so ``TF_CPP_MIN_LOG_LEVEL``
    cannot remove them; they are captured and dropped here, once per worker.
    An import error is still raised. TensorFlow gets one thread, as every
    other library does in a job (jobs run one per core).
    """
    if "tensorflow" in sys.modules:
        return
    with stderr_captured():
        import tensorflow as tf

        tf.config.list_physical_devices()  # CUDA probing logs when first asked
        try:
            tf.config.threading.set_intra_op_parallelism_threads(1)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:  # TensorFlow already running in this process
            pass


def _mae(seed):
    import_tensorflow_quietly()
    from skrobust import MAEClassifier

    return MAEClassifier(random_state=seed)


def _mae_article(seed):
    import_tensorflow_quietly()
    from skrobust import MAEClassifier

    # The seed article's own network and training: Dense 16-16 (relu), MAE
    # loss, Adam at Keras's default 0.001, 20 epochs of batches of 16.
    return MAEClassifier((16, 16), loss="mae", learning_rate=0.001, epochs=20, batch_size=16,
                         random_state=seed)


def _coteaching(seed):
    from skrobust import CoTeachingClassifier

    return CoTeachingClassifier(random_state=seed)


def _clean_first(seed):
    from skrobust import CleanFirstRelabeler

    return CleanFirstRelabeler(random_state=seed)


def _cleanlab(seed):
    from ._cleanlab import CleanLearningClassifier

    # n_jobs=1: a job runs on one core (cleanlab would start a process pool per fit)
    return CleanLearningClassifier(seed=seed, find_label_issues_kwargs={"n_jobs": 1})


METHODS = {
    m.name: m
    for m in [
        Method("random_forest", "RandomForest", "baseline",
               "RandomForestClassifier(random_state=seed)", _random_forest),
        Method("logistic_regression", "LogisticRegression", "baseline",
               "LogisticRegression(max_iter=1000)", _logistic_regression),
        Method("mlp", "MLP", "baseline", "MLPClassifier(random_state=seed)", _mlp),
        Method("mae", "skrobust MAEClassifier", "skrobust",
               "skrobust.MAEClassifier(random_state=seed)", _mae),
        Method("mae_article", "skrobust MAEClassifier, the article's network (16-16, MAE, 20 epochs)",
               "skrobust",
               "skrobust.MAEClassifier((16, 16), loss='mae', learning_rate=0.001, epochs=20, "
               "batch_size=16, random_state=seed)", _mae_article, in_sweep=False),
        Method("coteaching", "skrobust CoTeachingClassifier", "skrobust",
               "skrobust.CoTeachingClassifier(random_state=seed)", _coteaching),
        Method("clean_first", "skrobust CleanFirstRelabeler", "skrobust",
               "skrobust.CleanFirstRelabeler(random_state=seed)", _clean_first),
        Method("cleanlab", "cleanlab CleanLearning", "peer",
               "cleanlab.classification.CleanLearning(seed=seed, find_label_issues_kwargs={'n_jobs': 1}) "
               "(labels coded 0..K-1 for it, predictions decoded; plus classes_)", _cleanlab),
    ]
}


class MethodUnavailable(RuntimeError):
    """A requested method cannot be built here (missing module or dependency)."""


def check_available(names):
    """Build each method once; raise :class:`MethodUnavailable` naming every failure."""
    problems = unavailable_methods(names)
    if problems:
        lines = "\n".join(f"  - {name}: {reason}" for name, reason in problems.items())
        raise MethodUnavailable(
            f"{len(problems)} method(s) cannot be built here:\n{lines}\n"
            "Install what is missing (e.g. pip install \".[bench,keras]\"), choose other methods "
            "with --methods, or pass --skip-unavailable to run the others and list these as skipped."
        )


def unavailable_methods(names):
    """``{name: reason}`` for each method in ``names`` that cannot be built."""
    problems = {}
    for name in names:
        try:
            METHODS[name](0)
        except ImportError as exc:  # ModuleNotFoundError included
            problems[name] = f"{METHODS[name].description} needs a module that is missing ({exc})"
    return problems
