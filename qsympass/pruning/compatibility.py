"""Which part of each symmetry family the fixed gates and the initial state allow (DESIGN §3.5).

A kept symmetry element ``V`` must leave every fixed gate outside the prefix invariant (up to a
phase) and have the initial state ψ0 (the prefix applied to ``|0…0⟩``) as an eigenstate. Each
family keeps the largest part that passes, and every dropped part comes with the gate or state
that broke it:

* spatial: qubits are coloured by their initial one-qubit state (product prefixes) and by the
  fixed one-qubit gates on them, fixed multi-qubit gates become coloured edges (directed when the
  gate is not symmetric), and nauty returns the subgroup of the Hamiltonian's permutation group
  that preserves all of it (a Néel state keeps translations by two sites and reflections);
* Pauli: every element of the group (up to 2^10) is tested and the passing ones — a subgroup —
  are kept;
* U(1) / SU(2): each Lie generator is kept when the state is its eigenstate and every fixed gate
  commutes with it (SU(2) broken by a Néel state keeps the U(1) of ``S_z``);
* time reversal: the state and every fixed gate must be real up to a phase.

All tests are local (a gate's matrix on its own qubits) or on product / stabilizer states, so
they run at any width; a dense statevector is used only for entangled non-Clifford prefixes up to
``max_exact_qubits``.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field

import numpy as np
from qiskit.circuit import Gate, QuantumCircuit
from qiskit.quantum_info import (
    Clifford,
    Operator,
    Pauli,
    SparsePauliOp,
    StabilizerState,
    Statevector,
)

from qsympass.pruning.blocks import BlockStructure
from qsympass.pruning.constraints import (
    CoordinateSpace,
    clifford_operator,
    lie_operator,
    offset_violation,
    pauli_operator,
    time_reversal_operator,
)
from qsympass.pruning.gates import GateItem
from qsympass.symmetry.group import SymmetryGroup
from qsympass.symmetry.spatial import spatial_symmetries

_ATOL = 1e-9
_MAX_ENUMERATED_PAULI_GENERATORS = 10
_SWAP = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]], dtype=complex)


@dataclass
class FamilyCompatibility:
    """The part of one family that the fixed gates and the initial state allow.

    Attributes:
        name: Family name (``spatial``, ``pauli``, ``u1``, ``su2``, ``time_reversal``, ...).
        found: The family's group as found (or given).
        kept: The largest allowed part, or ``None`` when nothing but the identity survives.
        reasons: Why parts were dropped, one line per dropped generator.
    """

    name: str
    found: SymmetryGroup
    kept: SymmetryGroup | None
    reasons: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether the whole family was kept."""
        return self.kept is self.found


