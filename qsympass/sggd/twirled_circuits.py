"""The encoding/ansatz boundary of a model circuit, and circuits with ``V_g`` inserted there.

A model circuit is ``encoding(x)`` followed by ``ansatz(θ)``. Mark the boundary either with a
barrier labelled :data:`BOUNDARY_LABEL`::

    qc.compose(encoding, inplace=True)
    qc.barrier(label=BOUNDARY_LABEL)          # "qsympass.boundary"
    qc.compose(ansatz, inplace=True)

or pass ``boundary=k``, the number of leading instructions that form the encoding.
"""

from __future__ import annotations

from dataclasses import dataclass

from qiskit.circuit import QuantumCircuit
from qiskit.quantum_info import Clifford

__all__ = ["BOUNDARY_LABEL", "Split", "split_circuit", "twirled_circuit"]

#: Label of the barrier that separates the encoding from the ansatz.
BOUNDARY_LABEL = "qsympass.boundary"


@dataclass(frozen=True)
class Split:
    """Where the encoding ends and the ansatz starts in ``circuit.data``.

    Attributes:
        encoding_end: Instructions ``[0, encoding_end)`` form the encoding.
        ansatz_start: Instructions ``[ansatz_start, len(data))`` form the ansatz (the boundary
            barrier, if any, sits in between).
    """

    encoding_end: int
    ansatz_start: int


def _labelled_barriers(circuit: QuantumCircuit) -> list[int]:
    return [
        index
        for index, instruction in enumerate(circuit.data)
        if instruction.operation.name == "barrier"
        and getattr(instruction.operation, "label", None) == BOUNDARY_LABEL
    ]


def split_circuit(
    circuit: QuantumCircuit, boundary: int | None = None, *, required: bool = False
) -> Split | None:
    """Find the encoding/ansatz boundary.

    Args:
        circuit: The model circuit.
        boundary: Number of leading encoding instructions; None looks for a barrier labelled
            :data:`BOUNDARY_LABEL`.
        required: Raise instead of returning None when the circuit is unmarked.

    Returns:
        The :class:`Split`, or None when unmarked and not required.

    Raises:
        ValueError: If ``boundary`` is out of range, the label appears more than once, or the
            boundary is required but unmarked.
    """
    if boundary is not None:
        if not 0 <= int(boundary) <= len(circuit.data):
            raise ValueError(
                f"boundary={boundary} is out of range: the circuit has {len(circuit.data)} "
                "instructions"
            )
        return Split(int(boundary), int(boundary))
    marks = _labelled_barriers(circuit)
    if len(marks) > 1:
        raise ValueError(
            f"the circuit has {len(marks)} barriers labelled '{BOUNDARY_LABEL}'; mark one boundary"
        )
    if marks:
        return Split(marks[0], marks[0] + 1)
    if required:
        raise ValueError(
            "twirl mode needs the boundary between the encoding and the ansatz: add "
            f"`circuit.barrier(label='{BOUNDARY_LABEL}')` after the encoding, or pass "
            "boundary=<number of leading encoding instructions>"
        )
    return None


def _part(circuit: QuantumCircuit, start: int, stop: int) -> QuantumCircuit:
    part = QuantumCircuit(circuit.num_qubits)
    for instruction in circuit.data[start:stop]:
        qubits = [circuit.find_bit(qubit).index for qubit in instruction.qubits]
        if instruction.clbits:
            raise ValueError(
                f"instruction '{instruction.operation.name}' uses classical bits; a model "
                "circuit must be unitary"
            )
        part.append(instruction.operation, qubits)
    return part


def ansatz_part(circuit: QuantumCircuit, split: Split | None) -> QuantumCircuit:
    """The ansatz ``U(θ)`` (everything after the boundary; the whole circuit when unmarked).

    Args:
        circuit: The model circuit.
        split: Its boundary, or None.

    Returns:
        A circuit on the same number of qubits without classical bits.
    """
    start = 0 if split is None else split.ansatz_start
    return _part(circuit, start, len(circuit.data))


def twirled_circuit(
    circuit: QuantumCircuit, element: Clifford | QuantumCircuit, split: Split
) -> QuantumCircuit:
    """``encoding → V_g → ansatz``: the model evaluated on the transformed input ``g·x``.

    Args:
        circuit: The model circuit.
        element: The group element ``V_g``.
        split: The encoding/ansatz boundary.

    Returns:
        The circuit with ``V_g`` inserted (same parameters as ``circuit``).

    Raises:
        ValueError: If the element's width differs from the circuit's.
    """
    if element.num_qubits != circuit.num_qubits:
        raise ValueError(
            f"group element acts on {element.num_qubits} qubits, circuit on {circuit.num_qubits}"
        )
    gate = element.to_circuit() if isinstance(element, Clifford) else element
    out = _part(circuit, 0, split.encoding_end)
    out.compose(gate, inplace=True)
    out.compose(_part(circuit, split.ansatz_start, len(circuit.data)), inplace=True)
    out.global_phase = 0.0
    return out
