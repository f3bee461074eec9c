"""Step schedules for learning rates and penalty strengths.

A schedule is either a constant ``float`` or a callable ``step -> value`` (``step`` counts from 0).
The dataclasses below are deterministic and have a stable ``repr``, so a run that uses them can be
fingerprinted for checkpoint/resume; an arbitrary callable is described by its qualified name.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

Schedule = float | Callable[[int], float]
"""A constant value or a callable of the (0-based) step."""


@dataclass(frozen=True)
class ExponentialDecay:
    """``initial * rate ** (step / decay_steps)``.

    Attributes:
        initial: Value at step 0.
        rate: Multiplicative decay per ``decay_steps`` steps, in (0, 1] for a decay.
        decay_steps: Number of steps over which the value is multiplied by ``rate``.
    """

    initial: float
    rate: float
    decay_steps: int = 1

    def __post_init__(self) -> None:
        if not math.isfinite(self.initial) or not math.isfinite(self.rate) or self.rate <= 0:
            raise ValueError(
                f"ExponentialDecay needs a finite initial value and a rate > 0, got "
                f"initial={self.initial}, rate={self.rate}"
            )
        if self.decay_steps < 1:
            raise ValueError(f"ExponentialDecay needs decay_steps >= 1, got {self.decay_steps}")

    def __call__(self, step: int) -> float:
        return float(self.initial * self.rate ** (step / self.decay_steps))


@dataclass(frozen=True)
class LinearRamp:
    """Linear interpolation from ``start`` to ``end`` over ``steps`` steps, then constant.

    Useful to switch a penalty on gradually (``LinearRamp(0.0, 1.0, 50)``) or to warm up a
    learning rate.

    Attributes:
        start: Value at step 0.
        end: Value from step ``steps`` on.
        steps: Length of the ramp (``>= 1``).
    """

    start: float
    end: float
    steps: int

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start) and math.isfinite(self.end)):
            raise ValueError(
                f"LinearRamp needs finite end points, got start={self.start}, end={self.end}"
            )
        if self.steps < 1:
            raise ValueError(f"LinearRamp needs steps >= 1, got {self.steps}")

    def __call__(self, step: int) -> float:
        fraction = min(max(step, 0), self.steps) / self.steps
        return float(self.start + (self.end - self.start) * fraction)


def schedule_value(schedule: Schedule, step: int) -> float:
    """Evaluate a schedule at ``step``.

    Args:
        schedule: A constant or a callable of the step.
        step: The 0-based step.

    Returns:
        The value as a Python float.
    """
    return float(schedule(step)) if callable(schedule) else float(schedule)


def describe_schedule(schedule: Schedule) -> float | str:
    """A JSON-friendly, deterministic description of a schedule for run fingerprints.

    Args:
        schedule: A constant or a callable of the step.

    Returns:
        The constant itself, the ``repr`` of a schedule dataclass of this module, or the
        qualified name of any other callable (which cannot see a change inside a closure).
    """
    if not callable(schedule):
        return float(schedule)
    if isinstance(schedule, (ExponentialDecay, LinearRamp)):
        return repr(schedule)
    module = getattr(schedule, "__module__", type(schedule).__module__)
    name = getattr(schedule, "__qualname__", type(schedule).__qualname__)
    return f"{module}.{name}"
