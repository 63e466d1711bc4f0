"""The model: a Hugging Face `LlamaForCausalLM` built from our config (so export is
`save_pretrained` and the prover loads it), plus its parameter count and FLOPs per token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import torch
from transformers import AutoConfig, LlamaConfig, LlamaForCausalLM


@dataclass(frozen=True)
class ModelShape:
    """What the FLOPs formula needs: non-embedding parameters, layers, heads, head dim."""

    params: int  # without the token embeddings
    layers: int
    heads: int
    head_dim: int

    def flops_per_token(self, seq_len: int) -> float:
        """Training FLOPs per token: 6·N for the matmuls forward + backward, plus
        12·L·H·Q·T for attention scores and values (PaLM appendix B, as torchtitan)."""
        return 6.0 * self.params + 12.0 * self.layers * self.heads * self.head_dim * seq_len


def model_config(cfg: Mapping[str, Any], vocab_size: int, bos_id: int, eos_id: int, pad_id: int) -> LlamaConfig:
    """The shape to build: the checkpoint's own config when `cfg.init_from` names one
    (continued pretraining), else a LlamaConfig from the `model:` section of a train config."""
    if cfg.get("init_from"):
        return AutoConfig.from_pretrained(str(cfg["init_from"]), attn_implementation=cfg.get("attention", "sdpa"))
    return LlamaConfig(
        vocab_size=vocab_size, hidden_size=cfg["hidden_size"], intermediate_size=cfg["intermediate_size"],
        num_hidden_layers=cfg["num_layers"], num_attention_heads=cfg["num_heads"],
        num_key_value_heads=cfg.get("num_kv_heads") or cfg["num_heads"],
        max_position_embeddings=cfg["max_seq_len"], rope_theta=float(cfg.get("rope_theta", 10000.0)),
        rms_norm_eps=float(cfg.get("rms_norm_eps", 1e-5)),
        tie_word_embeddings=bool(cfg.get("tie_embeddings", False)), bos_token_id=bos_id, eos_token_id=eos_id,
        pad_token_id=pad_id, attn_implementation=cfg.get("attention", "sdpa"))


def build_model(cfg: Mapping[str, Any], vocab_size: int, bos_id: int, eos_id: int, pad_id: int,
                device: str | torch.device = "cpu") -> LlamaForCausalLM:
    """A Llama of `model_config`'s shape on `device`: randomly initialised, or parameters
    without storage on `meta` (see `train.weights.materialize`)."""
    with torch.device(device):
        return LlamaForCausalLM(model_config(cfg, vocab_size, bos_id, eos_id, pad_id))


def model_shape(model: LlamaForCausalLM) -> ModelShape:
    config = model.config
    embedding = model.get_input_embeddings().weight
    params = sum(p.numel() for p in model.parameters()) - embedding.numel()
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    return ModelShape(params, config.num_hidden_layers, config.num_attention_heads, head_dim)
