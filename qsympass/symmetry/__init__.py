"""Symmetry detection and symmetry groups (DESIGN §1)."""

from qsympass.symmetry.detection import Symmetries, find_symmetries
from qsympass.symmetry.group import SymmetryGroup

__all__ = ["Symmetries", "SymmetryGroup", "find_symmetries"]
