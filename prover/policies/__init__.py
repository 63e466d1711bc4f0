"""Tactic policies behind the TacticPolicy contract, and `build_policy`, which builds one
from the Hydra `model` group:

    policy: hf | vllm | fixed | knn | mixture
    path: model directory or hub name (hf, vllm), kNN index directory (knn); relative paths
          that do not exist from the working directory are resolved against the repository root
    prompt_format: a prover.prompts format name, or one per system ({coq: proofstep, lean: ...})
    premises_k: premises a format with premises lists (proofstep-premises; null: the format's)
    sampling: {temperature, top_p, top_k, max_new_tokens, stop, seed} (prover.sampling.SamplingParams;
          the count per state is the search's samples_per_expansion, so `n` may not be set)
    automation: {tactics: [...] or {system: [...]} or null (the defaults), prior: 0..1}   (optional)
    tactics_file / tactics: the fixed policy's candidates
    options: extra keyword arguments of the backend (device, dtype, device_map, max_model_len, ...)
    knn: {neighbours, temperature} of the knn policy
    members: the mixture's policies, {NAME: {weight, ...a model config}}: each member's
          candidates weighted by its share of the weights (prover.policies.mixture)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping

from omegaconf import DictConfig, OmegaConf

from configs import REPO_ROOT
from prover.policies.automation import AutomationPolicy
from prover.policies.fixed import FixedPolicy
from prover.policies.mixture import MixturePolicy
from prover.sampling import SamplingParams
from search.policy import TacticPolicy

_HUB_NAME = re.compile(r"\w[\w.-]*(?:/\w[\w.-]*)?")  # "org/name" or "name" on the Hugging Face hub

POLICIES = ("hf", "vllm", "fixed", "knn", "mixture")


def resolve_model_path(path: str) -> str:
    """An existing local path made absolute; otherwise `path` relative to the repository
    root if it exists there; otherwise unchanged (a hub name)."""
    candidate = Path(path).expanduser()
    if candidate.exists():
        return str(candidate.resolve())
    if not candidate.is_absolute() and (REPO_ROOT / candidate).exists():
        return str(REPO_ROOT / candidate)
    return path


def _model_policy(cfg: Mapping[str, Any]) -> TacticPolicy | None:
    kind = cfg.get("policy")
    options = dict(cfg.get("options") or {})
    if kind == "mixture":
        return _mixture(cfg)
    if kind == "fixed":
        if cfg.get("tactics_file"):
            return FixedPolicy.from_file(cfg["tactics_file"])
        return FixedPolicy(cfg["tactics"]) if cfg.get("tactics") else None
    if not cfg.get("path"):
        raise ValueError(f"model.path is required for policy {kind!r}")
    if kind == "knn":
        from prover.policies.knn import KnnIndex, KnnPolicy  # bm25s loads only when needed

        return KnnPolicy(KnnIndex.load(resolve_model_path(str(cfg["path"]))), **(cfg.get("knn") or {}))
    sampling = SamplingParams.from_config(cfg.get("sampling"))
    if sampling.n != 1:
        raise ValueError(f"model.sampling.n={sampling.n}: the search sets the samples per state "
                         "(search.samples_per_expansion), not the model")
    path, fmt = resolve_model_path(str(cfg["path"])), cfg.get("prompt_format", "proofstep")
    if not Path(path).exists() and not _HUB_NAME.fullmatch(path):
        raise FileNotFoundError(f"no model directory at {path}")
    if kind == "hf":
        from prover.policies.hf import HFPolicy  # torch and transformers load only when needed

        return HFPolicy(path, fmt, sampling, cfg.get("premises_k"), **options)
    if kind == "vllm":
        from prover.policies.vllm import VLLMPolicy

        return VLLMPolicy(path, fmt, sampling, cfg.get("premises_k"), **options)
    raise ValueError(f"unknown policy {kind!r} (choose from {', '.join(POLICIES)})")


def _mixture(cfg: Mapping[str, Any]) -> TacticPolicy:
    members = cfg.get("members") or {}
    if cfg.get("path") or not members:
        raise ValueError("a mixture needs members ({NAME: {weight, policy, ...}}), each with its own "
                         "path (model.members.NAME.path), and no model.path")
    built = []
    for name, member in members.items():
        member = dict(member)
        if "weight" not in member:
            raise ValueError(f"mixture member {name!r} has no weight")
        weight = float(member.pop("weight"))
        built.append((build_policy(member), weight))
    return MixturePolicy(built)


def build_policy(model_cfg: Mapping[str, Any] | DictConfig) -> TacticPolicy:
    """The policy `model_cfg` describes, with automation mixed in when configured."""
    cfg = OmegaConf.to_container(model_cfg, resolve=True) if isinstance(model_cfg, DictConfig) else dict(model_cfg)
    inner = _model_policy(cfg)
    automation = cfg.get("automation")
    if automation:
        return AutomationPolicy(inner, prior=float(automation.get("prior", 0.5)), tactics=automation.get("tactics"))
    if inner is None:
        raise ValueError("the fixed policy needs tactics_file, tactics, or automation tactics")
    return inner


__all__ = ["AutomationPolicy", "FixedPolicy", "MixturePolicy", "POLICIES", "build_policy", "resolve_model_path"]
