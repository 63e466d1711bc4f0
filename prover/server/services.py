"""What the app loads once in its lifespan and every request shares: the batched policy
(and the editor suggestions it gives), the encoder, the /prove runner, the request
statistics and the worker threads that run blocking calls."""

from __future__ import annotations

from dataclasses import dataclass

from environments.base import ProofState, Theorem
from prover.policies import build_policy, resolve_model_path
from prover.server.encoder import Encoder
from prover.server.metrics import RequestStats
from prover.server.proving import Prover
from prover.server.settings import Settings
from prover.server.workers import Workers
from search.batching import BatchingPolicy
from search.policy import Candidate

# llmstep and LeanCopilot are Lean tools: their goal is a Lean goal (which picks the policy's
# Lean prompt format and automation), and it belongs to no theorem file
_EDITOR = Theorem(name="editor", system="lean", statement="")


@dataclass
class Services:
    policy: BatchingPolicy
    encoder: Encoder | None  # None when the policy has no weights (fixed tactics) or it is switched off
    prover: Prover | None  # None when no environment is configured
    requests: RequestStats
    workers: Workers

    async def suggest(self, goals: str, prefix: str, n: int, timeout_s: float) -> list[Candidate]:
        """Up to `n` distinct candidates for an editor's `goals`, best first, each the policy's
        continuation of `prefix`, sampled in a worker thread (concurrent requests meet in the
        BatchingPolicy) within `timeout_s`."""
        state = ProofState(goals=goals, theorem=_EDITOR)
        return await self.workers.run(lambda: self.policy.propose([state], n, [prefix])[0][:n], timeout_s, n)

    def close(self) -> None:
        """Stop the /prove provers (after the worker threads drained)."""
        if self.prover is not None:
            self.prover.pool.close()


def load_services(settings: Settings) -> Services:
    """Build the policy from the `model` group and everything that depends on it (blocking)."""
    server = settings.server
    policy = BatchingPolicy(build_policy(settings.model),
                            max_batch=server.max_batch, max_wait_s=server.max_wait_s)
    has_weights = settings.model.get("policy") != "fixed" and settings.model.get("path")
    encoder = Encoder(resolve_model_path(settings.model["path"])) if server.encoder and has_weights else None
    prover = (Prover(policy, settings.env, settings.search, server.prove, server.max_samples)
              if settings.env else None)
    return Services(policy, encoder, prover, RequestStats(), Workers(server.max_queued_samples))
