"""qsympass: symmetry as a compiler concern for variational quantum programs on Qiskit.

The public names are imported lazily so that ``import qsympass`` stays cheap and a user of one
feature never pays for the import of another.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_PUBLIC_NAMES: dict[str, str] = {
    "models": "qsympass.models",
    "datasets": "qsympass.datasets",
    "find_symmetries": "qsympass.symmetry",
    "SymmetryGroup": "qsympass.symmetry",
    "Symmetries": "qsympass.symmetry",
    "twirl": "qsympass.twirl",
    "symmetry_violation": "qsympass.twirl",
    "layered_ansatz": "qsympass.ansatz",
    "SymmetricPruning": "qsympass.pruning",
    "PruningReport": "qsympass.pruning",
    "annotate": "qsympass.annotate",
    "eqntk": "qsympass.eqntk",
    "EQNTKReport": "qsympass.eqntk",
    "EQNTKAnalysis": "qsympass.eqntk",
    "effective_dimension": "qsympass.eqntk",
    "dla_dimension": "qsympass.eqntk",
    "ExactEngine": "qsympass.gradients",
    "ParameterShiftGradient": "qsympass.gradients",
    "SymmetryGuidedEstimator": "qsympass.sggd",
    "train": "qsympass.training",
    "train_ground_state": "qsympass.ground_state",
    "TrainingMonitor": "qsympass.dynamics",
}

__all__ = sorted(_PUBLIC_NAMES)


def __getattr__(name: str) -> Any:
    module_name = _PUBLIC_NAMES.get(name)
    if module_name is None:
        raise AttributeError(f"module 'qsympass' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    return module if module_name.endswith(f".{name}") else getattr(module, name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
