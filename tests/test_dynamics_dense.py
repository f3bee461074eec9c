"""Dense adjoint model: unitary and Jacobian against Qiskit and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.circuit import Parameter, ParameterVector, QuantumCircuit
from qiskit.quantum_info import Operator, SparsePauliOp

from qsympass.dynamics.dense import DenseRotationCircuit, dense_rotation_circuit


def _random_circuit(seed: int, num_qubits: int = 3, depth: int = 8) -> QuantumCircuit:
    rng = np.random.default_rng(seed)
    theta = ParameterVector("θ", depth)
    circuit = QuantumCircuit(num_qubits)
    for k in range(depth):
        a, b = (int(q) for q in rng.choice(num_qubits, 2, replace=False))
        kind = int(rng.integers(7))
        # Tie every third gate to the previous parameter, with an affine angle.
        angle = 2.0 * theta[k - 1] + 0.3 if k % 3 == 2 else theta[k]
        if kind == 0:
            circuit.rx(angle, a)
        elif kind == 1:
            circuit.ry(angle, a)
        elif kind == 2:
            circuit.rz(angle, a)
        elif kind == 3:
            circuit.rzz(angle, a, b)
        elif kind == 4:
            circuit.crx(angle, a, b)  # generator with G² ≠ s² I: the eigendecomposition path
        elif kind == 5:
            circuit.rxx(angle, a, b)
        else:
            circuit.cry(angle, a, b)
        if k % 2:
            circuit.cx(a, b)
            circuit.h(b)
    return circuit


def _random_states(num_qubits: int, num_states: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    states = rng.normal(size=(2**num_qubits, num_states)) + 1j * rng.normal(
        size=(2**num_qubits, num_states)
    )
    return states / np.linalg.norm(states, axis=0)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_unitary_matches_qiskit(seed: int) -> None:
    circuit = _random_circuit(seed)
    model = dense_rotation_circuit(circuit)
    values = np.random.default_rng(seed).uniform(-np.pi, np.pi, circuit.num_parameters)
    expected = Operator(circuit.assign_parameters(values)).data
    got = model.unitary(values)
    # Equal up to a global phase (rotations drop theirs).
    overlap = np.trace(got.conj().T @ expected) / expected.shape[0]
    assert abs(abs(overlap) - 1.0) < 1e-10
    np.testing.assert_allclose(got * overlap, expected, atol=1e-10)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_jacobian_matches_finite_differences(seed: int) -> None:
    circuit = _random_circuit(seed)
    model = dense_rotation_circuit(circuit)
    rng = np.random.default_rng(seed + 1)
    values = rng.uniform(-np.pi, np.pi, circuit.num_parameters)
    observable = SparsePauliOp(["ZII", "XYI", "IIX"], [0.7, -0.4, 1.1]).to_matrix()
    states = _random_states(3, 2, seed)
    outputs, jacobian = model.outputs_and_jacobian(values, observable, states)
    final = model.evolve(values, states)
    expected = np.real(np.einsum("im,ij,jm->m", final.conj(), observable, final))
    np.testing.assert_allclose(outputs, expected, atol=1e-12)
    step = 1e-6
    for j in range(circuit.num_parameters):
        shift = np.zeros_like(values)
        shift[j] = step
        plus, _ = model.outputs_and_jacobian(values + shift, observable, states)
        minus, _ = model.outputs_and_jacobian(values - shift, observable, states)
        np.testing.assert_allclose(jacobian[:, j], (plus - minus) / (2 * step), atol=1e-8)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_input_frame_generators_give_the_heisenberg_derivative(seed: int) -> None:
    # ∂_j(U†MU) = i[Ĥ_j, U†MU] for every M: with fixed gates, tied and affine angles, and
    # generators that do not square to the identity.
    circuit = _random_circuit(seed)
    model = dense_rotation_circuit(circuit)
    values = np.random.default_rng(seed + 2).uniform(-np.pi, np.pi, circuit.num_parameters)
    observable = SparsePauliOp(["ZXI", "IYY", "XII"], [0.3, 1.2, -0.8]).to_matrix()
    generators = model.input_frame_generators(values)
    assert generators.shape == (circuit.num_parameters, 8, 8)
    np.testing.assert_allclose(generators, generators.conj().transpose(0, 2, 1), atol=1e-12)

    def heisenberg(params: np.ndarray) -> np.ndarray:
        unitary = model.unitary(params)
        return unitary.conj().T @ observable @ unitary

    current, step = heisenberg(values), 1e-6
    for j in range(circuit.num_parameters):
        shift = np.zeros_like(values)
        shift[j] = step
        numeric = (heisenberg(values + shift) - heisenberg(values - shift)) / (2 * step)
        commutator = 1j * (generators[j] @ current - current @ generators[j])
        np.testing.assert_allclose(commutator, numeric, atol=1e-8)


def test_non_affine_angle_is_rejected() -> None:
    theta = Parameter("θ")
    circuit = QuantumCircuit(1)
    circuit.rx(theta * theta, 0)
    with pytest.raises(ValueError, match=r"affine|linear"):
        dense_rotation_circuit(circuit)


def test_wrong_parameter_count_is_rejected() -> None:
    model = dense_rotation_circuit(_random_circuit(0))
    with pytest.raises(ValueError, match="parameter values"):
        model.unitary(np.zeros(model.num_parameters + 1))


def test_malformed_model_is_rejected() -> None:
    with pytest.raises(ValueError, match="fixed must hold"):
        DenseRotationCircuit(
            generators=np.zeros((1, 2, 2), dtype=complex),
            parameter_index=np.zeros(1, dtype=int),
            coefficients=np.ones(1),
            offsets=np.zeros(1),
            fixed=(None,),
            num_parameters=1,
        )
