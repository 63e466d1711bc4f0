"""Materialising a model built on the meta device and already sharded (torchtitan's
order: build on `meta`, `fully_shard`, then `to_empty` and fill): a fresh initialisation
written shard by shard, or a Hugging Face safetensors checkpoint read sharded with
`torch.distributed.checkpoint`'s `HuggingFaceStorageReader`, so every rank reads only
its own slice of each tensor and no process ever holds the whole model."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.distributed.checkpoint as dcp
from torch.distributed.checkpoint.state_dict import get_model_state_dict
from torch.distributed.tensor import DTensor, distribute_tensor
from transformers import LlamaForCausalLM


def reset_buffers(model: LlamaForCausalLM) -> None:
    """Recompute the rotary inverse frequencies: buffers, not in any checkpoint, that
    `to_empty` left as uninitialised memory."""
    rope = model.model.rotary_emb
    fresh = type(rope)(model.config)
    with torch.no_grad():
        for name, buffer in fresh.named_buffers():
            getattr(rope, name).copy_(buffer)


@torch.no_grad()
def init_weights(model: LlamaForCausalLM, seed: int) -> None:
    """Hugging Face's Llama initialisation (matrices normal(0, initializer_range), norm
    scales one), the same values whatever the sharding: each parameter is drawn whole
    from a generator seeded by (seed, its position) and every rank keeps its own slice,
    one parameter at a time."""
    std = model.config.initializer_range
    for index, (_, param) in enumerate(model.named_parameters()):
        if param.dim() == 1:
            full = torch.ones(param.shape, dtype=param.dtype, device=param.device)
        else:
            generator = torch.Generator(param.device).manual_seed(seed * 1_000_003 + index)
            full = torch.empty(param.shape, dtype=param.dtype, device=param.device).normal_(0.0, std,
                                                                                            generator=generator)
        if isinstance(param, DTensor):
            # src_data_rank=None: every rank cuts its slice from its own copy, no communication
            param.to_local().copy_(distribute_tensor(full, param.device_mesh, param.placements,
                                                     src_data_rank=None).to_local())
        else:
            param.copy_(full)


def tied_names(model: LlamaForCausalLM) -> set[str]:
    """State-dict names that are another parameter under a second name (a tied output
    head): Hugging Face checkpoints store them once."""
    seen: dict[int, str] = {}
    tied = set()
    for name, param in model.named_parameters(remove_duplicate=False):
        if id(param) in seen:
            tied.add(name)
        seen.setdefault(id(param), name)
    return tied


def load_hf_weights(model: LlamaForCausalLM, path: str | Path) -> None:
    """Fill the (sharded) parameters from the `*.safetensors` files of a Hugging Face
    checkpoint directory; each rank reads its slices only. Every rank must call it."""
    tied = tied_names(model)
    state = {k: v for k, v in get_model_state_dict(model).items() if k not in tied}
    # the state dict's tensors are the parameters themselves: dcp.load fills them in place
    dcp.load(state, storage_reader=dcp.HuggingFaceStorageReader(str(path)))


def materialize(model: LlamaForCausalLM, device: torch.device, init_from: str | Path | None, seed: int) -> None:
    """Allocate the meta model's (local) storage on `device`, then load `init_from` or
    initialise afresh."""
    model.to_empty(device=device)
    model.tie_weights()  # to_empty gives unsharded tied parameters a storage each: tie them again
    if init_from:
        load_hf_weights(model, init_from)
    else:
        init_weights(model, seed)
    reset_buffers(model)
