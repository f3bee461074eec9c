"""Tests for qsympass.symmetry.circuit_action: conjugation of Pauli sums by circuits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.circuit.library import UnitaryGate
from qiskit.quantum_info import Operator, SparsePauliOp, random_pauli_list, random_unitary

from qsympass.symmetry.circuit_action import (
    DENSE_LIMIT,
    act_with_circuit,
    adjoint_rotation,
    local_unitaries,
)
from qsympass.symmetry.pauli_actions import pauli_dict


def random_op(n: int, terms: int, seed: int) -> SparsePauliOp:
    rng = np.random.default_rng(seed)
    paulis = random_pauli_list(n, terms, seed=seed, phase=False)
    return SparsePauliOp(paulis, rng.normal(size=terms) + 1j * rng.normal(size=terms)).simplify()


def dense_image(circuit: QuantumCircuit, op: SparsePauliOp) -> np.ndarray:
    unitary = Operator(circuit).data
    return unitary @ op.to_matrix() @ unitary.conj().T


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**16))
def test_adjoint_rotation_is_a_rotation(seed: int) -> None:
    rotation = adjoint_rotation(random_unitary(2, seed=seed).data)
    np.testing.assert_allclose(rotation @ rotation.T, np.eye(3), atol=1e-12)
    assert np.linalg.det(rotation) == pytest.approx(1.0)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 3), st.integers(0, 2**16))
def test_local_circuits_act_like_their_dense_unitary(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    circuit = QuantumCircuit(n)
    for _ in range(2 * n):
        gate = rng.choice(["rx", "ry", "rz", "h", "s", "unitary"])
        qubit = int(rng.integers(n))
        if gate == "unitary":
            circuit.append(UnitaryGate(random_unitary(2, seed=int(rng.integers(2**31)))), [qubit])
        elif gate in ("h", "s"):
            getattr(circuit, gate)(qubit)
        else:
            getattr(circuit, gate)(float(rng.uniform(0, 2 * np.pi)), qubit)
        if rng.integers(3) == 0:
            circuit.barrier()
    assert local_unitaries(circuit) is not None
    op = random_op(n, 6, seed)
    image = act_with_circuit(op, pauli_dict(op), circuit)
    np.testing.assert_allclose(image.to_matrix(), dense_image(circuit, op), atol=1e-10)


def test_clifford_and_general_circuits_act_like_their_dense_unitary() -> None:
    clifford = QuantumCircuit(3)
    clifford.h(0)
    clifford.cx(0, 2)
    general = QuantumCircuit(3)
    general.rzz(0.3, 0, 1)
    general.t(2)
    op = random_op(3, 8, seed=4)
    for circuit in (clifford, general):
        assert local_unitaries(circuit) is None
        image = act_with_circuit(op, pauli_dict(op), circuit)
        np.testing.assert_allclose(image.to_matrix(), dense_image(circuit, op), atol=1e-10)


def test_wide_non_clifford_circuits_are_refused() -> None:
    n = DENSE_LIMIT + 1
    circuit = QuantumCircuit(n)
    circuit.rzz(0.3, 0, 1)
    op = SparsePauliOp.from_sparse_list([("Z", [0], 1.0)], n)
    with pytest.raises(ValueError, match="non-Clifford, non-local"):
        act_with_circuit(op, pauli_dict(op), circuit)
