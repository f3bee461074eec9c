"""Backends, ISA mapping and execution for qsympass workflows.

Backend names: ``aer`` (ideal), ``aer:<fake>`` (Aer with a fake device's noise), ``fake:<name>``
(qiskit-ibm-runtime local testing mode) and ``ibm:<name>`` (IBM Quantum).
"""

from qsympass.hardware.backends import (
    UnknownBackendError,
    fake_backend,
    get_backend,
    list_backends,
)
from qsympass.hardware.credentials import MissingCredentialsError
from qsympass.hardware.estimators import EstimatorHandle, make_estimator
from qsympass.hardware.evaluation import (
    FinalEnergies,
    final_energies,
    measured_energy,
    noise_free_energy,
)
from qsympass.hardware.isa import (
    IsaProgram,
    active_qubit_program,
    require_isa,
    swap_free_layout,
    to_isa,
)
from qsympass.hardware.retry import RetryingEstimator, RetryPolicy

__all__ = [
    "EstimatorHandle",
    "FinalEnergies",
    "IsaProgram",
    "MissingCredentialsError",
    "RetryPolicy",
    "RetryingEstimator",
    "UnknownBackendError",
    "active_qubit_program",
    "fake_backend",
    "final_energies",
    "get_backend",
    "list_backends",
    "make_estimator",
    "measured_energy",
    "noise_free_energy",
    "require_isa",
    "swap_free_layout",
    "to_isa",
]
