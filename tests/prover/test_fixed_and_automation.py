"""The fixed policy (lists, per-goal tables, files), the automation merge, build_policy."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from environments.base import ProofState, Theorem
from prover.policies import build_policy, resolve_model_path
from prover.policies.automation import AutomationPolicy
from prover.policies.candidates import rank
from prover.policies.fixed import FixedPolicy
from search.policy import Candidate

PLAIN = Theorem("t", "coq", "Lemma t : True.", context="Require Import Lia.")
HAMMER = Theorem("h", "coq", "Lemma h : True.", context="From Hammer Require Import Hammer.\nRequire Import Lia.")


def state(goals: str = "True", theorem: Theorem = PLAIN) -> ProofState:
    return ProofState(goals, theorem)


def test_rank_dedups_keeps_best_and_sorts():
    ranked = rank([Candidate(-2.0, " lia "), Candidate(-0.5, "auto"), Candidate(-1.0, "lia"), Candidate(-0.1, "  ")], 5)
    assert ranked == [Candidate(-0.5, "auto"), Candidate(-1.0, "lia")]
    assert rank([Candidate(-1.0, "a"), Candidate(-1.0, "b")], 1) == [Candidate(-1.0, "a")]


def test_fixed_list_strings_get_rank_logprobs():
    [[a, b, c]] = FixedPolicy(["intros", "lia", "auto"]).propose([state()], 5)
    assert (a.tactic, a.logprob, b.logprob, c.logprob) == ("intros", 0.0, -1.0, -2.0)
    assert len(FixedPolicy(["intros", "lia", "auto"]).propose([state()], 2)[0]) == 2


def test_fixed_per_goal_table_from_json_and_yaml(tmp_path: Path):
    table = {"goals": {"x  =  1": [{"tactic": "reflexivity", "logprob": -0.1}]}, "default": ["auto"]}
    (tmp_path / "t.json").write_text(json.dumps(table))
    (tmp_path / "t.yaml").write_text("goals:\n  'x = 1':\n    - {tactic: reflexivity, logprob: -0.1}\ndefault: [auto]\n")
    for name in ("t.json", "t.yaml"):
        policy = FixedPolicy.from_file(tmp_path / name)
        assert policy.propose([state("x = 1"), state("y = 2")], 4) == [
            [Candidate(-0.1, "reflexivity")], [Candidate(0.0, "auto")]]


def test_fixed_keeps_the_candidates_that_start_with_each_states_prefix():
    policy = FixedPolicy(["intros", "lia", "intro h", "intro"])
    assert policy.propose([state(), state(), state()], 5, ["intro", None, "  li"]) == [
        [Candidate(0.0, "intros"), Candidate(-2.0, "intro h"), Candidate(-3.0, "intro")],
        [Candidate(0.0, "intros"), Candidate(-1.0, "lia"), Candidate(-2.0, "intro h"), Candidate(-3.0, "intro")],
        [Candidate(-1.0, "lia")]]
    # a prefix ending in a space asks for arguments: "intro" and "intros" do not continue it
    assert policy.propose([state()], 5, ["intro "]) == [[Candidate(-2.0, "intro h")]]
    with pytest.raises(ValueError, match="2 prefixes for 1 states"):
        policy.propose([state()], 5, ["a", "b"])


def test_automation_with_a_prefix_splits_its_prior_among_the_matching_tactics():
    model = FixedPolicy([{"tactic": "lra", "logprob": math.log(0.6)}, {"tactic": "intros", "logprob": math.log(0.4)}])
    policy = AutomationPolicy(model, prior=0.5, tactics={"coq": ["lia", "auto", "nia"]})
    [with_prefix, without] = policy.propose([state(), state()], 10, ["l", None])
    assert {c.tactic: math.exp(c.logprob) for c in with_prefix} == pytest.approx({"lia": 0.5, "lra": 0.3})
    assert {c.tactic for c in without} == {"lia", "auto", "nia", "lra", "intros"}
    assert AutomationPolicy(None, tactics={"coq": ["lia", "auto"]}).propose([state()], 10, ["simp"]) == [[]]


@pytest.mark.parametrize("source, message", [
    ([{"tactic": "lia", "logprob": 0.5}], "logprob"),
    ([42], "expected a tactic"),
    ({"goal": {}}, "unknown keys"),
    ("lia", "expected a list"),
])
def test_fixed_rejects_bad_sources(source, message):
    with pytest.raises(ValueError, match=message):
        FixedPolicy(source)


def test_automation_mixture_with_model_samples():
    model = FixedPolicy([{"tactic": "intros", "logprob": math.log(0.6)}, {"tactic": "lia", "logprob": math.log(0.2)}])
    policy = AutomationPolicy(model, prior=0.5, tactics={"coq": ["lia", "auto"]})
    [candidates] = policy.propose([state()], 10)
    got = {c.tactic: math.exp(c.logprob) for c in candidates}
    assert got == pytest.approx({"intros": 0.3, "lia": 0.25 + 0.1, "auto": 0.25})
    assert [c.tactic for c in candidates] == ["lia", "intros", "auto"]


def test_automation_respects_k_and_needs_hammer_import_for_sauto():
    policy = AutomationPolicy(None, tactics={"coq": ["lia", "sauto", "hammer", "auto"]})
    assert [c.tactic for c in policy.propose([state()], 10)[0]] == ["lia", "auto"]
    assert [c.tactic for c in policy.propose([state(theorem=HAMMER)], 10)[0]] == ["lia", "sauto", "hammer", "auto"]
    assert len(policy.propose([state(theorem=HAMMER)], 2)[0]) == 2


def test_automation_uses_each_states_system():
    lean = Theorem("l", "lean", "theorem l : True := by")
    policy = AutomationPolicy(None)
    [[first, *_]] = policy.propose([state(theorem=lean)], 3)
    assert first.tactic == "linarith"


@pytest.mark.parametrize("prior", [0.0, 1.5])
def test_automation_prior_is_validated(prior):
    with pytest.raises(ValueError, match="prior"):
        AutomationPolicy(FixedPolicy(["x"]), prior=prior)


def test_build_policy_fixed_and_errors(tmp_path: Path):
    (tmp_path / "tactics.yaml").write_text("[intros, lia]\n")
    policy = build_policy({"policy": "fixed", "tactics_file": str(tmp_path / "tactics.yaml")})
    assert [c.tactic for c in policy.propose([state()], 4)[0]] == ["intros", "lia"]
    automation_only = build_policy({"policy": "fixed", "automation": {"tactics": ["lia"], "prior": 0.3}})
    assert automation_only.propose([state()], 4) == [[Candidate(0.0, "lia")]]
    with pytest.raises(ValueError, match="unknown policy"):
        build_policy({"policy": "magic", "path": "x"})
    with pytest.raises(ValueError, match="needs tactics"):
        build_policy({"policy": "fixed"})


def test_default_model_path_resolves_against_the_repository(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_model_path("prover/examples") == str(Path(__file__).resolve().parents[2] / "prover" / "examples")
    assert resolve_model_path("EleutherAI/llemma_7b") == "EleutherAI/llemma_7b"
    (tmp_path / "mine").mkdir()
    assert resolve_model_path("mine") == str(tmp_path / "mine")
