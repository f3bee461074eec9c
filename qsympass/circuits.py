"""Rotation generators of parameterized gates, and the checks that make a circuit an ansatz.

Every parameterized gate that qsympass understands is a rotation ``exp(-i θ G / 2)`` where the
angle ``θ`` is affine in the circuit's parameters and ``G`` is a Hermitian sum of Pauli strings
on the gate's qubits (global phases are dropped).  The table:

============================  ===========================================  ==================
gate (qiskit name)            G (local qubits, little-endian labels)       angle
============================  ===========================================  ==================
``rx``, ``ry``, ``rz``        ``X``, ``Y``, ``Z``                          θ
``rxx``, ``ryy``, ``rzz``     ``XX``, ``YY``, ``ZZ``                       θ
``rzx``                       ``XZ`` (Z on the first qubit, X on second)  θ
``crx``/``cry``/``crz``       ``(P_t - Z_c P_t) / 2``                      θ
``p``, ``u1``                 ``Z``                                        θ
``cp``, ``cu1``               ``(Z_0 + Z_1 - Z_0 Z_1) / 2``                θ
``xx_plus_yy`` (θ, β)         ``RZ_0(-β) (XX + YY)/2 RZ_0(-β)†``           θ (β fixed)
``xx_minus_yy`` (θ, β)        ``RZ_1(β) (XX - YY)/2 RZ_1(β)†``             θ (β fixed)
``PauliEvolution`` (H, t)     ``2 H`` (terms of H must commute)            t
============================  ===========================================  ==================

Anything else is rewritten into that table by :func:`to_rotation_basis` (Qiskit's
basis translation); a gate that still does not fit raises :class:`AnsatzError` naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from qiskit.circuit import (
    CircuitInstruction,
    ControlFlowOp,
    ControlledGate,
    Gate,
    Parameter,
    ParameterExpression,
    QuantumCircuit,
)
from qiskit.circuit.equivalence_library import SessionEquivalenceLibrary
from qiskit.circuit.library import (
    CPhaseGate,
    CRXGate,
    CRYGate,
    CRZGate,
    CU1Gate,
    PauliEvolutionGate,
    PhaseGate,
    RXGate,
    RXXGate,
    RYGate,
    RYYGate,
    RZGate,
    RZXGate,
    RZZGate,
    U1Gate,
    XXMinusYYGate,
    XXPlusYYGate,
    get_standard_gate_name_mapping,
)
from qiskit.quantum_info import Operator, SparseObservable, SparsePauliOp
from qiskit.transpiler import PassManager
from qiskit.transpiler.exceptions import TranspilerError
from qiskit.transpiler.passes import BasisTranslator, HighLevelSynthesis

__all__ = [
    "ROTATION_GATE_NAMES",
    "AnsatzError",
    "RotationGenerator",
    "affine_coefficients",
    "fixed_rotation_generator",
    "generators_commute",
    "is_parameterized",
    "rotation_generator",
    "to_rotation_basis",
    "validate_ansatz",
]

_ATOL = 1e-12

#: Instructions that act trivially on the state and are skipped everywhere.
IGNORED_INSTRUCTIONS = frozenset({"barrier", "delay", "global_phase"})


class AnsatzError(TranspilerError, ValueError):
    """A circuit or gate that is not a valid ansatz for qsympass.

    It is both a :class:`~qiskit.transpiler.exceptions.TranspilerError` (what passes raise) and a
    :class:`ValueError` (what the other public entry points raise), so callers may catch either.
    """


@dataclass(frozen=True)
class RotationGenerator:
    """One parameterized gate written as ``exp(-i * angle * generator / 2)``.

    Attributes:
        qubits: Circuit qubit indices the gate acts on; local qubit ``i`` is ``qubits[i]``.
        generator: Hermitian ``G`` on ``len(qubits)`` qubits with real coefficients.
        angle: The gate's angle, affine in the circuit's parameters.
    """

    qubits: tuple[int, ...]
    generator: SparsePauliOp
    angle: ParameterExpression | float

    def on(self, num_qubits: int) -> SparsePauliOp:
        """The generator embedded in a register of ``num_qubits`` qubits.

        Args:
            num_qubits: Width of the full register.

        Returns:
            ``G`` acting on ``self.qubits`` of the full register.
        """
        return self.generator.apply_layout(list(self.qubits), num_qubits)


def _fixed(label_coeffs: list[tuple[str, float]]) -> SparsePauliOp:
    return SparsePauliOp.from_list(label_coeffs)


def _conjugated(generator: SparsePauliOp, frame: Gate, qubit: int) -> SparsePauliOp:
    """``W G W†`` for a one-qubit ``frame`` gate ``W`` on local ``qubit`` of a 2-qubit G."""
    frame_circuit = QuantumCircuit(2)
    frame_circuit.append(frame, [qubit])
    w = Operator(frame_circuit).data
    matrix = w @ generator.to_matrix() @ w.conj().T
    return _real_simplified(SparsePauliOp.from_operator(matrix))


def _real_simplified(op: SparsePauliOp) -> SparsePauliOp:
    op = op.simplify(atol=_ATOL)
    return SparsePauliOp(op.paulis, op.coeffs.real.astype(complex))


def _fixed_beta(gate: Gate) -> float:
    beta = gate.params[1]
    if isinstance(beta, ParameterExpression) and beta.parameters:
        raise AnsatzError(
            f"gate '{gate.name}' has a parameterized beta ({beta}); beta must be a fixed number "
            "(use to_rotation_basis to translate it)"
        )
    return float(beta)


_XX_PLUS_YY = _fixed([("XX", 0.5), ("YY", 0.5)])
_XX_MINUS_YY = _fixed([("XX", 0.5), ("YY", -0.5)])


def _xx_plus_yy(gate: Gate) -> SparsePauliOp:
    return _conjugated(_XX_PLUS_YY, RZGate(-_fixed_beta(gate)), 0)


def _xx_minus_yy(gate: Gate) -> SparsePauliOp:
    return _conjugated(_XX_MINUS_YY, RZGate(_fixed_beta(gate)), 1)


def _controlled(pauli: str) -> SparsePauliOp:
    # |1><1|_c ⊗ P_t = (I - Z_c) P_t / 2, control is local qubit 0, target local qubit 1.
    return _fixed([(f"{pauli}I", 0.5), (f"{pauli}Z", -0.5)])


def _constant(op: SparsePauliOp) -> Callable[[Gate], SparsePauliOp]:
    return lambda _gate: op


_CPHASE = _fixed([("IZ", 0.5), ("ZI", 0.5), ("ZZ", -0.5)])

# base class -> (qiskit name, builder of G from the gate instance)
_TABLE: dict[type, tuple[str, Callable[[Gate], SparsePauliOp]]] = {
    RXGate: ("rx", _constant(_fixed([("X", 1.0)]))),
    RYGate: ("ry", _constant(_fixed([("Y", 1.0)]))),
    RZGate: ("rz", _constant(_fixed([("Z", 1.0)]))),
    RXXGate: ("rxx", _constant(_fixed([("XX", 1.0)]))),
    RYYGate: ("ryy", _constant(_fixed([("YY", 1.0)]))),
    RZZGate: ("rzz", _constant(_fixed([("ZZ", 1.0)]))),
    RZXGate: ("rzx", _constant(_fixed([("XZ", 1.0)]))),
    CRXGate: ("crx", _constant(_controlled("X"))),
    CRYGate: ("cry", _constant(_controlled("Y"))),
    CRZGate: ("crz", _constant(_controlled("Z"))),
    PhaseGate: ("p", _constant(_fixed([("Z", 1.0)]))),
    U1Gate: ("u1", _constant(_fixed([("Z", 1.0)]))),
    CPhaseGate: ("cp", _constant(_CPHASE)),
    CU1Gate: ("cu1", _constant(_CPHASE)),
    XXPlusYYGate: ("xx_plus_yy", _xx_plus_yy),
    XXMinusYYGate: ("xx_minus_yy", _xx_minus_yy),
}

#: Names of the gates :func:`rotation_generator` understands directly.
ROTATION_GATE_NAMES: frozenset[str] = frozenset(
    [name for name, _ in _TABLE.values()] + ["PauliEvolution"]
)


def is_parameterized(operation: object) -> bool:
    """Whether any of an operation's parameters contains an unbound :class:`Parameter`.

    Args:
        operation: A circuit operation.

    Returns:
        True if at least one parameter is a ``ParameterExpression`` with free parameters.
    """
    params = getattr(operation, "params", [])
    if any(isinstance(p, ParameterExpression) and p.parameters for p in params):
        return True
    if isinstance(operation, PauliEvolutionGate):
        return any(
            isinstance(c, ParameterExpression) for op in _evolution_terms(operation)
            for c in op.coeffs
        )
    return False


def affine_coefficients(angle: ParameterExpression | float) -> tuple[float, dict[Parameter, float]]:
    """Split an affine angle ``c0 + Σ_j c_j φ_j`` into its offset and coefficients.

    Args:
        angle: A number or a ``ParameterExpression``.

    Returns:
        ``(c0, {φ_j: c_j})`` with real floats.

    Raises:
        AnsatzError: If the angle is not affine in its parameters or not real.
    """
    if not isinstance(angle, ParameterExpression):
        return _real(angle, angle), {}
    coefficients: dict[Parameter, float] = {}
    for parameter in sorted(angle.parameters, key=lambda p: p.name):
        derivative = angle.gradient(parameter)
        if isinstance(derivative, ParameterExpression) and derivative.parameters:
            raise AnsatzError(
                f"angle {angle} is not affine in its parameters (d/d{parameter.name} = "
                f"{derivative}); only plain rotations with linear parameter expressions are "
                "supported"
            )
        coefficients[parameter] = _real(derivative, angle)
    offset = angle.bind(dict.fromkeys(angle.parameters, 0.0))
    return _real(offset, angle), coefficients


def _real(value: object, angle: object) -> float:
    number = complex(value)  # type: ignore[call-overload]
    if abs(number.imag) > _ATOL:
        raise AnsatzError(f"angle {angle} is not real")
    return number.real


def generators_commute(op: SparsePauliOp) -> bool:
    """Whether all Pauli terms of ``op`` pairwise commute (symplectic test).

    Args:
        op: A Pauli sum.

    Returns:
        True if every pair of terms commutes.
    """
    x = op.paulis.x.astype(np.int64)
    z = op.paulis.z.astype(np.int64)
    symplectic = (x @ z.T + z @ x.T) % 2
    return not symplectic.any()


def _evolution_terms(gate: PauliEvolutionGate) -> list[SparsePauliOp]:
    operators = gate.operator if isinstance(gate.operator, list) else [gate.operator]
    terms = []
    for operator in operators:
        if isinstance(operator, SparseObservable):
            terms.append(SparsePauliOp.from_sparse_observable(operator))
        else:
            terms.append(SparsePauliOp(operator))
    return terms


def _evolution_generator(gate: PauliEvolutionGate) -> SparsePauliOp:
    terms = _evolution_terms(gate)
    hamiltonian = terms[0] if len(terms) == 1 else SparsePauliOp.sum(terms)
    if any(isinstance(c, ParameterExpression) for c in hamiltonian.coeffs) or (
        hamiltonian.coeffs.dtype == object
    ):
        raise AnsatzError(
            "PauliEvolutionGate with parameterized operator coefficients is not supported; "
            "only its time may be a parameter"
        )
    hamiltonian = hamiltonian.simplify(atol=_ATOL)
    if np.abs(hamiltonian.coeffs.imag).max(initial=0.0) > _ATOL:
        raise AnsatzError("PauliEvolutionGate operator is not Hermitian (complex coefficients)")
    if not generators_commute(hamiltonian):
        raise AnsatzError(
            f"PauliEvolutionGate operator has non-commuting terms ({hamiltonian.paulis.to_labels()}"
            "); its synthesis is not exp(-i t H), split it into commuting gates"
        )
    # exp(-i t H) = exp(-i t (2H) / 2); the identity term is a global phase.
    identity = ~(hamiltonian.paulis.x.any(axis=1) | hamiltonian.paulis.z.any(axis=1))
    keep = ~identity
    generator = SparsePauliOp(hamiltonian.paulis[keep], 2.0 * hamiltonian.coeffs[keep].real)
    if generator.size == 0:
        return SparsePauliOp("I" * hamiltonian.num_qubits, 0.0)
    return generator


def _table_generator(operation: Gate) -> SparsePauliOp:
    if isinstance(operation, PauliEvolutionGate):
        return _evolution_generator(operation)
    entry = _TABLE.get(operation.base_class)
    if entry is None or operation.name != entry[0]:
        raise AnsatzError(
            f"parameterized gate '{operation.name}' is not a rotation qsympass understands "
            f"(supported: {sorted(ROTATION_GATE_NAMES)}); run to_rotation_basis first"
        )
    closed = 2**operation.num_ctrl_qubits - 1 if isinstance(operation, ControlledGate) else None
    if closed is not None and operation.ctrl_state != closed:
        raise AnsatzError(
            f"controlled rotation '{operation.name}' with open controls is not in the rotation "
            "table; run to_rotation_basis first"
        )
    return entry[1](operation)


def rotation_generator(
    instruction: CircuitInstruction, circuit: QuantumCircuit
) -> RotationGenerator | None:
    """The rotation generator of one instruction.

    Args:
        instruction: An instruction of ``circuit``.
        circuit: The circuit, used to resolve qubit indices.

    Returns:
        ``None`` for an instruction without free parameters (a fixed gate), else its
        :class:`RotationGenerator`.

    Raises:
        AnsatzError: If the instruction is parameterized but not in the rotation table, its angle
            is not affine, or a fixed argument (``beta``) is parameterized.
    """
    operation = instruction.operation
    if operation.name in IGNORED_INSTRUCTIONS or not is_parameterized(operation):
        return None
    if not isinstance(operation, Gate):
        raise AnsatzError(f"parameterized instruction '{operation.name}' is not a gate")
    generator = _table_generator(operation)
    angle = operation.params[0]
    affine_coefficients(angle)  # validates
    qubits = tuple(circuit.find_bit(qubit).index for qubit in instruction.qubits)
    return RotationGenerator(qubits=qubits, generator=generator, angle=angle)


def fixed_rotation_generator(
    instruction: CircuitInstruction, circuit: QuantumCircuit
) -> RotationGenerator | None:
    """The rotation generator of a table gate whose angle is a number (a bound rotation).

    Simulators use it to apply bound rotations as cheaply as parameterized ones.

    Args:
        instruction: An instruction of ``circuit`` without free parameters.
        circuit: The circuit, used to resolve qubit indices.

    Returns:
        The generator with a float angle, or ``None`` when the gate is not a table gate (or a
        table gate that does not fit, e.g. open controls or non-commuting evolution terms).
    """
    operation = instruction.operation
    if not isinstance(operation, Gate) or is_parameterized(operation):
        return None
    if operation.base_class not in _TABLE and not isinstance(operation, PauliEvolutionGate):
        return None
    try:
        generator = _table_generator(operation)
    except AnsatzError:
        return None
    angle = _real(operation.params[0], operation.params[0])
    qubits = tuple(circuit.find_bit(qubit).index for qubit in instruction.qubits)
    return RotationGenerator(qubits=qubits, generator=generator, angle=angle)


def _fits_table(instruction: CircuitInstruction, circuit: QuantumCircuit) -> bool:
    try:
        rotation_generator(instruction, circuit)
    except AnsatzError:
        return False
    return True


def _fixed_standard_gate_names() -> list[str]:
    return [
        name
        for name, gate in get_standard_gate_name_mapping().items()
        if not gate.params and isinstance(gate, Gate)
    ]


def _translate(operation: Gate, excluded: Iterable[str]) -> QuantumCircuit:
    excluded = set(excluded)
    basis = sorted((set(ROTATION_GATE_NAMES) | set(_fixed_standard_gate_names())) - excluded)
    single = QuantumCircuit(operation.num_qubits)
    single.append(operation, range(operation.num_qubits))
    # HighLevelSynthesis only unrolls custom definitions; standard gates go to the translator.
    unroll_basis = sorted(set(get_standard_gate_name_mapping()) | set(basis))
    passes = PassManager(
        [
            HighLevelSynthesis(basis_gates=unroll_basis),
            BasisTranslator(SessionEquivalenceLibrary, basis),
        ]
    )
    try:
        return passes.run(single)
    except TranspilerError as error:
        raise AnsatzError(
            f"parameterized gate '{operation.name}' cannot be translated into rotation gates: "
            f"{error}"
        ) from error


def to_rotation_basis(circuit: QuantumCircuit) -> QuantumCircuit:
    """Rewrite the parameterized gates outside the rotation table into table gates.

    Gates that already fit (and fixed gates) are kept as they are; each other parameterized gate
    is unrolled (custom definitions) and translated with Qiskit's basis translation.

    Args:
        circuit: The ansatz.

    Returns:
        An equivalent circuit (up to global phase, which is kept as Qiskit tracks it) whose
        parameterized gates all have rotation generators; parameters and metadata are kept.

    Raises:
        AnsatzError: If the circuit is not a valid ansatz (see :func:`validate_ansatz`) or a gate
            cannot be translated; the message names the gate.
    """
    validate_ansatz(circuit)
    if all(_fits_table(instruction, circuit) for instruction in circuit.data):
        return circuit.copy()
    out = circuit.copy_empty_like()
    for instruction in circuit.data:
        if _fits_table(instruction, circuit):
            out.append(instruction)
            continue
        operation = instruction.operation
        if isinstance(operation, PauliEvolutionGate):
            # Its synthesis (e.g. Lie–Trotter) is not the exp(-i t H) that simulators apply;
            # surface the reason instead of silently changing the circuit's meaning.
            rotation_generator(instruction, circuit)
            raise AnsatzError(f"PauliEvolutionGate {operation.label or ''} is not supported")
        translated = _translate(operation, excluded=[operation.name])
        for inner in translated.data:
            if not _fits_table(inner, translated):
                # Surface the precise reason for the gate that still does not fit.
                rotation_generator(inner, translated)
        out.compose(translated, qubits=instruction.qubits, inplace=True)
    return out


def validate_ansatz(circuit: QuantumCircuit) -> None:
    """Check that a circuit is a unitary ansatz: gates (and barriers/delays) only.

    Args:
        circuit: The circuit to check.

    Raises:
        AnsatzError: On the first measurement, reset, control-flow operation, classical
            operation or non-unitary instruction, naming it and its position.
    """
    for position, instruction in enumerate(circuit.data):
        operation = instruction.operation
        name = operation.name
        where = f"(instruction {position} on qubits "
        where += f"{[circuit.find_bit(q).index for q in instruction.qubits]})"
        if isinstance(operation, ControlFlowOp):
            raise AnsatzError(
                f"control-flow operation '{name}' {where} is not allowed in an ansatz"
            )
        if name == "measure":
            raise AnsatzError(f"measurement {where} is not allowed in an ansatz")
        if name == "reset":
            raise AnsatzError(f"reset {where} is not allowed in an ansatz")
        if instruction.clbits:
            raise AnsatzError(
                f"operation '{name}' {where} uses classical bits, which an ansatz may not"
            )
        if name in IGNORED_INSTRUCTIONS:
            continue
        if not isinstance(operation, Gate):
            raise AnsatzError(
                f"non-unitary instruction '{name}' {where} is not allowed in an ansatz"
            )
