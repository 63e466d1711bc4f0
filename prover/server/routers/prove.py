"""`POST /prove`: best-first search on a goal or theorem under a budget, in the environment
the server was started with (`env=coq`); a proof only when the checker accepted it."""

from __future__ import annotations

from typing import Callable, TypeVar

from fastapi import APIRouter, HTTPException

from environments import ProverError
from prover.server.deps import ServicesDep
from prover.server.proving import ProverBusy
from prover.server.schemas import ProveRequest, ProveResponse, error_responses
from prover.server.services import Services

T = TypeVar("T")

router = APIRouter(tags=["prove"], responses=error_responses(400, 401, 413, 422, 503, 504))

# time for opening the theorem and the final re-check, beyond the search's own wall budget
SEARCH_GRACE_S = 60.0


async def on_prover(services: Services, work: Callable[[], T], timeout_s: float, samples: int = 0) -> T:
    """`work()` (which uses the server's provers, and draws `samples` from the model outside
    a search) in a worker thread: busy search slots and a prover that cannot start are 503s."""
    try:
        return await services.workers.run(work, timeout_s, samples)
    except ProverBusy as exc:
        raise HTTPException(503, str(exc)) from None
    except ProverError as exc:
        raise HTTPException(503, f"prover unavailable: {exc}") from None


@router.post("/prove")
async def prove(body: ProveRequest, services: ServicesDep) -> ProveResponse:
    prover = services.prover
    if prover is None:
        raise HTTPException(503, "no environment configured: start the server with env=<name> (e.g. env=coq)")
    problem = prover.input_problem(body)
    if problem:
        raise HTTPException(422, f"context rejected: {problem}")
    budget_s = prover.config(body.budget).wall_time_s
    return await on_prover(services, lambda: prover.prove(body), budget_s + SEARCH_GRACE_S)
