"""Test-suite configuration.

BLAS libraries start one thread per core by default; on a small machine running two pytest
workers that oversubscribes the cores and slows small dense linear algebra by orders of
magnitude, so the suite pins them to one thread before numpy is imported.
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from hypothesis import settings  # noqa: E402  (after the thread pins, which must come first)

# The property-based tests run a fixed set of examples by default, so that a run (and CI's
# verdict) does not depend on the draw; ``HYPOTHESIS_PROFILE=explore`` draws new ones.
settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.register_profile("explore", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))
