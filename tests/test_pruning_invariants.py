"""Invariants of symmetric pruning on random circuits (DESIGN §3, "Invariants")."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import Operator, Statevector

from qsympass.models import heisenberg, lattice, tfim, xxz
from qsympass.pruning import SymmetricPruning

_ONE = ("rx", "ry", "rz")
_TWO = ("rxx", "ryy", "rzz", "crz", "cp")


@st.composite
def random_problem(draw):
    n = draw(st.integers(3, 5))
    graph = lattice(draw(st.sampled_from(["ring", "chain"])), n)
    model = draw(st.sampled_from(["tfim", "xxz", "heisenberg"]))
    hamiltonian = {
        "tfim": lambda: tfim(graph, 1.0, 0.7),
        "xxz": lambda: xxz(graph, 1.0, 0.6),
        "heisenberg": lambda: heisenberg(graph),
    }[model]()
    circuit = QuantumCircuit(n)
    prefix = draw(st.lists(st.tuples(st.sampled_from(["h", "x"]), st.integers(0, n - 1)),
                           max_size=n))
    for name, q in prefix:
        getattr(circuit, name)(q)
    num_parameters = draw(st.integers(2, 8))
    parameters = [Parameter(f"p{i:02d}") for i in range(num_parameters)]
    for _ in range(draw(st.integers(3, 14))):
        parameter = parameters[draw(st.integers(0, num_parameters - 1))]
        coefficient = draw(st.sampled_from([1.0, 1.0, -1.0, 2.0, 0.5]))
        angle = parameter if coefficient == 1.0 else coefficient * parameter
        if draw(st.booleans()):
            getattr(circuit, draw(st.sampled_from(_ONE)))(angle, draw(st.integers(0, n - 1)))
        else:
            a, b = draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
            getattr(circuit, draw(st.sampled_from(_TWO)))(angle, a, b)
        if draw(st.integers(0, 5)) == 0:
            circuit.cx(*draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2,
                                      unique=True)))
    return hamiltonian, circuit, len(prefix)


_LAYER_TWO = ("rxx", "ryy", "rzz", "rxx", "ryy", "rzz", "rzx", "crz", "cp")


@st.composite
def layered_problem(draw):
    """Layers that keep symmetries alive: one gate on every qubit or every edge, parameters
    shared or fresh, some with coefficients or angle offsets, and whole fixed layers."""
    n = draw(st.integers(3, 4))
    kind = draw(st.sampled_from(["ring", "chain"]))
    graph = lattice(kind, n)
    edges = [(q, (q + 1) % n) for q in range(n if kind == "ring" else n - 1)]
    hamiltonian = draw(st.sampled_from([
        lambda: tfim(graph, 1.0, 0.7), lambda: xxz(graph, 1.0, 0.6), lambda: heisenberg(graph)
    ]))()
    circuit = QuantumCircuit(n)
    start = draw(st.sampled_from(["plus", "zero", "neel"]))
    if start == "plus":
        circuit.h(range(n))
    elif start == "neel":
        circuit.x(range(1, n, 2))
    prefix_length = len(circuit.data)
    parameters: list[Parameter] = []

    def angle():
        if parameters and draw(st.integers(0, 3)) == 0:
            parameter = parameters[draw(st.integers(0, len(parameters) - 1))]
        else:
            parameter = Parameter(f"p{len(parameters):02d}")
            parameters.append(parameter)
        coefficient = draw(st.sampled_from([1.0, 1.0, 1.0, -1.0, 2.0]))
        offset = draw(st.sampled_from([0.0] * 5 + [0.3]))
        expression = parameter if coefficient == 1.0 else coefficient * parameter
        return expression + offset if offset else expression

    for _ in range(draw(st.integers(2, 4))):
        if draw(st.booleans()):
            gate = getattr(circuit, draw(st.sampled_from(_ONE)))
            shared = angle() if draw(st.booleans()) else None
            for qubit in range(n):
                gate(shared if shared is not None else angle(), qubit)
        else:
            gate = getattr(circuit, draw(st.sampled_from(_LAYER_TWO)))
            for a, b in edges:
                gate(angle(), a, b)
        fixed = draw(st.sampled_from([None] * 5 + ["cz", "h", "cx"]))
        if fixed in ("h",):
            circuit.h(range(n))
        elif fixed is not None:
            for a, b in edges:
                getattr(circuit, fixed)(a, b)
    return hamiltonian, circuit, prefix_length


_PROBLEMS = st.one_of(random_problem(), layered_problem())


def _prune(hamiltonian, circuit):
    # max_exact_qubits=0 skips the ground-state check, so more symmetric candidates survive
    return SymmetricPruning(hamiltonian, score=False, max_exact_qubits=0).prune(circuit)


def _structure(circuit):
    return [
        (i.operation.name, [str(p) for p in i.operation.params],
         [circuit.find_bit(q).index for q in i.qubits])
        for i in circuit.data
    ]


_SETTINGS = settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_PROBLEMS, st.integers(0, 2**31))
def test_pruned_circuit_equals_original_at_theta_equals_b_phi(problem, seed):
    hamiltonian, circuit, _ = problem
    if circuit.num_parameters == 0:
        return
    pruned, report = _prune(hamiltonian, circuit)
    rng = np.random.default_rng(seed)
    phi = rng.uniform(-np.pi, np.pi, pruned.num_parameters)
    theta = report.basis.toarray() @ phi
    original = Statevector(circuit.assign_parameters(dict(zip(circuit.parameters, theta,
                                                              strict=True))))
    image = Statevector(pruned.assign_parameters(dict(zip(pruned.parameters, phi,
                                                          strict=True))))
    np.testing.assert_allclose(image.data, original.data, atol=1e-10)


def _body_unitary(pruned, prefix_length, values):
    body = pruned.copy_empty_like()
    for instruction in pruned.data[prefix_length:]:
        body.append(instruction)
    bound = body.assign_parameters(dict(zip(body.parameters, values, strict=True)))
    return Operator(bound).data


@_SETTINGS
@given(_PROBLEMS, st.integers(0, 2**31))
def test_pruned_unitary_commutes_with_every_kept_symmetry(problem, seed):
    hamiltonian, circuit, prefix_length = problem
    if circuit.num_parameters == 0:
        return
    from qsympass.symmetry import find_symmetries

    pruned, report = _prune(hamiltonian, circuit)
    values = np.random.default_rng(seed).uniform(-np.pi, np.pi, pruned.num_parameters)
    unitary = _body_unitary(pruned, prefix_length, values)
    found = find_symmetries(hamiltonian).families()
    pass_ = SymmetricPruning(hamiltonian, score=False, max_exact_qubits=0)
    # the kept groups are rebuilt the same way the pass built them
    for name in report.selected:
        group = _kept_group(pass_, circuit, name) or found[name]
        if group.kind in ("permutation", "pauli"):
            for element in group.to_matrices():
                np.testing.assert_allclose(element @ unitary, unitary @ element, atol=1e-9)
        elif group.kind in ("u1", "su2"):
            for generator in group.lie_generators:
                matrix = generator.to_matrix()
                np.testing.assert_allclose(matrix @ unitary, unitary @ matrix, atol=1e-9)
        elif group.kind == "time_reversal":
            np.testing.assert_allclose(unitary.conj(), unitary, atol=1e-9)


def _kept_group(pass_, circuit, name):
    from qsympass.pruning.blocks import cut_blocks
    from qsympass.pruning.compatibility import (
        CompatibilityContext,
        InitialState,
        family_compatibility,
    )
    from qsympass.pruning.constraints import coordinate_space
    from qsympass.pruning.gates import extract_gates, prepare_ansatz

    circuit = prepare_ansatz(circuit)
    n = circuit.num_qubits
    items = extract_gates(circuit)
    structure = cut_blocks(items, n)
    space = coordinate_space(items, structure, n, circuit.num_parameters)
    context = CompatibilityContext(pass_.hamiltonian, items, structure, space,
                                   InitialState(items, structure, n, 0))
    return family_compatibility(name, pass_._families()[name], context).kept


@_SETTINGS
@given(_PROBLEMS)
def test_pruning_is_idempotent_and_deterministic(problem):
    hamiltonian, circuit, _ = problem
    once, report = _prune(hamiltonian, circuit)
    again, _ = _prune(hamiltonian, circuit)
    assert _structure(once) == _structure(again)
    assert [p.name for p in once.parameters] == [p.name for p in again.parameters]
    twice, second = _prune(hamiltonian, once)
    assert _structure(twice) == _structure(once)
    assert second.num_parameters_after == report.num_parameters_after
