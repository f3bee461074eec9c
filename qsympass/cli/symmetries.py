"""``qsympass symmetries``: the symmetries of a Hamiltonian, found from its Pauli terms."""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

from qsympass.cli.common import (
    add_hamiltonian_flags,
    add_json_flag,
    emit,
    format_table,
    hamiltonian_from_args,
)
from qsympass.symmetry import SymmetryGroup, find_symmetries


def register(subparsers: Any) -> None:
    """Add the ``symmetries`` subcommand."""
    parser = subparsers.add_parser(
        "symmetries",
        help="find the symmetries of a Hamiltonian",
        description="Find the spatial, Pauli (Z2), U(1), SU(2) and time-reversal symmetries "
        "of a spin model or a Hamiltonian file.",
    )
    add_hamiltonian_flags(parser)
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    """Detect the symmetries and print them as a table or JSON."""
    hamiltonian = hamiltonian_from_args(args)
    start = time.perf_counter()
    found = find_symmetries(hamiltonian)
    seconds = time.perf_counter() - start
    families = found.families()
    rows = [_row(family, group) for family, group in families.items()]
    payload = {
        "num_qubits": hamiltonian.num_qubits,
        "num_terms": len(hamiltonian),
        "seconds": seconds,
        "families": {row["family"]: row for row in rows},
    }
    table = format_table(
        ["family", "order", "generators", "group"],
        [[r["family"], r["order"], r["num_generators"], r["name"]] for r in rows],
    )
    summary = (
        f"{hamiltonian.num_qubits} qubits, {len(hamiltonian)} terms, "
        f"{len(rows)} symmetry families found in {seconds:.3f} s"
    )
    emit(args, payload, f"{summary}\n\n{table}")


def _row(family: str, group: SymmetryGroup) -> dict[str, Any]:
    order = group.order
    return {
        "family": family,
        "order": "infinite" if order == math.inf else int(order),
        "num_generators": len(group.generators),
        "name": group.name,
    }
