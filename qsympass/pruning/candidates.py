"""Candidate prunings and their scoring (DESIGN §3.6).

One candidate per subset of the compatible families (imposed together, ``θ = B φ`` from the
stacked constraints). Gates that break a symmetry still shape the blocks of the whole circuit: a
chain of non-commuting gates staggers the levels around it, and a spatial symmetry imposed on
staggered blocks can forbid every gate. A candidate that comes out empty is therefore solved
again with the gates of its non-empty sub-candidates removed first and the survivors cut into
blocks anew (:func:`solve_candidate`); circuits with constant angle offsets skip this, since the
offsets' compatibility was checked on the whole circuit's blocks.

A candidate is discarded when it leaves no parameter, or when its reachable space misses the
ground state: checked exactly up to ``max_exact_qubits`` (the ground space from ``eigsh``); above
that, a cheap necessary test replaces it — the kept entangling gates must join every group of
qubits that one Hamiltonian term couples (a candidate keeping only one-qubit rotations cannot
prepare an entangled ground state).

The exact check. The reachable space is the Krylov closure ``K`` of ψ0 under the block
generators ``A``. When ψ0 is a stabilizer state and every ``A`` is a sum of Pauli strings, ``K``
lies in the stabilizer sector ``E``: the joint +1 eigenspace of the (signed) stabilizers of ψ0
that commute with every string of every ``A`` (each ``A`` commutes with them). ``E`` equals the
span of ``g ψ0`` over the group ``G`` the strings generate (both have dimension
``|G / (G ∩ S)|``), so ``K = E`` exactly when every ``A`` is a single string (up to identity
terms); a tied sum of strings can generate less. Hence (see :func:`reachable_ground_weight`):
single strings — the ground weight in ``E`` (GF(2) algebra and a few sparse Pauli projectors)
is the answer; sums — a weight in ``E`` below tolerance discards the candidate (exact, since
``K ⊆ E``), otherwise the Krylov closure decides, stopping early at ``dim E`` or as soon as a
ground state is inside.

Selection: with scoring, the highest EQNTK wins; candidates within one standard error of the
best count as tied and the one with fewer parameters (then more families) wins. Without scoring
(``score=False`` or above ``max_exact_qubits``) the candidate imposing the most families wins,
ties going to fewer parameters.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from qiskit.circuit import QuantumCircuit
from qiskit.quantum_info import Pauli, PauliList, SparsePauliOp, StabilizerState
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import eigsh

from qsympass.krylov import krylov_closure
from qsympass.pruning.constraints import ConstraintSystem, CoordinateSpace
from qsympass.pruning.gates import GateItem
from qsympass.pruning.nullspace import integral_null_space
from qsympass.pruning.report import CandidateScore
from qsympass.pruning.rewrite import Rewrite, gate_coefficients, removed_items, rewrite_circuit
from qsympass.symmetry.gf2 import nullspace

#: A candidate must keep at least this weight of the ground space.
GROUND_WEIGHT_TOLERANCE = 1e-6

#: The Krylov closure stops once a ground state has this weight inside it.
GROUND_WEIGHT_REACHED = 1.0 - 1e-10



@dataclass
class Candidate:
    """One candidate pruning.

    Attributes:
        families: Families imposed.
        basis: ``B``.
        status: See :class:`~qsympass.pruning.report.CandidateScore`.
        rewrite: The pruned circuit, once built.
        eqntk: EQNTK value and standard error, once scored.
        effective_dimension: ``d_eff`` when computed.
        ground_state_weight: Ground-space weight in the reachable space when checked.
        removed: Items (indices) of the gates the candidate removes.
        space: The Pauli coordinates of the blocks its constraints were imposed on.
    """

    families: tuple[str, ...]
    basis: sp.csc_matrix
    status: str = "valid"
    rewrite: Rewrite | None = None
    eqntk: tuple[float, float] | None = None
    effective_dimension: int | None = None
    ground_state_weight: float | None = None
    removed: list[int] = field(default_factory=list)
    space: CoordinateSpace | None = None

    @property
    def num_parameters(self) -> int:
        """Parameters left."""
        return int(self.basis.shape[1])

    def summary(self) -> CandidateScore:
        """The candidate as a :class:`CandidateScore`.

        Returns:
            The report row.
        """
        value, stderr = self.eqntk if self.eqntk is not None else (None, None)
        return CandidateScore(
            self.families, self.num_parameters, self.status, value, stderr,
            self.effective_dimension, self.ground_state_weight,
        )


def enumerate_candidates(
    system: ConstraintSystem, force: Sequence[str] = ()
) -> list[Candidate]:
    """Every subset of the families (containing ``force``), largest first, with its ``B``.

    A candidate is solved on the blocks of the whole circuit. When that leaves nothing, the
    gates that its non-empty subsets (one family fewer) remove may be what stagger the blocks:
    it is solved again with those removed first (:func:`solve_candidate`).

    Args:
        system: The families' constraints on the blocks of surviving gates.
        force: Families every candidate must impose.

    Returns:
        The candidates; empty ones have status ``"empty"``.
    """
    names = list(system.groups)
    coefficients = gate_coefficients(system.items, system.num_parameters)
    parameterized = sum(1 for item in system.items if item.parameterized)
    # constant angle offsets had their compatibility checked on the whole circuit's blocks
    refine = not any(item.offset for item in system.items)

    def empty(candidate: Candidate) -> bool:
        return candidate.num_parameters == 0 or len(candidate.removed) == parameterized

    def family_set(subset: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(n for n in names if n in force or n in subset)

    optional = [n for n in names if n not in force]
    solved: dict[tuple[str, ...], Candidate] = {}
    for size in range(len(optional) + 1):  # smallest first: subsets seed their supersets
        for subset in itertools.combinations(optional, size):
            chosen = family_set(subset)
            candidate = solve_candidate(chosen, frozenset(), system, coefficients)
            if empty(candidate) and refine and size:
                smaller = [solved[family_set(f)] for f in itertools.combinations(subset, size - 1)]
                seed = frozenset().union(*(c.removed for c in smaller if not empty(c)))
                if seed and len(seed) < parameterized:
                    refined = solve_candidate(chosen, seed, system, coefficients)
                    candidate = candidate if empty(refined) else refined
            if empty(candidate):
                candidate.status = "empty"
            solved[chosen] = candidate
    return sorted(solved.values(), key=lambda c: -len(c.families))


def solve_candidate(
    families: tuple[str, ...],
    seed: frozenset[int],
    system: ConstraintSystem,
    coefficients: sp.csr_matrix,
) -> Candidate:
    """``B`` for imposing ``families`` with the ``seed`` gates removed first.

    Without a seed: the constraints on the blocks of the whole circuit. With one: rounds that
    remove the gates removed so far (their angles constrained to zero), cut the survivors into
    blocks again and impose the families there, until a round removes no new gate. The removed
    set only grows, and each round's circuit equals the original at ``θ = B φ``.

    Args:
        families: The families imposed.
        seed: Items removed from the start.
        system: The families' constraints on the blocks of surviving gates.
        coefficients: :func:`~qsympass.pruning.rewrite.gate_coefficients` of the items.

    Returns:
        The candidate (status ``"valid"``).
    """
    removed = seed
    while True:
        space, constraints = system.survivors(removed)
        rows = [constraints[name] for name in families]
        if removed:
            rows.append(coefficients[sorted(removed)])
        matrix = (
            sp.vstack(rows, format="csr") if rows
            else sp.csr_matrix((0, system.num_parameters))
        )
        basis, angles = _used_columns(
            integral_null_space(matrix, system.num_parameters), coefficients
        )
        now = frozenset(removed_items(system.items, basis, angles=angles))
        if not removed or now == removed:
            return Candidate(families, basis, removed=sorted(now), space=space)
        removed = now


def _used_columns(
    basis: sp.csc_matrix, coefficients: sp.csr_matrix
) -> tuple[sp.csc_matrix, sp.csc_matrix]:
    """``B`` without the columns that move no gate angle (e.g. where ``θ_a − θ_b`` cancels),
    and the gates' angles ``coefficients @ B`` under it."""
    angles = sp.csc_matrix(coefficients @ basis)
    moved = np.asarray(abs(angles).sum(axis=0)).ravel() > 1e-12
    if moved.all():
        return basis, angles
    kept = np.flatnonzero(moved)
    return sp.csc_matrix(basis[:, kept]), angles[:, kept]


