"""Tests for qsympass.symmetry.elements: enumeration and sampling of group elements."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.quantum_info import (
    Clifford,
    Operator,
    Pauli,
    PauliList,
    SparsePauliOp,
    random_pauli_list,
)

from qsympass.symmetry.elements import (
    clifford_closure,
    common_unit,
    pauli_basis,
    pauli_elements,
    permutation_circuit,
    random_below,
    u1_circuit,
)


def greedy_independent_rows(matrix: np.ndarray) -> list[int]:
    """Rows kept by a plain greedy scan: a row is kept when it raises the GF(2) rank."""
    kept: list[int] = []
    for index in range(len(matrix)):
        candidate = matrix[[*kept, index]].astype(int)
        if _rank_mod2(candidate) == len(kept) + 1:
            kept.append(index)
    return kept


def _rank_mod2(matrix: np.ndarray) -> int:
    work = matrix.copy() % 2
    rank = 0
    for col in range(work.shape[1]):
        rows = [r for r in range(rank, len(work)) if work[r, col]]
        if not rows:
            continue
        work[[rank, rows[0]]] = work[[rows[0], rank]]
        for r in range(len(work)):
            if r != rank and work[r, col]:
                work[r] ^= work[rank]
        rank += 1
    return rank


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.lists(st.integers(0, 2**16), max_size=7), st.data())
def test_pauli_basis_is_the_greedy_independent_subset(
    n: int, seeds: list[int], data: st.DataObject
) -> None:
    paulis = [random_pauli_list(n, 1, seed=s, phase=False)[0] for s in seeds]
    # Append products of earlier strings so that dependent strings occur.
    for _ in range(data.draw(st.integers(0, 2))):
        if paulis:
            i = data.draw(st.integers(0, len(paulis) - 1))
            j = data.draw(st.integers(0, len(paulis) - 1))
            product = paulis[i].compose(paulis[j])
            paulis.append(Pauli((product.z, product.x)))
    plist = PauliList(paulis) if paulis else PauliList.from_symplectic(
        np.zeros((0, n), dtype=bool), np.zeros((0, n), dtype=bool))
    symplectic = np.hstack([plist.x, plist.z])
    expected = [plist[i] for i in greedy_independent_rows(symplectic)]
    assert pauli_basis(plist) == expected
    elements = pauli_elements(plist, n)
    assert len(elements) == 2 ** len(expected)
    assert len({e.tableau.tobytes() for e in elements}) == len(elements)
    assert elements[0] == Clifford(QuantumCircuit(n))


@settings(max_examples=20, deadline=None)
@given(st.permutations(list(range(4))))
def test_permutation_circuit_moves_z_i_to_z_perm_i(perm: list[int]) -> None:
    clifford = Clifford(permutation_circuit(perm))
    for qubit, target in enumerate(perm):
        image = Pauli(("I" * (3 - qubit)) + "Z" + "I" * qubit).evolve(clifford, frame="s")
        assert image == Pauli(("I" * (3 - target)) + "Z" + "I" * target)


def test_random_below_stays_below_large_bounds() -> None:
    rng = np.random.default_rng(0)
    for bound in (1, 7, 2**62 - 1, 2**62, math.factorial(30), 2**100 + 3):
        values = [random_below(rng, bound) for _ in range(50)]
        assert all(0 <= v < bound for v in values)
    # Above 2^62 the high bits are used too: values spread over the whole range.
    huge = [random_below(rng, 2**100) for _ in range(200)]
    assert max(huge) > 2**99


@pytest.mark.parametrize(
    "coeffs", [[1.0], [1.0, 0.5, 2.0], [1 / 3, 1.0, 2 / 3], [0.2, 0.3]]
)
def test_common_unit_divides_every_coefficient(coeffs: list[float]) -> None:
    unit = common_unit(coeffs)
    assert unit is not None
    multiples = [c / unit for c in coeffs]
    np.testing.assert_allclose(multiples, np.round(multiples), atol=1e-9)
    assert math.gcd(*(round(m) for m in multiples)) == 1


def test_common_unit_of_irrational_ratio_is_none() -> None:
    assert common_unit([1.0, math.sqrt(2)]) is None


def test_u1_circuit_is_the_exponential_of_the_charge() -> None:
    terms = ((0, "Z", 1.0), (1, "X", 0.5), (2, "Y", -2.0))
    charge = SparsePauliOp.from_sparse_list([(p, [q], c) for q, p, c in terms], 3).to_matrix()
    angle = 0.37
    eigvals, eigvecs = np.linalg.eigh(charge)
    expected = eigvecs @ np.diag(np.exp(-1j * angle * eigvals)) @ eigvecs.conj().T
    actual = Operator(u1_circuit(terms, angle, 3)).data
    # Equal up to a global phase.
    overlap = np.vdot(expected, actual) / 8
    assert abs(abs(overlap) - 1) < 1e-12
    np.testing.assert_allclose(actual, overlap * expected, atol=1e-12)


def test_clifford_closure_refuses_groups_above_the_limit() -> None:
    swap = QuantumCircuit(3)
    swap.swap(0, 1)
    cycle = QuantumCircuit(3)
    cycle.swap(0, 1)
    cycle.swap(1, 2)
    generators = [Clifford(swap), Clifford(cycle)]
    assert len(clifford_closure(generators, 3, 6, "S3")) == 6
    with pytest.raises(ValueError, match="S3 exceeded 5 elements"):
        clifford_closure(generators, 3, 5, "S3")
