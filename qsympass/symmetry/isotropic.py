"""SO(3)-isotropic tensors: the exact collective SU(2) twirl of Pauli sums.

Collective conjugation ``A -> U^{⊗n} A U^{†⊗n}`` keeps the support of every Pauli string and
rotates the coefficient tensor of the strings on a support of size ``k`` by ``R^{⊗k}``, ``R`` the
SO(3) adjoint of ``U`` (``σ_a ↔ e_a``). The Haar average is the orthogonal projection onto the
isotropic tensors of rank ``k``, spanned by products of Kronecker deltas over perfect matchings
and, for odd ``k``, one Levi-Civita symbol times matchings of the remaining indices. The spanning
set is held sparse and orthogonalised through its Gram matrix, exact up to ``MAX_WEIGHT``.
Above it, :func:`sample_isotropic` estimates the same projection as the mean of ``R^{⊗k}`` over
Haar-random rotations, with its standard error.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from functools import cache

import numpy as np
from scipy import sparse
from scipy.spatial.transform import Rotation

from qsympass.validation import check_integer

MAX_WEIGHT = 10

_LEVI_CIVITA = (
    ((0, 1, 2), 1), ((1, 2, 0), 1), ((2, 0, 1), 1),
    ((0, 2, 1), -1), ((2, 1, 0), -1), ((1, 0, 2), -1),
)


def project_isotropic(vectors: np.ndarray, weight: int) -> np.ndarray:
    """Projects coefficient tensors of rank ``weight`` onto the SO(3)-isotropic subspace.

    Args:
        vectors: shape ``(3^weight, m)``; entry ``Σ_j a_j 3^j`` is the coefficient of the
            string with letter ``"XYZ"[a_j]`` on the j-th support qubit (ascending qubits).
        weight: the tensor rank ``k``.

    Returns:
        The projected tensors, same shape.

    Raises:
        ValueError: ``weight`` exceeds :data:`MAX_WEIGHT`.
    """
    if weight > MAX_WEIGHT:
        raise ValueError(
            f"the exact collective SU(2) twirl supports Pauli strings of weight at most "
            f"{MAX_WEIGHT}; got a string of weight {weight}"
        )
    if weight == 0:
        return vectors.copy()
    spanning, gram_inverse = _isotropic_basis(weight)
    if spanning.shape[1] == 0:
        return np.zeros_like(vectors)
    return spanning @ (gram_inverse @ (spanning.T @ vectors))


def sample_isotropic(
    vectors: np.ndarray, weight: int, samples: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo estimate of :func:`project_isotropic` for any weight.

    The projection is the Haar average of ``R^{⊗k}`` over SO(3) (the adjoint image of the
    collective SU(2) action), so the mean over sampled rotations is unbiased.

    Args:
        vectors: shape ``(3^weight, m)``, indexed as in :func:`project_isotropic`.
        weight: the tensor rank ``k``.
        samples: the number of Haar-random rotations (at least 2).
        rng: the random generator.

    Returns:
        The estimate, and the variance of the estimate per entry (the sample variance over
        ``samples``), both of shape ``(3^weight, m)``.

    Raises:
        ValueError: a sample count that is not an integer of at least 2.
    """
    samples = check_sample_count(samples)
    tensor_shape = (3,) * weight + (vectors.shape[1],)
    # Welford's running mean and sum of squared deviations (no cancellation)
    mean = np.zeros(vectors.shape, dtype=complex)
    squares = np.zeros(vectors.shape)
    for count, rotation in enumerate(Rotation.random(samples, rng).as_matrix(), start=1):
        image = _rotate(vectors.reshape(tensor_shape), rotation, weight).reshape(vectors.shape)
        deviation = image - mean
        mean += deviation / count
        squares += np.real(deviation * np.conj(image - mean))
    return mean, squares / (samples - 1) / samples


def check_sample_count(samples: int) -> int:
    """The number of Monte Carlo samples as an ``int``.

    Raises:
        ValueError: for anything but an integer of at least 2 (the variance needs two).
    """
    return check_integer(samples, "the Monte Carlo twirl's samples", minimum=2)


def _rotate(tensor: np.ndarray, rotation: np.ndarray, weight: int) -> np.ndarray:
    """``R^{⊗k}`` on the first ``k`` axes: each contraction of the last tensor axis puts the
    rotated axis first, so after ``k`` of them the axes are back in order."""
    for _ in range(weight):
        tensor = np.tensordot(rotation, tensor, axes=([1], [weight - 1]))
    return tensor


@cache
def _isotropic_basis(weight: int) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The sparse spanning tensors ``T`` and the pseudo-inverse of ``TᵀT``."""
    columns = list(_spanning_tensors(weight))
    dimension = 3**weight
    if not columns:
        return sparse.csr_matrix((dimension, 0)), np.zeros((0, 0))
    rows = np.concatenate([index for index, _ in columns])
    values = np.concatenate([value for _, value in columns])
    cols = np.concatenate([np.full(len(index), c) for c, (index, _) in enumerate(columns)])
    spanning = sparse.csr_matrix((values, (rows, cols)), shape=(dimension, len(columns)))
    gram = (spanning.T @ spanning).toarray()
    eigenvalues, eigenvectors = np.linalg.eigh(gram)
    keep = eigenvalues > 1e-9 * eigenvalues.max()
    gram_inverse = (eigenvectors[:, keep] / eigenvalues[keep]) @ eigenvectors[:, keep].T
    return spanning, gram_inverse


def _spanning_tensors(weight: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(flat indices, values) of each delta-product / Levi-Civita spanning tensor."""
    positions = tuple(range(weight))
    if weight % 2 == 0:
        for matching in _perfect_matchings(positions):
            yield _matching_tensor(matching)
        return
    for triple in itertools.combinations(positions, 3):
        rest = tuple(p for p in positions if p not in triple)
        for matching in _perfect_matchings(rest):
            index, value = _matching_tensor(matching)
            epsilon_index = np.array(
                [sum(a * 3**p for a, p in zip(perm, triple, strict=True))
                 for perm, _ in _LEVI_CIVITA]
            )
            epsilon_sign = np.array([s for _, s in _LEVI_CIVITA], dtype=float)
            yield (
                (index[:, None] + epsilon_index[None, :]).ravel(),
                (value[:, None] * epsilon_sign[None, :]).ravel(),
            )


def _matching_tensor(matching: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    if not matching:
        return np.zeros(1, dtype=np.int64), np.ones(1)
    pair_weights = np.array([3**i + 3**j for i, j in matching], dtype=np.int64)
    assignments = np.array(list(itertools.product(range(3), repeat=len(matching))),
                           dtype=np.int64)
    return assignments @ pair_weights, np.ones(len(assignments))


def _perfect_matchings(positions: tuple[int, ...]) -> Iterator[list[tuple[int, int]]]:
    if not positions:
        yield []
        return
    first, rest = positions[0], positions[1:]
    for index, partner in enumerate(rest):
        remaining = rest[:index] + rest[index + 1:]
        for matching in _perfect_matchings(remaining):
            yield [(first, partner), *matching]
