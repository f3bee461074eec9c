"""Emit the pruned circuit for ``θ = B φ`` (DESIGN §3.7).

Every parameterized gate keeps its place; its angle ``offset + Σ_j c_j θ_j`` becomes
``offset + Σ_j c_j (B φ)_j``. A gate whose angle becomes the constant 0 is removed. So the pruned
circuit at ``φ`` is the input circuit at ``θ = B φ`` exactly.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from qiskit.circuit import (
    CircuitInstruction,
    ParameterExpression,
    ParameterVector,
    QuantumCircuit,
)
from qiskit.circuit.library import RZGate

from qsympass.pruning.gates import GateItem

StandardGate = type(RZGate._standard_gate)

#: Name of the fresh parameter vector of a pruned circuit.
PARAMETER_NAME = "φ"


@dataclass(frozen=True)
class Rewrite:
    """The pruned circuit and how it relates to the input.

    Attributes:
        circuit: The pruned circuit.
        parameter_map: Input parameter name -> expression in ``φ`` (``"0"`` when removed).
        removed: Items (indices into the item list) of the removed gates.
    """

    circuit: QuantumCircuit
    parameter_map: dict[str, str]
    removed: list[int]


def gate_coefficients(items: list[GateItem], num_parameters: int) -> sp.csr_matrix:
    """The angles' linear parts as a sparse ``(items, parameters)`` matrix.

    Args:
        items: The ansatz's gates.
        num_parameters: Number of circuit parameters.

    Returns:
        Row ``k`` holds the coefficients ``c_j`` of gate ``k``'s angle.
    """
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for index, item in enumerate(items):
        for parameter, coefficient in item.coefficients:
            rows.append(index)
            cols.append(parameter)
            vals.append(coefficient)
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(items), num_parameters))


def removed_items(
    items: list[GateItem],
    basis: sp.csc_matrix,
    coefficients: sp.csr_matrix | None = None,
    *,
    angles: sp.spmatrix | None = None,
) -> list[int]:
    """The parameterized gates whose angle becomes the constant 0 under ``θ = B φ``.

    Args:
        items: The ansatz's gates.
        basis: ``B``.
        coefficients: :func:`gate_coefficients` of ``items`` (computed when omitted).
        angles: ``coefficients @ basis`` when the caller has it already.

    Returns:
        Their indices into ``items``.
    """
    if angles is None:
        if coefficients is None:
            coefficients = gate_coefficients(items, basis.shape[0])
        angles = coefficients @ basis
    angles = sp.csr_matrix(angles, copy=True)
    angles.data[np.abs(angles.data) < 1e-12] = 0.0
    angles.eliminate_zeros()
    empty = np.diff(angles.indptr) == 0
    return [
        index for index in np.flatnonzero(empty).tolist()
        if items[index].parameterized and items[index].offset == 0.0
    ]


def rewrite_circuit(
    circuit: QuantumCircuit,
    items: list[GateItem],
    basis: sp.csc_matrix,
    removed: list[int] | None = None,
) -> Rewrite:
    """Build the pruned circuit.

    Args:
        circuit: The (prepared) input circuit.
        items: Its gates.
        basis: ``B`` of shape ``(circuit.num_parameters, m)``.
        removed: :func:`removed_items` of ``basis`` (computed when omitted).

    Returns:
        The :class:`Rewrite`.
    """
    parameters = list(circuit.parameters)
    expressions, descriptions = parameter_expressions(basis)
    parameter_map = dict(zip((p.name for p in parameters), descriptions, strict=True))
    if removed is None:
        removed = removed_items(items, basis)
    removed_positions = {items[i].position for i in removed}
    # the one-pass rebuild swaps gate angles only; a parameterized global phase or delay needs
    # the general path, which assigns the new expressions everywhere
    plain = all(item.plain for item in items if item.parameterized)
    if plain and not (
        isinstance(circuit.global_phase, ParameterExpression) or _parameterized_delay(circuit)
    ):
        return Rewrite(
            _rebuild(circuit, items, expressions, removed_positions), parameter_map, removed
        )
    if any(name.startswith(f"{PARAMETER_NAME}[") for name in parameter_map):
        # the input already has φ[k] (e.g. a pruned circuit pruned again): Qiskit refuses two
        # parameters of one name in a circuit, so step through uniquely named ones
        stand_ins = ParameterVector(f"_{PARAMETER_NAME}_input", len(parameters))
        circuit = circuit.assign_parameters(
            dict(zip(parameters, stand_ins, strict=True)), inplace=False
        )
        parameters = list(stand_ins)
    assigned = circuit.assign_parameters(
        dict(zip(parameters, expressions, strict=True)), inplace=False
    )
    out = assigned.copy_empty_like()
    for position, instruction in enumerate(assigned.data):
        if position not in removed_positions:
            out._append(instruction)
    return Rewrite(out, parameter_map, removed)


def _parameterized_delay(circuit: QuantumCircuit) -> bool:
    """Whether a delay's duration holds a parameter."""
    return "delay" in circuit.count_ops() and any(
        isinstance(param, ParameterExpression)
        for instruction in circuit.data if instruction.name == "delay"
        for param in instruction.params
    )


