"""Generic training loop: optimizers, objectives, callbacks and checkpoint/resume.

Example:
    >>> import numpy as np
    >>> from qsympass.training import Adam, train
    >>> def objective(x):
    ...     return float(x @ x), 2 * x, {}
    >>> result = train(objective, np.ones(3), Adam(0.1), 200, progress=False)
    >>> bool(result.last_loss < 1e-3)
    True
"""

from __future__ import annotations

from .callbacks import Callback, GradientTolerance, TargetLoss
from .checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from .history import TrainingHistory
from .layerwise import LayerwiseResult, interpolate_layers, train_layerwise
from .loop import TrainingResult, train
from .metrics import accuracy, mse
from .objectives import (
    Objective,
    ObjectiveValue,
    PenalizedObjective,
    as_objective,
    mse_objective,
    penalized,
)
from .optimizers import Adam, GradientDescent, Optimizer
from .schedules import ExponentialDecay, LinearRamp, Schedule

__all__ = [
    "Adam",
    "Callback",
    "Checkpoint",
    "ExponentialDecay",
    "GradientDescent",
    "GradientTolerance",
    "LayerwiseResult",
    "LinearRamp",
    "Objective",
    "ObjectiveValue",
    "Optimizer",
    "PenalizedObjective",
    "Schedule",
    "TargetLoss",
    "TrainingHistory",
    "TrainingResult",
    "accuracy",
    "as_objective",
    "interpolate_layers",
    "load_checkpoint",
    "mse",
    "mse_objective",
    "penalized",
    "save_checkpoint",
    "train",
    "train_layerwise",
]
