"""``qsympass classify``: SGGD against plain training on the paper's classification tasks."""

from __future__ import annotations

import argparse
from typing import Any

from qsympass.cli.common import (
    CommandError,
    add_output_flags,
    emit,
    output_folder,
    positive_int,
)
from qsympass.plotting import plot_curves
from qsympass.sggd.experiments import CIRCLE_SYMMETRIES, WERNER_SYMMETRIES, classify

TASK_SYMMETRIES = {"werner": WERNER_SYMMETRIES, "circle": CIRCLE_SYMMETRIES}


def register(subparsers: Any) -> None:
    """Add the ``classify`` subcommand."""
    parser = subparsers.add_parser(
        "classify",
        help="symmetry-guided training on biased classification data (paper 002's experiments)",
        description="Train the paper's classifiers with plain MSE and with the SGGD symmetry "
        "penalty on biased training data, and compare test accuracies. Werner states: "
        "symmetries collective (U⊗U) or swap; points in a square: swap (x↔y) or dihedral.",
    )
    parser.add_argument("--task", choices=sorted(TASK_SYMMETRIES), default="werner")
    parser.add_argument(
        "--symmetry",
        choices=sorted({s for group in TASK_SYMMETRIES.values() for s in group}),
        default=None,
        help="the penalty's symmetry (default: collective for werner, dihedral for circle)",
    )
    parser.add_argument("--num-seeds", type=int, default=5, help="seeds, from --seed upwards")
    parser.add_argument(
        "--steps", type=positive_int, default=None, help="training steps per run"
    )
    add_output_flags(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    """Train plain and SGGD models, print the table and save the training curves."""
    allowed = TASK_SYMMETRIES[args.task]
    symmetry = args.symmetry or ("collective" if args.task == "werner" else "dihedral")
    if symmetry not in allowed:
        raise CommandError(
            f"symmetry {symmetry!r} does not act on the {args.task} task; "
            f"choose one of {', '.join(allowed)}"
        )
    if args.num_seeds < 1:
        raise CommandError("--num-seeds must be at least 1")
    seeds = range(args.seed, args.seed + args.num_seeds)
    out = output_folder(args, "qsympass-classify")
    result = classify(args.task, symmetry, seeds, steps=args.steps)
    plot = out / f"{args.task}_training.png"
    plot_curves(
        {f"{run.symmetry}, seed {run.seed}": run.loss_curve for run in result.runs},
        plot,
        xlabel="Adam step",
        ylabel="training loss (MSE + λ·penalty)",
        title=f"{args.task}: plain vs symmetry-guided training",
    )
    emit(args, {**result.to_dict(), "plot": str(plot)}, f"{result.table()}\n\nwrote {plot}")
