"""Many searches at once: worker threads, each with its own Environment (its own prover
process, so prover steps run in parallel), one shared policy behind a BatchingPolicy so
the model sees the requests of all searches as batches.

A theorem whose search raises, or whose prover hangs past the wall time, ends as an
"error" result with the message; the other searches go on.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Callable, Iterable, Iterator

from environments.base import Environment, Theorem
from search.batching import BatchingPolicy
from search.best_first import SearchConfig, SearchResult, best_first_search
from search.policy import TacticPolicy

# beyond the wall time, how long a search may overrun (a check, a last tactic) before
# its prover is killed
GRACE_S = 30.0


class _Workers:
    """One Environment per worker thread, made on first use, replaced after a failure,
    all closed at the end."""

    def __init__(self, make_env: Callable[[], Environment]) -> None:
        self.make_env = make_env
        self.local = threading.local()
        self.lock = threading.Lock()
        self.envs: list[Environment] = []

    def env(self) -> Environment:
        env = getattr(self.local, "env", None)
        if env is None:
            env = self.make_env()
            self.local.env = env
            with self.lock:
                self.envs.append(env)
        return env

    def discard(self) -> None:
        env = getattr(self.local, "env", None)
        self.local.env = None
        if env is not None:
            env.close()

    def close(self) -> None:
        with self.lock:
            envs, self.envs = self.envs, []
        for env in envs:
            env.close()


def _search_one(workers: _Workers, policy: TacticPolicy, theorem: Theorem, config: SearchConfig) -> SearchResult:
    start = time.perf_counter()
    killed = threading.Event()
    watchdog: threading.Timer | None = None
    try:
        env = workers.env()

        def kill() -> None:  # a prover stuck beyond every timeout: the search then sees a crash
            killed.set()
            env.close()

        watchdog = threading.Timer(config.wall_time_s + GRACE_S, kill)
        watchdog.daemon = True
        watchdog.start()
        return best_first_search(env, policy, theorem, config)
    except Exception as e:
        killed.set()  # the prover may be in any state: the next theorem gets a fresh one
        return SearchResult(theorem=theorem, status="error", message=f"{type(e).__name__}: {e}",
                            wall_s=time.perf_counter() - start, error_kinds={"exception": 1})
    finally:
        if watchdog is not None:
            watchdog.cancel()
        if killed.is_set():
            workers.discard()


def search_many(
    theorems: Iterable[Theorem],
    make_env: Callable[[], Environment],
    policy: TacticPolicy,
    config: SearchConfig,
    workers: int = 1,
) -> Iterator[SearchResult]:
    """Search every theorem with `workers` concurrent searches; results as they finish."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers!r}")
    if not isinstance(policy, BatchingPolicy):
        policy = BatchingPolicy(policy, max_batch=max(workers, 1))
    pool = _Workers(make_env)
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="search")
    try:
        pending: set[Future] = {executor.submit(_search_one, pool, policy, t, config) for t in theorems}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        pool.close()
