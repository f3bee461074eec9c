"""Effective dimension and restricted dynamical Lie algebra of an ansatz (DESIGN §4).

``d_eff`` is the dimension of the smallest subspace that contains ψ0 and is invariant under the
circuit's dynamical generators (:mod:`qsympass.ansatz_generators`); the restricted DLA is the Lie
algebra those generators span on that subspace.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from qiskit.circuit import QuantumCircuit
from qiskit.exceptions import QiskitError
from qiskit.quantum_info import PauliList, SparsePauliOp, StabilizerState, Statevector

from qsympass.ansatz_generators import (
    AnsatzDynamics,
    ansatz_dynamics,
    generator_action,
    initial_statevector,
    operators_commute,
)
from qsympass.krylov import krylov_closure
from qsympass.symmetry import gf2
from qsympass.symmetry.pauli_symmetry import find_pauli_symmetries

logger = logging.getLogger(__name__)


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
    applies, e.g. non-Clifford fixed gates or a user-given ``initial_state``; for the bound,
    constant angle offsets count as generators).

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
    # non-Clifford offset gates would leave only the full-space bound; as generators they
    # keep the frames Clifford and still bound d_eff from above
    bounding = (
        ansatz_dynamics(circuit, offsets_as_generators=True)
        if dynamics.has_offsets and not dynamics.pauli_exact else dynamics
    )
    bound = _sector_bound(bounding, initial_state)
    if n > max_exact_qubits:
        return bound
    if not need_basis:
        dimension = _pauli_orbit_dimension(dynamics, initial_state)
        if dimension is not None:
            return EffectiveSubspace(dimension, True, "pauli orbit")
    start = initial_statevector(circuit, dynamics.prefix, initial_state)
    actions = [generator_action(g, n) for g in dynamics.generators]
    basis = krylov_closure(start, actions, upper_bound=bound.dimension).basis
    return EffectiveSubspace(basis.shape[1], True, "krylov", basis)


def _pauli_orbit_dimension(
    dynamics: AnsatzDynamics, initial_state: Statevector | np.ndarray | None
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
    return 2 ** (gf2.rank(stacked) - n)


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


def _sector_bound(
    dynamics: AnsatzDynamics, initial_state: Statevector | np.ndarray | None
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
    symmetries = find_pauli_symmetries(SparsePauliOp(terms))
    if len(symmetries):
        clifford = state.clifford
        stacked = np.vstack([
            np.hstack([symmetries.x, symmetries.z]),
            np.hstack([clifford.stab_x, clifford.stab_z]),
        ])
        shared = len(symmetries) + n - gf2.rank(stacked)
        if shared:
            bounds.append(EffectiveSubspace(2 ** (n - shared), False, "pauli sector bound"))
    for letter in "XYZ":
        charge = SparsePauliOp.from_sparse_list([(letter, [q], 1.0) for q in range(n)], n)
        if all(operators_commute(g.operator, charge) for g in dynamics.generators):
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
    actions = [generator_action(g, n) for g in dynamics.generators]
    if restricted:
        start = initial_statevector(circuit, dynamics.prefix, initial_state)
        basis = krylov_closure(start, actions).basis
    else:
        basis = np.eye(2**n, dtype=complex)
    return restricted_dla(basis, actions, max_dimension)


def restricted_dla(
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


