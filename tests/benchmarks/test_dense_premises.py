"""benchmarks.dense_premises' contrastive training on a tiny real model: it separates the
positive premise of each goal from the others, which the untrained encoder does not."""

from __future__ import annotations

from pathlib import Path

import torch

from benchmarks.dense_premises import DenseEncoder, fused, train
from tests.prover.tiny_model import save_tiny_llama

PAIRS = [("n : nat\n============================\n0 + n = n", "plus_O_n : forall n:nat, 0 + n = n"),
         ("l : list nat\n============================\nl ++ [] = l", "app_nil_r : forall l, l ++ [] = l"),
         ("P Q : Prop\nH : P /\\ Q\n============================\nQ /\\ P", "and_comm : forall A B, A /\\ B <-> B /\\ A"),
         ("x : R\n============================\n(x + 1 > x)%R", "Rlt_plus_1 : forall r, r < r + 1")]


def positives_ranked_first(encoder: DenseEncoder) -> int:
    with torch.inference_mode():
        scores = encoder.embed([g for g, _ in PAIRS]) @ encoder.embed([p for _, p in PAIRS]).T
    return int((scores.argmax(dim=1) == torch.arange(len(PAIRS))).sum())


def test_training_lowers_the_loss_and_ranks_each_positive_first(tmp_path: Path) -> None:
    torch.manual_seed(0)
    encoder = DenseEncoder(save_tiny_llama(tmp_path / "model"))
    losses = train(encoder, PAIRS, steps=40, batch=4, lr=3e-3)
    assert sum(losses[-5:]) / 5 < 0.5 * losses[0]
    assert positives_ranked_first(encoder) == len(PAIRS)


def test_reciprocal_rank_fusion_puts_a_name_both_rank_high_first() -> None:
    first = lambda ranker, goals, k: ["a", "b", "c"][:k]  # noqa: E731
    second = lambda ranker, goals, k: ["b", "d", "e"][:k]  # noqa: E731
    assert fused(first, second)(None, "", 3) == ["b", "a", "d"]
