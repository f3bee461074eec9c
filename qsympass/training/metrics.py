"""Classifier metrics for ±1 labels."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _paired(predictions: ArrayLike, labels: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    pred = np.asarray(predictions, dtype=float)
    target = np.asarray(labels, dtype=float)
    if pred.shape != target.shape:
        raise ValueError(
            f"predictions have shape {pred.shape} but labels have shape {target.shape}"
        )
    if pred.size == 0:
        raise ValueError("predictions and labels are empty")
    if not (np.all(np.isfinite(pred)) and np.all(np.isfinite(target))):
        raise ValueError("predictions or labels contain NaN or infinite entries")
    return pred, target


def mse(predictions: ArrayLike, labels: ArrayLike) -> float:
    """Mean squared error ``mean((predictions - labels)²)``.

    Args:
        predictions: Model outputs.
        labels: Targets, same shape.

    Returns:
        The mean squared error.

    Raises:
        ValueError: If the shapes differ, the arrays are empty or contain NaN/inf.
    """
    pred, target = _paired(predictions, labels)
    return float(np.mean((pred - target) ** 2))


def accuracy(predictions: ArrayLike, labels: ArrayLike) -> float:
    """Fraction of predictions whose sign equals the ±1 label.

    A prediction of exactly 0 decides nothing and counts as wrong.

    Args:
        predictions: Real model outputs.
        labels: Labels, each +1 or -1, same shape.

    Returns:
        The accuracy in [0, 1].

    Raises:
        ValueError: If the shapes differ, the arrays are empty, contain NaN/inf, or a label is
            not ±1.
    """
    pred, target = _paired(predictions, labels)
    if not np.all(np.abs(target) == 1.0):
        bad = target[np.abs(target) != 1.0][0]
        raise ValueError(f"labels must be +1 or -1, found {bad}")
    return float(np.mean(np.sign(pred) == target))