def parameter_expressions(
    basis: sp.csc_matrix,
) -> tuple[list[ParameterExpression | float], list[str]]:
    """``θ_j = Σ_k B_jk φ_k`` for every original parameter, with a readable form of each.

    Args:
        basis: ``B`` of shape ``(p, m)`` (integer entries where the ratios are rational).

    Returns:
        The expressions (a bare ``φ_k`` for the common ``θ_j = φ_k``, ``0.0`` for a zero row)
        and their descriptions (``"0"`` for a zero row).
    """
    phi = ParameterVector(PARAMETER_NAME, basis.shape[1])
    rows = sp.csr_matrix(basis)
    indptr, columns, values = rows.indptr.tolist(), rows.indices.tolist(), rows.data.tolist()
    expressions: list[ParameterExpression | float] = []
    descriptions: list[str] = []
    for start, end in itertools.pairwise(indptr):
        if end == start + 1 and values[start] == 1.0:  # the common case: θ_j = φ_k
            expressions.append(phi[columns[start]])
            descriptions.append(phi[columns[start]].name)
            continue
        expression: ParameterExpression | float = 0.0
        for column, value in zip(columns[start:end], values[start:end], strict=True):
            term = phi[column] if value == 1.0 else _coefficient(value) * phi[column]
            expression = term if isinstance(expression, float) else expression + term
        expressions.append(expression)
        descriptions.append("0" if isinstance(expression, float) else str(expression))
    return expressions, descriptions


def _coefficient(value: float) -> int | float:
    """An integer where ``B`` is integral (most entries), the float otherwise."""
    return int(value) if float(value).is_integer() else float(value)


_STANDARD_ROTATIONS = {
    "rx": StandardGate.RX,
    "ry": StandardGate.RY,
    "rz": StandardGate.RZ,
    "rxx": StandardGate.RXX,
    "ryy": StandardGate.RYY,
    "rzz": StandardGate.RZZ,
}


def _rebuild(
    circuit: QuantumCircuit,
    items: list[GateItem],
    expressions: list[ParameterExpression | float],
    removed_positions: set[int],
) -> QuantumCircuit:
    """The pruned circuit built in one pass (plain rotations only: no parameter assignment)."""
    out = circuit.copy_empty_like()
    rotations = {item.position: item for item in items if item.parameterized}
    instructions: list[CircuitInstruction] = []
    for position, instruction in enumerate(circuit._data):
        item = rotations.get(position)
        if item is None:
            instructions.append(instruction)
        elif position not in removed_positions:
            angle = expressions[item.coefficients[0][0]]
            instructions.append(CircuitInstruction.from_standard(
                _STANDARD_ROTATIONS[item.name], instruction.qubits, (angle,)
            ))
    out._data.extend(instructions)
    return out