class InitialState:
    """ψ0 = the fixed prefix applied to ``|0…0⟩``, with cheap eigenstate tests.

    Args:
        items: The ansatz's gates.
        structure: Their block structure (which items form the prefix).
        num_qubits: Circuit width.
        max_exact_qubits: Largest width for a dense statevector.
    """

    def __init__(
        self,
        items: list[GateItem],
        structure: BlockStructure,
        num_qubits: int,
        max_exact_qubits: int,
    ) -> None:
        self.num_qubits = num_qubits
        self.max_exact_qubits = max_exact_qubits
        self.prefix = [item for item, p in zip(items, structure.in_prefix, strict=True) if p]
        self.product = self._product_state()
        self._stabilizer: StabilizerState | bool | None = False  # False: not tried yet
        self._dense: Statevector | bool | None = False

    @property
    def is_product(self) -> bool:
        """Whether the prefix has one-qubit gates only."""
        return self.product is not None

    def _product_state(self) -> list[np.ndarray] | None:
        if any(len(item.qubits) != 1 for item in self.prefix):
            return None
        states = [np.array([1.0, 0.0], dtype=complex) for _ in range(self.num_qubits)]
        for item in self.prefix:
            qubit = item.qubits[0]
            states[qubit] = gate_matrix(item.operation) @ states[qubit]
        return states

    def qubit_colour(self, qubit: int) -> Hashable:
        """A hashable colour of a qubit's one-qubit state (product states only).

        Args:
            qubit: The qubit.

        Returns:
            The state up to global phase, rounded, or ``None`` for an entangled prefix.
        """
        if self.product is None:
            return None
        state = self.product[qubit]
        pivot = state[np.argmax(np.abs(state) > 1e-9)]
        state = state * (abs(pivot) / pivot)
        rounded = np.round(state, 9) + 0.0
        return tuple((float(v.real), float(v.imag)) for v in rounded)

    def _stabilizer_state(self) -> StabilizerState | None:
        if self._stabilizer is False:
            try:
                self._stabilizer = StabilizerState(self.circuit())
            except Exception:  # the prefix is not Clifford
                self._stabilizer = None
        return self._stabilizer

    def _dense_state(self) -> Statevector | None:
        if self._dense is False:
            self._dense = (
                Statevector(self.circuit()) if self.num_qubits <= self.max_exact_qubits else None
            )
        return self._dense

    def circuit(self) -> QuantumCircuit:
        """The prefix as a circuit.

        Returns:
            A circuit on all qubits with the prefix's gates in order.
        """
        circuit = QuantumCircuit(self.num_qubits)
        for item in self.prefix:
            circuit.append(item.operation, list(item.qubits))
        return circuit

    def pauli_eigen(self, z: np.ndarray, x: np.ndarray) -> bool | None:
        """Whether ψ0 is an eigenstate of a Pauli string.

        Args:
            z: Z bits.
            x: X bits.

        Returns:
            True / False, or ``None`` when it cannot be decided cheaply.
        """
        if self.product is not None:
            for qubit in np.flatnonzero(z | x):
                matrix = _PAULIS[int(x[qubit]) + 2 * int(z[qubit])]
                state = self.product[qubit]
                if abs(abs(np.vdot(state, matrix @ state)) - 1.0) > 1e-8:
                    return False
            return True
        pauli = Pauli((z, x))
        stabilizer = self._stabilizer_state()
        if stabilizer is not None:
            return bool(abs(abs(stabilizer.expectation_value(pauli)) - 1.0) < 1e-8)
        dense = self._dense_state()
        if dense is not None:
            return bool(abs(abs(dense.expectation_value(pauli)) - 1.0) < 1e-8)
        return None

    def charge_eigen(self, charge: SparsePauliOp) -> bool | None:
        """Whether ψ0 is an eigenstate of a Hermitian charge (zero variance).

        Args:
            charge: The charge ``Q``.

        Returns:
            True / False, or ``None`` when it cannot be decided cheaply.
        """
        weights = np.count_nonzero(charge.paulis.z | charge.paulis.x, axis=1)
        if self.product is not None and np.all(weights <= 1):
            variance = 0.0
            for qubit in range(self.num_qubits):
                on_qubit = (charge.paulis.z[:, qubit] | charge.paulis.x[:, qubit])
                local = np.zeros((2, 2), dtype=complex)
                for index in np.flatnonzero(on_qubit):
                    x_bit = int(charge.paulis.x[index, qubit])
                    code = x_bit + 2 * int(charge.paulis.z[index, qubit])
                    local += np.real(charge.coeffs[index]) * _PAULIS[code]
                state = self.product[qubit]
                mean = np.vdot(state, local @ state).real
                variance += np.vdot(local @ state, local @ state).real - mean**2
            return bool(variance < 1e-8)
        dense = self._dense_state()
        if dense is not None:
            mean = dense.expectation_value(charge).real
            square = dense.expectation_value((charge @ charge).simplify()).real
            return bool(square - mean**2 < 1e-8)
        return None

    def is_real(self) -> bool | None:
        """Whether ψ0 is real up to a global phase.

        Returns:
            True / False, or ``None`` when it cannot be decided cheaply.
        """
        if all(_real_up_to_phase(gate_matrix(item.operation)) for item in self.prefix):
            return True
        if self.product is not None:
            return all(_real_up_to_phase(state[:, None]) for state in self.product)
        dense = self._dense_state()
        if dense is not None:
            return _real_up_to_phase(dense.data[:, None])
        return None

    def clifford_eigen(self, clifford: Clifford) -> bool | None:
        """Whether ψ0 is an eigenstate of a Clifford symmetry element.

        Args:
            clifford: The element.

        Returns:
            True / False, or ``None`` when it cannot be decided cheaply.
        """
        stabilizer = self._stabilizer_state()
        if stabilizer is not None:
            return bool(stabilizer.equiv(stabilizer.evolve(clifford)))
        dense = self._dense_state()
        if dense is not None:
            image = dense.evolve(clifford)
            return bool(abs(abs(np.vdot(dense.data, image.data)) - 1.0) < 1e-8)
        return None


