"""Every ```python block of README.md runs as written (each block is self-contained).

``python tests/test_readme.py`` runs the blocks in ``docs/``, which rewrites
the figures the README shows (``docs/robustness_curve.png``) from the
README's own code.
"""

import re
import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = re.findall(r"^```python\n(.*?)^```$", (ROOT / "README.md").read_text(encoding="utf-8"),
                    flags=re.M | re.S)
# Blocks that train a Keras network (TensorFlow) or run many cross-validated fits take
# more than a few seconds: marked slow, as the other such tests are.
SLOW = ("MAEClassifier", "GridSearchCV", "NoisyLabelSelector")


def run_block(code, folder):
    """Run one README block as a script in ``folder``; its figures are closed afterwards."""
    path = Path(folder) / "readme_block.py"
    path.write_text(code, encoding="utf-8")
    try:
        runpy.run_path(str(path), run_name="__main__")
    finally:
        path.unlink()
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


def _params():
    for i, code in enumerate(BLOCKS):
        if 'savefig("robustness_curve.png"' in code:
            continue  # run by tests/test_inspection.py, which also checks the figure's numbers
        first = code.strip().splitlines()[0]
        marks = [pytest.mark.slow] if any(name in code for name in SLOW) else []
        yield pytest.param(code, id=f"block{i + 1}-{first[:30]}", marks=marks)


def test_readme_has_the_tour_blocks():
    assert len(BLOCKS) >= 4
    assert any("NoiseRobustnessDisplay.from_estimators" in code for code in BLOCKS)


@pytest.mark.parametrize("code", list(_params()))
def test_readme_python_block_runs(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # files a block writes land here
    run_block(code, tmp_path)


if __name__ == "__main__":
    import os

    os.environ.setdefault("MPLBACKEND", "Agg")
    os.chdir(ROOT / "docs")
    for block in BLOCKS:
        run_block(block, ".")
