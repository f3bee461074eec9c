"""Symmetry-guided gradient descent (SGGD): penalty and twirled-model terms for any estimator."""

from __future__ import annotations

from qsympass.sggd.estimator import SymmetryGuidedEstimator, SymmetryGuidedJob
from qsympass.sggd.gradient import penalty_gradient
from qsympass.sggd.twirled_circuits import BOUNDARY_LABEL

__all__ = [
    "BOUNDARY_LABEL",
    "SymmetryGuidedEstimator",
    "SymmetryGuidedJob",
    "penalty_gradient",
]
