"""FSDP2 on 2 CPU ranks against one process, in training tokens/s (goal: at least 0.85×).

Both runs train the same model on the same prepared data with the same global batch for
the same number of steps, on the same cores: one process with 2 threads, then
`torchrun --nproc_per_node 2` with 1 thread per rank (gloo). Tokens/s is read from the
trainer's own log (per device × devices), skipping the first log interval.

    python benchmarks/fsdp_throughput.py [--steps 40] [key=value trainer overrides ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import mean
from typing import Sequence

REPO = Path(__file__).resolve().parents[1]


def tokens_per_s(run_dir: Path, world: int) -> float:
    """Training tokens/s of a run (all devices) from its metrics log, the first interval skipped."""
    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    rates = [r["tokens_per_s"] for r in records if "tokens_per_s" in r][1:]  # the first interval warms up
    return mean(rates) * world


def measure(overrides: Sequence[str], steps: int, world: int, out_root: Path) -> float:
    run_dir = out_root / f"world{world}"
    args = [*overrides, f"train.steps={steps}", "train.log.every=5", f"train.checkpoint.every={steps + 1}",
            "train.eval.every=0", f"run.out_dir={run_dir}"]
    if world == 1:
        argv = [sys.executable, "-m", "train.main", *args]
        env = {**os.environ, "OMP_NUM_THREADS": "2"}
    else:
        argv = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(world),
                "-m", "train.main", *args]
        env = {**os.environ, "OMP_NUM_THREADS": str(max(1, 2 // world))}
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"world {world} run failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return tokens_per_s(run_dir, world)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("overrides", nargs="*", help="trainer overrides (key=value), e.g. data.name=coq_steps")
    args = parser.parse_args(argv)
    if args.steps < 10 or any("=" not in o for o in args.overrides):
        print("error: --steps must be at least 10 and overrides must be key=value", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="fsdp-bench-") as tmp:
        single = measure(args.overrides, args.steps, 1, Path(tmp))
        fsdp = measure(args.overrides, args.steps, 2, Path(tmp))
    print(f"single process (2 threads): {single:9.1f} tokens/s")
    print(f"FSDP2, 2 ranks (gloo):      {fsdp:9.1f} tokens/s")
    print(f"ratio FSDP2 / single:       {fsdp / single:9.3f}  (goal >= 0.85)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
