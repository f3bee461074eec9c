"""Twirling: the orthogonal projection of an operator onto the commutant of a symmetry group.

``T_G[A] = (1/|G|) Σ_g V_g A V_g†`` (the Haar integral for compact groups). Everything works on
Pauli coefficients; no ``2^n`` matrix is built:

- finite Clifford groups (permutations, Pauli strings, Clifford circuits): the signed orbit of
  every Pauli string is found by breadth-first search over the generators and averaged; a string
  whose orbit holds both ``+P'`` and ``-P'`` twirls to zero. Orbits are computed once per call;
- Pauli groups: the terms that commute with every generator;
- U(1): the charge-zero part (:mod:`qsympass.symmetry.charge_projection`);
- collective SU(2): the projection onto isotropic tensors per support
  (:mod:`qsympass.symmetry.isotropic`), exact for strings of weight up to 10; above that,
  :func:`estimate_twirl` averages over Haar-random rotations and states its standard error;
- time reversal: ``(A + A*)/2``;
- products: the factors' twirls composed (their actions commute).
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from qiskit.quantum_info import SparsePauliOp

from qsympass.symmetry.charge_projection import project_charge_zero
from qsympass.symmetry.group import SymmetryGroup, check_operator
from qsympass.symmetry.isotropic import (
    MAX_WEIGHT,
    check_sample_count,
    project_isotropic,
    sample_isotropic,
)
from qsympass.symmetry.pauli_actions import (
    PauliAction,
    PauliDict,
    SparsePauli,
    anticommutes,
    pauli_dict,
    to_sparse_pauli_op,
)
from qsympass.symmetry.time_reversal import conjugate_terms

_LETTER_INDEX = {"X": 0, "Y": 1, "Z": 2}
_RELATIVE_ATOL = 1e-12


def twirl(op: SparsePauliOp, group: SymmetryGroup) -> SparsePauliOp:
    """Projects ``op`` onto the operators invariant under ``group``.

    Args:
        op: the operator, on ``group.num_qubits`` qubits.
        group: the symmetry group.

    Returns:
        ``T_G[op]`` with negligible coefficients dropped (``0 * I`` when nothing survives).

    Raises:
        ValueError: empty operator, a width mismatch, or (collective SU(2)) a Pauli string of
            weight above 10 (:func:`estimate_twirl` handles those).
    """
    check_operator(op, group)
    terms = pauli_dict(op)
    return to_sparse_pauli_op(twirl_terms(terms, group), group.num_qubits, _atol(terms))


@dataclass(frozen=True)
class TwirlEstimate:
    """A twirl estimated by Monte Carlo where no exact projection is available.

    Attributes:
        operator: the estimate of ``T_G[op]``; exact wherever :func:`twirl` is.
        standard_error: the root of the summed variances of the sampled Pauli coefficients:
            for the collective group alone, an estimate of the root-mean-square distance
            ``‖Â − T_G[op]‖_HS / √2^n = (Σ_P |ĉ_P − c_P|²)^½``; for a product, an upper bound
            (the other factors' exact projections follow the sampling and can only shrink the
            error). Zero when nothing was sampled.
        samples: Haar samples per sampled support (0 when nothing was sampled).
    """

    operator: SparsePauliOp
    standard_error: float
    samples: int


def estimate_twirl(
    op: SparsePauliOp, group: SymmetryGroup, samples: int = 1000, seed: int | None = None
) -> TwirlEstimate:
    """The twirl, with a Monte Carlo estimate where :func:`twirl` has no exact projection.

    Collective SU(2) twirls of Pauli strings of weight above 10 average ``U^{⊗n} A U^{†⊗n}``
    over ``samples`` Haar-random ``U`` (unbiased); everything else is exact. In a product group
    the collective factor is sampled first and the exact factors are applied to the estimate,
    so the estimate is exactly invariant under the other factors.

    A sampled support of weight ``k`` costs ``k·3^k`` operations per sample and yields all its
    ``3^k`` strings (sampling noise leaves none at zero): about 2 s per 100 samples at ``k = 11``
    and 7 s at ``k = 12`` on one core, so weights much above 12 are out of reach.

    Args:
        op: the operator, on ``group.num_qubits`` qubits.
        group: the symmetry group.
        samples: Haar samples per support of weight above 10 (at least 2).
        seed: seeds the samples.

    Returns:
        The :class:`TwirlEstimate`.

    Raises:
        ValueError: as for :func:`twirl` (except the weight limit), or a sample count that is
            not an integer of at least 2.
    """
    check_operator(op, group)
    samples = check_sample_count(samples)
    terms = pauli_dict(op)
    sampler = _HaarSampler(samples, np.random.default_rng(seed))
    twirled = twirl_terms(terms, group, sampler)
    return TwirlEstimate(
        to_sparse_pauli_op(twirled, group.num_qubits, _atol(terms)),
        float(np.sqrt(sampler.variance)),
        samples if sampler.used else 0,
    )


def symmetry_violation(op: SparsePauliOp, group: SymmetryGroup) -> float:
    """``‖T_G[op] − op‖²_HS / 2^n``, the squared norm of the non-invariant part.

    Computed from Pauli coefficients: ``Σ |c_P(T_G[op]) − c_P(op)|²``.

    Args:
        op: the operator, on ``group.num_qubits`` qubits.
        group: the symmetry group.

    Returns:
        A non-negative float, zero exactly when ``op`` is invariant.

    Raises:
        ValueError: as for :func:`twirl`.
    """
    check_operator(op, group)
    terms = pauli_dict(op)
    twirled = twirl_terms(terms, group)
    atol = _atol(terms)
    violation = 0.0
    for key in terms.keys() | twirled.keys():
        difference = abs(twirled.get(key, 0j) - terms.get(key, 0j))
        if difference > atol:
            violation += difference**2
    return float(violation)


class _HaarSampler:
    """Monte Carlo settings of :func:`estimate_twirl`, and the variance it has accumulated."""

    def __init__(self, samples: int, rng: np.random.Generator) -> None:
        self.samples = samples
        self.rng = rng
        self.variance = 0.0
        self.used = False


def twirl_terms(
    terms: PauliDict, group: SymmetryGroup, sampler: _HaarSampler | None = None
) -> PauliDict:
    """The twirl of a Pauli sum held as ``{sparse Pauli: coefficient}``.

    Args:
        terms: the Pauli sum.
        group: the symmetry group.
        sampler: Monte Carlo settings for collective SU(2) strings above weight 10 (an error
            is raised for them without one).

    Returns:
        The twirled Pauli sum.
    """
    factors = list(group.factors)
    if sampler is not None:
        # the factors' projections commute; sampling first lets the exact ones clean it up
        factors = sorted(factors, key=lambda factor: factor.kind != "su2")
    for factor in factors:
        terms = _twirl_factor(terms, factor, sampler)
    return terms


def _twirl_factor(
    terms: PauliDict, group: SymmetryGroup, sampler: _HaarSampler | None
) -> PauliDict:
    if group.kind == "pauli":
        return _commuting_terms(terms, group)
    if group.kind in ("permutation", "clifford"):
        return orbit_average(terms, group.generator_actions, _orbit_index(group))
    if group.kind == "u1":
        return project_charge_zero(terms, group.charge_terms)
    if group.kind == "su2":
        return _collective_projection(terms, sampler)
    if group.kind == "time_reversal":
        return _time_reversal_average(terms)
    raise ValueError(f"cannot twirl over a group of kind {group.kind!r}")


class _Orbit:
    """A signed orbit: its members with their signs relative to the first, or ``None``."""

    __slots__ = ("members",)

    def __init__(self, members: list[tuple[SparsePauli, int]] | None) -> None:
        self.members = members


_OrbitIndex = dict[SparsePauli, tuple[_Orbit, int]]
_ORBIT_CACHES: weakref.WeakKeyDictionary[SymmetryGroup, _OrbitIndex] = (
    weakref.WeakKeyDictionary()
)
_MAX_CACHED_MEMBERS = 2_000_000


def orbit_average(
    terms: PauliDict,
    actions: Sequence[PauliAction],
    index: _OrbitIndex | None = None,
) -> PauliDict:
    """Averages every Pauli string over its signed orbit under the generated group.

    Args:
        terms: the Pauli sum.
        actions: the generators' conjugation actions.
        index: a cache from Pauli strings to their orbits, filled as orbits are explored.

    Returns:
        The twirled Pauli sum; each orbit is explored once.
    """
    membership: _OrbitIndex = {} if index is None else index
    totals: dict[int, tuple[_Orbit, complex]] = {}
    for key, coeff in terms.items():
        if key not in membership:
            _explore_orbit(key, actions, membership)
        orbit, sign = membership[key]
        previous = totals.get(id(orbit), (orbit, 0j))[1]
        totals[id(orbit)] = (orbit, previous + sign * coeff)
    result: PauliDict = {}
    for orbit, total in totals.values():
        if orbit.members is None or total == 0:
            continue
        share = total / len(orbit.members)
        for member, sign in orbit.members:
            result[member] = sign * share
    return result


def _explore_orbit(
    start: SparsePauli,
    actions: Sequence[PauliAction],
    membership: _OrbitIndex,
) -> None:
    """Breadth-first search of the signed orbit of ``start``; records every member.

    The orbit twirls to zero (``members is None``) when it holds both ``+P'`` and ``-P'``.
    """
    signs = {start: 1}
    queue = deque([start])
    cancels = False
    while queue:
        member = queue.popleft()
        member_sign = signs[member]
        for action in actions:
            image, sign = action.apply(member)
            image_sign = member_sign * sign
            known = signs.get(image)
            if known is None:
                signs[image] = image_sign
                queue.append(image)
            elif known != image_sign:
                cancels = True
    orbit = _Orbit(None if cancels else list(signs.items()))
    for member, sign in signs.items():
        membership[member] = (orbit, sign)


def _orbit_index(group: SymmetryGroup) -> _OrbitIndex:
    """The group's orbit cache, emptied when it grows past ``_MAX_CACHED_MEMBERS``."""
    index = _ORBIT_CACHES.setdefault(group, {})
    if len(index) > _MAX_CACHED_MEMBERS:
        index.clear()
    return index


