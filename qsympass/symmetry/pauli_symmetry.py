"""Pauli (Z2) symmetries: Pauli strings that commute with every term of a Hamiltonian."""

from __future__ import annotations

import numpy as np
from qiskit.quantum_info import PauliList, SparsePauliOp

from qsympass.symmetry.gf2 import nullspace


def find_pauli_symmetries(hamiltonian: SparsePauliOp) -> PauliList:
    """Independent Pauli strings that commute with every term of ``hamiltonian``.

    A Pauli ``P = (x_P, z_P)`` commutes with a term ``T = (x_T, z_T)`` iff
    ``x_T . z_P + z_T . x_P = 0 (mod 2)``, so the symmetries are the GF(2) kernel of the matrix
    whose rows are ``[z_T | x_T]``. The kernel is solved with bit-packed elimination
    (:mod:`qsympass.symmetry.gf2`) because Qiskit's ``Z2Symmetries`` is too slow at 1000
    qubits. The basis is canonical (reduced row echelon form, X parts first), and the identity
    is never returned.

    Args:
        hamiltonian: The Hamiltonian (only its Pauli strings matter, not the coefficients).

    Returns:
        A ``PauliList`` of independent generators (possibly empty). Products of generators are
        symmetries too; the returned strings may anticommute with each other.
    """
    paulis = hamiltonian.paulis
    symplectic = np.hstack([paulis.z, paulis.x])
    kernel = nullspace(symplectic)
    num_qubits = hamiltonian.num_qubits
    x_part = kernel[:, :num_qubits]
    z_part = kernel[:, num_qubits:]
    return PauliList.from_symplectic(z_part, x_part)


def commutes_with_all_terms(pauli_strings: PauliList, hamiltonian: SparsePauliOp) -> np.ndarray:
    """Whether each Pauli string commutes with every term of ``hamiltonian``.

    Args:
        pauli_strings: The candidate symmetries.
        hamiltonian: The Hamiltonian.

    Returns:
        Boolean array, one entry per string in ``pauli_strings``.
    """
    terms = hamiltonian.paulis
    # uint8 sums wrap modulo 256, which keeps their parity: the result mod 2 is exact.
    anticommuting = (
        terms.x.astype(np.uint8) @ pauli_strings.z.T.astype(np.uint8)
        + terms.z.astype(np.uint8) @ pauli_strings.x.T.astype(np.uint8)
    ) % 2
    return np.asarray(~anticommuting.any(axis=0), dtype=bool)
