"""The sparse integral null space against an exact rational reference."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from qsympass.pruning.nullspace import integral_null_space

_COEFFICIENTS = st.sampled_from([1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 2.0, -0.5, 3.0])


@st.composite
def constraint_systems(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    """Sparse systems shaped like pruning's: mostly ``θ_i = ±θ_j``, some ``θ_i = 0``, a few
    longer or non-unit rows, with cycles (consistent or not) between them."""
    num_variables = draw(st.integers(1, 24))
    num_rows = draw(st.integers(0, 30))
    dense = np.zeros((num_rows, num_variables))
    for row in range(num_rows):
        size = draw(st.sampled_from([1, 2, 2, 2, 2, 3]))
        size = min(size, num_variables)
        variables = draw(st.lists(st.integers(0, num_variables - 1), min_size=size,
                                  max_size=size, unique=True))
        for variable in variables:
            dense[row, variable] = draw(_COEFFICIENTS)
    return dense, num_variables


def _exact_kernel(dense: np.ndarray) -> sympy.Matrix:
    rational = sympy.Matrix(dense.shape[0], dense.shape[1],
                            [sympy.nsimplify(v) for v in dense.ravel()])
    kernel = rational.nullspace()
    if not kernel:
        return sympy.zeros(dense.shape[1], 0)
    return sympy.Matrix.hstack(*kernel)


@settings(max_examples=60, deadline=None)
@given(constraint_systems())
def test_basis_spans_exactly_the_rational_kernel(system: tuple[np.ndarray, int]) -> None:
    dense, num_variables = system
    basis = integral_null_space(sp.csr_matrix(dense), num_variables).toarray()
    kernel = _exact_kernel(dense)
    assert basis.shape == (num_variables, kernel.shape[1])
    assert np.array_equal(basis, np.round(basis))
    exact = sympy.Matrix(basis.astype(int).tolist()) if basis.size else sympy.zeros(
        num_variables, 0)
    if dense.size:
        assert sympy.Matrix(dense.tolist()).applyfunc(sympy.nsimplify) * exact == sympy.zeros(
            dense.shape[0], basis.shape[1])
    assert exact.rank() == kernel.shape[1]


@settings(max_examples=60, deadline=None)
@given(constraint_systems())
def test_basis_is_canonical_integral_and_ordered(system: tuple[np.ndarray, int]) -> None:
    dense, num_variables = system
    basis = integral_null_space(sp.csr_matrix(dense), num_variables).toarray().astype(int)
    firsts = []
    for column in basis.T:
        support = np.flatnonzero(column)
        assert support.size and column[support[0]] > 0  # first entry positive
        assert np.gcd.reduce(np.abs(column[support])) == 1  # coprime
        firsts.append(support[0])
    assert firsts == sorted(firsts)
    # row order and row scaling do not change the basis
    rng = np.random.default_rng(len(firsts))
    shuffled = dense[rng.permutation(dense.shape[0])] * rng.choice([-2.0, 1.0, 4.0],
                                                                   size=(dense.shape[0], 1))
    again = integral_null_space(sp.csr_matrix(shuffled), num_variables).toarray().astype(int)
    assert np.array_equal(basis, again)


def test_sign_cycles_tie_or_zero_their_component() -> None:
    # θ0 = θ1 = -θ2 (a consistent chain) and θ3 = θ4 = -θ3 (an inconsistent cycle)
    dense = np.array([
        [1.0, -1.0, 0, 0, 0],
        [0, 1.0, 1.0, 0, 0],
        [0, 0, 0, 1.0, -1.0],
        [0, 0, 0, 1.0, 1.0],
    ])
    basis = integral_null_space(sp.csr_matrix(dense), 5).toarray()
    assert basis.tolist() == [[1.0], [1.0], [-1.0], [0.0], [0.0]]


def test_single_entry_rows_propagate_zeros_through_chains() -> None:
    # θ0 = 0 forces θ1 = 0 through θ0 + θ1 + θ2 = 0 only together with θ2 = 0
    dense = np.array([[1.0, 0, 0, 0], [1.0, 1.0, 1.0, 0], [0, 0, 1.0, 0]])
    basis = integral_null_space(sp.csr_matrix(dense), 4).toarray()
    assert basis.tolist() == [[0.0], [0.0], [0.0], [1.0]]



def test_large_sign_systems_keep_every_component() -> None:
    # edge keys of the sign forest reach n²: beyond int32 here
    n = 100_000
    rows = ([0, 0, 1, 1], [0, 50_000, 42_949, 74_347])
    basis = integral_null_space(sp.csr_matrix(([1.0, -1.0, 1.0, 1.0], rows), shape=(2, n)), n)
    assert basis.shape == (n, n - 2)
    tied = basis[[0, 50_000]].toarray()
    assert np.array_equal(tied[0], tied[1]) and np.count_nonzero(tied[0]) == 1
    opposite = basis[[42_949, 74_347]].toarray()
    assert np.array_equal(opposite[0], -opposite[1]) and np.count_nonzero(opposite[0]) == 1


def test_a_zero_spreads_along_a_long_chain() -> None:
    # θ0 = 0 and θ_i = θ_{i+1}: every unknown is zero, and an extra free unknown stays free
    n = 5_000
    rows = [0] + [i for i in range(1, n) for _ in range(2)]
    cols = [0] + [c for i in range(n - 1) for c in (i, i + 1)]
    values = [1.0] + [v for _ in range(n - 1) for v in (1.0, -1.0)]
    matrix = sp.csr_matrix((values, (rows, cols)), shape=(n, n + 1))
    basis = integral_null_space(matrix, n + 1).toarray()
    assert basis.shape == (n + 1, 1) and basis[n, 0] == 1 and not basis[:n].any()


@settings(max_examples=20, deadline=None)
@given(st.sampled_from([np.pi, np.sqrt(2.0), 1e-7, 0.123456789]), st.integers(2, 6))
def test_irrational_ratios_fall_back_to_an_exact_float_basis(ratio: float, size: int) -> None:
    # ratio·θ_0 = θ_1, θ_1 = θ_2 + θ_3 + …: no integral basis exists; the float one must span the
    # kernel to round-off and be 1 on its free unknowns.
    rows = [[ratio, -1.0] + [0.0] * (size - 2)]
    rows += [[0.0, 1.0] + [-1.0 if k == j else 0.0 for k in range(2, size)] for j in range(2, 3)]
    matrix = np.array(rows)
    basis = integral_null_space(sp.csr_matrix(matrix), size).toarray()
    assert basis.shape[1] == size - np.linalg.matrix_rank(matrix)
    np.testing.assert_allclose(matrix @ basis, 0.0, atol=1e-12)
    assert np.linalg.matrix_rank(basis) == basis.shape[1]
    # echelon form: each column is 1 on its own free unknown, where the others are 0
    free = [int(np.flatnonzero(np.isclose(column, 1.0))[0]) for column in basis.T]
    np.testing.assert_allclose(basis[free], np.eye(basis.shape[1]), atol=1e-12)


def test_short_fractions_stay_exact() -> None:
    # θ_0/3 = θ_1/2 → (3, 2) exactly, not an approximation with a large denominator
    basis = integral_null_space(sp.csr_matrix(np.array([[1 / 3, -1 / 2]])), 2).toarray()
    np.testing.assert_array_equal(basis.ravel(), [3.0, 2.0])
