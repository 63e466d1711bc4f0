"""The miniF2F runner: problems in, one checked record per problem out.

`run_benchmark(cfg)` loads the split, drops the problems already recorded in the results
directory (a killed run continues where it stopped), hands the rest to a backend (local
threads here, Ray workers in `benchmarks.ray_backend`) and appends each record as its
problem ends. A worker is a solver: one prover process and the policy, attacking one
problem at a time by best-first search (`f2f`, `auto`) or Draft-Sketch-Prove (`i2f`).
A problem counts as proved only with a proof the checker re-compiled in a fresh process.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import Future, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from benchmarks.manifest import begin_run, end_run
from benchmarks.problems import load_problems, problem_name
from benchmarks.results import ResultStore, read_records
from configs import env_options
from environments import Environment, Theorem, Verdict, make_environment
from environments.theorem_files import render_proof
from search.batching import BatchingPolicy
from search.best_first import SearchConfig, SearchResult, best_first_search
from search.pool import GRACE_S, WorkerPool


def base_record(theorem: Theorem, status: str, **fields: Any) -> dict[str, Any]:
    """A record with every field the report reads, so all modes write the same shape."""
    record: dict[str, Any] = {
        "name": problem_name(theorem), "system": theorem.system, "status": status, "proof": None, "source": None,
        "time_s": 0.0, "expansions": 0, "tokens": 0, "error_kinds": {}, "attempts": 0, "message": "",
    }
    record.update(fields)
    return record


def proved_fields(system: str, tactics: Sequence[str], verdict: Verdict) -> dict[str, Any]:
    return {"proof": render_proof(system, tactics), "source": verdict.source, "axioms": list(verdict.axioms)}


class SearchSolver:
    """Best-first search, `attempts` times, until one attempt yields a checked proof."""

    def __init__(self, env: Environment, policy: Any, config: SearchConfig, attempts: int = 1) -> None:
        self.env, self.policy, self.config, self.attempts = env, policy, config, attempts

    def solve(self, theorem: Theorem) -> dict[str, Any]:
        start = time.perf_counter()
        kinds: Counter[str] = Counter()
        totals: Counter[str] = Counter()
        last: SearchResult | None = None
        for attempt in range(1, self.attempts + 1):
            last = best_first_search(self.env, self.policy, theorem, self.config)
            kinds.update(last.error_kinds)
            totals.update(expansions=last.expansions, tokens=last.tokens, nodes=last.nodes)
            stats = dict(totals, error_kinds=dict(kinds), attempts=attempt, message=last.message,
                         policy_s=round(last.policy_s, 3), prover_s=round(last.prover_s, 3))
            if last.status == "skipped":
                return base_record(theorem, "skipped", time_s=round(time.perf_counter() - start, 3), **stats)
            if last.status == "proved":  # the search reports a proof only with the checker's verdict
                return base_record(theorem, "proved", time_s=round(time.perf_counter() - start, 3),
                                   **stats, **proved_fields(theorem.system, last.proof, last.verdict))
        status = "error" if last is not None and last.status == "error" else "failed"
        return base_record(theorem, status, time_s=round(time.perf_counter() - start, 3), **stats)


def search_config(cfg: DictConfig) -> SearchConfig:
    return SearchConfig(**OmegaConf.to_container(cfg.search, resolve=True))


def make_env(cfg: DictConfig) -> Environment:
    name, options = env_options(cfg.env)
    return make_environment(name, **options)


def build_worker_policy(cfg: DictConfig) -> Any:
    """What a worker generates with: a tactic policy (f2f, auto) or a sketch writer (i2f)."""
    if cfg.benchmark.mode == "i2f":
        from prover.dsp.writers import build_sketch_writer

        return build_sketch_writer(cfg.model, cfg.benchmark.dsp)
    from prover.policies import build_policy

    if cfg.benchmark.mode == "auto":  # no model: the automation tactics alone, in their order
        return build_policy({"policy": "fixed", "automation": {"tactics": automation_tactics(cfg), "prior": 1.0}})
    return build_policy(cfg.model)


def automation_tactics(cfg: DictConfig) -> Any:
    """The `auto` mode's tactics: benchmark.automation, else the model group's automation
    tactics (auto is then exactly the f2f run without the model), else the defaults."""
    from prover.policies.automation import DEFAULT_TACTICS

    chosen = cfg.benchmark.automation or (cfg.model.get("automation") or {}).get("tactics")
    return OmegaConf.to_container(chosen, resolve=True) if chosen else dict(DEFAULT_TACTICS)


class DspSolver:
    """Draft-Sketch-Prove (`prover.dsp`) on one problem, as a record."""

    def __init__(self, env: Environment, writer: Any, cfg: DictConfig) -> None:
        from prover.dsp.examples import examples_for
        from prover.dsp.holes import HoleCloser
        from prover.dsp.pipeline import DraftSketchProve

        bench, dsp = cfg.benchmark, cfg.benchmark.dsp
        closer = HoleCloser(env, float(dsp.hole_timeout_s), bool(dsp.hammer))
        self.dsp = DraftSketchProve(env, writer, examples_for(bench)[: int(dsp.shots)], int(bench.attempts),
                                    closer, bool(dsp.skeleton), float(cfg.search.wall_time_s))

    def solve(self, theorem: Theorem) -> dict[str, Any]:
        result = self.dsp.prove(theorem)
        fields = dict(time_s=round(result.time_s, 3), message=result.message, expansions=result.sketches,
                      attempts=result.sketches, tokens=result.tokens, error_kinds=result.error_kinds,
                      sketch_origin=result.origin or None, holes=result.holes,
                      drafts=[d[:500] for d in result.drafts])
        if result.status == "proved":
            fields.update(proved_fields(theorem.system, result.tactics, result.verdict))
        return base_record(theorem, result.status, **fields)


def submit_problem(pool: WorkerPool, cfg: DictConfig, policy: Any, theorem: Theorem) -> Future[dict[str, Any]]:
    """The record of `theorem`, solved on one of the pool's provers by the configured
    mode's solver; an attempt that raises, or holds its prover past every attempt's wall
    time, is an "error" record (and the prover is replaced)."""
    def solve(env: Environment) -> dict[str, Any]:
        if cfg.benchmark.mode == "i2f":
            return DspSolver(env, policy, cfg).solve(theorem)
        return SearchSolver(env, policy, search_config(cfg), attempts=int(cfg.benchmark.attempts)).solve(theorem)

    def failed(exc: Exception, seconds: float) -> dict[str, Any]:
        return base_record(theorem, "error", message=f"{type(exc).__name__}: {exc}", time_s=round(seconds, 3))

    deadline = float(cfg.search.wall_time_s) * max(1, int(cfg.benchmark.attempts)) + GRACE_S
    return pool.submit(solve, key=theorem.context, deadline_s=deadline, on_error=failed)


def run_locally(cfg: DictConfig, theorems: Sequence[Theorem]) -> Iterator[dict[str, Any]]:
    """The local backend: worker threads in this process, one prover each, one policy shared
    by all (its calls merged into batches when there is more than one worker)."""
    if not theorems:
        return
    workers = max(1, int(cfg.benchmark.workers))
    policy = build_worker_policy(cfg)
    if workers > 1 and cfg.benchmark.mode != "i2f":
        policy = BatchingPolicy(policy, max_batch=workers)
    with WorkerPool(lambda: make_env(cfg), workers, "minif2f") as pool:
        for future in as_completed([submit_problem(pool, cfg, policy, t) for t in theorems]):
            yield future.result()


def make_backend(cfg: DictConfig) -> Callable[[Sequence[Theorem]], Iterator[dict[str, Any]]]:
    """What runs the problems and yields their records: `run_locally`, or Ray's workers."""
    if cfg.benchmark.backend == "local":
        return lambda theorems: run_locally(cfg, theorems)
    if cfg.benchmark.backend == "ray":
        from benchmarks.ray_backend import RayBackend

        return RayBackend(cfg).run
    raise ValueError(f"benchmark.backend must be local or ray, not {cfg.benchmark.backend!r}")


