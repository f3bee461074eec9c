"""Empirical tangent kernels, their drift, and the frozen-kernel prediction (DESIGN §7, §4).

Supervised QNN: ``K_ij = Σ_l ∂_l ŷ_i ∂_l ŷ_j`` over the training set; gradient descent on
``½‖r‖²`` moves the residuals by ``r ← r − η K r`` to first order, so a kernel that stayed at
``K(0)`` would give ``r_pred(t) = (I − η K(0))^t r(0)``. Ground-state loss: the scalar kernel
``K = Σ_j (∂ℓ/∂θ_j)²`` and its normalised form ``K/ε`` with ``ε = ℓ − E0``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qsympass.dynamics.sources import EnergyGradientSource, GradientSource

__all__ = [
    "FrozenKernelPrediction",
    "GroundStateKernel",
    "KernelSnapshot",
    "empirical_tangent_kernel",
    "frozen_kernel_prediction",
    "ground_state_kernel",
    "kernel_drift",
    "tangent_kernel",
]


@dataclass(frozen=True)
class KernelSnapshot:
    """The model's outputs, Jacobian and tangent kernel at one parameter point.

    Attributes:
        outputs: ``ŷ``, shape (m,).
        jacobian: ``∂ŷ_i/∂θ_l``, shape (m, p).
        kernel: ``K = J Jᵀ``, shape (m, m).
    """

    outputs: np.ndarray
    jacobian: np.ndarray
    kernel: np.ndarray


@dataclass(frozen=True)
class GroundStateKernel:
    """Scalar tangent kernel of a ground-state loss.

    Attributes:
        kernel: ``K = Σ_j (∂ℓ/∂θ_j)²``.
        loss: ``ℓ(θ)``.
        residual: ``ε = ℓ − E0`` (NaN when no ground energy was given).
        normalized: ``K / ε`` (NaN without E0, ``inf`` at ε = 0 with K > 0).
    """

    kernel: float
    loss: float
    residual: float
    normalized: float


@dataclass(frozen=True)
class FrozenKernelPrediction:
    """Residuals of kernel regression with a kernel frozen at its initial value.

    Attributes:
        steps: Shape (T + 1,), the steps 0 … T.
        residuals: Shape (T + 1, m), ``(I − η K(0))^t r(0)``.
        losses: Shape (T + 1,), ``½ ‖r_pred(t)‖²``.
    """

    steps: np.ndarray
    residuals: np.ndarray
    losses: np.ndarray


def tangent_kernel(jacobian: np.ndarray) -> np.ndarray:
    """``K = J Jᵀ`` for a Jacobian of shape (m, p).

    Args:
        jacobian: ``∂ŷ_i/∂θ_l``, real, shape (m, p).

    Returns:
        The symmetric positive-semidefinite kernel, shape (m, m).

    Raises:
        ValueError: If the Jacobian is not a finite real 2-D array.
    """
    array = np.asarray(jacobian)
    if array.ndim != 2 or np.iscomplexobj(array) or not np.all(np.isfinite(array)):
        raise ValueError(f"jacobian must be a finite real (m, p) array, got shape {array.shape}")
    kernel = array @ array.T
    return 0.5 * (kernel + kernel.T)


def empirical_tangent_kernel(source: GradientSource, params: np.ndarray) -> KernelSnapshot:
    """Outputs, Jacobian and tangent kernel of a supervised model at ``params``.

    Args:
        source: Any :class:`~qsympass.dynamics.sources.GradientSource`.
        params: Parameter vector, shape (p,).

    Returns:
        The :class:`KernelSnapshot`.
    """
    outputs, jacobian = source.outputs_and_jacobian(np.asarray(params, dtype=float))
    return KernelSnapshot(np.asarray(outputs), np.asarray(jacobian), tangent_kernel(jacobian))


def ground_state_kernel(
    source: EnergyGradientSource, params: np.ndarray, ground_energy: float | None = None
) -> GroundStateKernel:
    """Scalar tangent kernel ``K = ‖∇ℓ‖²`` of a ground-state loss and ``K/ε``.

    Args:
        source: Anything with ``energy_and_gradient`` (an ``ExactEngine``, or
            :class:`~qsympass.dynamics.sources.ParameterShiftEnergy`).
        params: Parameter vector, shape (p,).
        ground_energy: ``E0``; without it the residual and ``K/ε`` are NaN.

    Returns:
        The :class:`GroundStateKernel`.

    Raises:
        ValueError: If ``params`` is not 1-D or the loss lies below ``E0`` by more than 1e-8.
    """
    values = np.asarray(params, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"params must be a 1-D array, got shape {values.shape}")
    energy, gradient = source.energy_and_gradient(values)
    loss = float(np.asarray(energy).reshape(()))
    kernel = float(np.sum(np.asarray(gradient, dtype=float) ** 2))
    if ground_energy is None:
        return GroundStateKernel(kernel, loss, math.nan, math.nan)
    residual = loss - float(ground_energy)
    if residual < -1e-8:
        raise ValueError(
            f"loss {loss:.12g} lies below the ground energy {ground_energy:.12g}; wrong E0?"
        )
    residual = max(residual, 0.0)
    normalized = kernel / residual if residual > 0 else (math.inf if kernel > 0 else math.nan)
    return GroundStateKernel(kernel, loss, residual, normalized)


def kernel_drift(kernel: np.ndarray, reference: np.ndarray) -> float:
    """Relative kernel drift ``‖K − K_ref‖_F / ‖K_ref‖_F``.

    Args:
        kernel: ``K(t)``, shape (m, m).
        reference: ``K(0)``, same shape, not zero.

    Returns:
        The relative Frobenius distance.

    Raises:
        ValueError: If the shapes differ or the reference kernel vanishes.
    """
    current, initial = np.asarray(kernel), np.asarray(reference)
    if current.shape != initial.shape:
        raise ValueError(f"kernel shapes differ: {current.shape} vs {initial.shape}")
    scale = float(np.linalg.norm(initial))
    if scale == 0.0:
        raise ValueError("the reference kernel is zero; its relative drift is undefined")
    return float(np.linalg.norm(current - initial)) / scale


def frozen_kernel_prediction(
    kernel: np.ndarray, residuals: np.ndarray, learning_rate: float, steps: int
) -> FrozenKernelPrediction:
    """Kernel-regression prediction ``r_pred(t) = (I − η K(0))^t r(0)``, ``t = 0 … steps``.

    Computed in the eigenbasis of ``K(0)`` so that long horizons cost nothing.

    Args:
        kernel: ``K(0)``, symmetric, shape (m, m).
        residuals: ``r(0) = ŷ(0) − y``, shape (m,).
        learning_rate: Gradient-descent step η > 0.
        steps: Horizon T >= 0.

    Returns:
        The :class:`FrozenKernelPrediction`.

    Raises:
        ValueError: On mismatched shapes, η <= 0 or T < 0.
    """
    matrix = np.asarray(kernel, dtype=float)
    r0 = np.asarray(residuals, dtype=float)
    if matrix.ndim != 2 or matrix.shape != (r0.size, r0.size) or r0.ndim != 1:
        raise ValueError(
            f"kernel must be (m, m) and residuals (m,), got {matrix.shape} and {r0.shape}"
        )
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    eigvals, eigvecs = np.linalg.eigh(0.5 * (matrix + matrix.T))
    factors = 1.0 - learning_rate * eigvals
    t = np.arange(steps + 1)
    coefficients = (eigvecs.T @ r0)[None, :] * factors[None, :] ** t[:, None]
    predicted = coefficients @ eigvecs.T
    return FrozenKernelPrediction(t, predicted, 0.5 * np.sum(predicted**2, axis=1))
