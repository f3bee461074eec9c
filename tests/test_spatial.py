"""Tests for qsympass.symmetry.spatial (nauty-based qubit-permutation symmetries)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.quantum_info import SparsePauliOp

from qsympass.models import heisenberg, lattice, tfim, xxz
from qsympass.symmetry.spatial import (
    is_permutation_symmetry,
    permute_operator,
    spatial_symmetries,
)


def _is_invariant(op: SparsePauliOp, perm: tuple[int, ...]) -> bool:
    difference = (permute_operator(op, perm) - op).simplify(atol=1e-9)
    return bool(np.allclose(difference.coeffs, 0.0))


def _permutation_unitary(perm: tuple[int, ...]) -> np.ndarray:
    """Dense V with V|b> = |b'>, bit i of b moved to bit perm[i] of b' (so V Z_i V† = Z_perm[i])."""
    num_qubits = len(perm)
    dim = 2**num_qubits
    unitary = np.zeros((dim, dim))
    for basis in range(dim):
        image = sum(((basis >> i) & 1) << perm[i] for i in range(num_qubits))
        unitary[image, basis] = 1.0
    return unitary


def _brute_force_order(op: SparsePauliOp) -> int:
    return sum(
        _is_invariant(op, perm) for perm in itertools.permutations(range(op.num_qubits))
    )


@pytest.mark.parametrize("num_qubits", range(3, 13))
def test_ring_tfim_has_dihedral_order(num_qubits: int) -> None:
    result = spatial_symmetries(tfim(lattice("ring", num_qubits)))
    assert result.order == 2 * num_qubits
    assert result.orbits == (tuple(range(num_qubits)),)


@pytest.mark.parametrize("side", [3, 4])
def test_open_square_lattice_has_order_eight(side: int) -> None:
    assert spatial_symmetries(tfim(lattice("square", side, side))).order == 8


@pytest.mark.parametrize(("side", "order"), [(5, 200), (4, 384)])
def test_torus_order(side: int, order: int) -> None:
    # 5x5: translations x dihedral D4 = 25 * 8; 4x4 torus is the 4-cube: 2^4 * 4! = 384.
    result = spatial_symmetries(tfim(lattice("square", side, side, periodic=True)))
    assert result.order == order
    assert len(result.orbits) == 1


def test_complete_graph_order_is_exact_factorial() -> None:
    import networkx as nx

    result = spatial_symmetries(xxz(nx.complete_graph(12), jxy=0.7, jz=1.3, h=0.2))
    assert result.order == math.factorial(12)
    assert len(result.permutations) <= 11  # generators only, never the 12! elements


def test_large_order_beyond_float_precision_is_exact() -> None:
    import networkx as nx

    assert spatial_symmetries(tfim(nx.complete_graph(25))).order == math.factorial(25)


def test_letter_order_on_a_bond_matters() -> None:
    # X_i Z_{i+1} around a ring is chiral: rotations only, no reflections.
    chiral = SparsePauliOp.from_sparse_list([("XZ", [i, (i + 1) % 5], 1.0) for i in range(5)], 5)
    assert spatial_symmetries(chiral).order == 5
    achiral = chiral + SparsePauliOp.from_sparse_list(
        [("ZX", [i, (i + 1) % 5], 1.0) for i in range(5)], 5
    )
    assert spatial_symmetries(achiral).order == 10


def test_three_body_terms_with_mixed_letters() -> None:
    op = SparsePauliOp.from_sparse_list(
        [("XYZ", [0, 1, 2], 1.0), ("XYZ", [1, 2, 3], 1.0), ("XYZ", [2, 3, 0], 1.0),
         ("XYZ", [3, 0, 1], 1.0)], 4,
    )
    result = spatial_symmetries(op)
    assert result.order == _brute_force_order(op) == 4


def test_coefficients_distinguish_bonds() -> None:
    graph = lattice("ring", 6)
    couplings = {(i, (i + 1) % 6): (1.0 if i % 2 == 0 else 2.0) for i in range(6)}
    result = spatial_symmetries(tfim(graph, j=couplings))
    assert result.order == 6  # dimerised ring: D3


def test_qubit_colours_select_the_neel_subgroup() -> None:
    hamiltonian = heisenberg(lattice("ring", 8))
    neel = [qubit % 2 for qubit in range(8)]
    result = spatial_symmetries(hamiltonian, qubit_colours=neel)
    assert result.order == 8  # translations by two sites and the four site-centred reflections
    for perm in result.permutations:
        assert all(neel[perm[q]] == neel[q] for q in range(8))
    assert result.orbits == ((0, 2, 4, 6), (1, 3, 5, 7))


def test_extra_edges_are_directed_unless_given_both_ways() -> None:
    hamiltonian = tfim(lattice("ring", 6))
    assert spatial_symmetries(hamiltonian, extra_edges=[(0, 1, "cx")]).order == 1
    both_ways = [(0, 1, "cz"), (1, 0, "cz")]
    result = spatial_symmetries(hamiltonian, extra_edges=both_ways)
    assert result.order == 2
    assert result.permutations == ((1, 0, 5, 4, 3, 2),)


def test_bad_colours_and_edges_are_rejected() -> None:
    hamiltonian = tfim(lattice("ring", 4))
    with pytest.raises(ValueError, match="qubit_colours has 3 entries"):
        spatial_symmetries(hamiltonian, qubit_colours=[0, 1, 0])
    with pytest.raises(ValueError, match="outside"):
        spatial_symmetries(hamiltonian, extra_edges=[(0, 4, "cx")])
    with pytest.raises(ValueError, match="joins a qubit to itself"):
        spatial_symmetries(hamiltonian, extra_edges=[(2, 2, "cx")])


def test_idle_qubits_are_interchangeable() -> None:
    op = SparsePauliOp.from_sparse_list([("ZZ", [0, 1], 1.0)], 5)
    result = spatial_symmetries(op)
    assert result.order == 2 * math.factorial(3)
    assert result.orbits == ((0, 1), (2, 3, 4))


def test_many_idle_qubits_give_an_exact_huge_order() -> None:
    op = SparsePauliOp.from_sparse_list([("XZ", [0, 1], 1.0)], 60)
    result = spatial_symmetries(op)
    assert result.order == math.factorial(58)
    assert result.orbits == ((0,), (1,), tuple(range(2, 60)))
    assert all(_is_invariant(op, perm) for perm in result.permutations)


def test_nested_twins_on_a_binary_tree() -> None:
    import networkx as nx

    # Swapping the two subtrees below any of the 7 inner vertices: 2^7.
    result = spatial_symmetries(tfim(nx.balanced_tree(2, 3)))
    assert result.order == 2**7


def test_is_permutation_symmetry() -> None:
    hamiltonian = tfim(lattice("chain", 4))
    assert is_permutation_symmetry(hamiltonian, [3, 2, 1, 0])
    assert not is_permutation_symmetry(hamiltonian, [1, 0, 2, 3])


_LETTERS = st.sampled_from(["X", "Y", "Z"])


@st.composite
def small_hamiltonians(draw: st.DrawFn, max_qubits: int = 5) -> SparsePauliOp:
    """Random Hamiltonians with few distinct letters and coefficients, so symmetries are common."""
    num_qubits = draw(st.integers(2, max_qubits))
    qubit = st.integers(0, num_qubits - 1)
    coeff = st.sampled_from([1.0, -0.5, 2.0])
    terms = []
    for _ in range(draw(st.integers(1, 7))):
        support = sorted(draw(st.sets(qubit, min_size=1, max_size=min(3, num_qubits))))
        letters = "".join(draw(_LETTERS) for _ in support)
        terms.append((letters, support, draw(coeff)))
    return SparsePauliOp.from_sparse_list(terms, num_qubits).simplify()


@settings(max_examples=30, deadline=None)
@given(hamiltonian=small_hamiltonians(), data=st.data())
def test_order_is_invariant_under_relabelling(
    hamiltonian: SparsePauliOp, data: st.DataObject
) -> None:
    relabel = data.draw(st.permutations(range(hamiltonian.num_qubits)))
    original = spatial_symmetries(hamiltonian)
    relabelled = spatial_symmetries(permute_operator(hamiltonian, relabel))
    assert relabelled.order == original.order
    mapped = sorted(tuple(sorted(relabel[q] for q in orbit)) for orbit in original.orbits)
    assert tuple(mapped) == relabelled.orbits


@settings(max_examples=30, deadline=None)
@given(hamiltonian=small_hamiltonians())
def test_generators_are_dense_symmetries_and_order_matches_brute_force(
    hamiltonian: SparsePauliOp,
) -> None:
    result = spatial_symmetries(hamiltonian)
    matrix = hamiltonian.to_matrix()
    for perm in result.permutations:
        unitary = _permutation_unitary(perm)
        np.testing.assert_allclose(unitary @ matrix @ unitary.T, matrix, atol=1e-12)
        assert _is_invariant(hamiltonian, perm)
    assert result.order == _brute_force_order(hamiltonian)


@pytest.mark.parametrize("value", [0.2500000005, 0.1234567895, 0.5000000015])
def test_coefficients_one_float_step_apart_share_a_colour(value: float) -> None:
    # rounding to 9 digits would put these on either side of a boundary
    for neighbour in (np.nextafter(value, 1.0), np.nextafter(value, 0.0)):
        op = SparsePauliOp.from_sparse_list(
            [("ZZ", [0, 1], 1.0), ("X", [0], value), ("X", [1], neighbour)], num_qubits=2
        )
        assert spatial_symmetries(op) is not None


@pytest.mark.parametrize(("step", "order"), [(0.4e-9, 6), (0.9e-9, 2)])
def test_a_chain_of_near_equal_coefficients_is_split_within_the_tolerance(
    step: float, order: int
) -> None:
    # neighbours are each within the tolerance, the ends only when the chain is short
    fields = [1.0, 1.0 + step, 1.0 + 2 * step]
    op = SparsePauliOp.from_sparse_list(
        [("ZZ", [q, (q + 1) % 3], 1.0) for q in range(3)]
        + [("X", [q], h) for q, h in enumerate(fields)],
        num_qubits=3,
    )
    result = spatial_symmetries(op)
    assert result is not None and result.order == order
