"""Time reversal: complex conjugation ``K`` in the computational basis."""

from __future__ import annotations

import numpy as np
from qiskit.quantum_info import SparsePauliOp

from qsympass.symmetry.pauli_actions import PauliDict, SparsePauli


def is_real_operator(op: SparsePauliOp, atol: float = 1e-10) -> bool:
    """Whether ``op`` equals its complex conjugate in the computational basis (``K op K = op``).

    ``K P K = (-1)^{#Y} P`` for a Pauli string ``P``, so ``op* = op`` iff every term with an even
    number of ``Y`` has a real coefficient and every term with an odd number has an imaginary
    one (after merging duplicate strings). For a Hermitian ``op`` this reads: no term with an odd
    number of ``Y`` survives.

    Args:
        op: Any Pauli-sum operator.
        atol: Tolerance on the offending coefficient parts, relative to the largest coefficient.

    Returns:
        True iff ``op`` is real in the computational basis.
    """
    merged = op.simplify(atol=0.0)
    num_y = np.count_nonzero(merged.paulis.x & merged.paulis.z, axis=1)
    coeffs = np.asarray(merged.coeffs)
    offending = np.where(num_y % 2 == 0, coeffs.imag, coeffs.real)
    scale = float(np.max(np.abs(coeffs))) if coeffs.size else 0.0
    return bool(np.all(np.abs(offending) <= atol * (scale or 1.0)))


def conjugate_terms(terms: PauliDict) -> PauliDict:
    """The Pauli coefficients of ``K A K = A*``, from those of ``A``.

    ``K P K = (-1)^{#Y} P`` for a Pauli string ``P``, so each coefficient is conjugated and
    picks up the sign of its string's number of ``Y``.

    Args:
        terms: sparse Pauli strings and their coefficients.

    Returns:
        The same strings with the coefficients of the complex-conjugate operator.
    """
    return {key: _conjugate_coeff(key, coeff) for key, coeff in terms.items()}


def _conjugate_coeff(key: SparsePauli, coeff: complex) -> complex:
    num_y = sum(1 for _, letter in key if letter == "Y")
    return coeff.conjugate() * (-1) ** num_y
