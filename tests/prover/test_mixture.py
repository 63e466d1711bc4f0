"""The mixture of policies: members' candidates weighted and merged per tactic, and the
`model=mixture` config (a real kNN index, the real default model, automation) built by
build_policy."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from configs import compose_config
from environments.base import ProofState, Theorem
from prover.policies import build_policy
from prover.policies.automation import DEFAULT_TACTICS, AutomationPolicy
from prover.policies.fixed import FixedPolicy
from prover.policies.knn import KnnIndex, KnnPolicy, Step
from prover.policies.mixture import MixturePolicy
from search.policy import Candidate

ROOT = Path(__file__).resolve().parents[2]
THEOREM = Theorem("t", "coq", "Lemma t : True.")
ODD = "1 goal\n\n  p : nat\n  H : Nat.Odd p\n  ============================\n  Nat.Even (S p)"
LIST = "1 goal\n\n  l : list nat\n  ============================\n  rev (rev l) = l"


def probabilities(candidates: list[Candidate]) -> dict[str, float]:
    return {c.tactic: math.exp(c.logprob) for c in candidates}


def test_members_are_weighted_by_their_share_and_a_shared_tactic_gets_the_sum():
    a = FixedPolicy([{"tactic": "lia", "logprob": math.log(0.5)}, {"tactic": "auto", "logprob": math.log(0.5)}])
    b = FixedPolicy([{"tactic": "lia", "logprob": math.log(0.2)}, {"tactic": "intros", "logprob": math.log(0.8)}])
    [got] = MixturePolicy([(a, 1.0), (b, 3.0)]).propose([ProofState("True", THEOREM)], 10)
    assert probabilities(got) == pytest.approx({"intros": 0.6, "lia": 0.125 + 0.15, "auto": 0.125})
    assert [c.tactic for c in got] == ["intros", "lia", "auto"]
    [[only]] = MixturePolicy([(a, 1.0), (b, 3.0)]).propose([ProofState("True", THEOREM)], 1, ["in"])
    assert only.tactic == "intros"
    with pytest.raises(ValueError, match="weights must be > 0"):
        MixturePolicy([(a, 1.0), (b, 0.0)])


@pytest.fixture
def index(tmp_path: Path) -> Path:
    KnnIndex([ODD, LIST, ODD], [Step("apply Nat.Odd_succ", "A.v", "a"), Step("apply rev_involutive", "B.v", "b"),
                                Step("lia", "A.v", "c")]).save(tmp_path / "index")
    return tmp_path / "index"


def test_the_mixture_config_mixes_knn_the_default_model_and_automation(index: Path):
    if not (ROOT / "prover" / "models" / "default" / "config.json").is_file():
        pytest.skip("the default model is missing (built by the training pipeline)")
    cfg = compose_config("prove", ["model=mixture", f"model.members.knn.path={index}"]).model
    policy = build_policy(cfg)
    assert isinstance(policy, AutomationPolicy) and isinstance(policy.inner, MixturePolicy)
    assert [type(p) for p, _ in policy.inner.members][0] is KnnPolicy
    [candidates] = policy.propose([ProofState(ODD, THEOREM)], 32)
    found = probabilities(candidates)
    automation = set(DEFAULT_TACTICS["coq"]) - {"sauto", "hammer"}  # no Hammer import here
    knn = {"apply Nat.Odd_succ", "lia"}
    assert knn | automation <= set(found)
    assert any(c.tokens > 0 and c.tactic not in knn | automation for c in candidates)  # the model's samples
    assert len(found) == len(candidates) and sum(found.values()) <= 1 + 1e-9
    assert [c.logprob for c in candidates] == sorted((c.logprob for c in candidates), reverse=True)
    # "lia", proposed by kNN and automation, outweighs an automation tactic only the model might also sample
    assert found["lia"] > found["intuition"]
    with pytest.raises(ValueError, match="no model.path"):
        build_policy({**compose_config("prove", ["model=mixture"]).model, "path": str(index)})
