"""Problems spread over Ray workers: one actor per worker builds the policy once (on its
GPU when it asks for one) and its own prover, then solves the problems it is handed;
records come back to the driver as they finish, which stores them.

Each actor solves on the same one-prover `search.pool.WorkerPool` and `runner.submit_problem`
the local backend runs, so both backends give the same records for a deterministic policy.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

import ray
from omegaconf import DictConfig, OmegaConf
from ray.util import ActorPool

from benchmarks.runner import build_worker_policy, make_env, submit_problem
from environments import Theorem
from search.pool import WorkerPool


@ray.remote
class SolverActor:
    """One benchmark worker: the policy, loaded once, and one prover."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.cfg = OmegaConf.create(cfg)
        self.policy = build_worker_policy(self.cfg)
        self.pool = WorkerPool(lambda: make_env(self.cfg), 1, "ray-solver")

    def solve(self, theorem: Theorem) -> dict[str, Any]:
        return submit_problem(self.pool, self.cfg, self.policy, theorem).result()

    def close(self) -> None:
        self.pool.close()


class RayBackend:
    """`benchmark.workers` Ray actors; joins the cluster at `benchmark.ray.address`, or
    starts a local Ray instance (and stops it again) when none is running."""

    def __init__(self, cfg: DictConfig) -> None:
        self.cfg = cfg
        self.workers = max(1, int(cfg.benchmark.workers))

    def _connect(self) -> bool:
        """Connect to Ray; True when this backend started the instance it must stop."""
        if ray.is_initialized():
            return False
        ray_cfg = self.cfg.benchmark.ray
        if ray_cfg.address:
            ray.init(address=ray_cfg.address)
        else:
            ray.init(num_cpus=ray_cfg.num_cpus or self.workers, include_dashboard=False)
        return True

    def run(self, theorems: Sequence[Theorem]) -> Iterator[dict[str, Any]]:
        if not theorems:
            return
        started = self._connect()
        cfg = OmegaConf.to_container(self.cfg, resolve=True)
        gpus = float(self.cfg.benchmark.ray.gpus_per_worker)
        actors = [SolverActor.options(num_cpus=1, num_gpus=gpus).remote(cfg) for _ in range(self.workers)]
        try:
            yield from ActorPool(actors).map_unordered(lambda actor, t: actor.solve.remote(t), list(theorems))
        finally:
            ray.get([actor.close.remote() for actor in actors])
            for actor in actors:
                ray.kill(actor)
            if started:
                ray.shutdown()
