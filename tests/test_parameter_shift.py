"""Tests of parameter-shift gradients through EstimatorV2 (qsympass.gradients.parameter_shift)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.circuit import Parameter, ParameterVector, QuantumCircuit
from qiskit.circuit.library import PauliEvolutionGate, XXMinusYYGate, XXPlusYYGate
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp, Statevector
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_aer import AerSimulator
from qiskit_aer.primitives import EstimatorV2 as AerEstimator
from spies import SpyEstimator

from qsympass.gradients.parameter_shift import (
    GradientResult,
    ParameterShiftGradient,
    build_shift_plan,
)
from qsympass.gradients.shift_rules import shift_rule


def random_circuit(num_qubits: int, depth: int, seed: int) -> QuantumCircuit:
    """Random circuit over the whole rotation table, with tied parameters and affine angles."""
    rng = np.random.default_rng(seed)
    theta = ParameterVector("θ", 3)
    circuit = QuantumCircuit(num_qubits)

    def angle() -> Any:
        a, b = rng.choice(3, size=2, replace=False)
        kind = rng.integers(3)
        if kind == 0:
            return theta[a]
        if kind == 1:
            return 2.0 * theta[a] - 0.5
        return theta[a] - 0.7 * theta[b] + 0.3

    one = ["rx", "ry", "rz", "p", "h", "s", "sx"]
    two = ["rxx", "ryy", "rzz", "rzx", "crx", "cry", "crz", "cp", "xy+", "xy-", "evo", "cx"]
    for qubit in range(num_qubits):  # make sure every parameter appears
        getattr(circuit, ["rx", "ry", "rz"][qubit % 3])(theta[qubit % 3], qubit)
    for _ in range(depth):
        if num_qubits == 1 or rng.random() < 0.4:
            name, qubits = rng.choice(one), [int(rng.integers(num_qubits))]
        else:
            name = rng.choice(two)
            qubits = [int(q) for q in rng.choice(num_qubits, size=2, replace=False)]
        if name in ("h", "s", "sx", "cx"):
            getattr(circuit, name)(*qubits)
        elif name == "xy+":
            circuit.append(XXPlusYYGate(angle(), 0.4), qubits)
        elif name == "xy-":
            circuit.append(XXMinusYYGate(angle(), -0.2), qubits)
        elif name == "evo":
            op = SparsePauliOp.from_list([("ZZ", 0.5), ("XX", -0.3), ("YY", 0.2)])
            circuit.append(PauliEvolutionGate(op, time=angle()), qubits)
        else:
            getattr(circuit, name)(angle(), *qubits)
    for k in range(3):  # guarantee all three parameters are used
        circuit.ry(theta[k], k % num_qubits)
    return circuit


def dense_energy(circuit: QuantumCircuit, op: SparsePauliOp, values: np.ndarray) -> float:
    return float(Statevector(circuit.assign_parameters(values)).expectation_value(op).real)


def five_point_gradient(
    circuit: QuantumCircuit, op: SparsePauliOp, values: np.ndarray, h: float = 1e-3
) -> np.ndarray:
    gradient = np.zeros(len(values))
    for k in range(len(values)):
        e = np.eye(len(values))[k] * h
        f = [dense_energy(circuit, op, values + s * e) for s in (-2, -1, 1, 2)]
        gradient[k] = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h)
    return gradient


def random_observable(num_qubits: int, rng: np.random.Generator) -> SparsePauliOp:
    labels = ["".join(rng.choice(list("IXYZ"), size=num_qubits)) for _ in range(4)]
    return SparsePauliOp(labels, rng.normal(size=4)).simplify()


@settings(max_examples=25, deadline=None)
@given(
    num_qubits=st.integers(1, 3),
    depth=st.integers(1, 8),
    seed=st.integers(0, 2**32 - 1),
)
def test_gradient_matches_finite_differences(num_qubits: int, depth: int, seed: int) -> None:
    circuit = random_circuit(num_qubits, depth, seed)
    rng = np.random.default_rng(seed)
    op = random_observable(num_qubits, rng)
    values = rng.uniform(-np.pi, np.pi, (2, circuit.num_parameters))
    result = ParameterShiftGradient(StatevectorEstimator()).run(circuit, op, values)
    for b in range(2):
        assert result.values[b] == pytest.approx(dense_energy(circuit, op, values[b]), abs=1e-10)
        np.testing.assert_allclose(
            result.gradients[b], five_point_gradient(circuit, op, values[b]), atol=1e-8
        )


@pytest.mark.parametrize(
    ("labels", "coeffs"),
    [
        (["Z"], [1.0]),  # Pauli: two terms
        (["XI", "XZ"], [0.5, -0.5]),  # CRX: four terms
        (["IZ", "ZI", "ZZ"], [0.5, 0.5, -0.5]),  # CPhase: one frequency
        (["ZI", "IZ"], [1.0, 0.5]),  # frequencies 1/4, 1/2, 3/4
        (["ZI", "IZ"], [1.0, np.sqrt(2)]),  # incommensurate frequencies
    ],
)
def test_shift_rule_differentiates_trigonometric_polynomials(
    labels: list[str], coeffs: list[float]
) -> None:
    generator = SparsePauliOp(labels, coeffs)
    eigenvalues = np.linalg.eigvalsh(generator.to_matrix())
    frequencies = np.unique(np.abs(eigenvalues[:, None] - eigenvalues[None, :]) / 2)
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2, len(frequencies)))

    def f(x: float) -> float:
        return float(np.sum(a * np.cos(frequencies * x) + b * np.sin(frequencies * x)))

    def df(x: float) -> float:
        phase = frequencies * x
        return float(np.sum(frequencies * (-a * np.sin(phase) + b * np.cos(phase))))

    rule = shift_rule(generator)
    for x in rng.uniform(-3, 3, 4):
        estimate = sum(
            c * (f(x + s) - f(x - s)) for s, c in zip(rule.shifts, rule.coefficients, strict=True)
        )
        assert estimate == pytest.approx(df(x), abs=1e-10)


def test_pauli_and_controlled_rules_are_the_textbook_ones() -> None:
    pauli = shift_rule(SparsePauliOp("X"))
    assert pauli.shifts == pytest.approx((np.pi / 2,))
    assert pauli.coefficients == pytest.approx((0.5,))
    crx = shift_rule(SparsePauliOp(["XI", "XZ"], [0.5, -0.5]))
    assert crx.shifts == pytest.approx((np.pi / 2, 3 * np.pi / 2))
    d1, d2 = (np.sqrt(2) + 1) / (4 * np.sqrt(2)), (np.sqrt(2) - 1) / (4 * np.sqrt(2))
    assert crx.coefficients == pytest.approx((d1, -d2))


def test_one_pub_holds_all_shifts_and_occurrences_are_counted() -> None:
    theta = Parameter("θ")
    phi = Parameter("φ")
    circuit = QuantumCircuit(2)
    circuit.rx(theta, 0)
    circuit.ry(2 * theta + phi, 1)
    circuit.crx(phi, 0, 1)
    plan = build_shift_plan(circuit)
    assert len(plan.shift_parameters) == 3
    # 1 unshifted + 2 (rx) + 2 (ry) + 4 (crx, four-term rule)
    assert plan.num_evaluations == 9
    spy = SpyEstimator()
    values = np.random.default_rng(0).uniform(-1, 1, (5, 2))
    ParameterShiftGradient(spy).run(circuit, SparsePauliOp("ZZ"), values)
    assert spy.calls == [1]


def test_batch_and_observable_broadcasting() -> None:
    circuit = random_circuit(2, 5, seed=3)
    ops = [[SparsePauliOp("ZI")], [SparsePauliOp.from_list([("XY", 0.3), ("ZZ", 1.0)])]]
    values = np.random.default_rng(2).uniform(-2, 2, (3, circuit.num_parameters))
    result = ParameterShiftGradient(StatevectorEstimator()).run(circuit, ops, values)
    assert result.values.shape == (2, 3)
    assert result.gradients.shape == (2, 3, circuit.num_parameters)
    assert result.stds.shape == (2, 3)
    assert result.gradient_stds.shape == (2, 3, circuit.num_parameters)
    for i, (op,) in enumerate(ops):
        for b in range(3):
            np.testing.assert_allclose(
                result.gradients[i, b], five_point_gradient(circuit, op, values[b]), atol=1e-8
            )


def test_parameter_subset_and_metadata() -> None:
    circuit = random_circuit(2, 4, seed=5)
    params = list(circuit.parameters)
    values = np.array([0.3, -0.4, 1.1])
    op = SparsePauliOp("XZ")
    full = ParameterShiftGradient(StatevectorEstimator()).run(circuit, op, values)
    part = ParameterShiftGradient(StatevectorEstimator()).run(
        circuit, op, values, parameters=[params[2], params[0]]
    )
    assert isinstance(part, GradientResult)
    np.testing.assert_allclose(part.gradients, full.gradients[[2, 0]], atol=1e-12)
    assert part.metadata["version"] == 2
    assert part.metadata["parameter_shift"]["pub_metadata"]["target_precision"] == 0.0


def test_shot_based_estimator_reports_gradient_errors() -> None:
    circuit = random_circuit(2, 4, seed=7)
    values = np.array([0.1, 0.5, -0.3])
    estimator = AerEstimator(options={"run_options": {"seed_simulator": 11}})
    pass_manager = generate_preset_pass_manager(optimization_level=1, backend=AerSimulator())
    result = ParameterShiftGradient(estimator, pass_manager=pass_manager, precision=0.02).run(
        circuit, SparsePauliOp("ZZ"), values
    )
    exact = five_point_gradient(circuit, SparsePauliOp("ZZ"), values)
    assert np.all(result.gradient_stds > 0)
    assert np.all(np.abs(result.gradients - exact) < 5 * result.gradient_stds)
    assert result.metadata["parameter_shift"]["pub_metadata"]["target_precision"] == 0.02


def test_bad_input_raises_value_error() -> None:
    circuit = random_circuit(2, 3, seed=1)
    gradient = ParameterShiftGradient(StatevectorEstimator())
    with pytest.raises(ValueError, match="last axis"):
        gradient.run(circuit, SparsePauliOp("ZZ"), np.zeros(2))
    with pytest.raises(ValueError, match="do not appear"):
        gradient.run(circuit, SparsePauliOp("ZZ"), np.zeros(3), parameters=[Parameter("x")])
    measured = circuit.copy()
    measured.measure_all()
    with pytest.raises(ValueError, match="measurement"):
        gradient.run(measured, SparsePauliOp("ZZ"), np.zeros(3))
    first = next(iter(circuit.parameters))
    with pytest.raises(ValueError, match="listed more than once"):
        gradient.run(circuit, SparsePauliOp("ZZ"), np.zeros(3), parameters=[first, first])


def test_multi_term_evolution_is_differentiated_term_by_term() -> None:
    # three commuting terms with incommensurate weights: no stable rule for the whole generator
    a = Parameter("a")
    circuit = QuantumCircuit(3)
    circuit.ry(0.3, 0)
    circuit.ry(1.1, 1)
    operator = SparsePauliOp(["XII", "IXI", "IIX"], [1.0, 0.5, 0.2])
    circuit.append(PauliEvolutionGate(operator, time=2 * a - 0.1), [0, 1, 2])
    op = SparsePauliOp(["ZII", "IYZ"], [1.0, 0.3])
    plan = build_shift_plan(circuit)
    assert len(plan.shift_parameters) == 3
    result = ParameterShiftGradient(StatevectorEstimator()).run(circuit, op, [0.4])
    np.testing.assert_allclose(
        result.gradients, five_point_gradient(circuit, op, np.array([0.4])), atol=1e-8
    )


def test_a_circuit_with_nothing_to_bind_runs_once_for_a_batch() -> None:
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    spy = SpyEstimator(AerEstimator())
    result = ParameterShiftGradient(spy).run(circuit, SparsePauliOp("XX"), np.zeros((3, 0)))
    assert spy.pubs[0].shape == (1,)
    assert result.values.shape == result.stds.shape == (3,)
    assert result.gradients.shape == result.gradient_stds.shape == (3, 0)
    np.testing.assert_allclose(result.values, 1.0, atol=1e-12)
    result.values[0] = 0.0  # the caller's own arrays, not read-only views


def test_parameter_only_in_the_global_phase_has_zero_gradient() -> None:
    circuit = random_circuit(2, 4, seed=3)
    phase = Parameter("ω")
    circuit.global_phase = phase
    values = np.array([[0.4, 0.3, -0.4, 1.1], [1.0, -0.2, 0.5, 0.7]])
    op = SparsePauliOp(["XZ", "YY"], [0.5, 1.0])
    result = ParameterShiftGradient(StatevectorEstimator()).run(circuit, op, values)
    index = list(circuit.parameters).index(phase)
    for row, gradient in zip(values, result.gradients, strict=True):
        expected = five_point_gradient(circuit, op, row)
        assert expected[index] == pytest.approx(0.0, abs=1e-9)
        np.testing.assert_allclose(gradient, expected, atol=1e-7)


def test_isa_circuit_with_laid_out_observable_matches_logical_gradient():
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    from qsympass.ansatz import layered_ansatz
    from qsympass.gradients.exact import ExactEngine
    from qsympass.models import lattice, tfim

    graph = lattice("chain", 3)
    circuit = layered_ansatz(graph, 1, initial_state="plus")
    hamiltonian = tfim(graph)
    isa = generate_preset_pass_manager(1, backend=FakeManilaV2(), seed_transpiler=1).run(circuit)
    values = np.random.default_rng(0).uniform(0, 2 * np.pi, circuit.num_parameters)
    result = ParameterShiftGradient(StatevectorEstimator()).run(
        isa, hamiltonian.apply_layout(isa.layout), values
    )
    energy, gradient = ExactEngine(circuit, hamiltonian).energy_and_gradient(values)
    assert float(result.values) == pytest.approx(float(energy), abs=1e-10)
    np.testing.assert_allclose(result.gradients, gradient, atol=1e-10)


def test_pass_manager_lays_out_observables_of_the_device_width():
    # A 5-qubit circuit on the 5-qubit FakeManilaV2: logical and physical widths agree, but the
    # layout still permutes the qubits, so the observable must follow it.
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    theta = ParameterVector("t", 5)
    circuit = QuantumCircuit(5)
    for qubit in range(5):
        circuit.ry(theta[qubit], qubit)
    for control, target in [(0, 2), (2, 4), (4, 1), (1, 3), (3, 0)]:
        circuit.cx(control, target)
    observable = SparsePauliOp(["ZIIII", "IIXIZ"], [1.0, 0.5])
    values = np.array([0.3, -0.7, 1.1, 0.5, -1.4])
    manager = generate_preset_pass_manager(1, backend=FakeManilaV2(), seed_transpiler=0)
    assert manager.run(circuit).layout.final_index_layout() != list(range(5))
    logical = ParameterShiftGradient(StatevectorEstimator()).run(circuit, observable, values)
    transpiled = ParameterShiftGradient(StatevectorEstimator(), pass_manager=manager).run(
        circuit, observable, values
    )
    expected = Statevector(circuit.assign_parameters(values)).expectation_value(observable).real
    assert float(transpiled.values) == pytest.approx(expected, abs=1e-10)
    np.testing.assert_allclose(transpiled.gradients, logical.gradients, atol=1e-10)
