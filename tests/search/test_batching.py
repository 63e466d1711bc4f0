"""BatchingPolicy merges concurrent propose() calls and returns each caller its own share."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from environments.base import ProofState, Theorem
from search.batching import BatchingPolicy
from search.policy import Candidate

THEOREM = Theorem("t", "coq", "Lemma t : True.")


class Echo:
    """Candidates derived from each state's goals, so a mixed-up answer is visible."""

    def __init__(self, delay_s: float = 0.02) -> None:
        self.delay_s = delay_s
        self.batches: list[int] = []
        self.lock = threading.Lock()

    def propose(self, states, k):
        with self.lock:
            self.batches.append(len(states))
        time.sleep(self.delay_s)  # a model call takes time: later callers queue meanwhile
        return [[Candidate(-float(i), f"{s.goals}#{i}") for i in range(k)] for s in states]


def state(i: int) -> ProofState:
    return ProofState(f"g{i}", THEOREM)


def test_concurrent_calls_are_merged_and_answered_correctly():
    inner = Echo()
    policy = BatchingPolicy(inner, max_batch=64, max_wait_s=0.02)
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda i: (i, policy.propose([state(i)], 1 + i % 3)), range(48)))
    for i, answer in answers:
        assert answer == [[Candidate(-float(j), f"g{i}#{j}") for j in range(1 + i % 3)]]
    assert sum(inner.batches) == 48
    assert len(inner.batches) < 48
    stats = policy.stats()
    assert stats["requests"] == 48 and stats["states"] == 48 and stats["max_batch"] > 1
    assert stats["latency_p95_s"] >= stats["latency_p50_s"] > 0


def test_batch_never_exceeds_max_batch():
    inner = Echo(delay_s=0.01)
    policy = BatchingPolicy(inner, max_batch=4, max_wait_s=0.05)
    with ThreadPoolExecutor(12) as pool:
        list(pool.map(lambda i: policy.propose([state(i), state(i + 100)], 2), range(12)))
    assert max(inner.batches) <= 4
    assert sum(inner.batches) == 24


class PrefixEcho(Echo):
    """Candidates that continue each state's prefix; records the prefixes of each inner call
    (None when the call passed none)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[list[str | None] | None] = []

    def propose(self, states, k, prefixes=None):
        with self.lock:
            self.seen.append(None if prefixes is None else list(prefixes))
        time.sleep(self.delay_s)
        heads = prefixes or [None] * len(states)
        return [[Candidate(-float(i), f"{p or ''}{s.goals}#{i}") for i in range(k)] for s, p in zip(states, heads)]


def test_mixed_prefixes_travel_with_their_states_through_a_merged_batch():
    inner = PrefixEcho()
    policy = BatchingPolicy(inner, max_batch=64, max_wait_s=0.05)

    def call(i: int):
        prefixes = [f"p{i} ", None] if i % 2 else None
        return policy.propose([state(i), state(i + 100)], 2, prefixes)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(call, range(16)))
    for i, answer in enumerate(answers):
        head = f"p{i} " if i % 2 else ""
        assert answer == [[Candidate(-float(j), f"{head}g{i}#{j}") for j in range(2)],
                          [Candidate(-float(j), f"g{i + 100}#{j}") for j in range(2)]]
    assert any(prefixes is not None and None in prefixes and any(prefixes) for prefixes in inner.seen)


def test_calls_without_prefixes_reach_the_inner_policy_without_them():
    inner = PrefixEcho()
    policy = BatchingPolicy(inner, max_wait_s=0.0)
    policy.propose([state(0)], 1)
    policy.propose([state(1)], 1, [""])
    assert inner.seen == [None, None]
    with pytest.raises(ValueError, match="1 prefixes for 2 states"):
        policy.propose([state(0), state(1)], 1, ["x"])


def test_inner_failure_reaches_every_caller_and_the_policy_recovers():
    class Flaky:
        def __init__(self):
            self.fail = True

        def propose(self, states, k):
            if self.fail:
                raise RuntimeError("boom")
            return [[Candidate(0.0, "ok")] for _ in states]

    inner = Flaky()
    policy = BatchingPolicy(inner, max_wait_s=0.01)
    with pytest.raises(RuntimeError, match="boom"):
        policy.propose([state(0)], 1)
    inner.fail = False
    assert policy.propose([state(1)], 1) == [[Candidate(0.0, "ok")]]


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="max_batch"):
        BatchingPolicy(Echo(), max_batch=0)