def _commuting_terms(terms: PauliDict, group: SymmetryGroup) -> PauliDict:
    generators = group.pauli_generators
    assert generators is not None
    maps = [
        {int(q): "Y" if p.x[q] and p.z[q] else ("X" if p.x[q] else "Z")
         for q in np.flatnonzero(p.x | p.z)}
        for p in generators
    ]
    return {
        key: coeff
        for key, coeff in terms.items()
        if not any(anticommutes(key, generator) for generator in maps)
    }


def _time_reversal_average(terms: PauliDict) -> PauliDict:
    """``(A + K A K) / 2``."""
    conjugated = conjugate_terms(terms)
    return {key: 0.5 * (coeff + conjugated[key]) for key, coeff in terms.items()}


def _collective_projection(terms: PauliDict, sampler: _HaarSampler | None) -> PauliDict:
    by_support: dict[tuple[int, ...], list[tuple[SparsePauli, complex]]] = {}
    for key, coeff in terms.items():
        by_support.setdefault(tuple(q for q, _ in key), []).append((key, coeff))
    result: PauliDict = {}
    for support, members in by_support.items():
        weight = len(support)
        vector = np.zeros((3**weight, 1), dtype=complex)
        for key, coeff in members:
            vector[sum(_LETTER_INDEX[letter] * 3**j for j, (_, letter) in enumerate(key)), 0] += (
                coeff
            )
        projected = _project_support(vector, weight, sampler)[:, 0]
        for index in np.flatnonzero(np.abs(projected) > 1e-14):
            digits = [(int(index) // 3**j) % 3 for j in range(weight)]
            key = tuple((q, "XYZ"[d]) for q, d in zip(support, digits, strict=True))
            result[key] = complex(projected[index])
    return result


def _project_support(
    vector: np.ndarray, weight: int, sampler: _HaarSampler | None
) -> np.ndarray:
    """The isotropic projection of one support's coefficients: exact, or sampled above
    :data:`~qsympass.symmetry.isotropic.MAX_WEIGHT`."""
    if weight <= MAX_WEIGHT:
        return project_isotropic(vector, weight)
    if sampler is None:
        raise ValueError(
            f"the exact collective SU(2) twirl supports Pauli strings of weight at most "
            f"{MAX_WEIGHT}; got a string of weight {weight} (estimate_twirl samples it)"
        )
    estimate, variance = sample_isotropic(vector, weight, sampler.samples, sampler.rng)
    sampler.variance += float(variance.sum())
    sampler.used = True
    return estimate


def _atol(terms: PauliDict) -> float:
    scale = max((abs(coeff) for coeff in terms.values()), default=0.0)
    return _RELATIVE_ATOL * max(scale, 1e-300)
