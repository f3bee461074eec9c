"""First-order optimizers with an explicit, JSON-serializable state.

An optimizer maps ``(params, grad)`` to new parameters and keeps whatever it needs between steps
(the step counter, Adam's moments) in a state that ``state_dict`` exports as plain JSON types and
``load_state_dict`` restores exactly, so a checkpointed run resumes bit for bit.
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from .schedules import Schedule, describe_schedule, schedule_value


class Optimizer(ABC):
    """Base class: learning-rate schedule, step counter and state (de)serialisation.

    Args:
        lr: Learning rate, a constant ``> 0`` or a callable of the optimizer's 0-based step count.

    Raises:
        ValueError: If a constant ``lr`` is not a finite number ``> 0``.
    """

    name: ClassVar[str]

    def __init__(self, lr: Schedule) -> None:
        constant = isinstance(lr, numbers.Real) and not isinstance(lr, bool)
        if not callable(lr) and not (constant and math.isfinite(lr) and lr > 0):
            raise ValueError(f"learning rate must be a finite number > 0, got {lr!r}")
        self.lr = lr
        self.num_steps = 0

    def learning_rate(self, step: int | None = None) -> float:
        """The learning rate used at ``step`` (default: the next step).

        Raises:
            ValueError: If the schedule yields a value that is not finite and ``> 0``.
        """
        step = self.num_steps if step is None else step
        value = schedule_value(self.lr, step)
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"learning-rate schedule gave {value} at step {step}; it must be > 0")
        return value

    def hyperparameters(self) -> dict[str, float | str]:
        """JSON-friendly hyperparameters (used in run fingerprints)."""
        return {"lr": describe_schedule(self.lr)}

    def step(self, params: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """Return the parameters after one update; ``params`` is not modified.

        Args:
            params: Current parameters, a 1-D real array.
            grad: Gradient of the loss at ``params``, same shape.

        Returns:
            The updated parameters (a new array).

        Raises:
            ValueError: If the shapes differ or the gradient is not finite.
        """
        params = np.asarray(params, dtype=float)
        grad = np.asarray(grad, dtype=float)
        if params.shape != grad.shape:
            raise ValueError(
                f"gradient shape {grad.shape} does not match parameter shape {params.shape}"
            )
        if not np.all(np.isfinite(grad)):
            raise ValueError("gradient contains NaN or infinite entries")
        lr = self.learning_rate()
        new_params = self._update(params, grad, lr)
        self.num_steps += 1
        return new_params

    @abstractmethod
    def _update(self, params: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:
        """The update rule proper (``num_steps`` is the 0-based index of this step)."""

    def state_dict(self) -> dict[str, Any]:
        """The mutable state as plain JSON types (ints, floats, lists, None)."""
        return {"name": self.name, "num_steps": self.num_steps}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state produced by ``state_dict`` of the same optimizer kind.

        Raises:
            ValueError: If the state belongs to another optimizer or is malformed.
        """
        if state.get("name") != self.name:
            raise ValueError(
                f"optimizer state is for {state.get('name')!r}, cannot load into {self.name!r}"
            )
        num_steps = state.get("num_steps")
        if not isinstance(num_steps, int) or num_steps < 0:
            raise ValueError(f"optimizer state has an invalid num_steps: {num_steps!r}")
        self.num_steps = num_steps

    def reset(self) -> None:
        """Forget all state (as freshly constructed)."""
        self.num_steps = 0

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.hyperparameters().items())
        return f"{type(self).__name__}({args})"


class GradientDescent(Optimizer):
    """Plain gradient descent ``θ ← θ − lr · g``.

    Args:
        lr: Learning rate, a constant ``> 0`` or a callable of the step.
    """

    name = "gradient_descent"

    def _update(self, params: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:
        return params - lr * grad


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias-corrected moments.

    Args:
        lr: Learning rate, a constant ``> 0`` or a callable of the step.
        beta1: Decay of the first moment, in [0, 1).
        beta2: Decay of the second moment, in [0, 1).
        eps: Denominator offset, ``> 0``.

    Raises:
        ValueError: For a learning rate ``<= 0``, betas outside [0, 1) or ``eps <= 0``.
    """

    name = "adam"

    def __init__(
        self, lr: Schedule, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        super().__init__(lr)
        for label, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Adam {label} must lie in [0, 1), got {beta}")
        if not (math.isfinite(eps) and eps > 0):
            raise ValueError(f"Adam eps must be a finite number > 0, got {eps}")
        self.beta1 = float(beta1)
        self.beta2 = float(beta2)
        self.eps = float(eps)
        self._m: np.ndarray | None = None
        self._v: np.ndarray | None = None

    def hyperparameters(self) -> dict[str, float | str]:
        """JSON-friendly hyperparameters (used in run fingerprints)."""
        return {**super().hyperparameters(), "beta1": self.beta1, "beta2": self.beta2,
                "eps": self.eps}

    def _update(self, params: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:
        if self._m is None or self._v is None:
            self._m = np.zeros_like(params)
            self._v = np.zeros_like(params)
        elif self._m.shape != params.shape:
            raise ValueError(
                f"Adam state has shape {self._m.shape} but the parameters have shape "
                f"{params.shape}; call reset() to train another model"
            )
        t = self.num_steps + 1
        self._m = self.beta1 * self._m + (1.0 - self.beta1) * grad
        self._v = self.beta2 * self._v + (1.0 - self.beta2) * grad**2
        m_hat = self._m / (1.0 - self.beta1**t)
        v_hat = self._v / (1.0 - self.beta2**t)
        return params - lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def state_dict(self) -> dict[str, Any]:
        """The step counter and both moments (lists of floats, or None before the first step)."""
        return {
            **super().state_dict(),
            "m": None if self._m is None else self._m.tolist(),
            "v": None if self._v is None else self._v.tolist(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state produced by ``Adam.state_dict``.

        Raises:
            ValueError: If the state belongs to another optimizer or its moments are malformed.
        """
        super().load_state_dict(state)
        m, v = state.get("m"), state.get("v")
        if (m is None) != (v is None):
            raise ValueError("Adam state must have both moments m and v, or neither")
        if m is None:
            self._m = self._v = None
            return
        m_array, v_array = np.asarray(m, dtype=float), np.asarray(v, dtype=float)
        if m_array.shape != v_array.shape:
            raise ValueError(
                f"Adam state moments have different shapes {m_array.shape} and {v_array.shape}"
            )
        self._m, self._v = m_array, v_array

    def reset(self) -> None:
        """Forget the step counter and both moments."""
        super().reset()
        self._m = self._v = None
