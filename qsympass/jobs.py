"""A primitive job that stands for another one and derives its result from it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from qiskit.primitives.base.base_primitive_job import BasePrimitiveJob

ResultT = TypeVar("ResultT")


class DerivedJob(BasePrimitiveJob[ResultT, Any], Generic[ResultT]):
    """Another job's id and state, with a result computed (once) by ``fetch``.

    Wrappers of estimators return it: the wrapped job runs as usual, and ``result()`` applies
    the wrapper's post-processing or retries. Other attributes are the inner job's.

    Args:
        inner: The job that runs.
        fetch: Computes the result, typically from ``inner.result()``.
    """

    def __init__(self, inner: BasePrimitiveJob, fetch: Callable[[], ResultT]) -> None:
        super().__init__(inner.job_id())
        self.inner = inner
        self._fetch = fetch
        self._result: list[ResultT] = []  # empty until fetched (a result may be None)

    def result(self) -> ResultT:
        """Block until the inner job is done and return the derived result."""
        if not self._result:
            self._result.append(self._fetch())
        return self._result[0]

    def status(self) -> Any:
        """The inner job's status."""
        return self.inner.status()

    def done(self) -> bool:
        """Whether the inner job is done."""
        return bool(self.inner.done())

    def running(self) -> bool:
        """Whether the inner job is running."""
        return bool(self.inner.running())

    def cancelled(self) -> bool:
        """Whether the inner job was cancelled."""
        return bool(self.inner.cancelled())

    def in_final_state(self) -> bool:
        """Whether the inner job is in a final state."""
        return bool(self.inner.in_final_state())

    def cancel(self) -> Any:
        """Cancel the inner job."""
        return self.inner.cancel()

    def __getattr__(self, name: str) -> Any:
        # the rest of the inner job's interface (a runtime job's metrics(), usage(), ...)
        if name == "inner":  # not set yet (during unpickling): avoid recursion
            raise AttributeError(name)
        return getattr(self.inner, name)
