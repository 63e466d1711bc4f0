"""Parallelism for the Llama model, torchtitan style: optional activation checkpointing per
decoder block, then FSDP2 `fully_shard` on every decoder block and on the root, under one
mixed-precision policy (bf16 parameters, fp32 reductions) on GPU."""

from __future__ import annotations

import os

import torch
import torch.distributed as dist
from torch.distributed.algorithms._checkpoint.checkpoint_wrapper import checkpoint_wrapper
from torch.distributed.device_mesh import DeviceMesh, init_device_mesh
from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard
from transformers import LlamaForCausalLM


def init_distributed() -> tuple[int, int, torch.device]:
    """(rank, world size, device): a process group when launched by torchrun (NCCL on GPU,
    gloo on CPU), else the single-process answer (0, 1, device)."""
    cuda = torch.cuda.is_available()
    if "RANK" not in os.environ:
        return 0, 1, torch.device("cuda" if cuda else "cpu")
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    if cuda:
        torch.cuda.set_device(local_rank)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if cuda else "gloo")
    return dist.get_rank(), dist.get_world_size(), torch.device(f"cuda:{local_rank}" if cuda else "cpu")


def apply_activation_checkpointing(model: LlamaForCausalLM) -> None:
    """Recompute each decoder block's activations in the backward pass."""
    layers = model.model.layers
    for index, block in enumerate(layers):
        layers[index] = checkpoint_wrapper(block, preserve_rng_state=False)


def apply_fsdp(model: LlamaForCausalLM, mesh: DeviceMesh, mp_policy: MixedPrecisionPolicy | None) -> None:
    """`fully_shard` each decoder block, then the root (embeddings, final norm, head)."""
    kwargs = {"mesh": mesh} | ({"mp_policy": mp_policy} if mp_policy else {})
    blocks = list(model.model.layers)
    for index, block in enumerate(blocks):
        # the last block's parameters are needed again at once by backward: keep them gathered
        fully_shard(block, reshard_after_forward=index < len(blocks) - 1, **kwargs)
    fully_shard(model, **kwargs)


def parallelize_llama(model: LlamaForCausalLM, device: torch.device, world: int, *, fsdp: bool = True,
                      activation_checkpointing: bool = False, bf16: bool | None = None) -> LlamaForCausalLM:
    """Apply activation checkpointing and FSDP2 as configured (FSDP2 needs a process group:
    launch with torchrun, even for one rank); bf16 defaults to "on GPU"."""
    if activation_checkpointing:
        apply_activation_checkpointing(model)
    bf16 = device.type == "cuda" if bf16 is None else bf16
    if fsdp and dist.is_initialized():
        mesh = init_device_mesh(device.type, (world,))
        policy = MixedPrecisionPolicy(param_dtype=torch.bfloat16, reduce_dtype=torch.float32) if bf16 else None
        apply_fsdp(model, mesh, policy)
    return model
