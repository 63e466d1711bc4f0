"""Blocking work (model calls, searches) run from async handlers in worker threads under a
time limit. A request that times out gets 504 and its thread is abandoned, not killed (a
model call or search ends by its own budget); shutdown waits for such threads, since a
process that exits while one is inside torch aborts."""

from __future__ import annotations

import threading
from typing import Callable, TypeVar

import anyio
import anyio.to_thread
from fastapi import HTTPException

T = TypeVar("T")


class Workers:
    def __init__(self) -> None:
        self._idle = threading.Condition()
        self._running = 0

    async def run(self, work: Callable[[], T], timeout_s: float) -> T:
        """`work()` in a worker thread; HTTPException 504 after `timeout_s` seconds."""
        def tracked() -> T:
            # counted from inside the thread: work cancelled before it started is never counted
            with self._idle:
                self._running += 1
            try:
                return work()
            finally:
                with self._idle:
                    self._running -= 1
                    self._idle.notify_all()

        try:
            with anyio.fail_after(timeout_s):
                return await anyio.to_thread.run_sync(tracked, abandon_on_cancel=True)
        except TimeoutError:
            raise HTTPException(504, f"request took longer than the server's limit of {timeout_s:g} s") from None

    def drain(self, timeout_s: float) -> bool:
        """Wait until no work is running (at most `timeout_s`); whether it all finished."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout=timeout_s)
