"""The derived primitive job shared by the estimator wrappers."""

from __future__ import annotations

from qiskit import QuantumCircuit
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp

from qsympass.jobs import DerivedJob


def test_derived_job_fetches_once_and_reports_the_inner_state():
    circuit = QuantumCircuit(1)
    circuit.x(0)
    inner = StatevectorEstimator().run([(circuit, SparsePauliOp("Z"))])
    calls: list[int] = []

    def fetch() -> float:
        calls.append(1)
        return float(inner.result()[0].data.evs) * 2

    job = DerivedJob(inner, fetch)
    assert job.job_id() == inner.job_id()
    assert job.result() == job.result() == -2.0
    assert calls == [1]
    assert job.done() and job.in_final_state() and not job.running() and not job.cancelled()
    assert job.status() == inner.status()
    inner.usage = lambda: 4.2  # e.g. a runtime job's usage(): the rest of its interface
    assert job.usage() == 4.2


def test_a_result_of_none_is_fetched_once():
    inner = StatevectorEstimator().run([(QuantumCircuit(1), SparsePauliOp("Z"))])
    calls: list[int] = []
    job = DerivedJob(inner, lambda: calls.append(1))
    assert job.result() is None and job.result() is None
    assert calls == [1]
