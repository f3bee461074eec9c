"""Energies and gradients of parameterized circuits: exactly, or by parameter shift."""

from qsympass.gradients.exact import ExactEngine
from qsympass.gradients.parameter_shift import GradientResult, ParameterShiftGradient

__all__ = ["ExactEngine", "GradientResult", "ParameterShiftGradient"]
