"""Many searches at once on a `search.pool.WorkerPool` (one Environment per worker thread,
so prover steps run in parallel), one shared policy behind a BatchingPolicy so the model
sees the requests of all searches as batches.

A theorem whose search raises, or whose prover hangs past the wall time, ends as an
"error" result with the message; the other searches go on.
"""

from __future__ import annotations

from concurrent.futures import as_completed
from typing import Callable, Iterable, Iterator

from environments.base import Environment, Theorem
from search.batching import BatchingPolicy
from search.best_first import SearchConfig, SearchResult, best_first_search
from search.policy import TacticPolicy
from search.pool import GRACE_S, WorkerPool


def search_many(theorems: Iterable[Theorem], make_env: Callable[[], Environment], policy: TacticPolicy,
                config: SearchConfig, workers: int = 1) -> Iterator[SearchResult]:
    """Search every theorem with `workers` concurrent searches; results as they finish."""
    pool = WorkerPool(make_env, workers, "search")
    if not isinstance(policy, BatchingPolicy):
        policy = BatchingPolicy(policy, max_batch=workers)

    def submit(theorem: Theorem):
        def failed(exc: Exception, seconds: float) -> SearchResult:
            return SearchResult(theorem=theorem, status="error", message=f"{type(exc).__name__}: {exc}",
                                wall_s=seconds, error_kinds={"exception": 1})

        return pool.submit(lambda env: best_first_search(env, policy, theorem, config), key=theorem.context,
                           deadline_s=config.wall_time_s + GRACE_S, on_error=failed)

    with pool:
        for future in as_completed([submit(t) for t in theorems]):
            yield future.result()
