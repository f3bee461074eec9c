"""Krylov closures: the smallest subspace that holds a vector and is invariant under linear maps.

Effective dimensions (EQNTK) and the ground-state reachability check of symmetric pruning both
grow such a subspace from ψ0 under an ansatz's generators.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.linalg

# Relative size of a genuinely new direction; at 1e-8, rounding noise from 12-qubit Pauli sums
# already passes for new directions and the closure fills the whole space.
NEW_DIRECTION_TOL = 1e-6
# A pivoted QR costs O(dim · columns²) however few directions are new: keep batches narrow.
BATCH_COLUMNS = 128

Action = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class KrylovClosure:
    """An orthonormal basis of a (possibly partial) Krylov closure.

    Attributes:
        basis: Orthonormal columns.
        complete: Whether the basis spans the whole closure (``False`` when a stop condition
            ended the growth early).
    """

    basis: np.ndarray
    complete: bool

    @property
    def dimension(self) -> int:
        """The number of basis vectors."""
        return int(self.basis.shape[1])


def new_directions(
    basis: np.ndarray, images: np.ndarray, tol: float = NEW_DIRECTION_TOL
) -> np.ndarray:
    """Orthonormal directions of ``images`` outside ``span(basis)``.

    Args:
        basis: Orthonormal columns.
        images: Candidate vectors as columns.
        tol: Relative size below which a residual direction counts as numerical noise.

    Returns:
        New orthonormal columns, orthogonal to ``basis``.
    """
    norms = np.linalg.norm(images, axis=0)
    keep = norms > tol
    if not np.any(keep):
        return images[:, :0]
    residual = images[:, keep] / norms[keep]
    for _ in range(2):  # twice is enough (Kahan–Parlett)
        residual = residual - basis @ (basis.conj().T @ residual)
    q, r, _ = scipy.linalg.qr(residual, mode="economic", pivoting=True)
    diagonal = np.abs(np.diag(r))
    rank = int(np.count_nonzero(diagonal > tol * max(1.0, float(diagonal[0]))))
    directions = q[:, :rank]
    directions = directions - basis @ (basis.conj().T @ directions)
    return directions / np.linalg.norm(directions, axis=0)


def krylov_closure(
    start: np.ndarray,
    actions: Sequence[Action],
    *,
    tol: float = NEW_DIRECTION_TOL,
    upper_bound: int | None = None,
    stop: Callable[[np.ndarray], bool] | None = None,
) -> KrylovClosure:
    """Grow the smallest subspace containing ``start`` that every action leaves invariant.

    The actions are applied to the newest directions in narrow batches, each orthogonalised
    once against the basis.

    Args:
        start: The starting vector.
        actions: Linear maps acting on column batches.
        tol: Relative tolerance for a new direction.
        upper_bound: A known bound on the closure's dimension (a symmetry sector): reaching
            it completes the closure.
        stop: Called with the basis after each batch; ``True`` ends the growth early.

    Returns:
        The basis, and whether it is the whole closure.
    """
    size = start.shape[0]
    limit = size if upper_bound is None else min(size, upper_bound)
    basis = (start / np.linalg.norm(start)).reshape(-1, 1).astype(complex)
    frontier = basis
    if stop is not None and stop(basis):
        return KrylovClosure(basis, complete=basis.shape[1] >= limit)
    while frontier.shape[1] and basis.shape[1] < limit:
        added: list[np.ndarray] = []
        chunk = max(1, BATCH_COLUMNS // frontier.shape[1])
        for first in range(0, len(actions), chunk):
            images = np.hstack([act(frontier) for act in actions[first : first + chunk]])
            directions = new_directions(basis, images, tol)
            if not directions.shape[1]:
                continue
            basis = np.hstack([basis, directions])
            added.append(directions)
            if basis.shape[1] >= limit:
                return KrylovClosure(basis, complete=True)
            if stop is not None and stop(basis):
                return KrylovClosure(basis, complete=False)
        frontier = np.hstack(added) if added else basis[:, :0]
    return KrylovClosure(basis, complete=True)
