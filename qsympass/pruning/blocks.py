"""Cut an ansatz into commuting blocks (DESIGN §3, step 2).

The rule, precisely. Give each gate (outside the prefix) a *level*, as late as possible;
walking the gates backwards,

* a parameterized gate ``g`` sits one level before the earliest later gate ``h`` that shares a
  qubit with it and does not commute with it (at the last level when there is none). Two
  rotations commute when every pair of their generators' Pauli terms commutes (symplectic
  test), so ``RXX`` and ``RYY`` on one edge commute although each qubit sees anticommuting
  letters;
* a fixed gate commutes with nothing it shares a qubit with. It separates blocks only on the
  qubits it touches.

The rule depends only on which overlapping gates commute and on their order on shared qubits,
not on how the DAG is linearised. "As late as possible" keeps natural groups together: after an
``RZ`` layer, ``RXX``, ``RYY``, ``RZZ`` on one edge share a block (as soon as possible would pull
``RZZ`` into the ``RZ`` block and split the edge's SU(2)-symmetric triple).

The parameterized gates of one level form one block. Gates on disjoint qubits commute, so a
layer of ``RX`` on every qubit is one block, and ``RZ`` on every qubit joins the ``RZZ`` on the
ring edges that follows it in another one. Ordering the gates by (level, circuit position) only
swaps commuting pairs (a gate that is overtaken by a later one commutes with it, otherwise
its level would be lower), so the circuit equals the product of its levels, and inside a block all
generators commute: the block is ``exp(-i A(θ)/2)`` with ``A(θ) = Σ_k θ_k G_k``. The levels
depend only on which gates commute, so a symmetry of the circuit's structure maps blocks onto
blocks.

The *prefix* is the set of fixed gates that come before any parameterized gate on each of their
qubits (transitively): applied to ``|0…0⟩`` it is the initial state ψ0. Prefix gates get negative
levels (their depth inside the prefix, negated) and do not delay the parameterized gates, so an
``X`` on every other qubit (a Néel state) leaves the blocks of the ansatz symmetric.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qsympass.pruning.gates import GateItem, PauliKey


@dataclass(frozen=True)
class BlockStructure:
    """Levels, blocks and prefix of an ansatz.

    Attributes:
        levels: Level of every item (same order as the items).
        in_prefix: Whether each item is a fixed gate of the prefix.
        blocks: ``level -> item indices`` of the parameterized gates, levels ascending.
    """

    levels: np.ndarray
    in_prefix: np.ndarray
    blocks: dict[int, list[int]]

    @property
    def num_blocks(self) -> int:
        """The number of blocks."""
        return len(self.blocks)


def terms_commute(left: PauliKey, right: PauliKey) -> bool:
    """Whether two Pauli strings commute.

    Args:
        left: A Pauli string as ``((qubit, code), ...)``.
        right: Another.

    Returns:
        True when they anticommute on an even number of qubits.
    """
    letters = dict(left)
    anticommuting = 0
    for qubit, code in right:
        other = letters.get(qubit)
        if other is not None and other != code:
            anticommuting += 1
    return anticommuting % 2 == 0


def gates_commute(left: GateItem, right: GateItem) -> bool:
    """Whether two gates commute by the block rule (fixed gates commute with nothing).

    Args:
        left: A gate.
        right: Another gate sharing a qubit with ``left``.

    Returns:
        True when both are rotations and every pair of their generators' terms commutes.
    """
    if not (left.parameterized and right.parameterized):
        return False
    letters, others = left.letters, right.letters
    if letters is not None and others is not None:  # one Pauli string each: count clashes
        clashes = 0
        for qubit, code in others.items():
            other = letters.get(qubit)
            if other is not None and other != code:
                clashes += 1
        return clashes % 2 == 0
    return all(
        terms_commute(a, b) for a, _ in left.terms for b, _ in right.terms
    )


def cut_blocks(items: list[GateItem], num_qubits: int) -> BlockStructure:
    """Assign levels, blocks and prefix membership (see the module docstring for the rule).

    Args:
        items: The gates in circuit order.
        num_qubits: The circuit width.

    Returns:
        The :class:`BlockStructure`.
    """
    levels = [0] * len(items)
    in_prefix = [False] * len(items)
    prefix_depth = [0] * num_qubits
    front_open = [True] * num_qubits
    body: list[int] = []
    for index, item in enumerate(items):
        if not item.parameterized and all(front_open[q] for q in item.qubits):
            # prefix gates form the initial state: negative levels (-1 first); they do not delay
            # the parameterized gates
            depth = 1 + max(prefix_depth[q] for q in item.qubits)
            for qubit in item.qubits:
                prefix_depth[qubit] = depth
            levels[index] = -depth
            in_prefix[index] = True
            continue
        for qubit in item.qubits:
            front_open[qubit] = False
        body.append(index)
    # as late as possible: ASAP levels of the reversed body, counted from the end
    reverse = _asap_levels([items[i] for i in reversed(body)], num_qubits)
    top = max(reverse, default=0)
    for level, index in zip(reverse, reversed(body), strict=True):
        levels[index] = top - level
    blocks: dict[int, list[int]] = {}
    for index, item in enumerate(items):
        if item.parameterized:
            blocks.setdefault(levels[index], []).append(index)
    return BlockStructure(
        np.asarray(levels, dtype=np.int64), np.asarray(in_prefix, dtype=bool),
        dict(sorted(blocks.items())),
    )


def _asap_levels(items: list[GateItem], num_qubits: int) -> list[int]:
    """``1 + max`` level of the earlier non-commuting gates sharing a qubit (0 if none)."""
    kinds = _generator_kinds(items)
    commutes: dict[tuple[int, int], bool] = {}
    # per qubit, the gates on it so far, and the running maximum of their levels (to stop
    # scanning as soon as no earlier gate can raise the level)
    history: list[list[int]] = [[] for _ in range(num_qubits)]
    running_max: list[list[int]] = [[] for _ in range(num_qubits)]
    levels = [0] * len(items)
    for index, item in enumerate(items):
        level = 0
        kind = kinds[index]
        for qubit in item.qubits:
            hist = history[qubit]
            maxima = running_max[qubit]
            for position in range(len(hist) - 1, -1, -1):
                if maxima[position] < level:
                    break
                other = hist[position]
                if levels[other] < level:
                    continue
                other_kind = kinds[other]
                pair = (other_kind, kind)
                commute = commutes.get(pair)
                if commute is None:
                    commute = commutes[pair] = (
                        other_kind >= 0 and kind >= 0 and gates_commute(items[other], item)
                    )
                if not commute:
                    level = levels[other] + 1
        levels[index] = level
        for qubit in item.qubits:
            maxima = running_max[qubit]
            history[qubit].append(index)
            maxima.append(max(maxima[-1], level) if maxima else level)
    return levels


def _generator_kinds(items: list[GateItem]) -> list[int]:
    """A label per item shared by rotations with equal generators (-1 for fixed gates), so
    commutation is tested once per pair of generators."""
    labels: dict[tuple, int] = {}
    return [
        labels.setdefault(item.terms, len(labels)) if item.parameterized else -1
        for item in items
    ]