_PAULIS = (
    np.eye(2, dtype=complex),
    np.array([[0, 1], [1, 0]], dtype=complex),
    np.array([[1, 0], [0, -1]], dtype=complex),
    np.array([[0, -1j], [1j, 0]], dtype=complex),
)


def gate_matrix(operation: Gate) -> np.ndarray:
    """The unitary of a fixed gate (standard gates are cached by name and parameters).

    Args:
        operation: The gate.

    Returns:
        Its matrix (little-endian on its own qubits).
    """
    if getattr(operation, "_standard_gate", None) is None:
        return Operator(operation).data
    key = (operation.name, tuple(float(p) for p in operation.params))
    matrix = _MATRIX_CACHE.get(key)
    if matrix is None:
        matrix = Operator(operation).data
        if len(_MATRIX_CACHE) < _MATRIX_CACHE_SIZE:
            _MATRIX_CACHE[key] = matrix
    return matrix


_MATRIX_CACHE: dict[tuple, np.ndarray] = {}
_MATRIX_CACHE_SIZE = 4096


def _proportional(left: np.ndarray, right: np.ndarray) -> bool:
    """Whether ``left = λ right`` with ``|λ| = 1``."""
    overlap = np.vdot(right, left) / np.vdot(right, right)
    return bool(abs(abs(overlap) - 1.0) < 1e-8 and np.allclose(left, overlap * right, atol=1e-8))


def _real_up_to_phase(matrix: np.ndarray) -> bool:
    return _proportional(matrix.conj(), matrix) if np.any(matrix) else True


def _local_pauli(item: GateItem, z: np.ndarray, x: np.ndarray) -> np.ndarray:
    matrix = np.eye(1, dtype=complex)
    for qubit in item.qubits:  # local qubit i is item.qubits[i]; little-endian: kron reversed
        matrix = np.kron(_PAULIS[int(x[qubit]) + 2 * int(z[qubit])], matrix)
    return matrix


def _local_charge(item: GateItem, charge: SparsePauliOp) -> np.ndarray | None:
    """``Q`` restricted to the gate's qubits, or ``None`` if a term straddles them."""
    qubits = list(item.qubits)
    support = charge.paulis.z | charge.paulis.x
    inside = support[:, qubits].any(axis=1)
    outside = np.delete(support, qubits, axis=1).any(axis=1)
    if np.any(inside & outside):
        return None
    dim = 2 ** len(qubits)
    local = np.zeros((dim, dim), dtype=complex)
    for index in np.flatnonzero(inside):
        term = np.eye(1, dtype=complex)
        for qubit in qubits:
            code = int(charge.paulis.x[index, qubit]) + 2 * int(charge.paulis.z[index, qubit])
            term = np.kron(_PAULIS[code], term)
        local += np.real(charge.coeffs[index]) * term
    return local


def describe_gate(item: GateItem) -> str:
    """A short description of a gate for reports.

    Args:
        item: The gate.

    Returns:
        E.g. ``"fixed gate 'cx' on qubits (0, 1) (instruction 12)"``.
    """
    return f"fixed gate '{item.name}' on qubits {item.qubits} (instruction {item.position})"


def pauli_label(z: np.ndarray, x: np.ndarray) -> str:
    """A sparse label like ``X0 X1 X2`` (shortened above eight letters).

    Args:
        z: Z bits.
        x: X bits.

    Returns:
        The label.
    """
    letters = "IXZY"
    support = np.flatnonzero(z | x)
    parts = [f"{letters[int(x[q]) + 2 * int(z[q])]}{q}" for q in support]
    if len(parts) > 8:
        return " ".join(parts[:4]) + f" … (weight {len(parts)})"
    return " ".join(parts) if parts else "I"