@dataclass
class Tally:
    """The running counts the progress bar shows."""

    total: int
    proved: int = 0
    tried: int = 0

    def add(self, record: dict[str, Any]) -> None:
        self.tried += 1
        self.proved += record["status"] == "proved"

    def postfix(self) -> dict[str, str]:
        rate = 100.0 * self.proved / self.tried if self.tried else 0.0
        return {"solved": str(self.proved), "tried": str(self.tried), "remaining": str(self.total - self.tried),
                "pass": f"{rate:.1f}%"}


def run_benchmark(cfg: DictConfig, argv: Sequence[str] = ()) -> Path:
    """Run (or continue) the benchmark described by the composed `minif2f` config;
    returns the results directory."""
    out = Path(cfg.benchmark.out).resolve()
    store = ResultStore(out)
    problems = load_problems(cfg)
    names = {problem_name(p) for p in problems}
    manifest = begin_run(out, cfg, sorted(names), argv)
    done = store.done()
    tally = Tally(total=len(problems))
    for record in read_records(out):
        if record["name"] in names:
            tally.add(record)
    # same-context problems in a row: a prover loads a shared context (imports) once
    pending = sorted((p for p in problems if problem_name(p) not in done), key=lambda t: (t.context, problem_name(t)))
    bar = tqdm(total=len(problems), initial=tally.tried, desc=f"minif2f {cfg.benchmark.mode}",
               disable=not cfg.benchmark.progress, dynamic_ncols=True)
    bar.set_postfix(tally.postfix())
    try:
        for record in make_backend(cfg)(pending):
            store.append(record)
            tally.add(record)
            bar.set_postfix(tally.postfix(), refresh=False)
            bar.update(1)
    finally:
        bar.close()
    end_run(out, manifest)
    return out
