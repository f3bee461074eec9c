"""Tests for qsympass.ansatz."""

from __future__ import annotations

import pytest
from qiskit.quantum_info import Statevector

from qsympass.ansatz import layered_ansatz
from qsympass.models import lattice


def test_tfim_prototype_ansatz_has_192_parameters():
    circuit = layered_ansatz(lattice("ring", 8), 6, initial_state="plus")
    assert circuit.num_parameters == 192
    counts = circuit.count_ops()
    assert counts["rx"] == counts["ry"] == counts["rz"] == 48
    assert counts["rzz"] == 48 and counts["h"] == 8


def test_parameters_follow_gate_order():
    circuit = layered_ansatz(lattice("chain", 3), 2, rotations=("rx",), entanglers=("rxx", "ryy"))
    angles = [inst.operation.params[0] for inst in circuit.data]
    assert [str(a) for a in angles] == [str(p) for p in circuit.parameters]


@pytest.mark.parametrize(("state", "amplitude_index"), [("zero", 0), ("neel", 0b1010)])
def test_initial_states(state, amplitude_index):
    circuit = layered_ansatz(lattice("ring", 4), 1, initial_state=state)
    bound = circuit.assign_parameters([0.0] * circuit.num_parameters)
    probabilities = Statevector(bound).probabilities()
    assert probabilities[amplitude_index] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"layers": 0}, "layers must be an integer >= 1"),
        ({"layers": 1.5}, "layers must be an integer >= 1"),
        ({"layers": True}, "layers must be an integer >= 1"),
        ({"layers": 1, "rotations": (), "entanglers": ()}, "at least one rotation or entangler"),
        ({"layers": 1, "rotations": ("u",)}, "unknown rotation 'u'"),
        ({"layers": 1, "entanglers": ("cx",)}, "unknown entangler 'cx'"),
        ({"layers": 1, "initial_state": "ghz"}, "unknown initial state 'ghz'"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layered_ansatz(lattice("ring", 4), **kwargs)


def test_entanglers_first_puts_each_layer_entanglers_before_rotations():
    graph = lattice("ring", 4)
    circuit = layered_ansatz(graph, 2, rotations=("rx",), entanglers=("rzz",),
                             initial_state="plus", entanglers_first=True)
    names = [inst.operation.name for inst in circuit.data]
    assert names == ["h"] * 4 + (["rzz"] * 4 + ["rx"] * 4) * 2
    angles = [inst.operation.params[0] for inst in circuit.data[4:]]
    assert [str(a) for a in angles] == [str(p) for p in circuit.parameters]