@dataclass
class CompatibilityContext:
    """What the compatibility checks look at.

    Attributes:
        hamiltonian: The Hamiltonian.
        items: The ansatz's gates.
        structure: Their block structure.
        space: The Pauli coordinates (for constant angle offsets).
        state: The initial state.
    """

    hamiltonian: SparsePauliOp
    items: list[GateItem]
    structure: BlockStructure
    space: CoordinateSpace
    state: InitialState

    @property
    def body_fixed(self) -> list[GateItem]:
        """Fixed gates outside the prefix."""
        return [
            item
            for item, prefix in zip(self.items, self.structure.in_prefix, strict=True)
            if not item.parameterized and not prefix
        ]


def family_compatibility(
    name: str, group: SymmetryGroup, context: CompatibilityContext
) -> FamilyCompatibility:
    """The largest part of one family allowed by the fixed gates and the initial state.

    Args:
        name: The family's name.
        group: The family's group (not a product).
        context: The ansatz's gates, structure and initial state.

    Returns:
        The :class:`FamilyCompatibility`.
    """
    kind = group.kind
    if kind == "permutation":
        return _spatial(name, group, context)
    if kind == "pauli":
        return _pauli(name, group, context)
    if kind in ("u1", "su2"):
        return _lie(name, group, context)
    if kind == "time_reversal":
        return _time_reversal(name, group, context)
    return _clifford(name, group, context)


# --------------------------------------------------------------------------------------------
# spatial
# --------------------------------------------------------------------------------------------


def _gate_key(item: GateItem, level: int) -> tuple:
    """What a permutation must map a gate onto: the same action at the same level.

    Rotations with an angle offset are keyed by their generator (on the gate's own qubit
    order) and offset; standard fixed gates by name and angles; any other fixed gate by its
    matrix up to global phase (an instruction without one matches only itself).
    """
    if item.parameterized:
        return ("rotation", _local_generator(item), round(item.offset, 9), level)
    operation = item.operation
    if getattr(operation, "_standard_gate", None) is not None:
        return (item.name, tuple(round(float(p), 9) for p in operation.params), level)
    matrix = _fixed_matrix(item)
    if matrix is None:
        return ("opaque", item.position, level)
    return ("matrix", matrix.shape[0], _phase_free_bytes(matrix), level)


def _fixed_matrix(item: GateItem) -> np.ndarray | None:
    try:
        return gate_matrix(item.operation)
    except Exception:  # not a unitary gate (e.g. a state preparation)
        return None


def _phase_free_bytes(matrix: np.ndarray) -> bytes:
    """The matrix rounded to 1e-9 after removing its global phase (a hashable identity)."""
    pivot = matrix.flat[int(np.argmax(np.abs(matrix) > 1e-6))]
    normalized = matrix * (abs(pivot) / pivot)
    return np.round(normalized, 9).tobytes()


def _local_generator(item: GateItem) -> tuple[tuple[tuple[tuple[int, int], ...], float], ...]:
    """A rotation's generator terms on the gate's own qubit order (0, 1, …), rounded."""
    local = {qubit: k for k, qubit in enumerate(item.qubits)}
    return tuple(
        (tuple(sorted((local[q], code) for q, code in key)), round(coeff, 9))
        for key, coeff in item.terms
    )


def _swap_symmetric(item: GateItem) -> bool:
    """Whether a two-qubit gate is unchanged when its qubits are exchanged."""
    if item.parameterized:
        terms = _local_generator(item)
        flipped = {(tuple(sorted((1 - k, code) for k, code in key)), c) for key, c in terms}
        return flipped == set(terms)
    matrix = _fixed_matrix(item)
    return matrix is not None and bool(np.allclose(_SWAP @ matrix @ _SWAP, matrix, atol=1e-9))


