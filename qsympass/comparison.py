"""Train an ansatz and its symmetric pruning side by side: the comparison of DESIGN §4.

:func:`compare_pruned_unpruned` prunes an ansatz with :class:`~qsympass.pruning.SymmetricPruning`
in a ``PassManager``, then trains the original and the pruned circuit towards the Hamiltonian's
ground state with the same optimizer (Adam), budget, initialisation scheme and seeds, exactly
simulated. Alongside each run it records the measured normalised kernel ``K/ε`` (a
:class:`~qsympass.dynamics.GroundStateMonitor`) and, per circuit, the EQNTK predicted at
initialisation, so the predicted rate can be read next to the measured one.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import PassManager

from qsympass.dynamics.ground_state_monitor import GroundStateMonitor
from qsympass.effective_kernel import eqntk
from qsympass.ground_state import Initialisation, ground_energy, train_ground_state
from qsympass.pruning import PruningReport, SymmetricPruning
from qsympass.validation import as_hamiltonian, check_integer, require_width

__all__ = ["AnsatzTraining", "PruningComparison", "compare_pruned_unpruned", "train_seeds"]


@dataclass(frozen=True)
class AnsatzTraining:
    """One circuit trained from several seeds.

    Attributes:
        label: A name for the circuit (``pruned`` / ``unpruned``).
        num_parameters: Its trainable parameters.
        seeds: The seeds, one run each.
        relative_errors: ``(E − E0) / |E0|`` per seed and step, shape ``(seeds, steps)``.
        kernel_steps: The steps at which ``K/ε`` was recorded.
        normalized_kernels: Measured ``K/ε`` per seed at ``kernel_steps``.
        eqntk: The EQNTK predicted at (uniform) initialisation, if estimated.
        eqntk_stderr: Its standard error.
        effective_dimension: ``d_eff`` (an upper bound when ``effective_dimension_exact`` is
            false), if estimated.
        effective_dimension_exact: Whether ``effective_dimension`` is exact.
        wall_time: Seconds spent training (all seeds).
    """

    label: str
    num_parameters: int
    seeds: tuple[int, ...]
    relative_errors: np.ndarray = field(repr=False)
    kernel_steps: np.ndarray = field(repr=False)
    normalized_kernels: np.ndarray = field(repr=False)
    eqntk: float | None = None
    eqntk_stderr: float | None = None
    effective_dimension: int | None = None
    effective_dimension_exact: bool = False
    wall_time: float = 0.0

    @property
    def final_errors(self) -> np.ndarray:
        """The relative energy error measured at the last step (before its update), one per seed."""
        return self.relative_errors[:, -1]

    @property
    def median_final_error(self) -> float:
        """The median over seeds of the final relative energy error."""
        return float(np.median(self.final_errors))

    def median_curve(self) -> np.ndarray:
        """The median over seeds of the relative energy error at each step."""
        return np.median(self.relative_errors, axis=0)

    def median_normalized_kernel(self) -> np.ndarray:
        """The median over seeds of ``K/ε`` at each of ``kernel_steps``."""
        return np.median(self.normalized_kernels, axis=0)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable dict (curves included, as lists).

        Returns:
            The fields as plain Python values.
        """
        return {
            "label": self.label,
            "num_parameters": self.num_parameters,
            "seeds": list(self.seeds),
            "eqntk": self.eqntk,
            "eqntk_stderr": self.eqntk_stderr,
            "effective_dimension": self.effective_dimension,
            "effective_dimension_exact": self.effective_dimension_exact,
            "final_relative_errors": self.final_errors.tolist(),
            "median_final_relative_error": self.median_final_error,
            "relative_errors": self.relative_errors.tolist(),
            "kernel_steps": self.kernel_steps.tolist(),
            "normalized_kernels": _json_floats(self.normalized_kernels),
            "wall_time": self.wall_time,
        }


