"""cleanlab's ``CleanLearning`` with the ``classes_`` attribute scikit-learn expects.

cleanlab 2.9's ``CleanLearning`` does not set ``classes_`` after ``fit``, so a
``Pipeline`` (whose ``classes_`` is its last step's) or a skrobust
meta-estimator around it fails. This subclass adds only that attribute,
taken from the fitted inner classifier; everything else is cleanlab's.
"""

from cleanlab.classification import CleanLearning


class CleanLearningClassifier(CleanLearning):
    """``CleanLearning`` plus ``classes_`` (from the fitted ``clf``)."""

    def fit(self, X, labels=None, **kwargs):
        super().fit(X, labels, **kwargs)
        self.classes_ = self.clf.classes_
        return self
