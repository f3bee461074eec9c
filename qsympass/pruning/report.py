"""The record of one symmetric-pruning run: :class:`PruningReport` (DESIGN §3.7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class CandidateScore:
    """One candidate pruning: a subset of the symmetry families, imposed together.

    Attributes:
        families: The families imposed.
        num_parameters: Parameters left.
        status: ``selected``, ``scored``, ``valid``, ``empty``, ``misses the ground state`` or
            ``cannot entangle ...``.
        eqntk: Its EQNTK (``None`` when not scored).
        eqntk_stderr: Standard error of ``eqntk``.
        effective_dimension: Its ``d_eff`` when computed.
        ground_state_weight: Weight of the ground space in its reachable space when checked.
    """

    families: tuple[str, ...]
    num_parameters: int
    status: str
    eqntk: float | None = None
    eqntk_stderr: float | None = None
    effective_dimension: int | None = None
    ground_state_weight: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable dict.

        Returns:
            The fields as plain Python values.
        """
        return {
            "families": list(self.families),
            "num_parameters": self.num_parameters,
            "status": self.status,
            "eqntk": self.eqntk,
            "eqntk_stderr": self.eqntk_stderr,
            "effective_dimension": self.effective_dimension,
            "ground_state_weight": self.ground_state_weight,
        }


@dataclass(frozen=True)
class PruningReport:
    """What :class:`~qsympass.pruning.SymmetricPruning` did.

    Stored in ``property_set["symmetric_pruning"]``.

    Attributes:
        num_qubits: Circuit width.
        found: Family name -> group found (or given), as text.
        kept: Family name -> group imposed on the pruned circuit, as text.
        dropped: Family name -> why it (or part of it) was not imposed.
        selected: The families of the chosen candidate.
        candidates: Every candidate considered.
        num_parameters_before: Parameters of the input circuit.
        num_parameters_after: Parameters of the pruned circuit.
        parameter_map: Original parameter name -> its expression in the new parameters
            (``θ = B φ``; ``"0"`` for a removed parameter).
        removed_gates: Descriptions of the gates removed.
        effective_dimension_before: ``d_eff`` of the input circuit (when computed).
        effective_dimension_after: ``d_eff`` of the pruned circuit (when computed).
        eqntk_before: EQNTK of the input circuit (when scored).
        eqntk_after: EQNTK of the pruned circuit (when scored).
        basis: ``B`` as a sparse ``(num_parameters_before, num_parameters_after)`` integer matrix,
            rows in ``circuit.parameters`` order, columns in ``φ`` order.
    """

    num_qubits: int
    found: dict[str, str]
    kept: dict[str, str]
    dropped: dict[str, str]
    selected: tuple[str, ...]
    candidates: list[CandidateScore]
    num_parameters_before: int
    num_parameters_after: int
    parameter_map: dict[str, str]
    removed_gates: list[str]
    effective_dimension_before: int | None = None
    effective_dimension_after: int | None = None
    eqntk_before: float | None = None
    eqntk_after: float | None = None
    basis: sp.csc_matrix | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable summary (what goes into ``metadata["qsympass"]["pruning"]``).

        Returns:
            The fields as plain Python values (the basis as its parameter map).
        """
        return {
            "num_qubits": self.num_qubits,
            "found": dict(self.found),
            "kept": dict(self.kept),
            "dropped": dict(self.dropped),
            "selected": list(self.selected),
            "candidates": [c.to_dict() for c in self.candidates],
            "num_parameters_before": self.num_parameters_before,
            "num_parameters_after": self.num_parameters_after,
            "parameter_map": dict(self.parameter_map),
            "removed_gates": list(self.removed_gates),
            "effective_dimension_before": self.effective_dimension_before,
            "effective_dimension_after": self.effective_dimension_after,
            "eqntk_before": self.eqntk_before,
            "eqntk_after": self.eqntk_after,
        }

    def pruned_layers(self, layers: ArrayLike) -> np.ndarray:
        """The layer of every new parameter, from the layers of the original ones.

        Args:
            layers: The layer of every original parameter (``circuit.parameters`` order).

        Returns:
            The layer of every new parameter (``φ`` order): that of the original parameters it
            feeds (``θ = B φ``).

        Raises:
            ValueError: If the report has no basis, ``layers`` has the wrong length, or a new
                parameter feeds original parameters of several layers.
        """
        if self.basis is None:
            raise ValueError("this report carries no basis θ = B φ")
        original = np.asarray(layers)
        if original.shape != (self.num_parameters_before,):
            raise ValueError(
                f"layers must give the layer of each of the {self.num_parameters_before} "
                f"original parameters, got shape {original.shape}"
            )
        basis = sp.csc_matrix(self.basis)
        pruned = np.empty(basis.shape[1], dtype=original.dtype)
        for column in range(basis.shape[1]):
            fed = np.unique(original[basis.indices[basis.indptr[column]:basis.indptr[column + 1]]])
            if fed.size != 1:
                raise ValueError(
                    f"new parameter {column} feeds parameters of layers {fed.tolist()}"
                )
            pruned[column] = fed[0]
        return pruned

    def table(self) -> str:
        """A plain-text summary for the command line.

        Returns:
            Families kept and dropped, the candidates table, and the before/after numbers.
        """
        lines = [f"symmetric pruning on {self.num_qubits} qubits"]
        for name, group in self.found.items():
            if name in self.kept:
                lines.append(f"  kept     {name:<14} {self.kept[name]}")
                if name in self.dropped:
                    lines.append(f"           {'':<14} ({self.dropped[name]})")
            else:
                lines.append(f"  dropped  {name:<14} {group}: {self.dropped.get(name, '')}")
        lines.append("candidates:")
        header = f"  {'families':<40} {'params':>6} {'EQNTK':>10} {'d_eff':>6}  status"
        lines.append(header)
        for c in self.candidates:
            families = ", ".join(c.families) or "(none)"
            value = "-" if c.eqntk is None else f"{c.eqntk:.4g}"
            deff = "-" if c.effective_dimension is None else str(c.effective_dimension)
            lines.append(
                f"  {families:<40} {c.num_parameters:>6} {value:>10} {deff:>6}  {c.status}"
            )
        lines.append(f"parameters      {self.num_parameters_before} -> {self.num_parameters_after}")
        lines.append(f"removed gates   {len(self.removed_gates)}")
        lines.append(
            f"d_eff           {_text(self.effective_dimension_before)} -> "
            f"{_text(self.effective_dimension_after)}"
        )
        lines.append(f"EQNTK           {_text(self.eqntk_before)} -> {_text(self.eqntk_after)}")
        return "\n".join(lines)


def _text(value: float | int | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if isinstance(value, float) else str(value)
