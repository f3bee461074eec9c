"""A training callback that records the normalised ground-state kernel ``K/ε`` along a run.

For the ground-state loss ``ℓ(θ) = ⟨ψ0|U(θ)† H U(θ)|ψ0⟩`` the tangent kernel is the scalar
``K = Σ_j (∂ℓ/∂θ_j)²`` and one gradient step of size η lowers ``ε = ℓ − E0`` by about ``η K``
(DESIGN §4), so ``K/ε`` is the rate that the EQNTK predicts at initialisation. The training loop
already hands every callback the gradient it computed, so recording ``K/ε`` costs one dot
product per recorded step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from qsympass.dynamics.monitor import load_series, series_state

__all__ = ["GroundStateMonitor", "normalized_kernel"]

#: How far below ``E0`` a loss may lie (rounding) before ``E0`` is taken to be wrong.
_BELOW_GROUND_TOLERANCE = 1e-8


def normalized_kernel(kernel: float, residual: float) -> float:
    """``K/ε``: ``inf`` at ``ε = 0`` with ``K > 0``, NaN when both vanish.

    Args:
        kernel: ``K = ‖∇ℓ‖²``.
        residual: ``ε = ℓ − E0`` (non-negative).

    Returns:
        The normalised kernel.
    """
    if residual > 0:
        return kernel / residual
    return math.inf if kernel > 0 else math.nan


class GroundStateMonitor:
    """Callback for :func:`qsympass.training.train`: ``K``, ``ε`` and ``K/ε`` every k steps.

    Use it with :func:`qsympass.ground_state.train_ground_state` (``callbacks=[monitor]``); it
    reads the loss and gradient that the loop passes and evaluates nothing itself.

    Args:
        ground_energy: The exact ground-state energy ``E0``.
        every: Record at steps ``0, k, 2k, …``.

    Raises:
        ValueError: If ``every < 1`` or ``ground_energy`` is not finite.
    """

    def __init__(self, ground_energy: float, *, every: int = 1) -> None:
        if every < 1:
            raise ValueError(f"every must be >= 1, got {every}")
        if not math.isfinite(ground_energy):
            raise ValueError(f"ground_energy must be finite, got {ground_energy}")
        self.ground_energy = float(ground_energy)
        self.every = every
        self._steps: list[int] = []
        self._kernels: list[float] = []
        self._residuals: list[float] = []

    # -- the Callback protocol ---------------------------------------------------------------
    def on_step(
        self,
        step: int,
        params: np.ndarray,
        loss: float,
        grad: np.ndarray,
        extras: Mapping[str, float],
    ) -> str | None:
        """Record ``K = ‖grad‖²`` and ``ε = loss − E0`` when ``step`` is a multiple of k.

        Raises:
            ValueError: If the loss lies below ``E0`` by more than rounding (a wrong ``E0``).
        """
        if step % self.every != 0:
            return None
        residual = float(loss) - self.ground_energy
        if residual < -_BELOW_GROUND_TOLERANCE * max(1.0, abs(self.ground_energy)):
            raise ValueError(
                f"loss {loss:.12g} lies below the ground energy {self.ground_energy:.12g} "
                f"at step {step}; wrong E0?"
            )
        gradient = np.asarray(grad, dtype=float)
        self._steps.append(int(step))
        self._kernels.append(float(gradient @ gradient))
        self._residuals.append(max(residual, 0.0))
        return None

    def state_dict(self) -> dict[str, Any]:
        """Everything recorded so far, for checkpoints."""
        return series_state(
            {"steps": self._steps, "kernels": self._kernels, "residuals": self._residuals}
        )

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved.

        Raises:
            ValueError: If the state is malformed.
        """
        series = load_series(
            state,
            {"steps": int, "kernels": float, "residuals": float},
            aligned=(("steps", "kernels", "residuals"),),
            owner="GroundStateMonitor",
        )
        self._steps, self._kernels, self._residuals = (
            series["steps"], series["kernels"], series["residuals"]
        )

    # -- results -----------------------------------------------------------------------------
    @property
    def steps(self) -> np.ndarray:
        """The recorded steps."""
        return np.array(self._steps, dtype=int)

    @property
    def kernels(self) -> np.ndarray:
        """``K = Σ_j (∂ℓ/∂θ_j)²`` at the recorded steps."""
        return np.array(self._kernels, dtype=float)

    @property
    def residuals(self) -> np.ndarray:
        """``ε = ℓ − E0`` at the recorded steps (rounding below zero clipped to 0)."""
        return np.array(self._residuals, dtype=float)

    @property
    def normalized(self) -> np.ndarray:
        """``K/ε`` at the recorded steps (see :func:`normalized_kernel`)."""
        return np.array(
            [normalized_kernel(k, r) for k, r in zip(self._kernels, self._residuals, strict=True)],
            dtype=float,
        )
