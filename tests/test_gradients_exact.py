"""Tests for qsympass.gradients.exact: ExactEngine against Qiskit references.

Energies are compared with ``Statevector`` expectation values; gradients with an exact
parameter shift computed here: the circuit is transpiled by Qiskit to ``rz``/``sx``/``cx`` (so
every parameterized gate is a Pauli rotation with an affine angle), each occurrence is shifted
by ±π/2 alone, and the chain rule sums the occurrences.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit import transpile
from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.circuit.library import (
    PauliEvolutionGate,
    XXMinusYYGate,
    XXPlusYYGate,
    efficient_su2,
)
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp, Statevector, random_statevector

from qsympass.circuits import affine_coefficients
from qsympass.gradients import exact
from qsympass.gradients.exact import ExactEngine

ROTATIONS_1Q = ["rx", "ry", "rz", "p"]
ROTATIONS_2Q = ["rxx", "ryy", "rzz", "rzx", "crx", "cry", "crz", "cp", "xxpyy", "xxmyy"]
FIXED_1Q = ["h", "s", "sx", "x", "t"]
FIXED_2Q = ["cx", "cz", "swap", "ch"]


def _append(circuit: QuantumCircuit, name: str, qubits: list[int], angle, rng) -> None:
    if name == "xxpyy":
        circuit.append(XXPlusYYGate(angle, float(rng.uniform(-np.pi, np.pi))), qubits[:2])
    elif name == "xxmyy":
        circuit.append(XXMinusYYGate(angle, float(rng.uniform(-np.pi, np.pi))), qubits[:2])
    elif name == "evolution":
        operator = SparsePauliOp(["ZZ", "XX", "YY"], rng.normal(size=3))
        circuit.append(PauliEvolutionGate(operator, angle), qubits[:2])
    elif name == "u":
        circuit.u(angle, 0.3 * angle, -0.2, qubits[0])
    else:
        getattr(circuit, name)(angle, *qubits[: 1 if name in ROTATIONS_1Q else 2])


def random_ansatz(seed: int, num_qubits: int, num_gates: int) -> QuantumCircuit:
    """Random mix of table gates, a translated ``u`` and fixed Cliffords with tied/linear angles."""
    rng = np.random.default_rng(seed)
    parameters = [Parameter(f"φ{j}") for j in range(3)]
    circuit = QuantumCircuit(num_qubits)
    names = ROTATIONS_1Q + ROTATIONS_2Q + FIXED_1Q + FIXED_2Q + ["evolution", "u"]
    for _ in range(num_gates):
        name = str(rng.choice(names))
        qubits = [int(q) for q in rng.permutation(num_qubits)]
        if name in FIXED_1Q:
            getattr(circuit, name)(qubits[0])
            continue
        if name in FIXED_2Q:
            getattr(circuit, name)(qubits[0], qubits[1])
            continue
        first, second = rng.choice(3, size=2, replace=False)
        angle = int(rng.integers(-2, 3)) * parameters[first] + float(rng.uniform(-1, 1))
        if rng.random() < 0.4:
            angle = angle + 0.5 * parameters[second]
        _append(circuit, name, qubits, angle, rng)
    for parameter in parameters:  # make every parameter occur at least once
        circuit.ry(parameter, int(rng.integers(num_qubits)))
    return circuit


def random_observable(seed: int, num_qubits: int) -> SparsePauliOp:
    rng = np.random.default_rng(seed + 1000)
    labels = ["".join(rng.choice(list("IXYZ"), size=num_qubits)) for _ in range(4)]
    return SparsePauliOp(labels, rng.normal(size=4)).simplify()


def reference_energy(circuit, observable, values, initial: Statevector) -> float:
    state = initial.evolve(circuit.assign_parameters(values))
    return float(state.expectation_value(observable).real)


def reference_gradient(circuit, observable, values, initial: Statevector | None) -> np.ndarray:
    """Exact parameter shift on Qiskit's own rz/sx/cx translation.

    With ``initial=None`` (|0…0⟩) all shifted circuits go to ``StatevectorEstimator`` at once;
    otherwise each is evolved from ``initial``.
    """
    translated = transpile(circuit, basis_gates=["rz", "sx", "x", "cx"], optimization_level=0)
    parameters = list(circuit.parameters)
    bindings = dict(zip(parameters, values, strict=True))
    shifted_circuits, chain = [], []
    for position, instruction in enumerate(translated.data):
        angle = instruction.operation.params[0] if instruction.operation.params else 0.0
        if not getattr(angle, "parameters", None):
            continue
        for shift in (0.5 * np.pi, -0.5 * np.pi):
            shifted = translated.copy()
            operation = shifted.data[position].operation.to_mutable()
            operation.params = [angle + shift]
            shifted.data[position] = shifted.data[position].replace(operation=operation)
            shifted_circuits.append(shifted.assign_parameters(bindings))
        chain.append(affine_coefficients(angle)[1])
    if initial is None:
        results = StatevectorEstimator().run([(c, observable) for c in shifted_circuits]).result()
        energies = [float(result.data.evs) for result in results]
    else:
        energies = [
            float(initial.evolve(c).expectation_value(observable).real) for c in shifted_circuits
        ]
    gradient = np.zeros(len(parameters))
    for index, coefficients in enumerate(chain):
        derivative = 0.5 * (energies[2 * index] - energies[2 * index + 1])
        for parameter, coefficient in coefficients.items():
            gradient[parameters.index(parameter)] += coefficient * derivative
    return gradient


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    num_qubits=st.integers(2, 5),
    num_gates=st.integers(1, 14),
    random_initial=st.booleans(),
)
def test_energy_and_gradient_match_qiskit(
    seed: int, num_qubits: int, num_gates: int, random_initial: bool
) -> None:
    circuit = random_ansatz(seed, num_qubits, num_gates)
    observable = random_observable(seed, num_qubits)
    initial = (
        random_statevector(2**num_qubits, seed=seed)
        if random_initial
        else Statevector.from_label("0" * num_qubits)
    )
    engine = ExactEngine(circuit, observable, initial_state=initial if random_initial else None)
    values = np.random.default_rng(seed).uniform(-np.pi, np.pi, circuit.num_parameters)
    energy, gradient = engine.energy_and_gradient(values)
    expected_energy = reference_energy(circuit, observable, values, initial)
    assert energy == pytest.approx(expected_energy, abs=1e-12)
    expected = reference_gradient(
        circuit, observable, values, initial if random_initial else None
    )
    np.testing.assert_allclose(gradient, expected, atol=1e-10)
    assert engine.energy(values) == pytest.approx(float(energy), abs=1e-13)


def test_batched_shapes_match_single_calls() -> None:
    circuit = random_ansatz(7, 3, 12)
    observable = random_observable(7, 3)
    engine = ExactEngine(circuit, observable)
    values = np.random.default_rng(1).uniform(0, 2 * np.pi, (2, 3, circuit.num_parameters))
    energies, gradients = engine.energy_and_gradient(values)
    assert energies.shape == (2, 3)
    assert gradients.shape == (2, 3, circuit.num_parameters)
    assert engine.statevector(values).shape == (2, 3, 8)
    for index in np.ndindex(2, 3):
        single_energy, single_gradient = engine.energy_and_gradient(values[index])
        assert single_energy == pytest.approx(energies[index], abs=1e-13)
        np.testing.assert_allclose(single_gradient, gradients[index], atol=1e-13)


def test_empty_batch_gives_empty_results_like_parameter_shift() -> None:
    circuit = random_ansatz(7, 3, 12)
    engine = ExactEngine(circuit, random_observable(7, 3))
    values = np.zeros((0, 2, circuit.num_parameters))
    energies, gradients = engine.energy_and_gradient(values)
    assert energies.shape == (0, 2)
    assert gradients.shape == (0, 2, circuit.num_parameters)
    assert engine.energy(values).shape == (0, 2)
    assert engine.statevector(values).shape == (0, 2, 8)


def test_statevector_matches_qiskit_up_to_global_phase() -> None:
    circuit = random_ansatz(3, 4, 14)
    engine = ExactEngine(circuit, SparsePauliOp("ZZZZ"))
    values = np.linspace(-1, 1, circuit.num_parameters)
    ours = engine.statevector(values)
    theirs = Statevector(circuit.assign_parameters(values)).data
    assert abs(abs(np.vdot(theirs, ours)) - 1) < 1e-12


@pytest.mark.parametrize("num_qubits", [6, 9])
def test_layered_ansatz_all_qubit_positions(num_qubits: int) -> None:
    """efficient_su2 exercises the single-qubit kernel on every qubit (short and long runs)."""
    circuit = efficient_su2(num_qubits, ["rx", "ry", "rz"], entanglement="circular", reps=2)
    terms = [("ZZ", [i, (i + 1) % num_qubits], -1.0) for i in range(num_qubits)]
    terms += [("X", [i], -0.7) for i in range(num_qubits)]
    observable = SparsePauliOp.from_sparse_list(terms, num_qubits)
    engine = ExactEngine(circuit, observable)
    values = np.random.default_rng(num_qubits).uniform(0, 2 * np.pi, circuit.num_parameters)
    energy, gradient = engine.energy_and_gradient(values)
    initial = Statevector.from_label("0" * num_qubits)
    expected_energy = reference_energy(circuit, observable, values, initial)
    assert energy == pytest.approx(expected_energy, abs=1e-12)
    # Every gate here is a Pauli rotation of one parameter: plain two-term shifts.
    shifts = 0.5 * np.pi * np.eye(circuit.num_parameters)
    plus = engine.energy(values + shifts)
    minus = engine.energy(values - shifts)
    np.testing.assert_allclose(gradient, 0.5 * (plus - minus), atol=1e-11)


def test_aer_estimator_agrees() -> None:
    from qiskit_aer.primitives import EstimatorV2

    circuit = random_ansatz(11, 3, 10)
    observable = random_observable(11, 3)
    values = np.random.default_rng(2).uniform(0, 2 * np.pi, (4, circuit.num_parameters))
    estimator = EstimatorV2(options={"run_options": {"shots": None}, "default_precision": 0.0})
    aer_circuit = transpile(circuit, basis_gates=["rz", "sx", "x", "cx"], optimization_level=0)
    evs = estimator.run([(aer_circuit, observable, values)]).result()[0].data.evs
    np.testing.assert_allclose(ExactEngine(circuit, observable).energy(values), evs, atol=1e-10)


def test_circuit_without_parameters() -> None:
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    engine = ExactEngine(circuit, SparsePauliOp(["ZZ", "XX"], [1.0, 0.5]))
    energy, gradient = engine.energy_and_gradient(np.zeros(0))
    assert energy == pytest.approx(1.5, abs=1e-14)
    assert gradient.shape == (0,)


@pytest.mark.parametrize(
    ("observable", "message"),
    [
        (SparsePauliOp("ZZZ"), "3 qubits"),
        (SparsePauliOp("XY", 1j), "Hermitian"),
    ],
)
def test_bad_observable(observable: SparsePauliOp, message: str) -> None:
    circuit = QuantumCircuit(2)
    circuit.rx(Parameter("a"), 0)
    with pytest.raises(ValueError, match=message):
        ExactEngine(circuit, observable)


def test_bad_circuit_values_and_state() -> None:
    a = Parameter("a")
    measured = QuantumCircuit(1, 1)
    measured.rx(a, 0)
    measured.measure(0, 0)
    with pytest.raises(ValueError, match="measurement"):
        ExactEngine(measured, SparsePauliOp("Z"))
    circuit = QuantumCircuit(1)
    circuit.rx(a, 0)
    with pytest.raises(ValueError, match="amplitudes"):
        ExactEngine(circuit, SparsePauliOp("Z"), initial_state=np.ones(4) / 2)
    with pytest.raises(ValueError, match="normalized"):
        ExactEngine(circuit, SparsePauliOp("Z"), initial_state=np.ones(2))
    with pytest.raises(ValueError, match="shape"):
        ExactEngine(circuit, SparsePauliOp("Z")).energy(np.zeros(3))
    nonlinear = QuantumCircuit(1)
    nonlinear.rx(a * a, 0)
    with pytest.raises(ValueError, match="affine"):
        ExactEngine(nonlinear, SparsePauliOp("Z"))


def _random_states(seed: int, count: int, num_qubits: int) -> np.ndarray:
    return np.array(
        [random_statevector(2**num_qubits, seed=seed + k).data for k in range(count)]
    )


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    num_qubits=st.integers(2, 5),
    num_gates=st.integers(1, 12),
    num_states=st.integers(1, 3),
)
def test_batched_initial_states_match_dense_references(
    seed: int, num_qubits: int, num_gates: int, num_states: int
) -> None:
    """m input states in one pass: every energy and Jacobian row equals its own reference."""
    circuit = random_ansatz(seed, num_qubits, num_gates)
    observable = random_observable(seed, num_qubits)
    states = _random_states(seed, num_states, num_qubits)
    engine = ExactEngine(circuit, observable, initial_state=states)
    values = np.random.default_rng(seed).uniform(-np.pi, np.pi, (2, circuit.num_parameters))
    energies, jacobians = engine.energy_and_gradient(values)
    assert energies.shape == (2, num_states)
    assert jacobians.shape == (2, num_states, circuit.num_parameters)
    np.testing.assert_allclose(engine.energy(values), energies, atol=1e-13)
    finals = engine.statevector(values)
    assert finals.shape == (2, num_states, 2**num_qubits)
    for row, state in enumerate(states):
        initial = Statevector(state)
        for batch in range(2):
            expected = reference_energy(circuit, observable, values[batch], initial)
            assert energies[batch, row] == pytest.approx(expected, abs=1e-12)
            reference = initial.evolve(circuit.assign_parameters(values[batch])).data
            assert abs(abs(np.vdot(reference, finals[batch, row])) - 1) < 1e-12
        gradient = reference_gradient(circuit, observable, values[0], initial)
        np.testing.assert_allclose(jacobians[0, row], gradient, atol=1e-10)


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    num_qubits=st.integers(2, 5),
    num_gates=st.integers(1, 14),
    window_width=st.integers(1, 3),
)
def test_narrow_windows_match_qiskit(
    seed: int, num_qubits: int, num_gates: int, window_width: int
) -> None:
    """Small registers cut into narrow windows: exercises every kernel kind at small n.

    Window blocks with the ``ρ`` gradient, monomial maps, cross-window Pauli and dense
    rotations and fixed gates all appear once the register is wider than the window.
    """
    circuit = random_ansatz(seed, num_qubits, num_gates)
    observable = random_observable(seed, num_qubits)
    states = _random_states(seed, 2, num_qubits)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exact, "_SINGLE_WINDOW_MAX", 0)
        patch.setattr(exact, "_WINDOW_WIDTH", window_width)
        engine = ExactEngine(circuit, observable, initial_state=states)
    values = np.random.default_rng(seed).uniform(-np.pi, np.pi, circuit.num_parameters)
    energies, jacobian = engine.energy_and_gradient(values)
    for row, state in enumerate(states):
        initial = Statevector(state)
        expected = reference_energy(circuit, observable, values, initial)
        assert energies[row] == pytest.approx(expected, abs=1e-12)
        gradient = reference_gradient(circuit, observable, values, initial)
        np.testing.assert_allclose(jacobian[row], gradient, atol=1e-10)


def test_fixed_gate_runs_fuse_into_one_monomial_map() -> None:
    """A CX ring with CZ and SWAP between rotation layers becomes one index map per run."""
    circuit = efficient_su2(6, ["ry", "rz"], entanglement="circular", reps=2)
    circuit.cz(0, 5)
    circuit.swap(1, 4)
    circuit.ry(circuit.parameters[0], 2)
    observable = SparsePauliOp.from_sparse_list([("XZ", [0, 3], 1.0), ("Y", [5], 0.5)], 6)
    engine = ExactEngine(circuit, observable)
    maps = [k for k in engine._kernels if isinstance(k, exact._MonomialMap)]
    assert len(maps) == 3  # two CX rings, then CZ + SWAP
    assert maps[-1].phase is not None  # CZ contributes signs
    values = np.random.default_rng(5).uniform(0, 2 * np.pi, circuit.num_parameters)
    energy, gradient = engine.energy_and_gradient(values)
    initial = Statevector.from_label("0" * 6)
    expected_energy = reference_energy(circuit, observable, values, initial)
    assert energy == pytest.approx(expected_energy, abs=1e-12)
    np.testing.assert_allclose(
        gradient, reference_gradient(circuit, observable, values, None), atol=1e-10
    )


def test_bad_batched_initial_states() -> None:
    circuit = QuantumCircuit(1)
    circuit.rx(Parameter("a"), 0)
    states = np.array([[1.0, 0.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="row 1"):
        ExactEngine(circuit, SparsePauliOp("Z"), initial_state=states)
    with pytest.raises(ValueError, match="amplitudes"):
        ExactEngine(circuit, SparsePauliOp("Z"), initial_state=np.ones((2, 2, 2)) / 2)
    with pytest.raises(ValueError, match="not normalized"):
        ExactEngine(circuit, SparsePauliOp("Z"), initial_state=np.array([np.nan, 0.0]))
