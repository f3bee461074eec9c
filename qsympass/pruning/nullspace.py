"""Sparse integral null-space basis of a sparse constraint matrix (DESIGN §3.4).

The constraint systems of symmetric pruning are large (thousands of parameters) but made of
tiny independent pieces: most rows read ``θ_i = ±θ_j`` (a symmetry maps one gate onto another)
or ``θ_i = 0`` (a gate breaks the symmetry). The solver

1. scales every row by its largest entry and drops entries below :data:`_ZERO`,
2. propagates the zeros of single-entry rows (whole components of two-entry rows at once),
3. splits the remaining unknowns into connected components of the row graph,
4. solves every *sign component* (all its rows read ``θ_i ± θ_j = 0``) at once: a
   breadth-first forest rooted at each component's smallest unknown gives every unknown its
   sign relative to the root, and the component keeps one free unknown unless a row
   contradicts those signs,
5. solves every other component exactly over the rationals: ratios propagated along a spanning
   tree when all its rows have two entries, a reduced row echelon form otherwise,
6. scales each basis vector to coprime integers with its first entry positive and orders the
   vectors by their first unknown.

A component whose coefficients are not short rationals (denominator at most
:data:`_MAX_DENOMINATOR`, e.g. ``π θ_a = θ_b``) has no integral basis; it is solved in floating
point instead, in the same echelon form (each vector is 1 on its own free unknown).

Steps 1–4 are vectorized (NumPy and ``scipy.sparse.csgraph``): a zero spreads over a whole
component of two-entry rows in one round, so the common case does no Python work per unknown.
The result ``B`` is deterministic, with integer entries wherever the ratios are rational.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, connected_components

#: Entries below this (relative to the row's largest) are treated as zero.
_ZERO = 1e-12
#: Largest denominator of a coefficient ratio solved exactly (larger ones: floating point).
_MAX_DENOMINATOR = 1000
#: Singular values below this (relative to the largest) count as zero in the float fallback.
_RANK_TOLERANCE = 1e-10

Row = dict[int, Fraction | int]


@dataclass(frozen=True)
class _Vectors:
    """Basis vectors as entries: ``vector[k]`` holds ``values[k]`` at ``variables[k]``;
    ``first[i]`` is the first (smallest) unknown of vector ``i``."""

    variables: np.ndarray
    values: np.ndarray
    vector: np.ndarray
    first: np.ndarray


def to_fraction(value: float) -> Fraction | None:
    """An exact fraction for a float coefficient, if it is a short one.

    Args:
        value: The coefficient.

    Returns:
        The fraction with denominator at most :data:`_MAX_DENOMINATOR` that equals ``value``
        to 1e-12 (relative), or None when there is none.
    """
    fraction = Fraction(float(value)).limit_denominator(_MAX_DENOMINATOR)
    if abs(float(fraction) - value) > 1e-12 * max(1.0, abs(value)):
        return None
    return fraction


def integral_null_space(matrix: sp.spmatrix, num_variables: int) -> sp.csc_matrix:
    """A sparse integral basis ``B`` of ``{θ : C θ = 0}``.

    Args:
        matrix: The constraints ``C`` (rows × variables), sparse.
        num_variables: The number of variables (columns).

    Returns:
        ``B`` as a ``(num_variables, m)`` CSC matrix, with integer entries (float dtype) in
        every component whose coefficient ratios are short rationals.
    """
    rows = _normalized(sp.csr_matrix(matrix))
    if rows.nnz == 0:
        return sp.identity(num_variables, format="csc")
    zero = _forced_zeros(rows, num_variables)
    rows = _without_variables(rows, zero)
    constrained = zero.copy()
    constrained[rows.indices] = True
    free = np.flatnonzero(~constrained)
    parts = [_Vectors(free, np.ones(free.size), np.arange(free.size), free)]
    if rows.shape[0]:
        _, labels = connected_components(_row_graph(rows, num_variables), directed=False)
        row_label = labels[rows.indices[rows.indptr[:-1]]]
        sign_row = (np.diff(rows.indptr) == 2) & _row_all(rows, np.abs(rows.data) == 1.0)
        exact_label = np.zeros(num_variables, dtype=bool)
        exact_label[row_label[~sign_row]] = True
        exact = exact_label[row_label]
        parts.append(_sign_solution(rows[np.flatnonzero(~exact)], labels))
        parts.append(_exact_solution(rows[np.flatnonzero(exact)], labels))
    return _assemble(parts, num_variables)


def _normalized(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Rows scaled by their largest entry, tiny entries and empty rows dropped."""
    matrix = matrix.copy()
    matrix.sum_duplicates()
    if matrix.nnz == 0:
        return matrix
    row_of = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    scale = np.zeros(matrix.shape[0])
    np.maximum.at(scale, row_of, np.abs(matrix.data))
    matrix.data = matrix.data / np.where(scale > 0, scale, 1.0)[row_of]
    matrix.data[np.abs(matrix.data) <= _ZERO] = 0.0
    matrix.eliminate_zeros()
    return matrix[np.flatnonzero(np.diff(matrix.indptr))]