def ground_space(hamiltonian: SparsePauliOp) -> np.ndarray:
    """Orthonormal basis of the ground space of a small Hamiltonian.

    Args:
        hamiltonian: The Hamiltonian.

    Returns:
        Columns spanning the eigenspace of the lowest eigenvalue.
    """
    n = hamiltonian.num_qubits
    matrix = hamiltonian.to_matrix(sparse=True)
    if not np.any(matrix.data.imag):
        matrix = matrix.real
    if 2**n <= 512:
        values, vectors = np.linalg.eigh(matrix.toarray())
    else:
        start = np.random.default_rng(1234).standard_normal(2**n)
        values, vectors = eigsh(matrix, k=6, which="SA", v0=start)
        order = np.argsort(values)
        values, vectors = values[order], vectors[:, order]
    scale = max(1.0, abs(float(values[0])))
    return vectors[:, values < values[0] + 1e-8 * scale]


def block_generators(space: CoordinateSpace, basis: sp.csc_matrix) -> list[SparsePauliOp]:
    """The dynamical generators ``A_{b,l} = Σ_k B_kl G_k`` of every block ``b`` and column ``l``.

    Args:
        space: The Pauli coordinates of the blocks.
        basis: ``B``.

    Returns:
        One Pauli sum per non-zero (block, column) pair.
    """
    coordinates = sp.csc_matrix(space.matrix @ basis)
    generators: list[SparsePauliOp] = []
    for column in range(coordinates.shape[1]):
        start, end = coordinates.indptr[column], coordinates.indptr[column + 1]
        rows = coordinates.indices[start:end]
        values = coordinates.data[start:end]
        keep = np.abs(values) > 1e-12
        rows, values = rows[keep], values[keep]
        for block in np.unique(space.block[rows]):
            mask = space.block[rows] == block
            paulis = PauliList.from_symplectic(space.z[rows[mask]], space.x[rows[mask]])
            generators.append(SparsePauliOp(paulis, values[mask].astype(complex)))
    return generators


