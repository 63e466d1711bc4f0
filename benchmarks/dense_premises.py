"""Does a dense premise retriever pay? ReProver's recipe at our scale, measured beside BM25 on
the held-out steps of `benchmarks.premise_recall`:

    python -m benchmarks.dense_premises [--model prover/models/default] [--pairs 20000] [--train-steps 300]

The encoder is a language model of ours (`AutoModel`, mean-pooled last hidden states, L2
normalised). It is trained, as ReProver's retriever is, contrastively with in-batch negatives
on (goals, premise) pairs: the traced steps of the non-held-out files whose tactic names a
premise visible to them (the premise `name : statement` is the positive). The table gives
recall@k of BM25 (the prover's ranking), of the untrained encoder, of the trained one and of
the trained one fused with BM25 by reciprocal rank, on the same held-out steps.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Sequence

import torch
from tqdm import tqdm
from transformers import AutoModel, AutoTokenizer

from benchmarks.premise_recall import Method, heldout_steps, measure, named, print_table, visible, with_imports
from environments.coq_modules import coq_root, logical_name
from prover.premises import FilePremises, Premise, PremiseRanker
from prover.retrieval import rank_fusion
from train.splits import heldout_files
from train.trace import read_steps

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "prover" / "models" / "default"


class DenseEncoder:
    """Mean-pooled, normalised hidden states of a model; premise vectors kept once computed."""

    def __init__(self, path: Path, max_tokens: int = 256) -> None:
        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        self.model = AutoModel.from_pretrained(str(path))
        self.max_tokens = max_tokens
        self.cache: dict[str, torch.Tensor] = {}

    def embed(self, texts: Sequence[str]) -> torch.Tensor:
        batch = self.tokenizer(list(texts), return_tensors="pt", padding=True, truncation=True,
                               max_length=self.max_tokens)
        hidden = self.model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0), dim=-1)

    @torch.inference_mode()
    def vectors(self, texts: Sequence[str], batch: int = 128) -> torch.Tensor:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        for i in range(0, len(missing), batch):
            for text, vector in zip(missing[i:i + batch], self.embed(missing[i:i + batch])):
                self.cache[text] = vector
        return torch.stack([self.cache[t] for t in texts])

    def method(self) -> Method:
        def rank(ranker: PremiseRanker, goals: str, k: int) -> list[str]:
            candidates = visible(ranker)
            scores = self.vectors([text_of(p) for p in candidates]) @ self.vectors([goals])[0]
            with torch.inference_mode():
                best = torch.topk(scores, min(k, len(candidates))).indices.tolist()
            self.cache.pop(goals, None)  # goals are not reused
            return [candidates[i].name for i in best]
        return rank


def text_of(premise: Premise) -> str:
    return f"{premise.name} : {premise.statement}"[:400]


def fused(*methods: Method) -> Method:
    """Reciprocal rank fusion of methods' rankings."""
    def rank(ranker: PremiseRanker, goals: str, k: int) -> list[str]:
        return [name for _, name in rank_fusion([method(ranker, goals, k) for method in methods])][:k]
    return rank


def training_pairs(traces: Path, count: int, seed: int = 0) -> list[tuple[str, str]]:
    """(goals, positive premise text) of non-held-out steps naming a visible premise."""
    held, root = heldout_files(), coq_root()
    pairs, file, premises = [], None, FilePremises("")
    for step in tqdm(list(read_steps(traces)), desc="pairs", unit="step", disable=not sys.stderr.isatty()):
        if step["file"] in held:
            continue
        if step["file"] != file:
            file = step["file"]
            premises = FilePremises((root / file).read_text(encoding="utf-8", errors="replace"),
                                    logical_name(root / file, root), frozenset(root / f for f in held))
        ranker = premises.ranker_at(step["line"], step["theorem"])
        names = named(step["tactic"])
        positive = next((p for p in visible(ranker) if p.name in names), None)
        if positive is not None:
            pairs.append((step["goals_before"][:1500], text_of(positive)))
    random.Random(seed).shuffle(pairs)
    return pairs[:count]


def train(encoder: DenseEncoder, pairs: list[tuple[str, str]], steps: int, batch: int = 32,
          lr: float = 3e-4, temperature: float = 0.05) -> list[float]:
    """InfoNCE over in-batch negatives; the losses of each step."""
    optimizer = torch.optim.AdamW(encoder.model.parameters(), lr=lr)
    encoder.model.train()
    losses = []
    for step in tqdm(range(steps), desc="train", disable=not sys.stderr.isatty()):
        chunk = [pairs[(step * batch + i) % len(pairs)] for i in range(batch)]
        goals, positives = encoder.embed([g for g, _ in chunk]), encoder.embed([p for _, p in chunk])
        loss = torch.nn.functional.cross_entropy(goals @ positives.T / temperature, torch.arange(len(chunk)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    encoder.model.eval()
    encoder.cache.clear()
    return losses


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="the encoder's starting model")
    parser.add_argument("--train-traces", type=Path, default=Path("outputs/traces/stdlib"), help="pairs' traces")
    parser.add_argument("--traces", type=Path, default=Path("outputs/traces"), help="held-out steps' traces")
    parser.add_argument("--pairs", type=int, default=20000)
    parser.add_argument("--train-steps", type=int, default=300)
    parser.add_argument("--steps", type=int, default=1000, help="held-out steps to measure on")
    parser.add_argument("-k", type=int, nargs="+", default=[1, 8, 32])
    args = parser.parse_args(argv)
    for option, path in (("--model", args.model), ("--train-traces", args.train_traces), ("--traces", args.traces)):
        if not path.is_dir():
            parser.exit(2, f"dense_premises: error: {option} {path}: no such directory\n")
    if min(args.pairs, args.train_steps, args.steps, *args.k) < 1:
        parser.exit(2, "dense_premises: error: --pairs, --train-steps, --steps and -k must be at least 1\n")
    torch.manual_seed(0)
    steps = heldout_steps(args.traces, args.steps)
    untrained, trained = DenseEncoder(args.model), DenseEncoder(args.model)
    start = time.perf_counter()
    pairs = training_pairs(args.train_traces, args.pairs)
    losses = train(trained, pairs, args.train_steps)
    print(f"{len(pairs)} pairs, {args.train_steps} steps of 32: loss {losses[0]:.3f} -> "
          f"{sum(losses[-20:]) / len(losses[-20:]):.3f} (last 20), {time.perf_counter() - start:.0f} s")
    methods = {"BM25, file + imports": with_imports, "dense, untrained": untrained.method(),
               "dense, trained": trained.method(), "BM25 + dense trained (RRF)": fused(with_imports, trained.method())}
    print_table(*measure(steps, methods, args.k), args.k)
    return 0


if __name__ == "__main__":
    sys.exit(main())
