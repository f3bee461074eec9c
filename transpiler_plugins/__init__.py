"""Qiskit stage plugins built from qsympass passes."""
