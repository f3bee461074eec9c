"""Test-suite configuration.

BLAS libraries start one thread per core by default; on a small machine running two pytest
workers that oversubscribes the cores and slows small dense linear algebra by orders of
magnitude, so the suite pins them to one thread before numpy is imported.
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
