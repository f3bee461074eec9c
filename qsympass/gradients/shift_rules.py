"""Parameter-shift rules of rotation gates, derived from the spectrum of their generators.

A gate ``exp(-i a G / 2)`` makes every expectation value a trigonometric polynomial in ``a``
whose frequencies are the positive half-differences of the eigenvalues of ``G``. For one
frequency ω (``G`` with two distinct eigenvalues, e.g. a Pauli string: ω = 1)
``E'(a) = ω [E(a + π/2ω) − E(a − π/2ω)] / 2``. For several frequencies we use the general rule
of Wierichs et al. (Quantum 6, 677 (2022)): with shifts ``x_μ``
``E'(a) = Σ_μ c_μ [E(a + x_μ) − E(a − x_μ)]``. Commensurate frequencies are padded to the
equidistant set ``ω0·{1..R}`` whose shifts ``x_μ = (2μ − 1)π / (2Rω0)`` are optimal; CRX, CRY,
CRZ and XX±YY then get the known four-term rule (shifts π/2 and 3π/2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from qiskit.quantum_info import SparsePauliOp

__all__ = ["ShiftRule", "shift_rule"]

_ATOL = 1e-9
#: Largest number of equidistant frequencies a rule may use before we give up.
MAX_FREQUENCIES = 16
#: Widest generator whose spectrum is computed densely.
MAX_GENERATOR_QUBITS = 12


@dataclass(frozen=True)
class ShiftRule:
    """``dE/da = Σ_μ coefficients[μ] · (E(a + shifts[μ]) − E(a − shifts[μ]))``.

    Attributes:
        shifts: Positive angle shifts ``x_μ``.
        coefficients: The weights ``c_μ``.
    """

    shifts: tuple[float, ...]
    coefficients: tuple[float, ...]

    @property
    def num_evaluations(self) -> int:
        """Number of shifted evaluations the rule needs (two per shift)."""
        return 2 * len(self.shifts)


def _frequencies(generator: SparsePauliOp) -> np.ndarray:
    if generator.num_qubits > MAX_GENERATOR_QUBITS:
        raise ValueError(
            f"generator on {generator.num_qubits} qubits is too wide to derive a shift rule "
            f"(at most {MAX_GENERATOR_QUBITS})"
        )
    eigenvalues = np.linalg.eigvalsh(generator.to_matrix())
    differences = np.abs(eigenvalues[:, None] - eigenvalues[None, :]).ravel() / 2.0
    differences = np.sort(differences[differences > _ATOL])
    if differences.size == 0:
        return differences
    # Merge numerically equal frequencies.
    keep = np.concatenate([[True], np.diff(differences) > _ATOL])
    return differences[keep]


def _equidistant(frequencies: np.ndarray) -> tuple[float, int] | None:
    base = float(frequencies[0])
    ratios = frequencies / base
    if np.allclose(ratios, np.round(ratios), atol=1e-8):
        count = round(float(ratios[-1]))
        if count <= MAX_FREQUENCIES:
            return base, count
    # Try a common base that divides every frequency (e.g. {2, 3} -> base 1).
    for divisor in range(2, MAX_FREQUENCIES + 1):
        candidate = base / divisor
        ratios = frequencies / candidate
        if np.allclose(ratios, np.round(ratios), atol=1e-8):
            count = round(float(ratios[-1]))
            return (candidate, count) if count <= MAX_FREQUENCIES else None
    return None


def _solve(frequencies: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    # odd part: (E(a+x) − E(a−x))/2 = Σ_k D_k sin(ω_k x), and E'(a) = Σ_k ω_k D_k.
    matrix = np.sin(np.outer(shifts, frequencies))
    if np.linalg.cond(matrix) > 1e8:
        raise ValueError(
            f"no well-conditioned parameter-shift rule for frequencies {frequencies.tolist()}; "
            "decompose the gate into Pauli rotations (to_rotation_basis / transpile)"
        )
    half_weights = np.linalg.solve(matrix.T, frequencies)
    return half_weights / 2.0


def shift_rule(generator: SparsePauliOp) -> ShiftRule:
    """The parameter-shift rule of the gate ``exp(-i a G / 2)``.

    Args:
        generator: The Hermitian generator ``G`` (local to the gate's qubits).

    Returns:
        The rule; empty when ``G`` is a multiple of the identity (the angle has no effect).

    Raises:
        ValueError: If the spectrum has too many incommensurate frequencies for a stable rule.
    """
    frequencies = _frequencies(generator)
    if frequencies.size == 0:
        return ShiftRule((), ())
    grid = _equidistant(frequencies)
    if grid is not None:
        base, count = grid
        frequencies = base * np.arange(1, count + 1)
        shifts = (2 * np.arange(1, count + 1) - 1) * np.pi / (2 * count * base)
    else:
        if frequencies.size > MAX_FREQUENCIES:
            raise ValueError(
                f"generator has {frequencies.size} distinct frequencies; decompose the gate "
                "into Pauli rotations first"
            )
        count = frequencies.size
        shifts = (2 * np.arange(1, count + 1) - 1) * np.pi / (2 * count * frequencies[-1])
    coefficients = _solve(frequencies, shifts)
    return ShiftRule(tuple(float(x) for x in shifts), tuple(float(c) for c in coefficients))
