"""``qsympass prune``: symmetric pruning of an ansatz for a Hamiltonian, from the command line.

The ansatz is read from a QPY (``.qpy``) or OpenQASM 3 (``.qasm``) file, or built as the default
layered ansatz on the lattice of the Hamiltonian flags (``--ansatz-layers N``). The pruned
circuit is written to ``--output`` in the format its suffix names; an OpenQASM 3 file keeps the
gates and parameters but not ``circuit.metadata`` (the pruning summary), a QPY file keeps both.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path
from typing import Any

from qiskit import QuantumCircuit, qasm3, qpy
from qiskit.circuit import Gate, Instruction, Parameter, ParameterExpression, ParameterVector
from qiskit.circuit.library import get_standard_gate_name_mapping
from qiskit.quantum_info import Operator, SparsePauliOp
from qiskit.transpiler import PassManager, TranspilerError

from qsympass.ansatz import INITIAL_STATES, layered_ansatz
from qsympass.cli.common import (
    CommandError,
    add_hamiltonian_flags,
    add_json_flag,
    emit,
    hamiltonian_from_args,
    lattice_from_args,
    non_negative_int,
    one_line,
    seed_value,
)
from qsympass.pruning import PruningReport, SymmetricPruning
from qsympass.symmetry.detection import FAMILIES

CIRCUIT_FORMATS = (".qpy", ".qasm")
_QPY_MAGIC = b"QISKIT"


def register(subparsers: Any) -> None:
    """Add the ``prune`` subcommand."""
    parser = subparsers.add_parser(
        "prune",
        help="remove the gates of an ansatz that break a Hamiltonian's symmetries",
        description="Symmetric pruning: find the Hamiltonian's symmetries, remove the gates "
        "of the ansatz that break them, tie the parameters they relate, and write the pruned "
        "circuit.",
    )
    add_ansatz_flags(parser)
    add_hamiltonian_flags(parser)
    pruning = parser.add_argument_group("pruning")
    families = [*FAMILIES, "clifford"]
    pruning.add_argument(
        "--force", nargs="+", default=[], choices=families, help="families to always impose"
    )
    pruning.add_argument(
        "--forbid", nargs="+", default=[], choices=families, help="families never to impose"
    )
    pruning.add_argument(
        "--no-score",
        action="store_true",
        help="do not score the candidates by EQNTK (for circuits too wide to simulate)",
    )
    pruning.add_argument(
        "--max-exact-qubits",
        type=non_negative_int,
        default=12,
        help="widest circuit for the exact ground-state check and EQNTK scoring (default: 12)",
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="write the pruned circuit (.qpy or .qasm)"
    )
    parser.add_argument(
        "--seed", type=seed_value, default=0, help="seed of the EQNTK samples"
    )
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    """Prune the ansatz, write it and print the report as a table or JSON.

    Raises:
        CommandError: For a missing or unreadable circuit, a width mismatch, an output path
            of an unknown format, or an ansatz that symmetric pruning rejects.
    """
    if args.output is not None:
        _require_format(args.output, "--output")
    hamiltonian, ansatz = problem_from_args(args)
    start = time.perf_counter()
    pruned, report = _prune(ansatz, hamiltonian, args)
    seconds = time.perf_counter() - start
    if args.output is not None:
        write_circuit(pruned, args.output)
    payload = {
        "pruning": (pruned.metadata or {}).get("qsympass", {}).get("pruning", report.to_dict()),
        "num_parameters_in": ansatz.num_parameters,
        "num_parameters_out": pruned.num_parameters,
        "output": None if args.output is None else str(args.output),
        "seconds": seconds,
    }
    lines = [report.table(), f"pruned in {seconds:.2f} s"]
    if args.output is not None:
        lines.append(f"wrote {args.output} ({pruned.num_parameters} parameters)")
    emit(args, payload, "\n".join(lines))


def add_ansatz_flags(parser: argparse.ArgumentParser) -> None:
    """Add ``--circuit`` / ``--ansatz-layers`` and ``--initial-state`` to a subcommand."""
    source = parser.add_argument_group("ansatz").add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--circuit", type=Path, help="the ansatz as a QPY (.qpy) or OpenQASM 3 (.qasm) file"
    )
    source.add_argument(
        "--ansatz-layers",
        type=int,
        metavar="N",
        help="build the default layered ansatz (RX, RY, RZ per qubit, RZZ per edge) with N "
        "layers on the lattice of the Hamiltonian flags",
    )
    parser.add_argument(
        "--initial-state",
        choices=INITIAL_STATES,
        default="plus",
        help="initial state of the built ansatz (default: plus)",
    )


def problem_from_args(args: argparse.Namespace) -> tuple[SparsePauliOp, QuantumCircuit]:
    """The Hamiltonian and the ansatz the command line names, checked to have one width.

    Raises:
        CommandError: For bad Hamiltonian or ansatz flags, or widths that differ.
    """
    hamiltonian = hamiltonian_from_args(args)
    ansatz = ansatz_from_args(args)
    if ansatz.num_qubits != hamiltonian.num_qubits:
        raise CommandError(
            f"the ansatz has {ansatz.num_qubits} qubits but the Hamiltonian acts on "
            f"{hamiltonian.num_qubits}"
        )
    return hamiltonian, ansatz


def ansatz_from_args(args: argparse.Namespace) -> QuantumCircuit:
    """The ansatz the command line names: a circuit file or the default layered ansatz.

    Raises:
        CommandError: For an unreadable circuit file, or ``--ansatz-layers`` without a lattice.
    """
    if args.circuit is not None:
        return read_circuit(args.circuit)
    if args.hamiltonian_file is not None:
        raise CommandError(
            "--ansatz-layers builds the ansatz on the lattice of --lattice/--size; "
            "with --hamiltonian-file give the ansatz as --circuit"
        )
    return layered_ansatz(
        lattice_from_args(args), args.ansatz_layers, initial_state=args.initial_state
    )


def _prune(
    ansatz: QuantumCircuit, hamiltonian: SparsePauliOp, args: argparse.Namespace
) -> tuple[QuantumCircuit, PruningReport]:
    try:
        pruning = SymmetricPruning(
            hamiltonian,
            force=args.force,
            forbid=args.forbid,
            score=not args.no_score,
            max_exact_qubits=args.max_exact_qubits,
            seed=args.seed,
        )
        manager = PassManager([pruning])
        pruned = manager.run(ansatz)
    except TranspilerError as error:
        raise CommandError(one_line(error)) from None
    return pruned, manager.property_set["symmetric_pruning"]


def read_circuit(path: Path) -> QuantumCircuit:
    """Read one circuit from a QPY or OpenQASM 3 file (format by suffix).

    Args:
        path: A ``.qpy`` or ``.qasm`` file.

    Returns:
        The circuit.

    Raises:
        CommandError: If the file is missing, of another format, unreadable, or a QPY file does
            not hold exactly one circuit.
    """
    suffix = _require_format(path, "--circuit")
    if not path.is_file():
        raise CommandError(f"no such circuit file: {path}")
    try:
        if suffix == ".qasm":
            return restore_parameter_vectors(restore_standard_gates(qasm3.loads(path.read_text())))
        with path.open("rb") as handle:
            if handle.read(len(_QPY_MAGIC)) != _QPY_MAGIC:
                raise ValueError("not a QPY file (it does not start with 'QISKIT')")
            handle.seek(0)
            circuits = qpy.load(handle)
    except Exception as error:  # the readers raise many unrelated types on a corrupt file
        raise CommandError(
            f"cannot read {path} as {suffix[1:].upper()}: {one_line(error)}"
        ) from None
    if len(circuits) != 1 or not isinstance(circuits[0], QuantumCircuit):
        raise CommandError(f"{path} holds {len(circuits)} programs; expected one circuit")
    try:  # QPY builds some operations lazily: a bad one fails here, not later
        for instruction in circuits[0].data:
            _ = instruction.operation
    except Exception as error:
        raise CommandError(f"cannot read {path} as QPY: {one_line(error)}") from None
    return circuits[0]


#: How Qiskit's OpenQASM 3 exporter writes the element ``name[k]`` of a parameter vector.
_EXPORTED_ELEMENT = re.compile(r"^_(?P<name>.+)_(?P<index>\d+)_$")


def restore_parameter_vectors(circuit: QuantumCircuit) -> QuantumCircuit:
    """Turn the inputs ``_name_k_`` of an OpenQASM 3 file back into ``ParameterVector`` elements.

    The exporter writes ``φ[k]`` as ``_φ_k_``, and plain parameters sort by name, which puts
    ``_φ_10_`` before ``_φ_2_``; seeded initial values would then land on other gates. Each
    group becomes a vector as long as its largest index (unused elements stay unused), unless
    one of its element names is taken.

    Args:
        circuit: A circuit read from OpenQASM 3.

    Returns:
        The circuit with those parameters replaced (itself when there are none).
    """
    groups: dict[str, dict[int, Parameter]] = {}
    for parameter in circuit.parameters:
        match = _EXPORTED_ELEMENT.match(parameter.name)
        if match is not None:
            groups.setdefault(match["name"], {})[int(match["index"])] = parameter
    taken = {parameter.name for parameter in circuit.parameters}
    mapping: dict[Parameter, Parameter] = {}
    for name, elements in groups.items():
        vector = ParameterVector(name, max(elements) + 1)
        if taken & {p.name for p in vector}:
            continue
        mapping.update({parameter: vector[k] for k, parameter in elements.items()})
    return circuit.assign_parameters(mapping) if mapping else circuit


def restore_standard_gates(circuit: QuantumCircuit) -> QuantumCircuit:
    """Turn gates that an OpenQASM 3 file defined itself back into Qiskit's standard gates.

    ``stdgates.inc`` lacks RZZ, RXX, RYY, RZX, XX+YY and others, so Qiskit's exporter writes a
    ``gate rzz(p0) ...`` definition and the importer reads back an opaque gate with a
    definition. A gate is replaced only when its name, width and parameter count match a
    standard gate and its definition equals that gate's unitary (up to global phase) at a test
    angle; anything else is kept as it is.

    Args:
        circuit: A circuit read from OpenQASM 3.

    Returns:
        The same circuit with the recognised gates replaced.
    """
    standard = get_standard_gate_name_mapping()
    restored = circuit.copy_empty_like()
    for instruction in circuit.data:
        operation = instruction.operation
        reference = standard.get(operation.name)
        if (
            reference is not None
            and type(operation) is Gate
            and _same_gate(operation, reference)
        ):
            operation = reference.base_class(*operation.params)
        restored.append(operation, instruction.qubits, instruction.clbits)
    return restored


def _same_gate(gate: Gate, reference: Instruction) -> bool:
    definition = gate.definition
    if definition is None or gate.num_qubits != reference.num_qubits:
        return False
    if len(gate.params) != len(reference.params):
        return False
    # The importer writes the definition in the instance's own parameters: bind them all.
    values = {parameter: 0.3 + 0.4 * k for k, parameter in enumerate(definition.parameters)}
    try:
        angles = [_bound_angle(param, values) for param in gate.params]
        candidate = Operator(definition.assign_parameters(values))
        return candidate.equiv(Operator(reference.base_class(*angles)))
    except Exception:  # a definition that cannot be evaluated is not recognisably the gate
        return False


def _bound_angle(param: Any, values: dict[Any, float]) -> float:
    if isinstance(param, ParameterExpression):
        return float(param.bind({p: values[p] for p in param.parameters}))
    return float(param)


def write_circuit(circuit: QuantumCircuit, path: Path) -> None:
    """Write a circuit as QPY or OpenQASM 3 (format by suffix).

    Raises:
        CommandError: For an unknown suffix or a folder that does not exist.
    """
    suffix = _require_format(path, "--output")
    if not path.parent.is_dir():
        raise CommandError(f"output folder {path.parent} does not exist")
    if suffix == ".qasm":
        path.write_text(qasm3.dumps(circuit))
    else:
        with path.open("wb") as handle:
            qpy.dump(circuit, handle)


def _require_format(path: Path, flag: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in CIRCUIT_FORMATS:
        raise CommandError(
            f"{flag} {path}: unknown circuit format {suffix or '(no suffix)'!r}; "
            f"use {' or '.join(CIRCUIT_FORMATS)}"
        )
    return suffix

