"""Sparse integral null-space basis of a sparse constraint matrix (DESIGN §3.4).

The constraint systems of symmetric pruning are large (thousands of parameters) but made of
tiny independent pieces: most rows read ``a θ_i − b θ_j = 0`` (a symmetry maps one gate onto
another) or ``θ_i = 0`` (a gate breaks the symmetry). The solver

1. converts every coefficient to an exact fraction (the coefficients are short dyadic numbers:
   Pauli coefficients times angle coefficients),
2. propagates single-entry rows (those parameters are zero),
3. splits the remaining unknowns into connected components of the row graph,
4. solves components made of two-entry rows by propagating ratios along a spanning tree (one
   free parameter, or none when a cycle is inconsistent), and any other component by exact
   reduced row echelon form over the rationals,
5. scales each basis vector to coprime integers with its first entry positive and orders the
   vectors by their first unknown.

The result ``B`` has integer entries, one free unknown per column (RREF), and is deterministic.
"""

from __future__ import annotations

import math
from collections import deque
from fractions import Fraction

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

#: Entries below this (relative to the row's largest) are treated as zero.
_ZERO = 1e-12
#: Largest denominator accepted when converting a float coefficient to a fraction.
_MAX_DENOMINATOR = 10**6

Row = dict[int, Fraction | int]


def to_fraction(value: float) -> Fraction:
    """An exact fraction for a float coefficient.

    Args:
        value: The coefficient.

    Returns:
        The closest fraction with denominator at most 10^6.

    Raises:
        ValueError: If no such fraction is within 1e-9 of ``value``.
    """
    fraction = Fraction(float(value)).limit_denominator(_MAX_DENOMINATOR)
    if abs(float(fraction) - value) > 1e-9 * max(1.0, abs(value)):
        raise ValueError(f"constraint coefficient {value!r} is not a short rational number")
    return fraction


def integral_null_space(matrix: sp.spmatrix, num_variables: int) -> sp.csc_matrix:
    """A sparse integral basis ``B`` of ``{θ : C θ = 0}``.

    Args:
        matrix: The constraints ``C`` (rows × variables), sparse.
        num_variables: The number of variables (columns).

    Returns:
        ``B`` as a ``(num_variables, m)`` CSC matrix with integer entries (float dtype).
    """
    matrix = sp.csr_matrix(matrix)
    if matrix.nnz == 0:
        return sp.identity(num_variables, format="csc")
    rows = _exact_rows(matrix)
    zero = _propagate_zeros(rows)
    rows = [row for row in rows if row]
    vectors: list[Row] = []
    constrained = np.zeros(num_variables, dtype=bool)
    constrained[list(zero)] = True
    for row in rows:
        constrained[list(row)] = True
    vectors.extend({v: Fraction(1)} for v in np.flatnonzero(~constrained).tolist())
    for component_rows in _components(rows, num_variables):
        if all(len(row) == 2 for row in component_rows):
            vectors.extend(_ratio_solution(component_rows))
        else:
            vectors.extend(_rref_null_space(component_rows))
    integral = sorted((_integral(vector) for vector in vectors), key=min)
    return _as_matrix(integral, num_variables)


def _exact_rows(matrix: sp.csr_matrix) -> list[Row]:
    matrix = matrix.copy()
    matrix.sum_duplicates()
    lengths = np.diff(matrix.indptr)
    if matrix.nnz == 0:
        return []
    row_of_entry = np.repeat(np.arange(matrix.shape[0]), lengths)
    scale = np.zeros(matrix.shape[0])
    np.maximum.at(scale, row_of_entry, np.abs(matrix.data))
    values = matrix.data / np.where(scale > 0, scale, 1.0)[row_of_entry]
    keep = np.abs(values) > _ZERO
    # the coefficients take few distinct values: convert each distinct value once
    distinct, inverse = np.unique(values, return_inverse=True)
    # ±1 stay Python ints: most rows are "θ_i = ±θ_j" and int arithmetic is much cheaper
    fractions: list[Fraction | int] = [
        int(v) if v in (1.0, -1.0) else to_fraction(v) for v in distinct.tolist()
    ]
    rows: list[Row] = [{} for _ in range(matrix.shape[0])]
    for row, col, code, kept in zip(
        row_of_entry.tolist(), matrix.indices.tolist(), inverse.ravel().tolist(),
        keep.tolist(), strict=True,
    ):
        if kept:
            rows[row][col] = fractions[code]
    return [row for row in rows if row]


