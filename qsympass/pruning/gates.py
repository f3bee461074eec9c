"""The gates of an ansatz as seen by symmetric pruning: rotations with linear angles, fixed gates.

Every parameterized gate becomes a :class:`GateItem` holding its generator's Pauli terms (on
circuit qubits) and its angle as ``offset + Σ_j c_j θ_j`` over the circuit's parameters
(indices into ``circuit.parameters``). Fixed gates become items without terms. Barriers, delays
and global-phase instructions carry no structure and are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from qiskit.circuit import CircuitInstruction, Gate, Parameter, QuantumCircuit
from qiskit.circuit.library import get_standard_gate_name_mapping
from qiskit.quantum_info import SparsePauliOp

from qsympass.circuits import (
    IGNORED_INSTRUCTIONS,
    affine_coefficients,
    is_parameterized,
    rotation_generator,
    to_rotation_basis,
    validate_ansatz,
)

#: A Pauli string on circuit qubits: ``((qubit, code), ...)`` with code ``x + 2 z``
#: (1 = X, 2 = Z, 3 = Y), qubits ascending.
PauliKey = tuple[tuple[int, int], ...]

# One-term generators of the commonest rotations: no SparsePauliOp is built for them.
_FAST_CODES: dict[str, tuple[int, ...]] = {
    "rx": (1,),
    "ry": (3,),
    "rz": (2,),
    "rxx": (1, 1),
    "ryy": (3, 3),
    "rzz": (2, 2),
}


@dataclass(eq=False, slots=True)
class GateItem:
    """One gate of the ansatz.

    Attributes:
        position: Index of the instruction in ``circuit.data``.
        name: The gate's name.
        qubits: Circuit qubit indices, in the gate's argument order.
        instruction: The circuit instruction (its Python operation is built only on demand).
        terms: The generator ``G`` as ``(PauliKey, coefficient)`` pairs (empty for fixed gates).
        coefficients: The angle's linear part ``((parameter index, c_j), ...)``.
        offset: The angle's constant part.
        letters: ``qubit -> code`` of the generator when it is a single Pauli string (``None``
            otherwise), for the fast commutation test; read-only (shared between items).
        plain: Whether the gate is a standard one-parameter rotation whose angle is one bare
            parameter (the rewrite then only swaps the parameter).
    """

    position: int
    name: str
    qubits: tuple[int, ...]
    instruction: CircuitInstruction
    terms: tuple[tuple[PauliKey, float], ...] = ()
    coefficients: tuple[tuple[int, float], ...] = ()
    offset: float = 0.0
    letters: Mapping[int, int] | None = None
    plain: bool = False

    @property
    def parameterized(self) -> bool:
        """Whether the gate's angle depends on a parameter."""
        return bool(self.coefficients)

    @property
    def operation(self) -> Gate:
        """The gate itself."""
        return self.instruction.operation


#: Names that are unitary gates with no classical bits: a circuit made of these (and ignored
#: instructions) needs no instruction-by-instruction validation.
_SAFE_NAMES = frozenset(
    name for name, op in get_standard_gate_name_mapping().items() if isinstance(op, Gate)
) | IGNORED_INSTRUCTIONS


def prepare_ansatz(circuit: QuantumCircuit) -> QuantumCircuit:
    """Validate an ansatz and translate parameterized gates outside the rotation table.

    Args:
        circuit: The ansatz.

    Returns:
        The circuit itself when every parameterized gate is a table rotation, else its
        translation by :func:`qsympass.circuits.to_rotation_basis`.

    Raises:
        AnsatzError: (a ``TranspilerError``) for measurements, resets, control flow, or a
            parameterized gate that basis translation cannot resolve.
    """
    names = set(circuit.count_ops())
    if circuit.num_clbits or not names <= _SAFE_NAMES:
        validate_ansatz(circuit)
    if names <= _FAST_CODES.keys() | IGNORED_INSTRUCTIONS:
        return circuit
    for instruction in circuit.data:
        operation = instruction.operation
        if operation.name in _FAST_CODES or operation.name in IGNORED_INSTRUCTIONS:
            continue
        if is_parameterized(operation):
            try:
                rotation_generator(instruction, circuit)
            except ValueError:
                return to_rotation_basis(circuit)
    return circuit


def extract_gates(circuit: QuantumCircuit) -> list[GateItem]:
    """The circuit's gates as :class:`GateItem` objects, in circuit order.

    Args:
        circuit: A prepared ansatz (see :func:`prepare_ansatz`).

    Returns:
        One item per gate (barriers, delays and global phases skipped).

    Raises:
        AnsatzError: If an angle is not affine in the parameters.
    """
    parameter_index = {parameter: j for j, parameter in enumerate(circuit.parameters)}
    qubit_index = {qubit: i for i, qubit in enumerate(circuit.qubits)}
    items: list[GateItem] = []
    # generators shared by every fast rotation on the same qubits
    fast: dict[tuple[str, tuple[int, ...]], tuple[tuple[tuple[PauliKey, float], ...], Mapping]] = {}
    # CircuitInstruction.name/.params avoid building the Python gate object
    for position, instruction in enumerate(circuit._data):
        name = instruction.name
        if name in IGNORED_INSTRUCTIONS:
            continue
        bits = instruction.qubits
        qubits = (
            (qubit_index[bits[0]],) if len(bits) == 1 else tuple([qubit_index[q] for q in bits])
        )
        codes = _FAST_CODES.get(name)
        if codes is not None:
            params = instruction.params
            if params and isinstance(params[0], Parameter):
                shared = fast.get((name, qubits))
                if shared is None:
                    key = tuple(sorted(zip(qubits, codes, strict=True)))
                    shared = fast[(name, qubits)] = (((key, 1.0),), MappingProxyType(dict(key)))
                coefficients = ((parameter_index[params[0]], 1.0),)
                items.append(GateItem(
                    position, name, qubits, instruction, shared[0], coefficients, 0.0,
                    shared[1], True,
                ))
                continue
        operation = instruction.operation
        if not is_parameterized(operation):
            items.append(GateItem(position, name, qubits, instruction))
            continue
        rotation = rotation_generator(instruction, circuit)
        assert rotation is not None  # is_parameterized said so
        offset, coefficients_map = affine_coefficients(rotation.angle)
        linear = tuple(
            sorted((parameter_index[p], c) for p, c in coefficients_map.items() if c != 0.0)
        )
        if not linear:  # e.g. θ - θ: a fixed rotation after all
            items.append(GateItem(position, name, qubits, instruction))
            continue
        local = _local_terms(rotation.generator, rotation.qubits)
        letters = MappingProxyType(dict(local[0][0])) if len(local) == 1 else None
        items.append(GateItem(position, name, qubits, instruction, local, linear, offset, letters))
    return items


def _local_terms(
    generator: SparsePauliOp, qubits: tuple[int, ...]
) -> tuple[tuple[PauliKey, float], ...]:
    """The terms of a local generator as ``(PauliKey, coefficient)`` on circuit qubits."""
    z = generator.paulis.z
    x = generator.paulis.x
    codes = x.astype(np.int64) + 2 * z.astype(np.int64)
    terms: list[tuple[PauliKey, float]] = []
    for row, coeff in zip(codes, generator.coeffs, strict=True):
        if abs(coeff) < 1e-14 or not row.any():
            continue  # identity terms are global phases
        key = tuple(sorted((qubits[i], int(c)) for i, c in enumerate(row) if c))
        terms.append((key, float(np.real(coeff))))
    return tuple(terms)
