"""Training metrics: tokens/s, MFU (from the model's FLOPs per token and the device's
peak), and the logs: JSONL always, TensorBoard too, written by rank 0 only."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import torch

# peak dense bf16 FLOP/s per device (vendor datasheets)
PEAK_FLOPS: dict[str, float] = {
    "H200": 989e12,
    "H100 SXM": 989e12,
    "H100 PCIe": 756e12,
    "H100": 989e12,
    "A100": 312e12,
    "A10G": 125e12,
    "L4": 121e12,
    "L40S": 362e12,
}


def device_peak_flops(device: torch.device) -> float | None:
    """The peak bf16 FLOP/s of `device`, or None when unknown (CPU)."""
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    for key in sorted(PEAK_FLOPS, key=len, reverse=True):
        if key.replace(" ", "").lower() in name.replace(" ", "").lower():
            return PEAK_FLOPS[key]
    return None


class ThroughputMeter:
    """Tokens per second per device and MFU over the steps since the last `read()`."""

    def __init__(self, flops_per_token: float, peak_flops: float | None) -> None:
        self.flops_per_token, self.peak_flops = flops_per_token, peak_flops
        self.tokens, self.since = 0, time.perf_counter()

    def add(self, tokens: int) -> None:
        self.tokens += tokens

    def read(self) -> dict[str, float]:
        now = time.perf_counter()
        tps = self.tokens / max(now - self.since, 1e-9)
        self.tokens, self.since = 0, now
        out = {"tokens_per_s": tps, "tflops": tps * self.flops_per_token / 1e12}
        if self.peak_flops:
            out["mfu"] = tps * self.flops_per_token / self.peak_flops
        return out


class MetricsLogger:
    """`metrics.jsonl` and TensorBoard events under `out_dir` (rank 0; others are silent)."""

    def __init__(self, out_dir: Path, enabled: bool) -> None:
        self.enabled = enabled
        self._writer = None
        if enabled:
            from torch.utils.tensorboard import SummaryWriter

            out_dir.mkdir(parents=True, exist_ok=True)
            self._jsonl = (out_dir / "metrics.jsonl").open("a")
            self._writer = SummaryWriter(str(out_dir / "tensorboard"))

    def log(self, step: int, values: dict[str, Any]) -> None:
        if not self.enabled:
            return
        self._jsonl.write(json.dumps({"step": step, **values}) + "\n")
        self._jsonl.flush()
        for key, value in values.items():
            if isinstance(value, (int, float)):
                self._writer.add_scalar(key, value, step)

    def close(self) -> None:
        if self.enabled:
            self._jsonl.close()
            self._writer.close()
