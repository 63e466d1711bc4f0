"""Every model/ and search/ config of `prove` composes and builds what it describes."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from configs import CONFIG_DIR, compose_config
from configs.budget import presets
from prover.policies import POLICIES
from prover.sampling import SamplingParams
from search import SearchConfig


@pytest.mark.parametrize("name", presets())
def test_search_configs_build_a_search_config(name: str):
    cfg = compose_config("prove", [f"search={name}"])
    config = SearchConfig(**OmegaConf.to_container(cfg.search, resolve=True))
    assert config.max_expansions >= 1
    if name == "llemma":
        assert (config.samples_per_expansion, config.max_expansions, config.wall_time_s, config.length_normalise) == (
            32, 100, 600.0, True)


@pytest.mark.parametrize("name", sorted(p.stem for p in (CONFIG_DIR / "model").glob("*.yaml")))
def test_model_configs_compose_with_valid_sampling(name: str):
    model = compose_config("prove", [f"model={name}"]).model
    assert model.policy in POLICIES
    if model.sampling is not None:
        SamplingParams.from_config(OmegaConf.to_container(model.sampling, resolve=True))


def test_default_model_is_hf_proofstep_with_automation():
    model = compose_config("prove").model
    assert (model.policy, model.prompt_format, model.path) == ("hf", "proofstep", "prover/models/default")
    assert {"lia", "lra", "ring", "sauto", "hammer"} <= set(model.automation.tactics.coq)
    assert not Path(model.path).is_absolute()  # resolved against the repository by build_policy
