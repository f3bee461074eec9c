"""Convergence-type test: power law (sublinear) or exponential (linear) decay of the loss.

Over the late phase of a run the loss is fitted twice by least squares: ``log L`` against
``log t`` (a power law ``L ∝ t^α``; α ≈ −2 for Pauli measurements with ±1 labels, DESIGN §7) and
``log L`` against ``t`` (an exponential ``L ∝ e^{−κ t}``). The better fit decides. The spectrum-edge
check says in advance which to expect: labels at the measurement's extreme eigenvalues force the
kernel to vanish as the outputs approach them, hence sublinear convergence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from qiskit.quantum_info import SparsePauliOp

from qsympass.validation import as_sparse_pauli_op, require_hermitian

__all__ = [
    "ConvergenceReport",
    "SpectrumEdgeReport",
    "classify_convergence",
    "spectrum_edge_labels",
]

#: Loss values at or below this are treated as converged to machine precision and not fitted.
DEFAULT_FLOOR = 1e-24


@dataclass(frozen=True)
class ConvergenceReport:
    """Outcome of :func:`classify_convergence`.

    Attributes:
        verdict: ``"sublinear"`` (power law fits better) or ``"exponential"``.
        exponent: Fitted power-law exponent α (slope of log L vs log t).
        rate: Fitted exponential rate κ per step (``L ∝ e^{−κ t}``; positive for a decay).
        r2_power_law: R² of the log–log fit.
        r2_exponential: R² of the semi-log fit.
        confidence: ``1 − (1 − R²_winner) / (1 − R²_loser)`` in [0, 1]: 0 when both fit equally
            well, near 1 when the winner explains almost all the variance the loser misses.
        window: ``(first, last)`` step of the fitted late phase (inclusive).
        num_points: Number of fitted points.
    """

    verdict: Literal["sublinear", "exponential"]
    exponent: float
    rate: float
    r2_power_law: float
    r2_exponential: float
    confidence: float
    window: tuple[int, int]
    num_points: int


@dataclass(frozen=True)
class SpectrumEdgeReport:
    """Where the labels sit relative to the measurement's spectrum.

    Attributes:
        min_eigenvalue: Smallest eigenvalue of M.
        max_eigenvalue: Largest eigenvalue of M.
        at_edge: Per label, whether it equals an extreme eigenvalue (within ``atol``).
        outside: Per label, whether it lies outside ``[λ_min, λ_max]`` (unreachable).
        sublinear_expected: Any label at an edge (and none outside): the kernel must vanish at
            the fit, so convergence is at most sublinear.
    """

    min_eigenvalue: float
    max_eigenvalue: float
    at_edge: np.ndarray
    outside: np.ndarray
    sublinear_expected: bool


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares slope and R² of ``y ≈ a x + b``."""
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (slope * x + intercept)
    total = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum(residual**2)) / total if total > 0 else 1.0
    return float(slope), r2


