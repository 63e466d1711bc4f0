"""Every model/ and search/ config of `prove` composes and drives what it describes."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

from configs import CONFIG_DIR, compose_config
from configs.budget import presets
from environments.base import ProofState, Theorem
from prover.policies import POLICIES, build_policy
from prover.policies.fixed import FixedPolicy
from prover.sampling import SamplingParams
from search import SearchConfig, best_first_search
from tests.search.scripted import ScriptedEnvironment, theorem


# the presets' documented budgets: SearchConfig's defaults and Llemma's evaluation budget
BUDGETS = {"default": (16, 24), "llemma": (32, 100)}


@pytest.mark.parametrize("name", presets())
def test_each_search_preset_runs_the_search_with_its_budget(name: str):
    cfg = compose_config("prove", [f"search={name}"])
    config = SearchConfig(**OmegaConf.to_container(cfg.search, resolve=True))
    asked: list[int] = []

    class Counting(FixedPolicy):
        def propose(self, states, k, prefixes=None):
            asked.append(k)
            return super().propose(states, k, prefixes)

    endless = {f"G{i}": {"step": f"G{i + 1}"} for i in range(200)}  # a goal that never closes
    result = best_first_search(ScriptedEnvironment(endless), Counting(["step"]), theorem("G0"), config)
    samples, expansions = BUDGETS[name]
    assert result.expansions == expansions and asked == [samples] * expansions
@pytest.mark.parametrize("name", sorted(p.stem for p in (CONFIG_DIR / "model").glob("*.yaml")))
def test_model_configs_compose_with_valid_sampling(name: str):
    model = compose_config("prove", [f"model={name}"]).model
    assert model.policy in POLICIES
    if model.sampling is not None:
        SamplingParams.from_config(OmegaConf.to_container(model.sampling, resolve=True))


def test_default_model_samples_tactics_mixed_with_the_automation_list(tmp_path, monkeypatch):
    if not (CONFIG_DIR.parent / "prover" / "models" / "default" / "config.json").is_file():
        pytest.skip("the default model is missing (built by the training pipeline)")
    monkeypatch.chdir(tmp_path)  # the config's relative model path resolves against the repository
    policy = build_policy(compose_config("prove").model)
    plain = Theorem("t", "coq", "Lemma t : forall n : nat, n + 0 = n.", context="Require Import Lia.")
    hammer = Theorem("h", "coq", plain.statement, context="From Hammer Require Import Hammer.\nRequire Import Lia.")
    goals = "============================\nforall n : nat, n + 0 = n"
    without, with_hammer = policy.propose([ProofState(goals, plain), ProofState(goals, hammer)], 32)
    assert any(c.tokens > 0 for c in without)  # the model's samples are in ...
    automation = {"lia", "nia", "lra", "ring", "auto", "intuition"}
    assert automation <= {c.tactic for c in without}  # ... beside the automation list
    assert not {"sauto", "hammer"} & {c.tactic for c in without}  # CoqHammer only where the file imports it
    assert {"sauto", "hammer"} <= {c.tactic for c in with_hammer}
