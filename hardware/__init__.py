"""Backends, ISA mapping and execution for qsympass workflows."""
