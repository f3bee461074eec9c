"""Tests for qsympass.hardware.estimators and retry: Aer and local testing mode."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager

from qsympass.hardware.backends import get_backend
from qsympass.hardware.estimators import make_estimator
from qsympass.hardware.retry import RetryingEstimator, RetryPolicy


def _bell_program(backend):
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(circuit)
    return isa, [SparsePauliOp(label).apply_layout(isa.layout) for label in ("ZZ", "XX")]


@pytest.mark.parametrize(
    ("name", "implementation", "execution", "expected"),
    [
        ("aer", "auto", "job", "aer.EstimatorV2"),
        ("aer:manila", "auto", "job", "aer.EstimatorV2"),
        ("fake:manila", "auto", "batch", "runtime.executor.Estimator"),
        ("fake:manila", "v2", "session", "runtime.EstimatorV2"),
        ("fake:manila", "executor", "job", "runtime.executor.Estimator"),
    ],
)
def test_estimators_run_bell_state(name, implementation, execution, expected):
    with make_estimator(
        name, implementation=implementation, execution=execution, shots=4000, seed=7
    ) as handle:
        assert handle.implementation == expected
        isa, observables = _bell_program(handle.backend)
        evs = handle.estimator.run([(isa, observables)]).result()[0].data.evs
    np.testing.assert_allclose(evs, [1.0, 1.0], atol=0.15)


def test_auto_keeps_the_whole_device_executor_to_small_fake_devices():
    with make_estimator("fake:lagos") as small, make_estimator("fake:guadalupe") as wide:
        assert small.implementation == "runtime.executor.Estimator"
        assert wide.implementation == "runtime.EstimatorV2"


def test_noisy_aer_uses_trajectories_without_touching_the_backend():
    backend = get_backend("aer:manila")
    with make_estimator(backend, trajectories=3, seed=1) as handle:
        run_options = handle.estimator.options.run_options
    assert run_options["method"] == "statevector" and run_options["shots"] == 3
    assert backend.options.method == "automatic"


def test_aer_run_options_from_the_caller_are_merged():
    options = {"run_options": {"max_parallel_threads": 1}, "default_precision": 0.0}
    with make_estimator("aer:manila", trajectories=2, options=options) as handle:
        run_options = handle.estimator.options.run_options
    assert run_options["max_parallel_threads"] == 1
    assert run_options["method"] == "statevector" and run_options["shots"] == 2
    assert run_options["runtime_parameter_bind_enable"] and "seed_simulator" in run_options


def test_runtime_parameter_binding_gives_the_same_values_as_per_set_binding():
    circuit = QuantumCircuit(2)
    parameter = Parameter("t")
    circuit.ry(parameter, 0)
    circuit.cx(0, 1)
    values = np.linspace(0.0, np.pi, 7).reshape(-1, 1)
    observable = SparsePauliOp("ZZ")
    with make_estimator("aer") as handle:
        assert handle.estimator.options.run_options["runtime_parameter_bind_enable"]
        bound = handle.estimator.run([(circuit, observable, values)]).result()[0].data.evs
    reference = StatevectorEstimator().run([(circuit, observable, values)]).result()[0].data.evs
    np.testing.assert_allclose(bound, reference, atol=1e-12)


def test_wide_fake_device_uses_estimator_v2_with_target_precision():
    with make_estimator("fake:sherbrooke", precision=0.05, seed=3) as handle:
        assert handle.implementation == "runtime.EstimatorV2"
        isa, observables = _bell_program(handle.backend)
        result = handle.estimator.run([(isa, observables)]).result()
    assert result[0].metadata["target_precision"] == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"execution": "forever"}, "execution must be"),
        ({"implementation": "v1"}, "implementation must be"),
        ({"precision": 0.1, "shots": 100}, "either precision or shots"),
        ({"precision": -1.0}, "precision must be a finite positive number"),
        ({"precision": float("nan")}, "precision must be a finite positive number"),
        ({"shots": 0}, "shots must be a positive integer"),
        ({"shots": 2.5}, "shots must be a positive integer"),
        ({"trajectories": 0}, "trajectories must be at least 1"),
    ],
)
def test_bad_estimator_options_fail_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_estimator("aer", **kwargs)


class FlakyEstimator(StatevectorEstimator):
    """Fails the first ``failures`` submissions with a transient error."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures
        self.calls = 0

    def run(self, pubs, *, precision=None):
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("lost the connection")
        return super().run(pubs, precision=precision)


