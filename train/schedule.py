"""The learning-rate schedule of Llemma: linear warmup, then cosine decay to a floor
(1/30 of the peak), constant at the floor after the decay ends."""

from __future__ import annotations

import math

import torch
from torch.optim.lr_scheduler import LambdaLR


def lr_factor(step: int, warmup_steps: int, decay_steps: int, min_ratio: float) -> float:
    """The multiplier of the peak learning rate at optimizer step `step` (0-based)."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, decay_steps - warmup_steps))
    return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))


def build_scheduler(optimizer: torch.optim.Optimizer, warmup_steps: int, decay_steps: int,
                    min_ratio: float) -> LambdaLR:
    return LambdaLR(optimizer, lambda step: lr_factor(step, warmup_steps, decay_steps, min_ratio))
