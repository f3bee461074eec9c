"""Reachability checks of candidate prunings: the stabilizer-sector fast path against the Krylov
closure, and the connectivity test used above ``max_exact_qubits``."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterVector
from qiskit.quantum_info import Pauli, SparsePauliOp, Statevector, random_clifford

from qsympass.ansatz import layered_ansatz
from qsympass.models import lattice, tfim
from qsympass.pruning import SymmetricPruning
from qsympass.pruning.candidates import (
    GROUND_WEIGHT_TOLERANCE,
    entangles_coupled_qubits,
    krylov_ground_weight,
    qubit_pairs,
    reachable_ground_weight,
    stabilizer_sector,
    stabilizer_state,
)
from qsympass.pruning.constraints import ConstraintSystem
from qsympass.pruning.gates import extract_gates


def _random_string(rng: np.random.Generator, n: int) -> Pauli:
    return Pauli("".join(rng.choice(list("IXYZ"), size=n)))


def _case(seed: int, tied: bool) -> tuple:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 7))
    clifford = random_clifford(n, seed=seed)
    start = np.asarray(Statevector(clifford.to_circuit()).data)
    generators = []
    for _ in range(int(rng.integers(1, 5))):
        terms = [_random_string(rng, n) for _ in range(int(rng.integers(1, 4) if tied else 1))]
        generators.append(SparsePauliOp(terms, rng.standard_normal(len(terms))).simplify())
    ground = np.linalg.qr(rng.standard_normal((2**n, int(rng.integers(1, 3)))))[0]
    return clifford, start, generators, ground


def _subspace_weight(start: np.ndarray, generators: list, ground: np.ndarray) -> tuple:
    """Dense reference: the full Krylov closure and the ground weight inside it."""
    basis = start.reshape(-1, 1).astype(complex)
    matrices = [g.to_matrix() for g in generators]
    while True:
        images = np.hstack([basis] + [m @ basis for m in matrices])
        u, s, _ = np.linalg.svd(images, full_matrices=False)
        grown = u[:, s > 1e-9 * s[0]]
        if grown.shape[1] == basis.shape[1]:
            break
        basis = grown
    return float(np.linalg.norm(basis.conj().T @ ground, 2) ** 2), basis.shape[1]


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_single_strings_sector_equals_krylov(seed: int) -> None:
    clifford, start, generators, ground = _case(seed, tied=False)
    state = stabilizer_state(clifford.to_circuit())
    assert state is not None
    sector = stabilizer_sector(state, generators, ground)
    weight, dimension = _subspace_weight(start, generators, ground)
    assert sector.exact
    assert sector.dimension == dimension
    assert np.isclose(sector.ground_weight, weight, atol=1e-8)
    fast = reachable_ground_weight(start, generators, ground, state)
    assert np.isclose(fast[0], weight, atol=1e-8) and fast[1] == dimension


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_tied_sums_sector_bounds_krylov(seed: int) -> None:
    clifford, start, generators, ground = _case(seed, tied=True)
    state = stabilizer_state(clifford.to_circuit())
    assert state is not None
    sector = stabilizer_sector(state, generators, ground)
    weight, dimension = _subspace_weight(start, generators, ground)
    assert sector.dimension >= dimension
    assert sector.ground_weight >= weight - 1e-8
    # with the fast path the verdict (misses or not) equals the Krylov path's
    fast, _ = reachable_ground_weight(start, generators, ground, state)
    slow, _ = krylov_ground_weight(start, generators, ground)
    assert (fast < 1 - GROUND_WEIGHT_TOLERANCE) == (slow < 1 - GROUND_WEIGHT_TOLERANCE)
    assert (slow < 1 - GROUND_WEIGHT_TOLERANCE) == (weight < 1 - GROUND_WEIGHT_TOLERANCE)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_krylov_reaches_a_contained_ground_state(seed: int) -> None:
    _, start, generators, _ = _case(seed, tied=True)
    rng = np.random.default_rng(seed)
    _, dimension = _subspace_weight(start, generators, start.reshape(-1, 1))
    # a ground state inside the closure: some word of generators applied to ψ0
    vector = start.copy()
    for index in rng.permutation(len(generators)):
        vector = vector + generators[int(index)].to_matrix() @ vector
    ground = (vector / np.linalg.norm(vector)).reshape(-1, 1)
    weight, found = krylov_ground_weight(start, generators, ground)
    assert weight >= 1 - GROUND_WEIGHT_TOLERANCE
    assert found is None or found == dimension


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_connectivity_test_matches_a_graph_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 9))
    hamiltonian = tfim(lattice("ring", n))
    theta = ParameterVector("θ", 40)
    circuit = QuantumCircuit(n)
    for k in range(int(rng.integers(1, 20))):
        a, b = (int(q) for q in rng.choice(n, size=2, replace=False))
        if rng.random() < 0.5:
            circuit.rzz(theta[k], a, b)
        else:
            circuit.rx(theta[k], a)
    items = extract_gates(circuit)
    removed = [i for i in range(len(items)) if rng.random() < 0.3]
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(items[i].qubits for i in range(len(items))
                         if i not in removed and len(items[i].qubits) == 2)
    expected = all(nx.has_path(graph, q, (q + 1) % n) for q in range(n))
    assert entangles_coupled_qubits(qubit_pairs(items), removed, hamiltonian) == expected


def _rzx_ring(n: int, long_range: bool = False, offset: float = 0.0) -> QuantumCircuit:
    """RX, RY, RZ and RZZ, RZX round a ring from |+…+⟩. Optionally an RZZ between qubits 0 and
    n/2 first (the parity keeps it, the translations do not) and a constant offset on the first
    RX angle."""
    graph = lattice("ring", n)
    layer = layered_ansatz(graph, 1, entanglers=("rzz", "rzx"), initial_state="plus")
    circuit = layer.copy_empty_like()
    circuit.h(range(n))
    if long_range:
        circuit.rzz(Parameter("long"), 0, n // 2)
    first, *rest = layer.data[n:]
    circuit.rx(first.params[0] + offset if offset else first.params[0], first.qubits[0])
    for instruction in rest:
        circuit.append(instruction)
    return circuit


@pytest.fixture
def new_cuts(monkeypatch) -> list[frozenset[int]]:
    """The removed sets whose survivors get cut into blocks anew, in order."""
    cuts: list[frozenset[int]] = []
    original = ConstraintSystem.survivors

    def recording(self, removed):
        if removed not in self._cache:
            cuts.append(removed)
        return original(self, removed)

    monkeypatch.setattr(ConstraintSystem, "survivors", recording)
    return cuts


def test_refinement_repeats_until_no_new_gate_is_removed(new_cuts) -> None:
    n = 6
    pruned, report = SymmetricPruning(tfim(lattice("ring", n)), score=False).prune(
        _rzx_ring(n, long_range=True)
    )
    # (spatial, pauli): round 1 cuts without the parity's removals (RY, RZ, RZX) and removes the
    # long-range RZZ as well; round 2 cuts without it too and removes nothing more
    assert any(
        first < second and len(second - first) == 1
        for first, second in itertools.pairwise(new_cuts)
    )
    assert report.selected == ("spatial", "pauli")
    assert pruned.num_parameters == 2
    assert report.parameter_map["long"] == "0"


def test_circuits_with_angle_offsets_are_not_refined(new_cuts) -> None:
    hamiltonian = tfim(lattice("ring", 6))
    SymmetricPruning(hamiltonian, score=False).prune(_rzx_ring(6, offset=0.5))
    assert new_cuts == []
    SymmetricPruning(hamiltonian, score=False).prune(_rzx_ring(6))
    assert new_cuts  # the same circuit without the offset is refined
