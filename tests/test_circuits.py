"""Tests for qsympass.circuits: the rotation table against Qiskit's own gate matrices."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.circuit import (
    ClassicalRegister,
    Gate,
    Parameter,
    QuantumCircuit,
    QuantumRegister,
)
from qiskit.circuit.library import (
    CPhaseGate,
    CRXGate,
    CRYGate,
    CRZGate,
    CU1Gate,
    PauliEvolutionGate,
    PhaseGate,
    RXGate,
    RXXGate,
    RYGate,
    RYYGate,
    RZGate,
    RZXGate,
    RZZGate,
    U1Gate,
    XXMinusYYGate,
    XXPlusYYGate,
)
from qiskit.quantum_info import Operator, SparsePauliOp
from qiskit.transpiler.exceptions import TranspilerError

from qsympass.circuits import (
    ROTATION_GATE_NAMES,
    AnsatzError,
    affine_coefficients,
    generators_commute,
    rotation_generator,
    to_rotation_basis,
    validate_ansatz,
)

THETA = Parameter("θ")


def _equal_up_to_phase(a: np.ndarray, b: np.ndarray) -> bool:
    index = np.unravel_index(np.argmax(np.abs(b)), b.shape)
    phase = a[index] / b[index]
    return bool(abs(abs(phase) - 1) < 1e-10 and np.allclose(a, phase * b, atol=1e-10))


def _gate_factories() -> list:
    beta = 0.37
    return [
        lambda t: RXGate(t),
        lambda t: RYGate(t),
        lambda t: RZGate(t),
        lambda t: RXXGate(t),
        lambda t: RYYGate(t),
        lambda t: RZZGate(t),
        lambda t: RZXGate(t),
        lambda t: CRXGate(t),
        lambda t: CRYGate(t),
        lambda t: CRZGate(t),
        lambda t: PhaseGate(t),
        lambda t: U1Gate(t),
        lambda t: CPhaseGate(t),
        lambda t: CU1Gate(t),
        lambda t: XXPlusYYGate(t, beta),
        lambda t: XXMinusYYGate(t, -1.3 * beta),
        lambda t: PauliEvolutionGate(SparsePauliOp(["ZZI", "XXX", "YYI"], [0.4, -1.1, 0.3]), t),
        lambda t: PauliEvolutionGate([SparsePauliOp("XZ", 0.7), SparsePauliOp("ZX", -0.2)], t),
    ]


@pytest.mark.parametrize("factory", _gate_factories())
@settings(max_examples=15, deadline=None)
@given(theta=st.floats(-2 * np.pi, 2 * np.pi, allow_nan=False))
def test_table_entry_matches_gate_matrix(factory, theta: float) -> None:
    symbolic = factory(THETA)
    circuit = QuantumCircuit(symbolic.num_qubits)
    circuit.append(symbolic, range(symbolic.num_qubits))
    rotation = rotation_generator(circuit.data[0], circuit)
    assert rotation is not None
    assert np.allclose(rotation.generator.coeffs.imag, 0)
    assert rotation.angle == THETA
    expected = Operator(factory(theta)).data
    generator = rotation.generator.to_matrix()
    assert np.allclose(generator, generator.conj().T)
    ours = scipy.linalg.expm(-0.5j * theta * generator)
    assert _equal_up_to_phase(ours, expected)


def test_every_table_name_is_tested() -> None:
    names = {factory(THETA).name for factory in _gate_factories()}
    assert names == set(ROTATION_GATE_NAMES)


def test_generator_is_embedded_on_circuit_qubits() -> None:
    circuit = QuantumCircuit(4)
    circuit.rzx(THETA, 3, 1)
    rotation = rotation_generator(circuit.data[0], circuit)
    assert rotation is not None
    assert rotation.qubits == (3, 1)
    assert rotation.on(4) == SparsePauliOp("ZIXI")  # Z on qubit 3, X on qubit 1


def test_fixed_gates_have_no_generator() -> None:
    circuit = QuantumCircuit(2)
    circuit.rx(0.3, 0)
    circuit.cx(0, 1)
    circuit.append(XXPlusYYGate(0.2, 0.1), [0, 1])
    assert all(rotation_generator(inst, circuit) is None for inst in circuit.data)


def test_affine_coefficients_of_linear_expressions() -> None:
    a, b = Parameter("a"), Parameter("b")
    offset, coefficients = affine_coefficients(2 * a - 0.5 * b + 1.25)
    assert offset == pytest.approx(1.25)
    assert coefficients == {a: pytest.approx(2.0), b: pytest.approx(-0.5)}
    assert affine_coefficients(0.75) == (0.75, {})


def test_nonlinear_angle_is_rejected() -> None:
    a = Parameter("a")
    circuit = QuantumCircuit(1)
    circuit.rx(a * a, 0)
    with pytest.raises(AnsatzError, match="not affine"):
        rotation_generator(circuit.data[0], circuit)


def test_parameterized_beta_is_rejected_but_translatable() -> None:
    a, b = Parameter("a"), Parameter("b")
    circuit = QuantumCircuit(2)
    circuit.append(XXPlusYYGate(a, b), [0, 1])
    with pytest.raises(TranspilerError, match="beta"):
        rotation_generator(circuit.data[0], circuit)
    translated = to_rotation_basis(circuit)
    _assert_translation_fits(circuit, translated, {a: 0.4, b: -1.2})


def test_noncommuting_pauli_evolution_is_rejected() -> None:
    # Its synthesis is a product formula, not the exact exp(-i t H) that simulators apply, so
    # neither the generator table nor the translation may accept it.
    circuit = QuantumCircuit(2)
    circuit.append(PauliEvolutionGate(SparsePauliOp(["XI", "ZI"]), THETA), [0, 1])
    with pytest.raises(AnsatzError, match="non-commuting"):
        rotation_generator(circuit.data[0], circuit)
    with pytest.raises(AnsatzError, match="non-commuting"):
        to_rotation_basis(circuit)
    from qsympass.gradients.exact import ExactEngine

    with pytest.raises(AnsatzError, match="non-commuting"):
        ExactEngine(circuit, SparsePauliOp(["ZZ", "XI"], [1.0, 0.5]))


def test_open_control_rotation_is_not_taken_as_closed() -> None:
    circuit = QuantumCircuit(2)
    circuit.crx(THETA, 0, 1, ctrl_state=0)
    with pytest.raises(AnsatzError, match="crx_o0"):
        rotation_generator(circuit.data[0], circuit)
    _assert_translation_fits(circuit, to_rotation_basis(circuit), {THETA: 0.9})


def _assert_translation_fits(original, translated, values) -> None:
    for instruction in translated.data:
        rotation_generator(instruction, translated)  # raises if something does not fit
    assert translated.parameters == original.parameters
    before = Operator(original.assign_parameters(values)).data
    after = Operator(translated.assign_parameters(values)).data
    assert _equal_up_to_phase(after, before)


def test_to_rotation_basis_translates_general_gates() -> None:
    a, b, c = Parameter("a"), Parameter("b"), Parameter("c")
    inner = QuantumCircuit(2)
    inner.rx(a, 0)
    inner.cx(0, 1)
    inner.u(a, b, 0.2, 1)
    circuit = QuantumCircuit(3)
    circuit.u(a, b, c, 0)
    circuit.r(a, b, 1)
    circuit.cu(a, b, c, 0.3, 2, 0)
    circuit.append(inner.to_gate(label="custom"), [1, 2])
    circuit.ccx(0, 1, 2)
    circuit.rzz(a + 2 * c, 0, 2)
    translated = to_rotation_basis(circuit)
    _assert_translation_fits(circuit, translated, {a: 0.3, b: -0.7, c: 1.1})
    assert translated.count_ops()["ccx"] == 1  # fixed gates are left alone
    assert translated.count_ops()["rzz"] == 1


def test_to_rotation_basis_names_untranslatable_gate() -> None:
    opaque = Gate("opaque", 1, [THETA])
    circuit = QuantumCircuit(1)
    circuit.append(opaque, [0])
    with pytest.raises(AnsatzError, match="opaque"):
        to_rotation_basis(circuit)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda qc: qc.measure(0, 0), "measurement"),
        (lambda qc: qc.reset(0), "reset"),
        (lambda qc: qc.initialize([0, 1], 0), "initialize"),
    ],
)
def test_validate_ansatz_rejects_nonunitary(build, message: str) -> None:
    circuit = QuantumCircuit(QuantumRegister(2), ClassicalRegister(1))
    circuit.rx(THETA, 0)
    build(circuit)
    with pytest.raises(ValueError, match=message):
        validate_ansatz(circuit)
    with pytest.raises(TranspilerError, match=message):
        validate_ansatz(circuit)


def test_validate_ansatz_rejects_control_flow() -> None:
    circuit = QuantumCircuit(QuantumRegister(1), ClassicalRegister(1))
    with circuit.if_test((circuit.clbits[0], 1)):
        circuit.x(0)
    with pytest.raises(AnsatzError, match="if_else"):
        validate_ansatz(circuit)
    loop = QuantumCircuit(1)
    with loop.for_loop(range(2)):
        loop.rx(THETA, 0)
    with pytest.raises(AnsatzError, match="for_loop"):
        validate_ansatz(loop)


def test_validate_ansatz_accepts_barriers_and_unused_clbits() -> None:
    circuit = QuantumCircuit(QuantumRegister(2), ClassicalRegister(1))
    circuit.rx(THETA, 0)
    circuit.barrier()
    circuit.cx(0, 1)
    circuit.delay(10, 0)
    validate_ansatz(circuit)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.sampled_from(["IX", "XI", "ZZ", "XX", "YY", "ZI", "IZ", "XY", "YZ"]),
        min_size=1,
        max_size=4,
        unique=True,
    )
)
def test_generators_commute_matches_matrices(labels: list[str]) -> None:
    op = SparsePauliOp(labels)
    matrices = [SparsePauliOp(label).to_matrix() for label in labels]
    dense = all(np.allclose(a @ b, b @ a) for a in matrices for b in matrices)
    assert generators_commute(op) == dense
