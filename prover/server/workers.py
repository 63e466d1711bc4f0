"""Blocking work (model calls, searches) run from async handlers in worker threads under a
time limit, and admission of the model sampling it does. A request that times out gets 504
and its thread is abandoned, not killed (a model call or search ends by its own budget);
shutdown waits for such threads, since a process that exits while one is inside torch aborts.

Admission: work declares the samples it draws from the model; while the work admitted and
not yet finished (abandoned threads included: they still hold their memory) holds
`max_queued_samples`, more is shed with 503 and `Retry-After` before anything runs. A
sample is released when its work returns or raises, or when it is cancelled before its
thread started."""

from __future__ import annotations

import threading
from typing import Any, Callable, TypeVar

import anyio
import anyio.to_thread
from fastapi import HTTPException

T = TypeVar("T")

RETRY_AFTER_S = 1  # what a shed request is told to wait: one model call's time on this machine


class Workers:
    def __init__(self, max_queued_samples: int) -> None:
        self.max_queued_samples = max_queued_samples
        self._idle = threading.Condition()
        self._running = 0
        self._queued_samples = 0
        self._shed = 0

    def _admit(self, samples: int) -> None:
        with self._idle:
            if self._queued_samples + samples > self.max_queued_samples:
                self._shed += 1
                raise HTTPException(
                    503, f"server busy: {self._queued_samples} samples queued, a limit of {self.max_queued_samples} "
                         f"(server.max_queued_samples); retry after {RETRY_AFTER_S} s",
                    headers={"Retry-After": str(RETRY_AFTER_S)})
            self._queued_samples += samples

    async def run(self, work: Callable[[], T], timeout_s: float, samples: int = 0) -> T:
        """`work()` in a worker thread, if the `samples` it draws from the model are admitted
        (else HTTPException 503); HTTPException 504 after `timeout_s` seconds."""
        self._admit(samples)
        started = abandoned = False

        def tracked() -> Any:
            nonlocal started
            # counted from inside the thread: work cancelled before it started is never counted
            with self._idle:
                if abandoned:
                    return None  # its request is gone and its samples released
                started = True
                self._running += 1
            try:
                return work()
            finally:
                with self._idle:
                    self._running -= 1
                    self._queued_samples -= samples
                    self._idle.notify_all()

        try:
            with anyio.fail_after(timeout_s):
                return await anyio.to_thread.run_sync(tracked, abandon_on_cancel=True)
        except TimeoutError:
            raise HTTPException(504, f"request took longer than the server's limit of {timeout_s:g} s") from None
        finally:
            with self._idle:
                if not started:  # cancelled or timed out before its thread took it: it never will
                    abandoned = True
                    self._queued_samples -= samples

    def admission(self) -> dict[str, int]:
        """The samples admitted and not finished, the bound, and how many requests were shed."""
        with self._idle:
            return {"queued_samples": self._queued_samples, "max_queued_samples": self.max_queued_samples,
                    "shed": self._shed}

    def drain(self, timeout_s: float) -> bool:
        """Wait until no work is running (at most `timeout_s`); whether it all finished."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout=timeout_s)
