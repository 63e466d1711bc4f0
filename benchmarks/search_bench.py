"""Search benchmarks (scripts, not tests), on the holes of a theorem file (by default the 20
lemmas of prover/examples/easy.v) or on miniF2F-rocq problems (--minif2f DIR), with the
`prove` configuration:

    python -m benchmarks.search_bench overhead    [--file F] [--model DIR] [key=value ...]
    python -m benchmarks.search_bench concurrency [--workers 8] ...
    python -m benchmarks.search_bench batching    [--states 8] [--repeats 3] ...

overhead:    time in our own code as a share of wall time (goal <= 2 %)
concurrency: throughput of N concurrent searches against one at a time, same budget (goal >= 2x)
batching:    sampling tokens/s for N states in one call against one state per call (goal >= 2x)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Sequence

from omegaconf import DictConfig, OmegaConf

from benchmarks.minif2f.rocq import load_rocq
from benchmarks.runner import make_env, search_config
from configs import compose_config
from environments import Theorem
from environments.theorem_files import find_holes
from prover.policies import build_policy, resolve_model_path
from search import BatchingPolicy, SearchResult, search_many

EASY = Path(__file__).resolve().parents[1] / "prover" / "examples" / "easy.v"


def setup(args: argparse.Namespace) -> tuple[DictConfig, list[Theorem]]:
    overrides = list(args.overrides)
    if args.model:
        overrides.append(f"model.path={resolve_model_path(args.model)}")
    cfg = compose_config("prove", overrides)
    if args.minif2f:
        return cfg, load_rocq(Path(args.minif2f).resolve())[: args.limit]
    return cfg, [hole.theorem for hole in find_holes(Path(args.file).resolve())][: args.limit]


def run(cfg: DictConfig, theorems: list[Theorem], workers: int) -> tuple[list[SearchResult], float, dict]:
    """All searches with `workers` concurrent searches; results, wall seconds, batch stats."""
    policy = BatchingPolicy(build_policy(cfg.model), max_batch=workers)
    start = time.perf_counter()
    results = list(search_many(theorems, lambda: make_env(cfg), policy, search_config(cfg), workers=workers))
    return results, time.perf_counter() - start, policy.stats()


def summary(label: str, results: list[SearchResult], wall: float) -> None:
    proved = sum(r.status == "proved" for r in results)
    expansions = sum(r.expansions for r in results)
    print(f"{label}: {len(results)} theorems, {proved} proved, {expansions} expansions, wall {wall:.1f} s, "
          f"{len(results) / wall:.3f} theorems/s, {expansions / wall:.2f} expansions/s")


def overhead(args: argparse.Namespace) -> None:
    cfg, theorems = setup(args)
    workers = args.workers or int(cfg.workers)
    results, wall, _ = run(cfg, theorems, workers)
    summary(f"workers={workers}", results, wall)
    totals = {k: sum(getattr(r, k) for r in results) for k in ("wall_s", "policy_s", "prover_s", "search_s")}
    for key in ("policy_s", "prover_s", "search_s"):
        print(f"  {key[:-2]:7s} {totals[key]:8.2f} s  {100 * totals[key] / totals['wall_s']:6.2f} % of search wall time")
    share = totals["search_s"] / totals["wall_s"]
    print(f"search overhead: {100 * share:.3f} % of wall time (goal <= 2 %): {'PASS' if share <= 0.02 else 'MISS'}")


def concurrency(args: argparse.Namespace) -> None:
    cfg, theorems = setup(args)
    workers = args.workers or 8
    sequential, seq_wall, _ = run(cfg, theorems, 1)
    summary("sequential (1 worker)", sequential, seq_wall)
    concurrent, con_wall, stats = run(cfg, theorems, workers)
    summary(f"concurrent ({workers} workers)", concurrent, con_wall)
    print(f"  policy batches: mean {stats.get('mean_batch', 0):.2f} states, max {stats.get('max_batch', 0)}")
    ratio = seq_wall / con_wall
    print(f"throughput ratio {workers} concurrent / sequential: {ratio:.2f}x (goal >= 2x): "
          f"{'PASS' if ratio >= 2 else 'MISS'}")


def batching(args: argparse.Namespace) -> None:
    cfg, theorems = setup(args)
    with make_env(cfg) as env:
        states = [env.open(t) for t in theorems[: args.states]]
    # the bare HF policy whatever model.policy says: automation would answer without sampling
    policy = build_policy({**OmegaConf.to_container(cfg.model, resolve=True), "policy": "hf", "automation": None})
    k = args.samples or int(cfg.search.samples_per_expansion)
    policy.propose(states[:1], k)  # warm-up

    def tokens_per_s(calls: Sequence[list]) -> float:
        rates = []
        for _ in range(args.repeats):
            before, start = policy.tokens_generated, time.perf_counter()
            for batch in calls:
                policy.propose(batch, k)
            rates.append((policy.tokens_generated - before) / (time.perf_counter() - start))
        return statistics.median(rates)

    one_by_one = tokens_per_s([[s] for s in states])
    batched = tokens_per_s([states])
    print(f"{len(states)} states x {k} samples, max_new_tokens {policy.sampling.max_new_tokens}, device {policy.device}")
    print(f"  one state per call : {one_by_one:9.1f} tokens/s")
    print(f"  {len(states)} states per call  : {batched:9.1f} tokens/s")
    ratio = batched / one_by_one
    print(f"batched / one at a time: {ratio:.2f}x (goal >= 2x): {'PASS' if ratio >= 2 else 'MISS'}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="search_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("overhead", "concurrency", "batching"))
    parser.add_argument("overrides", nargs="*", help="Hydra overrides of configs/prove.yaml")
    parser.add_argument("--file", default=str(EASY), help="theorem file whose holes are the workload")
    parser.add_argument("--minif2f", metavar="SPLIT_DIR", help="the workload: miniF2F-rocq problems from SPLIT_DIR instead")
    parser.add_argument("--limit", type=int, default=20, help="theorems at most (default 20)")
    parser.add_argument("--model", help="model directory (default: the model config's path)")
    parser.add_argument("--workers", type=int, help="concurrent searches (overhead: the config's, concurrency: 8)")
    parser.add_argument("--states", type=int, default=8, help="states per batched call (batching)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repetitions (batching)")
    parser.add_argument("--samples", type=int, help="samples per state (batching; default: search.samples_per_expansion)")
    args = parser.parse_intermixed_args(argv)
    {"overhead": overhead, "concurrency": concurrency, "batching": batching}[args.command](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