def _propagate_zeros(rows: list[Row]) -> set[int]:
    """Remove variables forced to zero by single-entry rows (in place); return them."""
    zero: set[int] = set()
    pending = [next(iter(row)) for row in rows if len(row) == 1]
    by_variable: dict[int, list[int]] = {}
    for index, row in enumerate(rows):
        for variable in row:
            by_variable.setdefault(variable, []).append(index)
    while pending:
        variable = pending.pop()
        if variable in zero:
            continue
        zero.add(variable)
        for index in by_variable.get(variable, ()):
            row = rows[index]
            if variable in row:
                del row[variable]
                if len(row) == 1:
                    pending.append(next(iter(row)))
    return zero


def _components(rows: list[Row], num_variables: int) -> list[list[Row]]:
    if not rows:
        return []
    heads: list[int] = []
    tails: list[int] = []
    for row in rows:
        variables = list(row)
        heads.extend(variables[:-1])
        tails.extend(variables[1:])
    graph = sp.coo_matrix(
        (np.ones(len(heads)), (heads, tails)), shape=(num_variables, num_variables)
    )
    _, labels = connected_components(graph, directed=False)
    grouped: dict[int, list[Row]] = {}
    for row in rows:
        grouped.setdefault(int(labels[next(iter(row))]), []).append(row)
    return list(grouped.values())


def _ratio_solution(rows: list[Row]) -> list[Row]:
    """Null space of a connected system of two-entry rows: one vector or none."""
    edges: dict[int, list[tuple[int, Fraction | int]]] = {}
    for row in rows:
        (a, ca), (b, cb) = row.items()
        edges.setdefault(a, []).append((b, _ratio(ca, cb)))  # θ_b = -(ca/cb) θ_a
        edges.setdefault(b, []).append((a, _ratio(cb, ca)))
    root = min(edges)
    value: Row = {root: 1}
    queue = deque([root])
    while queue:
        variable = queue.popleft()
        for other, ratio in edges[variable]:
            if other not in value:
                value[other] = value[variable] * ratio
                queue.append(other)
    for row in rows:
        if sum(c * value[v] for v, c in row.items()) != 0:
            return []
    return [value]


def _ratio(numerator: Fraction | int, denominator: Fraction | int) -> Fraction | int:
    """``-numerator / denominator``, exactly (ints stay ints when the denominator is ±1)."""
    if isinstance(numerator, int) and denominator in (1, -1):
        return -numerator * int(denominator)
    return -Fraction(numerator) / denominator


def _rref_null_space(rows: list[Row]) -> list[Row]:
    """Null space of a small system by exact reduced row echelon form."""
    variables = sorted({v for row in rows for v in row})
    pivots: dict[int, Row] = {}  # pivot variable -> row with coefficient 1 there
    for original in rows:
        row = dict(original)
        for pivot, pivot_row in pivots.items():
            factor = row.get(pivot)
            if factor:
                for v, c in pivot_row.items():
                    updated = row.get(v, Fraction(0)) - factor * c
                    if updated:
                        row[v] = updated
                    else:
                        row.pop(v, None)
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {v: Fraction(c) / scale for v, c in row.items()}
        for other_pivot, other in list(pivots.items()):
            factor = other.get(pivot)
            if factor:
                for v, c in row.items():
                    updated = other.get(v, Fraction(0)) - factor * c
                    if updated:
                        other[v] = updated
                    else:
                        other.pop(v, None)
                pivots[other_pivot] = other
        pivots[pivot] = row
    vectors: list[Row] = []
    for free in variables:
        if free in pivots:
            continue
        vector: Row = {free: Fraction(1)}
        for pivot, row in pivots.items():
            coefficient = row.get(free)
            if coefficient:
                vector[pivot] = -coefficient
        vectors.append(vector)
    return vectors


def _integral(vector: Row) -> dict[int, int]:
    values = list(vector.values())
    if all(type(v) is int and v in (1, -1) for v in values):  # the common case: θ_i = ±θ_j
        first = vector[min(vector)]
        return {v: int(c * first) for v, c in sorted(vector.items())}
    denominator = 1
    for value in vector.values():
        denominator = denominator * value.denominator // math.gcd(denominator, value.denominator)
    integers = {v: int(c * denominator) for v, c in vector.items() if c}
    divisor = 0
    for value in integers.values():
        divisor = math.gcd(divisor, value)
    sign = 1 if integers[min(integers)] > 0 else -1
    return {v: sign * c // divisor for v, c in sorted(integers.items())}


def _as_matrix(vectors: list[dict[int, int]], num_variables: int) -> sp.csc_matrix:
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for column, vector in enumerate(vectors):
        for variable, value in vector.items():
            rows.append(variable)
            cols.append(column)
            vals.append(float(value))
    return sp.csc_matrix((vals, (rows, cols)), shape=(num_variables, len(vectors)))
