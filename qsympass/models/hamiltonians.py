"""Spin Hamiltonians on lattice graphs, as ``SparsePauliOp`` (little-endian qubit order)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import networkx as nx
import numpy as np
from qiskit.quantum_info import SparsePauliOp

from qsympass.models.lattices import qubit_count

#: A real number (Python or NumPy scalar).
Real = float | np.floating | np.integer
Coupling = Real | Mapping[tuple[int, int], float]
Field = Real | Sequence[float]
_SparseTerm = tuple[str, list[int], complex]


def tfim(graph: nx.Graph, j: Coupling = 1.0, h: Field = 1.0) -> SparsePauliOp:
    """Transverse-field Ising model ``H = -Σ_<ik> J_ik Z_i Z_k - Σ_i h_i X_i``.

    Args:
        graph: The interaction graph (nodes ``0 .. n-1``).
        j: The coupling, one number or one per edge (keyed by ``(i, k)`` in either order).
        h: The transverse field, one number or one per qubit.

    Returns:
        The Hamiltonian on ``graph``'s qubits.

    Raises:
        ValueError: If the graph's nodes are not ``0 .. n-1`` or a coupling or field is missing.
    """
    num_qubits = qubit_count(graph)
    terms = _two_body(graph, "ZZ", j, sign=-1.0) + _one_body(num_qubits, "X", h, sign=-1.0)
    return _operator(terms, num_qubits)


def xxz(graph: nx.Graph, jxy: Coupling = 1.0, jz: Coupling = 1.0, h: Field = 0.0) -> SparsePauliOp:
    """XXZ model ``H = Σ_<ik> [Jxy (X_i X_k + Y_i Y_k) + Jz Z_i Z_k] - Σ_i h_i Z_i``.

    Args:
        graph: The interaction graph (nodes ``0 .. n-1``).
        jxy: The XY coupling, one number or one per edge.
        jz: The ZZ coupling, one number or one per edge.
        h: The longitudinal field, one number or one per qubit.

    Returns:
        The Hamiltonian on ``graph``'s qubits.

    Raises:
        ValueError: If the graph's nodes are not ``0 .. n-1`` or a coupling or field is missing.
    """
    num_qubits = qubit_count(graph)
    terms = (
        _two_body(graph, "XX", jxy)
        + _two_body(graph, "YY", jxy)
        + _two_body(graph, "ZZ", jz)
        + _one_body(num_qubits, "Z", h, sign=-1.0)
    )
    return _operator(terms, num_qubits)


def heisenberg(graph: nx.Graph, j: Coupling = 1.0, h: Field = 0.0) -> SparsePauliOp:
    """Heisenberg model ``H = Σ_<ik> J_ik (X_i X_k + Y_i Y_k + Z_i Z_k) - Σ_i h_i Z_i``.

    Args:
        graph: The interaction graph (nodes ``0 .. n-1``).
        j: The exchange coupling, one number or one per edge.
        h: A longitudinal field (breaks SU(2) down to U(1) when non-zero).

    Returns:
        The Hamiltonian on ``graph``'s qubits.

    Raises:
        ValueError: If the graph's nodes are not ``0 .. n-1`` or a coupling or field is missing.
    """
    return xxz(graph, jxy=j, jz=j, h=h)


def _two_body(
    graph: nx.Graph, letters: str, coupling: Coupling, sign: float = 1.0
) -> list[_SparseTerm]:
    terms: list[_SparseTerm] = []
    for a, b in sorted(tuple(sorted(edge)) for edge in graph.edges):
        value = _edge_value(coupling, a, b)
        if value != 0.0:
            terms.append((letters, [a, b], sign * value))
    return terms


def _one_body(num_qubits: int, letter: str, field: Field, sign: float = 1.0) -> list[_SparseTerm]:
    values = _site_values(field, num_qubits)
    return [(letter, [i], sign * v) for i, v in enumerate(values) if v != 0.0]


def _edge_value(coupling: Coupling, a: int, b: int) -> float:
    if not isinstance(coupling, Mapping):
        return _finite(coupling, "coupling")
    for key in ((a, b), (b, a)):
        if key in coupling:
            return _finite(coupling[key], f"coupling of edge ({a}, {b})")
    raise ValueError(f"no coupling given for edge ({a}, {b})")


def _site_values(field: Field, num_qubits: int) -> list[float]:
    if np.ndim(field) == 0:  # a Python or NumPy scalar
        return [_finite(field, "field")] * num_qubits
    values = [_finite(v, "field") for v in field]  # type: ignore[union-attr]
    if len(values) != num_qubits:
        raise ValueError(f"expected {num_qubits} field values, one per qubit, got {len(values)}")
    return values


def _finite(value: object, name: str) -> float:
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValueError(f"the {name} must be a finite number, got {value!r}")
    return number


def _operator(terms: list[_SparseTerm], num_qubits: int) -> SparsePauliOp:
    if not terms:
        return SparsePauliOp("I" * num_qubits, coeffs=[0.0])
    return SparsePauliOp.from_sparse_list(terms, num_qubits=num_qubits).simplify()
