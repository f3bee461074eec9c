"""Conjugation ``A -> V A V†`` of Pauli sums by group elements given as circuits.

A circuit of one-qubit gates only (every sampled U(1) or collective SU(2) element) acts qubit by
qubit through the ``3 x 3`` adjoint rotation of each qubit's unitary, so no ``2^n`` matrix is
built. Clifford circuits act through their tableau (:mod:`qsympass.symmetry.pauli_actions`); any
other circuit is conjugated densely, which is allowed up to :data:`DENSE_LIMIT` qubits.
"""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.exceptions import QiskitError
from qiskit.quantum_info import Clifford, Operator, SparsePauliOp

from qsympass.symmetry.pauli_actions import (
    PauliDict,
    apply_action,
    clifford_action,
    to_sparse_pauli_op,
)

#: The widest operator that is ever handled as a dense ``2^n x 2^n`` matrix.
DENSE_LIMIT = 10

_LETTER_INDEX = {"X": 0, "Y": 1, "Z": 2}
_SINGLE_QUBIT_PAULIS = (
    np.array([[0, 1], [1, 0]], dtype=complex),
    np.array([[0, -1j], [1j, 0]], dtype=complex),
    np.array([[1, 0], [0, -1]], dtype=complex),
)


def act_with_circuit(
    op: SparsePauliOp, terms: PauliDict, circuit: QuantumCircuit
) -> SparsePauliOp:
    """Conjugates an operator by the unitary of a circuit: ``V op V†``.

    Args:
        op: the operator, as wide as ``circuit``.
        terms: the same operator as sparse Pauli terms (:func:`~.pauli_actions.pauli_dict`).
        circuit: the group element; one-qubit gates act qubit by qubit, Clifford circuits
            through their tableau, any other circuit densely.

    Returns:
        The conjugated operator (simplified on the dense path).

    Raises:
        ValueError: the circuit is neither local nor Clifford and wider than
            :data:`DENSE_LIMIT` qubits.
    """
    n = circuit.num_qubits
    local = local_unitaries(circuit)
    if local is not None:
        return to_sparse_pauli_op(apply_local_unitaries(terms, local), n)
    try:
        cliff = Clifford(circuit)
    except (QiskitError, TypeError):
        cliff = None
    if cliff is not None:
        return to_sparse_pauli_op(apply_action(terms, clifford_action(cliff)), n)
    if n > DENSE_LIMIT:
        raise ValueError(
            f"cannot act with a non-Clifford, non-local circuit on {n} > {DENSE_LIMIT} qubits"
        )
    unitary = Operator(circuit).data
    return SparsePauliOp.from_operator(unitary @ op.to_matrix() @ unitary.conj().T).simplify()


def local_unitaries(circuit: QuantumCircuit) -> dict[int, np.ndarray] | None:
    """Per-qubit ``2 x 2`` unitaries when the circuit has only one-qubit gates.

    Args:
        circuit: the circuit; barriers are skipped.

    Returns:
        ``{qubit: U}`` for the qubits that carry gates, or ``None`` when a gate acts on more
        than one qubit, touches a classical bit or has no matrix.
    """
    unitaries: dict[int, np.ndarray] = {}
    for instruction in circuit.data:
        operation = instruction.operation
        if operation.name == "barrier":
            continue
        if len(instruction.qubits) != 1 or instruction.clbits or not hasattr(
            operation, "to_matrix"
        ):
            return None
        qubit = circuit.find_bit(instruction.qubits[0]).index
        matrix = np.asarray(operation.to_matrix(), dtype=complex)
        unitaries[qubit] = matrix @ unitaries.get(qubit, np.eye(2, dtype=complex))
    return unitaries


def adjoint_rotation(unitary: np.ndarray) -> np.ndarray:
    """The rotation ``R`` with ``U σ_a U† = Σ_b R[a, b] σ_b`` (``σ = X, Y, Z``).

    Args:
        unitary: a ``2 x 2`` unitary.

    Returns:
        The real ``3 x 3`` matrix ``R``.
    """
    rotation = np.empty((3, 3))
    for a, sigma_a in enumerate(_SINGLE_QUBIT_PAULIS):
        image = unitary @ sigma_a @ unitary.conj().T
        for b, sigma_b in enumerate(_SINGLE_QUBIT_PAULIS):
            rotation[a, b] = 0.5 * np.trace(sigma_b @ image).real
    return rotation


def apply_local_unitaries(terms: PauliDict, unitaries: dict[int, np.ndarray]) -> PauliDict:
    """Conjugates a Pauli sum by a tensor product of one-qubit unitaries.

    Args:
        terms: sparse Pauli strings and their coefficients.
        unitaries: ``{qubit: U}``; qubits not listed are left alone.

    Returns:
        The image ``(⊗U) A (⊗U)†`` as sparse Pauli terms (each letter on a rotated qubit spreads
        over up to three letters).
    """
    rotations = {q: adjoint_rotation(u) for q, u in unitaries.items()}
    image: PauliDict = {}
    for key, coeff in terms.items():
        partial: PauliDict = {(): coeff}
        for qubit, letter in key:
            rotation = rotations.get(qubit)
            if rotation is None:
                partial = {(*k, (qubit, letter)): c for k, c in partial.items()}
                continue
            row = rotation[_LETTER_INDEX[letter]]
            partial = {
                (*k, (qubit, new)): c * row[b]
                for k, c in partial.items()
                for b, new in enumerate("XYZ")
                if abs(row[b]) > 1e-15
            }
        for k, c in partial.items():
            image[k] = image.get(k, 0j) + c
    return image
