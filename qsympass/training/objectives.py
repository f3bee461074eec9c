"""Objectives: callables ``params -> (loss, grad, extras)`` and combinators.

An objective returns the loss, its gradient with respect to the parameters, and ``extras``, a
mapping of named floats that the training loop records per step (``mse``, ``penalty``,
``accuracy`` ...). An objective may also declare keyword arguments ``step`` (the 0-based training
step) and/or ``rng`` (the run's seeded ``numpy.random.Generator``); the training loop passes the
ones it declares, so scheduled or stochastic objectives resume exactly from a checkpoint.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import numpy as np
from numpy.typing import ArrayLike

from .metrics import accuracy
from .schedules import Schedule, describe_schedule, schedule_value

CONTEXT_KEYWORDS = ("step", "rng")
"""Keyword arguments the training loop passes to an objective that declares them."""


class ObjectiveValue(NamedTuple):
    """What an objective returns (a plain 3-tuple is accepted as well)."""

    loss: float
    grad: np.ndarray
    extras: Mapping[str, float]


class Objective(Protocol):
    """``params -> (loss, grad, extras)``; may also accept keywords ``step`` and ``rng``."""

    def __call__(self, params: np.ndarray) -> tuple[float, np.ndarray, Mapping[str, float]]:
        """Evaluate the loss, its gradient and extra diagnostics at ``params``."""
        ...


def context_keywords(objective: Callable[..., Any]) -> frozenset[str]:
    """The context keywords (``step``, ``rng``) that ``objective`` declares.

    Args:
        objective: Any callable.

    Returns:
        The subset of ``CONTEXT_KEYWORDS`` that can be passed by keyword.
    """
    try:
        parameters = inspect.signature(objective).parameters
    except (TypeError, ValueError):
        return frozenset()
    passable = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return frozenset(
        name for name, parameter in parameters.items()
        if name in CONTEXT_KEYWORDS and parameter.kind in passable
    )


def evaluate(
    objective: Callable[..., Any],
    params: np.ndarray,
    *,
    step: int | None = None,
    rng: np.random.Generator | None = None,
    keywords: frozenset[str] | None = None,
) -> ObjectiveValue:
    """Call an objective with the context it declares and validate what it returns.

    Args:
        objective: The objective.
        params: Parameters, a 1-D real array.
        step: The training step, passed if the objective declares ``step``.
        rng: The run's generator, passed if the objective declares ``rng``.
        keywords: Precomputed ``context_keywords(objective)`` (computed when omitted).

    Returns:
        The loss as a float, the gradient as a float array of the parameters' shape and the
        extras as a ``dict[str, float]``. The loss may be NaN; the caller decides.

    Raises:
        ValueError: If the objective does not return ``(loss, grad, extras)`` of matching shapes.
    """
    keywords = context_keywords(objective) if keywords is None else keywords
    context: dict[str, Any] = {"step": step, "rng": rng}
    result = objective(params, **{name: context[name] for name in keywords})
    if not isinstance(result, tuple) or len(result) != 3:
        raise ValueError(
            "an objective must return a tuple (loss, grad, extras), got "
            f"{type(result).__name__}"
        )
    loss_value, grad_value, extras_value = result
    loss_array = np.asarray(loss_value)
    if loss_array.size != 1 or np.iscomplexobj(loss_array):
        raise ValueError(f"objective loss must be a real scalar, got {loss_value!r}")
    grad = np.asarray(grad_value)
    if np.iscomplexobj(grad):
        raise ValueError("objective gradient must be real")
    grad = grad.astype(float, copy=False)
    if grad.shape != np.shape(params):
        raise ValueError(
            f"objective gradient has shape {grad.shape}, parameters have shape {np.shape(params)}"
        )
    if not isinstance(extras_value, Mapping):
        raise ValueError(
            f"objective extras must be a mapping of names to floats, got "
            f"{type(extras_value).__name__}"
        )
    extras = {str(name): float(value) for name, value in extras_value.items()}
    return ObjectiveValue(float(loss_array.reshape(())), grad, extras)


@dataclass(frozen=True)
class PenalizedObjective:
    """``loss = data_loss + λ(step) · penalty`` (built by :func:`penalized`).

    Attributes:
        mse_objective: The data term (MSE or any loss).
        penalty_objective: The penalty term ``P(θ) >= 0``.
        strength: λ, a constant ``>= 0`` or a callable of the training step.
        loss_name: Name of the data term in the extras.
    """

    mse_objective: Callable[..., Any]
    penalty_objective: Callable[..., Any]
    strength: Schedule
    loss_name: str = "mse"

    def __post_init__(self) -> None:
        if not callable(self.strength):
            _check_strength(float(self.strength), step=None)
        if self.loss_name in ("penalty", "penalty_strength"):
            raise ValueError(f"loss_name {self.loss_name!r} clashes with the penalty extras")

    def __call__(
        self,
        params: np.ndarray,
        *,
        step: int | None = None,
        rng: np.random.Generator | None = None,
    ) -> ObjectiveValue:
        """Evaluate both terms; outside the training loop ``step`` defaults to 0.

        Raises:
            ValueError: If the scheduled strength is negative or not finite at this step.
        """
        step_index = 0 if step is None else step
        strength = schedule_value(self.strength, step_index)
        _check_strength(strength, step=step_index if callable(self.strength) else None)
        data = evaluate(self.mse_objective, params, step=step, rng=rng)
        penalty = evaluate(self.penalty_objective, params, step=step, rng=rng)
        extras = {
            **data.extras,
            **penalty.extras,
            self.loss_name: data.loss,
            "penalty": penalty.loss,
            "penalty_strength": strength,
        }
        return ObjectiveValue(
            data.loss + strength * penalty.loss, data.grad + strength * penalty.grad, extras
        )

    def fingerprint(self) -> dict[str, Any]:
        """JSON-friendly description included in checkpoint fingerprints."""
        return {
            "kind": "penalized",
            "strength": describe_schedule(self.strength),
            "loss_name": self.loss_name,
        }


def _check_strength(strength: float, *, step: int | None) -> None:
    if not (math.isfinite(strength) and strength >= 0):
        where = "" if step is None else f" at step {step}"
        raise ValueError(f"penalty strength λ must be a finite number >= 0, got {strength}{where}")


def penalized(
    mse_objective: Callable[..., Any],
    penalty_objective: Callable[..., Any],
    strength: Schedule,
    *,
    loss_name: str = "mse",
) -> PenalizedObjective:
    """Combine a data loss and a penalty: ``loss = mse + λ · penalty`` (SGGD's C1).

    The extras hold both terms (``loss_name`` and ``"penalty"``), the strength used
    (``"penalty_strength"``) and the extras of both objectives.

    Args:
        mse_objective: Objective of the data term.
        penalty_objective: Objective of the penalty.
        strength: λ, a constant ``>= 0`` or a callable of the training step (e.g. ``LinearRamp``).
        loss_name: Name of the data term in the extras.

    Returns:
        The combined objective.

    Raises:
        ValueError: If a constant λ is negative or not finite (a scheduled λ is checked at each
            step).
    """
    return PenalizedObjective(mse_objective, penalty_objective, strength, loss_name)


def as_objective(
    loss_and_gradient: Callable[[np.ndarray], tuple[Any, Any]], *, name: str | None = None
) -> Callable[[np.ndarray], ObjectiveValue]:
    """Adapt ``params -> (loss, grad)`` (e.g. ``ExactEngine.energy_and_gradient``) to an objective.

    Args:
        loss_and_gradient: The function to adapt.
        name: If given, the loss is also recorded in the extras under this name.

    Returns:
        An objective with empty extras (or ``{name: loss}``).
    """

    def objective(params: np.ndarray) -> ObjectiveValue:
        loss, grad = loss_and_gradient(params)
        value = float(np.asarray(loss).reshape(()))
        return ObjectiveValue(value, np.asarray(grad, dtype=float), {} if name is None
                              else {name: value})

    return objective


def mse_objective(
    model: Callable[..., tuple[ArrayLike, ArrayLike]], labels: ArrayLike
) -> Callable[..., ObjectiveValue]:
    """Mean squared error of a model with a Jacobian: ``mean((f(θ) - y)²)``.

    Args:
        model: ``params -> (predictions (m,), jacobian (m, p))``; may declare ``step``/``rng``.
        labels: Targets ``y`` of shape (m,). If all are ±1 the extras also hold ``accuracy``.

    Returns:
        An objective with extras ``mse`` (and ``accuracy`` for ±1 labels).

    Raises:
        ValueError: If the labels are empty, not 1-D or not finite (at construction), or the model
            returns shapes that do not match (at evaluation).
    """
    targets = np.asarray(labels, dtype=float)
    if targets.ndim != 1 or targets.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D array, got shape {targets.shape}")
    if not np.all(np.isfinite(targets)):
        raise ValueError("labels contain NaN or infinite entries")
    binary = bool(np.all(np.abs(targets) == 1.0))
    keywords = context_keywords(model)

    def objective(
        params: np.ndarray,
        *,
        step: int | None = None,
        rng: np.random.Generator | None = None,
    ) -> ObjectiveValue:
        context: dict[str, Any] = {"step": step, "rng": rng}
        raw_predictions, raw_jacobian = model(
            params, **{name: context[name] for name in keywords}
        )
        predictions = np.asarray(raw_predictions, dtype=float)
        jacobian = np.asarray(raw_jacobian, dtype=float)
        if predictions.shape != targets.shape:
            raise ValueError(
                f"model predictions have shape {predictions.shape}, labels {targets.shape}"
            )
        if jacobian.shape != (targets.size, np.size(params)):
            raise ValueError(
                f"model Jacobian has shape {jacobian.shape}, expected "
                f"{(targets.size, np.size(params))}"
            )
        residual = predictions - targets
        loss = float(np.mean(residual**2))
        grad = (2.0 / targets.size) * (residual @ jacobian)
        extras = {"mse": loss}
        if binary and np.all(np.isfinite(predictions)):
            extras["accuracy"] = accuracy(predictions, targets)
        return ObjectiveValue(loss, grad, extras)

    return objective
