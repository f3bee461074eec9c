"""ISA mapping: a circuit and its observables, ready for a backend, in one call."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import rustworkx as rx
from qiskit import QuantumCircuit
from qiskit.converters import circuit_to_dag, dag_to_circuit
from qiskit.providers import BackendV2
from qiskit.quantum_info import Pauli, SparsePauliOp
from qiskit.transpiler import Layout, generate_preset_pass_manager

from qsympass.pruning import PruningReport
from qsympass.validation import as_sparse_pauli_op, require_hermitian, require_width

logger = logging.getLogger(__name__)

_DIRECTIVES = frozenset({"barrier"})


@dataclass
class IsaProgram:
    """A circuit and its observables laid out for one backend.

    Attributes:
        circuit: The ISA circuit.
        observables: The observables with the circuit's layout applied.
        initial_layout: Physical qubit of each virtual qubit, when one was chosen up front.
        swap_free_layout: Whether the Hamiltonian's interaction graph was embedded in the
            coupling map without SWAPs.
        backend: The backend it was laid out for.
        pruning: What symmetric pruning did in the init stage, if it ran.
    """

    circuit: QuantumCircuit
    observables: list[SparsePauliOp]
    initial_layout: list[int] | None
    swap_free_layout: bool
    backend: BackendV2
    pruning: PruningReport | None = field(default=None)

    @property
    def two_qubit_gate_count(self) -> int:
        """The number of two-qubit operations in the ISA circuit."""
        return sum(
            1 for inst in self.circuit.data
            if inst.operation.num_qubits == 2 and inst.operation.name != "barrier"
        )

    @property
    def depth(self) -> int:
        """The ISA circuit's depth."""
        return self.circuit.depth()


def to_isa(
    circuit: QuantumCircuit,
    observables: SparsePauliOp | Pauli | str | Sequence[SparsePauliOp | Pauli | str],
    backend: BackendV2,
    *,
    hamiltonian: SparsePauliOp | None = None,
    optimization_level: int = 1,
    seed: int | None = 0,
    init_method: str | None = "qsympass",
) -> IsaProgram:
    """Transpile a circuit and map its observables for a backend.

    The preset pass manager runs with ``init_method="qsympass"``, so a circuit annotated with
    :func:`qsympass.annotate` is pruned before layout. When the Hamiltonian's interaction graph
    (or, without a Hamiltonian, the circuit's) fits the coupling map, the layout embeds it so
    that routing adds no SWAP.

    Args:
        circuit: The (virtual) circuit, possibly annotated for pruning.
        observables: One observable or several, on the circuit's qubits.
        backend: The target backend.
        hamiltonian: The Hamiltonian whose interaction graph should embed without SWAPs.
        optimization_level: The preset pass manager's level.
        seed: The transpiler seed.
        init_method: The init stage (``None`` for Qiskit's default, which does not prune).

    Returns:
        The ISA circuit, the mapped observables, and the layout that was chosen.

    Raises:
        ValueError: If the circuit is wider than the device, or an observable or the
            Hamiltonian has another width.
    """
    single = isinstance(observables, SparsePauliOp | Pauli | str)
    observable_list = [
        as_sparse_pauli_op(observable, f"observable {index}")
        for index, observable in enumerate([observables] if single else list(observables))
    ]
    for index, observable in enumerate(observable_list):
        require_width(observable, circuit.num_qubits, f"observable {index}")
        require_hermitian(observable, f"observable {index}")
    if hamiltonian is not None:
        require_width(hamiltonian, circuit.num_qubits, "hamiltonian")
    if circuit.num_qubits > backend.num_qubits:
        raise ValueError(
            f"the circuit has {circuit.num_qubits} qubits but {backend.name} has only "
            f"{backend.num_qubits}"
        )
    interaction = _interaction_edges(hamiltonian, circuit)
    layout = swap_free_layout(interaction, circuit.num_qubits, backend)
    pass_manager = generate_preset_pass_manager(
        optimization_level=optimization_level,
        backend=backend,
        init_method=init_method,
        initial_layout=Layout.from_intlist(layout, *circuit.qregs) if layout else None,
        seed_transpiler=seed,
    )
    isa_circuit = pass_manager.run(circuit)
    mapped = [observable.apply_layout(isa_circuit.layout) for observable in observable_list]
    pruning = pass_manager.property_set["symmetric_pruning"]
    return IsaProgram(isa_circuit, mapped, layout, layout is not None, backend, pruning)


