"""Held-out perplexity of any Hugging Face causal LM on Coq proof steps (the files that
`train.prepare` holds out), per token and in bits per byte, so models with different
tokenisers compare fairly.

    python -m train.evaluate --model prover/models/default --traces outputs/traces/stdlib
    python -m train.evaluate --model DIR --traces outputs/traces/mathcomp-* outputs/traces/iris   # several libraries
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Iterable, Sequence

import torch
import torch.nn.functional as F
from transformers import AutoModelForCausalLM

from train.corpora import read_coq_traces
from train.packing import pack
from train.prepare import bytes_per_token, is_heldout
from train.tokenizer import load_tokenizer


@torch.no_grad()
def summed_loss(model: torch.nn.Module, batches: Iterable[torch.Tensor], device: torch.device | str) -> tuple[float, int]:
    """Summed next-token cross-entropy over packed rows, and the number of tokens scored."""
    # float64 on the device: the same sum as adding Python floats, with one device sync at the end
    loss_sum, tokens = torch.zeros((), dtype=torch.float64, device=device), 0
    for batch in batches:
        batch = batch.to(device)
        logits = model(input_ids=batch[:, :-1]).logits
        loss_sum += F.cross_entropy(logits.float().flatten(0, 1), batch[:, 1:].flatten(), reduction="sum").double()
        tokens += batch[:, 1:].numel()
    return float(loss_sum), tokens


@torch.no_grad()
def heldout_perplexity(model_dir: Path, traces: Path | Sequence[Path], fraction: float = 0.0, seq_len: int = 512,
                       max_rows: int = 200, batch: int = 8) -> dict[str, float]:
    """Over the held-out steps of one trace directory or several, `max_rows` packed rows
    spread evenly over them (every row when there are fewer)."""
    tokenizer = load_tokenizer(model_dir)
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32).eval()
    folders = [traces] if isinstance(traces, Path) else list(traces)
    docs = [d for folder in folders for d in read_coq_traces(folder) if is_heldout(d, fraction)]
    ids = tokenizer([d.text for d in docs], add_special_tokens=False, verbose=False)["input_ids"]
    rows = pack(ids, seq_len, tokenizer.eos_token_id)
    rows = rows[torch.linspace(0, len(rows) - 1, max_rows).long()] if len(rows) > max_rows else rows
    rows = rows.long()
    loss_sum, tokens = summed_loss(model, rows.split(batch), "cpu")
    loss = loss_sum / max(tokens, 1)
    return {"loss": loss, "perplexity": math.exp(loss), "bits_per_byte": loss / math.log(2) / bytes_per_token(docs, ids),
            "tokens": tokens, "documents": len(docs)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--traces", type=Path, nargs="+", default=[Path("outputs/traces/stdlib")])
    parser.add_argument("--fraction", type=float, default=0.0, help="extra held-out fraction of files by hash")
    parser.add_argument("--max-rows", type=int, default=200)
    args = parser.parse_args(argv)
    if not (args.model / "config.json").exists() or not all((t / "steps").is_dir() for t in args.traces):
        print("error: need a model directory with config.json and a trace directory with steps/", file=sys.stderr)
        return 2
    print(json.dumps(heldout_perplexity(args.model, args.traces, args.fraction, max_rows=args.max_rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
