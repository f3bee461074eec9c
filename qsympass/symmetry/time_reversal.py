"""Time reversal: complex conjugation ``K`` in the computational basis."""

from __future__ import annotations

import numpy as np
from qiskit.quantum_info import SparsePauliOp


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
