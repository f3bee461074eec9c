"""Parameter-shift gradients through any ``BaseEstimatorV2``, one PUB per circuit.

Every gate *occurrence* of a differentiated parameter gets its own internal shift parameter
``s_j``: the gate angle ``a_j(θ)`` becomes ``a_j(θ) + s_j``. One PUB then binds the original
parameters to the requested values and the shift parameters to a table whose row 0 is all zeros
(the energy) and whose other rows shift one occurrence at a time by the ±x_μ of its shift rule
(±π/2 for Pauli rotations, four terms for CRX/CRY/CRZ/XX±YY, see
:mod:`qsympass.gradients.shift_rules`); a ``PauliEvolutionGate`` of several commuting terms is
split into one Pauli rotation per term first. The chain rule over occurrences maps back:
``∂E/∂θ_k = Σ_j ∂E/∂a_j · ∂a_j/∂θ_k``, where ``∂a_j/∂θ_k`` are the affine coefficients of the
angle (a parameter used in several gates, or in ``2θ + φ``, is handled this way).

Layout of the PUB: the bindings have shape ``(*values_shape, 1 + S)`` (shift axis last) and the
observables are reshaped to ``(*observables_shape, 1)``, so the estimator's broadcasting returns
``(*broadcast_shape, 1 + S)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from qiskit.circuit import CircuitInstruction, Parameter, ParameterVector, QuantumCircuit
from qiskit.circuit.library import PauliEvolutionGate
from qiskit.primitives import BaseEstimatorV2
from qiskit.primitives.containers import BindingsArray, EstimatorPub, ObservablesArray
from qiskit.primitives.containers.observables_array import ObservablesArrayLike
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import PassManager

from qsympass.circuits import (
    affine_coefficients,
    rotation_generator,
    to_rotation_basis,
    validate_ansatz,
)
from qsympass.gradients.shift_rules import ShiftRule, shift_rule

__all__ = [
    "GradientResult",
    "ParameterShiftGradient",
    "ShiftPlan",
    "build_shift_plan",
]

_SHIFT_PREFIX = "_qsympass_shift"


@dataclass(frozen=True)
class GradientResult:
    """Energies and gradients of one circuit at a batch of parameter values.

    Attributes:
        values: Expectation values, shape ``broadcast(observables_shape, values_shape)``.
        gradients: ``∂E/∂θ``, shape ``(*values.shape, num_parameters)`` (order of
            ``parameters`` given to ``run``, by default ``circuit.parameters``).
        stds: Standard errors of ``values`` reported by the estimator.
        gradient_stds: Standard errors of ``gradients`` (independent evaluations assumed).
        metadata: The estimator result's metadata plus ``"parameter_shift"`` bookkeeping.
    """

    values: np.ndarray
    gradients: np.ndarray
    stds: np.ndarray
    gradient_stds: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Occurrence:
    instruction_index: int
    shift_parameter: Parameter
    rule: ShiftRule
    coefficients: dict[Parameter, float]


@dataclass(frozen=True)
class ShiftPlan:
    """A circuit rebuilt with one shift parameter per differentiated gate occurrence.

    Attributes:
        circuit: The rebuilt circuit (parameters: the original ones plus the shift parameters).
        original_parameters: The original circuit's parameters, in ``circuit.parameters`` order
            of the input circuit (the order of the last axis of ``values``).
        parameters: The differentiated parameters (order of the gradient's last axis).
        shift_parameters: One per occurrence.
        shift_table: Shape ``(1 + S, num_occurrences)``; row 0 unshifted.
        weights: Shape ``(num_parameters, 1 + S)``: ``gradient = evs @ weights.T``.
    """

    circuit: QuantumCircuit
    original_parameters: tuple[Parameter, ...]
    parameters: tuple[Parameter, ...]
    shift_parameters: tuple[Parameter, ...]
    shift_table: np.ndarray
    weights: np.ndarray

    @property
    def num_evaluations(self) -> int:
        """Rows per parameter set: one unshifted plus all shifted evaluations."""
        return int(self.shift_table.shape[0])

    def bindings(self, values: np.ndarray) -> BindingsArray:
        """Bindings of shape ``(*values.shape[:-1], 1 + S)`` for the rebuilt circuit.

        A circuit with nothing to bind gets empty bindings of shape ``(1,)``: it runs once,
        and :meth:`ParameterShiftGradient.run` broadcasts its values to every row.

        Args:
            values: Values of ``original_parameters``, shape ``(..., len(original_parameters))``.

        Returns:
            The ``BindingsArray`` (shift axis last).
        """
        values = _as_values(values, len(self.original_parameters))
        batch = values.shape[:-1]
        rows = self.num_evaluations
        data: dict[tuple[Parameter, ...], np.ndarray] = {}
        # a parameter that only sat in the global phase is gone from the rebuilt circuit
        present = set(self.circuit.parameters)
        columns = [k for k, p in enumerate(self.original_parameters) if p in present]
        if columns:
            bound = tuple(self.original_parameters[k] for k in columns)
            data[bound] = np.broadcast_to(
                values[..., None, columns], (*batch, rows, len(columns))
            )
        if self.shift_parameters:
            data[self.shift_parameters] = np.broadcast_to(
                self.shift_table, (*batch, *self.shift_table.shape)
            )
        if not data:  # nothing to bind: one evaluation (Aer cannot run shaped empty bindings)
            return BindingsArray(shape=(rows,))
        return BindingsArray(data, shape=(*batch, rows))

    def pub(
        self,
        observables: ObservablesArrayLike,
        values: np.ndarray,
        precision: float | None = None,
    ) -> EstimatorPub:
        """The single PUB holding the unshifted and all shifted evaluations.

        Args:
            observables: Observables (any ``ObservablesArrayLike``) on the circuit's qubits.
            values: Parameter values, shape ``(..., len(original_parameters))``.
            precision: Optional target precision of the PUB.

        Returns:
            An ``EstimatorPub`` of shape ``(*broadcast(obs_shape, values_shape), 1 + S)``.
        """
        array = ObservablesArray.coerce(observables)
        array = array.reshape(*array.shape, 1)
        return EstimatorPub(self.circuit, array, self.bindings(values), precision)

    def combine(
        self, evs: np.ndarray, stds: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Energies and gradients from the PUB's ``evs``/``stds`` (shift axis last).

        Args:
            evs: Expectation values, shape ``(..., 1 + S)``.
            stds: Their standard errors, same shape.

        Returns:
            ``(values, gradients, value_stds, gradient_stds)``.
        """
        evs = np.asarray(evs, dtype=float)
        stds = np.asarray(stds, dtype=float)
        gradients = evs @ self.weights.T
        gradient_stds = np.sqrt((stds**2) @ (self.weights**2).T)
        return evs[..., 0], gradients, stds[..., 0], gradient_stds


def _filled(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``array`` broadcast to ``shape`` as a writable array of its own."""
    return np.array(np.broadcast_to(array, shape))


def _as_values(values: Any, num_parameters: int) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if num_parameters == 0 and array.ndim == 0:
        return array.reshape(0)
    if array.ndim == 0 or array.shape[-1] != num_parameters:
        raise ValueError(
            f"parameter values have shape {array.shape}; the last axis must hold the "
            f"{num_parameters} circuit parameters"
        )
    return array


def _differentiable_circuit(circuit: QuantumCircuit) -> QuantumCircuit:
    validate_ansatz(circuit)
    for instruction in circuit.data:
        try:
            rotation_generator(instruction, circuit)
        except ValueError:
            return _split_evolutions(to_rotation_basis(circuit))
    return _split_evolutions(circuit)


def _split_evolutions(circuit: QuantumCircuit) -> QuantumCircuit:
    """One Pauli rotation per term of each parameterized multi-term ``PauliEvolutionGate``.

    The terms commute (:func:`rotation_generator` checks it), so the product is the same gate;
    each term then has a two-term shift rule, where the whole generator's spectrum can have
    too many incommensurate frequencies for a stable rule.
    """
    def split(instruction: CircuitInstruction) -> list[CircuitInstruction] | None:
        if not isinstance(instruction.operation, PauliEvolutionGate):
            return None
        rotation = rotation_generator(instruction, circuit)
        if rotation is None or len(rotation.generator) < 2:
            return None
        return [
            instruction.replace(operation=PauliEvolutionGate(
                SparsePauliOp(pauli, 0.5 * coefficient.real), time=rotation.angle
            ))
            for pauli, coefficient in zip(
                rotation.generator.paulis, rotation.generator.coeffs, strict=True
            )
        ]

    pieces = [split(instruction) for instruction in circuit.data]
    if all(piece is None for piece in pieces):
        return circuit
    out = circuit.copy_empty_like()
    for instruction, piece in zip(circuit.data, pieces, strict=True):
        for part in piece or [instruction]:
            out.append(part)
    return out


def _shifted_instruction(
    instruction: CircuitInstruction, shift: Parameter, circuit: QuantumCircuit
) -> CircuitInstruction:
    operation = instruction.operation.copy()
    operation.params[0] = operation.params[0] + shift
    shifted = instruction.replace(operation=operation)
    generator = rotation_generator(shifted, circuit)
    # The table's convention is angle == params[0]; check it so a future gate cannot break us.
    if generator is None or affine_coefficients(generator.angle)[1].get(shift) != 1.0:
        raise ValueError(
            f"gate '{operation.name}' does not take its rotation angle as first parameter"
        )
    return shifted


def build_shift_plan(
    circuit: QuantumCircuit, parameters: Sequence[Parameter] | None = None
) -> ShiftPlan:
    """Rebuild ``circuit`` with one shift parameter per occurrence of ``parameters``.

    Args:
        circuit: A unitary circuit; parameterized gates outside the rotation table are translated
            with :func:`qsympass.circuits.to_rotation_basis`.
        parameters: The parameters to differentiate (default: all, ``circuit.parameters``).

    Returns:
        The :class:`ShiftPlan`.

    Raises:
        ValueError: If a parameter is not in the circuit or is listed twice, or the circuit is
            not a valid ansatz (measurements, resets, control flow, non-affine angles).
    """
    original = tuple(circuit.parameters)
    targets = original if parameters is None else tuple(parameters)
    unknown = [p.name for p in targets if p not in set(original)]
    if unknown:
        raise ValueError(f"parameters {unknown} do not appear in the circuit")
    if len(set(targets)) != len(targets):
        repeated = sorted({p.name for p in targets if targets.count(p) > 1})
        raise ValueError(f"parameters {repeated} are listed more than once")
    work = _differentiable_circuit(circuit)
    target_set = set(targets)
    occurrences: list[tuple[int, ShiftRule, dict[Parameter, float]]] = []
    for index, instruction in enumerate(work.data):
        generator = rotation_generator(instruction, work)
        if generator is None:
            continue
        _, coefficients = affine_coefficients(generator.angle)
        used = {p: c for p, c in coefficients.items() if p in target_set and c != 0.0}
        if used:
            occurrences.append((index, shift_rule(generator.generator), used))
    shifts = ParameterVector(_SHIFT_PREFIX, len(occurrences))
    rebuilt = work.copy_empty_like()
    rebuilt.global_phase = 0.0  # irrelevant for expectation values, and may hold parameters
    by_index = {index: k for k, (index, _, _) in enumerate(occurrences)}
    for index, instruction in enumerate(work.data):
        k = by_index.get(index)
        rebuilt.append(
            instruction if k is None else _shifted_instruction(instruction, shifts[k], work)
        )
    table, weights = _shift_table(occurrences, targets)
    return ShiftPlan(
        circuit=rebuilt,
        original_parameters=original,
        parameters=targets,
        shift_parameters=tuple(shifts),
        shift_table=table,
        weights=weights,
    )


def _shift_table(
    occurrences: Sequence[tuple[int, ShiftRule, Mapping[Parameter, float]]],
    targets: Sequence[Parameter],
) -> tuple[np.ndarray, np.ndarray]:
    column = {p: k for k, p in enumerate(targets)}
    rows: list[np.ndarray] = [np.zeros(len(occurrences))]
    weight_columns: list[np.ndarray] = [np.zeros(len(targets))]
    for j, (_, rule, coefficients) in enumerate(occurrences):
        chain = np.zeros(len(targets))
        for parameter, coefficient in coefficients.items():
            chain[column[parameter]] = coefficient
        for shift, weight in zip(rule.shifts, rule.coefficients, strict=True):
            for sign in (1.0, -1.0):
                row = np.zeros(len(occurrences))
                row[j] = sign * shift
                rows.append(row)
                weight_columns.append(sign * weight * chain)
    return np.array(rows), np.array(weight_columns).T


class ParameterShiftGradient:
    """Energies and parameter-shift gradients through any ``BaseEstimatorV2``.

    One call to :meth:`run` is one estimator job holding one PUB per circuit.

    Args:
        estimator: The estimator to run the shifted circuits on.
        pass_manager: Optional pass manager applied to the rebuilt circuit (e.g. the backend's
            preset pass manager for ISA-only estimators); observables get its layout.
        precision: Optional target precision forwarded to ``estimator.run``.

    Example:
        >>> result = ParameterShiftGradient(StatevectorEstimator()).run(qc, H, values)
        >>> result.values, result.gradients
    """

    def __init__(
        self,
        estimator: BaseEstimatorV2,
        *,
        pass_manager: PassManager | None = None,
        precision: float | None = None,
    ) -> None:
        self.estimator = estimator
        self.pass_manager = pass_manager
        self.precision = precision

    def plan(
        self, circuit: QuantumCircuit, parameters: Sequence[Parameter] | None = None
    ) -> ShiftPlan:
        """The shift plan of ``circuit`` (rebuilt and, with a pass manager, transpiled).

        Args:
            circuit: The circuit.
            parameters: Parameters to differentiate (default: all).

        Returns:
            The plan.
        """
        plan = build_shift_plan(circuit, parameters)
        if self.pass_manager is None:
            return plan
        return _replace_circuit(plan, self.pass_manager.run(plan.circuit))

    def run(
        self,
        circuit: QuantumCircuit,
        observables: ObservablesArrayLike,
        values: np.ndarray | Sequence[float] | Sequence[Sequence[float]],
        parameters: Sequence[Parameter] | None = None,
    ) -> GradientResult:
        """Evaluate energies and gradients at a batch of parameter values (one job).

        Args:
            circuit: The parameterized circuit.
            observables: One observable or an array of them (broadcast with the values).
            values: Shape ``(..., circuit.num_parameters)`` in ``circuit.parameters`` order.
            parameters: Parameters to differentiate (default: all).

        Returns:
            The :class:`GradientResult`.

        Raises:
            ValueError: On values of the wrong shape or an unsupported circuit.
        """
        plan = self.plan(circuit, parameters)
        observables_array = self.observables_for(observables, plan)
        values_array = np.asarray(values)
        pub = plan.pub(observables_array, values_array, self.precision)
        result = self.estimator.run([pub]).result()
        data = result[0].data
        energies, gradients, stds, gradient_stds = plan.combine(data.evs, data.stds)
        # a circuit with nothing to bind ran once; its results hold for every row
        shape = np.broadcast_shapes(observables_array.shape, values_array.shape[:-1])
        width = (gradients.shape[-1],)
        energies, stds = _filled(energies, shape), _filled(stds, shape)
        gradients = _filled(gradients, shape + width)
        gradient_stds = _filled(gradient_stds, shape + width)
        metadata = dict(result.metadata)
        metadata["parameter_shift"] = {
            "evaluations_per_point": plan.num_evaluations,
            "num_occurrences": len(plan.shift_parameters),
            "pub_metadata": dict(result[0].metadata),
        }
        return GradientResult(energies, gradients, stds, gradient_stds, metadata)


    def observables_for(
        self, observables: ObservablesArrayLike, plan: ShiftPlan
    ) -> ObservablesArray:
        """The observables to measure on ``plan.circuit``.

        With a pass manager the observables are those of the logical circuit and are laid out
        with the transpiled circuit's layout. Without one, ``plan.circuit`` is the caller's own
        circuit: observables of its width pass unchanged, narrower (logical) ones are laid out.

        Args:
            observables: One observable or an array of them.
            plan: A plan from :meth:`plan`.

        Returns:
            The observables on the qubits of ``plan.circuit``.
        """
        array = ObservablesArray.coerce(observables)
        layout = plan.circuit.layout
        if layout is None:
            return array
        if self.pass_manager is not None or array.num_qubits != plan.circuit.num_qubits:
            return array.apply_layout(layout)
        return array


def _replace_circuit(plan: ShiftPlan, circuit: QuantumCircuit) -> ShiftPlan:
    return ShiftPlan(
        circuit=circuit,
        original_parameters=plan.original_parameters,
        parameters=plan.parameters,
        shift_parameters=plan.shift_parameters,
        shift_table=plan.shift_table,
        weights=plan.weights,
    )

