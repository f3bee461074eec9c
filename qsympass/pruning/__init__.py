"""Symmetric pruning: remove symmetry-breaking gates and tie symmetry-related parameters."""

from qsympass.pruning.report import CandidateScore, PruningReport
from qsympass.pruning.symmetric_pruning import SymmetricPruning

__all__ = ["CandidateScore", "PruningReport", "SymmetricPruning"]
