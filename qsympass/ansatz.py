"""Over-parameterized layered ansätze on a lattice: the circuits that symmetric pruning reduces."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector

from qsympass.models.lattices import qubit_count
from qsympass.validation import check_integer

ROTATIONS = ("rx", "ry", "rz")
ENTANGLERS = ("rzz", "rxx", "ryy", "rzx")
INITIAL_STATES = ("zero", "plus", "neel")


def layered_ansatz(
    graph: nx.Graph,
    layers: int,
    *,
    rotations: Sequence[str] = ROTATIONS,
    entanglers: Sequence[str] = ("rzz",),
    initial_state: str = "zero",
    entanglers_first: bool = False,
    name: str = "layered_ansatz",
) -> QuantumCircuit:
    """A hardware-efficient ansatz with one free parameter per gate.

    Each layer applies every one-qubit rotation of ``rotations`` to every qubit, then every
    two-qubit rotation of ``entanglers`` to every edge of ``graph`` (edges in sorted order), or
    the other way round with ``entanglers_first``. The parameters are ``θ[0..p-1]`` in gate
    order, the same number in every layer (layer ``j // (p / layers)`` holds ``θ[j]``).

    From ``|+…+⟩`` the rotations-first order spends its first ``RX`` layer on an eigenstate;
    entanglers first, a layer of ``RZZ`` then ``RX`` is one QAOA layer.

    Args:
        graph: The interaction graph (nodes ``0 .. n-1``).
        layers: The number of layers (at least 1).
        rotations: One-qubit rotations per qubit and layer (``rx``, ``ry``, ``rz``).
        entanglers: Two-qubit rotations per edge and layer (``rzz``, ``rxx``, ``ryy``, ``rzx``).
        initial_state: ``zero`` (|0…0⟩), ``plus`` (|+…+⟩, H on every qubit) or ``neel``
            (X on the odd qubits).
        entanglers_first: Apply each layer's entanglers before its rotations.
        name: The circuit's name.

    Returns:
        The ansatz, with the fixed state-preparation gates first.

    Raises:
        ValueError: For a layer count that is not a positive integer, an unknown gate or
            initial state, or layers without gates.
    """
    layers = check_integer(layers, "layers", minimum=1)
    _require_known("rotation", rotations, ROTATIONS)
    _require_known("entangler", entanglers, ENTANGLERS)
    if not rotations and not entanglers:
        raise ValueError("an ansatz needs at least one rotation or entangler per layer")
    _require_known("initial state", [initial_state], INITIAL_STATES)
    num_qubits = qubit_count(graph)
    edges = sorted(tuple(sorted(edge)) for edge in graph.edges)
    per_layer = len(rotations) * num_qubits + len(entanglers) * len(edges)
    theta = iter(ParameterVector("θ", layers * per_layer))
    circuit = QuantumCircuit(num_qubits, name=name)
    _prepare(circuit, initial_state)
    def rotate() -> None:
        for gate in rotations:
            for qubit in range(num_qubits):
                getattr(circuit, gate)(next(theta), qubit)

    def entangle() -> None:
        for gate in entanglers:
            for a, b in edges:
                getattr(circuit, gate)(next(theta), a, b)

    for _ in range(layers):
        for part in (entangle, rotate) if entanglers_first else (rotate, entangle):
            part()
    return circuit


def _prepare(circuit: QuantumCircuit, initial_state: str) -> None:
    if initial_state == "plus":
        circuit.h(range(circuit.num_qubits))
    elif initial_state == "neel":
        circuit.x(range(1, circuit.num_qubits, 2))


def _require_known(kind: str, names: Sequence[str], known: Sequence[str]) -> None:
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"unknown {kind} {unknown[0]!r}; expected one of {', '.join(known)}")