@dataclass(frozen=True)
class StabilizerSector:
    """The stabilizer sector ``E ⊇ K`` of a stabilizer ψ0 under Pauli-sum generators.

    Attributes:
        ground_weight: ``max_g ‖P_E g‖²`` over unit ground states ``g``.
        dimension: ``dim E``.
        exact: Whether ``E`` equals the Krylov closure ``K`` (every generator one Pauli string).
    """

    ground_weight: float
    dimension: int
    exact: bool


def stabilizer_sector(
    stabilizer: StabilizerState, generators: Sequence[SparsePauliOp], ground: np.ndarray
) -> StabilizerSector:
    """The ground weight in the stabilizer sector of ψ0 (see the module docstring).

    Args:
        stabilizer: ψ0 as a stabilizer state.
        generators: Hermitian Pauli-sum generators.
        ground: Orthonormal ground-space columns.

    Returns:
        The :class:`StabilizerSector`.
    """
    clifford = stabilizer.clifford
    n = clifford.num_qubits
    strings, exact = _generator_strings(generators, n)
    # pairing[i, j] = 1 when stabilizer generator i anticommutes with string j
    pairing = (
        (clifford.stab_x.astype(np.uint8) @ strings[:, n:].T.astype(np.uint8))
        + (clifford.stab_z.astype(np.uint8) @ strings[:, :n].T.astype(np.uint8))
    ) % 2
    combinations = nullspace(pairing.T.astype(bool))
    stabilizers = PauliList.from_symplectic(
        clifford.stab_z, clifford.stab_x, 2 * clifford.stab_phase.astype(int)
    )
    projected = np.array(ground, dtype=complex)
    for combination in combinations:
        product = Pauli((np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)))
        for index in np.flatnonzero(combination):
            product = product.dot(stabilizers[int(index)])
        matrix = SparsePauliOp(product).to_matrix(sparse=True)
        projected = 0.5 * (projected + matrix @ projected)
    weight = float(np.linalg.norm(projected, 2) ** 2) if projected.size else 0.0
    return StabilizerSector(weight, 2 ** (n - combinations.shape[0]), exact)


