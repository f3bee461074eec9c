"""Spatial symmetries: qubit permutations that map a Hamiltonian onto itself.

The Hamiltonian becomes a vertex-coloured graph whose automorphisms, restricted to the qubit
vertices, are exactly its qubit-permutation symmetries; nauty (``pynauty``) returns generators,
orbits and the group order without ever listing the elements.

The graph has

* one vertex per qubit, coloured by the qubit's one-body terms (letter and coefficient) and by an
  optional caller-given colour (e.g. the initial state of that qubit);
* for every pair of qubits that share two-body terms (or caller-given edges, e.g. fixed
  two-qubit gates), one "pair colour": the multiset of its (letter, letter, coefficient) terms.
  The most common pair colour that reads the same from both ends becomes plain qubit-qubit
  edges; every other pair becomes a pair vertex with that colour, joined to both qubits (through
  a marker vertex on the source side when the colour is not symmetric, so that ``X_i Z_j`` and
  ``Z_i X_j`` differ);
* one vertex per k-body term (k >= 3), coloured by its coefficient and joined to its qubits
  through letter-coloured connector vertices (shared per qubit and letter), or directly when all
  its letters agree.

Dense nauty costs grow quickly with the vertex count (about 0.2 s at 3000 vertices versus
0.01 s at 1000), which is why two-body terms become edges rather than term vertices. An
automorphism that fixes every qubit fixes every other vertex, so the restriction to the qubits
is faithful and nauty's group order is the order of the spatial group.

nauty is also slow on huge symmetric groups (6 s for 1000 idle qubits), so qubits with the same
colour and neighbours ("twins", freely interchangeable) are factored out first: each twin class
of size k contributes S_k (two generators, order k!) and nauty only sees the quotient graph.
Orders too large for nauty's floating-point report are made exact the same way, then by
orbit-stabiliser.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pynauty
from qiskit.quantum_info import SparsePauliOp

#: Coefficients are compared after rounding to this many digits relative to the largest one.
COEFFICIENT_DIGITS = 9
#: Below this, nauty's floating-point group order rounds to the exact integer.
_EXACT_FLOAT_ORDER = 1e15

ColouredEdge = tuple[int, int, Hashable]

_LETTERS = np.array(["I", "X", "Z", "Y"])  # index: x + 2 z


@dataclass(frozen=True)
class SpatialSymmetries:
    """The qubit-permutation symmetries of a Hamiltonian.

    Attributes:
        num_qubits: Width of the Hamiltonian.
        permutations: Generators; ``perm[i] = j`` sends qubit ``i`` to qubit ``j``. Each has been
            checked to map the Hamiltonian (and any extra colours and edges) onto itself.
        order: The exact group order.
        orbits: Qubit orbits, each sorted, ordered by their smallest qubit.
    """

    num_qubits: int
    permutations: tuple[tuple[int, ...], ...]
    order: int
    orbits: tuple[tuple[int, ...], ...]

    @property
    def is_trivial(self) -> bool:
        """Whether the group is the trivial group."""
        return self.order == 1


def spatial_symmetries(
    hamiltonian: SparsePauliOp,
    qubit_colours: Sequence[Hashable] | None = None,
    extra_edges: Iterable[ColouredEdge] = (),
) -> SpatialSymmetries:
    """Find the qubit permutations that map ``hamiltonian`` onto itself.

    Args:
        hamiltonian: A Hermitian Hamiltonian (real coefficients; imaginary parts are ignored).
        qubit_colours: Optional extra colour per qubit (hashable, e.g. the label of its initial
            state); only permutations preserving these colours are kept.
        extra_edges: Optional directed coloured edges ``(source, target, colour)`` that must be
            preserved too (e.g. fixed two-qubit gates). Add both directions for a symmetric gate.

    Returns:
        The generators, order and orbits of the symmetry group.

    Raises:
        ValueError: If ``qubit_colours`` has the wrong length or an edge names a qubit outside
            the Hamiltonian or joins a qubit to itself.
        RuntimeError: If a generator returned by nauty fails verification (an internal error).
    """
    num_qubits = hamiltonian.num_qubits
    colours = _check_qubit_colours(qubit_colours, num_qubits)
    edges = _check_edges(extra_edges, num_qubits)
    op = _significant_terms(hamiltonian)
    builder = _build_graph(op, colours, edges)
    # nauty is slow on huge symmetric groups (about 6 s for 1000 idle qubits), so interchangeable
    # qubits (twins) are factored out first and only the quotient graph goes to nauty.
    classes = _twin_classes(builder)
    reduced = _without_twins(builder, classes)
    generators, size_mantissa, size_exponent, vertex_orbits, _ = _autgrp(reduced)
    lift = _TwinLift(num_qubits, classes)
    permutations = tuple(
        [lift.generator(gen[: reduced.num_qubits]) for gen in generators] + lift.twin_generators()
    )
    reference = _SortedTerms.of(op)
    for perm in permutations:
        _verify(perm, op, reference, colours, edges)
    twin_order = math.prod(math.factorial(len(members)) for members, _ in classes)
    return SpatialSymmetries(
        num_qubits=num_qubits,
        permutations=permutations,
        order=twin_order * _group_order(reduced, size_mantissa, size_exponent),
        orbits=lift.orbits(vertex_orbits[: reduced.num_qubits]),
    )


def permute_operator(op: SparsePauliOp, permutation: Sequence[int]) -> SparsePauliOp:
    """Relabel the qubits of ``op``: the factor on qubit ``i`` moves to ``permutation[i]``.

    Args:
        op: The operator.
        permutation: ``permutation[i] = j`` sends qubit ``i`` to qubit ``j``.

    Returns:
        The relabelled operator (same term order).
    """
    return op.apply_layout(list(permutation), op.num_qubits)


def is_permutation_symmetry(
    hamiltonian: SparsePauliOp, permutation: Sequence[int], atol: float = 1e-9
) -> bool:
    """Whether relabelling the qubits by ``permutation`` maps ``hamiltonian`` onto itself.

    Args:
        hamiltonian: The operator.
        permutation: ``permutation[i] = j`` sends qubit ``i`` to qubit ``j``.
        atol: Tolerance on the coefficients, relative to the largest one.

    Returns:
        True iff ``permutation(hamiltonian) == hamiltonian`` up to ``atol``.
    """
    op = _significant_terms(hamiltonian)
    return _SortedTerms.of(op).matches(_SortedTerms.of(op, np.asarray(permutation)), atol)


def _significant_terms(hamiltonian: SparsePauliOp) -> SparsePauliOp:
    """Merge duplicate strings and drop terms that round to zero at the comparison precision."""
    merged = hamiltonian.simplify(atol=0.0)
    scale = float(np.max(np.abs(merged.coeffs))) if merged.size else 0.0
    return merged.simplify(atol=scale * 10.0 ** (-COEFFICIENT_DIGITS - 1))


def _check_qubit_colours(
    qubit_colours: Sequence[Hashable] | None, num_qubits: int
) -> list[Hashable]:
    if qubit_colours is None:
        return [None] * num_qubits
    colours = list(qubit_colours)
    if len(colours) != num_qubits:
        raise ValueError(
            f"qubit_colours has {len(colours)} entries, expected one per qubit ({num_qubits})"
        )
    return colours


def _check_edges(extra_edges: Iterable[ColouredEdge], num_qubits: int) -> list[ColouredEdge]:
    edges = []
    for source, target, colour in extra_edges:
        if not (0 <= source < num_qubits and 0 <= target < num_qubits):
            raise ValueError(f"edge ({source}, {target}) names a qubit outside 0..{num_qubits - 1}")
        if source == target:
            raise ValueError(f"edge ({source}, {target}) joins a qubit to itself")
        edges.append((int(source), int(target), colour))
    return edges


def _coefficient_keys(coeffs: np.ndarray) -> list[str]:
    """One colour per class of coefficients equal to 10^-COEFFICIENT_DIGITS (relative).

    Walking the sorted values, a class takes every value within the tolerance of its smallest
    member, so two values that share a class differ by at most the tolerance (the bound that
    :meth:`_SortedTerms.matches` relies on), even when rounding would put them on either side
    of a boundary.
    """
    values = np.real(coeffs)
    if values.size == 0:
        return []
    scale = float(np.max(np.abs(values)))
    relative = values / (scale or 1.0)
    distinct, inverse = np.unique(relative, return_inverse=True)
    tolerance = 10.0 ** (-COEFFICIENT_DIGITS)
    starts: list[float] = []
    class_of_distinct = np.empty(distinct.size, dtype=np.int64)
    for index, value in enumerate(distinct.tolist()):
        if not starts or value - starts[-1] > tolerance:
            starts.append(value)
        class_of_distinct[index] = len(starts) - 1
    # a class is named by its smallest member (rounded), so keys do not depend on term order
    names = [repr(float(np.round(start, COEFFICIENT_DIGITS) + 0.0)) for start in starts]
    return [names[c] for c in class_of_distinct[inverse.ravel()]]


PairItem = tuple[str, str, str]


@dataclass
class _GraphBuilder:
    """Accumulates vertices, edges and colour classes for nauty."""

    num_qubits: int
    num_vertices: int
    adjacency: dict[int, list[int]]
    classes: dict[Hashable, set[int]]

    def add_vertex(self, colour: Hashable, neighbours: Iterable[int]) -> int:
        vertex = self.num_vertices
        self.num_vertices += 1
        self.classes[colour].add(vertex)
        self.adjacency[vertex] = list(neighbours)
        return vertex

    def partition(self) -> list[set[int]]:
        return [self.classes[key] for key in sorted(self.classes, key=repr)]


def _build_graph(
    op: SparsePauliOp, qubit_colours: list[Hashable], edges: list[ColouredEdge]
) -> _GraphBuilder:
    num_qubits = op.num_qubits
    builder = _GraphBuilder(num_qubits, num_qubits, defaultdict(list), defaultdict(set))
    x, z = op.paulis.x, op.paulis.z
    term_index, site_index = np.nonzero(x | z)
    site_letters = _LETTERS[x[term_index, site_index].astype(np.int8)
                            + 2 * z[term_index, site_index].astype(np.int8)]
    boundaries = np.searchsorted(term_index, np.arange(1, op.size))
    supports = np.split(site_index, boundaries)
    letter_lists = np.split(site_letters, boundaries)
    keys = _coefficient_keys(op.coeffs)

    one_body: list[list[tuple[str, str]]] = [[] for _ in range(num_qubits)]
    pairs: dict[tuple[int, int], list[PairItem]] = defaultdict(list)
    connectors: dict[tuple[int, str], int] = {}

    def connector(qubit: int, letter: str) -> int:
        if (qubit, letter) not in connectors:
            connectors[(qubit, letter)] = builder.add_vertex(("connector", letter), [qubit])
        return connectors[(qubit, letter)]

    for term, (site_array, letter_array) in enumerate(zip(supports, letter_lists, strict=True)):
        qubits = site_array.tolist()
        term_letters = letter_array.tolist()
        if len(qubits) == 1:
            one_body[qubits[0]].append((term_letters[0], keys[term]))
        elif len(qubits) == 2:
            pairs[(qubits[0], qubits[1])].append(
                (term_letters[0], term_letters[1], keys[term])
            )
        elif len(qubits) >= 3 and len(set(term_letters)) == 1:
            builder.add_vertex(("term", term_letters[0], keys[term]), qubits)
        elif len(qubits) >= 3:
            builder.add_vertex(
                ("term", "mixed", keys[term]),
                [connector(q, letter) for q, letter in zip(qubits, term_letters, strict=True)],
            )

    for source, target, colour in edges:
        item = ("gate source", "gate target", repr(colour))
        if source < target:
            pairs[(source, target)].append(item)
        else:
            pairs[(target, source)].append((item[1], item[0], item[2]))

    _add_pairs(builder, pairs)
    for qubit in range(num_qubits):
        colour = ("qubit", tuple(sorted(one_body[qubit])), repr(qubit_colours[qubit]))
        builder.classes[colour].add(qubit)
    return builder


def _add_pairs(builder: _GraphBuilder, pairs: dict[tuple[int, int], list[PairItem]]) -> None:
    oriented: list[tuple[int, int, tuple[PairItem, ...], bool]] = []
    for (low, high), items in pairs.items():
        forward = tuple(sorted(items))
        backward = tuple(sorted((right, left, key) for left, right, key in items))
        if forward == backward:
            oriented.append((low, high, forward, True))
        elif repr(forward) < repr(backward):
            oriented.append((low, high, forward, False))
        else:
            oriented.append((high, low, backward, False))
    symmetric_counts = Counter(colour for _, _, colour, symmetric in oriented if symmetric)
    plain = max(symmetric_counts, key=symmetric_counts.__getitem__, default=None)
    for source, target, colour, symmetric in oriented:
        if symmetric and colour == plain:
            builder.adjacency[source].append(target)
        elif symmetric:
            builder.add_vertex(("pair", colour), [source, target])
        else:
            marker = builder.add_vertex(("pair source",), [source])
            builder.add_vertex(("directed pair", colour), [marker, target])


def _autgrp(builder: _GraphBuilder, fixed: Sequence[int] = ()) -> tuple:
    partition = [cell - set(fixed) for cell in builder.partition()]
    partition = [cell for cell in partition if cell] + [{vertex} for vertex in fixed]
    graph = pynauty.Graph(
        builder.num_vertices,
        directed=False,
        adjacency_dict=dict(builder.adjacency),
        vertex_coloring=partition,
    )
    return pynauty.autgrp(graph)


def _verify(
    perm: tuple[int, ...],
    op: SparsePauliOp,
    reference: _SortedTerms,
    colours: list[Hashable],
    edges: list[ColouredEdge],
) -> None:
    if not reference.matches(_SortedTerms.of(op, np.asarray(perm))):
        raise RuntimeError(f"nauty returned permutation {perm}, which does not preserve H")
    if any(colours[perm[q]] != colours[q] for q in range(len(perm))):
        raise RuntimeError(f"nauty returned permutation {perm}, which does not preserve colours")
    edge_set = {(s, t, repr(c)) for s, t, c in edges}
    if {(perm[s], perm[t], c) for s, t, c in edge_set} != edge_set:
        raise RuntimeError(f"nauty returned permutation {perm}, which does not preserve edges")


@dataclass(frozen=True)
class _SortedTerms:
    """Pauli strings (packed, as one void scalar each) and coefficients in sorted string order."""

    strings: np.ndarray
    coeffs: np.ndarray

    @classmethod
    def of(cls, op: SparsePauliOp, perm: np.ndarray | None = None) -> _SortedTerms:
        z, x = op.paulis.z, op.paulis.x
        if perm is not None:
            inverse = np.argsort(perm)  # the new qubit j holds the old qubit inverse[j]
            z, x = z[:, inverse], x[:, inverse]
        packed = np.ascontiguousarray(np.packbits(np.hstack([z, x]), axis=1))
        strings = packed.view(f"V{packed.shape[1]}").ravel()
        order = np.argsort(strings, kind="stable")
        return cls(strings[order], np.asarray(op.coeffs)[order])

    def matches(self, other: _SortedTerms, rel_atol: float = 10.0 ** (-COEFFICIENT_DIGITS)) -> bool:
        if self.strings.shape != other.strings.shape or not np.all(self.strings == other.strings):
            return False
        scale = float(np.max(np.abs(self.coeffs))) if self.coeffs.size else 1.0
        # Coefficients that round to the same colour key differ by less than about one unit.
        return bool(np.all(np.abs(self.coeffs - other.coeffs) <= 1.5 * rel_atol * (scale or 1.0)))


def _group_order(builder: _GraphBuilder, size_mantissa: float, size_exponent: int) -> int:
    if size_exponent < 15 and size_mantissa * 10.0**size_exponent < _EXACT_FLOAT_ORDER:
        return round(size_mantissa * 10.0**size_exponent)
    return _exact_order(builder)


def _exact_order(builder: _GraphBuilder) -> int:
    """The exact order when nauty's floating-point one is too large to round.

    Huge groups come from interchangeable qubits (idle qubits, complete graphs). Qubits with the
    same colour and the same neighbours (twins) can be permuted freely, so the order is
    ``Π k!`` over twin classes of size ``k`` times the order of the graph that keeps one
    representative per class, coloured by the class size. What is left after that is computed
    by orbit–stabiliser, one nauty call per base point.
    """
    classes = _twin_classes(builder)
    if classes:
        reduced = _without_twins(builder, classes)
        _, mantissa, exponent, _, _ = _autgrp(reduced)
        order = math.prod(math.factorial(len(members)) for members, _ in classes)
        return order * _group_order(reduced, mantissa, exponent)
    fixed: list[int] = []
    order = 1
    qubits = range(builder.num_qubits)
    while True:
        orbit_ids = _autgrp(builder, fixed)[3]
        sizes = Counter(orbit_ids[q] for q in qubits)
        moved = next((q for q in qubits if sizes[orbit_ids[q]] > 1), None)
        if moved is None:
            return order
        order *= sizes[orbit_ids[moved]]
        fixed.append(moved)


def _twin_classes(builder: _GraphBuilder) -> list[tuple[list[int], str]]:
    """Classes (size >= 2) of qubits with equal colour and equal open (or closed) neighbourhood."""
    neighbours: dict[int, set[int]] = defaultdict(set)
    for vertex, adjacent in builder.adjacency.items():
        for other in adjacent:
            neighbours[vertex].add(other)
            neighbours[other].add(vertex)
    colour_of = {v: key for key, cell in builder.classes.items() for v in cell}
    groups: dict[tuple[Hashable, str, frozenset[int]], list[int]] = defaultdict(list)
    for qubit in range(builder.num_qubits):
        open_set = frozenset(neighbours[qubit])
        groups[(colour_of[qubit], "false", open_set)].append(qubit)
        groups[(colour_of[qubit], "true", open_set | {qubit})].append(qubit)
    # A qubit cannot have both a false and a true twin, so these classes are disjoint.
    return [(members, kind) for (_, kind, _), members in groups.items() if len(members) > 1]


def _without_twins(builder: _GraphBuilder, classes: list[tuple[list[int], str]]) -> _GraphBuilder:
    """Keep the first qubit of each twin class, coloured by the class size; renumber vertices."""
    removed = {q for members, _ in classes for q in members[1:]}
    marks = {members[0]: (kind, len(members)) for members, kind in classes}
    kept = [v for v in range(builder.num_vertices) if v not in removed]
    index = {v: i for i, v in enumerate(kept)}
    reduced = _GraphBuilder(
        builder.num_qubits - len(removed), len(kept), defaultdict(list), defaultdict(set)
    )
    for vertex, adjacent in builder.adjacency.items():
        if vertex in index:
            reduced.adjacency[index[vertex]] = [index[v] for v in adjacent if v in index]
    for key, cell in builder.classes.items():
        for vertex in cell:
            if vertex in index:
                reduced.classes[(key, repr(marks.get(vertex)))].add(index[vertex])
    return reduced


class _TwinLift:
    """Maps generators and orbits of the twin-free quotient back to the original qubits."""

    def __init__(self, num_qubits: int, classes: list[tuple[list[int], str]]) -> None:
        removed = {q for members, _ in classes for q in members[1:]}
        self.num_qubits = num_qubits
        self.kept = [q for q in range(num_qubits) if q not in removed]  # quotient qubit -> qubit
        self.members = {q: [q] for q in self.kept}
        for members, _ in classes:
            self.members[members[0]] = members
        self.classes = classes

    def generator(self, quotient_perm: Sequence[int]) -> tuple[int, ...]:
        perm = list(range(self.num_qubits))
        for source, target in enumerate(quotient_perm):
            # Twin classes only map to classes of the same size (their colour records it).
            targets = self.members[self.kept[int(target)]]
            for qubit, image in zip(self.members[self.kept[source]], targets, strict=True):
                perm[qubit] = image
        return tuple(perm)

    def twin_generators(self) -> list[tuple[int, ...]]:
        """A transposition and a full cycle per class: together they generate its S_k."""
        generators = []
        for members, _ in self.classes:
            swap = list(range(self.num_qubits))
            swap[members[0]], swap[members[1]] = members[1], members[0]
            generators.append(tuple(swap))
            if len(members) > 2:
                cycle = list(range(self.num_qubits))
                for qubit, image in zip(members, members[1:] + members[:1], strict=True):
                    cycle[qubit] = image
                generators.append(tuple(cycle))
        return generators

    def orbits(self, quotient_orbit_ids: Sequence[int]) -> tuple[tuple[int, ...], ...]:
        grouped: dict[int, list[int]] = defaultdict(list)
        for quotient_qubit, orbit in enumerate(quotient_orbit_ids):
            grouped[int(orbit)].extend(self.members[self.kept[quotient_qubit]])
        return tuple(sorted(tuple(sorted(m)) for m in grouped.values()))