def classify_convergence(
    losses: np.ndarray,
    steps: np.ndarray | None = None,
    *,
    late_fraction: float = 0.5,
    floor: float = DEFAULT_FLOOR,
    min_points: int = 5,
) -> ConvergenceReport:
    """Decide whether a loss curve decays like a power law or exponentially.

    The usable curve is the prefix before the loss first reaches ``floor`` (after that only
    round-off is left); the late phase is its last ``late_fraction`` (in steps).

    Args:
        losses: Loss per recorded step, positive.
        steps: The steps of ``losses`` (default ``0, 1, …``); must increase.
        late_fraction: Fraction of the usable steps, counted from the end, that is fitted.
        floor: Loss values at or below this end the usable curve.
        min_points: Minimal number of points in the late phase.

    Returns:
        The :class:`ConvergenceReport`.

    Raises:
        ValueError: On mismatched or non-finite input, a fraction outside (0, 1], or fewer than
            ``min_points`` usable late points.
    """
    loss = np.asarray(losses, dtype=float)
    t = np.arange(loss.size, dtype=float) if steps is None else np.asarray(steps, dtype=float)
    if loss.ndim != 1 or t.shape != loss.shape:
        raise ValueError(
            f"losses and steps must be 1-D of equal length, got {loss.shape} and {t.shape}"
        )
    if not (np.all(np.isfinite(loss)) and np.all(np.isfinite(t))):
        raise ValueError("losses or steps contain NaN or infinite entries")
    if np.any(np.diff(t) <= 0):
        raise ValueError("steps must be strictly increasing")
    if not 0 < late_fraction <= 1:
        raise ValueError(f"late_fraction must lie in (0, 1], got {late_fraction}")
    below = np.flatnonzero(loss <= floor)
    usable = loss.size if below.size == 0 else int(below[0])
    if usable == 0:
        raise ValueError(f"the loss starts at or below the floor {floor:g}; nothing to fit")
    start_step = t[0] + (1.0 - late_fraction) * (t[usable - 1] - t[0])
    late = (t >= start_step) & (np.arange(loss.size) < usable) & (t > 0)
    if int(late.sum()) < min_points:
        raise ValueError(
            f"only {int(late.sum())} loss values above the floor {floor:g} in the late phase "
            f"(need {min_points}); record more steps or lower the floor"
        )
    log_loss = np.log(loss[late])
    exponent, r2_power = _fit(np.log(t[late]), log_loss)
    slope, r2_exp = _fit(t[late], log_loss)
    sublinear = r2_power >= r2_exp
    winner, loser = (r2_power, r2_exp) if sublinear else (r2_exp, r2_power)
    confidence = 0.0 if loser >= 1.0 else max(0.0, 1.0 - (1.0 - winner) / (1.0 - loser))
    late_steps = t[late]
    return ConvergenceReport(
        verdict="sublinear" if sublinear else "exponential",
        exponent=exponent,
        rate=-slope,
        r2_power_law=r2_power,
        r2_exponential=r2_exp,
        confidence=confidence,
        window=(int(late_steps[0]), int(late_steps[-1])),
        num_points=int(late.sum()),
    )


def spectrum_edge_labels(
    observable: SparsePauliOp | np.ndarray, labels: np.ndarray, *, atol: float = 1e-9
) -> SpectrumEdgeReport:
    """Flag labels that sit at the measurement's extreme eigenvalues.

    Args:
        observable: Hermitian M (``SparsePauliOp`` or dense matrix).
        labels: Targets y.
        atol: Tolerance for "equal to an extreme eigenvalue".

    Returns:
        The :class:`SpectrumEdgeReport`.

    Raises:
        ValueError: If M is not Hermitian or the labels are empty or not finite.
    """
    if isinstance(observable, np.ndarray):
        matrix = np.asarray(observable, dtype=complex)
        if matrix.ndim != 2 or not np.allclose(matrix, matrix.conj().T, atol=1e-10):
            raise ValueError("observable is not a Hermitian matrix")
        eigenvalues = np.linalg.eigvalsh(matrix)
    else:
        op = as_sparse_pauli_op(observable, "observable")
        require_hermitian(op, "observable")
        eigenvalues = np.linalg.eigvalsh(op.to_matrix())
    y = np.asarray(labels, dtype=float).reshape(-1)
    if y.size == 0 or not np.all(np.isfinite(y)):
        raise ValueError("labels must be a non-empty array of finite numbers")
    low, high = float(eigenvalues[0]), float(eigenvalues[-1])
    at_edge = (np.abs(y - low) <= atol) | (np.abs(y - high) <= atol)
    outside = (y < low - atol) | (y > high + atol)
    return SpectrumEdgeReport(
        min_eigenvalue=low,
        max_eigenvalue=high,
        at_edge=at_edge,
        outside=outside,
        sublinear_expected=bool(at_edge.any() and not outside.any()),
    )
