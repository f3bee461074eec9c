"""``qsympass dynamics``: how a QNN's tangent kernel moves, and what that does to convergence."""

from __future__ import annotations

import argparse
from typing import Any

from qsympass.cli.common import (
    CommandError,
    add_output_flags,
    emit,
    output_folder,
    positive_float,
    positive_int,
)
from qsympass.dynamics import (
    ConvergenceExperiment,
    format_experiment_table,
    plot_convergence_experiments,
    run_convergence_experiment,
)

#: Ten steps leave the convergence test its 5 points in the late half of the run.
MIN_STEPS = 10


def register(subparsers: Any) -> None:
    """Add the ``dynamics`` subcommand."""
    parser = subparsers.add_parser(
        "dynamics",
        help="tangent-kernel diagnostics of a supervised QNN (paper 001's experiment)",
        description="Train a QNN on random orthogonal states with measurement γZ and compare "
        "the run with the frozen-kernel prediction and the over-parameterized limit; tell "
        "sublinear from exponential convergence.",
    )
    parser.add_argument(
        "--gammas", type=positive_float, nargs="+", default=[1.0, 2.0],
        help="measurement scales γ",
    )
    parser.add_argument(
        "--num-parameters", type=positive_int, default=1000, help="circuit parameters p"
    )
    parser.add_argument(
        "--steps", type=positive_int, default=300,
        help=f"gradient-descent steps (at least {MIN_STEPS})",
    )
    parser.add_argument(
        "--learning-rate", type=positive_float, default=None,
        help="step size (default: 10 / p)",
    )
    parser.add_argument(
        "--pauli-sampling", choices=["rounds", "independent"], default="rounds",
        help="every Pauli string once per round (default) or each one independently",
    )
    parser.add_argument(
        "--initialization", choices=["identity", "random"], default="identity",
        help="start at θ = 0 (default) or at angles uniform in [0, 2π)",
    )
    parser.add_argument(
        "--discretization", choices=["steps", "flow"], default="steps",
        help="integrate the over-parameterized limit one exponential step per gradient-descent "
        "step (default) or as the continuous flow",
    )
    add_output_flags(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    """Run one experiment per γ, print the table and save the plots.

    Raises:
        CommandError: For fewer than ``MIN_STEPS`` steps or an ``--out`` that cannot be written.
    """
    if args.steps < MIN_STEPS:
        raise CommandError(
            f"--steps must be at least {MIN_STEPS}: the convergence test fits the last half of "
            "the run and needs 5 points there"
        )
    out = output_folder(args, "qsympass-dynamics")
    results = [
        run_convergence_experiment(
            gamma,
            args.num_parameters,
            args.steps,
            args.seed,
            learning_rate=args.learning_rate,
            pauli_sampling=args.pauli_sampling,
            initialization=args.initialization,
            discretization=args.discretization,
        )
        for gamma in args.gammas
    ]
    plots = plot_convergence_experiments(results, out)
    payload = {"experiments": [_summary(r) for r in results], "plots": [str(p) for p in plots]}
    table = format_experiment_table(results)
    emit(args, payload, table + "\n\nplots: " + ", ".join(str(p) for p in plots))


def _summary(result: ConvergenceExperiment) -> dict[str, Any]:
    report = result.convergence
    return {
        "gamma": result.gamma,
        "num_parameters": result.num_parameters,
        "pauli_sampling": result.pauli_sampling,
        "initialization": result.initialization,
        "discretization": result.asymptotic.discretization,
        "verdict": report.verdict,
        "confidence": report.confidence,
        "loglog_slope": report.exponent,
        "rate": report.rate,
        "kernel_drift": result.final_drift,
        "initial_kernel_error": result.initial_kernel_error,
        "final_loss": result.final_loss,
        "frozen_kernel_loss": result.frozen_final_loss,
        "asymptotic_loss": result.asymptotic_final_loss,
        "late_window": list(report.window),
        "asymptotic_late_factor": result.asymptotic_late_factor,
        "circuit_frame_late_factor": result.circuit_frame_late_factor,
        "labels_at_spectrum_edge": result.spectrum_edge.sublinear_expected,
    }
