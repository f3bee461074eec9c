"""Tests of the SGGD estimator wrapper and the penalty gradient (qsympass.sggd)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.circuit import Parameter, ParameterVector, QuantumCircuit
from qiskit.circuit.library import efficient_su2
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import Operator, SparsePauliOp
from qiskit_aer.primitives import EstimatorV2 as AerEstimator
from spies import SpyEstimator

from qsympass.sggd import BOUNDARY_LABEL, SymmetryGuidedEstimator, penalty_gradient
from qsympass.symmetry.group import SymmetryGroup


def random_ansatz(num_qubits: int, seed: int) -> QuantumCircuit:
    rng = np.random.default_rng(seed)
    theta = ParameterVector("θ", 2 * num_qubits)
    circuit = QuantumCircuit(num_qubits)
    for layer in range(2):
        for q in range(num_qubits):
            getattr(circuit, str(rng.choice(["rx", "ry", "rz"])))(theta[layer * num_qubits + q], q)
        for q in range(num_qubits - 1):
            circuit.cx(q, q + 1)
        if num_qubits > 1:
            circuit.crx(theta[layer] - 0.5 * theta[-1], 0, num_qubits - 1)
            circuit.s(num_qubits - 1)
            circuit.ryy(2 * theta[layer], 0, 1)
    return circuit


def random_observable(num_qubits: int, rng: np.random.Generator) -> SparsePauliOp:
    labels = ["".join(rng.choice(list("IXYZ"), size=num_qubits)) for _ in range(3)]
    return SparsePauliOp(labels, rng.normal(size=3)).simplify()


def random_group(num_qubits: int, kind: str, seed: int) -> SymmetryGroup:
    rng = np.random.default_rng(seed)
    if kind == "permutation":
        perm = rng.permutation(num_qubits).tolist()
        return SymmetryGroup.permutations([perm, [*range(1, num_qubits), 0]], num_qubits)
    if kind == "pauli":
        labels = ["".join(rng.choice(list("IXYZ"), size=num_qubits)) for _ in range(2)]
        labels = [label if set(label) != {"I"} else "X" * num_qubits for label in labels]
        return SymmetryGroup.paulis(labels, num_qubits=num_qubits)
    return SymmetryGroup.permutations([list(reversed(range(num_qubits)))], num_qubits) * (
        SymmetryGroup.paulis(["Z" * num_qubits], num_qubits=num_qubits)
    )


def dense_penalty(
    circuit: QuantumCircuit, op: SparsePauliOp, values: np.ndarray, matrices: np.ndarray
) -> float:
    unitary = Operator(circuit.assign_parameters(values)).data
    heisenberg = unitary.conj().T @ op.to_matrix() @ unitary
    twirled = np.mean([v @ heisenberg @ v.conj().T for v in matrices], axis=0)
    return float(np.linalg.norm(twirled - heisenberg) ** 2 / heisenberg.shape[0])


@settings(max_examples=20, deadline=None)
@given(
    num_qubits=st.integers(1, 4),
    kind=st.sampled_from(["permutation", "pauli", "product"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_penalty_equals_dense_formula(num_qubits: int, kind: str, seed: int) -> None:
    if num_qubits == 1 and kind != "pauli":
        kind = "pauli"
    rng = np.random.default_rng(seed)
    circuit = random_ansatz(num_qubits, seed)
    group = random_group(num_qubits, kind, seed)
    ops = [random_observable(num_qubits, rng), random_observable(num_qubits, rng)]
    values = rng.uniform(-np.pi, np.pi, (3, 1, circuit.num_parameters))
    estimator = SymmetryGuidedEstimator(StatevectorEstimator(), group, mode="penalty")
    data = estimator.run([(circuit, ops, values)]).result()[0].data
    assert data.penalty.shape == data.evs.shape == (3, 2)
    matrices = group.to_matrices()
    for b in range(3):
        for i, op in enumerate(ops):
            expected = dense_penalty(circuit, op, values[b, 0], matrices)
            assert data.penalty[b, i] == pytest.approx(expected, abs=1e-10)


def test_penalty_with_a_list_of_clifford_generators() -> None:
    # [S on qubit 0, H on qubit 1] is not closed; the penalty runs over the group they generate,
    # {S^a ⊗ H^b : a < 4, b < 2}, built here by hand.
    rng = np.random.default_rng(3)
    s_gate, h_gate = QuantumCircuit(2), QuantumCircuit(2)
    s_gate.s(0)
    h_gate.h(1)
    circuit = random_ansatz(2, 1)
    op = random_observable(2, rng)
    values = rng.uniform(-2, 2, circuit.num_parameters)
    data = SymmetryGuidedEstimator(StatevectorEstimator(), [s_gate, h_gate]).run(
        [(circuit, op, values)]
    ).result()[0].data
    s_matrix, h_matrix = Operator(s_gate).data, Operator(h_gate).data
    matrices = np.array([
        np.linalg.matrix_power(s_matrix, a) @ np.linalg.matrix_power(h_matrix, b)
        for a in range(4) for b in range(2)
    ])
    expected = dense_penalty(circuit, op, values, matrices)
    assert expected > 1e-3
    assert float(data.penalty) == pytest.approx(expected, abs=1e-10)


def _collective_reference(heisenberg: np.ndarray) -> float:
    """Exact Haar U⊗U twirl on 2 qubits: projection onto span{I, SWAP}."""
    swap = SparsePauliOp.from_list([(p, 0.5) for p in ("II", "XX", "YY", "ZZ")])
    basis = [np.eye(4), swap.to_matrix()]
    gram = np.array([[np.trace(a.conj().T @ b) for b in basis] for a in basis])
    overlaps = np.array([np.trace(a.conj().T @ heisenberg) for a in basis])
    coeffs = np.linalg.solve(gram, overlaps)
    twirled = sum(c * a for c, a in zip(coeffs, basis, strict=True))
    return float(np.linalg.norm(twirled - heisenberg) ** 2 / 4)


def test_monte_carlo_penalty_is_unbiased_for_a_continuous_group() -> None:
    circuit = random_ansatz(2, 7)
    op = SparsePauliOp.from_list([("XZ", 1.0), ("YI", 0.6), ("ZZ", -0.4)])
    values = np.random.default_rng(8).uniform(-2, 2, circuit.num_parameters)
    unitary = Operator(circuit.assign_parameters(values)).data
    reference = _collective_reference(unitary.conj().T @ op.to_matrix() @ unitary)
    group = SymmetryGroup.collective(2)
    estimator = SymmetryGuidedEstimator(StatevectorEstimator(), group, samples=6, seed=123)
    runs = 40
    penalties, stds = [], []
    for _ in range(runs):
        data = estimator.run([(circuit, op, values)]).result()[0].data
        penalties.append(float(data.penalty))
        stds.append(float(data.penalty_stds))
    combined = np.sqrt(np.sum(np.square(stds))) / runs
    assert abs(np.mean(penalties) - reference) < 4 * combined
    # the reported standard errors match the observed spread
    assert 0.5 < np.std(penalties, ddof=1) / np.sqrt(np.mean(np.square(stds))) < 2.0


def test_u1_group_monte_carlo_agrees_with_dephasing() -> None:
    circuit = random_ansatz(2, 9)
    op = SparsePauliOp.from_list([("XX", 1.0), ("ZY", 0.5)])
    values = np.random.default_rng(10).uniform(-2, 2, circuit.num_parameters)
    unitary = Operator(circuit.assign_parameters(values)).data
    heisenberg = unitary.conj().T @ op.to_matrix() @ unitary
    charge = np.diag(SparsePauliOp(["IZ", "ZI"]).to_matrix()).real
    twirled = np.where(np.isclose(charge[:, None], charge[None, :]), heisenberg, 0)
    reference = float(np.linalg.norm(twirled - heisenberg) ** 2 / 4)
    group = SymmetryGroup.u1(SparsePauliOp(["IZ", "ZI"]))
    estimator = SymmetryGuidedEstimator(StatevectorEstimator(), group, samples=50, seed=1)
    data = estimator.run([(circuit, op, values)]).result()[0].data
    assert abs(float(data.penalty) - reference) < 4 * float(data.penalty_stds) + 1e-12


def model_circuit(num_qubits: int, seed: int, mark: bool = True) -> QuantumCircuit:
    x = ParameterVector("x", num_qubits)
    circuit = QuantumCircuit(num_qubits)
    for q in range(num_qubits):
        circuit.ry(x[q], q)
    circuit.rzz(x[0] * 0.5, 0, num_qubits - 1)
    if mark:
        circuit.barrier(label=BOUNDARY_LABEL)
    circuit.compose(random_ansatz(num_qubits, seed), inplace=True)
    return circuit


def test_twirl_mode_averages_the_transformed_inputs() -> None:
    n = 3
    circuit = model_circuit(n, 2)
    group = random_group(n, "permutation", 4)
    op = SparsePauliOp.from_list([("ZZI", 1.0), ("IXY", 0.3)])
    values = np.random.default_rng(5).uniform(-2, 2, (4, circuit.num_parameters))
    data = SymmetryGuidedEstimator(StatevectorEstimator(), group, mode="twirl").run(
        [(circuit, op, values)]
    ).result()[0].data
    assert data.evs.shape == (4,)
    boundary = next(
        i for i, inst in enumerate(circuit.data) if inst.operation.name == "barrier"
    )
    head, tail = circuit.copy_empty_like(), circuit.copy_empty_like()
    for inst in circuit.data[:boundary]:
        head.append(inst)
    for inst in circuit.data[boundary + 1 :]:
        tail.append(inst)
    for b in range(4):
        bound = dict(zip(circuit.parameters, values[b], strict=True))
        encoding = Operator(head.assign_parameters({p: bound[p] for p in head.parameters})).data
        ansatz = Operator(tail.assign_parameters({p: bound[p] for p in tail.parameters})).data
        psi0 = np.zeros(2**n)
        psi0[0] = 1
        outputs = []
        for v in group.to_matrices():
            psi = ansatz @ v @ encoding @ psi0
            outputs.append(np.vdot(psi, op.to_matrix() @ psi).real)
        assert data.evs[b] == pytest.approx(np.mean(outputs), abs=1e-10)
    # an int boundary gives the same numbers
    unmarked = model_circuit(n, 2, mark=False)
    by_index = SymmetryGuidedEstimator(
        StatevectorEstimator(), group, mode="twirl", boundary=n + 1
    ).run([(unmarked, op, values)]).result()[0].data
    np.testing.assert_allclose(by_index.evs, data.evs, atol=1e-10)


def test_penalty_uses_the_ansatz_after_the_boundary() -> None:
    circuit = model_circuit(2, 3)
    group = SymmetryGroup.permutations([[1, 0]], num_qubits=2)
    op = SparsePauliOp.from_list([("ZI", 1.0), ("XY", 0.4)])
    values = np.random.default_rng(6).uniform(-2, 2, (3, circuit.num_parameters))
    values[1:, 2:] = values[0, 2:]  # same θ, different inputs x (parameters sort x before θ)
    pen = SymmetryGuidedEstimator(StatevectorEstimator(), group).run(
        [(circuit, op, values)]
    ).result()[0].data.penalty
    ansatz = random_ansatz(2, 3)
    expected = dense_penalty(ansatz, op, values[0, 2:], group.to_matrices())
    np.testing.assert_allclose(pen, expected, atol=1e-10)


def test_a_batch_of_inputs_with_one_theta_measures_each_penalty_term_once() -> None:
    circuit = model_circuit(2, 3)
    group = SymmetryGroup.permutations([[1, 0]], num_qubits=2)
    op = SparsePauliOp.from_list([("ZI", 1.0), ("XY", 0.4)])
    values = np.random.default_rng(7).uniform(-2, 2, (5, circuit.num_parameters))
    values[:, 2:] = values[0, 2:]  # one θ, five inputs x
    spy = SpyEstimator()
    data = SymmetryGuidedEstimator(spy, group).run([(circuit, op, values)]).result()[0].data
    assert spy.pubs[0].shape == (5,)  # the model itself: one estimate per input
    assert [pub.shape for pub in spy.pubs[1:]] == [()] * (len(spy.pubs) - 1)
    assert data.penalty.shape == data.evs.shape == (5,)
    expected = dense_penalty(random_ansatz(2, 3), op, values[0, 2:], group.to_matrices())
    np.testing.assert_allclose(data.penalty, expected, atol=1e-10)
    data.evs[0] = 0.0  # results are the caller's arrays
    twirl = SymmetryGuidedEstimator(spy, group, mode="twirl")
    repeated = np.repeat(values[:1], 4, axis=0)
    calls = len(spy.pubs)
    twirl.run([(circuit, op, repeated)]).result()
    # twirled circuits give the user's own values: one independent estimate per row
    assert all(pub.shape == (4,) for pub in spy.pubs[calls:])


def test_penalty_of_bound_angles_runs_on_aer_for_a_batch_of_inputs() -> None:
    # nothing after the boundary is free: the penalty circuits have no parameters at all
    a, b = Parameter("a"), Parameter("b")
    circuit = QuantumCircuit(2)
    circuit.ry(a, 0)
    circuit.ry(b, 1)
    circuit.barrier(label=BOUNDARY_LABEL)
    circuit.cx(0, 1)
    circuit.h(0)
    group = SymmetryGroup.permutations([[1, 0]], num_qubits=2)
    op = SparsePauliOp.from_list([("ZI", 1.0), ("IX", 0.5)])
    values = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    exact = SymmetryGuidedEstimator(StatevectorEstimator(), group).run([(circuit, op, values)])
    aer = SymmetryGuidedEstimator(AerEstimator(), group).run([(circuit, op, values)])
    for field in ("evs", "penalty"):
        np.testing.assert_allclose(
            getattr(aer.result()[0].data, field), getattr(exact.result()[0].data, field),
            atol=1e-10,
        )
    gradient = penalty_gradient(AerEstimator(), circuit, op, group, values)
    assert gradient.values.shape == (3,) and gradient.gradients.shape == (3, 2)
    np.testing.assert_allclose(gradient.gradients, 0.0, atol=1e-12)


def test_one_job_per_run_and_metadata_kept() -> None:
    spy = SpyEstimator()
    group = SymmetryGroup.permutations([[1, 2, 0]], num_qubits=3)
    circuit = random_ansatz(3, 0)
    values = np.zeros(circuit.num_parameters)
    estimator = SymmetryGuidedEstimator(spy, group)
    result = estimator.run(
        [(circuit, "ZZI", values), (circuit, ["XII", "IIY"], values, 0.0)], precision=0.0
    ).result()
    assert spy.calls == [2 * (1 + 1)]  # Z3: identity classical, the two 3-cycles merged
    assert result.metadata["version"] == 2
    assert result[0].metadata["target_precision"] == 0.0
    assert result[1].data.penalty.shape == (2,)
    twirl = SymmetryGuidedEstimator(spy, group, mode="twirl", boundary=0)
    twirl.run([(circuit, "ZZI", values)]).result()
    assert spy.calls[-1] == 3


def test_penalty_gradient_matches_finite_differences() -> None:
    circuit = random_ansatz(2, 11)
    group = SymmetryGroup.permutations([[1, 0]], num_qubits=2) * SymmetryGroup.paulis(["XX"])
    op = SparsePauliOp.from_list([("ZI", 1.0), ("XY", 0.4)])
    values = np.random.default_rng(12).uniform(-2, 2, (2, circuit.num_parameters))
    spy = SpyEstimator()
    result = penalty_gradient(spy, circuit, op, group, values)
    assert spy.calls and len(spy.calls) == 1
    matrices = group.to_matrices()
    h = 1e-3
    for b in range(2):
        assert result.values[b] == pytest.approx(
            dense_penalty(circuit, op, values[b], matrices), abs=1e-10
        )
        for k in range(circuit.num_parameters):
            e = np.eye(circuit.num_parameters)[k] * h
            f = [dense_penalty(circuit, op, values[b] + s * e, matrices) for s in (-2, -1, 1, 2)]
            fd = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h)
            assert result.gradients[b, k] == pytest.approx(fd, abs=1e-8)


def test_aer_estimator_agrees_with_statevector() -> None:
    circuit = efficient_su2(2, reps=1)
    group = SymmetryGroup.permutations([[1, 0]], num_qubits=2)
    op = SparsePauliOp.from_list([("ZI", 1.0), ("XX", 0.5)])
    values = np.random.default_rng(0).uniform(-2, 2, (2, circuit.num_parameters))
    exact = SymmetryGuidedEstimator(StatevectorEstimator(), group).run([(circuit, op, values)])
    aer = SymmetryGuidedEstimator(AerEstimator(), group).run([(circuit, op, values)])
    np.testing.assert_allclose(
        aer.result()[0].data.penalty, exact.result()[0].data.penalty, atol=1e-10
    )


def test_runtime_estimator_on_fake_manila() -> None:
    from qiskit.transpiler import generate_preset_pass_manager
    from qiskit_ibm_runtime import EstimatorV2 as RuntimeEstimator
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    backend = FakeManilaV2()
    pass_manager = generate_preset_pass_manager(
        backend=backend, optimization_level=1, seed_transpiler=0
    )
    circuit = efficient_su2(2, reps=1)
    group = SymmetryGroup.permutations([[1, 0]], num_qubits=2)
    op = SparsePauliOp.from_list([("ZI", 1.0), ("XX", 0.5)])
    values = np.random.default_rng(0).uniform(-2, 2, (2, circuit.num_parameters))
    exact = SymmetryGuidedEstimator(StatevectorEstimator(), group).run([(circuit, op, values)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        runtime = RuntimeEstimator(mode=backend)
    estimator = SymmetryGuidedEstimator(runtime, group, pass_manager=pass_manager)
    result = estimator.run([(circuit, op, values)], precision=0.05).result()
    data, reference = result[0].data, exact.result()[0].data
    assert result[0].metadata["target_precision"] == 0.05
    assert data.penalty.shape == (2,)
    assert np.all(data.penalty_stds > 0)
    # noisy device model: loose tolerance
    np.testing.assert_allclose(data.penalty, reference.penalty, atol=0.3)
    np.testing.assert_allclose(data.evs, reference.evs, atol=0.3)


@pytest.mark.parametrize("scale", [1e-7, 1e-4, 1e3])
def test_penalty_scales_with_the_square_of_the_observable(scale: float) -> None:
    # O ⊗ Oᵀ has squared coefficients; tiny ones must not fall under the estimator's cut-off.
    circuit = random_ansatz(2, 3)
    values = np.random.default_rng(3).uniform(-2, 2, circuit.num_parameters)
    group = SymmetryGroup.permutations([[1, 0]], num_qubits=2)
    op = SparsePauliOp(["ZI", "XY"], [1.0, 0.3])

    def penalty(observable: SparsePauliOp) -> float:
        estimator = SymmetryGuidedEstimator(StatevectorEstimator(), group)
        return float(estimator.run([(circuit, observable, values)]).result()[0].data.penalty)

    def gradient(observable: SparsePauliOp) -> np.ndarray:
        estimate = penalty_gradient(StatevectorEstimator(), circuit, observable, group, values)
        return estimate.gradients

    assert penalty(op) > 1e-3
    assert penalty(scale * op) == pytest.approx(scale**2 * penalty(op), rel=1e-9)
    np.testing.assert_allclose(gradient(scale * op), scale**2 * gradient(op), rtol=1e-8,
                               atol=1e-12 * scale**2)


def test_switching_mode_uses_the_elements_of_the_new_mode() -> None:
    group = SymmetryGroup.permutations([[1, 2, 0]], num_qubits=3)
    theta = ParameterVector("t", 1)
    circuit = QuantumCircuit(3)
    circuit.ry(theta[0], 0)
    circuit.cx(0, 1)
    twirl = SymmetryGuidedEstimator(StatevectorEstimator(), group, mode="twirl", boundary=0)
    expected = float(twirl.run([(circuit, "ZII", [0.7])]).result()[0].data.evs)
    switched = SymmetryGuidedEstimator(StatevectorEstimator(), group, boundary=0)
    switched.run([(circuit, "ZII", [0.7])]).result()
    switched.mode = "twirl"
    got = float(switched.run([(circuit, "ZII", [0.7])]).result()[0].data.evs)
    assert got == pytest.approx(expected, abs=1e-12)


def test_transpilation_cache_tells_circuits_apart() -> None:
    # Cached transpilations are keyed by gates, angles and parameter identity: circuits that
    # differ only in an evolution operator, or rebuilt with fresh parameters of the same name,
    # must not reuse another circuit's transpilation.
    from qiskit.circuit import Parameter
    from qiskit.circuit.library import PauliEvolutionGate
    from qiskit.transpiler import generate_preset_pass_manager

    manager = generate_preset_pass_manager(
        optimization_level=1, basis_gates=["rz", "sx", "x", "cx"], seed_transpiler=0
    )
    group = SymmetryGroup.permutations([[1, 0]], num_qubits=2)
    op = SparsePauliOp(["ZI", "XY"], [1.0, 0.5])
    transpiling = SymmetryGuidedEstimator(StatevectorEstimator(), group, pass_manager=manager)
    direct = SymmetryGuidedEstimator(StatevectorEstimator(), group)

    def evolution(label: str) -> QuantumCircuit:
        circuit = QuantumCircuit(2)
        circuit.ry(0.4, 0)
        circuit.append(PauliEvolutionGate(SparsePauliOp(label), time=Parameter("t")), [0, 1])
        return circuit

    def rotation() -> QuantumCircuit:
        circuit = QuantumCircuit(2)
        circuit.ry(Parameter("t"), 0)
        circuit.cx(0, 1)
        return circuit

    for circuit in (evolution("XX"), evolution("ZY"), rotation(), rotation()):
        got = transpiling.run([(circuit, op, [0.7])]).result()[0].data
        want = direct.run([(circuit, op, [0.7])]).result()[0].data
        assert float(got.evs) == pytest.approx(float(want.evs), abs=1e-10)
        assert float(got.penalty) == pytest.approx(float(want.penalty), abs=1e-10)


def test_bad_input_raises_value_error() -> None:
    group = SymmetryGroup.permutations([[1, 0]], num_qubits=2)
    circuit = random_ansatz(3, 0)
    values = np.zeros(circuit.num_parameters)
    with pytest.raises(ValueError, match="symmetry group acts on 2"):
        SymmetryGuidedEstimator(StatevectorEstimator(), group).run([(circuit, "ZZZ", values)])
    small = random_ansatz(2, 0)
    small_values = np.zeros(small.num_parameters)
    non_hermitian = SparsePauliOp(["ZZ"], [1j])
    with pytest.raises(ValueError, match="Hermitian"):
        SymmetryGuidedEstimator(StatevectorEstimator(), group).run(
            [(small, non_hermitian, small_values)]
        )
    with pytest.raises(ValueError, match="boundary"):
        SymmetryGuidedEstimator(StatevectorEstimator(), group, mode="twirl").run(
            [(small, "ZZ", small_values)]
        )
    from qiskit.transpiler import generate_preset_pass_manager
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    three = SymmetryGroup.permutations([[1, 0, 2]], num_qubits=3)
    narrow = generate_preset_pass_manager(optimization_level=1, backend=FakeManilaV2())
    with pytest.raises(ValueError, match="penalty circuits act on 6 qubits"):
        SymmetryGuidedEstimator(StatevectorEstimator(), three, pass_manager=narrow).run(
            [(circuit, "ZII", values)]
        )
    with pytest.raises(ValueError, match="anti-unitary"):
        SymmetryGuidedEstimator(StatevectorEstimator(), SymmetryGroup.time_reversal(2))
    with pytest.raises(ValueError, match="mode"):
        SymmetryGuidedEstimator(StatevectorEstimator(), group, mode="twirled")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="symmetry group acts on 2"):
        penalty_gradient(StatevectorEstimator(), circuit, "ZZZ", group, values)
    with pytest.raises(ValueError, match="observable acts on 3 qubits but the circuit on 2"):
        penalty_gradient(StatevectorEstimator(), small, "ZZZ", group, small_values)
    with pytest.raises(ValueError, match=r"parameters \['stranger'\] do not appear"):
        penalty_gradient(StatevectorEstimator(), small, "ZZ", group, small_values,
                         parameters=[Parameter("stranger")])


def test_heisenberg_model_rejects_a_non_hermitian_observable() -> None:
    from qsympass.sggd.heisenberg_model import HeisenbergModel

    with pytest.raises(ValueError, match="not Hermitian"):
        HeisenbergModel(random_ansatz(2, 0), SparsePauliOp("XY", 1j))
