"""GPU training throughput and MFU of a Llama-7B-shaped model with random weights (nothing
is downloaded): FSDP2 + bf16 mixed precision + SDPA attention + activation checkpointing,
built on the meta device, sharded, then materialised on the GPU by `train.weights`, as the trainer does it.

    python benchmarks/gpu_mfu.py                       # one GPU
    python benchmarks/gpu_mfu.py --all-gpus            # every GPU present, via torchrun
    torchrun --nproc_per_node 8 benchmarks/gpu_mfu.py  # the same, launched by hand

Prints tokens/s per GPU and MFU (FLOPs/token = 6·N + 12·L·H·Q·T against the GPU's peak
bf16 FLOP/s). The anchor: Llemma 7B trained at about 36 % MFU on A100s; the goal is 50 %.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from train.metrics import device_peak_flops  # noqa: E402
from train.model import build_model, model_shape  # noqa: E402
from train.parallelize import init_distributed, parallelize_llama  # noqa: E402
from train.weights import materialize  # noqa: E402

LLAMA_7B = {"hidden_size": 4096, "intermediate_size": 11008, "num_layers": 32, "num_heads": 32, "num_kv_heads": 32,
            "max_seq_len": 4096, "rope_theta": 1_000_000.0, "attention": "sdpa"}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seq-len", type=int, default=4096)
    parser.add_argument("--micro-batch", type=int, default=2, help="sequences per GPU per step")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5, help="steps not timed")
    parser.add_argument("--layers", type=int, default=LLAMA_7B["num_layers"], help="fewer layers for a quick try")
    parser.add_argument("--no-activation-checkpointing", action="store_true")
    parser.add_argument("--all-gpus", action="store_true", help="relaunch under torchrun on every GPU")
    return parser.parse_args(argv)


def measure_mfu(layers: int, seq_len: int, micro_batch: int, steps: int, warmup: int,
                activation_checkpointing: bool) -> dict[str, float | int | str | None]:
    """Tokens/s per GPU, TFLOP/s, MFU and peak memory of FSDP2 bf16 training steps of the
    Llama-7B shape with `layers` layers (random weights)."""
    rank, world, device = init_distributed()
    model = build_model({**LLAMA_7B, "num_layers": layers, "max_seq_len": seq_len},
                        vocab_size=32016, bos_id=1, eos_id=2, pad_id=0, device="meta")
    config = model.config
    shape = model_shape(model)
    model = parallelize_llama(model, device, world, fsdp=True, bf16=True,
                              activation_checkpointing=activation_checkpointing)
    materialize(model, device, None, seed=0)  # random weights: throughput does not depend on their values
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=True)
    tokens = torch.randint(0, config.vocab_size, (micro_batch, seq_len + 1), device=device)
    torch.cuda.reset_peak_memory_stats(device)
    timed = 0.0
    for step in range(warmup + steps):
        torch.cuda.synchronize()
        start = time.perf_counter()
        logits = model(input_ids=tokens[:, :-1]).logits
        loss = torch.nn.functional.cross_entropy(logits.float().flatten(0, 1), tokens[:, 1:].flatten())
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        torch.cuda.synchronize()  # the one place the CPU waits for the GPU
        if step >= warmup:
            timed += time.perf_counter() - start
    tps = micro_batch * seq_len * steps / timed
    flops = shape.flops_per_token(seq_len)
    peak = device_peak_flops(device)
    return {"gpu": torch.cuda.get_device_name(device), "world": world, "layers": layers,
            "non_embedding_params": shape.params, "seq_len": seq_len, "micro_batch": micro_batch,
            "activation_checkpointing": activation_checkpointing, "tokens_per_s_per_gpu": tps,
            "tflops_per_gpu": tps * flops / 1e12, "mfu": tps * flops / peak if peak else None,
            "peak_memory_gib": torch.cuda.max_memory_allocated(device) / 2**30}


def one_rank_group() -> None:
    """The environment of a one-rank process group (FSDP2 needs one) when not under torchrun."""
    for key, value in {"RANK": "0", "LOCAL_RANK": "0", "WORLD_SIZE": "1", "MASTER_ADDR": "127.0.0.1",
                       "MASTER_PORT": "29517"}.items():
        os.environ.setdefault(key, value)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not torch.cuda.is_available():
        print("error: gpu_mfu needs a CUDA GPU and none is visible", file=sys.stderr)
        return 2
    if args.all_gpus and "RANK" not in os.environ:
        forwarded = [a for a in (sys.argv[1:] if argv is None else argv) if a != "--all-gpus"]
        return subprocess.call([sys.executable, "-m", "torch.distributed.run", "--standalone",
                                "--nproc_per_node", str(torch.cuda.device_count()), __file__, *forwarded])
    one_rank_group()
    result = measure_mfu(args.layers, args.seq_len, args.micro_batch, args.steps, args.warmup,
                         not args.no_activation_checkpointing)
    if os.environ["RANK"] != "0":
        return 0
    print(f"{result['gpu']} × {result['world']}: Llama-7B shape ({result['non_embedding_params'] / 1e9:.2f}B "
          f"non-embedding params, {args.layers} layers), seq {args.seq_len}, micro-batch {args.micro_batch}")
    print(f"tokens/s/GPU: {result['tokens_per_s_per_gpu']:,.0f}")
    print(f"TFLOP/s/GPU:  {result['tflops_per_gpu']:.1f}")
    print(f"MFU:          {result['mfu']:.1%}" if result["mfu"] else "MFU:          unknown GPU peak")
    print(f"peak memory:  {result['peak_memory_gib']:.1f} GiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
