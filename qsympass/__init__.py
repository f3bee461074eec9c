"""qsympass: symmetry as a compiler concern for variational quantum programs on Qiskit.

The public names are imported lazily so that ``import qsympass`` stays cheap and a user of one
feature never pays for the import of another.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_PUBLIC_NAMES: dict[str, str] = {
    # name -> "module" for subpackages, "module:attribute" for everything else
    "models": "qsympass.models",
    "datasets": "qsympass.datasets",
    "find_symmetries": "qsympass.symmetry:find_symmetries",
    "SymmetryGroup": "qsympass.symmetry:SymmetryGroup",
    "Symmetries": "qsympass.symmetry:Symmetries",
    "twirl": "qsympass.twirling:twirl",
    "estimate_twirl": "qsympass.twirling:estimate_twirl",
    "TwirlEstimate": "qsympass.twirling:TwirlEstimate",
    "symmetry_violation": "qsympass.twirling:symmetry_violation",
    "layered_ansatz": "qsympass.ansatz:layered_ansatz",
    "SymmetricPruning": "qsympass.pruning:SymmetricPruning",
    "PruningReport": "qsympass.pruning:PruningReport",
    "annotate": "qsympass.annotation:annotate",
    "eqntk": "qsympass.effective_kernel:eqntk",
    "EQNTKReport": "qsympass.effective_kernel:EQNTKReport",
    "EQNTKAnalysis": "qsympass.effective_kernel:EQNTKAnalysis",
    "effective_dimension": "qsympass.effective_space:effective_dimension",
    "dla_dimension": "qsympass.effective_space:dla_dimension",
    "ExactEngine": "qsympass.gradients:ExactEngine",
    "ParameterShiftGradient": "qsympass.gradients:ParameterShiftGradient",
    "SymmetryGuidedEstimator": "qsympass.sggd:SymmetryGuidedEstimator",
    "train": "qsympass.training:train",
    "train_ground_state": "qsympass.ground_state:train_ground_state",
    "train_layerwise": "qsympass.training:train_layerwise",
    "TrainingMonitor": "qsympass.dynamics:TrainingMonitor",
}

__all__ = sorted(_PUBLIC_NAMES)


def __getattr__(name: str) -> Any:
    target = _PUBLIC_NAMES.get(name)
    if target is None:
        raise AttributeError(f"module 'qsympass' has no attribute {name!r}")
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
