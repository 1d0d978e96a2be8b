"""cleanlab's ``CleanLearning`` as a scikit-learn classifier of any labels.

cleanlab 2.9's ``CleanLearning`` takes only the labels ``0, ..., K - 1``
(``"Labels cannot be strings, they must be zero-indexed integers"``) and does
not set ``classes_`` after ``fit``, so a user's file with a string target, a
``Pipeline`` (whose ``classes_`` is its last step's) or a skrobust
meta-estimator around it fails. This subclass codes the labels as their
positions in ``classes_`` (the sorted labels) for cleanlab, and turns the
predictions back into labels; everything else is cleanlab's.

>>> import numpy as np
>>> from sklearn.linear_model import LogisticRegression
>>> X = np.r_[np.zeros((20, 1)), np.ones((20, 1))] + np.linspace(0, 0.2, 40)[:, None]
>>> y = np.array(["no"] * 20 + ["yes"] * 20)
>>> model = CleanLearningClassifier(LogisticRegression(), seed=0).fit(X, y)
>>> model.classes_.tolist(), model.predict([[0.0], [1.1]]).tolist(), model.score(X, y)
(['no', 'yes'], ['no', 'yes'], 1.0)
"""

import numpy as np
from cleanlab.classification import CleanLearning


class CleanLearningClassifier(CleanLearning):
    """``CleanLearning`` on labels of any kind, with ``classes_``.

    ``fit`` gives cleanlab the position of each label in ``classes_`` (the
    sorted unique labels); ``predict`` returns labels, ``predict_proba``
    one column per class of ``classes_``, ``score`` the accuracy. The label
    issues cleanlab records (``label_issues_df``) hold the positions.
    """

    def fit(self, X, labels=None, **kwargs):
        y = kwargs.pop("y", None)
        if labels is None:
            labels = y
        elif y is not None:
            raise ValueError("give the labels once: as labels or as y, not both")
        if labels is None:
            raise ValueError("CleanLearningClassifier.fit needs the labels (labels or y)")
        classes, codes = np.unique(np.asarray(labels), return_inverse=True)
        super().fit(X, codes.reshape(-1), **kwargs)
        self.classes_ = classes
        return self

    def predict(self, *args, **kwargs):
        return self.classes_[np.asarray(super().predict(*args, **kwargs), dtype=np.intp)]

    def score(self, X, y, sample_weight=None):
        from sklearn.metrics import accuracy_score

        return accuracy_score(y, self.predict(X), sample_weight=sample_weight)
