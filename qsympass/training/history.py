"""Per-step record of a training run."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class TrainingHistory:
    """Loss, gradient norm and extras of every evaluated step, in step order.

    Attributes:
        loss: Loss at each step (evaluated before the step's update).
        grad_norm: Euclidean norm of the gradient at each step.
        extras: The objective's extras at each step.
    """

    loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    extras: list[dict[str, float]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.loss)

    def append(self, loss: float, grad_norm: float, extras: Mapping[str, float]) -> None:
        """Record one step."""
        self.loss.append(float(loss))
        self.grad_norm.append(float(grad_norm))
        self.extras.append({str(name): float(value) for name, value in extras.items()})

    @property
    def extra_names(self) -> tuple[str, ...]:
        """Names that occur in the extras, in order of first appearance."""
        names: dict[str, None] = {}
        for record in self.extras:
            names.update(dict.fromkeys(record))
        return tuple(names)

    def extra(self, name: str) -> np.ndarray:
        """One extra over all steps (NaN where a step did not report it).

        Raises:
            KeyError: If no step reported ``name``.
        """
        if name not in self.extra_names:
            raise KeyError(f"no step reported the extra {name!r}; known: {self.extra_names}")
        return np.array([record.get(name, math.nan) for record in self.extras])

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types."""
        return {"loss": list(self.loss), "grad_norm": list(self.grad_norm),
                "extras": [dict(record) for record in self.extras]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainingHistory:
        """Inverse of ``to_dict``.

        Raises:
            ValueError: If the lists have different lengths.
        """
        history = cls(
            [float(x) for x in data["loss"]],
            [float(x) for x in data["grad_norm"]],
            [{str(k): float(v) for k, v in record.items()} for record in data["extras"]],
        )
        if not len(history.loss) == len(history.grad_norm) == len(history.extras):
            raise ValueError("training history lists have different lengths")
        return history
