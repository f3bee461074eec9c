"""``qsympass train``: train an ansatz towards a Hamiltonian's ground state, exactly or on a device.

The ansatz and the Hamiltonian are named as for ``qsympass prune``; ``--prune`` runs symmetric
pruning first. Without ``--backend`` the energy and its gradient are exact; with one, the
circuit is laid out for the device (pruned in the preset pass manager's init stage with
``--prune``) and measured through its estimator by parameter shift.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import PassManager
from qiskit.transpiler.exceptions import TranspilerError

from qsympass.annotation import annotate
from qsympass.cli.common import (
    CommandError,
    add_checkpoint_every_flag,
    add_hamiltonian_flags,
    add_output_flags,
    emit,
    non_negative_int,
    one_line,
    output_folder,
)
from qsympass.cli.prune import add_ansatz_flags, problem_from_args
from qsympass.ground_state import GroundStateRun, train_ground_state
from qsympass.hardware.estimators import make_estimator
from qsympass.hardware.evaluation import FinalEnergies, final_energies
from qsympass.hardware.isa import to_isa
from qsympass.plotting import plot_curves
from qsympass.pruning import SymmetricPruning


def register(subparsers: Any) -> None:
    """Add the ``train`` subcommand."""
    parser = subparsers.add_parser(
        "train",
        help="train an ansatz towards a Hamiltonian's ground state (exact or on a backend)",
        description="Train an ansatz with Adam towards the ground state of a Hamiltonian, "
        "optionally pruned first; exactly, or by parameter shift through a backend's estimator.",
    )
    add_ansatz_flags(parser)
    add_hamiltonian_flags(parser)
    training = parser.add_argument_group("training")
    training.add_argument("--prune", action="store_true", help="prune the ansatz first")
    training.add_argument("--steps", type=non_negative_int, default=300, help="Adam steps")
    training.add_argument("--learning-rate", type=float, default=0.05, help="Adam step size")
    training.add_argument(
        "--backend", default=None,
        help="measure through this backend's estimator, e.g. aer:sherbrooke (default: exact)",
    )
    training.add_argument(
        "--shots", type=non_negative_int, default=4000, help="shots per circuit on a backend"
    )
    training.add_argument(
        "--checkpoint", default=None, metavar="PATH",
        help="checkpoint to PATH; rerun the same command to resume",
    )
    add_checkpoint_every_flag(training)
    training.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    add_output_flags(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    """Train, write the energies and the final parameters, print a summary.

    Raises:
        CommandError: For bad input (see ``qsympass prune``), a step count or shot count of 0,
            or an ansatz that pruning or the backend rejects.
    """
    if args.steps < 1 or args.shots < 1:
        raise CommandError("--steps and --shots must be at least 1")
    hamiltonian, ansatz = problem_from_args(args)
    out = output_folder(args, "qsympass-train")
    try:
        circuit, outcome, final = _train(ansatz, hamiltonian, args)
    except TranspilerError as error:
        raise CommandError(one_line(error)) from None
    plot = out / "convergence.png"
    label = f"{circuit.num_parameters} parameters"
    values = _final_values(outcome, final)
    markers = {}
    if final is not None:
        markers[label] = {
            "measured once more": values["final_relative_error"],
            "noise-free": values["noise_free_relative_error"],
        }
    plot_curves(
        {label: outcome.relative_errors}, plot,
        xlabel="Adam step", ylabel="relative energy error (E − E0)/|E0|",
        title=args.backend or "exact simulation", end_markers=markers,
    )
    record = out / "train.json"
    payload = {
        "backend": args.backend,
        "pruned": args.prune,
        "num_parameters": circuit.num_parameters,
        "parameters": [p.name for p in circuit.parameters],
        "final_parameters": [float(x) for x in outcome.params],
        "ground_energy": outcome.ground_energy,
        **values,
        "relative_errors": [float(x) for x in outcome.relative_errors],
        "wall_time": outcome.wall_time,
        "plot": str(plot),
    }
    record.write_text(json.dumps(payload, indent=2))
    payload["record"] = str(record)
    emit(args, payload, _summary(circuit, outcome, values, plot, record))


def _train(
    ansatz: QuantumCircuit, hamiltonian: SparsePauliOp, args: argparse.Namespace
) -> tuple[QuantumCircuit, GroundStateRun, FinalEnergies | None]:
    options: dict[str, Any] = {
        "steps": args.steps,
        "learning_rate": args.learning_rate,
        "seed": args.seed,
        "checkpoint": args.checkpoint,
        "checkpoint_every": args.checkpoint_every,
        "progress": not args.no_progress,
    }
    if args.backend is None:
        circuit = _pruned(ansatz, hamiltonian, args.seed) if args.prune else ansatz
        return circuit, train_ground_state(circuit, hamiltonian, **options), None
    with make_estimator(args.backend, shots=args.shots, seed=args.seed) as handle:
        source = annotate(ansatz, hamiltonian, seed=args.seed) if args.prune else ansatz
        program = to_isa(
            source, hamiltonian, handle.backend, hamiltonian=hamiltonian, seed=args.seed,
            init_method="qsympass" if args.prune else None,
        )
        run = train_ground_state(
            program.circuit, hamiltonian, estimator=handle.estimator,
            observable=program.observables[0], **options,
        )
    final = final_energies(program, run.params, seed=args.seed)
    return program.circuit, run, final


def _pruned(ansatz: QuantumCircuit, hamiltonian: SparsePauliOp, seed: int) -> QuantumCircuit:
    manager = PassManager([SymmetricPruning(hamiltonian, seed=seed)])
    return manager.run(ansatz)


def _final_values(outcome: GroundStateRun, final: FinalEnergies | None) -> dict[str, Any]:
    """The energies to report: on a backend the final ones are the trained parameters measured
    once more (the last training step's are a noisy number); exactly, they are the last step's."""
    last_energy = float(outcome.energies[-1])
    values: dict[str, Any] = {
        "final_energy": last_energy,
        "final_relative_error": outcome.final_relative_error,
        "last_step_energy": last_energy,
        "last_step_relative_error": outcome.final_relative_error,
        "noise_free_energy": None,
        "noise_free_relative_error": None,
    }
    if final is not None:
        measured, noise_free = final.relative_errors(outcome.ground_energy)
        values.update(
            final_energy=final.measured, final_relative_error=measured,
            noise_free_energy=final.noise_free, noise_free_relative_error=noise_free,
        )
    return values


def _summary(
    circuit: QuantumCircuit,
    outcome: GroundStateRun,
    values: dict[str, Any],
    plot: Path,
    record: Path,
) -> str:
    lines = [
        f"{'parameters':<25}{circuit.num_parameters}",
        f"{'ground energy E0':<25}{outcome.ground_energy:.6f}",
    ]
    on_backend = values["noise_free_energy"] is not None
    if on_backend:
        lines += [
            f"{'last step energy':<25}{values['last_step_energy']:.6f} (relative error "
            f"{values['last_step_relative_error']:.3e})",
            f"{'noise-free energy':<25}{values['noise_free_energy']:.6f} (relative error "
            f"{values['noise_free_relative_error']:.3e})",
        ]
    measured_again = " (the trained angles measured once more)" if on_backend else ""
    lines += [
        f"{'final energy':<25}{values['final_energy']:.6f}{measured_again}",
        f"{'final relative error':<25}{values['final_relative_error']:.3e}",
        f"{'wall time':<25}{outcome.wall_time:.1f} s",
        f"wrote {plot} and {record}",
    ]
    return "\n".join(lines)
