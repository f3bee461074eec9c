"""Gradient sources: dense, exact engine and parameter shift give the same kernels."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.circuit import ParameterVector, QuantumCircuit
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp

from qsympass.dynamics import (
    DenseSource,
    ExactEngineSource,
    GradientSource,
    ParameterShiftEnergy,
    ParameterShiftSource,
    empirical_tangent_kernel,
    ground_state_kernel,
    random_orthonormal_states,
)
from qsympass.gradients.exact import ExactEngine


def _ansatz() -> QuantumCircuit:
    theta = ParameterVector("θ", 7)
    circuit = QuantumCircuit(2)
    circuit.ry(theta[0], 0)
    circuit.rx(theta[1], 1)
    circuit.cx(0, 1)
    circuit.rzz(theta[2], 0, 1)
    circuit.crx(theta[3], 1, 0)
    circuit.rz(2.0 * theta[4] - 0.5, 0)
    circuit.ry(theta[4], 1)  # tied with the previous gate
    circuit.rxx(theta[5], 0, 1)
    circuit.rx(theta[6], 0)
    return circuit


@pytest.fixture(scope="module")
def setting() -> tuple[QuantumCircuit, SparsePauliOp, np.ndarray, np.ndarray]:
    circuit = _ansatz()
    observable = SparsePauliOp(["IZ", "XX"], [1.0, 0.5])
    states = random_orthonormal_states(2, 3, seed=4)
    values = np.random.default_rng(2).uniform(0, 2 * np.pi, circuit.num_parameters)
    return circuit, observable, states, values


def test_all_sources_give_the_same_kernel(
    setting: tuple[QuantumCircuit, SparsePauliOp, np.ndarray, np.ndarray],
) -> None:
    circuit, observable, states, values = setting
    sources: list[GradientSource] = [
        DenseSource(circuit, observable, states),
        ExactEngineSource(circuit, observable, states),
        ParameterShiftSource(circuit, observable, states, StatevectorEstimator()),
    ]
    snapshots = [empirical_tangent_kernel(source, values) for source in sources]
    reference = snapshots[0]
    assert reference.kernel.shape == (3, 3)
    for snapshot in snapshots[1:]:
        np.testing.assert_allclose(snapshot.outputs, reference.outputs, atol=1e-8)
        np.testing.assert_allclose(snapshot.jacobian, reference.jacobian, atol=1e-8)
        np.testing.assert_allclose(snapshot.kernel, reference.kernel, atol=1e-8)
    # The outputs are the plain expectation values ⟨x|U†MU|x⟩.
    matrix = observable.to_matrix()
    unitary = sources[0].model.unitary(values)  # type: ignore[attr-defined]
    for i, state in enumerate(states):
        final = unitary @ state
        assert abs(np.vdot(final, matrix @ final).real - reference.outputs[i]) < 1e-10


def test_ground_state_kernel_exact_and_parameter_shift_agree(
    setting: tuple[QuantumCircuit, SparsePauliOp, np.ndarray, np.ndarray],
) -> None:
    circuit, _, _, values = setting
    hamiltonian = SparsePauliOp(["ZZ", "XI", "IX"], [1.0, -0.7, -0.7])
    ground = float(np.linalg.eigvalsh(hamiltonian.to_matrix())[0])
    exact = ground_state_kernel(ExactEngine(circuit, hamiltonian), values, ground)
    shifted = ground_state_kernel(
        ParameterShiftEnergy(circuit, hamiltonian, StatevectorEstimator()), values, ground
    )
    assert exact.kernel == pytest.approx(shifted.kernel, abs=1e-8)
    assert exact.residual == pytest.approx(exact.loss - ground)
    assert exact.residual > 0
    assert exact.normalized == pytest.approx(exact.kernel / exact.residual)
    without_e0 = ground_state_kernel(ExactEngine(circuit, hamiltonian), values)
    assert np.isnan(without_e0.normalized)


def test_ground_state_kernel_rejects_a_wrong_ground_energy(
    setting: tuple[QuantumCircuit, SparsePauliOp, np.ndarray, np.ndarray],
) -> None:
    circuit, _, _, values = setting
    hamiltonian = SparsePauliOp(["ZZ"], [1.0])
    with pytest.raises(ValueError, match="below the ground energy"):
        ground_state_kernel(ExactEngine(circuit, hamiltonian), values, ground_energy=5.0)


@pytest.mark.parametrize(
    ("states", "match"),
    [
        (np.ones((2, 4)), "not normalised"),
        (np.eye(8)[:2], "amplitudes"),
        (np.zeros((0, 4)), "non-empty"),
    ],
)
def test_bad_states_are_rejected(states: np.ndarray, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        DenseSource(_ansatz(), SparsePauliOp("ZZ"), states)


def test_bad_observable_is_rejected() -> None:
    states = random_orthonormal_states(2, 2)
    with pytest.raises(ValueError, match="acts on 3 qubits"):
        DenseSource(_ansatz(), SparsePauliOp("ZZZ"), states)
    with pytest.raises(ValueError, match="not Hermitian"):
        DenseSource(_ansatz(), SparsePauliOp(["ZZ"], [1j]), states)
