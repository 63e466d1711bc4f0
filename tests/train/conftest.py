"""Fixtures of the training tests: a small trace directory in `train.trace`'s format and a
dataset prepared from it by our own pipeline, with a tiny model shape to train on CPU."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from train.config import train_config
from train.prepare import prepare

TINY_MODEL = [
    "train.model.hidden_size=32", "train.model.intermediate_size=64", "train.model.num_layers=2",
    "train.model.num_heads=2", "train.model.num_kv_heads=2", "train.model.max_seq_len=64",
    "train.tokenizer.vocab_size=300", "train.batch.seq_len=64", "train.batch.micro_batch=2",
    "train.batch.global_batch=8", "train.optim.lr=1e-2", "train.optim.warmup_steps=2",
    "train.optim.decay_steps=40", "train.log.every=1", "train.eval.every=0",
]


def write_traces(root: Path, files: int = 12, per_file: int = 40) -> Path:
    """Trace records as `train.trace` writes them: arithmetic goals and their tactics."""
    for f in range(files):
        path = root / "steps" / "theories" / f"F{f}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w") as fh:
            for k in range(per_file):
                goal = f"1 goal\n\n  n : nat\n  ============================\n  n + {k} = {k} + n"
                tactic = ["lia.", "ring.", "rewrite Nat.add_comm; reflexivity."][k % 3]
                fh.write(json.dumps({"file": f"theories/F{f}.v", "theorem": f"t{f}_{k}", "line": k + 1, "step": 0,
                                     "goals_before": goal, "tactic": tactic, "goals_after": ""}) + "\n")
    return root


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory) -> list[str]:
    """Overrides that point the trainer at a tiny prepared dataset and a tiny model."""
    root = tmp_path_factory.mktemp("train")
    traces = write_traces(root / "traces")
    overrides = [f"run.root={root}", f"data.sources.coq_steps.path={traces}", "data.heldout.fraction=0.2",
                 *TINY_MODEL]
    prepare(train_config(overrides))
    return overrides
