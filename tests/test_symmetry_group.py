"""Tests for qsympass.symmetry.group: constructors, structure, action, sampling, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.quantum_info import Clifford, Operator, PauliList, SparsePauliOp, random_pauli_list

from qsympass.symmetry.group import SymmetryGroup


def ring_dihedral(n: int) -> SymmetryGroup:
    translation = [(i + 1) % n for i in range(n)]
    reflection = [(-i) % n for i in range(n)]
    return SymmetryGroup.permutations([translation, reflection], n)


def swap_xy_group() -> SymmetryGroup:
    swap = QuantumCircuit(2)
    swap.swap(0, 1)
    return SymmetryGroup.cliffords([swap])


def square_dihedral_group() -> SymmetryGroup:
    swap = QuantumCircuit(2)
    swap.swap(0, 1)
    reflect = QuantumCircuit(2)
    reflect.z(0)
    return SymmetryGroup.cliffords([swap, reflect])


def random_op(n: int, terms: int, seed: int) -> SparsePauliOp:
    rng = np.random.default_rng(seed)
    paulis = random_pauli_list(n, terms, seed=seed, phase=False)
    return SparsePauliOp(paulis, rng.normal(size=terms)).simplify()


def conjugate_dense(unitary: np.ndarray, op: SparsePauliOp) -> np.ndarray:
    return unitary @ op.to_matrix() @ unitary.conj().T


def distinct_actions(matrices: np.ndarray) -> int:
    """Number of distinct conjugation actions among unitaries (equal up to a phase)."""
    kept: list[np.ndarray] = []
    for u in matrices:
        if not any(abs(abs(np.vdot(v, u)) - u.shape[0]) < 1e-8 for v in kept):
            kept.append(u)
    return len(kept)


# ----------------------------------------------------------------------------- constructors


def test_ring_dihedral_order_orbits_and_elements() -> None:
    group = ring_dihedral(5)
    assert group.kind == "permutation"
    assert group.order == 10
    assert group.is_finite
    assert group.orbits() == [[0, 1, 2, 3, 4]]
    matrices = group.to_matrices()
    assert matrices.shape == (10, 32, 32)
    assert distinct_actions(matrices) == 10


def test_classification_groups_swap_and_square_dihedral() -> None:
    swap = swap_xy_group()
    square = square_dihedral_group()
    assert swap.order == 2
    assert square.order == 8
    assert square.kind == "clifford"
    assert distinct_actions(square.to_matrices()) == 8
    # The reflection Z_0 maps x -> -x and the SWAP exchanges x and y: X_0 has orbit ±X_0, ±X_1.
    images = {
        square.act(SparsePauliOp("IX"), element).to_list()[0] for element in square.elements()
    }
    assert {label for label, _ in images} == {"IX", "XI"}
    assert {complex(c).real for _, c in images} == {1.0, -1.0}


def test_pauli_group_order_is_two_to_the_rank() -> None:
    group = SymmetryGroup.paulis(["XXXX", "ZZII", "IIZZ", "XXYY"])
    # XXYY = (XXXX)(IIZZ) up to phase, so the rank is 3.
    assert group.order == 8
    assert len(group.elements()) == 8
    assert distinct_actions(group.to_matrices()) == 8
    assert group.orbits() == [[0], [1], [2], [3]]


def test_continuous_and_time_reversal_groups() -> None:
    charge = SparsePauliOp.from_list([("IIZ", 1.0), ("IXI", 0.5), ("III", 2.0)])
    u1 = SymmetryGroup.u1(charge)
    assert u1.order == math.inf and not u1.is_finite
    assert u1.charge_terms == ((0, "Z", 1.0), (1, "X", 0.5))
    su2 = SymmetryGroup.collective(3)
    assert len(su2.lie_generators) == 3
    assert su2.generators == su2.lie_generators
    tr = SymmetryGroup.time_reversal(3)
    assert tr.order == 2 and tr.has_time_reversal and tr.generators == ()
    with pytest.raises(ValueError, match="anti-unitary"):
        tr.sample(np.random.default_rng(0))
    with pytest.raises(ValueError, match="not a finite unitary"):
        u1.elements()


def test_product_group() -> None:
    ring = ring_dihedral(3)
    pauli = SymmetryGroup.paulis(["XXX"])
    product = ring * pauli * SymmetryGroup.time_reversal(3)
    assert product.kind == "product"
    assert [f.kind for f in product.factors] == ["permutation", "pauli", "time_reversal"]
    assert product.order == 6 * 2 * 2
    assert product.has_time_reversal
    assert len(product.clifford_generators) == 3
    assert len((ring * pauli).elements()) == 12


def test_orbits_of_partial_permutation() -> None:
    group = SymmetryGroup.permutations([[1, 0, 2, 3], [0, 1, 3, 2]], 4)
    assert group.orbits() == [[0, 1], [2, 3]]
    assert group.order == 4


def test_check_invariant_names_the_generator() -> None:
    group = SymmetryGroup.permutations([[1, 0, 2]], 3)
    invariant = SparsePauliOp.from_list([("IZZ", 1.0), ("ZII", 0.5)])
    group.check_invariant(invariant)
    broken = SparsePauliOp.from_list([("IIZ", 1.0)])
    with pytest.raises(ValueError, match=r"permutation \(1, 0, 2\) does not map the Hamiltonian"):
        group.check_invariant(broken, name="Hamiltonian")
    u1 = SymmetryGroup.u1(SparsePauliOp.from_list([("IIZ", 1.0), ("IZI", 1.0)]))
    with pytest.raises(ValueError, match="U\\(1\\)"):
        u1.check_invariant(SparsePauliOp("IIX"))
    with pytest.raises(ValueError, match="time reversal"):
        SymmetryGroup.time_reversal(3).check_invariant(SparsePauliOp("IIY"))


# ----------------------------------------------------------------------------- action


@pytest.mark.parametrize(
    "group",
    [
        ring_dihedral(4),
        SymmetryGroup.paulis(["XXXX", "ZIZI"]),
        square_dihedral_group(),
    ],
    ids=["permutation", "pauli", "clifford"],
)
def test_act_matches_dense_conjugation(group: SymmetryGroup) -> None:
    op = random_op(group.num_qubits, 6, seed=3)
    for index, generator in enumerate(group.clifford_generators):
        unitary = generator.to_matrix()
        np.testing.assert_allclose(group.act(op, index).to_matrix(), conjugate_dense(unitary, op),
                                   atol=1e-12)
    for element in group.elements():
        np.testing.assert_allclose(group.act(op, element).to_matrix(),
                                   conjugate_dense(element.to_matrix(), op), atol=1e-12)
        circuit = element.to_circuit()
        np.testing.assert_allclose(group.act(op, circuit).to_matrix(),
                                   conjugate_dense(element.to_matrix(), op), atol=1e-12)


def test_non_monomial_clifford_generators_act_exactly() -> None:
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.cz(0, 1)
    group = SymmetryGroup.cliffords([circuit])
    op = random_op(3, 8, seed=5)
    np.testing.assert_allclose(group.act(op, 0).to_matrix(),
                               conjugate_dense(Operator(circuit).data, op), atol=1e-12)


@pytest.mark.parametrize("kind", ["u1", "su2"])
def test_act_with_sampled_local_circuit_matches_dense(kind: str) -> None:
    n = 3
    if kind == "u1":
        charge = SparsePauliOp.from_list([("IIZ", 1.0), ("IXI", 0.5), ("YII", 2.0)])
        group = SymmetryGroup.u1(charge)
    else:
        group = SymmetryGroup.collective(n)
    rng = np.random.default_rng(7)
    op = random_op(n, 10, seed=11)
    for _ in range(3):
        circuit = group.sample(rng)
        assert circuit.num_qubits == n
        np.testing.assert_allclose(group.act(op, circuit).to_matrix(),
                                   conjugate_dense(Operator(circuit).data, op), atol=1e-10)


def test_act_with_general_circuit_falls_back_to_dense() -> None:
    circuit = QuantumCircuit(2)
    circuit.rzz(0.3, 0, 1)
    circuit.t(0)
    group = SymmetryGroup.collective(2)
    op = random_op(2, 5, seed=1)
    np.testing.assert_allclose(group.act(op, circuit).to_matrix(),
                               conjugate_dense(Operator(circuit).data, op), atol=1e-12)


def test_finite_samples_are_elements_and_cover_the_group() -> None:
    group = SymmetryGroup.permutations([[1, 2, 0], [1, 0, 2]], 3)
    elements = {c.tableau.tobytes() for c in group.elements()}
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(120):
        key = Clifford(group.sample(rng)).tableau.tobytes()
        assert key in elements
        seen.add(key)
    assert seen == elements
    for group in (SymmetryGroup.paulis(["XXI", "IZZ"]), square_dihedral_group()):
        elements = {c.tableau.tobytes() for c in group.elements()}
        for _ in range(10):
            assert Clifford(group.sample(rng)).tableau.tobytes() in elements


@pytest.mark.parametrize("generators", [[], [[0, 1, 2]]])
def test_trivial_permutation_group_samples_the_identity(generators) -> None:
    group = SymmetryGroup.permutations(generators, 3)
    sample = group.sample(np.random.default_rng(0))
    assert Clifford(sample) == Clifford(QuantumCircuit(3))
    product = group * SymmetryGroup.paulis(["XXX"])
    assert product.sample(np.random.default_rng(1)).num_qubits == 3


permutation_sets = st.integers(2, 5).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.permutations(list(range(n))), max_size=3))
)


@settings(max_examples=25, deadline=None)
@given(permutation_sets)
def test_permutation_order_matches_distinct_dense_actions(
    data: tuple[int, list[list[int]]],
) -> None:
    n, perms = data
    group = SymmetryGroup.permutations(perms, n)
    matrices = group.to_matrices()
    assert len(matrices) == group.order
    assert distinct_actions(matrices) == group.order
    # the generators' dense actions are among the elements
    for generator in group.clifford_generators:
        u = generator.to_matrix()
        assert any(abs(abs(np.vdot(v, u)) - 2**n) < 1e-8 for v in matrices)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 4), st.lists(st.integers(0, 2**16), min_size=1, max_size=4))
def test_pauli_group_elements_are_closed_products(n: int, seeds: list[int]) -> None:
    labels = [random_pauli_list(n, 1, seed=s, phase=False)[0] for s in seeds]
    group = SymmetryGroup.paulis(PauliList(labels))
    matrices = group.to_matrices()
    assert distinct_actions(matrices) == group.order == len(matrices)


# ----------------------------------------------------------------------------- bad input


def test_bad_permutations() -> None:
    with pytest.raises(ValueError, match="not a permutation"):
        SymmetryGroup.permutations([[0, 0, 1]], 3)
    with pytest.raises(ValueError, match="not a permutation"):
        SymmetryGroup.permutations([[1, 0]], 3)
    with pytest.raises(ValueError, match="not a permutation"):
        SymmetryGroup.permutations([[0.5, 1, 0]], 3)  # type: ignore[list-item]


def test_bad_cliffords() -> None:
    t_circuit = QuantumCircuit(2)
    t_circuit.t(0)
    with pytest.raises(ValueError, match="not a Clifford circuit"):
        SymmetryGroup.cliffords([t_circuit])
    with pytest.raises(ValueError, match="at least one generator"):
        SymmetryGroup.cliffords([])
    with pytest.raises(ValueError, match="different widths"):
        SymmetryGroup.cliffords([QuantumCircuit(2), QuantumCircuit(3)])


def test_bad_u1_charges() -> None:
    with pytest.raises(ValueError, match="single-qubit"):
        SymmetryGroup.u1(SparsePauliOp.from_list([("ZZ", 1.0)]))
    with pytest.raises(ValueError, match="complex"):
        SymmetryGroup.u1(SparsePauliOp.from_list([("IZ", 1.0j)]))
    with pytest.raises(ValueError, match="two Pauli letters"):
        SymmetryGroup.u1(SparsePauliOp.from_list([("IZ", 1.0), ("IX", 1.0)]))
    with pytest.raises(ValueError, match="trivially"):
        SymmetryGroup.u1(SparsePauliOp.from_list([("II", 1.0)]))


def test_time_reversal_acts_as_complex_conjugation() -> None:
    op = SparsePauliOp.from_list([("YI", 1.0), ("XZ", 0.5 + 0.25j), ("YY", 2.0)])
    reversal = SymmetryGroup.time_reversal(2)
    np.testing.assert_allclose(reversal.act(op).to_matrix(), op.to_matrix().conj(), atol=1e-15)
    with pytest.raises(ValueError, match="only index 0, the complex conjugation K"):
        reversal.act(op, 1)


@pytest.mark.parametrize("make", [lambda: SymmetryGroup.collective(2),
                                  lambda: SymmetryGroup.u1(SparsePauliOp("IZ"))])
def test_continuous_groups_ask_for_an_element(make) -> None:
    group = make()
    with pytest.raises(ValueError, match=r"continuous.*group\.sample\(rng\)"):
        group.act(SparsePauliOp("XX"))
    sampled = group.act(SparsePauliOp("ZZ"), group.sample(np.random.default_rng(0)))
    assert sampled.num_qubits == 2


def test_bad_widths_and_elements() -> None:
    group = ring_dihedral(3)
    with pytest.raises(ValueError, match=r"4 qubits.*3 qubits"):
        group.act(SparsePauliOp("ZIII"))
    with pytest.raises(ValueError, match="cannot multiply"):
        _ = group * SymmetryGroup.collective(4)
    with pytest.raises(ValueError, match="out of range"):
        group.act(SparsePauliOp("ZII"), 5)
    with pytest.raises(ValueError, match="Pauli generators act on 2 qubits"):
        SymmetryGroup.paulis(["XX"], num_qubits=3)
    with pytest.raises(ValueError, match="max_elements"):
        SymmetryGroup.permutations([[1, 2, 3, 4, 0], [1, 0, 2, 3, 4]], 5).elements(max_elements=10)
    with pytest.raises(ValueError, match="num_qubits"):
        SymmetryGroup.collective(0)


def test_product_that_is_not_a_group_is_rejected() -> None:
    # SWAP does not normalize {II, XI}: SWAP·XI·SWAP = IX, so G·H ≠ H·G.
    swap = SymmetryGroup.permutations([[1, 0]], num_qubits=2)
    with pytest.raises(ValueError, match="do not combine into a group"):
        _ = swap * SymmetryGroup.paulis(["XI"])
    # Commuting or normalizing factors are fine: SWAP commutes with XX, the ring's rotations
    # normalize the Pauli group <XXX, ZZI, IZZ>.
    assert (swap * SymmetryGroup.paulis(["XX"])).order == 4
    ring = SymmetryGroup.permutations([[1, 2, 0]], num_qubits=3)
    assert len((ring * SymmetryGroup.paulis(["XXX", "ZZI", "IZZ"])).elements()) == 24


def test_products_with_a_continuous_group_need_the_finite_part_to_normalize_it() -> None:
    weighted = SymmetryGroup.u1(
        SparsePauliOp.from_sparse_list([("Z", [0], 1), ("Z", [1], 1), ("Z", [2], 2)], 3)
    )
    with pytest.raises(ValueError, match="does not normalize"):
        weighted * SymmetryGroup.permutations([[2, 1, 0]], 3)
    with pytest.raises(ValueError, match="does not normalize"):
        SymmetryGroup.paulis(["IIZ"]) * SymmetryGroup.u1(SparsePauliOp(["IIX", "IXI"]))
    # a swap of the equal charges, a flip Q -> -Q, and K Q K = Q all normalize U(1)
    assert (weighted * SymmetryGroup.permutations([[1, 0, 2]], 3)).order == math.inf
    uniform = SymmetryGroup.u1(SparsePauliOp(["ZII", "IZI", "IIZ"]))
    for finite in (SymmetryGroup.paulis(["XXX"]), SymmetryGroup.time_reversal(3)):
        assert len((uniform * finite).factors) == 2
    spins = SymmetryGroup.collective(3)
    product = spins * SymmetryGroup.permutations([[1, 2, 0]], 3) * SymmetryGroup.time_reversal(3)
    assert len(product.factors) == 3


@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e6])
def test_check_invariant_does_not_depend_on_the_units(scale: float) -> None:
    swap = SymmetryGroup.permutations([[1, 0]], 2)
    spins = SymmetryGroup.collective(2)
    swap.check_invariant(scale * SparsePauliOp(["ZZ", "XI", "IX"]))
    spins.check_invariant(scale * SparsePauliOp(["XX", "YY", "ZZ"]))
    with pytest.raises(ValueError, match="does not map"):
        swap.check_invariant(scale * SparsePauliOp(["ZZ", "XI", "IX"], [1.0, 1.0, 1.0001]))
    with pytest.raises(ValueError, match="does not map"):
        spins.check_invariant(scale * SparsePauliOp(["XX", "YY", "ZZ"], [1.0, 1.0, 1.0001]))
