"""Run under torchrun by test_sharded_load: build the model of a Hugging Face checkpoint on
the meta device, shard it, load the checkpoint sharded as the trainer does, and write this
rank's peak resident memory and the largest difference from the checkpoint's tensors.
With --full it is the single-process baseline instead: `from_pretrained` in fp32.

    python -m torch.distributed.run --nproc_per_node 2 tests/train/sharded_load_worker.py CKPT OUT
    python tests/train/sharded_load_worker.py CKPT OUT --full
"""

import json
import resource
import sys
from pathlib import Path

import torch
from safetensors import safe_open
from torch.distributed.tensor import DTensor, distribute_tensor
from transformers import LlamaForCausalLM

from train.model import build_model
from train.parallelize import init_distributed, parallelize_llama
from train.weights import materialize


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    checkpoint, out = Path(sys.argv[1]), Path(sys.argv[2])
    if "--full" in sys.argv:
        LlamaForCausalLM.from_pretrained(str(checkpoint), dtype=torch.float32)
        out.joinpath("full.json").write_text(json.dumps({"peak_rss_mib": peak_rss_mib()}))
        return
    rank, world, device = init_distributed()
    model = build_model({"init_from": str(checkpoint)}, 0, 0, 0, 0, device="meta")
    model = parallelize_llama(model, device, world, fsdp=True)
    materialize(model, device, checkpoint, seed=0)
    peak = peak_rss_mib()
    max_diff, compared = 0.0, 0
    params = model.state_dict()
    for file in sorted(checkpoint.glob("*.safetensors")):
        with safe_open(str(file), framework="pt") as stored:
            for name in stored.keys():
                param = params[name]
                assert isinstance(param, DTensor), name
                expected = distribute_tensor(stored.get_tensor(name), param.device_mesh, param.placements,
                                             src_data_rank=None).to_local()
                max_diff = max(max_diff, (param.to_local() - expected).abs().max().item())
                compared += 1
    out.joinpath(f"rank{rank}.json").write_text(json.dumps(
        {"peak_rss_mib": peak, "max_abs_diff": max_diff, "tensors": compared, "world": world}))
    torch.distributed.barrier()
    torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
