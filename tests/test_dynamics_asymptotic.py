"""Over-parameterized dynamics: the double-bracket flow, its kernel, its normalisation, and the
same flow with a circuit's frozen frame operator."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.quantum_info import Pauli, SparsePauliOp

from qsympass.dynamics import (
    DenseSource,
    asymptotic_kernel_scale,
    classify_convergence,
    commutator_kernel,
    initial_kernel_agreement,
    integrate_asymptotic_dynamics,
    kernel_drift,
    pauli_rotation_ansatz,
    random_orthonormal_states,
)

DIM = 16
LABELS = np.array([1.0, -1.0, 1.0, -1.0])


def _haar_conjugated_z(gamma: float, seed: int) -> np.ndarray:
    unitary = random_orthonormal_states(4, DIM, seed=seed).T
    z0 = gamma * SparsePauliOp("IIIZ").to_matrix()
    return unitary.conj().T @ z0 @ unitary


def _states(seed: int) -> np.ndarray:
    return random_orthonormal_states(4, 4, seed=seed).T


def _all_half_paulis(num_qubits: int) -> np.ndarray:
    labels = ["".join(t) for t in itertools.product("IXYZ", repeat=num_qubits)][1:]
    return np.array([Pauli(label).to_matrix() / 2 for label in labels])


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_commutator_kernel_matches_its_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    observable = a + a.conj().T
    states = random_orthonormal_states(2, 3, seed=seed).T
    kernel = commutator_kernel(observable, states)
    for i in range(3):
        for j in range(3):
            rho_i = np.outer(states[:, i], states[:, i].conj())
            rho_j = np.outer(states[:, j], states[:, j].conj())
            c_i = observable @ rho_i - rho_i @ observable
            c_j = observable @ rho_j - rho_j @ observable
            assert kernel[i, j] == pytest.approx(np.trace(c_i.conj().T @ c_j).real, abs=1e-10)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.5, 3.0))
def test_flow_is_isospectral(seed: int, gamma: float) -> None:
    prediction = integrate_asymptotic_dynamics(
        _haar_conjugated_z(gamma, seed), _states(seed + 1), LABELS,
        learning_rate=0.01, num_parameters=1000, steps=20,
    )
    final = prediction.final_observable
    np.testing.assert_allclose(final, final.conj().T, atol=1e-12)
    np.testing.assert_allclose(
        np.linalg.eigvalsh(final), np.linalg.eigvalsh(_haar_conjugated_z(gamma, seed)), atol=1e-10
    )


@pytest.mark.parametrize("discretization", ["steps", "flow"])
def test_flow_moves_residuals_along_the_kernel(discretization: str) -> None:
    # dr/dt = −η' K̃ r: over a short time the change is −η' K̃ r (sign and normalisation check).
    observable, states = _haar_conjugated_z(1.0, 3), _states(4)
    lr, p = 1e-6, 1000
    prediction = integrate_asymptotic_dynamics(
        observable, states, LABELS, learning_rate=lr, num_parameters=p, steps=1,
        discretization=discretization,  # type: ignore[arg-type]
        substeps=8 if discretization == "flow" else None,
    )
    assert prediction.discretization == discretization
    rate = lr * asymptotic_kernel_scale(p, DIM)
    assert prediction.effective_rate == pytest.approx(rate)
    r0 = prediction.residuals[0]
    expected = -rate * commutator_kernel(observable, states) @ r0
    np.testing.assert_allclose(prediction.residuals[1] - r0, expected, rtol=1e-3, atol=1e-10)
    np.testing.assert_allclose(prediction.kernels[0], prediction.kernel_scale
                               * commutator_kernel(observable, states))


def test_pauli_measurement_flow_converges_like_t_to_minus_two() -> None:
    prediction = integrate_asymptotic_dynamics(
        _haar_conjugated_z(1.0, 5), _states(6), LABELS,
        learning_rate=0.01, num_parameters=1000, steps=300, kernel_every=50,
    )
    report = classify_convergence(prediction.losses)
    assert report.verdict == "sublinear"
    assert -2.3 <= report.exponent <= -1.7
    # The kernel collapses as the outputs reach the spectrum's edges ±1.
    assert kernel_drift(prediction.kernels[-1], prediction.kernels[0]) > 0.5


def test_scaled_measurement_flow_converges_exponentially() -> None:
    prediction = integrate_asymptotic_dynamics(
        _haar_conjugated_z(2.0, 5), _states(6), LABELS,
        learning_rate=0.01, num_parameters=1000, steps=300,
    )
    assert classify_convergence(prediction.losses).verdict == "exponential"
    assert prediction.losses[-1] < 1e-12


def test_kernel_scale_matches_the_empirical_kernel_on_average() -> None:
    # κ K̃(U†MU) is the expectation of the empirical kernel over the random Pauli rotations:
    # single draws at p = 500 scatter by ~10 %, their mean difference is a few percent.
    p, differences, norms = 500, [], []
    for seed in range(6):
        source = DenseSource(
            pauli_rotation_ansatz(4, p, seed=seed, pauli_sampling="independent"),
            SparsePauliOp("IIIZ"), random_orthonormal_states(4, 4, seed=100 + seed),
        )
        params = np.random.default_rng(seed).uniform(0, 2 * np.pi, p)
        _, jacobian = source.outputs_and_jacobian(params)
        predicted = asymptotic_kernel_scale(p, DIM) * commutator_kernel(
            source.heisenberg_observable(params), source.states
        )
        empirical = jacobian @ jacobian.T
        assert kernel_drift(predicted, empirical) < 0.2
        assert initial_kernel_agreement(source, params) == pytest.approx(
            kernel_drift(predicted, empirical)
        )
        differences.append(empirical - predicted)
        norms.append(np.linalg.norm(empirical))
    assert np.linalg.norm(np.mean(differences, axis=0)) / np.mean(norms) < 0.1


def test_isotropic_frame_reproduces_the_limit() -> None:
    # All d² − 1 Pauli generators P/2 once each: F(A) = Σ_a (P_a/2) Tr(P_a A)/2 = (d/4) A = κ A
    # on traceless A, so the circuit-frame flow is the p → ∞ flow exactly.
    generators = _all_half_paulis(4)
    observable, states = _haar_conjugated_z(1.0, 7), _states(8)
    common = functools.partial(
        integrate_asymptotic_dynamics, observable, states, LABELS,
        learning_rate=0.05, num_parameters=DIM**2 - 1, steps=30, kernel_every=10,
    )
    limit = common()
    framed = common(generators=generators)
    assert framed.circuit_frame and not limit.circuit_frame
    np.testing.assert_allclose(framed.residuals, limit.residuals, atol=1e-10)
    np.testing.assert_allclose(framed.kernels, limit.kernels, atol=1e-10)
    np.testing.assert_allclose(framed.final_observable, limit.final_observable, atol=1e-10)


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.5, 3.0))
def test_circuit_frame_kernel_is_the_empirical_kernel(seed: int, gamma: float) -> None:
    # With the circuit's own generators at θ_0 the kernel at t = 0 is Σ_l ∂_l ŷ_i ∂_l ŷ_j, and
    # the flow still keeps M's spectrum.
    p = 120
    source = DenseSource(
        pauli_rotation_ansatz(4, p, seed=seed, pauli_sampling="independent"),
        SparsePauliOp("IIIZ", gamma),
        random_orthonormal_states(4, 4, seed=seed + 1),
    )
    params = np.random.default_rng(seed).uniform(0, 2 * np.pi, p)
    outputs, jacobian = source.outputs_and_jacobian(params)
    observable = source.heisenberg_observable(params)
    prediction = integrate_asymptotic_dynamics(
        observable, source.states, LABELS, learning_rate=0.02, num_parameters=p, steps=10,
        generators=source.input_frame_generators(params),
    )
    np.testing.assert_allclose(prediction.kernels[0], jacobian @ jacobian.T, atol=1e-10)
    np.testing.assert_allclose(prediction.residuals[0], outputs - LABELS, atol=1e-12)
    np.testing.assert_allclose(
        np.linalg.eigvalsh(prediction.final_observable), np.linalg.eigvalsh(observable),
        atol=1e-10,
    )
    assert prediction.losses[-1] < prediction.losses[0]


def test_steps_discretization_is_one_gradient_descent_step() -> None:
    # A large step (the residual shrinks to about half): the exponential step with the circuit's
    # frame is the actual gradient-descent step up to O(p η²), far closer than the continuous
    # flow over the same unit of time or the frozen-kernel (linear) update.
    p, lr = 400, 0.0125
    source = DenseSource(
        pauli_rotation_ansatz(4, p, seed=1, pauli_sampling="independent"),
        SparsePauliOp("IIIZ", 2.0), random_orthonormal_states(4, 4, seed=2),
    )
    params = np.random.default_rng(3).uniform(0, 2 * np.pi, p)
    outputs, jacobian = source.outputs_and_jacobian(params)
    residuals = outputs - LABELS
    after, _ = source.outputs_and_jacobian(params - lr * jacobian.T @ residuals)
    actual = after - LABELS
    assert np.linalg.norm(actual) < 0.6 * np.linalg.norm(residuals)

    def predicted(discretization: str) -> np.ndarray:
        return integrate_asymptotic_dynamics(
            source.heisenberg_observable(params), source.states, LABELS, learning_rate=lr,
            num_parameters=p, steps=1, generators=source.input_frame_generators(params),
            discretization=discretization,  # type: ignore[arg-type]
        ).residuals[1]

    step_error = np.linalg.norm(predicted("steps") - actual)
    flow_error = np.linalg.norm(predicted("flow") - actual)
    linear_error = np.linalg.norm(residuals - lr * jacobian @ jacobian.T @ residuals - actual)
    assert step_error < 0.2 * linear_error
    assert step_error < 0.05 * flow_error


def test_kernel_scale_convention() -> None:
    # exp(−iθP/2): Tr(H²) = d/4; exp(−iθG) with Tr(G²) = d: DESIGN's η' = η p d / (d² − 1).
    assert asymptotic_kernel_scale(1000, 16) == pytest.approx(1000 * 4 / 255)
    assert asymptotic_kernel_scale(1000, 16, generator_square_trace=16) == pytest.approx(
        1000 * 16 / 255
    )
    with pytest.raises(ValueError, match="num_parameters"):
        asymptotic_kernel_scale(0, 16)


def test_bad_input_is_rejected() -> None:
    states = _states(0)
    with pytest.raises(ValueError, match="Hermitian"):
        integrate_asymptotic_dynamics(
            np.triu(np.ones((DIM, DIM))), states, LABELS,
            learning_rate=0.1, num_parameters=10, steps=1,
        )
    with pytest.raises(ValueError, match="labels"):
        integrate_asymptotic_dynamics(
            _haar_conjugated_z(1.0, 0), states, LABELS[:2],
            learning_rate=0.1, num_parameters=10, steps=1,
        )
    with pytest.raises(ValueError, match="generators must have shape"):
        integrate_asymptotic_dynamics(
            _haar_conjugated_z(1.0, 0), states, LABELS,
            learning_rate=0.1, num_parameters=10, steps=1, generators=_all_half_paulis(4),
        )
    with pytest.raises(ValueError, match="generators are not Hermitian"):
        integrate_asymptotic_dynamics(
            _haar_conjugated_z(1.0, 0), states, LABELS, learning_rate=0.1,
            num_parameters=1, steps=1, generators=np.triu(np.ones((1, DIM, DIM))),
        )
    with pytest.raises(ValueError, match="normalised"):
        integrate_asymptotic_dynamics(
            _haar_conjugated_z(1.0, 0), 2 * states, LABELS,
            learning_rate=0.1, num_parameters=10, steps=1,
        )
    with pytest.raises(ValueError, match="substeps applies"):
        integrate_asymptotic_dynamics(
            _haar_conjugated_z(1.0, 0), states, LABELS, learning_rate=0.1,
            num_parameters=10, steps=1, substeps=4,
        )
    with pytest.raises(ValueError, match="substeps must be"):
        integrate_asymptotic_dynamics(
            _haar_conjugated_z(1.0, 0), states, LABELS, learning_rate=0.1,
            num_parameters=10, steps=1, discretization="flow", substeps=0,
        )
    with pytest.raises(ValueError, match="discretization"):
        integrate_asymptotic_dynamics(
            _haar_conjugated_z(1.0, 0), states, LABELS, learning_rate=0.1,
            num_parameters=10, steps=1, discretization="rk4",  # type: ignore[arg-type]
        )
