"""Shared input validation for operators and counts handed to qsympass.

Every public entry point that takes a Hamiltonian or an observable funnels it through these
helpers, so bad input fails early with one ``ValueError`` (or ``TypeError``) naming the problem.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
from qiskit.quantum_info import Operator, Pauli, PauliList, SparsePauliOp

#: Tolerance on coefficients: absolute in the ``require_*`` helpers (their ``atol``), relative
#: to the largest non-identity coefficient in :func:`as_hamiltonian`.
DEFAULT_ATOL = 1e-10


def as_sparse_pauli_op(op: Any, name: str = "operator") -> SparsePauliOp:
    """Convert ``op`` to a :class:`~qiskit.quantum_info.SparsePauliOp` if possible.

    Accepts a ``SparsePauliOp``, a ``Pauli``, a ``PauliList``, a Pauli label string, a list of
    ``(label, coefficient)`` pairs, an ``Operator`` (decomposed into Paulis), or anything
    ``SparsePauliOp`` accepts directly. A ``SparsePauliOp`` is returned as is (not copied).

    Args:
        op: The object to convert.
        name: Name of the argument, used in error messages.

    Returns:
        The operator as a ``SparsePauliOp``.

    Raises:
        TypeError: If ``op`` cannot be interpreted as a Pauli-sum operator.
        ValueError: If ``(label, coefficient)`` pairs have labels of different lengths.
    """
    if isinstance(op, SparsePauliOp):
        return op
    if isinstance(op, list | tuple) and op and isinstance(op[0], tuple | list):
        require_equal_label_lengths([term[0] for term in op], name)
    try:
        if isinstance(op, str):
            return SparsePauliOp(op)
        if isinstance(op, Pauli | PauliList):
            return SparsePauliOp(op)
        if isinstance(op, Operator):
            return SparsePauliOp.from_operator(op)
        if isinstance(op, list | tuple) and op and isinstance(op[0], tuple | list):
            return SparsePauliOp.from_list(list(op))
        return SparsePauliOp(op)
    except Exception as exc:  # qiskit raises QiskitError, ValueError or TypeError here
        raise TypeError(
            f"{name} must be a SparsePauliOp (or convertible to one), got {type(op).__name__}"
        ) from exc


def require_equal_label_lengths(labels: Any, name: str = "operator") -> None:
    """Check that Pauli labels all have one length.

    ``SparsePauliOp.from_list`` would otherwise cut longer labels to the first one's width.

    Args:
        labels: Pauli labels, e.g. ``["XX", "ZI"]`` (a leading phase such as ``-i`` is allowed).
        name: Name of the operator, used in the error message.

    Raises:
        ValueError: If two labels differ in length.
    """
    widths = {len(str(label).lstrip("+-ij")) for label in labels}
    if len(widths) > 1:
        raise ValueError(f"{name} has Pauli labels of different lengths {sorted(widths)}")


def require_nonempty(op: SparsePauliOp, name: str = "operator", atol: float = DEFAULT_ATOL) -> None:
    """Require ``op`` to have at least one qubit and one non-zero term.

    Args:
        op: The operator to check.
        name: Name of the argument, used in error messages.
        atol: Coefficients with absolute value at most ``atol`` count as zero.

    Raises:
        ValueError: If ``op`` acts on zero qubits or all its coefficients vanish.
    """
    if op.num_qubits is None or op.num_qubits == 0:
        raise ValueError(f"{name} acts on zero qubits")
    if op.size == 0 or not np.any(np.abs(op.coeffs) > atol):
        raise ValueError(f"{name} is empty: it has no non-zero Pauli terms")


def require_finite(op: SparsePauliOp, name: str = "operator") -> None:
    """Require every Pauli coefficient of ``op`` to be finite.

    Args:
        op: The operator to check.
        name: Name of the argument, used in error messages.

    Raises:
        ValueError: If a coefficient is NaN or infinite.
    """
    bad = ~np.isfinite(op.coeffs)
    if bad.any():
        label = op.paulis[int(np.flatnonzero(bad)[0])].to_label()
        raise ValueError(f"{name} has a non-finite coefficient (on {label})")


def require_hermitian(
    op: SparsePauliOp, name: str = "operator", atol: float = DEFAULT_ATOL
) -> None:
    """Require ``op`` to be Hermitian (all Pauli coefficients real after simplification).

    Args:
        op: The operator to check.
        name: Name of the argument, used in error messages.
        atol: Tolerance on the imaginary parts of the simplified coefficients.

    Raises:
        ValueError: If some coefficient has an imaginary part larger than ``atol``.
    """
    # Pauli strings are Hermitian (the PauliList phases are folded into coeffs by SparsePauliOp),
    # so after merging duplicate strings the operator is Hermitian iff every coefficient is real.
    simplified = op.simplify(atol=atol)
    imag = np.abs(np.imag(simplified.coeffs))
    if np.any(imag > atol):
        worst = int(np.argmax(imag))
        label = simplified.paulis[worst].to_label()
        coeff = simplified.coeffs[worst]
        raise ValueError(
            f"{name} is not Hermitian: term {label} has complex coefficient {coeff:.6g}"
        )


def require_width(op: SparsePauliOp, num_qubits: int, name: str = "operator") -> None:
    """Require ``op`` to act on exactly ``num_qubits`` qubits.

    Args:
        op: The operator to check.
        num_qubits: The expected width.
        name: Name of the argument, used in error messages.

    Raises:
        ValueError: If the widths differ.
    """
    if op.num_qubits != num_qubits:
        raise ValueError(f"{name} acts on {op.num_qubits} qubits, expected {num_qubits}")


def as_hamiltonian(op: Any, name: str = "hamiltonian") -> SparsePauliOp:
    """Convert and validate a Hamiltonian: a non-empty Hermitian Pauli sum.

    Args:
        op: The Hamiltonian (anything :func:`as_sparse_pauli_op` accepts).
        name: Name of the argument, used in error messages.

    Returns:
        The Hamiltonian as a ``SparsePauliOp`` with duplicate strings merged, real
        coefficients, and terms below ``DEFAULT_ATOL`` times the largest non-identity
        coefficient dropped (relative, so the result does not depend on the units of the
        coefficients, nor on a constant energy offset).

    Raises:
        TypeError: If ``op`` cannot be converted to a ``SparsePauliOp``.
        ValueError: If it has a NaN or infinite coefficient, or is empty or not Hermitian
            (imaginary parts above ``DEFAULT_ATOL`` times the largest coefficient).
    """
    sparse = as_sparse_pauli_op(op, name)
    require_finite(sparse, name)
    merged = sparse.simplify(atol=0.0)
    # the scale is that of the non-identity terms: an energy offset must not hide real terms
    identity = ~(merged.paulis.x.any(axis=1) | merged.paulis.z.any(axis=1))
    coefficients = merged.coeffs[~identity] if (~identity).any() else merged.coeffs
    atol = DEFAULT_ATOL * float(np.max(np.abs(coefficients), initial=0.0))
    require_nonempty(merged, name, atol=atol)
    require_hermitian(merged, name, atol=atol)
    simplified = merged.simplify(atol=atol)
    return SparsePauliOp(simplified.paulis, np.real(simplified.coeffs).astype(complex))


def as_parameter_vector(params: Any, num_parameters: int) -> np.ndarray:
    """Convert parameter values to a float vector of the expected length.

    Args:
        params: The values.
        num_parameters: How many the circuit has.

    Returns:
        The values as a 1-D float array.

    Raises:
        ValueError: If the shape is not ``(num_parameters,)``.
    """
    values = np.asarray(params, dtype=float)
    if values.shape != (num_parameters,):
        raise ValueError(f"expected {num_parameters} parameter values, got shape {values.shape}")
    return values


def check_integer(value: Any, name: str, *, minimum: int) -> int:
    """A count given as an integer (Python or NumPy, not a bool) of at least ``minimum``.

    Args:
        value: The count.
        name: Its name in the error message.
        minimum: The smallest allowed value.

    Returns:
        The count as an ``int``.

    Raises:
        ValueError: For anything else.
    """
    try:
        count = None if isinstance(value, bool) else operator.index(value)
    except TypeError:
        count = None
    if count is None or count < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return count
