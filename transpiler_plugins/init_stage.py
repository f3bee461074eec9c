"""The ``qsympass`` init stage plugin: symmetric pruning, then Qiskit's default init stage.

Usage::

    annotated = qsympass.annotate(ansatz, hamiltonian)
    isa = transpile(annotated, backend, init_method="qsympass")
    pm = generate_preset_pass_manager(backend=backend, init_method="qsympass")

Ordering: symmetric pruning runs *first*, on the virtual circuit exactly as the user wrote it,
and Qiskit's default init work runs after it. The reasons:

* The Hamiltonian in the annotation is indexed by the circuit's virtual qubits. At
  optimization levels 2 and 3 the default init stage runs ``ElidePermutations``, which removes
  SWAPs and records a qubit permutation; pruning after it would pair the Hamiltonian with the
  wrong qubits.
* Pruning reads the rotation generators of the gates as written. The default init stage unrolls
  gates on three or more qubits (e.g. a multi-qubit ``PauliEvolutionGate``) into CX + RZ
  ladders, which hides the generator that pruning should tie or remove.
* The default cleanups (``InverseCancellation``, ``RemoveIdentityEquivalent``) then also catch
  fixed gates that pruning made adjacent.
"""

from __future__ import annotations

import logging

from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import PassManager, PassManagerConfig, TransformationPass, TranspilerError
from qiskit.transpiler.preset_passmanagers.builtin_plugins import DefaultInitPassManager
from qiskit.transpiler.preset_passmanagers.plugin import PassManagerStagePlugin

from qsympass.annotation import read_annotation

logger = logging.getLogger(__name__)


class AnnotatedSymmetricPruning(TransformationPass):
    """Symmetric pruning driven by the circuit's ``metadata["qsympass"]`` annotation.

    Reads the Hamiltonian and options written by :func:`qsympass.annotate` from
    ``dag.metadata`` at run time. Without an annotation it logs a warning and returns the
    circuit unchanged; with one it runs ``SymmetricPruning`` (whose report lands in
    ``property_set["symmetric_pruning"]``).
    """

    def run(self, dag: DAGCircuit) -> DAGCircuit:
        """Prune ``dag`` if it is annotated.

        Args:
            dag: The virtual circuit.

        Returns:
            The pruned circuit, or ``dag`` itself when there is no annotation.

        Raises:
            TranspilerError: If the annotation is malformed, does not match the circuit's
                width, or pruning fails.
        """
        try:
            annotation = read_annotation(dag.metadata)
        except ValueError as exc:
            raise TranspilerError(f"invalid qsympass annotation: {exc}") from exc
        if annotation is None:
            logger.warning(
                "qsympass init stage: circuit %r has no metadata['qsympass'] annotation "
                "(use qsympass.annotate); symmetric pruning skipped",
                dag.name,
            )
            return dag
        hamiltonian, options = annotation
        if hamiltonian.num_qubits != dag.num_qubits():
            raise TranspilerError(
                f"annotated hamiltonian acts on {hamiltonian.num_qubits} qubits but the circuit "
                f"has {dag.num_qubits()}; annotate the virtual circuit before layout"
            )
        from qsympass.pruning import SymmetricPruning  # imported on use: pruning is heavy

        try:
            pruning = SymmetricPruning(hamiltonian, **options)
        except TypeError as exc:
            message = f"SymmetricPruning rejected the annotated options: {exc}"
            raise TranspilerError(message) from exc
        # Share this pass's property set so the report reaches the caller's pass manager.
        pruning.property_set = self.property_set
        return pruning.run(dag)


class SymmetricPruningInitPlugin(PassManagerStagePlugin):
    """Init stage plugin ``qsympass``: :class:`AnnotatedSymmetricPruning`, then the default."""

    def pass_manager(
        self, pass_manager_config: PassManagerConfig, optimization_level: int | None = None
    ) -> PassManager:
        """Build the init stage.

        Args:
            pass_manager_config: The preset pass manager's configuration.
            optimization_level: The preset optimization level.

        Returns:
            Symmetric pruning followed by Qiskit's default init stage for this level.
        """
        init = PassManager([AnnotatedSymmetricPruning()])
        default = DefaultInitPassManager().pass_manager(pass_manager_config, optimization_level)
        if default is not None:  # level 0 without a coupling map has no default init work
            init += default
        return init