def require_isa(circuit: QuantumCircuit, backend: BackendV2) -> None:
    """Check that a circuit is an ISA circuit of a backend before it goes to a primitive.

    The runtime estimators reject non-ISA circuits with an ``IBMInputValueError`` (which is
    no ``ValueError``), and the executor-based estimator with a bare Aer error
    (``unknown instruction: h``); this check names the problem up front.

    Args:
        circuit: The circuit to submit.
        backend: The backend it will run on.

    Raises:
        ValueError: If the circuit is wider than the device, or names the first instruction
            (gate and physical qubits) that the backend's target does not support.
    """
    if circuit.num_qubits > backend.num_qubits:
        raise ValueError(
            f"the circuit has {circuit.num_qubits} qubits but {backend.name} has only "
            f"{backend.num_qubits}; transpile it with qsympass.hardware.to_isa"
        )
    target = backend.target
    for position, instruction in enumerate(circuit.data):
        operation = instruction.operation
        if operation.name in _DIRECTIVES:
            continue
        qargs = tuple(circuit.find_bit(qubit).index for qubit in instruction.qubits)
        if not target.instruction_supported(operation.name, qargs):
            raise ValueError(
                f"instruction {position} ({operation.name} on qubits {list(qargs)}) is not "
                f"supported by {backend.name}: the circuit is not an ISA circuit of this "
                "backend; transpile it with qsympass.hardware.to_isa"
            )


def swap_free_layout(
    edges: Sequence[tuple[int, int]], num_qubits: int, backend: BackendV2
) -> list[int] | None:
    """An initial layout that places every interaction on a coupling-map edge, if one exists.

    Args:
        edges: The virtual qubit pairs that interact.
        num_qubits: The number of virtual qubits.
        backend: The target backend.

    Returns:
        The physical qubit of each virtual qubit, or ``None`` when no such embedding exists
        (or the backend has no coupling map).
    """
    if backend.coupling_map is None or not edges:
        return None
    device = backend.coupling_map.graph.to_undirected(multigraph=False)
    pattern = rx.PyGraph()
    pattern.add_nodes_from(range(num_qubits))
    pattern.add_edges_from_no_data(list(edges))
    mapping = next(
        iter(rx.vf2_mapping(device, pattern, subgraph=True, induced=False, call_limit=10**6)),
        None,
    )
    if mapping is None:
        logger.info("no SWAP-free embedding of the interaction graph on %s", backend.name)
        return None
    physical_of = {virtual: physical for physical, virtual in mapping.items()}
    return [physical_of[v] for v in range(num_qubits)]


def _interaction_edges(
    hamiltonian: SparsePauliOp | None, circuit: QuantumCircuit
) -> list[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    if hamiltonian is not None:
        for label in hamiltonian.paulis:
            support = [int(q) for q in (label.x | label.z).nonzero()[0]]
            pairs.update((a, b) for a in support for b in support if a < b)
    else:
        for instruction in circuit.data:
            operation = instruction.operation
            if operation.num_qubits == 2 and operation.name != "barrier":
                a, b = sorted(circuit.find_bit(q).index for q in instruction.qubits)
                pairs.add((a, b))
    return sorted(pairs)


def active_qubit_program(
    circuit: QuantumCircuit, observable: SparsePauliOp
) -> tuple[QuantumCircuit, SparsePauliOp]:
    """Drop the idle qubits of an ISA circuit, and the same qubits of its observable.

    An ISA circuit is as wide as its device; simulating it exactly only needs the qubits it
    touches. The observable must act as the identity on every dropped qubit.

    Args:
        circuit: A (transpiled) circuit.
        observable: An observable of the circuit's width.

    Returns:
        The circuit and the observable on the active qubits, in the circuit's qubit order.

    Raises:
        ValueError: If the observable acts on a qubit the circuit never touches.
    """
    require_width(observable, circuit.num_qubits, "observable")
    dag = circuit_to_dag(circuit)
    idle = set(dag.idle_wires())
    active = [index for index, qubit in enumerate(circuit.qubits) if qubit not in idle]
    support = np.flatnonzero(np.any(observable.paulis.x | observable.paulis.z, axis=0))
    outside = sorted(set(support.tolist()) - set(active))
    if outside:
        raise ValueError(f"the observable acts on qubits {outside} that the circuit never uses")
    dag.remove_qubits(*(q for q in circuit.qubits if q in idle))
    compact = dag_to_circuit(dag)
    compact.metadata = dict(circuit.metadata or {})
    labels = [
        "".join(label[::-1][q] for q in active)[::-1]
        for label in observable.paulis.to_labels()
    ]
    return compact, SparsePauliOp(labels, observable.coeffs.copy())