def _forced_zeros(rows: sp.csr_matrix, num_variables: int) -> np.ndarray:
    """Unknowns forced to zero by single-entry rows, transitively (a mask).

    A two-entry row with one unknown at zero forces the other to zero, so a zero spreads over
    its whole connected component of two-entry rows at once; only rows with more entries that
    shrink to one need another round.
    """
    zero = np.zeros(num_variables, dtype=bool)
    row_of = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
    alive = np.ones(rows.nnz, dtype=bool)
    while True:
        counts = np.bincount(row_of[alive], minlength=rows.shape[0])[row_of]
        forced = rows.indices[alive & (counts == 1)]
        if forced.size == 0:
            return zero
        # entries of the rows with two live unknowns, in pairs (CSR keeps a row's entries together)
        pairs = rows.indices[alive & (counts == 2)].reshape(-1, 2)
        graph = sp.csr_matrix(
            (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])),
            shape=(num_variables, num_variables),
        )
        _, labels = connected_components(graph, directed=False)
        zero |= np.isin(labels, labels[forced])
        alive &= ~zero[rows.indices]


def _without_variables(rows: sp.csr_matrix, drop: np.ndarray) -> sp.csr_matrix:
    """The rows with the entries of dropped unknowns removed (empty rows removed too)."""
    rows = rows.copy()
    rows.data[drop[rows.indices]] = 0.0
    rows.eliminate_zeros()
    return rows[np.flatnonzero(np.diff(rows.indptr))]


def _row_all(rows: sp.csr_matrix, mask: np.ndarray) -> np.ndarray:
    """Per row: whether ``mask`` holds for all its entries."""
    row_of = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
    return np.bincount(row_of, weights=~mask, minlength=rows.shape[0]) == 0


def _row_graph(rows: sp.csr_matrix, num_variables: int) -> sp.csr_matrix:
    """A graph joining the consecutive unknowns of every row (same components as the rows)."""
    not_last = np.ones(rows.nnz, dtype=bool)
    not_last[rows.indptr[1:] - 1] = False
    heads = rows.indices[not_last]
    tails = rows.indices[np.flatnonzero(not_last) + 1]
    return sp.csr_matrix(
        (np.ones(heads.size), (heads, tails)), shape=(num_variables, num_variables)
    )


