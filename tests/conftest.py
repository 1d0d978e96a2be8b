import os

import pytest

# Plots (doctests, displays, benchmark reports) render off-screen, without importing matplotlib here.
os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_collection_modifyitems(config, items):
    # Everything that trains a Keras network is slow: MAEClassifier's doctests
    # and its scikit-learn estimator checks (its own test modules mark themselves).
    for item in items:
        if item.nodeid.startswith(("skrobust/neural.py", "skrobust/losses.py")) or (
            "MAEClassifier" in item.nodeid
        ):
            item.add_marker(pytest.mark.slow)
