"""``python -m benchmarks SUITE [options]``; ``python -m benchmarks --help`` lists everything."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
