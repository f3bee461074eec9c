"""Layer-by-layer training of a layered circuit, each new layer started by interpolation.

Deep layered circuits trained from small angles often stall: a p = 6 QAOA circuit for the critical
TFIM ring of 12 sites stops near 1e-2 relative error whatever Adam's step size. Growing the circuit
one layer at a time, and starting each deeper circuit from the linear interpolation of the
shallower one's angles across layers (INTERP; Zhou, Wang, Choi, Pichler and Lukin, PRX 10,
021067, 2020), follows the smooth angle profiles that good solutions have.

A layer whose angles are all zero is the identity when every parameterized gate is a rotation, so
stage ``l`` trains the first ``l`` layers of the full circuit with the deeper ones held at zero:
its objective is the full circuit's, restricted to the active parameters. Every stage is an
ordinary :func:`~qsympass.training.train` run; with a checkpoint each stage writes its own file
(``<checkpoint>.layer<l>``), so an interrupted run resumes inside the stage where it stopped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qsympass.training.checkpoint import sha256_of
from qsympass.training.history import TrainingHistory
from qsympass.training.loop import SeedLike, TrainingResult, train
from qsympass.training.objectives import ObjectiveValue, evaluate
from qsympass.training.optimizers import Optimizer
from qsympass.validation import check_integer


@dataclass(frozen=True)
class LayerwiseResult:
    """How a layer-by-layer run went.

    Attributes:
        params: The final parameters of the whole circuit.
        history: Every stage's history, concatenated in step order.
        stages: The result of each stage (stage ``l`` trains the first ``l`` layers).
        total_wall_time: Seconds spent training, over all stages (resumed parts included).
    """

    params: np.ndarray
    history: TrainingHistory
    stages: list[TrainingResult] = field(repr=False)
    total_wall_time: float


def layer_slots(layers: ArrayLike) -> tuple[np.ndarray, int]:
    """Check a parameter-to-layer map and order the parameters layer by layer.

    Args:
        layers: The layer (0, 1, …) of every parameter.

    Returns:
        The parameter indices grouped by layer (in parameter order inside a layer), and the
        number of parameters per layer.

    Raises:
        ValueError: If the map is empty, not 1-D, has a negative or skipped layer, or the layers
            hold different numbers of parameters.
    """
    array = np.asarray(layers)
    if array.ndim != 1 or array.size == 0 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError("layers must be a non-empty 1-D array of integer layer indices")
    if array.min() < 0:
        raise ValueError("layer indices must be non-negative")
    counts = np.bincount(array)
    if np.any(counts != counts[0]):
        raise ValueError(
            "layer-by-layer training needs the same number of parameters in every layer, "
            f"got {counts.tolist()}"
        )
    return np.argsort(array, kind="stable"), int(counts[0])


def interpolate_layers(angles: np.ndarray) -> np.ndarray:
    """INTERP: the angles of ``l`` layers spread over ``l + 1`` layers.

    Every parameter slot is treated as a profile over the layers, padded with zeros at both
    ends: ``w_i = ((i − 1)/l) v_{i−1} + ((l − i + 1)/l) v_i`` for ``i = 1 … l + 1``. A constant
    profile stays constant.

    Args:
        angles: Shape ``(l, k)``, the angles of ``l`` layers of ``k`` slots.

    Returns:
        Shape ``(l + 1, k)``.

    Raises:
        ValueError: If ``angles`` is not 2-D with at least one layer.
    """
    angles = np.asarray(angles, dtype=float)
    if angles.ndim != 2 or angles.shape[0] == 0:
        raise ValueError(f"angles must have shape (layers, slots), got {angles.shape}")
    depth = angles.shape[0]
    zeros = np.zeros((1, angles.shape[1]))
    padded = np.vstack([zeros, angles, zeros])  # v_0 = v_{l+1} = 0
    i = np.arange(1, depth + 2)
    before = ((i - 1) / depth)[:, None]
    here = ((depth - i + 1) / depth)[:, None]
    return before * padded[i - 1] + here * padded[i]


def train_layerwise(
    objective: Callable[..., Any],
    initial_params: ArrayLike,
    layers: ArrayLike,
    optimizer: Callable[[], Optimizer],
    steps: int,
    *,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 1,
    progress: bool = True,
    config: Mapping[str, Any] | None = None,
    seed: SeedLike = None,
) -> LayerwiseResult:
    """Train layer by layer: the first layer, then two, …, each deeper circuit from INTERP.

    An objective with a ``for_parameters(indices)`` method (such as
    :class:`~qsympass.ground_state.EstimatorEnergyObjective`) is asked at each stage for a
    version that differentiates the active parameters only, so parameter shift skips the others.

    Args:
        objective: ``params -> (loss, grad, extras)`` of the whole circuit.
        initial_params: Starting angles of the whole circuit; only the first layer's are used
            (the deeper layers start from the interpolation of the trained shallower ones).
        layers: The layer of every parameter (the same number of parameters in every layer).
        optimizer: Makes a fresh optimizer for each stage.
        steps: Steps over all stages, split as evenly as possible (earlier stages get the
            remainder).
        checkpoint: Base name of the per-stage checkpoint files.
        checkpoint_every: Write a stage's checkpoint every this many steps (and at its end).
        progress: Show a progress bar per stage.
        config: Extra description of the run, added to every stage's fingerprint.
        seed: Seed of the ``rng`` passed to an objective that declares it (each stage draws
            from its own stream derived from the seed; a generator is shared by the stages).
            An objective that declares ``step`` receives the step counted over all stages.

    Returns:
        The final parameters and the concatenated history.

    Raises:
        ValueError: For an optimizer instead of a function that makes one, a bad layer map,
            initial parameters of the wrong length, or ``steps`` that is not an integer at
            least the number of layers.
    """
    if isinstance(optimizer, Optimizer) or not callable(optimizer):
        raise ValueError(
            "optimizer must make a fresh optimizer for each stage, e.g. lambda: Adam(0.05); "
            f"got {type(optimizer).__name__}"
        )
    check_integer(steps, "steps", minimum=1)
    order, slots = layer_slots(layers)
    params = np.array(initial_params, dtype=float)
    if params.shape != order.shape:
        raise ValueError(
            f"initial_params has shape {params.shape}, the layer map {order.shape}"
        )
    depth = order.size // slots
    if steps < depth:
        raise ValueError(f"steps ({steps}) must be at least the number of layers ({depth})")
    params[order[slots:]] = 0.0
    history = TrainingHistory()
    stages: list[TrainingResult] = []
    steps_before = 0
    for stage in range(1, depth + 1):
        active = order[: stage * slots]
        narrow = getattr(objective, "for_parameters", None)
        inner = narrow(active) if callable(narrow) else objective
        restricted = _ActiveParameters(inner, params.copy(), active, steps_before)
        stage_steps = steps // depth + (1 if stage <= steps % depth else 0)
        result = train(
            restricted,
            params[active],
            optimizer(),
            stage_steps,
            checkpoint=None if checkpoint is None else f"{os.fspath(checkpoint)}.layer{stage}",
            checkpoint_every=checkpoint_every,
            progress=progress,
            config={"layerwise_stage": stage, **(config or {})},
            seed=_stage_seed(seed, stage),
        )
        steps_before += stage_steps
        stages.append(result)
        _extend(history, result.history)
        params[active] = result.params
        if stage < depth:
            grown = interpolate_layers(params[active].reshape(stage, slots))
            params[order[: (stage + 1) * slots]] = grown.ravel()
    return LayerwiseResult(
        params=params,
        history=history,
        stages=stages,
        total_wall_time=sum(stage.total_wall_time for stage in stages),
    )


@dataclass(frozen=True)
class _ActiveParameters:
    """The whole circuit's objective as a function of its active parameters only."""

    objective: Callable[..., Any]
    base: np.ndarray
    active: np.ndarray
    steps_before: int

    def __call__(
        self, params: np.ndarray, *, step: int, rng: np.random.Generator
    ) -> ObjectiveValue:
        full = self.base.copy()
        full[self.active] = params
        value = evaluate(self.objective, full, step=self.steps_before + step, rng=rng)
        return ObjectiveValue(value.loss, value.grad[self.active], value.extras)

    def fingerprint(self) -> dict[str, Any]:
        """What identifies the restricted objective in a checkpoint."""
        describe = getattr(self.objective, "fingerprint", None)
        return {
            "objective": describe() if callable(describe) else None,
            "active": int(self.active.size),
            "base_sha256": sha256_of(self.base),
        }


def _stage_seed(seed: SeedLike, stage: int) -> SeedLike:
    """An independent integer seed per stage (a generator is shared as it is)."""
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    return int(np.random.SeedSequence([seed, stage]).generate_state(1)[0])


def _extend(history: TrainingHistory, part: TrainingHistory) -> None:
    for loss, grad_norm, extras in zip(part.loss, part.grad_norm, part.extras, strict=True):
        history.append(loss, grad_norm, extras)

