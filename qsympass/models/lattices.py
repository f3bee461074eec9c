"""Lattices as networkx graphs whose nodes are the qubits ``0 .. n-1``."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Hashable, Iterable
from typing import Any

import networkx as nx
from qiskit.transpiler import CouplingMap

LATTICE_KINDS = ("chain", "ring", "square", "triangular", "honeycomb", "coupling_map")


def lattice(kind: str, *dims: Any, periodic: bool | None = None) -> nx.Graph:
    """Build a lattice graph with integer nodes ``0 .. n-1``.

    Nodes are numbered row by row; each carries a ``pos`` attribute (its coordinates in the
    plane) for plotting.

    Args:
        kind: One of ``"chain"``, ``"ring"``, ``"square"``, ``"triangular"``, ``"honeycomb"`` or
            ``"coupling_map"``.
        *dims: The sizes: ``n`` for a chain or ring; ``rows, cols`` (or one ``L`` for ``L x L``)
            for the 2-D lattices (for ``honeycomb``, counted in hexagons); a backend, a
            ``CouplingMap`` or an edge list for ``coupling_map``.
        periodic: Periodic boundaries. Defaults to ``False``, except for a ring, which is always
            periodic.

    Returns:
        An undirected graph.

    Raises:
        ValueError: For an unknown kind, missing or non-positive sizes, or a ring asked to be
            open.
    """
    if kind not in LATTICE_KINDS:
        expected = ", ".join(LATTICE_KINDS)
        raise ValueError(f"unknown lattice kind {kind!r}; expected one of {expected}")
    if kind == "ring" and periodic is False:
        raise ValueError("a ring is periodic by definition; use kind='chain' for open boundaries")
    if kind == "coupling_map":
        if len(dims) != 1:
            raise ValueError(
                "lattice('coupling_map', source) takes one backend, CouplingMap or edge list"
            )
        return _coupling_graph(dims[0])
    builders: dict[str, Callable[[tuple[int, ...], bool], nx.Graph]] = {
        "chain": _chain,
        "ring": _ring,
        "square": _square,
        "triangular": _triangular,
        "honeycomb": _honeycomb,
    }
    return builders[kind](_positive_sizes(kind, dims), bool(periodic))


def _positive_sizes(kind: str, dims: tuple[Any, ...]) -> tuple[int, ...]:
    one_dimensional = kind in ("chain", "ring")
    expected = (1,) if one_dimensional else (1, 2)
    if len(dims) not in expected:
        shape = "n" if one_dimensional else "rows, cols (or L)"
        raise ValueError(f"lattice({kind!r}, ...) expects {shape}, got {len(dims)} sizes")
    sizes = tuple(int(d) for d in dims)
    if any(s < 1 or s != d for s, d in zip(sizes, dims, strict=True)):
        raise ValueError(f"lattice sizes must be positive integers, got {dims}")
    return sizes if one_dimensional or len(sizes) == 2 else (sizes[0], sizes[0])


def _chain(sizes: tuple[int, ...], periodic: bool) -> nx.Graph:
    graph = nx.cycle_graph(sizes[0]) if periodic and sizes[0] > 2 else nx.path_graph(sizes[0])
    nx.set_node_attributes(graph, {i: (float(i), 0.0) for i in graph}, "pos")
    return graph


def _ring(sizes: tuple[int, ...], periodic: bool) -> nx.Graph:
    if sizes[0] < 3:
        raise ValueError(f"a ring needs at least 3 sites, got {sizes[0]}")
    return _chain(sizes, True)


def _square(sizes: tuple[int, ...], periodic: bool) -> nx.Graph:
    rows, cols = sizes
    graph = nx.grid_2d_graph(rows, cols, periodic=periodic)
    return _relabel(graph, lambda node: (node[1], -node[0]))


def _triangular(sizes: tuple[int, ...], periodic: bool) -> nx.Graph:
    rows, cols = sizes
    graph = _networkx_lattice(nx.triangular_lattice_graph, "triangular", rows, cols, periodic)
    return _relabel(graph, lambda node: graph.nodes[node]["pos"])


def _honeycomb(sizes: tuple[int, ...], periodic: bool) -> nx.Graph:
    rows, cols = sizes
    graph = _networkx_lattice(nx.hexagonal_lattice_graph, "honeycomb", rows, cols, periodic)
    return _relabel(graph, lambda node: graph.nodes[node]["pos"])


def _networkx_lattice(build: Any, kind: str, rows: int, cols: int, periodic: bool) -> nx.Graph:
    try:
        return build(rows, cols, periodic=periodic, with_positions=True)
    except nx.NetworkXError as error:  # e.g. a periodic lattice too small to wrap
        raise ValueError(f"cannot build a {rows}×{cols} {kind} lattice: {error}") from None


def _coupling_graph(source: Any) -> nx.Graph:
    edges = _coupling_edges(source)
    graph = nx.Graph()
    num_qubits = 1 + max(max(edge) for edge in edges)
    graph.add_nodes_from(range(num_qubits))
    graph.add_edges_from(edges)
    return graph


def _coupling_edges(source: Any) -> list[tuple[int, int]]:
    if hasattr(source, "coupling_map"):
        source = source.coupling_map
    if isinstance(source, CouplingMap):
        source = source.get_edges()
    pairs = sorted({(min(int(a), int(b)), max(int(a), int(b))) for a, b in source})
    if pairs and pairs[0][0] < 0:
        raise ValueError(f"coupling map qubits must be >= 0, got the edge {pairs[0]}")
    edges = [(a, b) for a, b in pairs if a != b]
    if not edges:
        raise ValueError("the coupling map has no edges between two different qubits")
    return edges


def _relabel(graph: nx.Graph, position: Any) -> nx.Graph:
    """Number the nodes row by row (top to bottom, left to right) and keep their positions."""
    positions: dict[Hashable, tuple[float, float]] = {
        node: tuple(float(x) for x in position(node)) for node in graph  # type: ignore[misc]
    }
    order = sorted(graph, key=lambda node: (-positions[node][1], positions[node][0]))
    mapping = {node: index for index, node in enumerate(order)}
    relabelled = nx.relabel_nodes(graph, mapping, copy=True)
    nx.set_node_attributes(relabelled, {mapping[n]: positions[n] for n in graph}, "pos")
    return relabelled


def qubit_count(graph: nx.Graph) -> int:
    """The number of qubits of a lattice graph whose nodes are ``0 .. n-1``.

    Raises:
        ValueError: If the graph is directed, has parallel edges or self-loops, or its nodes
            are not exactly the integers ``0 .. n-1``.
    """
    if graph.is_directed() or graph.is_multigraph():
        raise ValueError(
            "a lattice must be an undirected nx.Graph without parallel edges (each coupling "
            "once)"
        )
    loops = [node for node, _ in nx.selfloop_edges(graph)]
    if loops:
        raise ValueError(f"a lattice has no self-loops; node {loops[0]!r} has one")
    nodes: Iterable[Any] = graph.nodes
    labels = sorted(nodes, key=repr)
    integers = all(
        isinstance(label, numbers.Integral) and not isinstance(label, bool) for label in labels
    )
    if not labels or not integers or set(labels) != set(range(len(labels))):
        raise ValueError(
            "a lattice's nodes must be the integers 0 .. n-1 (use qsympass.models.lattice)"
        )
    return len(labels)
