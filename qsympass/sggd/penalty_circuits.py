"""Circuits that measure the SGGD penalty terms ``Tr(O_θ V O_θ V†)/d`` on ``2n`` qubits.

With ``X = U†OU`` and ``W = V_g``: ``Tr(X W X W†)/d = ⟨ψ| O ⊗ Oᵀ |ψ⟩`` where
``|ψ⟩ = (U ⊗ U* Wᵀ)|Φ⁺⟩`` and ``|Φ⁺⟩`` is ``n`` Bell pairs (qubit ``i`` with ``n + i``). The
first register (qubits ``0..n-1``) runs ``U``; the second runs ``Wᵀ`` then ``U*``.

``U*`` keeps the circuit's parameters: a rotation ``exp(-i a G/2)`` with a real generator
(``G* = G``, an even number of Ys per term) gets its angle negated, one with an imaginary
generator (``G* = −G``) is kept, anything else is conjugated gate by gate through its definition.
Fixed gates use the same gate when their matrix is real up to phase, the inverse gate when it is
symmetric (``S, T, SX``), else a ``UnitaryGate`` of the conjugate matrix.
"""

from __future__ import annotations

import numpy as np
from qiskit.circuit import CircuitInstruction, Gate, QuantumCircuit
from qiskit.circuit.library import UnitaryGate
from qiskit.primitives.containers import ObservablesArray
from qiskit.quantum_info import Clifford, Operator, SparsePauliOp

from qsympass.circuits import IGNORED_INSTRUCTIONS, rotation_generator, validate_ansatz

__all__ = [
    "bell_pairs",
    "conjugate_circuit",
    "doubled_observable",
    "doubled_observables",
    "observable_entries",
    "penalty_circuit",
    "squared_norm",
    "transpose_circuit",
    "transpose_observable",
]

_ATOL = 1e-10


def transpose_observable(op: SparsePauliOp) -> SparsePauliOp:
    """``Oᵀ`` of a Pauli sum: ``Pᵀ = (−1)^{#Y} P``.

    Args:
        op: The operator.

    Returns:
        Its transpose.
    """
    num_ys = np.sum(op.paulis.x & op.paulis.z, axis=1)
    return SparsePauliOp(op.paulis, op.coeffs * (-1.0) ** num_ys)


def doubled_observable(op: SparsePauliOp) -> SparsePauliOp:
    """``O ⊗ Oᵀ`` with ``O`` on qubits ``0..n-1`` and ``Oᵀ`` on qubits ``n..2n-1``.

    Args:
        op: The observable ``O`` on ``n`` qubits.

    Returns:
        The ``2n``-qubit observable.
    """
    return transpose_observable(op).tensor(op).simplify(atol=_ATOL)


def squared_norm(op: SparsePauliOp) -> float:
    """``Tr(O²)/d`` of a Hermitian Pauli sum (sum of squared coefficients).

    Args:
        op: The operator.

    Returns:
        The normalized squared Hilbert–Schmidt norm.
    """
    simplified = op.simplify(atol=0.0)
    return float(np.sum(np.abs(simplified.coeffs) ** 2))


def _is_real(generator: SparsePauliOp) -> bool | None:
    """True if ``G* = G``, False if ``G* = −G``, None otherwise."""
    signs = (-1) ** np.sum(generator.paulis.x & generator.paulis.z, axis=1)
    significant = np.abs(generator.coeffs) > _ATOL
    if np.all(signs[significant] == 1):
        return True
    if np.all(signs[significant] == -1):
        return False
    return None


def _proportional(a: np.ndarray, b: np.ndarray) -> bool:
    index = np.unravel_index(np.argmax(np.abs(b)), b.shape)
    phase = a[index] / b[index]
    return abs(abs(phase) - 1.0) < 1e-9 and np.allclose(a, phase * b, atol=1e-9)


def _conjugate_fixed(operation: Gate) -> Gate:
    matrix = Operator(operation).data
    conjugate = matrix.conj()
    if _proportional(conjugate, matrix):
        return operation
    if _proportional(conjugate, matrix.conj().T):
        return operation.inverse()
    return UnitaryGate(conjugate, label=f"{operation.name}*")


def _conjugate_instruction(
    instruction: CircuitInstruction, circuit: QuantumCircuit, out: QuantumCircuit
) -> None:
    operation = instruction.operation
    if operation.name in IGNORED_INSTRUCTIONS:
        out.append(instruction)
        return
    generator = rotation_generator(instruction, circuit)
    if generator is None:
        out.append(_conjugate_fixed(operation), instruction.qubits)
        return
    realness = _is_real(generator.generator)
    if realness is False:
        out.append(instruction)
        return
    if realness is True and len(operation.params) == 1:
        negated = operation.copy()
        negated.params[0] = -operation.params[0]
        out.append(negated, instruction.qubits)
        return
    definition = operation.definition
    if definition is None:
        raise ValueError(f"cannot conjugate gate '{operation.name}': it has no definition")
    inner = conjugate_circuit(definition)
    out.compose(inner, qubits=instruction.qubits, inplace=True)


