"""Bounded retries with backoff for estimator jobs that fail for transient reasons."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from qiskit.primitives import BaseEstimatorV2, PrimitiveResult

logger = logging.getLogger(__name__)


def default_transient_errors() -> tuple[type[BaseException], ...]:
    """Errors worth a retry: lost connections, time-outs and API hiccups of the runtime."""
    from qiskit_ibm_runtime.api.exceptions import RequestsApiError
    from qiskit_ibm_runtime.exceptions import (
        IBMBackendApiError,
        RuntimeJobMaxTimeoutError,
        RuntimeJobTimeoutError,
    )

    return (
        ConnectionError,
        TimeoutError,
        RequestsApiError,
        IBMBackendApiError,
        RuntimeJobTimeoutError,
        RuntimeJobMaxTimeoutError,
    )


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    Attributes:
        attempts: Total tries, the first included (at least 1).
        backoff: Seconds before the first retry; doubled after each further failure.
        max_backoff: The longest wait between two tries.
    """

    attempts: int = 3
    backoff: float = 1.0
    max_backoff: float = 60.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {self.attempts}")
        if self.backoff < 0 or self.max_backoff < 0:
            raise ValueError("backoff times must not be negative")

    def delays(self) -> Iterable[float]:
        """The waits before each retry."""
        for retry in range(self.attempts - 1):
            yield min(self.backoff * 2**retry, self.max_backoff)


class RetryingEstimator(BaseEstimatorV2):
    """An ``EstimatorV2`` that rides out transient failures without paying for a job twice.

    A transient error while *submitting* submits again after a backoff; one while *waiting*
    for the result (a time-out, a dropped connection) waits again for the same job, which may
    still be running. Each phase has at most ``policy.attempts`` tries. Every job id is logged.

    Args:
        estimator: The estimator to wrap.
        policy: The retry policy.
        transient: The exception types that warrant a retry (default:
            :func:`default_transient_errors`).
        sleep: The waiting function (tests replace it).
    """

    def __init__(
        self,
        estimator: BaseEstimatorV2,
        policy: RetryPolicy | None = None,
        *,
        transient: tuple[type[BaseException], ...] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.estimator = estimator
        self.policy = policy or RetryPolicy()
        self.transient = transient if transient is not None else default_transient_errors()
        self._sleep = sleep
        self.job_ids: list[str] = []

    def run(self, pubs: Iterable[Any], *, precision: float | None = None) -> _FinishedJob:
        """Run the PUBs, retrying transient failures; returns a finished job."""
        pub_list = list(pubs)
        job = self._retry("submission", lambda: self.estimator.run(pub_list, precision=precision))
        self.job_ids.append(job.job_id())
        logger.info("submitted job %s", job.job_id())
        return _FinishedJob(job.job_id(), self._retry(f"job {job.job_id()}", job.result))

    def _retry(self, what: str, action: Callable[[], Any]) -> Any:
        delays = iter(self.policy.delays())
        attempt = 1
        while True:
            try:
                return action()
            except self.transient as error:
                delay = next(delays, None)
                if delay is None:
                    raise
                logger.warning(
                    "%s: attempt %d failed (%s: %s); retrying in %.1f s",
                    what, attempt, type(error).__name__, error, delay,
                )
                self._sleep(delay)
                attempt += 1


@dataclass(frozen=True)
class _FinishedJob:
    """A job whose result is already in hand (the shape of a primitive job)."""

    _job_id: str
    _result: PrimitiveResult

    def job_id(self) -> str:
        return self._job_id

    def result(self) -> PrimitiveResult:
        return self._result

    def done(self) -> bool:
        return True

    def status(self) -> str:
        return "DONE"
