"""The group elements an SGGD estimate averages over: exact (small finite) or Monte Carlo.

``SymmetryGroup`` objects are used as they are; a plain list of Clifford circuits / ``Clifford``
objects is accepted too and taken as generators: the average runs over the group they generate
(the penalty formula holds for groups only, not for arbitrary element lists).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias, runtime_checkable

import numpy as np
from qiskit.circuit import QuantumCircuit
from qiskit.quantum_info import Clifford

from qsympass.symmetry.group import SymmetryGroup

__all__ = [
    "DEFAULT_MAX_ELEMENTS",
    "DEFAULT_SAMPLES",
    "ElementSet",
    "GroupLike",
    "as_group",
    "element_set",
]

#: Finite groups up to this order are averaged exactly (unless ``samples`` is given).
DEFAULT_MAX_ELEMENTS = 256
#: Monte Carlo sample size for large or continuous groups when ``samples`` is not given.
DEFAULT_SAMPLES = 32

Element: TypeAlias = "Clifford | QuantumCircuit"


@runtime_checkable
class GroupLike(Protocol):
    """What SGGD needs from a group (``SymmetryGroup`` satisfies it)."""

    @property
    def num_qubits(self) -> int: ...

    @property
    def order(self) -> int | float: ...

    @property
    def is_finite(self) -> bool: ...

    def elements(self, max_elements: int = ...) -> list[Clifford]: ...

    def sample(self, rng: np.random.Generator) -> QuantumCircuit: ...


def as_group(group: Any) -> GroupLike:
    """Accept a ``SymmetryGroup`` (or anything shaped like it) or a list of Clifford generators.

    Args:
        group: The group.

    Returns:
        An object with ``num_qubits``, ``order``, ``is_finite``, ``elements`` and ``sample``.

    Raises:
        ValueError: If the group is anti-unitary (time reversal has no circuit) or the list is
            empty / mixed-width / not Clifford.
    """
    if isinstance(group, Sequence) and not isinstance(group, str):
        if not group:
            raise ValueError("the group's list of Clifford generators is empty")
        return SymmetryGroup.cliffords(list(group))
    if not isinstance(group, GroupLike):
        raise ValueError(
            f"group must be a SymmetryGroup or a list of Clifford elements, got "
            f"{type(group).__name__}"
        )
    if getattr(group, "has_time_reversal", False):
        raise ValueError(
            f"{getattr(group, 'name', 'the group')} contains time reversal, which is anti-unitary "
            "and cannot be inserted as a circuit; SGGD needs a unitary group"
        )
    return group


@dataclass(frozen=True)
class ElementSet:
    """Elements and weights of an average ``E_g f(g) ≈ identity_weight·f(1) + Σ_k w_k f(g_k)``.

    Attributes:
        elements: Elements to evaluate on the device.
        weights: Their weights.
        identity_weight: Weight of the identity element, evaluated classically by the caller.
        exact: True for the exact group average, False for a Monte Carlo estimate (uniform
            weights ``1/len(elements)``; its standard error comes from the sample spread).
    """

    elements: tuple[Element, ...]
    weights: np.ndarray
    identity_weight: float
    exact: bool


def _is_identity(element: Clifford) -> bool:
    return element == Clifford(QuantumCircuit(element.num_qubits))


def _tableau_key(element: Clifford) -> bytes:
    return np.packbits(element.tableau).tobytes()


def _exact(elements: list[Clifford], merge_inverses: bool, split_identity: bool) -> ElementSet:
    total = len(elements)
    identity_weight = 0.0
    classes: dict[bytes, tuple[Clifford, int]] = {}
    for element in elements:
        if split_identity and _is_identity(element):
            identity_weight += 1.0 / total
            continue
        key = _tableau_key(element)
        if merge_inverses:
            inverse_key = _tableau_key(element.adjoint())
            if inverse_key in classes:
                key = inverse_key
        representative, count = classes.get(key, (element, 0))
        classes[key] = (representative, count + 1)
    chosen = tuple(representative for representative, _ in classes.values())
    weights = np.array([count / total for _, count in classes.values()], dtype=float)
    return ElementSet(chosen, weights, identity_weight, exact=True)


def element_set(
    group: GroupLike,
    rng: np.random.Generator,
    *,
    samples: int | None = None,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
    merge_inverses: bool = False,
    split_identity: bool = False,
) -> ElementSet:
    """Choose the elements of one group average.

    The exact average is used when ``samples`` is None and the group is finite with at most
    ``max_elements`` elements; otherwise ``samples`` (default :data:`DEFAULT_SAMPLES`) elements
    are drawn with ``group.sample(rng)`` (uniform, or Haar for continuous groups).

    Args:
        group: The group.
        rng: Random generator for the Monte Carlo draws.
        samples: Monte Carlo sample size (forces Monte Carlo when given).
        max_elements: Largest order averaged exactly.
        merge_inverses: Merge ``g`` and ``g⁻¹`` (valid when ``f(g) = f(g⁻¹)``; exact mode only).
        split_identity: Report the identity's weight separately instead of listing it.

    Returns:
        The :class:`ElementSet`.

    Raises:
        ValueError: If ``samples`` is smaller than 2.
    """
    order = group.order
    if samples is None and group.is_finite and math.isfinite(order) and order <= max_elements:
        return _exact(group.elements(max_elements), merge_inverses, split_identity)
    count = DEFAULT_SAMPLES if samples is None else int(samples)
    if count < 2:
        raise ValueError(f"samples must be at least 2 for a Monte Carlo estimate, got {samples}")
    drawn = tuple(group.sample(rng) for _ in range(count))
    return ElementSet(drawn, np.full(count, 1.0 / count), 0.0, exact=False)
