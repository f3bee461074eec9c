"""The dynamical generators of an ansatz, and their action on statevectors.

**Dynamical generators.** The parameterized gates are gathered into *blocks* of pairwise
commuting generators: each gate joins the earliest block it can reach by commuting backwards
(past blocks it commutes with and fixed gates on other qubits), so the result does not depend on
how the instructions interleave the layers. Inside a block the gates multiply to
``exp(−i Σ_j φ_j A_j / 2)`` times a fixed part,
with ``A_j = Σ_k (∂angle_k/∂φ_j) G_k`` (the gates of the block that depend on ``φ_j``, with their
coefficients; tied and linearly combined parameters included). Because the block's gates commute,
invariance under each ``A_j`` is exactly invariance under the block — invariance under each gate
``G_k`` separately would be sufficient too, but needlessly large for tied parameters (SP's
pruned TFIM ansatz has ``Σ_i X_i`` and ``Σ_i Z_i Z_{i+1}``, not the single terms). The angle
offsets of a block (``angle = a·φ + b``) are fixed gates ``exp(−i b_k G_k / 2)``: they commute
with the block, so they follow it as middle fixed gates.

Fixed gates between blocks are moved to the end of the circuit by conjugation: with ``F_k`` the
product of the fixed gates before block ``k`` (the leading fixed prefix excluded, it prepares
ψ0), ``U = F_L · Π_k exp(−i F_k† A F_k / 2)``, and a trailing unitary does not change any
dimension (so fixed gates after the last block are left out). The generators are therefore
``F_k† A_j F_k``: exact Pauli sums when the fixed gates are Clifford (CX, H, S, ...), applied
densely otherwise (apply ``F_k``, then ``A_j``, then ``F_k†``). The leading fixed prefix is
every fixed gate without a parameterized gate in its past light cone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.linalg
from qiskit.circuit import CircuitInstruction, Parameter, QuantumCircuit
from qiskit.circuit.library import UnitaryGate
from qiskit.exceptions import QiskitError
from qiskit.quantum_info import Clifford, SparsePauliOp, Statevector

from qsympass.circuits import (
    IGNORED_INSTRUCTIONS,
    RotationGenerator,
    affine_coefficients,
    rotation_generator,
    to_rotation_basis,
)

# --------------------------------------------------------------------------------------------
# Dynamical generators
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LocalGate:
    """A fixed gate as a local unitary on some qubits."""

    matrix: np.ndarray
    qubits: tuple[int, ...]


@dataclass(frozen=True)
class DynamicalGenerator:
    """One dynamical generator ``F† A F``.

    ``operator`` is ``A`` already conjugated by the fixed gates in the Clifford case; otherwise
    ``frame`` lists the fixed gates ``F`` (in circuit order) to conjugate by densely.
    """

    operator: SparsePauliOp
    frame: tuple[_LocalGate, ...] = ()


@dataclass(frozen=True)
class AnsatzDynamics:
    """An ansatz split into its state-preparation prefix and its dynamical generators."""

    num_qubits: int
    prefix: QuantumCircuit
    generators: tuple[DynamicalGenerator, ...]
    pauli_exact: bool  # generators are exact Pauli sums (all middle fixed gates Clifford)
    has_offsets: bool = False  # some rotation has a constant angle offset


@dataclass
class _Block:
    """A run of pairwise commuting parameterized gates."""

    terms: list[tuple[SparsePauliOp, frozenset[int]]]
    by_parameter: dict[Parameter, SparsePauliOp]
    offsets: list[CircuitInstruction]  # exp(−i b_k G_k / 2) of the gates' constant angles
    offset_sum: SparsePauliOp | None = None  # Σ_k b_k G_k

    def commutes_with(self, op: SparsePauliOp, support: frozenset[int]) -> bool:
        return all(
            not support & other_support or operators_commute(op, other)
            for other, other_support in self.terms
        )

    def add(
        self, op: SparsePauliOp, support: frozenset[int], coefficients: dict[Parameter, float]
    ) -> None:
        """Add the gate ``exp(−i (Σ_j c_j φ_j) op / 2)`` to the block."""
        self.terms.append((op, support))
        for parameter, coefficient in coefficients.items():
            previous = self.by_parameter.get(parameter)
            term = coefficient * op
            self.by_parameter[parameter] = term if previous is None else previous + term

    def add_offset(
        self, rotation: RotationGenerator, offset: float, circuit: QuantumCircuit
    ) -> None:
        """Record the fixed part ``exp(−i b G / 2)`` of a gate with angle ``b + Σ_j c_j φ_j``."""
        matrix = scipy.linalg.expm(-0.5j * offset * rotation.generator.to_matrix())
        qubits = [circuit.qubits[q] for q in rotation.qubits]
        self.offsets.append(CircuitInstruction(UnitaryGate(matrix, check_input=False), qubits))
        shift = offset * rotation.on(circuit.num_qubits)
        self.offset_sum = shift if self.offset_sum is None else self.offset_sum + shift


def _earliest_block(
    timeline: Sequence[_Block | tuple[CircuitInstruction, frozenset[int]]],
    op: SparsePauliOp,
    support: frozenset[int],
) -> _Block | None:
    """The earliest block a new gate can join by commuting backwards, or ``None``.

    The gate moves back past a block whose gates it all commutes with (joining it keeps the
    block pairwise commuting) and past fixed gates on other qubits; it stops at the first
    block or fixed gate it does not commute with. Joining the earliest block (ASAP layering)
    gathers the gates of a tied parameter even when the instruction order interleaves layers.
    """
    found: _Block | None = None
    for item in reversed(timeline):
        if isinstance(item, _Block):
            if not item.commutes_with(op, support):
                break
            found = item
        elif item[1] & support:
            break
    return found


def operators_commute(a: SparsePauliOp, b: SparsePauliOp) -> bool:
    commutator = (a.compose(b) - b.compose(a)).simplify(atol=1e-12)
    return bool(np.all(np.abs(commutator.coeffs) <= 1e-12))


def _qubit_indices(instruction: CircuitInstruction, circuit: QuantumCircuit) -> tuple[int, ...]:
    return tuple(circuit.find_bit(qubit).index for qubit in instruction.qubits)


def _canonical(op: SparsePauliOp) -> SparsePauliOp | None:
    """Scale ``op`` to unit largest coefficient with a positive first term; ``None`` if zero."""
    simplified = op.simplify(atol=1e-12)
    if not np.any(np.abs(simplified.coeffs) > 1e-12):
        return None
    order = np.argsort(simplified.paulis.to_labels())
    simplified = SparsePauliOp(simplified.paulis[order], simplified.coeffs[order])
    scale = simplified.coeffs[int(np.argmax(np.abs(simplified.coeffs) > 1e-12))]
    largest = np.max(np.abs(simplified.coeffs))
    return SparsePauliOp(simplified.paulis, simplified.coeffs / (scale / abs(scale)) / largest)


def _operator_key(op: SparsePauliOp) -> tuple[tuple[str, complex], ...]:
    return tuple(
        (label, complex(round(c.real, 10), round(c.imag, 10)))
        for label, c in zip(op.paulis.to_labels(), op.coeffs, strict=True)
    )


def ansatz_dynamics(
    circuit: QuantumCircuit, *, offsets_as_generators: bool = False
) -> AnsatzDynamics:
    """Split ``circuit`` into its fixed prefix and its dynamical generators.

    Args:
        circuit: A parameterized ansatz (no measurements, resets or control flow).
        offsets_as_generators: Make each block's constant angles ``Σ_k b_k G_k`` one more
            generator instead of fixed gates. The closure can only grow (invariance under a
            generator implies invariance under its exponential), so it bounds ``d_eff`` from
            above while keeping Clifford frames Clifford.

    Returns:
        The prefix circuit and the deduplicated generators (see the module docstring).

    Raises:
        ValueError: For a circuit that is not a valid ansatz or has a non-affine angle
            (``AnsatzError``, also a ``TranspilerError``).
    """
    circuit = to_rotation_basis(circuit)  # validates; AnsatzError is a ValueError
    n = circuit.num_qubits
    prefix = circuit.copy_empty_like()
    prefix.global_phase = 0.0  # may depend on the parameters; the dynamics ignore it
    touched = [False] * n  # qubit is in the future light cone of a parameterized gate
    # Blocks and middle fixed gates in time order; a fixed gate is (instruction, its qubits).
    timeline: list[_Block | tuple[CircuitInstruction, frozenset[int]]] = []

    for instruction in circuit.data:
        if instruction.operation.name in IGNORED_INSTRUCTIONS:
            continue
        qubits = _qubit_indices(instruction, circuit)
        rotation = rotation_generator(instruction, circuit)
        if rotation is None:
            if any(touched[q] for q in qubits):
                timeline.append((instruction, frozenset(qubits)))
                for q in qubits:  # its other qubits are now in the light cone too
                    touched[q] = True
            else:
                prefix.append(instruction)
            continue
        for q in qubits:
            touched[q] = True
        full = rotation.on(n)
        block = _earliest_block(timeline, full, frozenset(qubits))
        if block is None:
            block = _Block(terms=[], by_parameter={}, offsets=[])
            timeline.append(block)
        offset, coefficients = affine_coefficients(rotation.angle)
        block.add(full, frozenset(qubits), coefficients)
        if offset != 0.0:
            block.add_offset(rotation, offset, circuit)

    middle_fixed: list[CircuitInstruction] = []
    blocks: list[tuple[_Block, int]] = []  # block and the number of middle fixed gates before it
    for item in timeline:
        if isinstance(item, _Block):
            blocks.append((item, len(middle_fixed)))
            if not offsets_as_generators:
                middle_fixed.extend(item.offsets)
        else:
            middle_fixed.append(item[0])
    # fixed gates after the last block change no dimension
    middle_fixed = middle_fixed[: blocks[-1][1]] if blocks else []

    frames = _clifford_frames(middle_fixed, circuit)
    generators: dict[tuple, DynamicalGenerator] = {}
    for block, num_fixed in blocks:
        extra = [block.offset_sum] if offsets_as_generators and block.offset_sum else []
        for op in [*block.by_parameter.values(), *extra]:
            if frames is not None:
                framed = _canonical(_conjugate(op, frames[num_fixed]) if num_fixed else op)
                if framed is not None:
                    generators.setdefault(_operator_key(framed), DynamicalGenerator(framed))
            else:
                canonical = _canonical(op)
                if canonical is not None:
                    frame = tuple(_local_gate(inst, circuit) for inst in middle_fixed[:num_fixed])
                    key = (num_fixed, _operator_key(canonical))
                    generators.setdefault(key, DynamicalGenerator(canonical, frame))
    has_offsets = any(block.offsets for block, _ in blocks)
    return AnsatzDynamics(
        n, prefix, tuple(generators.values()), frames is not None, has_offsets
    )


def _clifford_frames(
    fixed: Sequence[CircuitInstruction], circuit: QuantumCircuit
) -> list[Clifford] | None:
    """Cumulative Cliffords of the middle fixed gates, or ``None`` if one is not Clifford."""
    frame = Clifford(QuantumCircuit(circuit.num_qubits))
    frames = [frame]
    for instruction in fixed:
        try:
            gate = Clifford(instruction.operation)
        except (QiskitError, TypeError, AttributeError):
            return None
        frame = frame.compose(gate, qargs=list(_qubit_indices(instruction, circuit)))
        frames.append(frame)
    return frames


def _conjugate(op: SparsePauliOp, frame: Clifford) -> SparsePauliOp:
    """``F† op F`` for a Clifford ``F``."""
    return SparsePauliOp(op.paulis.evolve(frame, frame="h"), op.coeffs)


def _local_gate(instruction: CircuitInstruction, circuit: QuantumCircuit) -> _LocalGate:
    try:
        matrix = np.asarray(instruction.operation.to_matrix(), dtype=complex)
    except (QiskitError, AttributeError, TypeError) as exc:
        raise ValueError(
            f"fixed instruction {instruction.operation.name} has no matrix"
        ) from exc
    return _LocalGate(matrix, _qubit_indices(instruction, circuit))


# --------------------------------------------------------------------------------------------
# Dense application
# --------------------------------------------------------------------------------------------


def apply_local(
    matrix: np.ndarray, qubits: Sequence[int], states: np.ndarray, num_qubits: int
) -> np.ndarray:
    """Apply a local operator to a batch of statevectors (little-endian qubit order).

    Args:
        matrix: The ``2^k × 2^k`` operator; ``qubits[0]`` is its least significant qubit.
        qubits: The ``k`` circuit qubits it acts on.
        states: Statevectors as columns, shape ``(2**num_qubits, m)``.
        num_qubits: Width of the states.

    Returns:
        The transformed batch, shape ``(2**num_qubits, m)``.
    """
    k = len(qubits)
    batch = states.shape[1]
    tensor = states.reshape((2,) * num_qubits + (batch,))
    axes = [num_qubits - 1 - q for q in reversed(qubits)]  # most significant local bit first
    gate = matrix.reshape((2,) * (2 * k))
    out = np.tensordot(gate, tensor, axes=(list(range(k, 2 * k)), axes))
    out = np.moveaxis(out, list(range(k)), axes)
    return out.reshape(2**num_qubits, batch)


def generator_action(
    generator: DynamicalGenerator, num_qubits: int
) -> Callable[[np.ndarray], np.ndarray]:
    matrix = generator.operator.to_matrix(sparse=True)
    if not generator.frame:
        return lambda states: np.asarray(matrix @ states)

    def act(states: np.ndarray) -> np.ndarray:  # F† A F, with F the frame in circuit order
        for gate in generator.frame:
            states = apply_local(gate.matrix, gate.qubits, states, num_qubits)
        states = np.asarray(matrix @ states)
        for gate in reversed(generator.frame):
            states = apply_local(gate.matrix.conj().T, gate.qubits, states, num_qubits)
        return states

    return act


def initial_statevector(
    circuit: QuantumCircuit,
    prefix: QuantumCircuit,
    initial_state: Statevector | np.ndarray | None,
) -> np.ndarray:
    """ψ0: the fixed prefix applied to ``initial_state`` (default ``|0…0⟩``)."""
    n = circuit.num_qubits
    if initial_state is None:
        start = Statevector.from_int(0, 2**n)
    else:
        data = np.asarray(
            initial_state.data if isinstance(initial_state, Statevector) else initial_state,
            dtype=complex,
        ).ravel()
        if data.size != 2**n:
            raise ValueError(
                f"initial_state has {data.size} amplitudes, expected {2**n} for {n} qubits"
            )
        if not math.isclose(float(np.linalg.norm(data)), 1.0, abs_tol=1e-8):
            raise ValueError("initial_state is not normalised")
        start = Statevector(data)
    return np.asarray(start.evolve(prefix).data)


