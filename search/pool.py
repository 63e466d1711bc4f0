"""The one worker pool of `prove`, `minif2f` and the server's /prove: up to `size` threads,
each owning one Environment (its own prover process), made on first use, replaced after a
task raised or overran its deadline (a watchdog then kills the prover, so the task sees a
crash), all closed with the pool.

A task carries a key (for example its theorem's context): a free thread whose prover last
ran a task with the same key takes it, so a loaded context is reused rather than loaded
again.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, TypeVar

from environments.base import Environment

T = TypeVar("T")

# beyond a task's own budget, how long it may overrun (a check, a last tactic) before its
# prover is killed
GRACE_S = 30.0


@dataclass
class _Task:
    work: Callable[[Environment], Any]
    key: Hashable
    deadline_s: float | None
    on_error: Callable[[Exception, float], Any] | None
    future: Future = field(default_factory=Future)


class _Worker:
    """One thread and its environment; `key` is that of the last task it ran."""

    def __init__(self, first: _Task) -> None:
        self.env: Environment | None = None
        self.key: Hashable = None
        self.task: _Task | None = first
        self.thread: threading.Thread | None = None

    def discard(self) -> None:
        env, self.env, self.key = self.env, None, None
        if env is not None:
            env.close()


class WorkerPool:
    """Threads with one Environment each; `submit` a task, get a Future of its result."""

    def __init__(self, make_env: Callable[[], Environment], size: int, name: str = "worker") -> None:
        if size < 1:
            raise ValueError(f"workers must be >= 1, got {size!r}")
        self.make_env, self.size, self.name = make_env, size, name
        self._cond = threading.Condition()
        self._pending: deque[_Task] = deque()
        self._idle: list[_Worker] = []
        self._workers: list[_Worker] = []
        self._closed = False

    def submit(self, work: Callable[[Environment], T], key: Hashable = None, deadline_s: float | None = None,
               on_error: Callable[[Exception, float], T] | None = None) -> Future[T]:
        """Run `work(env)` on a pool thread. Past `deadline_s` seconds its prover is killed.
        If it raises, its environment is replaced and the Future holds
        `on_error(exception, seconds)` (or the exception when `on_error` is None)."""
        task = _Task(work, key, deadline_s, on_error)
        with self._cond:
            if self._closed:
                raise RuntimeError("the worker pool is closed")
            # a free thread: the one whose prover ran this key last, else one with a prover
            worker = min(self._idle, key=lambda w: (w.key != key, w.env is None), default=None)
            if worker is not None:
                self._idle.remove(worker)
                worker.task = task
                self._cond.notify_all()
            elif len(self._workers) < self.size:
                worker = _Worker(task)
                worker.thread = threading.Thread(target=self._serve, args=(worker,), daemon=True,
                                                 name=f"{self.name}-{len(self._workers)}")
                self._workers.append(worker)
                worker.thread.start()
            else:
                self._pending.append(task)
        return task.future

    def close(self) -> None:
        """Cancel the tasks not started, wait for the running ones, close every environment."""
        with self._cond:
            self._closed = True
            pending, self._pending = list(self._pending), deque()
            self._cond.notify_all()
        for task in pending:
            task.future.cancel()
        for worker in self._workers:
            if worker.thread is not threading.current_thread():
                worker.thread.join()
            worker.discard()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _next(self, worker: _Worker) -> _Task | None:
        """The worker's next task (one of its own key first); None once the pool is closed."""
        with self._cond:
            while worker.task is None:
                if self._pending:
                    task = next((t for t in self._pending if t.key == worker.key), self._pending[0])
                    self._pending.remove(task)
                    return task
                if self._closed:
                    return None
                if worker not in self._idle:
                    self._idle.append(worker)
                self._cond.wait()
            task, worker.task = worker.task, None
            return task

    def _serve(self, worker: _Worker) -> None:
        while (task := self._next(worker)) is not None:
            if task.future.set_running_or_notify_cancel():
                self._run(worker, task)

    def _run(self, worker: _Worker, task: _Task) -> None:
        start = time.perf_counter()
        killed, overran = threading.Event(), threading.Event()
        watchdog: threading.Timer | None = None
        failure: Exception | None = None
        try:
            if worker.env is None:
                worker.env = self.make_env()
            env, worker.key = worker.env, task.key
            if task.deadline_s is not None:
                def kill() -> None:  # a prover stuck beyond every timeout: the task then sees a crash
                    overran.set()
                    killed.set()
                    env.close()

                watchdog = threading.Timer(task.deadline_s, kill)
                watchdog.daemon = True
                watchdog.start()
            result = task.work(env)
        except Exception as exc:
            killed.set()  # the prover may be in any state: the next task gets a fresh one
            failure = exc
            if overran.is_set():  # the crash is the watchdog's doing: say so, not the broken pipe
                failure = TimeoutError(f"prover killed: the task held it past its {task.deadline_s:g} s deadline")
                failure.__cause__ = exc
        finally:
            if watchdog is not None:
                watchdog.cancel()
            if killed.is_set():
                worker.discard()
        try:
            if failure is not None:
                if task.on_error is None:
                    raise failure
                result = task.on_error(failure, time.perf_counter() - start)
            task.future.set_result(result)
        except Exception as exc:
            task.future.set_exception(exc)
