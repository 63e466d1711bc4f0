"""search_many: concurrent searches, one environment per worker, failures isolated."""

from __future__ import annotations

import threading

from prover.policies.fixed import FixedPolicy
from search import BatchingPolicy, SearchConfig, search_many
from tests.search.scripted import QED, ScriptedEnvironment, theorem

SCRIPT = {f"G{i}": {"a": f"H{i}"} for i in range(8)} | {f"H{i}": {"b": QED} for i in range(8)}
CONFIG = SearchConfig(samples_per_expansion=4, max_expansions=10, wall_time_s=30, tactic_timeout_s=1)


class Factory:
    def __init__(self, **options) -> None:
        self.options = options
        self.made: list[tuple[ScriptedEnvironment, int]] = []
        self.lock = threading.Lock()

    def __call__(self) -> ScriptedEnvironment:
        env = ScriptedEnvironment(SCRIPT, **self.options)
        with self.lock:
            self.made.append((env, threading.get_ident()))
        return env


def test_many_searches_run_concurrently_with_one_env_per_worker():
    factory = Factory(step_delay_s=0.02)
    theorems = [theorem(f"G{i}", name=f"t{i}") for i in range(8)]
    results = list(search_many(theorems, factory, FixedPolicy(["a", "b"]), CONFIG, workers=4))
    assert sorted(r.theorem.name for r in results) == sorted(t.name for t in theorems)
    assert all(r.status == "proved" and r.proof == ("a", "b") for r in results)
    assert 1 <= len(factory.made) <= 4
    assert len({thread for _, thread in factory.made}) == len(factory.made)  # one env per thread
    assert all(env.closed for env, _ in factory.made)


def test_one_crashing_theorem_does_not_stop_the_others():
    factory = Factory(explode_on="t3")
    theorems = [theorem(f"G{i}", name=f"t{i}") for i in range(6)]
    results = {r.theorem.name: r for r in search_many(theorems, factory, FixedPolicy(["a", "b"]), CONFIG, workers=2)}
    assert results["t3"].status == "error"
    assert "prover exploded" in results["t3"].message
    assert all(results[f"t{i}"].status == "proved" for i in (0, 1, 2, 4, 5))
    assert all(env.closed for env, _ in factory.made)


def test_a_failing_policy_gives_error_results():
    class Broken:
        def propose(self, states, k):
            raise RuntimeError("model out of memory")

    results = list(search_many([theorem("G0"), theorem("G1", name="u")], Factory(), Broken(), CONFIG, workers=2))
    assert [r.status for r in results] == ["error", "error"]
    assert all("model out of memory" in r.message for r in results)


def test_concurrent_searches_share_batched_policy_calls():
    calls: list[int] = []

    class Counting:
        def propose(self, states, k):
            calls.append(len(states))
            return FixedPolicy(["a", "b"]).propose(states, k)

    policy = BatchingPolicy(Counting(), max_batch=8, max_wait_s=0.05)
    theorems = [theorem(f"G{i}", name=f"t{i}") for i in range(8)]
    results = list(search_many(theorems, Factory(step_delay_s=0.01), policy, CONFIG, workers=8))
    assert all(r.status == "proved" for r in results)
    assert sum(calls) == 16  # two expansions per theorem
    assert max(calls) > 1
    assert policy.stats()["max_batch"] == max(calls)
