"""Sharded checkpoints with `torch.distributed.checkpoint`: everything with state (model,
optimizer, scheduler, data position, step, RNG) is saved under `step-N/`, the newest `k`
are kept, and resuming is "load the newest complete step folder". The manager owns the
schedule: every `every` steps and always the final one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
import torch.distributed.checkpoint as dcp
from torch.distributed.checkpoint.state_dict import (
    StateDictOptions,
    get_model_state_dict,
    get_state_dict,
    set_state_dict,
)
from torch.distributed.checkpoint.stateful import Stateful

from train.data import BatchLoader

_STEP_DIR = re.compile(r"step-(\d+)$")


class TrainState(Stateful):
    """The whole training state as one Stateful for DCP."""

    def __init__(self, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
                 scheduler: torch.optim.lr_scheduler.LRScheduler, loader: BatchLoader, rank: int) -> None:
        self.model, self.optimizer, self.scheduler, self.loader, self.rank = model, optimizer, scheduler, loader, rank
        self.step = 0

    def state_dict(self) -> dict[str, Any]:
        model_sd, optim_sd = get_state_dict(self.model, self.optimizer)
        # each rank owns its RNG stream under its own key
        return {"model": model_sd, "optimizer": optim_sd, "scheduler": self.scheduler.state_dict(),
                "data": self.loader.state_dict(), "step": self.step,
                f"rng_rank{self.rank}": torch.get_rng_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        set_state_dict(self.model, self.optimizer, model_state_dict=state["model"], optim_state_dict=state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.loader.load_state_dict(state["data"])
        self.step = int(state["step"])
        torch.set_rng_state(state[f"rng_rank{self.rank}"])


def step_dirs(root: Path) -> list[tuple[int, Path]]:
    """Complete checkpoints under `root` (DCP writes `.metadata` last), oldest first."""
    found = []
    for path in root.glob("step-*") if root.exists() else ():
        match = _STEP_DIR.search(path.name)
        if match and (path / ".metadata").exists():
            found.append((int(match.group(1)), path))
    return sorted(found)


class CheckpointManager:
    def __init__(self, root: Path, every: int, last_step: int, keep_latest: int, rank: int) -> None:
        self.root, self.every, self.last_step = root, every, last_step
        self.keep_latest, self.rank = keep_latest, rank

    def due(self, step: int) -> bool:
        """Whether step `step` is saved: a multiple of `every`, or the last step."""
        return step % self.every == 0 or step == self.last_step

    def save(self, state: TrainState) -> Path:
        path = self.root / f"step-{state.step}"
        dcp.save({"train": state}, checkpoint_id=str(path))
        if dist.is_initialized():
            dist.barrier()
        if self.rank == 0:
            for _, old in step_dirs(self.root)[: -self.keep_latest]:
                shutil.rmtree(old, ignore_errors=True)
        return path

    def load_latest(self, state: TrainState) -> int | None:
        """Restore the newest checkpoint into `state`; its step, or None if there is none."""
        found = step_dirs(self.root)
        if not found:
            return None
        step, path = found[-1]
        dcp.load({"train": state}, checkpoint_id=str(path))
        return step


def full_model_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The unsharded model weights on CPU (every rank must call it; rank 0 gets them)."""
    return get_model_state_dict(model, options=StateDictOptions(full_state_dict=True, cpu_offload=True))
