"""skrobust's benchmarks: ``python -m benchmarks SUITE`` (``seed`` or ``sweep``).

Not part of the installed package; run from the repository root. The method
registry is :data:`benchmarks.methods.METHODS`.
"""