@dataclass(frozen=True)
class PruningComparison:
    """Result of :func:`compare_pruned_unpruned`.

    Attributes:
        unpruned: The original ansatz's runs.
        pruned: The pruned ansatz's runs.
        report: The pass's :class:`~qsympass.pruning.PruningReport`.
        pruned_circuit: The pruned ansatz.
        ground_energy: ``E0``.
        steps: Adam steps per run.
        learning_rate: Adam's learning rate.
        initialisation: ``small`` or ``uniform``.
    """

    unpruned: AnsatzTraining
    pruned: AnsatzTraining
    report: PruningReport = field(repr=False)
    pruned_circuit: QuantumCircuit = field(repr=False)
    ground_energy: float
    steps: int
    learning_rate: float
    initialisation: Initialisation

    @property
    def improvement(self) -> float:
        """Median final error of the unpruned ansatz over that of the pruned one."""
        pruned = self.pruned.median_final_error
        return self.unpruned.median_final_error / pruned if pruned > 0 else float("inf")

    def curves(self) -> dict[str, np.ndarray]:
        """Median relative-error curves, labelled, for :func:`qsympass.plotting.plot_curves`."""
        return {
            f"{run.label} ({run.num_parameters} params)": run.median_curve()
            for run in (self.unpruned, self.pruned)
        }

    def kernel_curves(self) -> dict[str, np.ndarray]:
        """Median measured ``K/ε`` at the recorded steps, labelled, for plotting."""
        return {
            f"{run.label} K/ε (EQNTK {_text(run.eqntk)})": run.median_normalized_kernel()
            for run in (self.unpruned, self.pruned)
        }

    def table(self) -> str:
        """A plain-text table: parameters, ``d_eff``, EQNTK and final errors per seed.

        Returns:
            The settings line, one row per circuit and the improvement factor.
        """
        lines = [
            f"Adam lr {self.learning_rate:g}, {self.steps} steps, {self.initialisation} "
            f"initialisation, seeds {list(self.unpruned.seeds)}, E0 = {self.ground_energy:.10g}",
            f"  {'ansatz':<9} {'params':>6} {'d_eff':>6} {'EQNTK':>14} {'median err':>11}  "
            "final relative error per seed",
        ]
        for run in (self.unpruned, self.pruned):
            deff = _text(run.effective_dimension)
            if run.effective_dimension is not None and not run.effective_dimension_exact:
                deff = "≤" + deff
            eqntk_text = _text(run.eqntk)
            if run.eqntk_stderr is not None:
                eqntk_text += f" ± {run.eqntk_stderr:.2g}"
            per_seed = " ".join(f"{e:9.2e}" for e in run.final_errors)
            lines.append(
                f"  {run.label:<9} {run.num_parameters:>6} {deff:>6} {eqntk_text:>14} "
                f"{run.median_final_error:>11.2e}  {per_seed}"
            )
        lines.append(f"  unpruned / pruned median error: {self.improvement:.3g}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable summary.

        Returns:
            The settings, both circuits' runs and the pruning report's summary.
        """
        return {
            "ground_energy": self.ground_energy,
            "steps": self.steps,
            "learning_rate": self.learning_rate,
            "initialisation": self.initialisation,
            "improvement": _json_float(self.improvement),
            "unpruned": self.unpruned.to_dict(),
            "pruned": self.pruned.to_dict(),
            "pruning": self.report.to_dict(),
        }


def compare_pruned_unpruned(
    ansatz: QuantumCircuit,
    hamiltonian: SparsePauliOp,
    *,
    seeds: Iterable[int] = range(5),
    steps: int = 300,
    learning_rate: float = 0.05,
    initialisation: Initialisation = "small",
    pruning: SymmetricPruning | None = None,
    eqntk_samples: int | None = 32,
    kernel_every: int = 10,
    progress: bool = False,
) -> PruningComparison:
    """Prune an ansatz, then train it and its pruned form with the same recipe.

    Args:
        ansatz: The (over-parameterized) ansatz; its fixed prefix prepares the initial state.
        hamiltonian: The Hamiltonian (same width; exactly diagonalisable).
        seeds: One training run per seed for each circuit.
        steps: Adam steps per run.
        learning_rate: Adam's learning rate.
        initialisation: ``small`` (normal, σ = 0.1) or ``uniform`` initial angles.
        pruning: The pruning pass to use (default ``SymmetricPruning(hamiltonian)``).
        eqntk_samples: Samples for each circuit's EQNTK estimate; ``None`` skips it.
        kernel_every: Record ``K/ε`` every this many steps.
        progress: Show progress bars.

    Returns:
        The :class:`PruningComparison`.

    Raises:
        ValueError: For an ansatz without parameters, a width mismatch, no seeds,
            ``steps < 1`` or ``eqntk_samples < 2``.
    """
    hamiltonian = as_hamiltonian(hamiltonian)
    require_width(hamiltonian, ansatz.num_qubits, "hamiltonian")
    if ansatz.num_parameters == 0:
        raise ValueError("the ansatz has no parameters to train")
    seed_list = tuple(int(s) for s in seeds)
    if not seed_list:
        raise ValueError("at least one seed is needed")
    check_integer(steps, "steps", minimum=1)
    if eqntk_samples is not None:
        check_integer(eqntk_samples, "eqntk_samples", minimum=2)
    manager = PassManager([pruning if pruning is not None else SymmetricPruning(hamiltonian)])
    pruned_circuit = manager.run(ansatz)
    report: PruningReport = manager.property_set["symmetric_pruning"]
    if pruned_circuit.num_parameters == 0:
        raise ValueError("symmetric pruning left no parameters to train")
    e0 = ground_energy(hamiltonian)
    recipe: dict[str, Any] = {
        "seeds": seed_list,
        "steps": steps,
        "learning_rate": learning_rate,
        "initialisation": initialisation,
        "ground_energy_value": e0,
        "eqntk_samples": eqntk_samples,
        "kernel_every": kernel_every,
        "progress": progress,
    }
    return PruningComparison(
        unpruned=train_seeds("unpruned", ansatz, hamiltonian, **recipe),
        pruned=train_seeds("pruned", pruned_circuit, hamiltonian, **recipe),
        report=report,
        pruned_circuit=pruned_circuit,
        ground_energy=e0,
        steps=steps,
        learning_rate=learning_rate,
        initialisation=initialisation,
    )


def train_seeds(
    label: str,
    circuit: QuantumCircuit,
    hamiltonian: SparsePauliOp,
    *,
    seeds: tuple[int, ...],
    steps: int,
    learning_rate: float,
    initialisation: Initialisation,
    ground_energy_value: float,
    eqntk_samples: int | None = 32,
    kernel_every: int = 10,
    progress: bool = False,
) -> AnsatzTraining:
    """Train one circuit from each seed, recording ``K/ε``, and estimate its EQNTK.

    Args:
        label: The circuit's name in tables.
        circuit: The parameterized circuit.
        hamiltonian: The Hamiltonian.
        seeds: One run per seed.
        steps: Adam steps per run.
        learning_rate: Adam's learning rate.
        initialisation: ``small`` or ``uniform``.
        ground_energy_value: ``E0``.
        eqntk_samples: Samples for the EQNTK estimate (seeded by the first seed); ``None``
            skips it.
        kernel_every: Record ``K/ε`` every this many steps.
        progress: Show progress bars.

    Returns:
        The :class:`AnsatzTraining`.
    """
    errors, kernels = [], []
    monitor_steps = np.zeros(0, dtype=int)
    start = time.perf_counter()
    for seed in seeds:
        monitor = GroundStateMonitor(ground_energy_value, every=kernel_every)
        run = train_ground_state(
            circuit,
            hamiltonian,
            steps=steps,
            learning_rate=learning_rate,
            initialisation=initialisation,
            seed=seed,
            ground_energy_value=ground_energy_value,
            callbacks=[monitor],
            progress=progress,
        )
        errors.append(run.relative_errors)
        kernels.append(monitor.normalized)
        monitor_steps = monitor.steps
    wall_time = time.perf_counter() - start
    estimate = None
    if eqntk_samples is not None:
        estimate = eqntk(
            circuit,
            hamiltonian,
            samples=eqntk_samples,
            seed=seeds[0],
            ground_energy=ground_energy_value,
        )
    return AnsatzTraining(
        label=label,
        num_parameters=circuit.num_parameters,
        seeds=seeds,
        relative_errors=np.array(errors, dtype=float),
        kernel_steps=monitor_steps,
        normalized_kernels=np.array(kernels, dtype=float),
        eqntk=None if estimate is None else estimate.value,
        eqntk_stderr=None if estimate is None else estimate.stderr,
        effective_dimension=None if estimate is None else estimate.effective_dimension,
        effective_dimension_exact=False if estimate is None else estimate.effective_dimension_exact,
        wall_time=wall_time,
    )


def _text(value: float | int | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _json_float(value: float) -> float | str:
    return value if np.isfinite(value) else str(value)


def _json_floats(values: np.ndarray) -> list[Any]:
    return [[_json_float(float(v)) for v in row] for row in np.atleast_2d(values)]