def test_retry_recovers_from_two_transient_failures():
    waits: list[float] = []
    inner = FlakyEstimator(failures=2)
    estimator = RetryingEstimator(inner, RetryPolicy(attempts=3, backoff=0.5), sleep=waits.append)
    circuit = QuantumCircuit(1)
    circuit.x(0)
    result = estimator.run([(circuit, SparsePauliOp("Z"))]).result()
    assert result[0].data.evs == pytest.approx(-1.0)
    assert inner.calls == 3 and waits == [0.5, 1.0]
    assert len(estimator.job_ids) == 1


class SlowJobEstimator(StatevectorEstimator):
    """Its jobs time out ``timeouts`` times while the caller waits for them."""

    def __init__(self, timeouts: int) -> None:
        super().__init__()
        self.timeouts = timeouts
        self.submissions = 0

    def run(self, pubs, *, precision=None):
        self.submissions += 1
        job = super().run(pubs, precision=precision)
        real_result, budget = job.result, [self.timeouts]

        def result():
            if budget[0] > 0:
                budget[0] -= 1
                raise TimeoutError("still running")
            return real_result()

        job.result = result
        return job


def test_retry_waits_again_for_a_job_that_timed_out_instead_of_resubmitting():
    inner = SlowJobEstimator(timeouts=2)
    estimator = RetryingEstimator(inner, RetryPolicy(attempts=3, backoff=0.0), sleep=lambda _: None)
    circuit = QuantumCircuit(1)
    circuit.x(0)
    result = estimator.run([(circuit, SparsePauliOp("Z"))]).result()
    assert result[0].data.evs == pytest.approx(-1.0)
    assert inner.submissions == 1 and len(estimator.job_ids) == 1


def test_retrying_jobs_keep_the_primitive_job_interface_and_the_estimator_its_options():
    from qiskit.primitives import BasePrimitiveJob
    from qiskit_aer.primitives import EstimatorV2 as AerEstimator

    inner = AerEstimator(options={"default_precision": 0.0})
    estimator = RetryingEstimator(inner, sleep=lambda _: None)
    assert estimator.options is inner.options
    circuit = QuantumCircuit(1)
    circuit.x(0)
    job = estimator.run([(circuit, SparsePauliOp("Z"))])
    assert isinstance(job, BasePrimitiveJob)
    assert job.job_id() == estimator.job_ids[0]
    assert job.result()[0].data.evs == pytest.approx(-1.0)
    assert job.done() and job.in_final_state()
    assert not job.running() and not job.cancelled()
    assert job.status() == job.inner.status()


def test_retry_gives_up_after_the_last_attempt():
    estimator = RetryingEstimator(
        FlakyEstimator(failures=5), RetryPolicy(attempts=2, backoff=0.0), sleep=lambda _: None
    )
    circuit = QuantumCircuit(1)
    with pytest.raises(ConnectionError):
        estimator.run([(circuit, SparsePauliOp("Z"))])


def test_retry_does_not_retry_real_errors():
    inner = FlakyEstimator(failures=0)
    estimator = RetryingEstimator(inner, sleep=lambda _: None)
    with pytest.raises(ValueError):
        estimator.run([(QuantumCircuit(1), SparsePauliOp("ZZ"))])
    assert inner.calls == 1


def test_retry_policy_validates():
    with pytest.raises(ValueError, match="attempts must be at least 1"):
        RetryPolicy(attempts=0)


def test_a_failed_estimator_build_closes_its_batch(monkeypatch):
    import qiskit_ibm_runtime

    closed = []
    original = qiskit_ibm_runtime.Batch.close

    def close(self) -> None:
        closed.append(True)
        original(self)

    monkeypatch.setattr(qiskit_ibm_runtime.Batch, "close", close)
    with pytest.raises(Exception, match="bogus"):
        make_estimator("fake:manila", execution="batch", options={"bogus": 1})
    assert closed == [True]


def test_remote_backends_get_retries_and_local_ones_do_not():
    from qiskit.providers.fake_provider import GenericBackendV2
    from qiskit_aer import AerSimulator
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    from qsympass.hardware.estimators import with_retries

    inner = StatevectorEstimator()
    remote = with_retries(inner, GenericBackendV2(2), RetryPolicy(attempts=4))
    assert isinstance(remote, RetryingEstimator) and remote.policy.attempts == 4
    assert with_retries(inner, AerSimulator()) is inner
    assert with_retries(inner, FakeManilaV2()) is inner
