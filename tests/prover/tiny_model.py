"""A tiny random-weight Llama with a BPE tokeniser trained on proofstep text, built with our
training code (train.tokenizer, train.model): a real model for policy tests, made in
seconds, no download."""

from __future__ import annotations

from pathlib import Path

from prover.prompts import get_format
from train.model import build_model
from train.tokenizer import train_bpe

CORPUS_GOALS = ("n : nat\n============================\n0 + n = n", "P Q : Prop\nH : P /\\ Q\n============================\nQ /\\ P",
                "x : R\n============================\n(x + 1 > x)%R", "l : list nat\n============================\nl ++ [] = l")
CORPUS_TACTICS = ("intros.", "lia.", "destruct H as [HP HQ].", "split.", "lra.", "simpl.", "apply app_nil_r.", "auto.")


def save_tiny_llama(out: Path, layers: int = 2, hidden: int = 64, context: int = 512) -> Path:
    """Write config.json, model.safetensors and the tokenizer files into `out`."""
    fmt = get_format("proofstep")
    tokenizer = train_bpe([fmt.example(g, t) for g in CORPUS_GOALS for t in CORPUS_TACTICS] * 3,
                          vocab_size=300, model_max_length=context)
    # two heads of 32: vLLM's CPU attention kernels support only some head sizes
    shape = {"hidden_size": hidden, "intermediate_size": 2 * hidden, "num_layers": layers, "num_heads": hidden // 32,
             "max_seq_len": context}
    model = build_model(shape, len(tokenizer), tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
