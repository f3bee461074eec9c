"""ISA mapping: SWAP-free layouts, observables that follow the layout, pruning, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import Pauli, SparsePauliOp, Statevector
from qiskit_ibm_runtime.fake_provider import FakeManilaV2, FakeSherbrooke

from qsympass.annotation import annotate
from qsympass.ansatz import layered_ansatz
from qsympass.hardware.isa import IsaProgram, require_isa, to_isa
from qsympass.models import lattice, tfim

SHERBROOKE = FakeSherbrooke()
MANILA = FakeManilaV2()


def _ring_program(annotated: bool) -> tuple[QuantumCircuit, SparsePauliOp, IsaProgram]:
    graph = lattice("ring", 12)
    hamiltonian = tfim(graph)
    ansatz = layered_ansatz(graph, 1, entanglers=("rzz",), initial_state="plus")
    circuit = annotate(ansatz, hamiltonian, max_exact_qubits=8) if annotated else ansatz
    return ansatz, hamiltonian, to_isa(circuit, hamiltonian, SHERBROOKE, hamiltonian=hamiltonian)


def test_ring_embeds_without_swaps_on_sherbrooke() -> None:
    ansatz, hamiltonian, program = _ring_program(annotated=False)
    assert program.swap_free_layout
    assert program.initial_layout is not None
    assert "swap" not in program.circuit.count_ops()
    num_rzz = ansatz.count_ops()["rzz"]
    assert num_rzz < program.two_qubit_gate_count <= 2 * num_rzz
    # Every two-qubit gate acts on the image of a Hamiltonian edge.
    layout = program.initial_layout
    edges = {frozenset((layout[a], layout[b])) for a, b in lattice("ring", 12).edges}
    for instruction in program.circuit.data:
        if instruction.operation.num_qubits == 2:
            qubits = frozenset(program.circuit.find_bit(q).index for q in instruction.qubits)
            assert qubits in edges
    require_isa(program.circuit, SHERBROOKE)
    assert program.observables[0].num_qubits == SHERBROOKE.num_qubits
    assert program.observables[0].simplify() == hamiltonian.apply_layout(layout, 127).simplify()


def test_annotated_circuit_is_pruned_and_plain_one_passes_through() -> None:
    ansatz, _, plain = _ring_program(annotated=False)
    _, _, pruned = _ring_program(annotated=True)
    assert plain.pruning is None
    assert plain.circuit.num_parameters == ansatz.num_parameters
    assert pruned.pruning is not None
    assert pruned.circuit.num_parameters < ansatz.num_parameters
    assert pruned.depth < plain.depth
    assert pruned.two_qubit_gate_count <= plain.two_qubit_gate_count
    assert pruned.swap_free_layout


def _random_hamiltonian(num_qubits: int, rng: np.random.Generator) -> SparsePauliOp:
    labels = ["".join(rng.choice(list("IXYZ"), num_qubits)) for _ in range(6)]
    return SparsePauliOp(labels, rng.normal(size=len(labels))).simplify()


@settings(max_examples=12, deadline=None)
@given(
    num_qubits=st.integers(2, 5),
    kind=st.sampled_from(["chain", "ring"]),
    seed=st.integers(0, 2**16),
)
def test_isa_energy_equals_logical_energy(num_qubits: int, kind: str, seed: int) -> None:
    # A ring does not embed in Manila's line: routing adds SWAPs, the final layout permutes the
    # qubits, and the observables must follow.
    kind = "chain" if num_qubits < 3 else kind
    rng = np.random.default_rng(seed)
    graph = lattice(kind, num_qubits)
    ansatz = layered_ansatz(graph, 1, entanglers=("rzz", "rxx"))
    observable = _random_hamiltonian(num_qubits, rng)
    program = to_isa(ansatz, observable, MANILA, hamiltonian=tfim(graph))
    assert program.swap_free_layout == (kind == "chain")
    require_isa(program.circuit, MANILA)
    values = rng.uniform(0, 2 * np.pi, ansatz.num_parameters)
    logical = Statevector(ansatz.assign_parameters(values)).expectation_value(observable)
    result = StatevectorEstimator().run([(program.circuit, program.observables, values)])
    assert np.allclose(result.result()[0].data.evs, [np.real(logical)], atol=1e-8)


def test_several_observables_are_all_mapped() -> None:
    ansatz = layered_ansatz(lattice("chain", 3), 1)
    observables = [SparsePauliOp("ZII"), SparsePauliOp("IXY")]
    program = to_isa(ansatz, observables, MANILA)
    assert len(program.observables) == 2
    assert all(op.num_qubits == MANILA.num_qubits for op in program.observables)


def test_circuit_wider_than_device_is_rejected() -> None:
    ansatz = layered_ansatz(lattice("chain", 6), 1)
    with pytest.raises(ValueError, match=r"6 qubits but .* has only 5"):
        to_isa(ansatz, SparsePauliOp("Z" * 6), MANILA)


def test_observable_of_another_width_is_rejected() -> None:
    ansatz = layered_ansatz(lattice("chain", 3), 1)
    with pytest.raises(ValueError, match="observable 1 acts on 2 qubits, expected 3"):
        to_isa(ansatz, [SparsePauliOp("ZZZ"), SparsePauliOp("ZZ")], MANILA)


def test_observables_given_as_labels_or_paulis_and_non_hermitian_ones() -> None:
    ansatz = layered_ansatz(lattice("chain", 3), 1)
    program = to_isa(ansatz, ["ZZZ", Pauli("XII")], MANILA, init_method=None)
    assert [o.num_qubits for o in program.observables] == [5, 5]
    assert to_isa(ansatz, "ZZZ", MANILA, init_method=None).observables[0].num_qubits == 5
    with pytest.raises(ValueError, match="observable 0 is not Hermitian"):
        to_isa(ansatz, SparsePauliOp("XYZ", 1j), MANILA, init_method=None)


def test_barriers_are_not_two_qubit_gates() -> None:
    circuit = QuantumCircuit(2)
    circuit.rx(0.3, 0)
    circuit.barrier()
    circuit.rx(0.3, 1)
    program = to_isa(circuit, "ZZ", MANILA, init_method=None)
    assert program.two_qubit_gate_count == 0


def test_hamiltonian_of_another_width_is_rejected() -> None:
    ansatz = layered_ansatz(lattice("chain", 3), 1)
    with pytest.raises(ValueError, match="hamiltonian acts on 4 qubits, expected 3"):
        to_isa(ansatz, SparsePauliOp("ZZZ"), MANILA, hamiltonian=SparsePauliOp("ZZZZ"))


def test_require_isa_names_the_first_unsupported_instruction() -> None:
    circuit = QuantumCircuit(2)
    circuit.rz(0.1, 0)
    circuit.h(1)
    with pytest.raises(ValueError, match=r"instruction 1 \(h on qubits \[1\]\).*not an ISA"):
        require_isa(circuit, MANILA)


def test_require_isa_rejects_gates_on_uncoupled_qubits() -> None:
    circuit = QuantumCircuit(5)
    circuit.ecr(0, 4)  # Manila is a line 0-1-2-3-4
    with pytest.raises(ValueError, match=r"ecr on qubits \[0, 4\]"):
        require_isa(circuit, MANILA)


def test_require_isa_rejects_wide_circuits() -> None:
    with pytest.raises(ValueError, match=r"7 qubits but .* has only 5"):
        require_isa(QuantumCircuit(7), MANILA)


def test_require_isa_accepts_transpiled_circuits_with_barriers() -> None:
    ansatz = layered_ansatz(lattice("chain", 3), 1)
    ansatz.barrier()
    program = to_isa(ansatz, SparsePauliOp("ZZZ"), MANILA)
    require_isa(program.circuit, MANILA)
