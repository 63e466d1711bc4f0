"""Continued pretraining from a Hugging Face checkpoint at a size where memory shows: a
58M-parameter Llama loaded sharded on 2 gloo ranks equals the checkpoint, and each rank's
peak resident memory stays below one process that loads the whole model (peak RSS counts
the pages of the checkpoint file being read, mapped by safetensors)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from train.model import build_model

REPO = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("sharded_load_worker.py")
SHAPE = {"hidden_size": 512, "intermediate_size": 1376, "num_layers": 8, "num_heads": 8, "num_kv_heads": 8,
         "max_seq_len": 512, "tie_embeddings": False}


@pytest.mark.slow
def test_two_ranks_load_an_hf_checkpoint_sharded_in_less_memory_than_one_full_load(tmp_path):
    model = build_model(SHAPE, vocab_size=32000, bos_id=1, eos_id=2, pad_id=0)
    params = sum(p.numel() for p in model.parameters())
    assert params >= 50_000_000
    checkpoint = tmp_path / "checkpoint"
    # in files of at most 40 MB, as Hugging Face checkpoints are sharded (Code Llama 7B: 2 files, 34B: 7)
    model.save_pretrained(checkpoint, max_shard_size="40MB")
    del model
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    for argv in ([sys.executable, str(WORKER), str(checkpoint), str(tmp_path), "--full"],
                 [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                  str(WORKER), str(checkpoint), str(tmp_path)]):
        done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    full = json.loads((tmp_path / "full.json").read_text())["peak_rss_mib"]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    print(f"\n{params / 1e6:.1f}M parameters: peak RSS per rank {[round(r['peak_rss_mib']) for r in ranks]} MiB "
          f"(2 ranks, sharded load) vs {full:.0f} MiB (one process, full load)")
    for rank in ranks:
        assert rank["world"] == 2 and rank["tensors"] == 8 * 9 + 3
        assert rank["max_abs_diff"] == 0.0
        assert rank["peak_rss_mib"] < full