def _generator_strings(
    generators: Sequence[SparsePauliOp], num_qubits: int
) -> tuple[np.ndarray, bool]:
    """The distinct non-identity strings ``[x | z]`` of the generators, and whether each
    generator has at most one of them."""
    rows: list[np.ndarray] = []
    single = True
    for generator in generators:
        keep = np.abs(generator.coeffs) > 1e-12
        x, z = generator.paulis.x[keep], generator.paulis.z[keep]
        nontrivial = np.any(x | z, axis=1)
        single = single and int(np.count_nonzero(nontrivial)) <= 1
        rows.append(np.hstack([x[nontrivial], z[nontrivial]]))
    if not rows:
        return np.zeros((0, 2 * num_qubits), dtype=bool), True
    return np.unique(np.vstack(rows), axis=0), single


def reachable_ground_weight(
    start: np.ndarray,
    generators: Sequence[SparsePauliOp],
    ground: np.ndarray,
    stabilizer: StabilizerState | None = None,
) -> tuple[float, int | None]:
    """The ground weight in the reachable space (Krylov closure of ψ0 under ``generators``).

    With a stabilizer ψ0 the stabilizer sector answers exactly for single-string generators and
    bounds the closure otherwise (module docstring); the Krylov closure decides the rest.

    Args:
        start: ψ0.
        generators: Hermitian generators.
        ground: Orthonormal ground-space columns.
        stabilizer: ψ0 as a stabilizer state, when it is one.

    Returns:
        The ground weight (exact when below :data:`GROUND_WEIGHT_TOLERANCE`), and ``d_eff`` when
        known (``None`` when the closure stopped early because a ground state was inside).
    """
    upper_bound = None
    if stabilizer is not None:
        sector = stabilizer_sector(stabilizer, generators, ground)
        if sector.exact:
            return sector.ground_weight, sector.dimension
        if sector.ground_weight < 1.0 - GROUND_WEIGHT_TOLERANCE:
            return sector.ground_weight, None
        upper_bound = sector.dimension
    return krylov_ground_weight(start, generators, ground, upper_bound)


def krylov_ground_weight(
    start: np.ndarray,
    generators: Sequence[SparsePauliOp],
    ground: np.ndarray,
    upper_bound: int | None = None,
) -> tuple[float, int | None]:
    """Grow the Krylov closure of ``start`` under ``generators`` until it holds a ground state.

    Args:
        start: ψ0.
        generators: Hermitian generators.
        ground: Orthonormal ground-space columns.
        upper_bound: A known bound on the closure's dimension: reaching it completes the closure.

    Returns:
        The ground weight reached, and ``d_eff`` when the closure was completed (``None`` when
        it stopped early because a ground state was inside, weight ≥ :data:`GROUND_WEIGHT_REACHED`).
    """
    matrices = [g.to_matrix(sparse=True) for g in generators]
    closure = krylov_closure(
        start,
        [matrix.dot for matrix in matrices],
        upper_bound=upper_bound,
        stop=lambda basis: ground_state_weight(basis, ground) >= GROUND_WEIGHT_REACHED,
    )
    weight = ground_state_weight(closure.basis, ground)
    return weight, closure.dimension if closure.complete else None


