"""WorkerPool: one environment per thread, reused by key, replaced after a failure, killed
past its deadline, all closed with the pool."""

from __future__ import annotations

import threading
import time

import pytest

from search.pool import WorkerPool
from tests.search.scripted import ScriptedEnvironment


class Made(list):
    def __call__(self) -> ScriptedEnvironment:
        env = ScriptedEnvironment({})
        self.append(env)
        return env


def test_a_free_thread_that_ran_the_same_key_takes_the_task() -> None:
    made = Made()
    with WorkerPool(made, 2) as pool:
        gate = threading.Event()
        first = pool.submit(lambda env: (gate.wait(5), env)[1], key="A")
        second = pool.submit(lambda env: env, key="B")
        b = second.result(5)
        gate.set()
        a = first.result(5)
        assert a is not b
        # both threads free: each key goes back to the prover that ran it
        assert [pool.submit(lambda env: env, key=k).result(5) for k in "BABA"] == [b, a, b, a]
    assert len(made) == 2 and all(env.closed for env in made)


def test_a_task_that_raises_gets_a_fresh_environment_next_time() -> None:
    made = Made()
    with WorkerPool(made, 1) as pool:
        def boom(env: ScriptedEnvironment) -> None:
            raise RuntimeError("prover exploded")

        with pytest.raises(RuntimeError, match="exploded"):
            pool.submit(boom).result(5)
        handled = pool.submit(boom, on_error=lambda exc, s: f"error: {exc}").result(5)
        assert handled == "error: prover exploded"
        last = pool.submit(lambda env: env).result(5)
    assert len(made) == 3 and made[:2] == [e for e in made[:2] if e.closed] and last is made[2]


def test_the_watchdog_kills_a_prover_stuck_past_its_deadline() -> None:
    made = Made()
    with WorkerPool(made, 1) as pool:
        def stuck(env: ScriptedEnvironment) -> bool:
            deadline = time.monotonic() + 10
            while not env.closed and time.monotonic() < deadline:
                time.sleep(0.01)
            return env.closed

        start = time.monotonic()
        assert pool.submit(stuck, deadline_s=0.2).result(10) is True
        assert time.monotonic() - start < 5
        assert pool.submit(lambda env: env).result(5) is made[1]  # the killed one is not reused


def test_a_task_that_crashes_on_its_killed_prover_reports_the_deadline() -> None:
    with WorkerPool(Made(), 1) as pool:
        def reads_until_killed(env: ScriptedEnvironment) -> None:
            while not env.closed:
                time.sleep(0.01)
            raise OSError(9, "Bad file descriptor")  # what reading a killed coqtop's pipe raises

        message = pool.submit(reads_until_killed, deadline_s=0.2,
                              on_error=lambda exc, s: f"{type(exc).__name__}: {exc}").result(10)
    assert message == "TimeoutError: prover killed: the task held it past its 0.2 s deadline"


def test_close_cancels_the_tasks_not_started() -> None:
    pool = WorkerPool(Made(), 1)
    gate = threading.Event()
    running = pool.submit(lambda env: gate.wait(5))
    waiting = pool.submit(lambda env: "never")
    threading.Timer(0.2, gate.set).start()
    pool.close()
    assert running.result() is True and waiting.cancelled()
    with pytest.raises(RuntimeError, match="closed"):
        pool.submit(lambda env: None)
