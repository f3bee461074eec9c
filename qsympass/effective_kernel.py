"""Effective quantum neural tangent kernel (EQNTK), effective dimension and restricted DLA.

The definitions are the project's (DESIGN §4). For ground-state preparation with loss
``ℓ(θ) = ⟨ψ0|U(θ)† H U(θ)|ψ0⟩``, ground energy ``E0`` and residual ``ε = ℓ − E0``:

* ``K(θ) = Σ_j (∂ℓ/∂φ_j)²`` over the circuit's parameters,
* ``EQNTK λ̄ = E_θ[K] / E_θ[ε]`` with ``θ`` uniform on ``[0, 2π)``, estimated from samples with a
  delta-method standard error for the ratio,
* ``d_eff``: dimension of the smallest subspace that contains ψ0 and is invariant under the
  circuit's dynamical generators (see :func:`effective_subspace`),
* the dimension of the dynamical Lie algebra restricted to that subspace.

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
offsets of a block (``angle = a·φ + b``) contribute ``Σ_k b_k G_k`` as one more generator (a
conservative choice: invariance under it implies invariance under its exponential).

Fixed gates between blocks are moved to the end of the circuit by conjugation: with ``F_k`` the
product of the fixed gates before block ``k`` (the leading fixed prefix excluded, it prepares
ψ0), ``U = F_L · Π_k exp(−i F_k† A F_k / 2)``, and a trailing unitary does not change any
dimension. The generators are therefore ``F_k† A_j F_k`` — exact Pauli sums when the fixed gates
are Clifford (CX, H, S, ...), applied as "undo the frame, apply A, redo the frame" otherwise.
The leading fixed prefix is every fixed gate without a parameterized gate in its past light cone.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from qiskit.circuit import CircuitInstruction, Parameter, QuantumCircuit
from qiskit.converters import dag_to_circuit
from qiskit.dagcircuit import DAGCircuit
from qiskit.exceptions import QiskitError
from qiskit.quantum_info import Clifford, PauliList, SparsePauliOp, StabilizerState, Statevector
from qiskit.transpiler import AnalysisPass, TranspilerError

from qsympass.circuits import (
    IGNORED_INSTRUCTIONS,
    affine_coefficients,
    rotation_generator,
    to_rotation_basis,
)
from qsympass.krylov import krylov_closure
from qsympass.models.spectrum import ground_energy as ground_energy_of
from qsympass.validation import as_hamiltonian, require_width

logger = logging.getLogger(__name__)

#: Relative tolerance for the rank decisions of the Krylov and Lie closures.
_RANK_TOL = 1e-8


# --------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveSubspace:
    """The effective subspace of an ansatz.

    Attributes:
        dimension: ``d_eff`` when ``exact``, otherwise an upper bound on it.
        exact: Whether ``dimension`` was computed exactly (Krylov closure).
        method: How the dimension was obtained: ``"krylov"``, ``"pauli orbit"`` (exact, GF(2)),
            ``"pauli sector bound"``,
            ``"u(1) sector bound"`` or ``"full space bound"``.
        basis: Orthonormal basis, shape ``(2**n, dimension)``, when ``exact`` and it was built
            (not for ``"pauli orbit"``); else ``None``.
    """

    dimension: int
    exact: bool
    method: str
    basis: np.ndarray | None = None


@dataclass(frozen=True)
class EQNTKReport:
    """Result of :func:`eqntk`.

    Attributes:
        value: The EQNTK estimate ``λ̄ = mean(K) / mean(ε)``.
        stderr: Delta-method standard error of ``value``.
        effective_dimension: ``d_eff`` (an upper bound when ``effective_dimension_exact`` is
            false).
        effective_dimension_exact: Whether ``effective_dimension`` is exact.
        dla_dimension: Dimension of the dynamical Lie algebra restricted to the effective
            subspace (identity dropped), or ``None`` when it was not computed (too large).
        num_parameters: Number of trainable parameters of the circuit.
        samples: Number of parameter samples used.
        ground_energy: The ground energy ``E0`` used for the residual.
        mean_kernel: Sample mean of ``K``.
        mean_residual: Sample mean of ``ε``.
    """

    value: float
    stderr: float
    effective_dimension: int
    effective_dimension_exact: bool
    dla_dimension: int | None
    num_parameters: int
    samples: int
    ground_energy: float
    mean_kernel: float
    mean_residual: float


# --------------------------------------------------------------------------------------------
# Dynamical generators
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LocalGate:
    """A fixed gate as a local unitary on some qubits."""

    matrix: np.ndarray
    qubits: tuple[int, ...]


@dataclass(frozen=True)
class _Generator:
    """One dynamical generator ``F† A F``.

    ``operator`` is ``A`` already conjugated by the fixed gates in the Clifford case; otherwise
    ``frame`` lists the fixed gates ``F`` (in circuit order) to conjugate by densely.
    """

    operator: SparsePauliOp
    frame: tuple[_LocalGate, ...] = ()


@dataclass(frozen=True)
class _Dynamics:
    """An ansatz split into its state-preparation prefix and its dynamical generators."""

    num_qubits: int
    prefix: QuantumCircuit
    generators: tuple[_Generator, ...]
    pauli_exact: bool  # generators are exact Pauli sums (all middle fixed gates Clifford)


@dataclass
class _Block:
    """A run of pairwise commuting parameterized gates."""

    terms: list[tuple[SparsePauliOp, frozenset[int]]]
    by_parameter: dict[Parameter, SparsePauliOp]
    offset: SparsePauliOp | None = None

    def commutes_with(self, op: SparsePauliOp, support: frozenset[int]) -> bool:
        return all(
            not support & other_support or _commute(op, other)
            for other, other_support in self.terms
        )

    def add(
        self,
        op: SparsePauliOp,
        support: frozenset[int],
        offset: float,
        coefficients: dict[Parameter, float],
    ) -> None:
        """Add the gate ``exp(−i (offset + Σ_j c_j φ_j) op / 2)`` to the block."""
        self.terms.append((op, support))
        for parameter, coefficient in coefficients.items():
            previous = self.by_parameter.get(parameter)
            term = coefficient * op
            self.by_parameter[parameter] = term if previous is None else previous + term
        if offset != 0.0:
            shift = offset * op
            self.offset = shift if self.offset is None else self.offset + shift


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


def _commute(a: SparsePauliOp, b: SparsePauliOp) -> bool:
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


def ansatz_dynamics(circuit: QuantumCircuit) -> _Dynamics:
    """Split ``circuit`` into its fixed prefix and its dynamical generators.

    Args:
        circuit: A parameterized ansatz (no measurements, resets or control flow).

    Returns:
        The prefix circuit and the deduplicated generators (see the module docstring).

    Raises:
        ValueError: For a circuit that is not a valid ansatz or has a non-affine angle
            (``AnsatzError``, also a ``TranspilerError``).
    """
    circuit = to_rotation_basis(circuit)  # validates; AnsatzError is a ValueError
    n = circuit.num_qubits
    prefix = circuit.copy_empty_like()
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
            else:
                prefix.append(instruction)
            continue
        for q in qubits:
            touched[q] = True
        full = rotation.on(n)
        block = _earliest_block(timeline, full, frozenset(qubits))
        if block is None:
            block = _Block(terms=[], by_parameter={})
            timeline.append(block)
        block.add(full, frozenset(qubits), *affine_coefficients(rotation.angle))

    middle_fixed: list[CircuitInstruction] = []
    blocks: list[tuple[_Block, int]] = []  # block and the number of middle fixed gates before it
    for item in timeline:
        if isinstance(item, _Block):
            blocks.append((item, len(middle_fixed)))
        else:
            middle_fixed.append(item[0])

    frames = _clifford_frames(middle_fixed, circuit)
    generators: dict[tuple, _Generator] = {}
    for block, num_fixed in blocks:
        raw = [*block.by_parameter.values(), *([block.offset] if block.offset is not None else [])]
        for op in raw:
            if frames is not None:
                framed = _canonical(_conjugate(op, frames[num_fixed]) if num_fixed else op)
                if framed is not None:
                    generators.setdefault(_operator_key(framed), _Generator(framed))
            else:
                canonical = _canonical(op)
                if canonical is not None:
                    frame = tuple(_local_gate(inst, circuit) for inst in middle_fixed[:num_fixed])
                    key = (num_fixed, _operator_key(canonical))
                    generators.setdefault(key, _Generator(canonical, frame))
    return _Dynamics(n, prefix, tuple(generators.values()), frames is not None)


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


def _generator_action(
    generator: _Generator, num_qubits: int
) -> Callable[[np.ndarray], np.ndarray]:
    matrix = generator.operator.to_matrix(sparse=True)
    if not generator.frame:
        return lambda states: np.asarray(matrix @ states)

    def act(states: np.ndarray) -> np.ndarray:
        for gate in reversed(generator.frame):
            states = apply_local(gate.matrix.conj().T, gate.qubits, states, num_qubits)
        states = np.asarray(matrix @ states)
        for gate in generator.frame:
            states = apply_local(gate.matrix, gate.qubits, states, num_qubits)
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


# --------------------------------------------------------------------------------------------
# Effective dimension
# --------------------------------------------------------------------------------------------


def effective_subspace(
    circuit: QuantumCircuit,
    initial_state: Statevector | np.ndarray | None = None,
    max_exact_qubits: int = 12,
    *,
    need_basis: bool = True,
) -> EffectiveSubspace:
    """The effective subspace of an ansatz: its Krylov closure, or a bound on its dimension.

    Exact (Krylov closure on statevectors) up to ``max_exact_qubits`` qubits. Above, returns an
    upper bound: ``2^(n−r)`` where ``r`` counts the independent Pauli symmetries of all
    generators that stabilize ψ0, or a U(1) sector size ``C(n, w)`` for a conserved
    ``Σ_i P_i`` with ψ0 a product eigenstate, whichever is smaller (``2^n`` when neither
    applies, e.g. non-Clifford fixed gates or a user-given ``initial_state``).

    Args:
        circuit: The ansatz.
        initial_state: Optional state the circuit is applied to (default ``|0…0⟩``).
        max_exact_qubits: Largest width for the exact computation.
        need_basis: Whether the basis is needed. Without it, an exact dimension found by GF(2)
            linear algebra (single Pauli-string generators, stabilizer ψ0) is returned without
            building the ``2^n``-sized basis (``basis`` is then ``None``).

    Returns:
        An :class:`EffectiveSubspace`.

    Raises:
        ValueError: For an invalid ansatz or initial state.
    """
    dynamics = ansatz_dynamics(circuit)
    n = dynamics.num_qubits
    if n > max_exact_qubits:
        return _sector_bound(dynamics, initial_state)
    bound = _sector_bound(dynamics, initial_state)
    if not need_basis:
        dimension = _pauli_orbit_dimension(dynamics, initial_state)
        if dimension is not None:
            return EffectiveSubspace(dimension, True, "pauli orbit")
    start = initial_statevector(circuit, dynamics.prefix, initial_state)
    actions = [_generator_action(g, n) for g in dynamics.generators]
    basis = krylov_closure(start, actions, upper_bound=bound.dimension).basis
    return EffectiveSubspace(basis.shape[1], True, "krylov", basis)


def _pauli_orbit_dimension(
    dynamics: _Dynamics, initial_state: Statevector | np.ndarray | None
) -> int | None:
    """``d_eff`` without a basis when every generator is one Pauli string and ψ0 a stabilizer state.

    The closure is then spanned by ``g ψ0`` over the group ``G`` the strings generate; two such
    states are parallel when ``g h`` stabilizes ψ0 and orthogonal otherwise, so
    ``d_eff = |G| / |G ∩ S| = 2^(rank(G + S) − n)`` with ``S`` the stabilizer group (GF(2) ranks).
    """
    if not dynamics.pauli_exact or initial_state is not None or not dynamics.generators:
        return None
    if any(g.operator.size != 1 for g in dynamics.generators):
        return None
    try:
        clifford = StabilizerState(dynamics.prefix).clifford
    except (QiskitError, TypeError):
        return None
    n = dynamics.num_qubits
    strings = np.vstack([
        np.hstack([g.operator.paulis.x, g.operator.paulis.z]) for g in dynamics.generators
    ])
    stacked = np.vstack([strings, np.hstack([clifford.stab_x, clifford.stab_z])])
    return 2 ** (_gf2_rank(stacked) - n)


def effective_dimension(
    circuit: QuantumCircuit,
    initial_state: Statevector | np.ndarray | None = None,
    max_exact_qubits: int = 12,
) -> int:
    """``d_eff`` of an ansatz (an upper bound above ``max_exact_qubits``).

    See :func:`effective_subspace` for the definition and for whether the value is exact.

    Args:
        circuit: The ansatz.
        initial_state: Optional state the circuit is applied to (default ``|0…0⟩``).
        max_exact_qubits: Largest width for the exact computation.

    Returns:
        The effective dimension, or an upper bound on it for wider circuits.
    """
    subspace = effective_subspace(circuit, initial_state, max_exact_qubits, need_basis=False)
    if not subspace.exact:
        logger.info("effective dimension %d is an upper bound (%s)", subspace.dimension,
                    subspace.method)
    return subspace.dimension


def _gf2_rank(matrix: np.ndarray) -> int:
    rows = matrix.astype(bool).copy()
    rank = 0
    for column in range(rows.shape[1]):
        pivots = np.nonzero(rows[rank:, column])[0]
        if pivots.size == 0:
            continue
        pivot = rank + pivots[0]
        rows[[rank, pivot]] = rows[[pivot, rank]]
        others = np.nonzero(rows[:, column])[0]
        others = others[others != rank]
        rows[others] ^= rows[rank]
        rank += 1
        if rank == rows.shape[0]:
            break
    return rank


def _commutant_paulis(terms: PauliList) -> PauliList:
    """Independent Pauli strings commuting with every string in ``terms`` (GF(2) kernel)."""
    n = terms.num_qubits
    # P = (x, z) commutes with T = (a, b) iff a·z + b·x = 0 (mod 2).
    symplectic = np.hstack([terms.z, terms.x]).astype(np.uint8)  # acts on (x, z)
    kernel = _gf2_kernel(symplectic)
    if kernel.shape[0] == 0:
        return PauliList(["I" * n])[:0]
    return PauliList.from_symplectic(kernel[:, n:].astype(bool), kernel[:, :n].astype(bool))


def _gf2_kernel(matrix: np.ndarray) -> np.ndarray:
    """Basis (rows) of the GF(2) null space of ``matrix``."""
    rows = matrix.astype(bool).copy()
    num_rows, num_cols = rows.shape
    pivot_columns: list[int] = []
    rank = 0
    for column in range(num_cols):
        if rank == num_rows:
            break
        pivots = np.nonzero(rows[rank:, column])[0]
        if pivots.size == 0:
            continue
        pivot = rank + pivots[0]
        rows[[rank, pivot]] = rows[[pivot, rank]]
        others = np.nonzero(rows[:, column])[0]
        others = others[others != rank]
        rows[others] ^= rows[rank]
        pivot_columns.append(column)
        rank += 1
    free = [c for c in range(num_cols) if c not in set(pivot_columns)]
    kernel = np.zeros((len(free), num_cols), dtype=bool)
    for i, column in enumerate(free):
        kernel[i, column] = True
        for r, pivot in enumerate(pivot_columns):
            kernel[i, pivot] = rows[r, column]
    return kernel


def _sector_bound(
    dynamics: _Dynamics, initial_state: Statevector | np.ndarray | None
) -> EffectiveSubspace:
    n = dynamics.num_qubits
    full = EffectiveSubspace(2**n, False, "full space bound")
    if not dynamics.pauli_exact or initial_state is not None or not dynamics.generators:
        return full
    try:
        state = StabilizerState(dynamics.prefix)
    except (QiskitError, TypeError):
        return full
    bounds = [full]
    terms = PauliList.from_symplectic(
        np.vstack([g.operator.paulis.z for g in dynamics.generators]),
        np.vstack([g.operator.paulis.x for g in dynamics.generators]),
    )
    symmetries = _commutant_paulis(terms)
    if len(symmetries):
        clifford = state.clifford
        stacked = np.vstack([
            np.hstack([symmetries.x, symmetries.z]),
            np.hstack([clifford.stab_x, clifford.stab_z]),
        ])
        shared = len(symmetries) + n - _gf2_rank(stacked)
        if shared:
            bounds.append(EffectiveSubspace(2 ** (n - shared), False, "pauli sector bound"))
    for letter in "XYZ":
        charge = SparsePauliOp.from_sparse_list([(letter, [q], 1.0) for q in range(n)], n)
        if all(_commute(g.operator, charge) for g in dynamics.generators):
            values = [state.expectation_value(PauliList([_single(letter, q, n)])[0])
                      for q in range(n)]
            if all(abs(abs(v) - 1) < 1e-9 for v in values):
                weight = sum(1 for v in values if v < 0)
                bounds.append(EffectiveSubspace(math.comb(n, weight), False, "u(1) sector bound"))
    return min(bounds, key=lambda b: b.dimension)


def _single(letter: str, qubit: int, n: int) -> str:
    label = ["I"] * n
    label[n - 1 - qubit] = letter
    return "".join(label)


# --------------------------------------------------------------------------------------------
# Dynamical Lie algebra
# --------------------------------------------------------------------------------------------


def _hermitian_coordinates(matrices: np.ndarray) -> np.ndarray:
    """Real orthonormal coordinates of Hermitian matrices: ``⟨a, b⟩ = Tr(A B)``.

    Every real vector maps back to an exactly Hermitian matrix, so no rounding can push the
    closure out of the Hermitian matrices.
    """
    d = matrices.shape[-1]
    upper = np.triu_indices(d, k=1)
    diagonal = np.real(np.diagonal(matrices, axis1=-2, axis2=-1))
    off = matrices[:, upper[0], upper[1]] * math.sqrt(2)
    return np.hstack([diagonal, off.real, off.imag])


def lie_closure_dimension(
    generators: Sequence[np.ndarray], max_dimension: int = 1024, tol: float = 1e-7
) -> int | None:
    """Dimension of the real Lie algebra generated by ``i·H``, ``H`` Hermitian, identity dropped.

    The algebra's elements are kept as normalised nested commutators of the generators (never
    as rotated combinations, whose rounding errors would compound through the closure), and
    linear independence is decided on an orthonormal basis of their coordinates.

    Args:
        generators: Hermitian ``d × d`` matrices.
        max_dimension: Give up (return ``None``) once the algebra exceeds this dimension.
        tol: Relative tolerance for linear independence.

    Returns:
        The dimension of the traceless part of the generated algebra (at most ``d² − 1``), or
        ``None`` when it exceeds ``max_dimension``.
    """
    if not generators:
        return 0
    d = generators[0].shape[0]
    identity = np.eye(d)
    traceless = np.stack([h - np.trace(h) / d * identity for h in generators])
    full = d * d - 1
    basis = np.zeros((0, d * d))
    elements: list[np.ndarray] = []

    def extend(batch: np.ndarray) -> None:
        nonlocal basis
        batch = (batch + np.conj(np.swapaxes(batch, -1, -2))) / 2
        vectors = _hermitian_coordinates(batch)
        norms = np.linalg.norm(vectors, axis=1)
        keep = norms > tol * max(1.0, float(np.max(norms, initial=0.0)))
        vectors, batch, norms = vectors[keep], batch[keep], norms[keep]
        vectors /= norms[:, None]
        residuals = vectors - (vectors @ basis.T) @ basis
        for index in np.nonzero(np.linalg.norm(residuals, axis=1) > tol)[0]:
            residual = vectors[index]
            for _ in range(2):
                residual = residual - (basis @ residual) @ basis
            size = float(np.linalg.norm(residual))
            if size > tol:
                basis = np.vstack([basis, residual / size])
                elements.append(batch[index] / norms[index])

    extend(traceless)
    index = 0
    while index < len(elements):
        if len(elements) >= full:
            return full
        if len(elements) > max_dimension:
            return None
        x = elements[index]
        others = np.stack(elements[:index]) if index else np.zeros((0, d, d), dtype=complex)
        if index:
            extend(1j * (x @ others - others @ x))
        index += 1
    dimension = len(elements)
    return dimension if dimension <= max_dimension else None


def dla_dimension(
    circuit: QuantumCircuit,
    initial_state: Statevector | np.ndarray | None = None,
    restricted: bool = True,
    max_exact_qubits: int = 12,
    max_dimension: int = 1024,
) -> int | None:
    """Dimension of the dynamical Lie algebra of an ansatz (identity component dropped).

    With ``restricted=True`` the generators are restricted to the effective subspace (they
    leave it invariant, so restriction is a Lie-algebra homomorphism): the over-
    parameterization threshold of DESIGN §4, at most ``d_eff² − 1``. With ``restricted=False``
    the full ``2^n``-dimensional algebra is computed (small ``n`` only). The closure costs about
    ``D² d³`` for an algebra of dimension ``D`` on a ``d``-dimensional space, so it stops at
    ``max_dimension`` and returns ``None``.

    Args:
        circuit: The ansatz.
        initial_state: Optional state the circuit is applied to (default ``|0…0⟩``).
        restricted: Restrict to the effective subspace.
        max_exact_qubits: Largest width handled (the effective subspace must be exact).
        max_dimension: Cap on the algebra's dimension.

    Returns:
        The dimension, or ``None`` when the width exceeds ``max_exact_qubits`` or the algebra
        exceeds ``max_dimension``.
    """
    dynamics = ansatz_dynamics(circuit)
    n = dynamics.num_qubits
    if n > max_exact_qubits:
        logger.info("DLA not computed: %d qubits > max_exact_qubits=%d", n, max_exact_qubits)
        return None
    actions = [_generator_action(g, n) for g in dynamics.generators]
    if restricted:
        start = initial_statevector(circuit, dynamics.prefix, initial_state)
        basis = krylov_closure(start, actions).basis
    else:
        basis = np.eye(2**n, dtype=complex)
    return _restricted_dla(basis, actions, max_dimension)


def _restricted_dla(
    basis: np.ndarray,
    actions: Sequence[Callable[[np.ndarray], np.ndarray]],
    max_dimension: int,
) -> int | None:
    projected = [basis.conj().T @ act(basis) for act in actions]
    projected = [(m + m.conj().T) / 2 for m in projected]  # exact up to rounding
    dimension = lie_closure_dimension(projected, max_dimension=max_dimension)
    if dimension is None:
        logger.info("DLA closure stopped at max_dimension=%d", max_dimension)
    return dimension


# --------------------------------------------------------------------------------------------
# EQNTK
# --------------------------------------------------------------------------------------------


def _ratio_stderr(numerator: np.ndarray, denominator: np.ndarray) -> float:
    """Delta-method standard error of ``mean(numerator) / mean(denominator)``."""
    count = numerator.size
    ratio = numerator.mean() / denominator.mean()
    covariance = np.cov(np.vstack([numerator, denominator]), ddof=1)
    variance = (
        covariance[0, 0] - 2 * ratio * covariance[0, 1] + ratio**2 * covariance[1, 1]
    ) / (count * denominator.mean() ** 2)
    return float(math.sqrt(max(float(variance), 0.0)))


def eqntk(
    circuit: QuantumCircuit,
    hamiltonian: SparsePauliOp,
    samples: int = 32,
    seed: int | None = 0,
    initial_state: Statevector | np.ndarray | None = None,
    ground_energy: float | None = None,
    max_exact_qubits: int = 16,
    max_dla_dimension: int = 256,
) -> EQNTKReport:
    """Estimate the EQNTK ``λ̄ = E_θ[K] / E_θ[ε]`` of an ansatz for a Hamiltonian.

    ``θ`` is drawn uniformly from ``[0, 2π)^p``; ``K`` and ``ε`` come from the exact engine. The
    effective dimension is exact up to ``min(max_exact_qubits, 12)`` qubits (an upper bound
    above); the restricted DLA dimension is computed when ``d_eff ≤ 32`` and the algebra has at
    most ``max_dla_dimension`` elements, else reported as ``None``.

    Args:
        circuit: The parameterized ansatz.
        hamiltonian: The Hamiltonian (same width as the circuit).
        samples: Number of parameter samples ``S`` (at least 2).
        seed: Seed for the parameter samples.
        initial_state: Optional state the circuit is applied to (default ``|0…0⟩``).
        ground_energy: ``E0``; computed by diagonalisation when omitted.
        max_exact_qubits: Largest width for diagonalisation.
        max_dla_dimension: Cap on the DLA closure.

    Returns:
        An :class:`EQNTKReport`.

    Raises:
        ValueError: For bad input, or when the residual vanishes on every sample.
    """
    from qsympass.gradients.exact import ExactEngine  # the engine is heavy; import on use

    hamiltonian = as_hamiltonian(hamiltonian)
    require_width(hamiltonian, circuit.num_qubits, "hamiltonian")
    if samples < 2:
        raise ValueError(f"samples must be at least 2, got {samples}")
    if circuit.num_parameters == 0:
        raise ValueError("circuit has no parameters; the tangent kernel is zero")
    energy0 = (
        ground_energy_of(hamiltonian, max_exact_qubits)
        if ground_energy is None
        else float(ground_energy)
    )

    engine = ExactEngine(circuit, hamiltonian, initial_state=initial_state)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 2 * math.pi, size=(samples, circuit.num_parameters))
    energies, gradients = engine.energy_and_gradient(values)
    kernels = np.sum(np.asarray(gradients) ** 2, axis=-1)
    residuals = np.maximum(np.asarray(energies) - energy0, 0.0)
    if residuals.mean() <= 1e-12 * max(1.0, abs(energy0)):
        raise ValueError("the residual ε vanishes on every sample; the EQNTK is undefined")

    subspace = effective_subspace(
        circuit, initial_state, min(max_exact_qubits, 12), need_basis=False
    )
    if subspace.exact and subspace.basis is None and subspace.dimension <= 32:
        subspace = effective_subspace(circuit, initial_state, min(max_exact_qubits, 12))
    dla: int | None = None
    if subspace.exact and subspace.dimension <= 32 and subspace.basis is not None:
        dynamics = ansatz_dynamics(circuit)
        actions = [_generator_action(g, circuit.num_qubits) for g in dynamics.generators]
        dla = _restricted_dla(subspace.basis, actions, max_dla_dimension)

    return EQNTKReport(
        value=float(kernels.mean() / residuals.mean()),
        stderr=_ratio_stderr(kernels, residuals),
        effective_dimension=subspace.dimension,
        effective_dimension_exact=subspace.exact,
        dla_dimension=dla,
        num_parameters=circuit.num_parameters,
        samples=samples,
        ground_energy=energy0,
        mean_kernel=float(kernels.mean()),
        mean_residual=float(residuals.mean()),
    )


class EQNTKAnalysis(AnalysisPass):
    """Analysis pass writing the circuit's :class:`EQNTKReport` to ``property_set["eqntk"]``."""

    def __init__(
        self,
        hamiltonian: SparsePauliOp,
        samples: int = 32,
        seed: int | None = 0,
        initial_state: Statevector | np.ndarray | None = None,
        ground_energy: float | None = None,
        max_exact_qubits: int = 16,
    ) -> None:
        """Create the pass.

        Args:
            hamiltonian: The Hamiltonian on the circuit's (virtual) qubits.
            samples: Number of parameter samples.
            seed: Seed for the parameter samples.
            initial_state: Optional state the circuit is applied to.
            ground_energy: ``E0``; computed when omitted.
            max_exact_qubits: Largest width for diagonalisation.
        """
        super().__init__()
        self.hamiltonian = as_hamiltonian(hamiltonian)
        self.samples = samples
        self.seed = seed
        self.initial_state = initial_state
        self.ground_energy = ground_energy
        self.max_exact_qubits = max_exact_qubits

    def run(self, dag: DAGCircuit) -> DAGCircuit:
        """Compute the EQNTK of ``dag`` and store it in the property set.

        Args:
            dag: The circuit.

        Returns:
            ``dag`` unchanged.

        Raises:
            TranspilerError: If the EQNTK cannot be computed for this circuit.
        """
        try:
            report = eqntk(
                dag_to_circuit(dag),
                self.hamiltonian,
                samples=self.samples,
                seed=self.seed,
                initial_state=self.initial_state,
                ground_energy=self.ground_energy,
                max_exact_qubits=self.max_exact_qubits,
            )
        except ValueError as exc:
            raise TranspilerError(f"EQNTKAnalysis: {exc}") from exc
        self.property_set["eqntk"] = report
        return dag
