"""Best-first search against a scripted environment with the fixed policy."""

from __future__ import annotations

import json
import time

import networkx as nx
import pytest

from prover.policies.fixed import FixedPolicy
from search import SearchConfig, best_first_search, graph_to_json
from tests.search.scripted import ADMIT, QED, TIMEOUT, ScriptedEnvironment, theorem


class Recording:
    """The fixed policy, remembering which goals it was asked about, in order."""

    def __init__(self, source) -> None:
        self.policy = FixedPolicy(source)
        self.asked: list[str] = []

    def propose(self, states, k):
        self.asked.extend(s.goals for s in states)
        return self.policy.propose(states, k)


class SlowPolicy:
    """`inner`, taking `delay_s` seconds per call."""

    def __init__(self, inner, delay_s: float) -> None:
        self.inner, self.delay_s = inner, delay_s

    def propose(self, states, k, prefixes=None):
        time.sleep(self.delay_s)
        return self.inner.propose(states, k, prefixes)


def config(**overrides) -> SearchConfig:
    return SearchConfig(**{"samples_per_expansion": 8, "max_expansions": 20, "wall_time_s": 30.0,
                           "tactic_timeout_s": 1.0, "check_invariants": True, **overrides})


def table(goals: dict[str, list[tuple[str, float]]]) -> dict:
    return {"goals": {g: [{"tactic": t, "logprob": lp} for t, lp in cands] for g, cands in goals.items()}}


def test_cheaper_path_is_expanded_first():
    script = {"R": {"a": "A1", "b": "B1"}, "A1": {"a2": "A2"}, "A2": {}, "B1": {"b2": QED}}
    policy = Recording(table({"R": [("a", -0.1), ("b", -1.0)], "A1": [("a2", -0.2)],
                              "A2": [("x", -5.0)], "B1": [("b2", -0.1)]}))
    result = best_first_search(ScriptedEnvironment(script), policy, theorem("R"), config())
    # A1 (-0.1) and A2 (-0.3) are cheaper than B1 (-1.0): both are expanded before B1
    assert policy.asked == ["R", "A1", "A2", "B1"]
    assert result.status == "proved"
    assert result.proof == ("b", "b2")


def test_length_normalisation_changes_the_order():
    script = {"R": {"long": "L", "short": "S"}, "L": {"l": QED}, "S": {"s": QED}}
    cands = {"R": [{"tactic": "long", "logprob": -2.0, "tokens": 20}, {"tactic": "short", "logprob": -1.0, "tokens": 1}],
             "L": ["l"], "S": ["s"]}
    plain = Recording({"goals": cands})
    best_first_search(ScriptedEnvironment(script), plain, theorem("R"), config())
    normalised = Recording({"goals": cands})
    best_first_search(ScriptedEnvironment(script), normalised, theorem("R"), config(length_normalise=True))
    assert plain.asked[:2] == ["R", "S"]  # -1.0 beats -2.0
    assert normalised.asked[:2] == ["R", "L"]  # -2.0/20 = -0.1 beats -1.0/1


def test_state_reached_twice_is_expanded_once():
    # "x  =  1" and "x = 1" normalise to one key: one node, one expansion
    script = {"R": {"a": "x  =  1", "b": "x = 1"}, "x  =  1": {}, "x = 1": {}}
    policy = Recording({"goals": {"R": ["a", "b"]}, "default": ["nope"]})
    env = ScriptedEnvironment(script)
    result = best_first_search(env, policy, theorem("R"), config())
    assert result.status == "failed"
    assert result.expansions == 2
    assert result.nodes == 2
    assert len(policy.asked) == 2
    assert sum(env.steps[g] for g in ("x  =  1", "x = 1")) == 1
    state = next(n for n, d in result.graph.nodes(data=True) if d.get("kind") == "state" and not d["root"])
    assert result.graph.in_degree(state) == 1  # both tactics, one DiGraph edge
    assert len(result.graph.nodes) == 3  # root, the shared state, one error terminal


def test_budget_exhaustion_is_failed_and_says_so():
    script = {f"G{i}": {"step": f"G{i + 1}"} for i in range(100)}
    result = best_first_search(ScriptedEnvironment(script), FixedPolicy(["step"]), theorem("G0"),
                               config(max_expansions=5))
    assert result.status == "failed"
    assert result.message == "the budget ran out after 5 expansions"
    assert result.expansions == 5
    assert result.proof is None
    assert result.to_record()["status"] == "failed" and "search_status" not in result.to_record()


def test_wall_time_budget_stops_the_search():
    script = {f"G{i}": {"step": f"G{i + 1}"} for i in range(1000)}
    env = ScriptedEnvironment(script, step_delay_s=0.05)
    start = time.perf_counter()
    result = best_first_search(env, FixedPolicy(["step"]), theorem("G0"), config(max_expansions=1000, wall_time_s=0.5))
    assert result.status == "failed" and "budget ran out" in result.message
    assert time.perf_counter() - start < 1.5
    assert 3 <= result.expansions < 1000


