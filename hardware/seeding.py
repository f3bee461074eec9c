"""Independent, reproducible shot noise for every job of a seeded simulator estimator.

Aer's ``EstimatorV2`` and the runtime's local testing mode take one ``seed_simulator`` and
restart their generator from it on every job. A seeded training run would then see the same
shot noise at every step: a fixed bias in every gradient instead of noise that averages out.
:class:`JobSeededEstimator` gives each job its own seed, derived from the run's seed and a key:
the training step when the caller announces it with :meth:`~JobSeededEstimator.reseed` (so a
resumed run repeats the interrupted run's noise exactly), a running job count otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from qiskit.primitives import BaseEstimatorV2
from qiskit.primitives.containers.estimator_pub import EstimatorPubLike

__all__ = ["JobSeededEstimator", "derived_seed"]

# the two kinds of key get separate seed streams
_STEP_STREAM = 1
_COUNT_STREAM = 2


def derived_seed(seed: int, *key: int) -> int:
    """A non-zero 31-bit seed derived from a seed and a key (the runtime ignores seed 0).

    Args:
        seed: The run's seed (>= 0).
        key: Integers that tell the jobs apart.

    Returns:
        The derived seed, in ``[1, 2^31)``.
    """
    state = np.random.SeedSequence([seed, *key]).generate_state(1)[0]
    return int(state % (2**31 - 1)) + 1


class JobSeededEstimator(BaseEstimatorV2):
    """A seeded simulator estimator whose every job draws its own noise.

    Args:
        inner: The simulator estimator.
        seed: The run's seed.
        apply_seed: Sets the simulator seed of ``inner`` for the next job.

    Other attributes (``options`` ...) are those of ``inner``.
    """

    def __init__(
        self, inner: BaseEstimatorV2, seed: int, apply_seed: Callable[[int], None]
    ) -> None:
        self.inner = inner
        self.seed = int(seed)
        self._apply_seed = apply_seed
        self._step: int | None = None
        self._jobs = 0

    def reseed(self, step: int) -> None:
        """Key the next job by a training step (its noise then depends on the step only).

        Args:
            step: The step.
        """
        self._step = int(step)

    def run(self, pubs: Iterable[EstimatorPubLike], *, precision: float | None = None) -> Any:
        """Run the PUBs on the inner estimator with this job's seed.

        Args:
            pubs: The PUBs.
            precision: The target precision.

        Returns:
            The inner estimator's job.
        """
        if self._step is not None:
            seed = derived_seed(self.seed, _STEP_STREAM, self._step)
            self._step = None
        else:
            seed = derived_seed(self.seed, _COUNT_STREAM, self._jobs)
            self._jobs += 1
        self._apply_seed(seed)
        return self.inner.run(pubs, precision=precision)

    def __getattr__(self, name: str) -> Any:
        if name == "inner":  # not set yet (during unpickling): avoid recursion
            raise AttributeError(name)
        return getattr(self.inner, name)