def _sign_solution(rows: sp.csr_matrix, labels: np.ndarray) -> _Vectors:
    """One ±1 vector per consistent sign component (rows ``c_a θ_a + c_b θ_b = 0``, ``c = ±1``)."""
    if rows.shape[0] == 0:
        return _empty_vectors()
    n = labels.size
    start = rows.indptr[:-1]
    # int64: the edge keys below reach n², beyond int32 for large n
    a = rows.indices[start].astype(np.int64)
    b = rows.indices[start + 1].astype(np.int64)
    sign = -rows.data[start] * rows.data[start + 1]  # θ_b = sign θ_a
    variables = np.unique(np.concatenate([a, b]))  # ascending: a component's first is its root
    component_labels, first = np.unique(labels[variables], return_index=True)
    roots = variables[first]
    # breadth-first forest: a super-root n points at every component's root
    heads = np.concatenate([a, b, np.full(roots.size, n)])
    tails = np.concatenate([b, a, roots])
    graph = sp.csr_matrix((np.ones(heads.size), (heads, tails)), shape=(n + 1, n + 1))
    _, parent = breadth_first_order(graph, n, directed=True, return_predecessors=True)
    # sign of every tree edge (parent -> variable), looked up among the rows
    edge_keys = np.minimum(a, b) * (n + 1) + np.maximum(a, b)
    order = np.argsort(edge_keys, kind="stable")
    up = parent[variables].astype(np.int64)
    at_root = up == n
    wanted = np.minimum(up, variables) * (n + 1) + np.maximum(up, variables)
    found = order[np.minimum(np.searchsorted(edge_keys[order], wanted), order.size - 1)]
    value = np.ones(n + 1)
    value[variables] = np.where(at_root, 1.0, sign[found])
    ancestor = np.arange(n + 1)
    ancestor[variables] = up
    # pointer jumping: after k rounds, value[v] multiplies the signs of 2^k edges above v
    while np.any(ancestor[variables] != n):
        value[variables] *= value[ancestor[variables]]
        ancestor[variables] = ancestor[ancestor[variables]]
    violated = rows.data[start] * value[a] + rows.data[start + 1] * value[b] != 0
    consistent = ~np.isin(component_labels, labels[a[violated]])
    column = np.full(n, -1)
    column[component_labels[consistent]] = np.arange(int(consistent.sum()))
    kept = variables[column[labels[variables]] >= 0]
    return _Vectors(kept, value[kept], column[labels[kept]], roots[consistent])


def _exact_solution(rows: sp.csr_matrix, labels: np.ndarray) -> _Vectors:
    """Vectors of the remaining components: integral by exact rational arithmetic, or in
    floating point for a component whose coefficients are not short rationals."""
    if rows.shape[0] == 0:
        return _empty_vectors()
    grouped: dict[int, list[int]] = {}
    for row_index, leading in enumerate(rows.indices[rows.indptr[:-1]].tolist()):
        grouped.setdefault(int(labels[leading]), []).append(row_index)
    vectors: list[dict[int, int] | dict[int, float]] = []
    for members in grouped.values():
        component = rows[members]
        exact = _fraction_rows(component)
        if exact is None:
            vectors.extend(_float_null_space(component))
        elif all(len(row) == 2 for row in exact):
            vectors.extend(_integral(vector) for vector in _ratio_solution(exact))
        else:
            vectors.extend(_integral(vector) for vector in _rref_null_space(exact))
    variables = [v for vector in vectors for v in vector]
    values = [c for vector in vectors for c in vector.values()]
    index = [i for i, vector in enumerate(vectors) for _ in vector]
    first = [min(vector) for vector in vectors]
    return _Vectors(
        np.asarray(variables, dtype=np.int64), np.asarray(values, dtype=float),
        np.asarray(index, dtype=np.int64), np.asarray(first, dtype=np.int64),
    )


def _fraction_rows(rows: sp.csr_matrix) -> list[Row] | None:
    """The rows as exact ``variable -> coefficient`` maps (±1 as ints, the rest as fractions),
    or None if a coefficient is not a short rational."""
    distinct, inverse = np.unique(rows.data, return_inverse=True)
    # the coefficients take few distinct values: convert each one once
    fractions: list[Fraction | int] = []
    for value in distinct.tolist():
        exact = int(value) if value in (1.0, -1.0) else to_fraction(value)
        if exact is None:
            return None
        fractions.append(exact)
    codes = inverse.ravel().tolist()
    indices = rows.indices.tolist()
    indptr = rows.indptr.tolist()
    return [
        {indices[k]: fractions[codes[k]] for k in range(begin, end)}
        for begin, end in itertools.pairwise(indptr)
    ]


def _ratio_solution(rows: list[Row]) -> list[Row]:
    """Null space of a connected system of two-entry rows: one vector or none."""
    edges: dict[int, list[tuple[int, Fraction | int]]] = {}
    for row in rows:
        (a, ca), (b, cb) = row.items()
        edges.setdefault(a, []).append((b, -Fraction(ca) / cb))  # θ_b = -(ca/cb) θ_a
        edges.setdefault(b, []).append((a, -Fraction(cb) / ca))
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


