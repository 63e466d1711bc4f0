"""The non-finite watch: every step's loss and gradient norm are checked on the device
(no host sync), the first bad step is remembered there, and the host asks only when it
must know, at log steps and before a checkpoint is written."""

from __future__ import annotations

import torch
import torch.distributed as dist

_NONE = torch.iinfo(torch.int64).max


class NonfiniteWatch:
    def __init__(self, device: torch.device) -> None:
        self.first_bad = torch.full((), _NONE, dtype=torch.int64, device=device)

    def update(self, step: int, *values: torch.Tensor) -> None:
        """Note `step` as bad if any of `values` is NaN or infinite (device ops only)."""
        finite = torch.stack([v.detach().float().reshape(()) for v in values]).isfinite().all()
        self.first_bad = torch.where(finite, self.first_bad, torch.minimum(self.first_bad, torch.tensor(step)))

    def first_bad_step(self) -> int | None:
        """The first step at which any rank saw a non-finite value, or None (the CPU
        waits for the device here; every rank must call it)."""
        bad = self.first_bad.clone()
        if dist.is_initialized():
            dist.all_reduce(bad, op=dist.ReduceOp.MIN)
        step = int(bad)
        return None if step == _NONE else step
