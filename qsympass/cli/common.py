"""Flags and helpers shared by every ``qsympass`` subcommand."""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from qiskit.exceptions import QiskitError
from qiskit.quantum_info import SparsePauliOp

from qsympass import models
from qsympass.validation import require_equal_label_lengths

MODELS: dict[str, Callable[..., SparsePauliOp]] = {
    "tfim": models.tfim,
    "xxz": models.xxz,
    "heisenberg": models.heisenberg,
}


class CommandError(Exception):
    """A bad command line or input file: reported as one line, exit status 2."""


#: Seeds must fit NumPy's and Qiskit's 64-bit seed arguments.
MAX_SEED = 2**63 - 1


def add_output_flags(parser: argparse.ArgumentParser) -> None:
    """Add ``--seed``, ``--out`` and ``--json`` to a subcommand."""
    parser.add_argument(
        "--seed", type=seed_value, default=0, help="random seed (default: 0)"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for the files the command writes"
    )
    add_json_flag(parser)


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Add ``--json`` to a subcommand."""
    parser.add_argument(
        "--json", action="store_true", help="print one machine-readable JSON object"
    )


def non_negative_int(text: str) -> int:
    """An argparse type: an integer >= 0.

    Raises:
        argparse.ArgumentTypeError: For anything else (argparse names the flag).
    """
    return _int_at_least(text, 0)


def seed_value(text: str) -> int:
    """An argparse type: a seed, an integer in ``0 .. MAX_SEED``.

    Raises:
        argparse.ArgumentTypeError: For anything else (argparse names the flag).
    """
    value = _int_at_least(text, 0)
    if value > MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected a seed below 2**63, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1.

    Raises:
        argparse.ArgumentTypeError: For anything else (argparse names the flag).
    """
    return _int_at_least(text, 1)


def positive_float(text: str) -> float:
    """An argparse type: a finite number > 0.

    Raises:
        argparse.ArgumentTypeError: For anything else (argparse names the flag).
    """
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r}")
    return value


def _int_at_least(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {text!r}")
    return value


def add_checkpoint_every_flag(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """Add ``--checkpoint-every N`` (how often ``--checkpoint`` is written) to a subcommand."""
    parser.add_argument(
        "--checkpoint-every", type=positive_int, default=1, metavar="N",
        help="write the checkpoint every N steps (default 1: a resumed run loses no step)",
    )


def output_folder(args: argparse.Namespace, default: str) -> Path:
    """The folder of ``--out`` (or ``default``), created and tried now so a bad path fails first.

    Raises:
        CommandError: If the folder cannot be created (e.g. a file has that name) or written.
    """
    folder: Path = args.out or Path(default)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):  # can files be written there?
            pass
    except OSError as error:
        raise CommandError(f"--out {folder}: cannot write there ({error.strerror})") from None
    return folder


def one_line(error: BaseException) -> str:
    """An exception's message on one line (QiskitError's ``str`` is the repr of its message).

    Args:
        error: The exception.

    Returns:
        The message with its whitespace collapsed, or the exception's type name.
    """
    message = getattr(error, "message", None)
    text = " ".join((message if isinstance(message, str) else str(error)).split())
    return text or type(error).__name__


def add_hamiltonian_flags(parser: argparse.ArgumentParser) -> None:
    """Add the flags that describe a Hamiltonian: a model on a lattice, or a file."""
    group = parser.add_argument_group("Hamiltonian")
    group.add_argument("--model", choices=sorted(MODELS), default="tfim", help="spin model")
    group.add_argument(
        "--lattice",
        choices=[k for k in models.LATTICE_KINDS if k != "coupling_map"],
        default="ring",
        help="lattice kind (default: ring)",
    )
    group.add_argument(
        "--size", type=int, nargs="+", default=[8], metavar="N", help="lattice size(s)"
    )
    group.add_argument("--periodic", action="store_true", help="periodic boundaries")
    group.add_argument(
        "--coupling",
        nargs="*",
        default=[],
        metavar="NAME=VALUE",
        help="model parameters, e.g. j=1.0 h=0.5 (tfim: j, h; xxz: jxy, jz, h; heisenberg: j, h)",
    )
    group.add_argument(
        "--hamiltonian-file",
        type=Path,
        default=None,
        help='JSON list of [pauli_label, coefficient] pairs, e.g. [["ZZI", -1.0], ["IIX", 0.5]]',
    )


def hamiltonian_from_args(args: argparse.Namespace) -> SparsePauliOp:
    """Build the Hamiltonian that the command line describes.

    Raises:
        CommandError: If a coupling is malformed or the file cannot be read.
    """
    if args.hamiltonian_file is not None:
        return read_hamiltonian_file(args.hamiltonian_file)
    graph = lattice_from_args(args)
    try:
        return MODELS[args.model](graph, **parse_couplings(args.coupling))
    except TypeError as error:
        raise CommandError(f"bad --coupling for model {args.model}: {error}") from None


def lattice_from_args(args: argparse.Namespace) -> nx.Graph:
    """The lattice graph of ``--lattice``, ``--size`` and ``--periodic``."""
    periodic = True if args.lattice == "ring" else args.periodic
    return models.lattice(args.lattice, *args.size, periodic=periodic)


def parse_couplings(pairs: list[str]) -> dict[str, float]:
    """Parse ``NAME=VALUE`` pairs into floats.

    Raises:
        CommandError: If a pair has no ``=`` or its value is not a number.
    """
    couplings: dict[str, float] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        try:
            couplings[name] = float(value)
        except ValueError:
            sep = ""
        if not sep or not name or not math.isfinite(couplings.get(name, math.nan)):
            raise CommandError(f"--coupling expects NAME=VALUE with a finite number, got {pair!r}")
    return couplings


def read_hamiltonian_file(path: Path) -> SparsePauliOp:
    """Read a Hamiltonian written as a JSON list of ``[label, coefficient]`` pairs.

    A coefficient is a number or a ``[real, imag]`` pair.

    Raises:
        CommandError: If the file is missing, unreadable, empty or not of that form.
    """
    try:
        terms = json.loads(path.read_text())
        pairs = [(str(label), _complex(coeff)) for label, coeff in terms]
        if not pairs:
            raise ValueError("the list is empty")
        require_equal_label_lengths([label for label, _ in pairs], "the Hamiltonian")
        with np.errstate(invalid="ignore", over="ignore"):  # as_hamiltonian names inf and nan
            return SparsePauliOp.from_list(pairs)
    except FileNotFoundError:
        raise CommandError(f"no such Hamiltonian file: {path}") from None
    except OSError as error:
        raise CommandError(f"cannot read Hamiltonian file {path}: {error.strerror}") from None
    except (ValueError, TypeError, QiskitError) as error:
        raise CommandError(
            f"{path} is not a JSON list of [pauli_label, coefficient] pairs: {error}"
        ) from None


def _complex(value: Any) -> complex:
    if isinstance(value, list | tuple):
        real, imag = value
        return complex(float(real), float(imag))
    return complex(float(value))


def emit(args: argparse.Namespace, payload: dict[str, Any], table: str) -> None:
    """Print a JSON object with ``--json``, the human-readable table otherwise.

    NaN and infinite numbers become ``null``, so the output is standard JSON.
    """
    if getattr(args, "json", False):
        json.dump(_finite_or_null(payload), sys.stdout, indent=2, default=str, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(table)


def _finite_or_null(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite_or_null(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_or_null(item) for item in value]
    return value


def format_table(headers: list[str], rows: list[list[Any]]) -> str:
    """A plain-text table with left-aligned columns."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)
