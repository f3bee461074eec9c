"""Projection of Pauli sums onto the charge-zero sector of a U(1) charge ``Q = Σ_i c_i P_i``.

Conjugation by ``exp(-iφQ)`` rotates each qubit ``i`` of the charge about the axis of its Pauli
letter ``P_i``. In a frame where ``P_i`` plays the role of ``Z``, a letter ``X`` or ``Y`` splits
into raising and lowering parts ``σ±`` that pick up the phases ``exp(∓2iφc_i)``, while ``Z`` and
``I`` are invariant. The twirl over the group keeps exactly the products whose total charge
``Σ_i c_i s_i`` (``s_i ∈ {+1, -1}`` on the rotating qubits) vanishes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qsympass.symmetry.charges import ChargeTerm
from qsympass.symmetry.pauli_actions import PauliDict, SparsePauli

# Letter relabelling into the frame where the charge letter acts as Z (cyclic, so it preserves
# the Pauli algebra), and back.
_TO_FRAME = {
    "Z": {"X": "X", "Y": "Y", "Z": "Z"},
    "X": {"Y": "X", "Z": "Y", "X": "Z"},
    "Y": {"Z": "X", "X": "Y", "Y": "Z"},
}
_FROM_FRAME = {axis: {v: k for k, v in table.items()} for axis, table in _TO_FRAME.items()}
# Columns: images of frame-X and frame-Y under the projection onto charge +1 / -1, expressed in
# the (X, Y) basis: σ+ = (X + iY)/2, X = σ+ + σ-, Y = -iσ+ + iσ-.
_RAISING = {"X": np.array([0.5, 0.5j]), "Y": np.array([-0.5j, 0.5])}
_LOWERING = {"X": np.array([0.5, -0.5j]), "Y": np.array([0.5j, 0.5])}


def project_charge_zero(terms: PauliDict, charge: Sequence[ChargeTerm]) -> PauliDict:
    """Keeps the charge-zero part of a Pauli sum.

    Args:
        terms: sparse Pauli strings and coefficients.
        charge: the ``(qubit, letter, coefficient)`` terms of ``Q`` (one letter per qubit).

    Returns:
        The projected Pauli sum (the twirl over ``{exp(-iφQ)}``).
    """
    axes = {qubit: (letter, coeff) for qubit, letter, coeff in charge}
    scale = max(abs(coeff) for _, _, coeff in charge)
    result: PauliDict = {}
    for key, coeff in terms.items():
        for image, weight in _project_string(key, axes, scale).items():
            result[image] = result.get(image, 0j) + coeff * weight
    return result


def _project_string(
    key: SparsePauli, axes: dict[int, tuple[str, float]], scale: float
) -> dict[SparsePauli, complex]:
    fixed: list[tuple[int, str]] = []
    rotating: list[tuple[int, str, float]] = []
    for qubit, letter in key:
        axis = axes.get(qubit)
        if axis is None:
            fixed.append((qubit, letter))
            continue
        frame_letter = _TO_FRAME[axis[0]][letter]
        if frame_letter == "Z":
            fixed.append((qubit, letter))
        else:
            rotating.append((qubit, frame_letter, axis[1]))
    if not rotating:
        return {key: 1.0}
    amplitudes = _charge_zero_amplitudes(rotating, scale)
    images: dict[SparsePauli, complex] = {}
    width = len(rotating)
    for index in np.flatnonzero(np.abs(amplitudes) > 1e-14):
        letters = [
            (qubit, _FROM_FRAME[axes[qubit][0]]["X" if (index >> (width - 1 - j)) & 1 == 0
                                                 else "Y"])
            for j, (qubit, _, _) in enumerate(rotating)
        ]
        images[tuple(sorted(fixed + letters))] = complex(amplitudes[index])
    return images


def _charge_zero_amplitudes(rotating: list[tuple[int, str, float]], scale: float) -> np.ndarray:
    """Coefficients over ``{X, Y}^w`` (frame letters, first qubit most significant).

    Dynamic programming over partial charges, so the cost follows the number of distinct
    partial charges rather than all ``2^w`` sign patterns.
    """
    states: dict[float, np.ndarray] = {0.0: np.ones(1, dtype=complex)}
    for _, letter, coeff in rotating:
        updated: dict[float, np.ndarray] = {}
        for charge, vector in states.items():
            for sign, table in ((1, _RAISING), (-1, _LOWERING)):
                key = round(charge + sign * coeff / scale, 9)
                contribution = np.kron(vector, table[letter])
                if key in updated:
                    updated[key] = updated[key] + contribution
                else:
                    updated[key] = contribution
        states = updated
    zero = np.zeros(2 ** len(rotating), dtype=complex)
    for charge, vector in states.items():
        if abs(charge) < 1e-7:
            zero += vector
    return zero