def _structure(context: CompatibilityContext) -> tuple[list[tuple], list[tuple[int, int, tuple]]]:
    """Per-qubit colours and coloured directed edges that a kept permutation must preserve."""
    state = context.state
    n = context.state.num_qubits
    colours: list[list] = [[("state", state.qubit_colour(q))] for q in range(n)]
    edges: list[tuple[int, int, tuple]] = []
    for item, level in _coloured_gates(context):
        key = _gate_key(item, level)
        if len(item.qubits) == 1:
            colours[item.qubits[0]].append(key)
            continue
        symmetric = len(item.qubits) == 2 and _swap_symmetric(item)
        for (i, a), (j, b) in itertools.permutations(enumerate(item.qubits), 2):
            edges.append((a, b, (*key, 0, 0) if symmetric else (*key, i, j)))
    return [tuple(c) for c in colours], edges


def _coloured_gates(context: CompatibilityContext) -> Iterator[tuple[GateItem, int]]:
    """The gates a permutation must map onto like gates, with their levels.

    Free rotations are left to the constraints, and a product initial state's prefix gates to
    the qubits' state colours.
    """
    product = context.state.is_product
    for item, level, prefix in zip(
        context.items, context.structure.levels, context.structure.in_prefix, strict=True
    ):
        if item.parameterized and item.offset == 0.0:
            continue
        if prefix and product:
            continue
        yield item, int(level)


def _permutation_violation(
    perm: tuple[int, ...],
    colours: list[tuple],
    edge_set: set[tuple[int, int, tuple]],
    context: CompatibilityContext,
) -> str | None:
    for qubit, image in enumerate(perm):
        if colours[qubit] != colours[image]:
            if colours[qubit][0] != colours[image][0]:
                return (
                    f"permutation {_short(perm)} maps qubit {qubit} onto qubit {image}, "
                    "which starts in a different state"
                )
            image_colours = set(colours[image])
            for item, level in _coloured_gates(context):
                if item.qubits == (qubit,) and _gate_key(item, level) not in image_colours:
                    return (
                        f"{describe_gate(item)} has no image under permutation {_short(perm)}"
                    )
            return f"permutation {_short(perm)} does not preserve the gates on qubit {qubit}"
    for a, b, colour in edge_set:
        if (perm[a], perm[b], colour) not in edge_set:
            for item, level in _coloured_gates(context):
                if a in item.qubits and b in item.qubits and colour[:-2] == _gate_key(item, level):
                    return (
                        f"{describe_gate(item)} has no image under permutation {_short(perm)}"
                    )
            return f"permutation {_short(perm)} does not preserve the fixed gates"
    return None


def _short(perm: tuple[int, ...]) -> str:
    text = str(tuple(perm))
    return text if len(text) <= 60 else text[:57] + "...)"


def _spatial(name: str, group: SymmetryGroup, context: CompatibilityContext) -> FamilyCompatibility:
    generators = group.permutation_generators or ()
    colours, edges = _structure(context)
    edge_set = set(edges)
    violations = [
        _permutation_violation(tuple(perm), colours, edge_set, context) for perm in generators
    ]
    if not any(violations):
        return FamilyCompatibility(name, group, group)
    reasons = [v for v in violations if v]
    full = spatial_symmetries(context.hamiltonian)
    allowed = spatial_symmetries(context.hamiltonian, colours, edges)
    perms = list(allowed.permutations)
    order = allowed.order
    if group.order != full.order:  # a hand-given subgroup: intersect with it
        perms, order = _intersect(group, allowed.permutations, context.state.num_qubits)
    perms = [p for p in perms if list(p) != list(range(len(p)))]
    if order <= 1 or not perms:
        return FamilyCompatibility(name, group, None, reasons)
    kept = SymmetryGroup.permutations(
        perms, context.state.num_qubits, order=order,
        name=f"subgroup of order {order} of {group.name}",
    )
    reasons.append(f"kept the subgroup of order {order} that the gates and the state allow")
    return FamilyCompatibility(name, group, kept, reasons)


def _intersect(
    group: SymmetryGroup, allowed: tuple[tuple[int, ...], ...], num_qubits: int
) -> tuple[list[tuple[int, ...]], int]:
    from sympy.combinatorics import Permutation, PermutationGroup

    def perm_group(perms: tuple[tuple[int, ...], ...]) -> PermutationGroup:
        return PermutationGroup(
            [Permutation(list(p)) for p in perms] or [Permutation(list(range(num_qubits)))]
        )

    mine = perm_group(group.permutation_generators or ())
    other = perm_group(allowed)
    common = mine.subgroup_search(other.contains)
    return [tuple(int(i) for i in g.array_form) for g in common.generators], int(common.order())


