"""Lattices and spin models: the Hamiltonians qsympass prepares ground states of."""

from qsympass.models.hamiltonians import heisenberg, tfim, xxz
from qsympass.models.lattices import LATTICE_KINDS, lattice, qubit_count
from qsympass.models.spectrum import ground_energy

__all__ = ["LATTICE_KINDS", "ground_energy", "heisenberg", "lattice", "qubit_count", "tfim", "xxz"]
