"""A training callback that records the loss, tangent kernels and their drift along a run."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from qsympass.dynamics.convergence import ConvergenceReport, classify_convergence
from qsympass.dynamics.kernel import (
    FrozenKernelPrediction,
    frozen_kernel_prediction,
    kernel_drift,
    tangent_kernel,
)
from qsympass.dynamics.objective import SupervisedObjective
from qsympass.dynamics.sources import GradientSource

__all__ = ["TrainingMonitor"]


class TrainingMonitor:
    """Callback for :func:`qsympass.training.train`: loss every step, kernel every k steps.

    With a :class:`~qsympass.dynamics.objective.SupervisedObjective` (the one being trained) the
    kernel reuses the Jacobian the objective just computed, so monitoring is free apart from the
    ``m × m`` product. With another :class:`~qsympass.dynamics.sources.GradientSource` and
    labels, the Jacobian is evaluated once per recorded kernel.

    Args:
        model: The objective being trained, or a gradient source (then ``labels`` is required).
        labels: Targets y when ``model`` is a plain source.
        learning_rate: Gradient-descent step, used for the frozen-kernel prediction.
        kernel_every: Record the kernel at steps ``0, k, 2k, …``.

    Raises:
        ValueError: If ``kernel_every < 1``, ``learning_rate <= 0`` or labels are missing.
    """

    def __init__(
        self,
        model: SupervisedObjective | GradientSource,
        *,
        labels: np.ndarray | None = None,
        learning_rate: float | None = None,
        kernel_every: int = 10,
    ) -> None:
        if kernel_every < 1:
            raise ValueError(f"kernel_every must be >= 1, got {kernel_every}")
        if learning_rate is not None and not learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
        if isinstance(model, SupervisedObjective):
            self.objective = model
        elif labels is None:
            raise ValueError("labels are required when the monitor gets a plain gradient source")
        else:
            self.objective = SupervisedObjective(model, labels)
        self.learning_rate = learning_rate
        self.kernel_every = kernel_every
        self._steps: list[int] = []
        self._losses: list[float] = []
        self._kernel_steps: list[int] = []
        self._kernels: list[np.ndarray] = []
        self._residuals: list[np.ndarray] = []

    # -- the Callback protocol ---------------------------------------------------------------
    def on_step(
        self,
        step: int,
        params: np.ndarray,
        loss: float,
        grad: np.ndarray,
        extras: Mapping[str, float],
    ) -> str | None:
        """Record the loss, and the kernel when ``step`` is a multiple of ``kernel_every``."""
        self._steps.append(int(step))
        self._losses.append(float(loss))
        if step % self.kernel_every == 0:
            outputs, jacobian = self.objective.outputs_and_jacobian(params)
            self._kernel_steps.append(int(step))
            self._kernels.append(tangent_kernel(jacobian))
            self._residuals.append(np.asarray(outputs) - self.objective.labels)
        return None

    def state_dict(self) -> dict[str, Any]:
        """Everything recorded so far (JSON types and arrays), for checkpoints."""
        return series_state({
            "steps": self._steps,
            "losses": self._losses,
            "kernel_steps": self._kernel_steps,
            "kernels": self._kernels,
            "residuals": self._residuals,
        })

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved.

        Raises:
            ValueError: If the state is malformed.
        """
        series = load_series(
            state,
            {
                "steps": int,
                "losses": float,
                "kernel_steps": int,
                "kernels": _float_array,
                "residuals": _float_array,
            },
            aligned=(("steps", "losses"), ("kernel_steps", "kernels", "residuals")),
            owner="TrainingMonitor",
        )
        self._steps, self._losses = series["steps"], series["losses"]
        self._kernel_steps = series["kernel_steps"]
        self._kernels, self._residuals = series["kernels"], series["residuals"]

    # -- results -----------------------------------------------------------------------------
    @property
    def steps(self) -> np.ndarray:
        """Recorded steps."""
        return np.array(self._steps, dtype=int)

    @property
    def losses(self) -> np.ndarray:
        """Loss at each recorded step."""
        return np.array(self._losses)

    @property
    def kernel_steps(self) -> np.ndarray:
        """Steps at which a kernel was recorded."""
        return np.array(self._kernel_steps, dtype=int)

    @property
    def kernels(self) -> np.ndarray:
        """Recorded kernels, shape (K, m, m)."""
        return np.array(self._kernels)

    @property
    def residuals(self) -> np.ndarray:
        """Residuals at the kernel steps, shape (K, m)."""
        return np.array(self._residuals)

    def drift(self) -> np.ndarray:
        """Relative kernel drift ``‖K(t) − K(t_0)‖_F / ‖K(t_0)‖_F`` at each kernel step.

        Raises:
            ValueError: If no kernel has been recorded.
        """
        if not self._kernels:
            raise ValueError("no kernel recorded yet")
        return np.array([kernel_drift(k, self._kernels[0]) for k in self._kernels])

    def frozen_prediction(
        self, steps: int | None = None, learning_rate: float | None = None
    ) -> FrozenKernelPrediction:
        """Kernel regression with the first recorded kernel, over ``steps`` steps.

        Args:
            steps: Horizon (default: the last recorded step minus the first kernel step).
            learning_rate: η (default: the monitor's).

        Returns:
            The prediction; its step 0 is the first kernel step.

        Raises:
            ValueError: If no kernel was recorded or no learning rate is known.
        """
        rate = self.learning_rate if learning_rate is None else learning_rate
        if rate is None:
            raise ValueError("a learning rate is needed for the frozen-kernel prediction")
        if not self._kernels:
            raise ValueError("no kernel recorded yet")
        horizon = self._steps[-1] - self._kernel_steps[0] if steps is None else steps
        return frozen_kernel_prediction(self._kernels[0], self._residuals[0], rate, horizon)

    def convergence(self, **kwargs: Any) -> ConvergenceReport:
        """:func:`~qsympass.dynamics.convergence.classify_convergence` of the recorded losses."""
        return classify_convergence(self.losses, self.steps, **kwargs)


# -- checkpoints of recorded series (shared with GroundStateMonitor) ---------------------------
def series_state(series: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
    """The checkpoint form of recorded series: numbers and arrays as (nested) JSON lists.

    Args:
        series: Checkpoint key → the values recorded so far (numbers or equally shaped arrays).

    Returns:
        Key → ``np.array(values).tolist()``, a fresh list of Python numbers.
    """
    return {key: np.array(values).tolist() for key, values in series.items()}


def load_series(
    state: Mapping[str, Any],
    converters: Mapping[str, Callable[[Any], Any]],
    *,
    aligned: Sequence[Sequence[str]],
    owner: str,
) -> dict[str, list[Any]]:
    """Read back what :func:`series_state` saved, entry by entry.

    Args:
        state: The saved state.
        converters: Checkpoint key → the conversion of one saved entry (e.g. ``int``).
        aligned: Groups of keys whose series were recorded together and must be equally long.
        owner: The monitor's class name, for error messages.

    Returns:
        Key → the converted entries.

    Raises:
        ValueError: If a key is missing, an entry does not convert, or an aligned group's
            series differ in length.
    """
    try:
        series = {key: [convert(v) for v in state[key]] for key, convert in converters.items()}
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"malformed {owner} state: {exc}") from exc
    if any(len({len(series[key]) for key in group}) > 1 for group in aligned):
        raise ValueError(f"malformed {owner} state: lengths do not match")
    return series


def _float_array(entry: Any) -> np.ndarray:
    return np.asarray(entry, dtype=float)
