"""Lattices and spin models: the Hamiltonians qsympass prepares ground states of."""

from qsympass.models.hamiltonians import heisenberg, tfim, xxz
from qsympass.models.lattices import LATTICE_KINDS, lattice, qubit_count

__all__ = ["LATTICE_KINDS", "heisenberg", "lattice", "qubit_count", "tfim", "xxz"]
