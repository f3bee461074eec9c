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
    "find_symmetries": "qsympass.symmetry",
    "SymmetryGroup": "qsympass.symmetry",
    "Symmetries": "qsympass.symmetry",
    "twirl": "qsympass.twirl",
    "symmetry_violation": "qsympass.twirl",
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
