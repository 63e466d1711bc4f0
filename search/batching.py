"""BatchingPolicy: merges the propose() calls of concurrent searches into one call of the
inner policy, so a model sees one batch of many states instead of many batches of one.

No background thread: the first caller that finds no batch in flight becomes the leader,
waits up to `max_wait_s` for other callers (or until `max_batch` states are queued), runs
the inner policy once for everyone queued, and hands each caller its share. Callers'
tactic prefixes travel with their states; the inner policy sees `prefixes` only when some
state in the merged batch has one, so search's prefix-free calls reach it unchanged.
It lives in `search/` because it only needs the TacticPolicy protocol.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Sequence

from environments.base import ProofState
from search.policy import Candidate, TacticPolicy

LATENCY_WINDOW = 10_000  # requests whose latency stats() summarises: a server runs for days

@dataclass(eq=False)
class _Request:
    states: Sequence[ProofState]
    k: int
    prefixes: Sequence[str | None]  # one per state
    queued_at: float = field(default_factory=time.perf_counter)
    result: list[list[Candidate]] | None = None
    error: BaseException | None = None
    done: bool = False


class BatchingPolicy:
    """A thread-safe TacticPolicy wrapper that batches concurrent calls."""

    def __init__(self, policy: TacticPolicy, max_batch: int = 64, max_wait_s: float = 0.005) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be >= 1, got {max_batch!r}")
        if max_wait_s < 0:
            raise ValueError(f"max_wait_s must be >= 0, got {max_wait_s!r}")
        self.policy, self.max_batch, self.max_wait_s = policy, max_batch, max_wait_s
        self._cond = threading.Condition()
        self._pending: list[_Request] = []
        self._busy = False
        self._batch_sizes: Counter[int] = Counter()  # states per inner call -> how many calls
        self._requests = 0
        self._latencies: deque[float] = deque(maxlen=LATENCY_WINDOW)  # queued to answered

    def propose(self, states: Sequence[ProofState], k: int,
                prefixes: Sequence[str | None] | None = None) -> list[list[Candidate]]:
        if prefixes is not None and len(prefixes) != len(states):
            raise ValueError(f"{len(prefixes)} prefixes for {len(states)} states")
        request = _Request(list(states), k, list(prefixes) if prefixes is not None else [None] * len(states))
        with self._cond:
            self._pending.append(request)
            self._cond.notify_all()
            while not request.done:
                if self._busy:
                    self._cond.wait()
                    continue
                self._busy = True
                self._cond.wait_for(lambda: sum(len(r.states) for r in self._pending) >= self.max_batch,
                                   timeout=self.max_wait_s)
                batch = self._take_batch()
                self._cond.release()
                try:
                    self._run(batch)
                finally:
                    self._cond.acquire()
                    self._busy = False
                    self._cond.notify_all()
        if request.error is not None:
            raise request.error
        assert request.result is not None
        return request.result

    def _take_batch(self) -> list[_Request]:
        """Queued requests in arrival order up to `max_batch` states (at least one request)."""
        batch, size = [], 0
        while self._pending and (not batch or size + len(self._pending[0].states) <= self.max_batch):
            request = self._pending.pop(0)
            batch.append(request)
            size += len(request.states)
        return batch

    def _run(self, batch: list[_Request]) -> None:
        states = [s for r in batch for s in r.states]
        prefixes = [p for r in batch for p in r.prefixes]
        k = max(r.k for r in batch)  # candidates come best first, so a smaller k is a prefix
        try:
            if not states:
                proposals = []
            elif any(prefixes):
                proposals = self.policy.propose(states, k, prefixes)
            else:
                proposals = self.policy.propose(states, k)
            error = None
        except Exception as e:  # every caller in the batch sees the policy's failure
            proposals, error = [], e
        now = time.perf_counter()
        offset = 0
        for r in batch:
            if error is None:
                r.result = [p[: r.k] for p in proposals[offset : offset + len(r.states)]]
            r.error, r.done = error, True
            offset += len(r.states)
        with self._cond:
            self._batch_sizes[len(states)] += 1
            self._requests += len(batch)
            self._latencies.extend(now - r.queued_at for r in batch)

    def stats(self) -> dict[str, Any]:
        """Batch sizes (states per model call) so far, and the latencies of the last
        `LATENCY_WINDOW` requests."""
        with self._cond:
            sizes, requests, lat = dict(self._batch_sizes), self._requests, sorted(self._latencies)
        if not sizes:
            return {"calls": 0, "requests": 0, "states": 0}
        calls, states = sum(sizes.values()), sum(n * c for n, c in sizes.items())
        return {"calls": calls, "requests": requests, "states": states, "mean_batch": states / calls,
                "max_batch": max(sizes), "batch_sizes": {str(n): sizes[n] for n in sorted(sizes)},
                "latency_p50_s": lat[len(lat) // 2], "latency_mean_s": statistics.fmean(lat),
                "latency_p95_s": lat[min(len(lat) - 1, int(len(lat) * 0.95))]}
