"""Gradient of the SGGD penalty through the parameter-shift mechanism, in one job.

``P(θ) = c·Tr(O²)/d − Σ_g w_g t_g(θ)`` with ``t_g`` the expectation value of ``O ⊗ Oᵀ`` on the
penalty circuit of ``g``; every penalty circuit gets its own shift plan (each ansatz occurrence
appears twice in it, in ``U`` and in ``U*``) and all their PUBs go into one estimator job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.primitives import BaseEstimatorV2
from qiskit.primitives.containers import ObservablesArray
from qiskit.primitives.containers.observables_array import ObservablesArrayLike
from qiskit.transpiler import PassManager

from qsympass.gradients.parameter_shift import GradientResult, ParameterShiftGradient, ShiftPlan
from qsympass.sggd.group_elements import DEFAULT_MAX_ELEMENTS, as_group, element_set
from qsympass.sggd.penalty_circuits import doubled_observables, penalty_circuit
from qsympass.sggd.twirled_circuits import ansatz_part, split_circuit

__all__ = ["penalty_gradient"]


def penalty_gradient(
    estimator: BaseEstimatorV2,
    circuit: QuantumCircuit,
    observables: ObservablesArrayLike,
    group: Any,
    values: np.ndarray | Sequence[float],
    *,
    parameters: Sequence[Parameter] | None = None,
    samples: int | None = None,
    seed: int | np.random.Generator | None = None,
    boundary: int | None = None,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
    pass_manager: PassManager | None = None,
    precision: float | None = None,
) -> GradientResult:
    """The SGGD penalty ``P(θ)`` and its parameter-shift gradient, in one estimator job.

    Args:
        estimator: Any ``BaseEstimatorV2``.
        circuit: The model circuit (the ansatz is what follows the encoding boundary, or the
            whole circuit when unmarked; see :mod:`qsympass.sggd.twirled_circuits`).
        observables: The observable(s) ``O`` on ``circuit.num_qubits`` qubits.
        group: A ``SymmetryGroup`` (or a list of Clifford elements) of the same width.
        values: Shape ``(..., circuit.num_parameters)`` in ``circuit.parameters`` order.
        parameters: Parameters to differentiate (default: all circuit parameters; those only in
            the encoding get a zero gradient).
        samples: Monte Carlo draws (None: exact average over small finite groups).
        seed: Seed of the draws.
        boundary: Number of leading encoding instructions (None: look for the labelled barrier).
        max_elements: Largest group order averaged exactly.
        pass_manager: Optional pass manager for ISA-only estimators.
        precision: Optional target precision.

    Returns:
        A :class:`~qsympass.gradients.GradientResult` whose ``values`` are the penalties,
        ``gradients`` their derivatives and ``stds`` / ``gradient_stds`` the standard errors.

    Raises:
        ValueError: On a group or observable of another width, parameters that are not the
            circuit's, or bad values.
    """
    group_like = as_group(group)
    if group_like.num_qubits != circuit.num_qubits:
        raise ValueError(
            f"the circuit acts on {circuit.num_qubits} qubits but the symmetry group acts on "
            f"{group_like.num_qubits}"
        )
    observables_array = ObservablesArray.coerce(observables)
    if observables_array.num_qubits != circuit.num_qubits:
        raise ValueError(
            f"the observable acts on {observables_array.num_qubits} qubits but the circuit on "
            f"{circuit.num_qubits}"
        )
    targets = tuple(circuit.parameters) if parameters is None else tuple(parameters)
    all_parameters = list(circuit.parameters)
    unknown = [p.name for p in targets if p not in set(all_parameters)]
    if unknown:
        raise ValueError(f"parameters {unknown} do not appear in the circuit")
    values_array = np.asarray(values, dtype=float)
    if values_array.ndim == 0 or values_array.shape[-1] != len(all_parameters):
        raise ValueError(
            f"parameter values have shape {values_array.shape}; the last axis must hold the "
            f"{len(all_parameters)} circuit parameters"
        )
    ansatz = ansatz_part(circuit, split_circuit(circuit, boundary))
    elements = element_set(
        group_like,
        np.random.default_rng(seed),
        samples=samples,
        max_elements=max_elements,
        merge_inverses=True,
        split_identity=True,
    )
    doubled, norms = doubled_observables(observables_array)
    shifter = ParameterShiftGradient(estimator, pass_manager=pass_manager, precision=precision)
    plans: list[ShiftPlan] = []
    pubs = []
    for element in elements.elements:
        term_circuit = penalty_circuit(ansatz, element)
        present = set(term_circuit.parameters)
        plan = shifter.plan(term_circuit, [p for p in targets if p in present])
        columns = [all_parameters.index(p) for p in plan.original_parameters]
        plans.append(plan)
        pubs.append(
            plan.pub(shifter.observables_for(doubled, plan), values_array[..., columns], precision)
        )
    shape = np.broadcast_shapes(norms.shape, values_array.shape[:-1])
    scale = np.broadcast_to(norms, shape)
    constant = np.full(shape, 1.0 - elements.identity_weight)
    if not pubs:
        zeros = np.zeros(shape)
        return GradientResult(scale * constant, np.zeros((*shape, len(targets))), zeros, zeros)
    result = estimator.run(pubs, precision=precision).result()
    terms = [
        _term(plan, result[k].data.evs, result[k].data.stds, targets)
        for k, plan in enumerate(plans)
    ]
    unit = _combine(constant, elements.weights, elements.exact, terms, dict(result.metadata))
    # the terms were measured on unit-norm observables (see doubled_observables)
    return GradientResult(
        scale * unit.values,
        scale[..., None] * unit.gradients,
        scale * unit.stds,
        scale[..., None] * unit.gradient_stds,
        unit.metadata,
    )


def _term(
    plan: ShiftPlan, evs: np.ndarray, stds: np.ndarray, targets: Sequence[Parameter]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    value, partial, value_std, partial_std = plan.combine(evs, stds)
    gradient = np.zeros((*value.shape, len(targets)))
    gradient_std = np.zeros_like(gradient)
    for k, parameter in enumerate(plan.parameters):
        column = list(targets).index(parameter)
        gradient[..., column] = partial[..., k]
        gradient_std[..., column] = partial_std[..., k]
    return value, gradient, value_std, gradient_std


def _combine(
    constant: np.ndarray,
    weights: np.ndarray,
    exact: bool,
    terms: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    metadata: dict[str, Any],
) -> GradientResult:
    values = np.array([t[0] for t in terms])
    gradients = np.array([t[1] for t in terms])
    value_stds = np.array([t[2] for t in terms])
    gradient_stds = np.array([t[3] for t in terms])
    w = weights.reshape((-1,) + (1,) * (values.ndim - 1))
    wg = weights.reshape((-1,) + (1,) * (gradients.ndim - 1))
    penalty = constant - np.sum(w * values, axis=0)
    gradient = -np.sum(wg * gradients, axis=0)
    if exact:
        penalty_std = np.sqrt(np.sum(w**2 * value_stds**2, axis=0))
        gradient_std = np.sqrt(np.sum(wg**2 * gradient_stds**2, axis=0))
    else:
        count = values.shape[0]
        penalty_std = np.std(values, axis=0, ddof=1) / np.sqrt(count)
        gradient_std = np.std(gradients, axis=0, ddof=1) / np.sqrt(count)
    metadata["qsympass"] = {"exact": exact, "num_group_circuits": len(terms)}
    return GradientResult(penalty, gradient, penalty_std, gradient_std, metadata)