def conjugate_circuit(circuit: QuantumCircuit) -> QuantumCircuit:
    """The circuit of ``U*`` (complex conjugate unitary, up to global phase), same parameters.

    Args:
        circuit: A unitary circuit (gates, barriers and delays).

    Returns:
        The conjugate circuit.

    Raises:
        ValueError: If the circuit has measurements, resets or control flow.
    """
    validate_ansatz(circuit)
    out = circuit.copy_empty_like()
    out.global_phase = 0.0
    for instruction in circuit.data:
        _conjugate_instruction(instruction, circuit, out)
    return out


def transpose_circuit(element: Clifford | QuantumCircuit) -> QuantumCircuit:
    """The circuit of ``Wᵀ`` for a group element ``W`` (up to global phase).

    Args:
        element: A ``Clifford`` or a unitary circuit.

    Returns:
        ``Wᵀ`` as a circuit (``Clifford.transpose`` or ``(W*)†``).
    """
    if isinstance(element, Clifford):
        return element.transpose().to_circuit()
    return conjugate_circuit(element).inverse()


def bell_pairs(num_qubits: int) -> QuantumCircuit:
    """``n`` Bell pairs ``|Φ⁺⟩`` on ``2n`` qubits, qubit ``i`` paired with ``n + i``.

    Args:
        num_qubits: ``n``.

    Returns:
        The preparation circuit.
    """
    circuit = QuantumCircuit(2 * num_qubits)
    for qubit in range(num_qubits):
        circuit.h(qubit)
        circuit.cx(qubit, num_qubits + qubit)
    return circuit


def penalty_circuit(ansatz: QuantumCircuit, element: Clifford | QuantumCircuit) -> QuantumCircuit:
    """The ``2n``-qubit circuit preparing ``(U ⊗ U* Wᵀ)|Φ⁺⟩``.

    Measuring :func:`doubled_observable` ``(O)`` on it gives ``Tr(O_θ W O_θ W†)/d``.

    Args:
        ansatz: ``U`` on ``n`` qubits.
        element: The group element ``W`` on ``n`` qubits.

    Returns:
        The circuit; its parameters are those of ``ansatz``.

    Raises:
        ValueError: If the widths differ or the ansatz is not unitary.
    """
    n = ansatz.num_qubits
    if element.num_qubits != n:
        raise ValueError(f"group element acts on {element.num_qubits} qubits, ansatz on {n}")
    circuit = bell_pairs(n)
    second = list(range(n, 2 * n))
    circuit.compose(transpose_circuit(element), qubits=second, inplace=True)
    circuit.compose(conjugate_circuit(ansatz), qubits=second, inplace=True)
    plain = ansatz.copy()
    plain.global_phase = 0.0
    circuit.compose(plain, qubits=list(range(n)), inplace=True)
    return circuit


def observable_entries(observables: ObservablesArray) -> np.ndarray:
    """The observables of an ``ObservablesArray`` as an object array of ``SparsePauliOp``.

    Args:
        observables: The array.

    Returns:
        Same shape, one ``SparsePauliOp`` per entry.
    """
    sparse = observables.sparse_observables_array()
    out = np.empty(sparse.shape, dtype=object)
    for index, observable in np.ndenumerate(sparse):
        out[index] = SparsePauliOp.from_sparse_observable(observable).simplify(atol=0.0)
    return out


def doubled_observables(observables: ObservablesArray) -> tuple[ObservablesArray, np.ndarray]:
    """``Ô ⊗ Ôᵀ`` with ``Ô = O / ‖O‖`` and ``‖O‖² = Tr(O²)/d``, for every entry of an array.

    The unit-norm form keeps the doubled coefficients (products of two of O's) away from the
    estimators' cut-off for negligible terms; multiply what is measured by ``‖O‖²``.

    Args:
        observables: The ``n``-qubit observables.

    Returns:
        The ``2n``-qubit observables (same shape) and the squared norms ``‖O‖²`` (same shape).
    """
    entries = observable_entries(observables)
    doubled = np.empty(entries.shape, dtype=object)
    norms = np.empty(entries.shape, dtype=float)
    for index, op in np.ndenumerate(entries):
        norms[index] = squared_norm(op)
        unit = op / np.sqrt(norms[index]) if norms[index] > 0 else op
        doubled[index] = doubled_observable(unit)
    return ObservablesArray(doubled), norms