def stabilizer_state(circuit: QuantumCircuit) -> StabilizerState | None:
    """The state a Clifford circuit prepares from ``|0…0⟩``.

    Args:
        circuit: The circuit.

    Returns:
        The stabilizer state, or ``None`` when the circuit is not Clifford.
    """
    try:
        return StabilizerState(circuit)
    except Exception:  # any non-Clifford instruction
        return None


def ground_state_weight(subspace: np.ndarray, ground: np.ndarray) -> float:
    """The largest weight of a ground state inside a subspace.

    Args:
        subspace: Orthonormal columns.
        ground: Orthonormal ground-space columns.

    Returns:
        ``max_g ‖P_subspace g‖²`` over unit ground states ``g``.
    """
    overlaps = subspace.conj().T @ ground
    return float(np.linalg.norm(overlaps, 2) ** 2)


def qubit_pairs(items: list[GateItem]) -> np.ndarray:
    """The consecutive qubit pairs of every multi-qubit gate.

    Args:
        items: The ansatz's gates.

    Returns:
        Rows ``(item index, qubit a, qubit b)``, shape ``(k, 3)``.
    """
    rows = [
        (index, a, b)
        for index, item in enumerate(items) if len(item.qubits) > 1
        for a, b in itertools.pairwise(item.qubits)
    ]
    return np.asarray(rows, dtype=np.int64).reshape(-1, 3)


def entangles_coupled_qubits(
    pairs: np.ndarray, removed: Sequence[int], hamiltonian: SparsePauliOp
) -> bool:
    """Whether the kept multi-qubit gates join every group of qubits that a Hamiltonian term
    couples (a necessary condition for reaching an entangled ground state).

    Args:
        pairs: :func:`qubit_pairs` of the ansatz's gates.
        removed: Indices of the gates the candidate removes.
        hamiltonian: The Hamiltonian.

    Returns:
        True when every multi-qubit term's qubits lie in one component of the gate graph.
    """
    n = hamiltonian.num_qubits
    kept = pairs[~np.isin(pairs[:, 0], np.asarray(removed, dtype=np.int64))]
    graph = sp.csr_matrix((np.ones(len(kept)), (kept[:, 1], kept[:, 2])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    support = hamiltonian.paulis.z | hamiltonian.paulis.x
    lowest = np.where(support, labels, n).min(axis=1, initial=n)
    highest = np.where(support, labels, -1).max(axis=1, initial=-1)
    return bool(np.all((lowest == highest) | ~support.any(axis=1)))


def select(candidates: list[Candidate], scored: bool) -> Candidate:
    """Pick the best valid candidate (see the module docstring).

    Args:
        candidates: Candidates with statuses (and EQNTK values when ``scored``).
        scored: Whether EQNTK values decide.

    Returns:
        The chosen candidate.

    Raises:
        ValueError: If no candidate is valid.
    """
    valid = [c for c in candidates if c.status in ("valid", "scored")]
    if not valid:
        raise ValueError("no candidate pruning is valid")
    if scored and all(c.eqntk is not None for c in valid):
        best = max(valid, key=lambda c: c.eqntk[0])  # type: ignore[index]
        window = best.eqntk[0] - best.eqntk[1]  # type: ignore[index]
        tied = [c for c in valid if c.eqntk[0] >= window]  # type: ignore[index]
        return min(tied, key=lambda c: (c.num_parameters, -len(c.families)))
    return min(valid, key=lambda c: (-len(c.families), c.num_parameters))


def build(candidate: Candidate, circuit: QuantumCircuit, items: list[GateItem]) -> Rewrite:
    """The candidate's pruned circuit (built once).

    Args:
        candidate: The candidate.
        circuit: The input circuit.
        items: Its gates.

    Returns:
        The :class:`Rewrite`.
    """
    if candidate.rewrite is None:
        candidate.rewrite = rewrite_circuit(circuit, items, candidate.basis, candidate.removed)
    return candidate.rewrite
