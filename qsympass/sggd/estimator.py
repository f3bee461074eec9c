"""``SymmetryGuidedEstimator``: an ``EstimatorV2`` that adds SGGD terms to any estimator.

Two modes (DESIGN §6):

- ``"penalty"`` (C1): the result keeps ``evs``/``stds`` and adds ``penalty`` and
  ``penalty_stds``, ``P(θ) = ‖T_G[O_θ] − O_θ‖²_HS / d = Tr(O²)/d − E_g Tr(O_θ V_g O_θ V_g†)/d``,
  each group term measured on ``2n`` qubits (:mod:`qsympass.sggd.penalty_circuits`). ``O_θ`` is
  the Heisenberg observable of the ansatz: the instructions after the encoding boundary (see
  :mod:`qsympass.sggd.twirled_circuits`), or the whole circuit when no boundary is marked.
- ``"twirl"`` (C2): ``evs`` is the twirled model ``E_g f_θ(g·x)``: ``V_g`` is inserted between
  the encoding and the ansatz, at a boundary the circuit must mark.

Small finite groups (order ≤ ``max_elements``) are averaged exactly; larger or continuous groups
are sampled (``samples`` draws per PUB and call, seeded by ``seed``), giving an unbiased estimate
whose standard error (sample spread / √samples) is in ``penalty_stds`` / ``stds``. All circuits
of one ``run`` call (the user's PUBs and every group term) go to the wrapped estimator in one
``run`` call, i.e. one job. The inner result's metadata, and each user PUB's metadata
(``target_precision``, ``shots``, ...), are kept.

For ISA-only estimators (IBM runtime, fake backends) pass logical circuits and
``pass_manager=generate_preset_pass_manager(backend=..., optimization_level=1)``: every circuit is
transpiled (cached by content) and its observables laid out with ``apply_layout``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from qiskit.circuit import Parameter, ParameterExpression, QuantumCircuit
from qiskit.primitives import BaseEstimatorV2
from qiskit.primitives.base.base_primitive_job import BasePrimitiveJob
from qiskit.primitives.containers import (
    BindingsArray,
    DataBin,
    EstimatorPub,
    ObservablesArray,
    PrimitiveResult,
    PubResult,
)
from qiskit.primitives.containers.estimator_pub import EstimatorPubLike
from qiskit.transpiler import PassManager, TranspilerError

from qsympass.jobs import DerivedJob
from qsympass.sggd.group_elements import (
    DEFAULT_MAX_ELEMENTS,
    ElementSet,
    GroupLike,
    as_group,
    element_set,
)
from qsympass.sggd.penalty_circuits import doubled_observables, penalty_circuit
from qsympass.sggd.twirled_circuits import Split, ansatz_part, split_circuit, twirled_circuit

__all__ = ["SymmetryGuidedEstimator", "SymmetryGuidedJob"]

Mode = Literal["penalty", "twirl"]
_CACHE_SIZE = 512


class SymmetryGuidedJob(DerivedJob[PrimitiveResult[PubResult]]):
    """The wrapped estimator's job, with the SGGD post-processing applied on ``result()``.

    Args:
        inner: The wrapped estimator's job.
        finish: The post-processing of its result.
    """

    def __init__(
        self,
        inner: BasePrimitiveJob,
        finish: Callable[[PrimitiveResult], PrimitiveResult[PubResult]],
    ) -> None:
        super().__init__(inner, lambda: finish(inner.result()))


@dataclass
class _Task:
    """What one user PUB became: indices of its PUBs in the submitted list."""

    pub: EstimatorPub
    elements: ElementSet
    main_index: int | None
    term_indices: list[int] = field(default_factory=list)
    norms: np.ndarray | None = None


def select_bindings(
    bindings: BindingsArray, source: Sequence[Parameter], parameters: Iterable[Parameter]
) -> BindingsArray:
    """Restrict a ``BindingsArray`` to some of its parameters.

    The shape is kept, except for bindings of no parameter, which have shape ``()``: the
    circuit then runs once and its results broadcast back to the PUB's shape (Aer cannot run
    empty bindings of a non-trivial shape).

    Args:
        bindings: The full bindings.
        source: All parameters ``bindings`` holds (e.g. the PUB circuit's ``parameters``).
        parameters: The parameters to keep (e.g. a derived circuit's ``parameters``).

    Returns:
        The restricted bindings.
    """
    kept = tuple(parameters)
    if not kept:
        return BindingsArray()
    columns = [list(source).index(parameter) for parameter in kept]
    full = bindings.as_array(list(source))
    return BindingsArray({kept: full[..., columns]}, shape=bindings.shape)


def collapse_repeated_rows(bindings: BindingsArray) -> BindingsArray:
    """Bindings whose rows are all equal as one row of shape ``()``, others unchanged.

    A penalty term depends on the trained angles only, so a batch of inputs with one set of
    angles needs one evaluation of it, broadcast back to the PUB's shape.

    Args:
        bindings: Bindings of one circuit.

    Returns:
        The collapsed bindings, or ``bindings`` itself.
    """
    if bindings.size <= 1 or not bindings.num_parameters:
        return bindings
    parameters = [p for key in bindings.data for p in key]
    rows = bindings.as_array(parameters).reshape(bindings.size, -1)
    if not np.all(rows == rows[0]):
        return bindings
    return BindingsArray({tuple(parameters): rows[0]})


def _circuit_key(circuit: QuantumCircuit) -> tuple[Any, ...] | None:
    """A hashable key that determines the circuit, or None when none is cheap to build.

    Only standard gates and barriers are keyed: their name, angles and qubits fix them. Other
    operations carry more (a ``PauliEvolutionGate`` its operator, a custom gate its
    definition), so circuits holding them are not cached. Parameters are keyed by identity
    (name and UUID), so a rebuilt circuit with fresh parameters of the same names is new.
    """
    entries = []
    for instruction in circuit.data:
        operation = instruction.operation
        if operation.name != "barrier" and getattr(operation, "_standard_gate", None) is None:
            return None
        entries.append((
            operation.name,
            tuple(_parameter_key(p) for p in operation.params),
            tuple(circuit.find_bit(q).index for q in instruction.qubits),
        ))
    return circuit.num_qubits, tuple(entries)


def _parameter_key(param: Any) -> Any:
    if isinstance(param, ParameterExpression):
        return str(param), tuple(sorted(str(p.uuid) for p in param.parameters))
    return param.tobytes() if isinstance(param, np.ndarray) else param


class SymmetryGuidedEstimator(BaseEstimatorV2):
    """Symmetry-guided gradient descent terms on top of any ``BaseEstimatorV2``.

    Args:
        estimator: The wrapped estimator (Statevector, Aer, runtime, ...).
        group: A ``SymmetryGroup`` acting on the circuits' qubits (or a list of Clifford
            elements, taken as the whole group).
        mode: ``"penalty"`` (C1: adds ``penalty``) or ``"twirl"`` (C2: twirled ``evs``).
        samples: Monte Carlo draws per PUB; None averages small finite groups exactly.
        seed: Seed of the Monte Carlo draws.
        boundary: Number of leading encoding instructions; None looks for a barrier labelled
            ``qsympass.sggd.BOUNDARY_LABEL`` (``"qsympass.boundary"``).
        max_elements: Largest group order averaged exactly.
        pass_manager: Transpiles every circuit sent to ``estimator`` (needed for ISA-only ones).

    Raises:
        ValueError: On an unknown mode or a group that cannot be inserted as a circuit.

    Example:
        >>> est = SymmetryGuidedEstimator(StatevectorEstimator(), group, mode="penalty")
        >>> data = est.run([(circuit, observable, values)]).result()[0].data
        >>> data.evs, data.penalty
    """

    def __init__(
        self,
        estimator: BaseEstimatorV2,
        group: GroupLike | Sequence[Any],
        mode: Mode = "penalty",
        *,
        samples: int | None = None,
        seed: int | np.random.Generator | None = None,
        boundary: int | None = None,
        max_elements: int = DEFAULT_MAX_ELEMENTS,
        pass_manager: PassManager | None = None,
    ) -> None:
        if mode not in ("penalty", "twirl"):
            raise ValueError(f"mode must be 'penalty' or 'twirl', got {mode!r}")
        self.estimator = estimator
        self.group = as_group(group)
        self.mode: Mode = mode
        self.samples = samples
        self.boundary = boundary
        self.max_elements = max_elements
        self.pass_manager = pass_manager
        self._rng = np.random.default_rng(seed)
        # exact element sets, per mode (the penalty splits off the identity, merges inverses)
        self._exact_elements: dict[bool, ElementSet] = {}
        self._transpiled: OrderedDict[tuple[Any, ...], QuantumCircuit] = OrderedDict()

    # ------------------------------------------------------------------ public API

    def run(
        self, pubs: Iterable[EstimatorPubLike], *, precision: float | None = None
    ) -> SymmetryGuidedJob:
        """Estimate the PUBs and their SGGD terms in one job of the wrapped estimator.

        Args:
            pubs: Estimator PUBs ``(circuit, observables[, parameter_values[, precision]])`` with
                logical circuits on ``group.num_qubits`` qubits.
            precision: Default target precision, forwarded to the wrapped estimator.

        Returns:
            A job whose result is a ``PrimitiveResult`` of ``PubResult``; each ``DataBin`` has
            ``evs`` and ``stds`` (twirled in twirl mode) and, in penalty mode, ``penalty`` and
            ``penalty_stds``, all of the PUB's broadcast shape.

        Raises:
            ValueError: On a circuit of another width than the group, a non-Hermitian
                observable, or (twirl mode) an unmarked encoding/ansatz boundary.
        """
        coerced = [self._coerce(pub, index) for index, pub in enumerate(pubs)]
        submitted: list[EstimatorPub] = []
        tasks = [self._plan(pub, submitted) for pub in coerced]
        inner = self.estimator.run(submitted, precision=precision)
        return SymmetryGuidedJob(inner, lambda result: self._finish(tasks, result))

    # ------------------------------------------------------------------ building

    def _coerce(self, pub: EstimatorPubLike, index: int) -> EstimatorPub:
        try:
            coerced = EstimatorPub.coerce(pub)
        except ValueError as exc:
            raise ValueError(f"PUB {index}: {exc}") from exc
        width = coerced.circuit.num_qubits
        if width != self.group.num_qubits:
            raise ValueError(
                f"PUB {index}: the circuit acts on {width} qubits but the symmetry group acts on "
                f"{self.group.num_qubits}; pass the logical circuit (and pass_manager= for ISA "
                "estimators)"
            )
        return coerced

    def _elements(self, penalty: bool) -> ElementSet:
        if self.samples is None and penalty in self._exact_elements:
            return self._exact_elements[penalty]
        elements = element_set(
            self.group,
            self._rng,
            samples=self.samples,
            max_elements=self.max_elements,
            merge_inverses=penalty,
            split_identity=penalty,
        )
        if elements.exact:
            self._exact_elements[penalty] = elements
        return elements

    def _plan(self, pub: EstimatorPub, submitted: list[EstimatorPub]) -> _Task:
        if self.mode == "penalty":
            return self._plan_penalty(pub, submitted)
        return self._plan_twirl(pub, submitted)

    def _plan_penalty(self, pub: EstimatorPub, submitted: list[EstimatorPub]) -> _Task:
        split = split_circuit(pub.circuit, self.boundary)
        ansatz = ansatz_part(pub.circuit, split)
        elements = self._elements(penalty=True)
        doubled, norms = doubled_observables(pub.observables)
        task = _Task(pub, elements, main_index=len(submitted), norms=norms)
        submitted.append(self._prepare(pub.circuit, pub.observables, pub, term=False))
        for element in elements.elements:
            task.term_indices.append(len(submitted))
            circuit = penalty_circuit(ansatz, element)
            try:
                submitted.append(self._prepare(circuit, doubled, pub))
            except TranspilerError as error:
                raise ValueError(
                    f"the penalty circuits act on {circuit.num_qubits} qubits (the ansatz and "
                    "a copy of it); the pass manager cannot map them (it needs a device with "
                    f"that many qubits and no fixed initial layout): {error}"
                ) from error
        return task

    def _plan_twirl(self, pub: EstimatorPub, submitted: list[EstimatorPub]) -> _Task:
        split: Split | None = split_circuit(pub.circuit, self.boundary, required=True)
        assert split is not None  # required=True raises instead
        elements = self._elements(penalty=False)
        task = _Task(pub, elements, main_index=None)
        for element in elements.elements:
            task.term_indices.append(len(submitted))
            circuit = twirled_circuit(pub.circuit, element, split)
            # the twirled circuits give the user's own values: one estimate per row
            submitted.append(self._prepare(circuit, pub.observables, pub, term=False))
        return task

    def _prepare(
        self,
        circuit: QuantumCircuit,
        observables: ObservablesArray,
        pub: EstimatorPub,
        *,
        term: bool = True,
    ) -> EstimatorPub:
        if self.pass_manager is not None:
            circuit = self._transpile(circuit)
            if circuit.layout is not None:
                observables = observables.apply_layout(circuit.layout)
        bindings = select_bindings(
            pub.parameter_values, list(pub.circuit.parameters), circuit.parameters
        )
        if term:  # a penalty term: one evaluation serves every row with the same angles
            bindings = collapse_repeated_rows(bindings)
        return EstimatorPub(circuit, observables, bindings, pub.precision)

    def _transpile(self, circuit: QuantumCircuit) -> QuantumCircuit:
        assert self.pass_manager is not None
        key = _circuit_key(circuit)
        if key is None:
            return self.pass_manager.run(circuit)
        cached = self._transpiled.get(key)
        if cached is None:
            cached = self.pass_manager.run(circuit)
            self._transpiled[key] = cached
            if len(self._transpiled) > _CACHE_SIZE:
                self._transpiled.popitem(last=False)
        else:
            self._transpiled.move_to_end(key)
        return cached

    # ------------------------------------------------------------------ post-processing

    def _finish(self, tasks: list[_Task], result: PrimitiveResult) -> PrimitiveResult[PubResult]:
        pub_results = [self._finish_task(task, result) for task in tasks]
        metadata = dict(result.metadata)
        metadata["qsympass"] = {
            "mode": self.mode,
            "num_inner_pubs": len(result),
        }
        return PrimitiveResult(pub_results, metadata=metadata)

    def _finish_task(self, task: _Task, result: PrimitiveResult) -> PubResult:
        shape = task.pub.shape
        evs = np.array([np.broadcast_to(result[k].data.evs, shape) for k in task.term_indices])
        stds = np.array([np.broadcast_to(result[k].data.stds, shape) for k in task.term_indices])
        mean, error = _average(task.elements, evs, stds, shape)
        info = {
            "mode": self.mode,
            "exact": task.elements.exact,
            "num_group_circuits": len(task.term_indices),
        }
        if task.main_index is None:
            first = result[task.term_indices[0]] if task.term_indices else None
            metadata = dict(first.metadata) if first is not None else {}
            metadata["qsympass"] = info
            return PubResult(DataBin(evs=mean, stds=error, shape=shape), metadata=metadata)
        main = result[task.main_index]
        assert task.norms is not None
        norms = np.broadcast_to(task.norms, shape)
        fields = {
            name: np.array(np.broadcast_to(value, shape)) for name, value in main.data.items()
        }
        # the group terms were measured on unit-norm observables (see doubled_observables)
        fields["penalty"] = norms * ((1.0 - task.elements.identity_weight) - mean)
        fields["penalty_stds"] = norms * error
        metadata = dict(main.metadata)
        metadata["qsympass"] = info
        return PubResult(DataBin(**fields, shape=shape), metadata=metadata)


def _average(
    elements: ElementSet, evs: np.ndarray, stds: np.ndarray, shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean over the group terms (axis 0) and its standard error."""
    if evs.shape[0] == 0:
        return np.zeros(shape), np.zeros(shape)
    weights = elements.weights.reshape((-1,) + (1,) * len(shape))
    mean = np.sum(weights * evs, axis=0)
    if elements.exact:
        error = np.sqrt(np.sum(weights**2 * stds**2, axis=0))
    else:
        error = np.std(evs, axis=0, ddof=1) / np.sqrt(evs.shape[0])
    return mean, error
