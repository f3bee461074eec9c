"""The ``qsympass`` console command.

Each subcommand lives in its own module with a ``register(subparsers)`` function that adds its
parser and sets ``func``; errors in the user's input end the command with one line on standard
error and exit status 2. Subcommands that run circuits on backends live in
``qsympass.hardware.cli`` and join through the ``qsympass.commands`` entry-point group, so that the
core never imports the hardware layer.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from importlib.metadata import entry_points
from typing import Any, NoReturn

from qiskit.exceptions import QiskitError

from qsympass import __version__
from qsympass.cli import classify, dynamics, prune, symmetries
from qsympass.cli.common import CommandError, one_line

CORE_COMMANDS: tuple[Callable[[Any], None], ...] = (
    symmetries.register,
    classify.register,
    prune.register,
    dynamics.register,
)
COMMAND_ENTRY_POINTS = "qsympass.commands"


class OneLineErrorParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage errors are one line on standard error (status 2)."""

    def error(self, message: str) -> NoReturn:
        """Print ``<prog>: error: <message>`` and exit with status 2."""
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = OneLineErrorParser(
        prog="qsympass",
        description="Symmetry as a compiler concern for variational quantum programs.",
    )
    parser.add_argument("--version", action="version", version=f"qsympass {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in (*CORE_COMMANDS, *_registered_commands()):
        register(subparsers)
    return parser


def _registered_commands() -> Iterator[Callable[[Any], None]]:
    """The ``register`` functions that installed packages declare as entry points."""
    for entry_point in sorted(entry_points(group=COMMAND_ENTRY_POINTS), key=lambda e: e.name):
        yield entry_point.load()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).

    Returns:
        0 on success, 2 on bad input or a file that cannot be read or written, 130 when
        interrupted, 1 when the reader of the output went away.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    prefix = f"qsympass {args.command}"
    try:
        args.func(args)
    except (CommandError, ValueError, QiskitError) as error:
        print(f"{prefix}: error: {one_line(error)}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # e.g. `qsympass ... --json | head -1`: stop quietly; the exit flush must not fail
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        print(f"{prefix}: error: cannot use{where}: {error.strerror or error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        checkpoint = getattr(args, "checkpoint", None)
        hint = f"; rerun the same command to resume from {checkpoint}" if checkpoint else ""
        print(f"{prefix}: interrupted{hint}", file=sys.stderr)
        return 130
    return 0
