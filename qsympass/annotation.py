"""Attach a Hamiltonian and pruning options to a circuit for the ``qsympass`` init plugin.

``transpile`` and preset pass managers only see the circuit, so the Hamiltonian that symmetric
pruning needs travels in ``circuit.metadata["qsympass"]`` as JSON-serializable data::

    {"hamiltonian": [["XZ", 1.0, 0.0], ...], "num_qubits": 2, "options": {"seed": 7}}

Qiskit carries ``metadata`` through ``circuit_to_dag`` (``dag.metadata``) and back.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from qiskit.circuit import QuantumCircuit
from qiskit.exceptions import QiskitError
from qiskit.quantum_info import SparsePauliOp

from qsympass.validation import as_hamiltonian, require_equal_label_lengths, require_width

#: Key of the annotation in ``circuit.metadata``.
METADATA_KEY = "qsympass"

#: Option names accepted by :func:`annotate` (forwarded to ``SymmetricPruning``).
ALLOWED_OPTIONS: tuple[str, ...] = (
    "force",
    "forbid",
    "score",
    "max_exact_qubits",
    "eqntk_samples",
    "seed",
)


def _json_ready(value: Any) -> Any:
    """Tuples to lists, numpy scalars to Python numbers (recursively)."""
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return [_json_ready(item) for item in items]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _validated_options(options: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(ALLOWED_OPTIONS))
    if unknown:
        raise ValueError(
            f"unknown option(s) {', '.join(unknown)}; allowed: {', '.join(ALLOWED_OPTIONS)}"
        )
    ready = _json_ready(options)
    try:
        json.dumps(ready)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"options must be JSON-serializable: {exc}") from exc
    return ready


def hamiltonian_to_json(hamiltonian: SparsePauliOp) -> list[list[Any]]:
    """``[[label, re, im], ...]`` for a ``SparsePauliOp`` (labels little-endian, as Qiskit's).

    Args:
        hamiltonian: The operator.

    Returns:
        One ``[label, real, imaginary]`` triple per term.
    """
    return [
        [label, float(np.real(coeff)), float(np.imag(coeff))]
        for label, coeff in hamiltonian.to_list()
    ]


def hamiltonian_from_json(terms: list[list[Any]], num_qubits: int) -> SparsePauliOp:
    """Inverse of :func:`hamiltonian_to_json`.

    Args:
        terms: ``[label, re, im]`` triples.
        num_qubits: The width, checked against the labels.

    Returns:
        The operator.

    Raises:
        ValueError: If the data is malformed or its width is not ``num_qubits``.
    """
    try:
        pairs = [(str(label), complex(float(re), float(im))) for label, re, im in terms]
        require_equal_label_lengths([label for label, _ in pairs], "annotated hamiltonian")
        operator = SparsePauliOp.from_list(pairs)
    except (TypeError, ValueError, QiskitError) as exc:
        raise ValueError(f"malformed qsympass hamiltonian annotation: {exc}") from exc
    require_width(operator, num_qubits, "annotated hamiltonian")
    return operator


def annotate(circuit: QuantumCircuit, hamiltonian: Any, **options: Any) -> QuantumCircuit:
    """Copy ``circuit`` and attach ``hamiltonian`` and pruning options to its metadata.

    The copy's ``metadata["qsympass"]`` is read by the ``qsympass`` init stage plugin
    (``transpile(..., init_method="qsympass")``). Other metadata keys are kept.

    Args:
        circuit: The ansatz.
        hamiltonian: Its Hamiltonian on the same (virtual) qubits.
        **options: Options for symmetric pruning; one of :data:`ALLOWED_OPTIONS`.

    Returns:
        The annotated copy.

    Raises:
        TypeError: If ``hamiltonian`` is not a Pauli-sum operator.
        ValueError: If widths differ, the Hamiltonian is not Hermitian or empty, an option
            name is unknown, or an option value is not JSON-serializable.
    """
    operator = as_hamiltonian(hamiltonian)
    require_width(operator, circuit.num_qubits, "hamiltonian")
    annotation = {
        "hamiltonian": hamiltonian_to_json(operator),
        "num_qubits": circuit.num_qubits,
        "options": _validated_options(options),
    }
    annotated = circuit.copy()
    metadata = dict(annotated.metadata or {})
    metadata[METADATA_KEY] = annotation
    annotated.metadata = metadata
    return annotated


def read_annotation(
    source: QuantumCircuit | dict[str, Any] | None,
) -> tuple[SparsePauliOp, dict[str, Any]] | None:
    """The Hamiltonian and options stored by :func:`annotate`, or ``None`` when absent.

    Args:
        source: An annotated circuit, or a metadata dictionary (e.g. ``dag.metadata``).

    Returns:
        ``(hamiltonian, options)``, or ``None`` if there is no ``qsympass`` annotation with a
        Hamiltonian.

    Raises:
        ValueError: If the annotation is present but malformed (bad terms, width mismatch,
            unknown options).
    """
    metadata = source.metadata if isinstance(source, QuantumCircuit) else source
    if not metadata:
        return None
    annotation = metadata.get(METADATA_KEY)
    if not isinstance(annotation, dict) or "hamiltonian" not in annotation:
        return None
    num_qubits = annotation.get("num_qubits")
    if isinstance(num_qubits, bool) or not isinstance(num_qubits, int):
        raise ValueError("qsympass annotation has no integer 'num_qubits'")
    if isinstance(source, QuantumCircuit) and source.num_qubits != num_qubits:
        raise ValueError(
            f"qsympass annotation is for {num_qubits} qubits but the circuit has "
            f"{source.num_qubits}"
        )
    hamiltonian = hamiltonian_from_json(annotation["hamiltonian"], num_qubits)
    options = annotation.get("options") or {}
    if not isinstance(options, dict):
        raise ValueError(
            f"qsympass annotation 'options' must be a dict, got {type(options).__name__}"
        )
    return hamiltonian, _validated_options(dict(options))