# --------------------------------------------------------------------------------------------
# Pauli
# --------------------------------------------------------------------------------------------


def _pauli_failure(z: np.ndarray, x: np.ndarray, context: CompatibilityContext) -> str | None:
    label = pauli_label(z, x)
    eigen = context.state.pauli_eigen(z, x)
    if eigen is None:
        return f"cannot verify that the initial state is an eigenstate of {label}"
    if not eigen:
        return f"the initial state is not an eigenstate of {label}"
    for item in context.body_fixed:
        if not (z[list(item.qubits)].any() or x[list(item.qubits)].any()):
            continue
        matrix = gate_matrix(item.operation)
        local = _local_pauli(item, z, x)
        if not _proportional(local @ matrix @ local.conj().T, matrix):
            return f"{describe_gate(item)} is not invariant under {label}"
    if offset_violation(context.space, pauli_operator(context.space, z, x)) > _ATOL:
        return f"constant angle offsets are not invariant under {label}"
    return None


def _pauli(name: str, group: SymmetryGroup, context: CompatibilityContext) -> FamilyCompatibility:
    generators = group.pauli_generators
    assert generators is not None
    failures = [_pauli_failure(p.z, p.x, context) for p in generators]
    if not any(failures):
        return FamilyCompatibility(name, group, group)
    reasons = [f for f in failures if f]
    k = len(generators)
    if k > _MAX_ENUMERATED_PAULI_GENERATORS:
        passing = [p for p, f in zip(generators, failures, strict=True) if f is None]
    else:
        members = []
        for bits in itertools.product((0, 1), repeat=k):
            if not any(bits):
                continue
            z = np.zeros(context.state.num_qubits, dtype=bool)
            x = np.zeros_like(z)
            for bit, pauli in zip(bits, generators, strict=True):
                if bit:
                    z ^= pauli.z
                    x ^= pauli.x
            if _pauli_failure(z, x, context) is None:
                members.append(np.concatenate([z, x]))
        passing = [Pauli((v[: len(v) // 2], v[len(v) // 2:])) for v in _gf2_basis(members)]
    if not passing:
        return FamilyCompatibility(name, group, None, reasons)
    kept = SymmetryGroup.paulis(passing, context.state.num_qubits)
    reasons.append(f"kept the subgroup of order {kept.order} generated by "
                   + ", ".join(pauli_label(p.z, p.x) for p in passing))
    return FamilyCompatibility(name, group, kept, reasons)


def _gf2_basis(vectors: list[np.ndarray]) -> list[np.ndarray]:
    basis: list[np.ndarray] = []
    pivots: list[int] = []
    for vector in vectors:
        v = vector.copy()
        for pivot, b in zip(pivots, basis, strict=True):
            if v[pivot]:
                v ^= b
        if v.any():
            pivots.append(int(np.argmax(v)))
            basis.append(v)
    return basis


# --------------------------------------------------------------------------------------------
# U(1), SU(2), time reversal, general Cliffords
# --------------------------------------------------------------------------------------------


def _charge_label(charge: SparsePauliOp, index: int, kind: str) -> str:
    if kind == "su2":
        return ("S_x", "S_y", "S_z")[index] if index < 3 else f"generator {index}"
    del charge
    return "the U(1) charge"


def _lie_failure(charge: SparsePauliOp, label: str, context: CompatibilityContext) -> str | None:
    eigen = context.state.charge_eigen(charge)
    if eigen is None:
        return f"cannot verify that the initial state is an eigenstate of {label}"
    if not eigen:
        return f"the initial state is not an eigenstate of {label}"
    for item in context.body_fixed:
        local = _local_charge(item, charge)
        if local is None:
            return f"cannot check {describe_gate(item)} against {label}"
        matrix = gate_matrix(item.operation)
        if not np.allclose(local @ matrix, matrix @ local, atol=1e-8):
            return f"{describe_gate(item)} does not commute with {label}"
    if offset_violation(context.space, lie_operator(context.space, charge)) > _ATOL:
        return f"constant angle offsets do not commute with {label}"
    return None


def _casimir_eigen(group: SymmetryGroup, context: CompatibilityContext) -> bool:
    """Whether ψ0 lies in one total-spin sector (an eigenstate of the SU(2) Casimir)."""
    state = context.state
    if state.product is not None:
        first = state.product[0]
        return all(abs(abs(np.vdot(first, s)) - 1.0) < 1e-8 for s in state.product)
    dense = state._dense_state()
    if dense is None:
        return False
    casimir = SparsePauliOp.sum([q @ q for q in group.lie_generators]).simplify()
    mean = dense.expectation_value(casimir).real
    square = dense.expectation_value((casimir @ casimir).simplify()).real
    return bool(square - mean**2 < 1e-8)


def _lie(name: str, group: SymmetryGroup, context: CompatibilityContext) -> FamilyCompatibility:
    charges = group.lie_generators
    # SU(2) is non-abelian: ψ0 must lie in one total-spin sector, not be an eigenstate of each
    # generator (a fully polarised product state or a product of singlets passes)
    if group.kind == "su2" and _casimir_eigen(group, context):
        fixed_ok = all(
            (local := _local_charge(item, q)) is not None
            and np.allclose(local @ gate_matrix(item.operation),
                            gate_matrix(item.operation) @ local, atol=1e-8)
            for item in context.body_fixed for q in charges
        )
        offsets_ok = all(
            offset_violation(context.space, lie_operator(context.space, q)) <= _ATOL
            for q in charges
        )
        if fixed_ok and offsets_ok:
            return FamilyCompatibility(name, group, group)
    failures = [
        _lie_failure(q, _charge_label(q, i, group.kind), context) for i, q in enumerate(charges)
    ]
    if not any(failures):
        return FamilyCompatibility(name, group, group)
    reasons = [f for f in failures if f]
    passing = [q for q, f in zip(charges, failures, strict=True) if f is None]
    if not passing:
        return FamilyCompatibility(name, group, None, reasons)
    index = failures.index(None)
    label = _charge_label(passing[0], index, group.kind)
    kept = SymmetryGroup.u1(passing[0], name=f"U(1) generated by {label}")
    reasons.append(f"kept the U(1) subgroup generated by {label}")
    return FamilyCompatibility(name, group, kept, reasons)


def _time_reversal(
    name: str, group: SymmetryGroup, context: CompatibilityContext
) -> FamilyCompatibility:
    real = context.state.is_real()
    reason: str | None = None
    if real is None:
        reason = "cannot verify that the initial state is real"
    elif not real:
        reason = "the initial state is not real up to a global phase"
    else:
        for item in context.body_fixed:
            if not _real_up_to_phase(gate_matrix(item.operation)):
                reason = f"{describe_gate(item)} is not real up to a global phase"
                break
        else:
            if offset_violation(context.space, time_reversal_operator(context.space)) > _ATOL:
                reason = "constant angle offsets of even-Y rotations break time reversal"
    if reason is None:
        return FamilyCompatibility(name, group, group)
    return FamilyCompatibility(name, group, None, [reason])


def _clifford(
    name: str, group: SymmetryGroup, context: CompatibilityContext
) -> FamilyCompatibility:
    reasons: list[str] = []
    passing: list[Clifford] = []
    for index, clifford in enumerate(group.clifford_generators):
        label = f"Clifford generator {index}"
        if context.body_fixed:
            first = describe_gate(context.body_fixed[0])
            reasons.append(f"{label}: fixed gates are only checked against permutations, Pauli "
                           f"strings, charges and time reversal ({first})")
            continue
        eigen = context.state.clifford_eigen(clifford)
        if not eigen:
            reasons.append(f"{label}: the initial state is not (or cannot be verified to be) an "
                           "eigenstate")
            continue
        if offset_violation(context.space, clifford_operator(context.space, clifford)) > _ATOL:
            reasons.append(f"{label}: constant angle offsets are not invariant")
            continue
        passing.append(clifford)
    if not reasons:
        return FamilyCompatibility(name, group, group)
    if not passing:
        return FamilyCompatibility(name, group, None, reasons)
    return FamilyCompatibility(name, group, SymmetryGroup.cliffords(passing), reasons)
