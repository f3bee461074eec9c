"""Data sets of the SGGD experiments (seed paper 002): Werner states and points in a square.

Labels are ±1 and follow the paper's read-out convention, "negative output ⇒ entangled / outside":

- **Werner states** ``ρ_W(p) = p |Ψ⁻⟩⟨Ψ⁻| + (1 − p) I/4``, ``p ∈ [0, 1]``, are entangled iff
  ``p > 1/3``. The identity circuit with observable SWAP outputs ``Tr(SWAP ρ_W) = (1 − 3p)/2``,
  negative exactly for the entangled states, so entangled states get label ``-1`` and separable
  ones ``+1`` (:data:`ENTANGLED`, :data:`SEPARABLE`). The paper writes the same family with a
  SWAP parameter; the map between the two parameters is one-to-one and keeps the labels.
  On hardware ``ρ_W(p)`` is the reduced state of a 4-qubit pure state
  (:func:`werner_purification_circuit`).
- **Circle** data: points uniform in ``[-1, 1]²``, label ``+1`` inside the circle of radius
  ``√(2/π)`` about the centre (the two classes then have equal area) and ``-1`` outside. The
  biased sampling of the paper draws training points from the right half ``x > 0`` only.

Every generator is seeded (an int or a ``numpy.random.Generator``).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from qiskit.circuit import QuantumCircuit
from qiskit.quantum_info import DensityMatrix

from qsympass.validation import check_integer

__all__ = [
    "CIRCLE_RADIUS",
    "ENTANGLED",
    "SEPARABLE",
    "WERNER_THRESHOLD",
    "Dataset",
    "DatasetSplit",
    "circle_dataset",
    "circle_labels",
    "circle_split",
    "werner_dataset",
    "werner_labels",
    "werner_purification_circuit",
    "werner_split",
    "werner_state",
]

WERNER_THRESHOLD = 1.0 / 3.0
"""Werner states with ``p`` above this are entangled."""

ENTANGLED = -1.0
"""Label of entangled Werner states (negative SWAP expectation)."""

SEPARABLE = 1.0
"""Label of separable Werner states."""

CIRCLE_RADIUS = math.sqrt(2.0 / math.pi)
"""Radius whose disc has half the area of ``[-1, 1]²`` (balanced classes)."""

SeedLike = int | np.random.Generator | None


@dataclass(frozen=True)
class Dataset:
    """Features and ±1 labels.

    Attributes:
        features: Shape ``(m, k)``: ``p`` for Werner states (k = 1), ``(x, y)`` for the circle.
        labels: Shape ``(m,)``, each ``+1`` or ``-1``.
        name: Short description (task and sampling).
        metadata: JSON-friendly details (seed, sampling region, ...).
    """

    features: np.ndarray
    labels: np.ndarray
    name: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        features = np.asarray(self.features, dtype=float)
        labels = np.asarray(self.labels, dtype=float)
        if features.ndim != 2 or labels.ndim != 1 or features.shape[0] != labels.shape[0]:
            raise ValueError(
                f"features must be (m, k) and labels (m,), got {features.shape} and "
                f"{labels.shape}"
            )
        if not np.all(np.abs(labels) == 1.0):
            raise ValueError("labels must be +1 or -1")
        object.__setattr__(self, "features", features)
        object.__setattr__(self, "labels", labels)

    def __len__(self) -> int:
        return int(self.labels.size)

    def balance(self) -> float:
        """Fraction of ``+1`` labels (NaN for an empty set)."""
        return float(np.mean(self.labels > 0)) if len(self) else math.nan

    def subset(self, mask: np.ndarray) -> Dataset:
        """The samples selected by a boolean mask or index array.

        Args:
            mask: Boolean mask of length ``m`` or integer indices.

        Returns:
            A new data set with the same name and metadata.
        """
        return Dataset(self.features[mask], self.labels[mask], self.name, dict(self.metadata))


@dataclass(frozen=True)
class DatasetSplit:
    """A training set and a test set (possibly from different distributions).

    Attributes:
        train: The training set.
        test: The test set.
    """

    train: Dataset
    test: Dataset


def _rng(seed: SeedLike) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _check_count(num_samples: int, name: str = "num_samples") -> None:
    check_integer(num_samples, name, minimum=1)


def _check_probability(p: np.ndarray) -> None:
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
        raise ValueError(f"the Werner parameter p must lie in [0, 1], got {p}")


# --------------------------------------------------------------------------- Werner states


def werner_state(p: float) -> DensityMatrix:
    """``ρ_W(p) = p |Ψ⁻⟩⟨Ψ⁻| + (1 − p) I/4`` on two qubits.

    Args:
        p: Singlet weight in ``[0, 1]``.

    Returns:
        The 4×4 density matrix.

    Raises:
        ValueError: If ``p`` is outside ``[0, 1]``.
    """
    _check_probability(np.asarray(p, dtype=float))
    singlet = np.array([0.0, 1.0, -1.0, 0.0]) / math.sqrt(2.0)
    return DensityMatrix(p * np.outer(singlet, singlet) + (1.0 - p) * np.eye(4) / 4.0)


def werner_labels(p: np.ndarray) -> np.ndarray:
    """Labels of Werner states: ``-1`` (entangled, ``p > 1/3``) or ``+1`` (separable).

    Args:
        p: Singlet weights in ``[0, 1]``.

    Returns:
        Array of ±1 of the same shape.

    Raises:
        ValueError: If a ``p`` is outside ``[0, 1]``.
    """
    weights = np.asarray(p, dtype=float)
    _check_probability(weights)
    return np.where(weights > WERNER_THRESHOLD, ENTANGLED, SEPARABLE)


def werner_purification_circuit(p: float) -> QuantumCircuit:
    """A 4-qubit circuit whose qubits 0 and 1 are left in ``ρ_W(p)``.

    ``ρ_W(p) = Σ_k w_k |B_k⟩⟨B_k|`` over the Bell basis, ``w_0 = (1 + 3p)/4`` for the singlet and
    ``w_k = (1 − p)/4`` for the others. The ancillas (qubits 2, 3) are prepared in
    ``Σ_k √w_k |k⟩`` by ``RY`` and a controlled ``RY``, copied onto the data qubits with two
    CNOTs, and the data qubits are rotated into the Bell basis (``|00⟩ → |Ψ⁻⟩``). Tracing out the
    ancillas leaves exactly ``ρ_W(p)``.

    Args:
        p: Singlet weight in ``[0, 1]``.

    Returns:
        The circuit (no measurements): data qubits 0, 1; ancillas 2, 3.

    Raises:
        ValueError: If ``p`` is outside ``[0, 1]``.
    """
    _check_probability(np.asarray(p, dtype=float))
    # Ancilla index k = a0 + 2 a1; P(a0 = 0) = w_0 + w_2 = (1 + p)/2.
    first = 2.0 * math.acos(math.sqrt((1.0 + p) / 2.0))
    # P(a1 = 1 | a0 = 0) = w_2 / (w_0 + w_2) = (1 - p) / (2 + 2p); P(a1 = 1 | a0 = 1) = 1/2.
    second = 2.0 * math.asin(math.sqrt((1.0 - p) / (2.0 + 2.0 * p)))
    circuit = QuantumCircuit(4, name=f"werner(p={p:.4g})")
    circuit.ry(first, 2)
    circuit.ry(second, 3)
    circuit.cry(math.pi / 2.0 - second, 2, 3)
    circuit.cx(2, 0)
    circuit.cx(3, 1)
    # Bell-basis rotation on the data qubits, |00> -> |Ψ⁻>.
    circuit.x([0, 1])
    circuit.h(0)
    circuit.cx(0, 1)
    return circuit


def werner_dataset(
    num_samples: int,
    seed: SeedLike = None,
    *,
    p_range: tuple[float, float] = (0.0, 1.0),
) -> Dataset:
    """Werner states with ``p`` uniform in ``p_range``.

    Args:
        num_samples: Number of states.
        seed: Seed or generator.
        p_range: Interval of ``p``, inside ``[0, 1]``.

    Returns:
        Features ``(m, 1)`` holding ``p`` and the labels of :func:`werner_labels`.

    Raises:
        ValueError: For a non-positive count or an interval outside ``[0, 1]``.
    """
    _check_count(num_samples)
    low, high = p_range
    _check_probability(np.array([low, high]))
    if low >= high:
        raise ValueError(f"p_range must be an interval low < high, got {p_range}")
    p = _rng(seed).uniform(low, high, size=int(num_samples))
    return Dataset(
        p[:, None],
        werner_labels(p),
        name=f"werner p~U{tuple(p_range)}",
        metadata={"task": "werner", "p_range": [float(low), float(high)]},
    )


def werner_split(
    num_train: int, num_test: int, seed: SeedLike = None, *, biased: bool = True
) -> DatasetSplit:
    """Training and test sets of the Werner experiment.

    The biased training set holds separable states only (``p ∈ [0, 1/3]``): the subset whose
    per-sample MSE landscape is concave around the identity and drives plain gradient descent to
    the CNOT solution (paper Fig. 2). The test set is uniform in ``p ∈ [0, 1]``.

    Args:
        num_train: Training set size.
        num_test: Test set size.
        seed: Seed or generator.
        biased: Separable-only training states (True) or uniform ones (False).

    Returns:
        The split.
    """
    _check_count(num_train, "num_train")
    _check_count(num_test, "num_test")
    rng = _rng(seed)
    train_range = (0.0, WERNER_THRESHOLD) if biased else (0.0, 1.0)
    train = werner_dataset(num_train, rng, p_range=train_range)
    test = werner_dataset(num_test, rng)
    return DatasetSplit(train, test)


# --------------------------------------------------------------------------- circle


def circle_labels(points: np.ndarray, radius: float = CIRCLE_RADIUS) -> np.ndarray:
    """``+1`` for points strictly inside the circle of ``radius`` about the origin, else ``-1``.

    Args:
        points: Shape ``(m, 2)``.
        radius: Circle radius (> 0).

    Returns:
        Array ``(m,)`` of ±1.

    Raises:
        ValueError: For points of the wrong shape or a non-positive radius.
    """
    array = np.asarray(points, dtype=float)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"points must have shape (m, 2), got {array.shape}")
    if not (isinstance(radius, numbers.Real) and math.isfinite(radius) and radius > 0):
        raise ValueError(f"radius must be a finite positive number, got {radius!r}")
    return np.where(np.sum(array**2, axis=1) < radius**2, 1.0, -1.0)


def circle_dataset(
    num_samples: int,
    seed: SeedLike = None,
    *,
    right_half: bool = False,
    radius: float = CIRCLE_RADIUS,
) -> Dataset:
    """Points uniform in ``[-1, 1]²`` (or its right half ``x > 0``) labelled by the circle.

    Args:
        num_samples: Number of points.
        seed: Seed or generator.
        right_half: Draw ``x`` from ``(0, 1]`` only (the paper's biased sampling).
        radius: Circle radius; the default balances the classes.

    Returns:
        Features ``(m, 2)`` (``x``, ``y``) and labels of :func:`circle_labels`.

    Raises:
        ValueError: For a non-positive count or radius.
    """
    _check_count(num_samples)
    rng = _rng(seed)
    points = rng.uniform(-1.0, 1.0, size=(int(num_samples), 2))
    if right_half:
        # Uniform on (0, 1]: reflect the left half instead of re-drawing.
        points[:, 0] = np.where(points[:, 0] > 0, points[:, 0], -points[:, 0])
        points[points[:, 0] == 0.0, 0] = 1.0
    region = "right half x > 0" if right_half else "square"
    return Dataset(
        points,
        circle_labels(points, radius),
        name=f"circle r={radius:.4g} ({region})",
        metadata={"task": "circle", "radius": float(radius), "right_half": bool(right_half)},
    )


def circle_split(
    num_train: int, num_test: int, seed: SeedLike = None, *, biased: bool = True
) -> DatasetSplit:
    """Training and test sets of the 2-D experiment.

    Args:
        num_train: Training set size.
        num_test: Test set size.
        seed: Seed or generator.
        biased: Training points from the right half only (True) or the whole square.

    Returns:
        Training points (right half when biased) and test points uniform in the square.
    """
    _check_count(num_train, "num_train")
    _check_count(num_test, "num_test")
    rng = _rng(seed)
    train = circle_dataset(num_train, rng, right_half=biased)
    test = circle_dataset(num_test, rng)
    return DatasetSplit(train, test)
