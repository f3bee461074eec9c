"""``qsympass demo``: symmetric pruning of a 12-qubit TFIM ansatz, laid out and trained."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from qsympass.cli.common import (
    CommandError,
    add_checkpoint_every_flag,
    add_output_flags,
    emit,
    output_folder,
    positive_int,
)
from qsympass.hardware.demo import DemoConfig, run_demo, write_outputs


def register(subparsers: Any) -> None:
    """Add the ``demo`` subcommand."""
    defaults = DemoConfig()
    parser = subparsers.add_parser(
        "demo",
        help="prune and train a TFIM ansatz for FakeSherbrooke (the main job)",
        description="Build a TFIM ring and an over-parameterized ansatz, prune it in the "
        "preset pass manager of FakeSherbrooke (init_method='qsympass'), train the pruned "
        "and the unpruned ISA circuit with the same budget, print a table and write a "
        "convergence plot and a JSON record.",
    )
    parser.add_argument("--qubits", type=int, default=defaults.num_qubits, help="ring sites")
    parser.add_argument(
        "--layers", type=int, default=defaults.layers, help="layers of the unpruned ansatz"
    )
    parser.add_argument("--steps", type=int, default=defaults.steps, help="Adam steps")
    parser.add_argument(
        "--learning-rate", type=float, default=defaults.learning_rate, help="Adam step size"
    )
    parser.add_argument(
        "--backend",
        default=None,
        help="train through this backend's estimator, e.g. aer:sherbrooke (default: exact)",
    )
    parser.add_argument("--shots", type=int, default=defaults.shots, help="shots on a backend")
    parser.add_argument(
        "--final-trajectories", type=positive_int, default=defaults.final_trajectories,
        metavar="N", help="noise trajectories of the final measurement on a noisy Aer backend",
    )
    parser.add_argument(
        "--all-layers-at-once",
        action="store_true",
        help="train every layer from the start instead of layer by layer",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    parser.add_argument(
        "--checkpoint", default=None, metavar="PATH",
        help="checkpoint training to files named PATH.pruned and PATH.unpruned (with "
        "'.layerK' added per layer when training layer by layer); rerun to resume",
    )
    add_checkpoint_every_flag(parser)
    add_output_flags(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    """Run the demo, print its table and write its files.

    Raises:
        CommandError: For a ``--checkpoint`` that is a folder or an ``--out`` that cannot be
            written.
    """
    config = DemoConfig(
        num_qubits=args.qubits,
        layers=args.layers,
        steps=args.steps,
        learning_rate=args.learning_rate,
        seed=args.seed,
        backend=args.backend,
        shots=args.shots,
        final_trajectories=args.final_trajectories,
        layerwise=not args.all_layers_at_once,
    )
    if args.checkpoint is not None and Path(args.checkpoint).is_dir():
        raise CommandError(
            f"--checkpoint {args.checkpoint} is a folder; give a file name inside it, e.g. "
            f"{Path(args.checkpoint) / 'demo'}"
        )
    out = output_folder(args, "qsympass-demo")
    result = run_demo(
        config, progress=not args.no_progress, checkpoint=args.checkpoint,
        checkpoint_every=args.checkpoint_every,
    )
    plot, record = write_outputs(result, out)
    payload = {**result.to_dict(), "plot": str(plot), "record": str(record)}
    text = "\n\n".join(
        [result.pruning_table, result.table(), f"wrote {plot} and {record}"]
    )
    emit(args, payload, text)
