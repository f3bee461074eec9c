"""Callbacks: code the training loop runs after each evaluated step.

A callback is any object with ``on_step(step, params, loss, grad, extras)``. It sees the
parameters at which the objective was evaluated (before this step's update) and the gradient
there, both as read-only arrays. Returning a non-empty string asks the loop to stop; the string
is the reason recorded in the result. Optional hooks, found by duck typing:

- ``on_train_end(result)``: called once with the ``TrainingResult``.
- ``state_dict() -> dict`` / ``load_state_dict(state)``: the callback's state is then saved in
  checkpoints and restored on resume (JSON types and numpy arrays), so a stateful monitor
  resumes exactly too. Without them, a resumed callback only sees the steps after the resume.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Callback(Protocol):
    """Anything with ``on_step``; return a reason string to stop training, else ``None``."""

    def on_step(
        self,
        step: int,
        params: np.ndarray,
        loss: float,
        grad: np.ndarray,
        extras: Mapping[str, float],
    ) -> str | None:
        """Observe one evaluated step.

        Args:
            step: 0-based index of the step.
            params: Parameters at which the objective was evaluated (read-only).
            loss: The loss there.
            grad: The gradient there (read-only).
            extras: The objective's extras.

        Returns:
            A reason to stop training, or ``None`` to continue.
        """
        ...


@dataclass(frozen=True)
class TargetLoss:
    """Stop once the loss is ``<= target``.

    Attributes:
        target: The loss to reach.
    """

    target: float

    def __post_init__(self) -> None:
        if math.isnan(self.target):
            raise ValueError("TargetLoss needs a target that is a number, got NaN")

    def on_step(
        self,
        step: int,
        params: np.ndarray,
        loss: float,
        grad: np.ndarray,
        extras: Mapping[str, float],
    ) -> str | None:
        """Return a reason once ``loss <= target``."""
        if loss <= self.target:
            return f"loss {loss:.6g} reached the target {self.target:.6g} at step {step}"
        return None


@dataclass(frozen=True)
class GradientTolerance:
    """Stop once the Euclidean norm of the gradient is ``<= tol``.

    Attributes:
        tol: Gradient-norm threshold, ``>= 0``.
    """

    tol: float

    def __post_init__(self) -> None:
        if not self.tol >= 0:
            raise ValueError(f"GradientTolerance needs tol >= 0, got {self.tol}")

    def on_step(
        self,
        step: int,
        params: np.ndarray,
        loss: float,
        grad: np.ndarray,
        extras: Mapping[str, float],
    ) -> str | None:
        """Return a reason once ``‖grad‖ <= tol``."""
        norm = float(np.linalg.norm(grad))
        if norm <= self.tol:
            return f"gradient norm {norm:.3g} fell to the tolerance {self.tol:.3g} at step {step}"
        return None
