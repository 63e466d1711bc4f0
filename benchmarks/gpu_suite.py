"""The GPU figures in one command and one JSON file, in at most about 8 minutes on one GPU,
with nothing downloaded (random weights; the data is prepared here if it is missing):

- FSDP2 bf16 training of the Llama-7B shape (`--layers` of its 32 layers), MFU with and
  without activation checkpointing (`benchmarks.gpu_mfu`);
- the HF policy's bf16 sampling tokens/s on 1, 8 and 64 proof states per call (the
  default model, `--samples` samples per state);
- tokens/s of a short real training run of the default model's shape (`train=tiny_cpu`)
  on the prepared corpus (`--data`; else the Python standard library is prepared into the
  output folder, `train/data@data=code` with `data.max_docs`).

    python benchmarks/gpu_suite.py [--out outputs/gpu_suite.json]

Without a CUDA device it exits 2 with one line.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.fsdp_throughput import tokens_per_s  # noqa: E402
from benchmarks.gpu_mfu import measure_mfu, one_rank_group  # noqa: E402
from train.token_store import INDEX  # noqa: E402

DEFAULT_MODEL = REPO / "prover" / "models" / "default"


def generation(states: Sequence[int], samples: int, max_new_tokens: int) -> dict[str, float]:
    """Sampled tokens/s of the HF policy (bf16) for each number of states per call."""
    from environments import ProofState, Theorem
    from prover.policies import build_policy

    policy = build_policy({"policy": "hf", "path": str(DEFAULT_MODEL), "prompt_format": "proofstep",
                           "sampling": {"temperature": 1.0, "top_p": 0.95,
                                        "max_new_tokens": max_new_tokens, "seed": 0},
                           "options": {"device": "cuda", "dtype": "bfloat16"}})
    goals = [ProofState(f"1 goal\n\n  n : nat\n  ============================\n  n + {i} = {i} + n",
                        Theorem(f"t{i}", "coq", f"Lemma t{i} : forall n, n + {i} = {i} + n.")) for i in range(max(states))]
    policy.propose(goals[:1], samples)  # warm-up: kernels, allocator
    rates = {}
    for count in states:
        torch.cuda.synchronize()
        before, start = policy.tokens_generated, time.perf_counter()
        for _ in range(3):
            policy.propose(goals[:count], samples)
        rates[str(count)] = (policy.tokens_generated - before) / (time.perf_counter() - start)
    return rates


def training_run(data: Path | None, out: Path, steps: int) -> dict[str, Any]:
    """Tokens/s of the trainer with `train=tiny_cpu` on one GPU (under torchrun: FSDP2 and
    bf16, as on many), preparing the corpus first when `data` has none."""
    overrides = [f"run.root={out}", "train=tiny_cpu", f"train.steps={steps}", "train.log.every=10",
                 "train.eval.every=0", f"train.checkpoint.every={steps}"]
    if data is None or not (data / "train" / INDEX).exists():
        overrides += ["train/data@data=code", "data.max_docs=3000"]
        subprocess.run([sys.executable, "-m", "train.prepare", *overrides], cwd=REPO, check=True)
    else:
        overrides.append(f"data.out_dir={data}")
    # torchrun sets the group's variables itself: not the ones this process set for its own group
    env = {k: v for k, v in os.environ.items()
           if k not in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")}
    subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "1",
                    "-m", "train.main", *overrides, "run.name=gpu-suite"], cwd=REPO, env=env, check=True)
    return {"steps": steps, "tokens_per_s": tokens_per_s(out / "outputs" / "runs" / "gpu-suite", 1),
            "data": str(data) if data else "python stdlib (train/data@data=code, 3000 documents)"}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "outputs" / "gpu_suite.json")
    parser.add_argument("--layers", type=int, default=16, help="layers of the 7B shape (32: the whole model)")
    parser.add_argument("--samples", type=int, default=8, help="samples per proof state")
    parser.add_argument("--data", type=Path, default=REPO / "outputs" / "data" / "coq_steps")
    parser.add_argument("--train-steps", type=int, default=200)
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print("error: gpu_suite needs a CUDA GPU and none is visible", file=sys.stderr)
        return 2
    start = time.monotonic()
    one_rank_group()
    result: dict[str, Any] = {"gpu": torch.cuda.get_device_name(), "torch": torch.__version__}
    result["mfu_7b_shape"] = {}
    for checkpointing in (True, False):
        key = f"{'with' if checkpointing else 'without'}_activation_checkpointing"
        result["mfu_7b_shape"][key] = measure_mfu(args.layers, 4096, 2, 10, 3, checkpointing)
        gc.collect()  # the FSDP model and optimizer of one measurement before the next one
        torch.cuda.empty_cache()
    result["generation_tokens_per_s"] = {"samples_per_state": args.samples, "max_new_tokens": 64,
                                         "by_states": generation((1, 8, 64), args.samples, 64)}
    result["training_run"] = training_run(args.data, args.out.parent / "gpu_suite_run", args.train_steps)
    result["seconds"] = round(time.monotonic() - start, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
