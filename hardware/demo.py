"""The ``qsympass demo`` workflow: prune a TFIM ansatz for a real device layout, then train.

A 12-qubit transverse-field Ising ring and an over-parameterized layered ansatz go through the
preset pass manager of FakeSherbrooke (or of the chosen backend) twice: once with the
``qsympass`` init stage (symmetric pruning before layout) and once with Qiskit's default. Both
ISA circuits are then trained with the same optimizer and budget: exactly (the ISA circuit
restricted to its active qubits, on the exact engine) or, with a backend, through that backend's
estimator by parameter shift. By default both grow layer by layer, each deeper circuit started
from the interpolation of the shallower one's angles; the pruned circuit's layers come from the
pruning report (:meth:`~qsympass.pruning.PruningReport.pruned_layers`). On a backend the trained
parameters are measured once more (:mod:`qsympass.hardware.evaluation`: on Aer, averaging
``final_trajectories`` noise trajectories without shot noise; elsewhere at the estimator's
default precision) and on an ideal simulator: the training curve's last point is a noisy number.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from qiskit.quantum_info import SparsePauliOp
from qiskit_ibm_runtime.fake_provider import FakeSherbrooke

from qsympass.annotation import annotate
from qsympass.ansatz import layered_ansatz
from qsympass.ground_state import GroundStateRun, ground_energy, train_ground_state
from qsympass.hardware.backends import get_backend
from qsympass.hardware.estimators import make_estimator
from qsympass.hardware.evaluation import final_energies
from qsympass.hardware.isa import IsaProgram, active_qubit_program, to_isa
from qsympass.models import lattice, tfim
from qsympass.plotting import plot_curves


@dataclass(frozen=True)
class DemoConfig:
    """The demo's problem and training budget.

    Attributes:
        num_qubits: Sites of the TFIM ring.
        layers: Layers of the over-parameterized ansatz (RZZ per edge, then RX, RY, RZ per
            qubit).
        field: The transverse field h (J = 1).
        steps: Adam steps for each ansatz.
        learning_rate: Adam's learning rate.
        layerwise: Train layer by layer, each deeper circuit started by interpolation
            (:func:`qsympass.training.train_layerwise`), both ansätze alike.
        seed: Seeds the initial angles, the transpiler and the simulators.
        backend: ``None`` for exact training, or a backend name (e.g. ``aer:sherbrooke``).
        shots: Shots per circuit on a backend.
        final_trajectories: Noise trajectories of the final measurement on a noisy Aer
            backend (training uses the estimator's default of 8 per circuit); other backends
            ignore it.
        eqntk_samples: Samples for the EQNTK estimates of the pruning pass.
    """

    num_qubits: int = 12
    layers: int = 6
    field: float = 1.0
    steps: int = 600
    learning_rate: float = 0.05
    layerwise: bool = True
    seed: int = 0
    backend: str | None = None
    shots: int = 4000
    final_trajectories: int = 64
    eqntk_samples: int = 16

    def __post_init__(self) -> None:
        if self.num_qubits < 3 or self.layers < 1 or self.steps < 1 or self.shots < 1:
            raise ValueError("the demo needs at least 3 qubits, 1 layer, 1 step and 1 shot")
        if self.final_trajectories < 1:
            raise ValueError("the demo needs at least 1 final noise trajectory")


@dataclass(frozen=True)
class AnsatzOutcome:
    """One ansatz of the demo: its size, its ISA cost and how well it trained.

    ``final_relative_error`` is, without a backend, the last training step's exact error, and on
    a backend the trained parameters' error measured once more. ``noise_free_relative_error``
    is the trained parameters' error on an ideal simulator (``None`` without a backend).
    ``relative_errors`` are the training steps' own measurements.
    """

    name: str
    num_parameters: int
    effective_dimension: int | None
    eqntk: float | None
    two_qubit_gates: int
    depth: int
    final_relative_error: float
    noise_free_relative_error: float | None
    wall_time: float
    relative_errors: list[float] = field(repr=False)


@dataclass(frozen=True)
class DemoResult:
    """Everything the demo measured."""

    config: DemoConfig
    ground_energy: float
    pruning_table: str
    outcomes: list[AnsatzOutcome]

    def table(self) -> str:
        """The comparison as a plain-text table."""
        noise_free_header = f" {'noise-free':>11}" if self.config.backend is not None else ""
        header = (
            f"{'ansatz':<10} {'params':>6} {'d_eff':>6} {'EQNTK':>7} {'2q gates':>8} "
            f"{'depth':>6} {'energy error':>12}{noise_free_header} {'time s':>7}"
        )
        lines = [header, "-" * len(header)]
        for o in self.outcomes:
            deff = "-" if o.effective_dimension is None else str(o.effective_dimension)
            eqntk = "-" if o.eqntk is None else f"{o.eqntk:.3g}"
            noise_free = (
                f" {o.noise_free_relative_error:>11.3e}"
                if o.noise_free_relative_error is not None else ""
            )
            lines.append(
                f"{o.name:<10} {o.num_parameters:>6} {deff:>6} {eqntk:>7} {o.two_qubit_gates:>8} "
                f"{o.depth:>6} {o.final_relative_error:>12.3e}{noise_free} {o.wall_time:>7.1f}"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable record of the run."""
        return {
            "config": asdict(self.config),
            "ground_energy": self.ground_energy,
            "outcomes": [asdict(o) for o in self.outcomes],
        }


def run_demo(
    config: DemoConfig,
    *,
    progress: bool = True,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 1,
) -> DemoResult:
    """Prune, lay out and train the pruned and unpruned ansatz.

    Args:
        config: The problem and budget.
        progress: Show progress bars while training.
        checkpoint: Base name of the training checkpoints (``<checkpoint>.pruned`` and
            ``<checkpoint>.unpruned``, each with ``.layer<l>`` added per stage when training
            layer by layer); an interrupted demo run again with it resumes there.
        checkpoint_every: Write the checkpoints every this many steps.

    Returns:
        The pruning report's table and, for each ansatz, its size, ISA cost and final error.
    """
    graph = lattice("ring", config.num_qubits)
    hamiltonian = tfim(graph, j=1.0, h=config.field)
    ansatz = layered_ansatz(
        graph, config.layers, initial_state="plus", entanglers_first=True, name="tfim_ansatz"
    )
    layers = np.arange(ansatz.num_parameters) // (ansatz.num_parameters // config.layers)
    device = FakeSherbrooke() if config.backend is None else get_backend(config.backend)
    pruned = to_isa(
        annotate(ansatz, hamiltonian, eqntk_samples=config.eqntk_samples, seed=config.seed),
        hamiltonian,
        device,
        hamiltonian=hamiltonian,
        seed=config.seed,
    )
    unpruned = to_isa(
        ansatz, hamiltonian, device, hamiltonian=hamiltonian, seed=config.seed, init_method=None
    )
    report = pruned.pruning
    if report is None:
        raise RuntimeError("the qsympass init stage did not run symmetric pruning")
    e0 = ground_energy(hamiltonian)
    outcomes = []
    for name, program, deff, eqntk, program_layers in (
        ("pruned", pruned, report.effective_dimension_after, report.eqntk_after,
         report.pruned_layers(layers)),
        ("unpruned", unpruned, report.effective_dimension_before, report.eqntk_before, layers),
    ):
        run, seconds = _train(
            program, hamiltonian, e0, config, program_layers if config.layerwise else None,
            progress, None if checkpoint is None else f"{os.fspath(checkpoint)}.{name}",
            checkpoint_every,
        )
        final_error, noise_free_error = _final_errors(program, run, e0, config)
        outcomes.append(
            AnsatzOutcome(
                name=name,
                num_parameters=program.circuit.num_parameters,
                effective_dimension=deff,
                eqntk=eqntk,
                two_qubit_gates=program.two_qubit_gate_count,
                depth=program.depth,
                final_relative_error=final_error,
                noise_free_relative_error=noise_free_error,
                wall_time=seconds,
                relative_errors=[float(x) for x in run.relative_errors],
            )
        )
    return DemoResult(config, e0, report.table(), outcomes)


def _final_errors(
    program: IsaProgram, run: GroundStateRun, e0: float, config: DemoConfig
) -> tuple[float, float | None]:
    """The trained parameters' relative error, and on a backend its noise-free value."""
    if config.backend is None:
        return run.final_relative_error, None
    final = final_energies(
        program, run.params, trajectories=config.final_trajectories, seed=config.seed
    )
    return final.relative_errors(e0)


def _train(
    program: IsaProgram,
    hamiltonian: SparsePauliOp,
    e0: float,
    config: DemoConfig,
    layers: np.ndarray | None,
    progress: bool,
    checkpoint: str | None,
    checkpoint_every: int,
) -> tuple[GroundStateRun, float]:
    options: dict[str, Any] = {
        "checkpoint": checkpoint,
        "checkpoint_every": checkpoint_every,
        "steps": config.steps,
        "learning_rate": config.learning_rate,
        "seed": config.seed,
        "ground_energy_value": e0,
        "progress": progress,
        "layers": layers,
    }
    start = time.perf_counter()
    if config.backend is None:
        circuit, observable = active_qubit_program(program.circuit, program.observables[0])
        run = train_ground_state(circuit, observable, **options)
    else:
        with make_estimator(program.backend, shots=config.shots, seed=config.seed) as h:
            run = train_ground_state(
                program.circuit,
                hamiltonian,
                estimator=h.estimator,
                observable=program.observables[0],
                **options,
            )
    return run, time.perf_counter() - start


def write_outputs(result: DemoResult, out: Path) -> tuple[Path, Path]:
    """Write the convergence plot (PNG) and the JSON record.

    Returns:
        The plot's and the record's paths.
    """
    out.mkdir(parents=True, exist_ok=True)
    plot = out / "convergence.png"
    record = out / "demo.json"
    where = (
        "ISA for FakeSherbrooke, exact simulation" if result.config.backend is None
        else f"ISA for and measured on {result.config.backend}"
    )
    labels = {o.name: f"{o.name} ({o.num_parameters} parameters)" for o in result.outcomes}
    plot_curves(
        {labels[o.name]: o.relative_errors for o in result.outcomes},
        plot,
        end_markers={
            labels[o.name]: {
                "measured once more": o.final_relative_error,
                "noise-free": o.noise_free_relative_error,
            }
            for o in result.outcomes if o.noise_free_relative_error is not None
        },
        xlabel="Adam step" + (" (layer by layer)" if result.config.layerwise else ""),
        ylabel="relative energy error (E − E0)/|E0|",
        title=f"TFIM ring of {result.config.num_qubits}, {where}",
    )
    record.write_text(json.dumps(result.to_dict(), indent=2))
    return plot, record
