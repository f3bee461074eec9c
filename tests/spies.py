"""Test doubles shared by several test modules."""

from __future__ import annotations

from typing import Any

from qiskit.primitives import BaseEstimatorV2, StatevectorEstimator


class SpyEstimator(BaseEstimatorV2):
    """Counts ``run`` calls and PUBs on the way to a real estimator."""

    def __init__(self, inner: BaseEstimatorV2 | None = None) -> None:
        self.inner = inner or StatevectorEstimator()
        self.calls: list[int] = []
        self.pubs: list[Any] = []
        self.jobs: list[Any] = []

    def run(self, pubs: Any, *, precision: float | None = None) -> Any:
        pubs = list(pubs)
        self.calls.append(len(pubs))
        self.pubs.extend(pubs)
        job = self.inner.run(pubs, precision=precision)
        self.jobs.append(job)
        return job
