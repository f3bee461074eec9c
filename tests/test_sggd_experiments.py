"""Tests of the SGGD classification experiments and of the dense Heisenberg model they train."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.circuit import QuantumCircuit
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import Operator, SparsePauliOp, Statevector

from qsympass.datasets import werner_state
from qsympass.sggd import SymmetryGuidedEstimator
from qsympass.sggd.experiments import (
    CircleConfig,
    WernerConfig,
    circle_ansatz,
    circle_features,
    circle_group,
    circle_model_circuit,
    circle_observable,
    classify,
    run_circle,
    run_werner,
    werner_ansatz,
    werner_features,
    werner_group,
    werner_model_circuit,
    werner_observable,
)
from qsympass.sggd.heisenberg_model import HeisenbergModel, SymmetryProjector
from qsympass.symmetry.group import SymmetryGroup
from qsympass.twirling import symmetry_violation

WERNER_MODEL = HeisenbergModel(werner_ansatz(), werner_observable())
CIRCLE_ANSATZ = circle_ansatz(layers=1)
UNIT_OBSERVABLE = circle_observable(3, 1.0)
CIRCLE_MODEL = HeisenbergModel(CIRCLE_ANSATZ, UNIT_OBSERVABLE)


def test_werner_ansatz_runs_from_identity_to_cnot() -> None:
    ansatz = werner_ansatz()
    np.testing.assert_allclose(Operator(ansatz.assign_parameters([0.0])).data, np.eye(4),
                               atol=1e-12)
    cnot = QuantumCircuit(2)
    cnot.cx(0, 1)
    np.testing.assert_allclose(Operator(ansatz.assign_parameters([math.pi])).data,
                               Operator(cnot).data, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.floats(-math.pi, math.pi), st.floats(0.0, 1.0))
def test_werner_model_matches_the_hardware_circuit(theta: float, p: float) -> None:
    model = WERNER_MODEL
    predicted = (werner_features(np.array([p])) @ model.coefficients(np.array([theta])))[0]
    circuit = werner_model_circuit(p).assign_parameters([theta])
    observable = SparsePauliOp("II").tensor(werner_observable())
    measured = Statevector(circuit).expectation_value(observable).real
    assert np.isclose(predicted, measured, atol=1e-10)
    # Closed form: f = 1/2 - (3p/2) cos²(θ/2).
    assert np.isclose(predicted, 0.5 - 1.5 * p * math.cos(theta / 2) ** 2, atol=1e-10)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.floats(-math.pi, math.pi), min_size=12, max_size=12),
       st.floats(-1.0, 1.0), st.floats(-1.0, 1.0))
def test_circle_model_matches_statevector_and_jacobian(
    values: list[float], x: float, y: float
) -> None:
    ansatz, model = CIRCLE_ANSATZ, CIRCLE_MODEL
    params = np.array(values)
    features = circle_features(np.array([[x, y]]))
    coefficients, jacobian = model.coefficients_and_jacobian(params)
    circuit = circle_model_circuit((x, y), ansatz).assign_parameters(params)
    expected = Statevector(circuit).expectation_value(UNIT_OBSERVABLE).real
    assert np.isclose((features @ coefficients)[0], expected, atol=1e-10)
    step = 1e-6
    for k in (0, 5, 11):
        shift = np.zeros_like(params)
        shift[k] = step
        numeric = (model.coefficients(params + shift) - model.coefficients(params - shift)) / (
            2 * step)
        np.testing.assert_allclose(jacobian[:, k], numeric, atol=1e-7)


@settings(max_examples=10, deadline=None)
@given(st.lists(st.floats(-math.pi, math.pi), min_size=12, max_size=12),
       st.floats(0.1, 5.0), st.floats(-1.0, 1.0), st.floats(-1.0, 1.0))
def test_circle_observable_scale_scales_the_model_and_the_penalty(
    values: list[float], scale: float, x: float, y: float
) -> None:
    params = np.array(values)
    scaled = HeisenbergModel(CIRCLE_ANSATZ, circle_observable(3, scale))
    coefficients = scaled.coefficients(params)
    np.testing.assert_allclose(coefficients, scale * CIRCLE_MODEL.coefficients(params),
                               atol=1e-12)
    circuit = circle_model_circuit((x, y), CIRCLE_ANSATZ).assign_parameters(params)
    measured = Statevector(circuit).expectation_value(circle_observable(3, scale)).real
    assert np.isclose((circle_features(np.array([[x, y]])) @ coefficients)[0], measured,
                      atol=1e-10)
    projector = SymmetryProjector(circle_group("swap"))
    assert np.isclose(projector.penalty(coefficients),
                      scale**2 * projector.penalty(CIRCLE_MODEL.coefficients(params)),
                      atol=1e-10)


def test_circle_observable_scale_must_be_positive() -> None:
    for scale in (0.0, -1.0, math.inf):
        with pytest.raises(ValueError, match="observable_scale"):
            CircleConfig(observable_scale=scale)
        with pytest.raises(ValueError, match="observable_scale"):
            circle_observable(3, scale)


@settings(max_examples=20, deadline=None)
@given(st.floats(-1.0, 1.0), st.floats(-1.0, 1.0))
def test_square_symmetries_act_as_cliffords_on_the_encoding(x: float, y: float) -> None:
    group = circle_group("dihedral")
    assert group.order == 8
    state = Statevector(circle_model_circuit((x, y), QuantumCircuit(3))).to_operator().data
    images = {(x, y), (-x, y), (x, -y), (-x, -y), (y, x), (-y, x), (y, -x), (-y, -x)}
    encoded = {
        point: Statevector(circle_model_circuit(point, QuantumCircuit(3))).to_operator().data
        for point in images
    }
    for unitary in group.to_matrices():
        conjugated = unitary @ state @ unitary.conj().T
        assert any(np.allclose(conjugated, rho, atol=1e-10) for rho in encoded.values())


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(-math.pi, math.pi), min_size=12, max_size=12))
def test_projector_penalty_equals_symmetry_violation(values: list[float]) -> None:
    model = CIRCLE_MODEL
    group = circle_group("dihedral")
    coefficients = model.coefficients(np.array(values))
    operator = SparsePauliOp.from_operator(model.operator(np.array(values)))
    assert np.isclose(SymmetryProjector(group).penalty(coefficients),
                      symmetry_violation(operator, group), atol=1e-10)


def _estimator_penalty(circuit: QuantumCircuit, observable: SparsePauliOp, group: SymmetryGroup,
                       values: np.ndarray) -> float:
    estimator = SymmetryGuidedEstimator(StatevectorEstimator(), group, mode="penalty")
    data = estimator.run([(circuit, observable, values)]).result()[0].data
    return float(np.asarray(data.penalty).reshape(()))


@pytest.mark.parametrize("seed", [0, 1])
def test_training_penalty_equals_the_estimator_bell_pair_penalty(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Circle: dihedral group, exact average over its 8 elements.
    ansatz = circle_ansatz(layers=1)
    values = rng.uniform(0, 2 * np.pi, ansatz.num_parameters)
    model = HeisenbergModel(ansatz, circle_observable())
    trained = SymmetryProjector(circle_group("dihedral")).penalty(model.coefficients(values))
    measured = _estimator_penalty(ansatz, circle_observable(), circle_group("dihedral"), values)
    assert trained > 1e-3
    assert np.isclose(trained, measured, atol=1e-10)
    # Werner: the collective U ⊗ U twirl equals the twirl over the diagonal single-qubit
    # Clifford group (a unitary 2-design), which the estimator averages exactly.
    theta = rng.uniform(0.3, 2.8, size=1)
    hadamards, phases = QuantumCircuit(2), QuantumCircuit(2)
    hadamards.h([0, 1])
    phases.s([0, 1])
    diagonal_cliffords = SymmetryGroup.cliffords([hadamards, phases])
    werner = HeisenbergModel(werner_ansatz(), werner_observable())
    trained = SymmetryProjector(werner_group("collective")).penalty(werner.coefficients(theta))
    measured = _estimator_penalty(werner_ansatz(), werner_observable(), diagonal_cliffords, theta)
    assert np.isclose(trained, measured, atol=1e-10)
    # Closed form of the paper's Eq. (11) in this parametrisation: 3/4 (1 - cos⁴(θ/2)).
    assert np.isclose(trained, 0.75 * (1 - math.cos(theta[0] / 2) ** 4), atol=1e-10)


def test_werner_plain_finds_cnot_and_sggd_finds_identity() -> None:
    config = WernerConfig(num_train=20, num_test=200, steps=120)
    result = run_werner(config, seeds=(0, 1), symmetries=("none", "collective", "swap"))
    for run in result.runs_of("none"):
        assert run.solution == "cnot"
    for symmetry in ("collective", "swap"):
        for run in result.runs_of(symmetry):
            assert run.solution == "identity"
            assert run.test_accuracy >= 0.99
    plain = result.median_test_accuracy("none")
    assert plain <= result.median_test_accuracy("collective") - 0.2
    # CNOT calls every state separable: its accuracy is the separable fraction of the test set.
    assert "cnot 2" in result.table()


def test_circle_sggd_beats_plain_on_right_half_training() -> None:
    config = CircleConfig(num_test=600, steps=200)
    result = run_circle(config, seeds=(0, 1, 2))
    plain = [run.test_accuracy for run in result.runs_of("none")]
    swap = [run.test_accuracy for run in result.runs_of("swap")]
    guided = [run.test_accuracy for run in result.runs_of("dihedral")]
    # Either penalty carries the right half's labels over to part of the unseen left half.
    assert np.median(swap) > np.median(plain) + 0.05
    assert np.median(guided) > np.median(plain) + 0.05
    for run in result.runs_of("dihedral"):
        assert run.penalty < 0.05
        assert run.penalty_curve[-1] < run.penalty_curve[0]
    assert result.to_dict()["median_test_accuracy"]["none"] == pytest.approx(np.median(plain))


def test_classify_rejects_unknown_task_or_symmetry() -> None:
    with pytest.raises(ValueError, match="unknown task"):
        classify("mnist", "none")
    with pytest.raises(ValueError, match="unknown symmetry"):
        classify("werner", "dihedral")
    with pytest.raises(ValueError, match="unknown symmetry"):
        run_circle(CircleConfig(steps=1), seeds=(0,), symmetries=("collective",))


def test_dense_model_rejects_mismatched_widths() -> None:
    with pytest.raises(ValueError, match="qubits"):
        HeisenbergModel(werner_ansatz(), circle_observable())
    model = HeisenbergModel(werner_ansatz(), werner_observable())
    with pytest.raises(ValueError, match="parameter values"):
        model.coefficients(np.zeros(2))
    np.testing.assert_allclose(
        werner_features(np.array([0.5])) @ model.coefficients(np.zeros(1)),
        [np.trace(werner_observable().to_matrix() @ werner_state(0.5).data).real],
    )
