"""The :class:`SymmetricPruning` transpiler pass (DESIGN §3)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from qiskit.circuit import QuantumCircuit
from qiskit.converters import circuit_to_dag, dag_to_circuit
from qiskit.dagcircuit import DAGCircuit
from qiskit.quantum_info import SparsePauliOp, Statevector
from qiskit.transpiler.basepasses import TransformationPass
from qiskit.transpiler.exceptions import TranspilerError

from qsympass.pruning.blocks import cut_blocks
from qsympass.pruning.candidates import (
    GROUND_WEIGHT_TOLERANCE,
    Candidate,
    block_generators,
    build,
    entangles_coupled_qubits,
    enumerate_candidates,
    ground_space,
    ground_state_weight,
    qubit_pairs,
    reachable_ground_weight,
    select,
    stabilizer_state,
)
from qsympass.pruning.compatibility import (
    CompatibilityContext,
    FamilyCompatibility,
    InitialState,
    describe_gate,
    family_compatibility,
)
from qsympass.pruning.constraints import ConstraintSystem, coordinate_space
from qsympass.pruning.gates import extract_gates, prepare_ansatz
from qsympass.pruning.report import PruningReport
from qsympass.symmetry.detection import FAMILIES, Symmetries, find_symmetries
from qsympass.symmetry.group import SymmetryGroup
from qsympass.validation import as_hamiltonian, check_integer

_KIND_FAMILY = {
    "permutation": "spatial",
    "pauli": "pauli",
    "u1": "u1",
    "su2": "su2",
    "time_reversal": "time_reversal",
    "clifford": "clifford",
}

SymmetriesArg = Symmetries | Mapping[str, SymmetryGroup] | Sequence[SymmetryGroup] | SymmetryGroup


class SymmetricPruning(TransformationPass):
    """Remove the gates of an ansatz that break the Hamiltonian's symmetries and tie the
    parameters the symmetries relate.

    The pass finds the symmetries of ``hamiltonian`` (or takes them from ``symmetries``), keeps
    the part of each family that the fixed gates and the initial state allow, builds one
    candidate pruning per subset of families, discards empty candidates and those whose
    reachable space misses the ground state, and keeps the one with the best EQNTK. The pruned
    circuit has a fresh ``ParameterVector("φ", m)``; the original parameters are ``θ = B φ``.
    A :class:`PruningReport` goes to ``property_set["symmetric_pruning"]`` and its JSON summary to
    ``metadata["qsympass"]["pruning"]``.

    Args:
        hamiltonian: The Hamiltonian whose ground state the ansatz prepares.
        symmetries: Groups to use instead of detecting them: a :class:`Symmetries`, a mapping
            from family name to group, or a sequence of groups (named by kind). Each is verified
            to be a symmetry of ``hamiltonian``.
        force: Families every candidate must impose.
        forbid: Families never imposed.
        score: Whether to score candidates by EQNTK (exact simulation, small circuits only).
        max_exact_qubits: Largest width for the exact ground-state check and EQNTK scoring.
        eqntk_samples: Parameter samples per EQNTK estimate.
        seed: Seed of the EQNTK samples.

    Raises:
        TranspilerError: For an invalid Hamiltonian, a given group that is not a symmetry of it,
            unknown family names, or options of the wrong type or range.
    """

    def __init__(
        self,
        hamiltonian: SparsePauliOp,
        *,
        symmetries: SymmetriesArg | None = None,
        force: Iterable[str] = (),
        forbid: Iterable[str] = (),
        score: bool = True,
        max_exact_qubits: int = 12,
        eqntk_samples: int = 32,
        seed: int | None = 0,
    ) -> None:
        super().__init__()
        try:
            self.hamiltonian = as_hamiltonian(hamiltonian)
        except (TypeError, ValueError) as error:
            raise TranspilerError(f"SymmetricPruning: invalid hamiltonian: {error}") from error
        self.symmetries = symmetries
        self.force = _family_names(force, "force")
        self.forbid = _family_names(forbid, "forbid")
        for name in (*self.force, *self.forbid):
            if name not in (*FAMILIES, "clifford"):
                raise TranspilerError(
                    f"unknown symmetry family {name!r}; expected one of {FAMILIES}"
                )
        overlap = set(self.force) & set(self.forbid)
        if overlap:
            raise TranspilerError(f"families {sorted(overlap)} are both forced and forbidden")
        self.score = bool(score)
        self.max_exact_qubits = _count(max_exact_qubits, "max_exact_qubits", minimum=0)
        self.eqntk_samples = _count(eqntk_samples, "eqntk_samples", minimum=2)
        if seed is not None:
            _count(seed, "seed", minimum=0)
        self.seed = seed

    # ------------------------------------------------------------------------ entry point

    def run(self, dag: DAGCircuit) -> DAGCircuit:
        """Prune the circuit.

        Args:
            dag: The ansatz.

        Returns:
            The pruned ansatz.

        Raises:
            TranspilerError: For bad input (see the class docstring and
                :func:`qsympass.circuits.validate_ansatz`).
        """
        circuit = dag_to_circuit(dag)
        pruned, report = self.prune(circuit)
        self.property_set["symmetric_pruning"] = report
        return circuit_to_dag(pruned)

    def prune(self, circuit: QuantumCircuit) -> tuple[QuantumCircuit, PruningReport]:
        """Prune a circuit directly (what :meth:`run` does, without a ``PassManager``).

        Args:
            circuit: The ansatz.

        Returns:
            The pruned circuit and the report.

        Raises:
            TranspilerError: For bad input.
        """
        if not isinstance(circuit, QuantumCircuit):
            raise TranspilerError(
                f"SymmetricPruning.prune expects a QuantumCircuit, got {type(circuit).__name__}"
            )
        section = (circuit.metadata or {}).get("qsympass")
        if section is not None and not isinstance(section, dict):
            raise TranspilerError(
                "circuit.metadata['qsympass'] must be a dict (as qsympass.annotate writes it), "
                f"got {type(section).__name__}"
            )
        n = circuit.num_qubits
        if self.hamiltonian.num_qubits != n:
            raise TranspilerError(
                f"hamiltonian acts on {self.hamiltonian.num_qubits} qubits but the circuit has {n}"
            )
        original, circuit = circuit, prepare_ansatz(circuit)
        if circuit.num_parameters == 0:
            raise TranspilerError("SymmetricPruning: the ansatz has no parameters to prune")
        items = extract_gates(circuit)
        structure = cut_blocks(items, n)
        space = coordinate_space(items, structure, n, circuit.num_parameters)
        state = InitialState(items, structure, n, self.max_exact_qubits)
        context = CompatibilityContext(self.hamiltonian, items, structure, space, state)

        found = self._families()
        compat = {name: family_compatibility(name, group, context) for name, group in found.items()}
        for name in self.force:
            if name not in compat:
                raise TranspilerError(
                    f"forced family {name!r} is not a symmetry of the hamiltonian"
                )
            if compat[name].kept is None:
                raise TranspilerError(
                    f"forced family {name!r} is broken by the circuit: "
                    + "; ".join(compat[name].reasons)
                )
        usable = {
            name: c.kept
            for name, c in compat.items()
            if c.kept is not None and name not in self.forbid
        }
        system = ConstraintSystem(items, n, circuit.num_parameters, usable, space)
        candidates = enumerate_candidates(system, self.force)
        unpruned = next((c for c in candidates if not c.families), None)
        if unpruned is None:
            identity = sp.identity(circuit.num_parameters, format="csc")
            unpruned = Candidate((), identity, status="reference")
        exact = n <= self.max_exact_qubits
        self._check_reachability(candidates, circuit, items, context, exact)
        scored = self.score and exact and circuit.num_parameters > 0
        eqntk_before = deff_before = None
        if scored:
            deff_before, eqntk_before = self._score_all(candidates, unpruned, circuit, items)
        try:
            chosen = select(candidates, scored)
        except ValueError as error:
            raise TranspilerError(
                "SymmetricPruning found no valid candidate: "
                + "; ".join(f"{c.families}: {c.status}" for c in candidates)
            ) from error
        chosen.status = "selected"
        if chosen.families == () or _is_identity(chosen.basis):
            # the circuit as it is: B is the identity (even where the candidate's basis
            # dropped a parameter that moves no gate, e.g. one only in the global phase); the
            # input itself, not its translation to rotations, when they share their parameters
            same = list(original.parameters) == list(circuit.parameters)
            pruned = (original if same else circuit).copy()
            removed: list[int] = []
            parameter_map = {p.name: p.name for p in circuit.parameters}
            basis = sp.identity(circuit.num_parameters, format="csc")
        else:
            rewrite = build(chosen, circuit, items)
            pruned, removed, parameter_map = rewrite.circuit, rewrite.removed, rewrite.parameter_map
            basis = chosen.basis
        report = PruningReport(
            num_qubits=n,
            found={name: group.name for name, group in found.items()},
            kept={name: usable[name].name for name in chosen.families},
            dropped=_dropped(found, compat, chosen, self.forbid),
            selected=chosen.families,
            candidates=[c.summary() for c in candidates],
            num_parameters_before=circuit.num_parameters,
            num_parameters_after=pruned.num_parameters,
            parameter_map=parameter_map,
            removed_gates=[describe_gate(items[i]).replace("fixed gate", "gate") for i in removed],
            effective_dimension_before=deff_before,
            effective_dimension_after=chosen.effective_dimension if scored or exact else None,
            eqntk_before=eqntk_before,
            eqntk_after=chosen.eqntk[0] if chosen.eqntk is not None else None,
            basis=basis,
        )
        metadata = dict(circuit.metadata or {})
        section = dict(metadata.get("qsympass") or {})
        section["pruning"] = report.to_dict()
        metadata["qsympass"] = section
        pruned.metadata = metadata
        return pruned, report

    # ------------------------------------------------------------------------ steps

    def _families(self) -> dict[str, SymmetryGroup]:
        if self.symmetries is None:
            groups = find_symmetries(self.hamiltonian).families()
        else:
            groups = _named_groups(self.symmetries)
            for name, group in groups.items():
                if group.num_qubits != self.hamiltonian.num_qubits:
                    raise TranspilerError(
                        f"symmetry {name!r} acts on {group.num_qubits} qubits, the hamiltonian on "
                        f"{self.hamiltonian.num_qubits}"
                    )
                try:
                    group.check_invariant(self.hamiltonian, "hamiltonian")
                except ValueError as error:
                    raise TranspilerError(
                        f"symmetry {name!r} is not a symmetry of the hamiltonian: {error}"
                    ) from error
        flat: dict[str, SymmetryGroup] = {}
        for name, group in groups.items():
            for factor in group.factors:
                family = name if len(group.factors) == 1 else _KIND_FAMILY[factor.kind]
                unique = family
                suffix = 2
                while unique in flat:
                    unique = f"{family}_{suffix}"
                    suffix += 1
                flat[unique] = factor
        return flat

    def _check_reachability(
        self,
        candidates: list[Candidate],
        circuit: QuantumCircuit,
        items: list,
        context: CompatibilityContext,
        exact: bool,
    ) -> None:
        ground = ground_space(self.hamiltonian) if exact else None
        start = stabilizer = None
        if exact:
            start = np.asarray(Statevector(context.state.circuit()).data)
            stabilizer = stabilizer_state(context.state.circuit())
        pairs = qubit_pairs(items)
        for candidate in candidates:
            if candidate.status != "valid" or not candidate.families:
                continue
            if ground is None or start is None:
                if not entangles_coupled_qubits(pairs, candidate.removed, self.hamiltonian):
                    candidate.status = "cannot entangle qubits the hamiltonian couples"
                continue
            if context.body_fixed:
                from qsympass.effective_space import effective_subspace

                pruned = build(candidate, circuit, items).circuit
                subspace = effective_subspace(pruned, max_exact_qubits=self.max_exact_qubits)
                assert subspace.basis is not None
                weight = ground_state_weight(subspace.basis, ground)
                candidate.effective_dimension = subspace.dimension
            else:
                generators = block_generators(candidate.space or context.space, candidate.basis)
                weight, dimension = reachable_ground_weight(start, generators, ground, stabilizer)
                candidate.effective_dimension = dimension
            candidate.ground_state_weight = weight
            if weight < 1.0 - GROUND_WEIGHT_TOLERANCE:
                candidate.status = "misses the ground state"

    def _score_all(
        self,
        candidates: list[Candidate],
        unpruned: Candidate,
        circuit: QuantumCircuit,
        items: list,
    ) -> tuple[int | None, float | None]:
        from qsympass.effective_kernel import eqntk

        cache: dict[bytes, tuple[tuple[float, float], int]] = {}

        def evaluate(candidate: Candidate, target: QuantumCircuit) -> None:
            key = _basis_key(candidate.basis)
            if key not in cache:
                try:
                    result = eqntk(target, self.hamiltonian, samples=self.eqntk_samples,
                                   seed=self.seed, max_exact_qubits=self.max_exact_qubits)
                except ValueError:
                    return
                cache[key] = ((result.value, result.stderr), result.effective_dimension)
            candidate.eqntk, candidate.effective_dimension = cache[key]

        evaluate(unpruned, circuit)
        for candidate in candidates:
            if candidate.status != "valid":
                continue
            target = circuit if not candidate.families else build(candidate, circuit, items).circuit
            evaluate(candidate, target)
            if candidate.eqntk is not None:
                candidate.status = "scored"
        if unpruned.eqntk is None:
            return unpruned.effective_dimension, None
        return unpruned.effective_dimension, unpruned.eqntk[0]


def _basis_key(basis: sp.csc_matrix) -> bytes:
    coo = sp.coo_matrix(basis)
    order = np.lexsort((coo.row, coo.col))
    return (
        np.asarray(basis.shape).tobytes()
        + coo.row[order].tobytes() + coo.col[order].tobytes() + coo.data[order].tobytes()
    )


def _is_identity(basis: sp.csc_matrix) -> bool:
    rows, cols = basis.shape
    if rows != cols:
        return False
    return (basis != sp.identity(rows, format="csc")).nnz == 0


def _named_groups(symmetries: Any) -> dict[str, SymmetryGroup]:
    if isinstance(symmetries, Symmetries):
        return symmetries.families()
    if isinstance(symmetries, SymmetryGroup):
        symmetries = [symmetries]
    if isinstance(symmetries, Mapping):
        groups = dict(symmetries)
    elif not isinstance(symmetries, Iterable):
        raise TranspilerError(
            "symmetries must be a Symmetries, a mapping of family names to SymmetryGroup "
            f"objects or a sequence of them, got {type(symmetries).__name__}"
        )
    else:
        groups = {}
        for group in symmetries:
            if not isinstance(group, SymmetryGroup):
                raise TranspilerError(
                    f"symmetries must hold SymmetryGroup objects, got {type(group).__name__}"
                )
            name = _KIND_FAMILY.get(group.kind, group.kind)
            unique, suffix = name, 2
            while unique in groups:
                unique, suffix = f"{name}_{suffix}", suffix + 1
            groups[unique] = group
    for name, group in groups.items():
        if not isinstance(group, SymmetryGroup):
            raise TranspilerError(
                f"symmetry {name!r} must be a SymmetryGroup, got {type(group).__name__}"
            )
    return groups


def _dropped(
    found: Mapping[str, SymmetryGroup],
    compat: Mapping[str, FamilyCompatibility],
    chosen: Candidate,
    forbid: Sequence[str],
) -> dict[str, str]:
    dropped: dict[str, str] = {}
    for name in found:
        reasons = list(compat[name].reasons)
        if name in forbid:
            reasons.append("forbidden by the caller")
        elif compat[name].kept is not None and name not in chosen.families:
            reasons.append(
                "compatible, but not imposed by the selected candidate "
                f"({', '.join(chosen.families) or 'no symmetry'})"
            )
        if reasons:
            dropped[name] = "; ".join(reasons)
    return dropped


def _family_names(names: Iterable[str], option: str) -> tuple[str, ...]:
    if isinstance(names, str):
        return (names,)
    try:
        return tuple(names)
    except TypeError:
        raise TranspilerError(
            f"SymmetricPruning: {option} must be family names, got {type(names).__name__}"
        ) from None


def _count(value: object, option: str, *, minimum: int) -> int:
    try:
        return check_integer(value, option, minimum=minimum)
    except ValueError as error:
        raise TranspilerError(f"SymmetricPruning: {error}") from None

