"""Entry point of the trainer, single process or under torchrun:

    torchrun --nproc_per_node 2 -m train.main train=tiny_cpu train/data@data=coq_steps [key=value ...]
    python -m train.main train.steps=100

Overrides are Hydra's (configs/train.yaml); the resolved config is saved in the run directory.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Sequence

from omegaconf import OmegaConf

from train.config import UsageError, config_from_argv
from train.token_store import INDEX
from train.trainer import run


def main(argv: Sequence[str] | None = None) -> int:
    try:
        cfg = config_from_argv(argv)
        if not (Path(cfg.data.out_dir) / "train" / INDEX).exists():
            raise UsageError(f"no prepared data in {cfg.data.out_dir} (run python -m train.prepare first)")
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out_dir = Path(cfg.run.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "config.yaml").write_text(OmegaConf.to_yaml(cfg))
    result = run(cfg)
    if os.environ.get("RANK", "0") == "0":
        print(json.dumps({"status": result.status, "step": result.step, "loss": result.last_loss,
                          "val_loss": result.val_loss,
                          "export": str(result.export_dir) if result.export_dir else None}))
    return 0 if result.status == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
