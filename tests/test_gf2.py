"""Tests for qsympass.symmetry.gf2 (bit-packed GF(2) elimination)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from qsympass.symmetry.gf2 import nullspace, pack_rows, row_reduce, unpack_rows


def _rank(matrix: np.ndarray) -> int:
    return len(row_reduce(matrix)[1])


boolean_matrices = st.tuples(st.integers(1, 12), st.integers(1, 140)).flatmap(
    lambda shape: arrays(bool, shape)
)


@settings(max_examples=40, deadline=None)
@given(matrix=boolean_matrices)
def test_pack_unpack_round_trip(matrix: np.ndarray) -> None:
    np.testing.assert_array_equal(unpack_rows(pack_rows(matrix), matrix.shape[1]), matrix)


@settings(max_examples=40, deadline=None)
@given(matrix=boolean_matrices)
def test_nullspace_is_a_kernel_basis(matrix: np.ndarray) -> None:
    kernel = nullspace(matrix)
    cols = matrix.shape[1]
    # In the kernel, independent, and of the dimension rank-nullity demands.
    assert not np.any((matrix.astype(int) @ kernel.T.astype(int)) % 2)
    assert _rank(kernel) == kernel.shape[0] == cols - _rank(matrix)


@settings(max_examples=30, deadline=None)
@given(matrix=boolean_matrices, data=st.data())
def test_nullspace_is_canonical(matrix: np.ndarray, data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(matrix.shape[0])))
    np.testing.assert_array_equal(nullspace(matrix), nullspace(matrix[list(order)]))


def test_row_reduce_of_a_small_example() -> None:
    matrix = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]], dtype=bool)
    reduced, pivots = row_reduce(matrix)
    assert pivots == [0, 1]
    np.testing.assert_array_equal(reduced, [[1, 0, 1], [0, 1, 1]])
    np.testing.assert_array_equal(nullspace(matrix), [[1, 1, 1]])
