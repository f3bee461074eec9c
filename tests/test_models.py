"""Tests for qsympass.models: lattices and spin Hamiltonians."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.quantum_info import SparsePauliOp
from qiskit_ibm_runtime.fake_provider import FakeManilaV2

from qsympass.models import heisenberg, lattice, tfim, xxz

PAULI = {
    "I": np.eye(2),
    "X": np.array([[0, 1], [1, 0]]),
    "Y": np.array([[0, -1j], [1j, 0]]),
    "Z": np.diag([1, -1]),
}


def _embed(letters: dict[int, str], num_qubits: int) -> np.ndarray:
    """Dense operator with ``letters[q]`` on qubit q (little-endian: qubit 0 is rightmost)."""
    out = np.eye(1)
    for qubit in reversed(range(num_qubits)):
        out = np.kron(out, PAULI[letters.get(qubit, "I")])
    return out


@pytest.mark.parametrize(
    ("kind", "dims", "periodic", "nodes", "edges"),
    [
        ("chain", (5,), None, 5, 4),
        ("chain", (5,), True, 5, 5),
        ("ring", (6,), None, 6, 6),
        ("square", (3,), None, 9, 12),
        ("square", (2, 3), None, 6, 7),
        ("square", (4, 4), True, 16, 32),
        ("square", (5, 5), True, 25, 50),
        ("triangular", (2, 2), None, 6, 9),
        ("honeycomb", (2, 2), None, 16, 19),
    ],
)
def test_lattice_sizes(kind, dims, periodic, nodes, edges):
    graph = lattice(kind, *dims, periodic=periodic)
    assert graph.number_of_nodes() == nodes
    assert graph.number_of_edges() == edges
    assert sorted(graph.nodes) == list(range(nodes))
    assert all("pos" in data for _, data in graph.nodes(data=True))


def test_square_lattice_is_numbered_row_by_row():
    graph = lattice("square", 2, 3)
    assert graph.has_edge(0, 1) and graph.has_edge(0, 3) and not graph.has_edge(2, 3)


def test_coupling_map_lattice_matches_backend():
    backend = FakeManilaV2()
    graph = lattice("coupling_map", backend)
    expected = {tuple(sorted(edge)) for edge in backend.coupling_map.get_edges()}
    assert {tuple(sorted(edge)) for edge in graph.edges} == expected
    assert graph.number_of_nodes() == backend.num_qubits


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("hexagon", 3), {}, "unknown lattice kind"),
        (("ring", 2), {}, "at least 3"),
        (("ring", 5), {"periodic": False}, "periodic by definition"),
        (("square", 0, 2), {}, "positive integers"),
        (("chain",), {}, "expects n"),
        (("coupling_map", []), {}, "no edges"),
        (("coupling_map", [(0, 0)]), {}, "no edges between two different qubits"),
        (("coupling_map", [(0, -1)]), {}, "must be >= 0"),
        (("triangular", 2, 2), {"periodic": True}, "cannot build a 2×2 triangular lattice"),
    ],
)
def test_lattice_rejects_bad_input(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        lattice(*args, **kwargs)


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        (nx.Graph([(0, 1), (1, 1)]), "no self-loops; node 1"),
        (nx.DiGraph([(0, 1), (1, 0)]), "undirected nx.Graph"),
        (nx.MultiGraph([(0, 1), (0, 1)]), "without parallel edges"),
        (nx.Graph([(0.0, 1.0)]), "integers 0 .. n-1"),
        (nx.Graph([(False, True)]), "integers 0 .. n-1"),
    ],
)
def test_models_refuse_graphs_that_are_not_lattices(graph, message):
    with pytest.raises(ValueError, match=message):
        tfim(graph)


def test_lattice_nodes_may_be_numpy_integers():
    graph = nx.relabel_nodes(lattice("ring", 3), {q: np.int64(q) for q in range(3)})
    assert tfim(graph) == tfim(lattice("ring", 3))


def test_model_parameters_take_numpy_scalars_and_reject_non_finite_values():
    ring = lattice("ring", 4)
    assert tfim(ring, h=np.float32(0.5)) == tfim(ring, h=0.5)
    assert tfim(ring, j=np.int64(2)) == tfim(ring, j=2.0)
    with pytest.raises(ValueError, match="field must be a finite number"):
        tfim(ring, h=float("nan"))
    with pytest.raises(ValueError, match="coupling must be a finite number"):
        xxz(ring, jz=float("inf"))


def test_ground_energy_rejects_a_non_hermitian_operator():
    from qsympass.models import ground_energy

    with pytest.raises(ValueError, match="not Hermitian"):
        ground_energy(SparsePauliOp("XY", 1j))


def test_tfim_matches_dense_definition():
    graph = lattice("ring", 4)
    j, h = 0.7, 1.3
    expected = sum(-j * _embed({a: "Z", b: "Z"}, 4) for a, b in graph.edges) + sum(
        -h * _embed({q: "X"}, 4) for q in range(4)
    )
    np.testing.assert_allclose(tfim(graph, j=j, h=h).to_matrix(), expected)


def test_xxz_and_heisenberg_match_dense_definition():
    graph = lattice("chain", 3)
    jxy, jz, h = 0.5, -1.1, 0.25
    expected = sum(
        jxy * (_embed({a: "X", b: "X"}, 3) + _embed({a: "Y", b: "Y"}, 3))
        + jz * _embed({a: "Z", b: "Z"}, 3)
        for a, b in graph.edges
    ) + sum(-h * _embed({q: "Z"}, 3) for q in range(3))
    np.testing.assert_allclose(xxz(graph, jxy=jxy, jz=jz, h=h).to_matrix(), expected)
    assert heisenberg(graph, j=0.5).equiv(xxz(graph, jxy=0.5, jz=0.5))


def test_per_edge_couplings_and_per_site_fields():
    graph = lattice("chain", 3)
    hamiltonian = tfim(graph, j={(1, 0): 2.0, (1, 2): 3.0}, h=[0.1, 0.2, 0.3])
    expected = SparsePauliOp.from_sparse_list(
        [("ZZ", [0, 1], -2.0), ("ZZ", [1, 2], -3.0)]
        + [("X", [q], -v) for q, v in enumerate([0.1, 0.2, 0.3])],
        num_qubits=3,
    )
    assert hamiltonian.equiv(expected)
    with pytest.raises(ValueError, match="no coupling given for edge"):
        tfim(graph, j={(0, 1): 1.0})
    with pytest.raises(ValueError, match="3 field values"):
        tfim(graph, h=[1.0, 2.0])


def test_hamiltonian_rejects_graph_without_integer_nodes():
    with pytest.raises(ValueError, match="must be the integers"):
        tfim(nx.path_graph(["a", "b"]))


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=3, max_value=7),
    st.floats(0.1, 2) | st.floats(-2, -0.1),
    st.floats(0.1, 2) | st.floats(-2, -0.1),
)
def test_models_are_hermitian_with_one_term_per_interaction(n, j, h):
    graph = lattice("ring", n)
    for hamiltonian, terms_per_edge in (
        (tfim(graph, j=j, h=h), 1),
        (xxz(graph, jxy=j, jz=h, h=h), 3),
        (heisenberg(graph, j=j, h=h), 3),
    ):
        assert hamiltonian.num_qubits == n
        assert np.allclose(hamiltonian.coeffs.imag, 0.0)
        assert len(hamiltonian) == terms_per_edge * n + n
