"""Bounded retries with backoff for estimator jobs that fail for transient reasons."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from qiskit.primitives import BaseEstimatorV2, PrimitiveResult

from qsympass.hardware.credentials import redact
from qsympass.jobs import DerivedJob

logger = logging.getLogger(__name__)


def default_transient_errors() -> tuple[type[BaseException], ...]:
    """Errors worth a retry: lost connections, time-outs and API hiccups of the runtime."""
    from qiskit_ibm_runtime.api.exceptions import RequestsApiError
    from qiskit_ibm_runtime.exceptions import IBMBackendApiError, RuntimeJobTimeoutError

    # RuntimeJobMaxTimeoutError is left out: the job ran out of its time limit for good
    return (
        ConnectionError,
        TimeoutError,
        RequestsApiError,
        IBMBackendApiError,
        RuntimeJobTimeoutError,
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
    """An ``EstimatorV2`` that rides out transient failures of the runtime.

    A transient error while *submitting* submits again after a backoff; one while *waiting*
    for the result (a time-out, a dropped connection) waits again for the same job, which may
    still be running, so a slow job is not paid for twice. A submission that failed in transit
    may, rarely, still have created a job on the server; every job id that comes back is
    logged. Each phase has at most ``policy.attempts`` tries. Messages are logged with
    anything token-like redacted. Other attributes (``options`` ...) are the wrapped
    estimator's.

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

    def run(self, pubs: Iterable[Any], *, precision: float | None = None) -> RetryingJob:
        """Submit the PUBs, retrying transient submission failures.

        Args:
            pubs: The PUBs.
            precision: The target precision.

        Returns:
            The job; its ``result()`` waits again for the same job after a transient error.
        """
        pub_list = list(pubs)
        job = self.retry("submission", lambda: self.estimator.run(pub_list, precision=precision))
        self.job_ids.append(job.job_id())
        logger.info("submitted job %s", job.job_id())
        return RetryingJob(job, self)

    def retry(self, what: str, action: Callable[[], Any]) -> Any:
        """Call ``action`` until it succeeds, a non-transient error escapes, or tries run out.

        Args:
            what: What is tried, for the log.
            action: The call.

        Returns:
            What ``action`` returns.
        """
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
                    what, attempt, type(error).__name__, redact(str(error), None), delay,
                )
                self._sleep(delay)
                attempt += 1

    def __getattr__(self, name: str) -> Any:
        if name == "estimator":  # not set yet (during unpickling): avoid recursion
            raise AttributeError(name)
        return getattr(self.estimator, name)


class RetryingJob(DerivedJob[PrimitiveResult]):
    """A submitted job whose ``result()`` waits again after a transient error.

    Args:
        job: The wrapped estimator's job.
        estimator: The :class:`RetryingEstimator` that submitted it.
    """

    def __init__(self, job: Any, estimator: RetryingEstimator) -> None:
        super().__init__(job, lambda: estimator.retry(f"job {job.job_id()}", job.result))
