"""Exact ground energies of small Hamiltonians (one implementation for the whole package)."""

from __future__ import annotations

import numpy as np
from qiskit.quantum_info import SparsePauliOp
from scipy.sparse.linalg import eigsh

from qsympass.validation import as_hamiltonian

#: Below this Hilbert-space dimension a dense eigensolver is cheaper than Lanczos.
DENSE_DIMENSION_LIMIT = 64


def ground_energy(hamiltonian: SparsePauliOp, max_qubits: int = 20) -> float:
    """The smallest eigenvalue of a Hamiltonian (dense below 64 dimensions, else ``eigsh``).

    Args:
        hamiltonian: A Hermitian Pauli sum.
        max_qubits: The widest Hamiltonian to diagonalise.

    Returns:
        The ground-state energy.

    Raises:
        ValueError: If the Hamiltonian is not a finite Hermitian Pauli sum or is wider than
            ``max_qubits``.
    """
    hamiltonian = as_hamiltonian(hamiltonian)
    n = hamiltonian.num_qubits
    if n > max_qubits:
        raise ValueError(
            f"exact ground energy needs at most {max_qubits} qubits, the hamiltonian has {n}; "
            "pass ground_energy explicitly"
        )
    matrix = hamiltonian.to_matrix(sparse=True)
    if matrix.shape[0] < DENSE_DIMENSION_LIMIT:
        return float(np.linalg.eigvalsh(matrix.toarray())[0])
    # A random start vector: a symmetric one (e.g. all ones) would confine Lanczos to one sector.
    start = np.random.default_rng(1234).standard_normal(matrix.shape[0])
    values = eigsh(matrix, k=1, which="SA", v0=start, return_eigenvectors=False)
    return float(np.min(values))
