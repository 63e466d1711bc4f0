"""The trainer: builds model, optimizer, schedule, data and checkpoints from a config, then
`train()` loops { step, maybe log, maybe validate, maybe checkpoint } and exports a Hugging
Face checkpoint at the end. The model is built on the meta device, sharded, then
materialised (fresh or from a Hugging Face checkpoint, sharded). A non-finite loss or
gradient norm stops the run before anything is saved, so the newest checkpoint on disk
is the last good one; it is looked for on the device every step and read by the host only
at log and checkpoint steps."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import torch
import torch.distributed as dist
import torch.nn.functional as F
from omegaconf import DictConfig, OmegaConf
from transformers import LlamaForCausalLM

from train.checkpoint import CheckpointManager, TrainState, full_model_state
from train.data import BatchLoader, shard_rows
from train.evaluate import summed_loss
from train.guard import NonfiniteWatch
from train.metrics import MetricsLogger, ThroughputMeter, device_peak_flops
from train.model import build_model, model_shape
from train.parallelize import init_distributed, parallelize_llama
from train.token_store import TokenStore
from train.weights import materialize
from train.schedule import build_scheduler
from train.tokenizer import load_tokenizer


@dataclass(frozen=True)
class TrainResult:
    status: str  # "done" | "nonfinite"
    step: int  # optimizer steps completed (and kept)
    last_loss: float | None  # None when no step ran (resumed at the end)
    val_loss: float | None
    export_dir: Path | None


def _all_reduce(values: list[float], device: torch.device) -> list[float]:
    tensor = torch.tensor(values, dtype=torch.float64, device=device)
    if dist.is_initialized():
        dist.all_reduce(tensor)
    return tensor.tolist()


class Trainer:
    def __init__(self, cfg: DictConfig) -> None:
        self.cfg = cfg
        self.rank, self.world, self.device = init_distributed()
        torch.manual_seed(cfg.run.seed)
        data_dir = Path(cfg.data.out_dir)
        self.tokenizer = load_tokenizer(data_dir / "tokenizer")
        tcfg = cfg.train
        self.out_dir = Path(cfg.run.out_dir)
        model = build_model(tcfg.model, len(self.tokenizer), self.tokenizer.bos_token_id, self.tokenizer.eos_token_id,
                            self.tokenizer.pad_token_id, device="meta")
        self.shape = model_shape(model)
        self.model_config = model.config
        self.model = parallelize_llama(model, self.device, self.world, fsdp=tcfg.parallel.fsdp,
                                       activation_checkpointing=tcfg.parallel.activation_checkpointing,
                                       bf16=tcfg.parallel.bf16)
        materialize(self.model, self.device, tcfg.model.init_from, cfg.run.seed)
        opt = tcfg.optim
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=opt.lr, betas=tuple(opt.betas), eps=opt.eps,
                                           weight_decay=opt.weight_decay, foreach=True)
        self.scheduler = build_scheduler(self.optimizer, opt.warmup_steps, opt.decay_steps, opt.min_lr_ratio)
        width = tcfg.batch.seq_len + 1
        self.loader = BatchLoader(TokenStore(data_dir / "train", width), tcfg.batch.global_batch,
                                  tcfg.batch.micro_batch, self.rank, self.world, cfg.run.seed)
        self.val_store = TokenStore(data_dir / "val", width)
        self.state = TrainState(self.model, self.optimizer, self.scheduler, self.loader, self.rank)
        self.checkpoints = CheckpointManager(self.out_dir / "checkpoints", tcfg.checkpoint.every, tcfg.steps,
                                             tcfg.checkpoint.keep_latest, self.rank)
        self.watch = NonfiniteWatch(self.device)
        self.logger = MetricsLogger(self.out_dir, self.rank == 0)
        self.meter = ThroughputMeter(self.shape.flops_per_token(tcfg.batch.seq_len), device_peak_flops(self.device))

    def train_step(self) -> tuple[torch.Tensor, torch.Tensor]:
        """One optimizer step over the global batch; (this rank's loss, gradient norm),
        both still on the device."""
        self.model.train()
        total = torch.zeros((), device=self.device)
        micro = self.loader.next()
        for index, (inputs, targets) in enumerate(micro):
            if hasattr(self.model, "set_requires_gradient_sync"):
                # FSDP2: reduce-scatter gradients once, after the last micro-batch
                self.model.set_requires_gradient_sync(index == len(micro) - 1)
            inputs, targets = inputs.to(self.device), targets.to(self.device)
            logits = self.model(input_ids=inputs).logits
            loss = F.cross_entropy(logits.float().flatten(0, 1), targets.flatten()) / len(micro)
            loss.backward()
            total += loss.detach()
            self.meter.add(inputs.numel())
        grad_norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.train.optim.grad_clip)
        if hasattr(grad_norm, "full_tensor"):
            grad_norm = grad_norm.full_tensor()
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        return total, grad_norm

    @torch.no_grad()
    def validate(self) -> float:
        """Mean held-out loss per token (perplexity = exp of it)."""
        self.model.eval()
        tcfg = self.cfg.train
        batches = shard_rows(self.val_store, self.rank, self.world, tcfg.batch.micro_batch, tcfg.eval.batches)
        loss_sum, tokens = summed_loss(self.model, batches, self.device)
        loss_sum, tokens = _all_reduce([loss_sum, tokens], self.device)
        return loss_sum / max(tokens, 1)

    def train(self) -> TrainResult:
        tcfg = self.cfg.train
        resumed = self.checkpoints.load_latest(self.state)
        if resumed is not None and self.rank == 0:
            print(f"resumed from step {resumed}", flush=True)
        loss: float | None = None
        val_loss: float | None = None
        while self.state.step < tcfg.steps:
            lr = self.scheduler.get_last_lr()[0]
            step = self.state.step + 1
            loss_t, grad_norm_t = self.train_step()
            self.watch.update(step, loss_t, grad_norm_t)
            logged = step % tcfg.log.every == 0 or step == tcfg.steps
            if logged or self.checkpoints.due(step):
                bad = self.watch.first_bad_step()
                if bad is not None:
                    self.logger.log(bad, {"stopped": "nonfinite loss or gradient norm"})
                    if self.rank == 0:
                        print(f"non-finite loss or gradient norm at step {bad}: stopping; last good checkpoint kept",
                              flush=True)
                    return TrainResult("nonfinite", bad - 1, loss, val_loss, None)
            self.state.step = step
            if logged:
                # the CPU waits for the device here, once per log step
                loss = _all_reduce([float(loss_t)], self.device)[0] / self.world
                values = {"loss": loss, "lr": lr, "grad_norm": float(grad_norm_t), **self.meter.read()}
                self.logger.log(step, values)
                if self.rank == 0:
                    print(json.dumps({"step": step, **{k: round(v, 6) for k, v in values.items()}}), flush=True)
            if tcfg.eval.every and (step % tcfg.eval.every == 0 or step == tcfg.steps):
                val_loss = self.validate()
                self.logger.log(step, {"val_loss": val_loss, "val_ppl": math.exp(val_loss)})
            if self.checkpoints.due(step):
                self.checkpoints.save(self.state)
        return TrainResult("done", self.state.step, loss, val_loss, self.export())

    def export(self) -> Path:
        """The trained model as a Hugging Face checkpoint (weights, config, tokenizer)."""
        export_dir = Path(self.cfg.run.export_dir)
        weights = full_model_state(self.model)
        if self.rank == 0:
            with torch.device("meta"):
                unwrapped = LlamaForCausalLM(self.model_config)
            # activation checkpointing wraps blocks: strip its prefix from the names
            weights = {k.replace("_checkpoint_wrapped_module.", ""): v for k, v in weights.items()}
            unwrapped.load_state_dict(weights, assign=True)
            unwrapped.tie_weights()  # assign= loads tied tensors as two copies
            dtype = getattr(torch, self.cfg.train.export_dtype)
            unwrapped.to(dtype).save_pretrained(export_dir)
            self.tokenizer.save_pretrained(export_dir)
            (export_dir / "train_config.yaml").write_text(OmegaConf.to_yaml(self.cfg))
        if dist.is_initialized():
            dist.barrier()
        return export_dir

    def close(self) -> None:
        self.logger.close()
        if dist.is_initialized():
            # every rank done before any tears down: a gloo peer whose socket closes under it aborts
            dist.barrier()
            dist.destroy_process_group()


def run(cfg: DictConfig | Mapping[str, Any]) -> TrainResult:
    """Train as configured (the plain function behind `python -m train.main`)."""
    cfg = cfg if isinstance(cfg, DictConfig) else OmegaConf.create(cfg)
    trainer = Trainer(cfg)
    try:
        return trainer.train()
    finally:
        trainer.close()
