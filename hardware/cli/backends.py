"""``qsympass backends``: the backend names qsympass knows."""

from __future__ import annotations

import argparse
from typing import Any

from qsympass.cli.common import emit
from qsympass.hardware.backends import list_backends


def register(subparsers: Any) -> None:
    """Add the ``backends`` subcommand."""
    parser = subparsers.add_parser(
        "backends",
        help="list the backend names",
        description="List the backends: aer (ideal), aer:<fake> (noisy Aer), fake:<name> "
        "(runtime local testing mode); ibm:<name> devices need an IBM Quantum account "
        "(QISKIT_IBM_TOKEN or a saved account).",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    """Print the known backend names."""
    names = list_backends()
    emit(args, {"backends": names}, "\n".join([*names, "ibm:<device> (needs an account)"]))