def test_root_whose_children_all_fail_is_failed_before_the_budget():
    script = {"R": {"a": "A", "b": TIMEOUT}, "A": {"c": "C"}, "C": {}}
    result = best_first_search(ScriptedEnvironment(script), FixedPolicy(["a", "b", "c", "d"]), theorem("R"),
                               config(max_expansions=100))
    assert result.status == "failed"
    assert result.expansions == 3  # R, A, C: then nothing is left open
    assert result.timeouts == 1
    assert result.error_kinds == {"tactic": 2 + 3 + 4, "timeout": 1}


def test_cycle_back_to_an_ancestor_is_a_dead_edge():
    script = {"R": {"a": "A"}, "A": {"back": "R", "same": "A", "fin": QED}}
    policy = FixedPolicy({"goals": {"R": ["a"], "A": [{"tactic": "back", "logprob": 0.0},
                                                      {"tactic": "same", "logprob": 0.0},
                                                      {"tactic": "fin", "logprob": -3.0}]}})
    result = best_first_search(ScriptedEnvironment(script), policy, theorem("R"), config())
    assert result.status == "proved"
    assert result.proof == ("a", "fin")
    assert result.error_kinds == {"cycle": 2}
    assert nx.is_directed_acyclic_graph(result.graph)


def test_proof_is_checked_and_a_rejected_proof_is_never_reported():
    script = {"R": {"bad": QED, "ok1": "A"}, "A": {"ok2": QED}}
    policy = FixedPolicy([{"tactic": "bad", "logprob": -0.1}, {"tactic": "ok1", "logprob": -0.2},
                          {"tactic": "ok2", "logprob": -0.3}])
    env = ScriptedEnvironment(script, rejected_proofs=[("bad",)])
    result = best_first_search(env, policy, theorem("R"), config())
    assert env.checked == [("bad",), ("ok1", "ok2")]
    assert result.status == "proved"
    assert result.proof == ("ok1", "ok2")
    assert result.verdict.ok
    assert result.error_kinds["checker"] == 1


def test_only_rejected_proofs_end_failed_with_no_proof():
    script = {"R": {"bad": QED, "adm": ADMIT}}
    env = ScriptedEnvironment(script, rejected_proofs=[("bad",)])
    result = best_first_search(env, FixedPolicy(["bad", "adm"]), theorem("R"), config())
    assert result.status == "failed"
    assert result.proof is None
    assert result.error_kinds == {"checker": 1, "given_up": 1}
    assert "checker rejected" in result.message


def test_shortest_proof_is_extracted():
    script = {"R": {"a": "A", "b": "B"}, "A": {"a2": "A2"}, "A2": {"a3": "B"}, "B": {"fin": QED}}
    policy = FixedPolicy({"goals": {"R": [{"tactic": "a", "logprob": -0.01}, {"tactic": "b", "logprob": -2.0}],
                                    "A": [{"tactic": "a2", "logprob": -0.01}],
                                    "A2": [{"tactic": "a3", "logprob": -0.01}],
                                    "B": ["fin"]}})
    result = best_first_search(ScriptedEnvironment(script), policy, theorem("R"), config())
    assert result.status == "proved"
    assert result.proof == ("b", "fin")


def test_open_error_is_reported_as_skipped():
    result = best_first_search(ScriptedEnvironment({}), FixedPolicy(["x"]), theorem("nope"), config())
    assert result.status == "skipped" and result.to_record()["status"] == "skipped"
    assert "does not open" in result.message
    assert result.graph is None


def test_statistics_record_and_graph_json():
    script = {"R": {"a": "A"}, "A": {"b": QED}}
    env = ScriptedEnvironment(script, step_delay_s=0.05)
    result = best_first_search(env, SlowPolicy(FixedPolicy(["a", "b"]), 0.15), theorem("R"), config())
    # known delays: 2 expansions x 0.15 s of policy, 4 steps x 0.05 s of prover (a, b on R; a, b on A)
    assert 0.3 <= result.policy_s < 0.4 and 0.2 <= result.prover_s < 0.3
    assert 0 <= result.search_s < 0.1  # the search's own time is neither of them
    record = json.loads(json.dumps(result.to_record()))
    assert record["status"] == "proved" and record["proof"] == ["a", "b"] and record["expansions"] == 2
    data = json.loads(graph_to_json(result.graph))
    assert {e["tactic"] for e in data["edges"]} == {"a", "b"}
    assert sorted(n["kind"] for n in data["nodes"]) == ["error", "error", "finished", "state", "state"]


def test_search_config_validates():
    with pytest.raises(ValueError, match="max_expansions"):
        SearchConfig(max_expansions=0)
