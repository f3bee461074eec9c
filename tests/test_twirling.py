"""Tests for qsympass.twirling against dense references, for every group kind."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator, PauliList, SparsePauliOp, random_pauli_list
from scipy.linalg import null_space

import qsympass.twirling
from qsympass.symmetry.group import SymmetryGroup
from qsympass.symmetry.isotropic import _isotropic_basis, project_isotropic, sample_isotropic
from qsympass.twirling import estimate_twirl, symmetry_violation, twirl

# ----------------------------------------------------------------------------- references


def dense_finite_twirl(matrix: np.ndarray, group: SymmetryGroup) -> np.ndarray:
    unitaries = group.to_matrices()
    return np.mean([u @ matrix @ u.conj().T for u in unitaries], axis=0)


def dense_commutant_projection(matrix: np.ndarray, group: SymmetryGroup) -> np.ndarray:
    """Orthogonal projection onto the kernel of every ad_Q (row-major vectorisation)."""
    dim = matrix.shape[0]
    identity = np.eye(dim)
    blocks = [
        np.kron(q.to_matrix(), identity) - np.kron(identity, q.to_matrix().T)
        for q in group.lie_generators
    ]
    kernel = null_space(np.vstack(blocks))
    vector = kernel @ (kernel.conj().T @ matrix.reshape(-1))
    return vector.reshape(dim, dim)


def dense_twirl(matrix: np.ndarray, group: SymmetryGroup) -> np.ndarray:
    for factor in group.factors:
        if factor.kind in ("permutation", "pauli", "clifford"):
            matrix = dense_finite_twirl(matrix, factor)
        elif factor.kind in ("u1", "su2"):
            matrix = dense_commutant_projection(matrix, factor)
        else:
            matrix = 0.5 * (matrix + matrix.conj())
    return matrix


def random_op(n: int, terms: int, seed: int) -> SparsePauliOp:
    rng = np.random.default_rng(seed)
    paulis = random_pauli_list(n, terms, seed=seed, phase=False)
    return SparsePauliOp(paulis, rng.normal(size=terms)).simplify()


# ----------------------------------------------------------------------------- group strategies

CHARGE_COEFFS = (1.0, -1.0, 0.5, 2.0, np.sqrt(2.0))


def cyclic(n: int) -> SymmetryGroup:
    return SymmetryGroup.permutations([[(i + 1) % n for i in range(n)]], n)


def charge_op(n: int, letters: str, coeffs: list[float]) -> SparsePauliOp:
    return SparsePauliOp.from_sparse_list(
        [(letters[q], [q], coeffs[q]) for q in range(n)], n
    )


def total_z(n: int) -> SparsePauliOp:
    return SparsePauliOp.from_sparse_list([("Z", [q], 1.0) for q in range(n)], n)


def clifford_menu(n: int) -> list[QuantumCircuit]:
    circuits = []
    for name, qubits in (("swap", (0, 1)), ("h", (0,)), ("s", (1,)), ("cz", (0, n - 1)),
                         ("x", (n - 1,)), ("z", (0,))):
        circuit = QuantumCircuit(n)
        getattr(circuit, name)(*qubits)
        circuits.append(circuit)
    return circuits


@st.composite
def groups(draw: st.DrawFn, n: int) -> SymmetryGroup:
    kind = draw(st.sampled_from(
        ["permutation", "pauli", "clifford", "u1", "su2", "time_reversal", "product"]
    ))
    if kind == "permutation":
        perms = draw(st.lists(st.permutations(list(range(n))), min_size=1, max_size=2))
        return SymmetryGroup.permutations(perms, n)
    if kind == "pauli":
        seeds = draw(st.lists(st.integers(0, 2**16), min_size=1, max_size=3))
        return SymmetryGroup.paulis(
            PauliList([random_pauli_list(n, 1, seed=s, phase=False)[0] for s in seeds])
        )
    if kind == "clifford":
        menu = clifford_menu(n)
        chosen = draw(st.lists(st.sampled_from(range(len(menu))), min_size=1, max_size=2,
                               unique=True))
        return SymmetryGroup.cliffords([menu[i] for i in chosen])
    if kind == "u1":
        letters = "".join(draw(st.lists(st.sampled_from("XYZ"), min_size=n, max_size=n)))
        coeffs = draw(st.lists(st.sampled_from(CHARGE_COEFFS), min_size=n, max_size=n))
        return SymmetryGroup.u1(charge_op(n, letters, coeffs))
    if kind == "su2":
        return SymmetryGroup.collective(n)
    if kind == "time_reversal":
        return SymmetryGroup.time_reversal(n)
    # products of commuting actions
    pair = draw(st.sampled_from(["cyclic*su2", "cyclic*u1", "pauli*tr", "u1*tr", "su2*tr",
                                 "cyclic*pauli"]))
    factories: dict[str, Callable[[], SymmetryGroup]] = {
        "cyclic*su2": lambda: cyclic(n) * SymmetryGroup.collective(n),
        "cyclic*u1": lambda: cyclic(n) * SymmetryGroup.u1(total_z(n)),
        "pauli*tr": lambda: SymmetryGroup.paulis(["X" * n]) * SymmetryGroup.time_reversal(n),
        "u1*tr": lambda: SymmetryGroup.u1(total_z(n)) * SymmetryGroup.time_reversal(n),
        "su2*tr": lambda: SymmetryGroup.collective(n) * SymmetryGroup.time_reversal(n),
        "cyclic*pauli": lambda: cyclic(n) * SymmetryGroup.paulis(["X" * n, "Z" * n]),
    }
    return factories[pair]()


@st.composite
def cases(draw: st.DrawFn) -> tuple[SparsePauliOp, SymmetryGroup]:
    n = draw(st.integers(2, 4))
    group = draw(groups(n))
    op = random_op(n, draw(st.integers(1, 12)), draw(st.integers(0, 2**16)))
    return op, group


def invariant_under_group(matrix: np.ndarray, group: SymmetryGroup, rng: np.random.Generator
                          ) -> None:
    for factor in group.factors:
        if factor.kind in ("permutation", "pauli", "clifford"):
            for u in factor.to_matrices():
                np.testing.assert_allclose(u @ matrix, matrix @ u, atol=1e-9)
        elif factor.kind == "time_reversal":
            np.testing.assert_allclose(matrix.conj(), matrix, atol=1e-9)
        else:
            for _ in range(2):
                u = Operator(factor.sample(rng)).data
                np.testing.assert_allclose(u @ matrix, matrix @ u, atol=1e-9)


# ----------------------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(cases())
def test_twirl_matches_dense_reference(case: tuple[SparsePauliOp, SymmetryGroup]) -> None:
    op, group = case
    twirled = twirl(op, group)
    expected = dense_twirl(op.to_matrix(), group)
    np.testing.assert_allclose(twirled.to_matrix(), expected, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(cases())
def test_twirl_is_idempotent_and_invariant(case: tuple[SparsePauliOp, SymmetryGroup]) -> None:
    op, group = case
    twirled = twirl(op, group)
    again = twirl(twirled, group)
    np.testing.assert_allclose(again.to_matrix(), twirled.to_matrix(), atol=1e-10)
    invariant_under_group(twirled.to_matrix(), group, np.random.default_rng(0))
    assert symmetry_violation(twirled, group) < 1e-18


@settings(max_examples=30, deadline=None)
@given(cases())
def test_symmetry_violation_is_the_dense_hs_distance(
    case: tuple[SparsePauliOp, SymmetryGroup],
) -> None:
    op, group = case
    matrix = op.to_matrix()
    difference = dense_twirl(matrix, group) - matrix
    expected = np.vdot(difference, difference).real / matrix.shape[0]
    violation = symmetry_violation(op, group)
    assert violation == pytest.approx(expected, abs=1e-9)
    assert (violation > 1e-12) == (expected > 1e-12)


def all_paulis_op(n: int, seed: int) -> SparsePauliOp:
    """Every Pauli string on n qubits with a random coefficient."""
    rng = np.random.default_rng(seed)
    labels = ["".join(letters) for letters in itertools.product("IXYZ", repeat=n)]
    return SparsePauliOp(labels, rng.normal(size=len(labels)))


EXHAUSTIVE_GROUPS: dict[str, Callable[[], SymmetryGroup]] = {
    "permutation": lambda: SymmetryGroup.permutations([[1, 2, 0], [1, 0, 2]], 3),
    "pauli": lambda: SymmetryGroup.paulis(["XYZ", "ZZI"]),
    "clifford": lambda: SymmetryGroup.cliffords(clifford_menu(3)[1:3]),
    "u1_total_z": lambda: SymmetryGroup.u1(total_z(3)),
    "u1_mixed": lambda: SymmetryGroup.u1(charge_op(3, "XYZ", [1.0, -1.0, 2.0])),
    "u1_irrational": lambda: SymmetryGroup.u1(charge_op(3, "YZX", [1.0, np.sqrt(2), 1.0])),
    "su2": lambda: SymmetryGroup.collective(3),
    "time_reversal": lambda: SymmetryGroup.time_reversal(3),
    "product": lambda: cyclic(3) * SymmetryGroup.u1(total_z(3)) * SymmetryGroup.time_reversal(3),
}


@pytest.mark.parametrize("name", sorted(EXHAUSTIVE_GROUPS))
def test_twirl_of_every_pauli_matches_dense(name: str) -> None:
    group = EXHAUSTIVE_GROUPS[name]()
    op = all_paulis_op(3, seed=len(name))
    np.testing.assert_allclose(
        twirl(op, group).to_matrix(), dense_twirl(op.to_matrix(), group), atol=1e-10
    )


@pytest.mark.parametrize("kind", ["u1", "su2"])
def test_haar_samples_leave_twirled_ops_invariant(kind: str) -> None:
    n = 7
    if kind == "u1":
        group = SymmetryGroup.u1(charge_op(n, "ZXYZZXY", [1.0, 0.5, 2.0, -1.0, 1.0, 1.0, 0.5]))
    else:
        group = SymmetryGroup.collective(n)
    rng = np.random.default_rng(3)
    twirled = twirl(random_op(n, 30, seed=8), group)
    assert twirled.size > 1 or abs(twirled.coeffs[0]) > 0
    for _ in range(5):
        image = group.act(twirled, group.sample(rng))
        assert symmetry_violation(image, group) < 1e-18
        np.testing.assert_allclose(
            (image - twirled).simplify(atol=1e-10).coeffs, 0.0, atol=1e-10
        )


def test_signed_orbit_cancellation() -> None:
    # Z_0 anticommutes with X_0, so the Pauli group <Z0> averages X0 to zero; the Clifford
    # group generated by Z_0 (same action) must agree through its orbit search.
    reflect = QuantumCircuit(2)
    reflect.z(0)
    op = SparsePauliOp.from_list([("IX", 1.0), ("ZZ", 2.0)])
    for group in (SymmetryGroup.cliffords([reflect]), SymmetryGroup.paulis(["IZ"])):
        result = twirl(op, group)
        assert result.simplify() == SparsePauliOp.from_list([("ZZ", 2.0)])


def test_twirl_on_large_ring_stays_sparse() -> None:
    n = 200
    translation = [(i + 1) % n for i in range(n)]
    reflection = [(-i) % n for i in range(n)]
    group = SymmetryGroup.permutations([translation, reflection], n)
    op = SparsePauliOp.from_sparse_list([("XZ", [3, 4], 1.0), ("Y", [7], 0.5)], n)
    twirled = twirl(op, group)
    assert twirled.size == 2 * n + n  # XZ on every directed edge, Y on every site
    np.testing.assert_allclose(np.sort(twirled.coeffs.real), [0.5 / n] * n + [1 / (2 * n)] * 2 * n)
    assert symmetry_violation(twirled, group) < 1e-20
    assert symmetry_violation(op, group) > 0


def test_isotropic_dimensions_follow_riordan_numbers() -> None:
    # dim of SO(3)-invariants in (R^3)^{⊗k}: the Riordan numbers 1, 0, 1, 1, 3, 6, 15, 36, 91, ...
    riordan = [1, 0, 1, 1, 3, 6, 15, 36, 91, 232, 603]
    for k in range(2, 11):
        spanning, gram_inverse = _isotropic_basis(k)
        # trace of the projector T G⁺ Tᵀ = its rank
        rank = np.trace(gram_inverse @ (spanning.T @ spanning).toarray())
        assert rank == pytest.approx(riordan[k])


# ------------------------------------------------------------- Monte Carlo (collective SU(2))


@pytest.mark.parametrize("weight", [3, 4, 5])
def test_sampled_isotropic_projection_is_unbiased_within_its_error(weight: int) -> None:
    rng = np.random.default_rng(weight)
    vectors = rng.normal(size=(3**weight, 2)) + 1j * rng.normal(size=(3**weight, 2))
    exact = project_isotropic(vectors, weight)
    ratios = []
    for seed in range(8):
        estimate, variance = sample_isotropic(vectors, weight, 400, np.random.default_rng(seed))
        assert np.all(np.abs(estimate - exact) < 6 * np.sqrt(variance) + 1e-12)
        ratios.append(np.sum(np.abs(estimate - exact) ** 2) / np.sum(variance))
    # the squared error summed over entries is, on average, the summed variance (single draws
    # spread over 0.7-1.2; a variance off by 2 gives about 0.5 or 2)
    assert 0.75 < np.mean(ratios) < 1.3


def test_sampled_isotropic_projection_fixes_invariant_tensors() -> None:
    spanning, _ = _isotropic_basis(5)
    invariant = spanning[:, [0, 7]].toarray()  # Levi-Civita times a delta pair
    estimate, variance = sample_isotropic(invariant, 5, 3, np.random.default_rng(0))
    np.testing.assert_allclose(estimate, invariant, atol=1e-12)
    np.testing.assert_allclose(variance, 0.0, atol=1e-24)


def test_estimate_twirl_is_exact_where_twirl_is() -> None:
    op = random_op(6, 20, seed=4)
    group = SymmetryGroup.collective(6) * SymmetryGroup.time_reversal(6)
    estimate = estimate_twirl(op, group, samples=5, seed=1)
    assert estimate.standard_error == 0.0
    assert estimate.samples == 0
    assert estimate.operator == twirl(op, group)


def test_estimate_twirl_states_its_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # sample every support above weight 2, so the exact twirl is there to compare with
    op = random_op(5, 12, seed=2)
    group = SymmetryGroup.collective(5)
    exact = twirl(op, group)
    monkeypatch.setattr(qsympass.twirling, "MAX_WEIGHT", 2)
    ratios = []
    for seed in range(6):
        estimate = estimate_twirl(op, group, samples=200, seed=seed)
        assert estimate.samples == 200
        distance = np.linalg.norm((estimate.operator - exact).simplify(atol=0).coeffs)
        ratios.append(distance / estimate.standard_error)
    assert 0.5 < float(np.sqrt(np.mean(np.square(ratios)))) < 2.0


@pytest.mark.parametrize("order", ["time_reversal_first", "collective_first"])
def test_estimate_twirl_keeps_the_exact_symmetries_of_a_product(
    monkeypatch: pytest.MonkeyPatch, order: str
) -> None:
    n = 5
    collective, reversal = SymmetryGroup.collective(n), SymmetryGroup.time_reversal(n)
    group = reversal * collective if order == "time_reversal_first" else collective * reversal
    op = random_op(n, 12, seed=5)
    exact = twirl(op, group)
    monkeypatch.setattr(qsympass.twirling, "MAX_WEIGHT", 2)
    estimate = estimate_twirl(op, group, samples=50, seed=0)
    assert symmetry_violation(estimate.operator, reversal) < 1e-20
    distance = np.linalg.norm((estimate.operator - exact).simplify(atol=0).coeffs)
    assert distance < 4 * estimate.standard_error  # an upper bound for a product


@pytest.mark.parametrize("samples", [1, 0, 2.5, True, "10"])
def test_estimate_twirl_needs_an_integer_sample_count(samples: object) -> None:
    with pytest.raises(ValueError, match="samples must be an integer >= 2"):
        estimate_twirl(SparsePauliOp("X" * 11), SymmetryGroup.collective(11),
                       samples=samples)  # type: ignore[arg-type]


def test_estimate_twirl_above_the_exact_weight_keeps_invariant_overlaps() -> None:
    # ⟨B, T[A]⟩ = ⟨B, A⟩ for invariant B: here B = (σ0·σ1)…(σ6·σ7) ε_abc σ8^a σ9^b σ10^c
    n = 11
    labels = []
    for letters in itertools.product("XYZ", repeat=4):
        pairs = "".join(letter * 2 for letter in letters)
        for triple, sign in [("XYZ", 1), ("YZX", 1), ("ZXY", 1),
                             ("XZY", -1), ("ZYX", -1), ("YXZ", -1)]:
            labels.append(((pairs + triple)[::-1], sign))
    invariant = SparsePauliOp.from_list(labels)
    op = SparsePauliOp.from_list([("X" * n, 1.0), ("XYZ" * 3 + "XY", 0.5), (labels[5][0], 2.0)])
    estimate = estimate_twirl(op, SymmetryGroup.collective(n), samples=12, seed=3)
    assert estimate.samples == 12
    assert estimate.standard_error > 0
    assert abs(overlap(SparsePauliOp("X" * n), estimate.operator)) < 0.2  # X^⊗11 is rotated away
    assert overlap(invariant, estimate.operator) == pytest.approx(overlap(invariant, op), abs=1e-9)


def overlap(left: SparsePauliOp, right: SparsePauliOp) -> complex:
    """``Tr(left† right) / 2^n`` from the Pauli coefficients."""
    coefficients = dict(zip(right.paulis.to_labels(), right.coeffs, strict=True))
    return sum(np.conj(c) * coefficients.get(label, 0) for label, c in left.to_list())


# ----------------------------------------------------------------------------- bad input


def test_bad_input() -> None:
    group = SymmetryGroup.collective(3)
    with pytest.raises(ValueError, match=r"2 qubits.*3 qubits"):
        twirl(SparsePauliOp("XX"), group)
    with pytest.raises(ValueError, match=r"2 qubits.*3 qubits"):
        symmetry_violation(SparsePauliOp("XX"), group)
    empty = SparsePauliOp(PauliList.from_symplectic(np.zeros((0, 3), bool), np.zeros((0, 3), bool)))
    with pytest.raises(ValueError, match="empty"):
        twirl(empty, group)
    with pytest.raises(ValueError, match="SparsePauliOp"):
        twirl("XXX", group)
    wide = SymmetryGroup.collective(11)
    with pytest.raises(ValueError, match=r"weight at most 10.*estimate_twirl"):
        twirl(SparsePauliOp("X" * 11), wide)
    with pytest.raises(ValueError, match="expected a SymmetryGroup, got str"):
        twirl(SparsePauliOp("XXX"), "abc")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-finite coefficient"):
        symmetry_violation(SparsePauliOp("XXX", np.nan), group)
