import pytest


def pytest_collection_modifyitems(config, items):
    # MAEClassifier's doctests train a Keras network: slow, like its tests.
    for item in items:
        if item.nodeid.startswith(("skrobust/neural.py", "skrobust/losses.py")):
            item.add_marker(pytest.mark.slow)
