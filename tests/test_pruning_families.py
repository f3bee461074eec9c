"""Symmetric pruning per symmetry family, bad input, and the building blocks."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.library import (
    PauliEvolutionGate,
    StatePreparation,
    UnitaryGate,
    XGate,
    XXPlusYYGate,
)
from qiskit.converters import circuit_to_dag, dag_to_circuit
from qiskit.quantum_info import Operator, SparsePauliOp
from qiskit.transpiler.exceptions import TranspilerError

from qsympass.ansatz import layered_ansatz
from qsympass.models import heisenberg, lattice, tfim, xxz
from qsympass.pruning import SymmetricPruning
from qsympass.pruning.blocks import cut_blocks
from qsympass.pruning.gates import extract_gates
from qsympass.symmetry import SymmetryGroup


def brickwork(n: int, layers: int, prefix=None, gates=("rxx", "ryy", "rzz")) -> QuantumCircuit:
    edges = [(q, (q + 1) % n) for q in range(n)]
    groups = [edges[0::2], edges[1::2]]
    theta = ParameterVector("θ", layers * (n + len(gates) * n))
    circuit = QuantumCircuit(n)
    if prefix is not None:
        prefix(circuit)
    k = 0
    for _ in range(layers):
        for q in range(n):
            circuit.rz(theta[k], q)
            k += 1
        for group in groups:
            for a, b in group:
                for gate in gates:
                    getattr(circuit, gate)(theta[k], a, b)
                    k += 1
    return circuit


def _ties(report, first: str, second: str) -> bool:
    return report.parameter_map[first] == report.parameter_map[second] != "0"


def test_xxz_keeps_u1_and_ties_rxx_with_ryy():
    def neel(circuit):
        circuit.x([1, 3])

    hamiltonian = xxz(lattice("ring", 4), jxy=1.0, jz=0.5)
    _, report = SymmetricPruning(hamiltonian, score=False).prune(brickwork(4, 2, neel))
    assert "u1" in report.selected
    # gate order per edge: rxx, ryy, rzz after the four rz of the layer
    assert _ties(report, "θ[4]", "θ[5]")
    assert not _ties(report, "θ[4]", "θ[6]")


def test_heisenberg_keeps_su2_and_ties_rxx_ryy_rzz():
    def singlets(circuit):
        for a in (0, 2):
            circuit.x([a, a + 1])
            circuit.h(a)
            circuit.cx(a, a + 1)

    hamiltonian = heisenberg(lattice("ring", 4))
    _, report = SymmetricPruning(hamiltonian, score=False).prune(brickwork(4, 2, singlets))
    assert "su2" in report.selected
    assert "SU(2)" in report.kept["su2"]
    assert _ties(report, "θ[4]", "θ[5]") and _ties(report, "θ[4]", "θ[6]")
    assert report.parameter_map["θ[0]"] == "0"  # rz breaks SU(2)


def test_neel_state_keeps_translation_by_two():
    def neel(circuit):
        circuit.x([1, 3, 5])

    hamiltonian = tfim(lattice("ring", 6), h=0.5)
    _, report = SymmetricPruning(hamiltonian, score=False, forbid=["pauli"]).prune(
        brickwork(6, 1, neel, gates=("rzz",))
    )
    assert "different state" in report.dropped["spatial"]
    assert "order 6" in report.dropped["spatial"]  # translations by two and reflections


def test_cnot_ladder_breaks_translation_and_names_the_gate():
    n = 4
    theta = ParameterVector("θ", 2 * n)
    circuit = QuantumCircuit(n)
    for q in range(n):
        circuit.ry(theta[q], q)
    for q in range(n - 1):
        circuit.cx(q, q + 1)
    for q in range(n):
        circuit.ry(theta[n + q], q)
    _, report = SymmetricPruning(tfim(lattice("ring", n)), score=False).prune(circuit)
    assert "spatial" not in report.selected
    assert "fixed gate 'cx'" in report.dropped["spatial"]


def test_bad_input_raises_one_clear_error():
    hamiltonian = tfim(lattice("ring", 3))
    theta = ParameterVector("θ", 1)
    measured = QuantumCircuit(3, 1)
    measured.rx(theta[0], 0)
    measured.measure(0, 0)
    with pytest.raises(TranspilerError, match="measurement"):
        SymmetricPruning(hamiltonian).prune(measured)
    wide = QuantumCircuit(4)
    wide.rx(theta[0], 0)
    with pytest.raises(TranspilerError, match="qubits"):
        SymmetricPruning(hamiltonian).prune(wide)
    nonlinear = QuantumCircuit(3)
    nonlinear.rx(theta[0] ** 2, 0)
    with pytest.raises(TranspilerError, match="affine"):
        SymmetricPruning(hamiltonian).prune(nonlinear)
    wrong = SymmetryGroup.permutations([[1, 0, 2]], num_qubits=3)
    chain = tfim(lattice("chain", 3))
    rotation = QuantumCircuit(3)
    rotation.rx(theta[0], 0)
    with pytest.raises(TranspilerError, match="not a symmetry"):
        SymmetricPruning(chain, symmetries=[wrong]).prune(rotation)
    fixed = QuantumCircuit(3)
    fixed.h(0)
    with pytest.raises(TranspilerError, match="no parameters to prune"):
        SymmetricPruning(hamiltonian).prune(fixed)
    with pytest.raises(TranspilerError, match="unknown symmetry family"):
        SymmetricPruning(hamiltonian, force=["lattice"])
    tagged = QuantumCircuit(3, metadata={"qsympass": "pruned"})
    tagged.rx(theta[0], 0)
    with pytest.raises(TranspilerError, match=r"metadata\['qsympass'\] must be a dict"):
        SymmetricPruning(hamiltonian).prune(tagged)


def test_blocks_rule_layers_and_commuting_two_qubit_gates():
    theta = ParameterVector("θ", 9)
    circuit = QuantumCircuit(3)
    circuit.h(range(3))
    for q in range(3):
        circuit.rx(theta[q], q)
    for q in range(3):
        circuit.rz(theta[3 + q], q)
    circuit.rzz(theta[6], 0, 1)
    circuit.rxx(theta[7], 1, 2)
    circuit.ryy(theta[8], 1, 2)
    items = extract_gates(circuit)
    structure = cut_blocks(items, 3)
    assert structure.in_prefix.tolist() == [True] * 3 + [False] * 9
    levels = structure.levels[3:].tolist()
    assert levels[:3] == [0, 0, 0]  # one RX layer
    assert levels[4] == levels[5] == levels[6]  # RZ joined by the commuting RZZ
    assert levels[7] == levels[8] == levels[4] + 1  # RXX and RYY on one edge commute
    assert levels[3] == levels[7]  # as late as possible: RZ on qubit 0 waits
    # the rule does not depend on how the DAG is linearised
    relinearised = dag_to_circuit(circuit_to_dag(circuit.reverse_ops().reverse_ops()))
    other = cut_blocks(extract_gates(relinearised), 3)
    by_position = {}
    for item, level in zip(extract_gates(relinearised), other.levels, strict=True):
        by_position[(item.name, item.qubits)] = level
    for item, level in zip(items, structure.levels, strict=True):
        assert by_position[(item.name, item.qubits)] == level


def test_gates_a_symmetry_removes_stop_staggering_the_blocks():
    # the RZX chain round the ring staggers the levels, so the dihedral group alone empties
    # the circuit; the parity ΠX removes the RZX (and RY, RZ) gates, and the blocks of what is
    # left are translation-invariant again
    n = 6
    graph = lattice("ring", n)
    ansatz = layered_ansatz(graph, 2, entanglers=("rzz", "rzx"), initial_state="plus")
    pruned, report = SymmetricPruning(tfim(graph), score=False).prune(ansatz)
    statuses = {c.families: c.status for c in report.candidates}
    assert statuses[("spatial",)] == "empty"
    assert report.selected == ("spatial", "pauli")
    assert pruned.num_parameters == 4  # RX and RZZ, one angle each per layer
    assert set(pruned.count_ops()) == {"h", "rx", "rzz"}
    values = np.random.default_rng(7).uniform(-np.pi, np.pi, pruned.num_parameters)
    unitary = Operator(pruned.assign_parameters(values)).data
    shift = Operator(_translation(n)).data
    assert np.allclose(shift @ unitary, unitary @ shift, atol=1e-10)


def _translation(n: int) -> QuantumCircuit:
    circuit = QuantumCircuit(n)
    for q in range(n - 1):
        circuit.swap(q, q + 1)
    return circuit


_SWAP = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]])


def _two_qubit_sandwich(middle) -> QuantumCircuit:
    """|++⟩, a symmetric rotation layer, a fixed middle, another rotation layer."""
    theta = ParameterVector("t", 4)
    circuit = QuantumCircuit(2)
    circuit.h([0, 1])
    circuit.ry(theta[0], 0)
    circuit.ry(theta[1], 1)
    middle(circuit)
    circuit.ry(theta[2], 0)
    circuit.ry(theta[3], 1)
    return circuit


def _commutes_with_swap(pruned: QuantumCircuit) -> bool:
    values = np.random.default_rng(0).uniform(-2, 2, pruned.num_parameters)
    unitary = Operator(pruned.assign_parameters(values)).data
    return bool(np.allclose(_SWAP @ unitary, unitary @ _SWAP, atol=1e-9))


@pytest.mark.parametrize(
    ("middle", "symmetric"),
    [
        (lambda c: c.append(XXPlusYYGate(0.7, 0.0), [0, 1]), True),
        (lambda c: c.append(XXPlusYYGate(0.7, 0.4), [0, 1]), False),  # β ≠ 0: not SWAP-even
        (lambda c: c.rzx(0.3, 0, 1), False),
        (lambda c: (c.append(PauliEvolutionGate(SparsePauliOp("Z"), 0.3), [0]),
                    c.append(PauliEvolutionGate(SparsePauliOp("Y"), 0.3), [1])), False),
        (lambda c: (c.append(PauliEvolutionGate(SparsePauliOp("Z"), 0.3), [0]),
                    c.append(PauliEvolutionGate(SparsePauliOp("Z"), 0.3), [1])), True),
        (lambda c: (c.append(UnitaryGate(Operator(XGate()).data), [0]),
                    c.append(UnitaryGate(Operator(XGate()).data), [1])), True),
    ],
)
def test_fixed_gates_are_compared_by_their_action(middle, symmetric: bool) -> None:
    circuit = _two_qubit_sandwich(middle)
    # max_exact_qubits=0: symmetry logic only, no ground-state reachability check
    pruned, report = SymmetricPruning(
        xxz(lattice("chain", 2)), score=False, max_exact_qubits=0,
        forbid=["pauli", "u1", "time_reversal"],
    ).prune(circuit)
    # a compatible family may still lose the selection (e.g. a candidate without entanglers)
    compatible = "spatial" in report.selected or "compatible" in report.dropped["spatial"]
    assert compatible == symmetric, report.dropped.get("spatial")
    if not symmetric:
        assert "has no image under permutation (1, 0)" in report.dropped["spatial"]
    if "spatial" in report.selected:
        assert _commutes_with_swap(pruned)


def test_state_preparation_and_u_gates_are_handled() -> None:
    hamiltonian = heisenberg(lattice("chain", 2))
    theta = ParameterVector("t", 6)
    prepared = QuantumCircuit(2)
    prepared.append(StatePreparation([0, 1 / np.sqrt(2), -1 / np.sqrt(2), 0]), [0, 1])
    prepared.rxx(theta[0], 0, 1)
    prepared.rzz(theta[1], 0, 1)
    _, report = SymmetricPruning(hamiltonian, score=False).prune(prepared)
    assert report.selected  # the singlet is an eigenstate of the conserved charges
    general = QuantumCircuit(2)
    general.h([0, 1])
    general.u(theta[0], theta[1], theta[2], 0)
    general.u(theta[3], theta[4], theta[5], 1)
    pruned, _ = SymmetricPruning(tfim(lattice("chain", 2), 1.0, 0.7)).prune(general)
    assert pruned.num_parameters <= 6


def test_an_unpruned_circuit_comes_back_as_it_came_in() -> None:
    theta = ParameterVector("t", 3)
    circuit = QuantumCircuit(2)
    circuit.h([0, 1])
    circuit.u(theta[0], theta[1], theta[2], 0)
    circuit.cx(0, 1)
    pruned, report = SymmetricPruning(tfim(lattice("chain", 2), 1.0, 0.7), score=False).prune(
        circuit
    )
    assert report.selected == ()
    assert [i.operation.name for i in pruned.data] == ["h", "h", "u", "cx"]
    assert pruned.metadata["qsympass"]["pruning"]["num_parameters_after"] == 3


def test_a_parameterized_global_phase_follows_the_new_parameters() -> None:
    a, b, c, d = (Parameter(name) for name in "abcd")
    circuit = QuantumCircuit(2)
    circuit.h([0, 1])
    circuit.rx(a, 0)
    circuit.rx(b, 1)
    circuit.rzz(c, 0, 1)
    circuit.rx(d, 0)
    circuit.global_phase = a + d
    pruned, report = SymmetricPruning(tfim(lattice("chain", 2), 1.0, 0.7), score=False).prune(
        circuit
    )
    assert report.basis is not None
    assert pruned.num_parameters == report.basis.shape[1] == report.num_parameters_after
    phi = np.array([0.4, -0.9])[: pruned.num_parameters]
    theta = report.basis.toarray() @ phi
    bound = circuit.assign_parameters(dict(zip(circuit.parameters, theta, strict=True)))
    original = Operator(bound)
    assert np.allclose(Operator(pruned.assign_parameters(phi)).data, original.data, atol=1e-10)


def _assert_pruned_equals_original(circuit, pruned, report, phi) -> None:
    theta = report.basis.toarray() @ phi
    original = Operator(circuit.assign_parameters(dict(zip(circuit.parameters, theta,
                                                           strict=True))))
    image = Operator(pruned.assign_parameters(dict(zip(pruned.parameters, phi, strict=True))))
    assert np.allclose(image.data, original.data, atol=1e-10)


def test_inputs_that_already_use_phi_names_are_pruned_again() -> None:
    phi = ParameterVector("φ", 3)
    circuit = QuantumCircuit(3)
    circuit.h(range(3))
    for qubit in range(3):
        circuit.u(phi[0], phi[1], phi[2], qubit)
    hamiltonian = tfim(lattice("ring", 3))
    pruned, report = SymmetricPruning(hamiltonian, score=False).prune(circuit)
    assert all(p.name.startswith("φ[") for p in pruned.parameters)
    values = np.linspace(-1.0, 1.2, pruned.num_parameters)
    _assert_pruned_equals_original(circuit, pruned, report, values)
    again, second = SymmetricPruning(hamiltonian, score=False).prune(pruned)
    _assert_pruned_equals_original(pruned, again, second, values[: again.num_parameters])


def test_a_parameter_that_moves_no_gate_keeps_an_identity_basis() -> None:
    a, b = Parameter("a"), Parameter("b")
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.ry(a, 0)
    circuit.global_phase = b
    pruned, report = SymmetricPruning(tfim(lattice("ring", 3)), score=False).prune(circuit)
    assert report.selected == () and report.basis is not None
    assert report.basis.shape == (2, 2) and pruned.num_parameters == 2
    _assert_pruned_equals_original(circuit, pruned, report, np.array([0.3, -0.8]))


def test_a_parameterized_delay_follows_the_new_parameters() -> None:
    theta = ParameterVector("t", 8)
    circuit = QuantumCircuit(4)
    circuit.h(range(4))
    for qubit in range(4):
        circuit.rx(theta[qubit], qubit)
    circuit.delay(theta[0], 0)
    for qubit in range(4):
        circuit.rzz(theta[4 + qubit], qubit, (qubit + 1) % 4)
    pruned, report = SymmetricPruning(tfim(lattice("ring", 4), 1.0, 0.7), score=False).prune(
        circuit
    )
    assert [p.name for p in pruned.parameters] == ["φ[0]", "φ[1]"]
    delay = next(i for i in pruned.data if i.name == "delay")
    assert str(delay.operation.params[0]) == report.parameter_map["t[0]"]


def test_irrational_angle_ratios_keep_the_symmetry_exactly() -> None:
    a, b = Parameter("a"), Parameter("b")
    circuit = QuantumCircuit(2)
    circuit.h([0, 1])
    circuit.rz(np.pi * a, 0)
    circuit.rz(b, 1)
    circuit.rzz(0.3, 0, 1)
    pruned, report = SymmetricPruning(
        xxz(lattice("chain", 2)), score=False, max_exact_qubits=0, force=["spatial"],
        forbid=["pauli", "u1", "time_reversal"],
    ).prune(circuit)
    assert pruned.num_parameters == 1
    assert _commutes_with_swap(pruned)
    assert report.basis is not None
    entries = np.sort(np.abs(report.basis.toarray().ravel()))
    np.testing.assert_allclose(entries, np.array([1.0, np.pi]))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_exact_qubits": "12"}, "max_exact_qubits must be an integer >= 0"),
        ({"eqntk_samples": 0}, "eqntk_samples must be an integer >= 2"),
        ({"seed": "x"}, "seed must be an integer >= 0"),
        ({"symmetries": 42}, "symmetries must be a Symmetries"),
        ({"force": 3}, "force must be family names"),
    ],
)
def test_bad_options_raise_one_transpiler_error(options, message) -> None:
    hamiltonian = tfim(lattice("ring", 3))
    with pytest.raises(TranspilerError, match=message):
        pass_ = SymmetricPruning(hamiltonian, **options)
        pass_.prune(layered_ansatz(lattice("ring", 3), 1))


def test_a_single_family_name_is_one_name() -> None:
    assert SymmetricPruning(tfim(lattice("ring", 3)), force="spatial").force == ("spatial",)
    with pytest.raises(TranspilerError, match="expects a QuantumCircuit"):
        SymmetricPruning(tfim(lattice("ring", 3))).prune("abc")
