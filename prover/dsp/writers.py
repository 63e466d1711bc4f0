"""Who writes Draft-Sketch-Prove's sketches: a fixed table (baselines, tests) or a Hugging
Face causal LM, loaded and sampled by the HF tactic policy (`HFPolicy.generate`), so there is
one way to load a model (device, dtype, device_map from the `model` group's options)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Protocol, Sequence

from omegaconf import DictConfig, OmegaConf

from environments.base import Theorem
from prover.dsp.sketches import STOP
from prover.policies.candidates import samples_for

if TYPE_CHECKING:
    from prover.policies.hf import HFPolicy


@dataclass(frozen=True)
class Draft:
    """A sketch the writer produced, and the tokens it cost."""

    text: str
    tokens: int = 0


class SketchWriter(Protocol):
    def write(self, prompt: str, theorem: Theorem, n: int) -> list[Draft]:
        """Up to `n` sketches continuing `prompt` (the proof body only)."""
        ...


class FixedSketchWriter:
    """Sketches from a table {problem: [sketch, ...]} instead of a model; for baselines and tests."""

    def __init__(self, table: Mapping[str, Sequence[str]]) -> None:
        self.table = {k: list(v) for k, v in table.items()}

    @classmethod
    def from_file(cls, path: str | Path) -> FixedSketchWriter:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def write(self, prompt: str, theorem: Theorem, n: int) -> list[Draft]:
        return [Draft(text) for text in self.table.get(theorem.name, [])[:n]]


class HFSketchWriter:
    """Sketches sampled from the policy's model continuing the DSP prompt (one seed stream per
    problem); a prompt longer than the model's context keeps its end (the problem at hand)."""

    def __init__(self, policy: HFPolicy) -> None:
        self.policy = policy

    def write(self, prompt: str, theorem: Theorem, n: int) -> list[Draft]:
        samples = self.policy.generate([prompt], samples_for(self.policy.sampling, n), STOP, theorem.name)
        return [Draft(text, tokens) for text, _, tokens in samples]


def build_sketch_writer(model_cfg: DictConfig, dsp_cfg: DictConfig) -> SketchWriter:
    """The writer the `model` group describes: hf (a model), or fixed (dsp.sketches_file)."""
    model = OmegaConf.to_container(model_cfg, resolve=True)
    if model.get("policy") == "fixed":
        path = dsp_cfg.get("sketches_file")
        return FixedSketchWriter.from_file(path) if path else FixedSketchWriter({})
    if model.get("policy") == "hf":
        from prover.policies import build_policy

        sampling = {**(model.get("sampling") or {}), "max_new_tokens": int(dsp_cfg.max_new_tokens)}
        return HFSketchWriter(build_policy({**model, "sampling": sampling, "automation": None}))
    raise ValueError(f"i2f supports model.policy hf or fixed, not {model.get('policy')!r}")
