"""The supervised QNN loss ``½‖ŷ(θ) − y‖²`` as a training objective with a Jacobian cache."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from qsympass.dynamics.kernel import KernelSnapshot, tangent_kernel
from qsympass.dynamics.sources import GradientSource

__all__ = ["SupervisedObjective"]


class SupervisedObjective:
    """``params -> (½‖r‖², Jᵀ r, extras)`` with ``r = ŷ(θ) − y``, for ``qsympass.training.train``.

    The last evaluation is cached, so a :class:`~qsympass.dynamics.monitor.TrainingMonitor` that
    asks for the kernel at the parameters just evaluated costs no extra circuit evaluation.

    Args:
        source: Outputs and Jacobian of the model over the training set.
        labels: Targets y, shape (m,).

    Raises:
        ValueError: If the labels are empty, not 1-D or not finite.
    """

    def __init__(self, source: GradientSource, labels: np.ndarray) -> None:
        targets = np.asarray(labels, dtype=float)
        if targets.ndim != 1 or targets.size == 0 or not np.all(np.isfinite(targets)):
            raise ValueError(f"labels must be a non-empty finite 1-D array, got {targets!r}")
        self.source = source
        self.labels = targets
        self._cache: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def num_parameters(self) -> int:
        """Number of trainable parameters p."""
        return self.source.num_parameters

    def outputs_and_jacobian(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(ŷ, J)`` at ``params``, from the cache when ``params`` was the last point evaluated.

        Raises:
            ValueError: If the source returns shapes that do not match the labels.
        """
        values = np.asarray(params, dtype=float)
        if self._cache is not None and np.array_equal(self._cache[0], values):
            return self._cache[1], self._cache[2]
        outputs, jacobian = self.source.outputs_and_jacobian(values)
        outputs = np.asarray(outputs, dtype=float)
        jacobian = np.asarray(jacobian, dtype=float)
        if outputs.shape != self.labels.shape or jacobian.shape != (self.labels.size, values.size):
            raise ValueError(
                f"source returned outputs {outputs.shape} and Jacobian {jacobian.shape}; expected "
                f"{self.labels.shape} and {(self.labels.size, values.size)}"
            )
        self._cache = (values.copy(), outputs, jacobian)
        return outputs, jacobian

    def snapshot(self, params: np.ndarray) -> KernelSnapshot:
        """Outputs, Jacobian and tangent kernel at ``params``."""
        outputs, jacobian = self.outputs_and_jacobian(params)
        return KernelSnapshot(outputs, jacobian, tangent_kernel(jacobian))

    def __call__(self, params: np.ndarray) -> tuple[float, np.ndarray, Mapping[str, float]]:
        """Loss ``½‖r‖²``, gradient ``Jᵀ r`` and extras (``max_abs_residual``)."""
        outputs, jacobian = self.outputs_and_jacobian(params)
        residuals = outputs - self.labels
        loss = 0.5 * float(residuals @ residuals)
        return loss, residuals @ jacobian, {"max_abs_residual": float(np.abs(residuals).max())}