def _rref_null_space(rows: list[Row]) -> list[Row]:
    """Null space of a small system by exact reduced row echelon form."""
    variables = sorted({v for row in rows for v in row})
    pivots: dict[int, Row] = {}  # pivot variable -> row with coefficient 1 there
    for original in rows:
        row = dict(original)
        for pivot, pivot_row in pivots.items():
            factor = row.get(pivot)
            if factor:
                _subtract(row, factor, pivot_row)
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {v: Fraction(c) / scale for v, c in row.items()}
        for other in pivots.values():
            factor = other.get(pivot)
            if factor:
                _subtract(other, factor, row)
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


def _subtract(target: Row, factor: Fraction | int, source: Row) -> None:
    """``target -= factor * source`` in place, dropping entries that become zero."""
    for variable, coefficient in source.items():
        updated = target.get(variable, Fraction(0)) - factor * coefficient
        if updated:
            target[variable] = updated
        else:
            target.pop(variable, None)


def _integral(vector: Row) -> dict[int, int]:
    """The vector scaled to coprime integers with its first entry positive."""
    denominator = 1
    for value in vector.values():
        denominator = math.lcm(denominator, Fraction(value).denominator)
    integers = {v: int(c * denominator) for v, c in vector.items() if c}
    divisor = math.gcd(*integers.values())
    sign = 1 if integers[min(integers)] > 0 else -1
    return {v: sign * c // divisor for v, c in sorted(integers.items())}


def _float_null_space(rows: sp.csr_matrix) -> list[dict[int, float]]:
    """Null space of one component in floating point, in reduced echelon form.

    Each vector is 1 on its own free unknown and 0 on the other free ones, like the exact
    solver's vectors; the free unknowns are the earliest that can be chosen freely.
    """
    variables = np.unique(rows.indices)
    dense = rows[:, variables].toarray()
    _, singular, right = np.linalg.svd(dense)
    rank = int(np.sum(singular > _RANK_TOLERANCE * singular[0]))
    null = right[rank:].T  # (unknowns, nullity)
    if null.shape[1] == 0:
        return []
    free = _free_unknowns(null)
    echelon = null @ np.linalg.inv(null[free])
    echelon[np.abs(echelon) < 1e-12] = 0.0
    rounded = np.round(echelon)
    echelon = np.where(np.abs(echelon - rounded) < 1e-12, rounded, echelon)
    return [
        {int(variables[k]): float(echelon[k, j]) for k in np.flatnonzero(echelon[:, j])}
        for j in np.argsort(free)
    ]


def _free_unknowns(null: np.ndarray) -> np.ndarray:
    """Rows of a null-space basis that form an invertible block, preferring early unknowns."""
    chosen: list[int] = []
    for row in range(null.shape[0]):
        trial = null[[*chosen, row]]
        if np.linalg.matrix_rank(trial, tol=1e-9) == len(chosen) + 1:
            chosen.append(row)
            if len(chosen) == null.shape[1]:
                break
    return np.array(chosen)


def _empty_vectors() -> _Vectors:
    empty = np.zeros(0, dtype=np.int64)
    return _Vectors(empty, np.zeros(0), empty, empty)


def _assemble(parts: list[_Vectors], num_variables: int) -> sp.csc_matrix:
    """Stack the parts' vectors as columns ordered by their first unknown (stable for ties)."""
    offsets = np.cumsum([0] + [part.first.size for part in parts])
    first = np.concatenate([part.first for part in parts])
    column = np.empty(first.size, dtype=np.int64)
    column[np.argsort(first, kind="stable")] = np.arange(first.size)
    variables = np.concatenate([part.variables for part in parts])
    values = np.concatenate([part.values for part in parts])
    vector = np.concatenate(
        [part.vector + offset for part, offset in zip(parts, offsets[:-1], strict=True)]
    )
    return sp.csc_matrix(
        (values, (variables, column[vector])), shape=(num_variables, first.size)
    )
