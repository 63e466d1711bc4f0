"""`POST /premises`: premise selection. A goal and the Coq text before its theorem in; that
text's lemma and definition declarations and those of the libraries it imports, ranked for the
goal (prover.premises), out. The text is only parsed, never run (the libraries are read from
Coq's own load path by module name, never from a path the client gives), but passes the vernacular guard like every Coq context the server
takes."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from environments.vernac_guard import coq_vernacular_problem
from prover.premises import ranker_for
from prover.server.deps import ServicesDep, SettingsDep, sample_count
from prover.server.schemas import PremisesRequest, PremisesResponse, RankedPremise, error_responses

router = APIRouter(tags=["premises"], responses=error_responses(400, 401, 413, 422, 504))


@router.post("/premises")
async def premises(body: PremisesRequest, settings: SettingsDep, services: ServicesDep) -> PremisesResponse:
    k = sample_count(body.k, settings, "k")
    problem = coq_vernacular_problem(body.context)
    if problem:
        raise HTTPException(422, f"context rejected: {problem}")
    ranked = await services.workers.run(lambda: ranker_for(body.context).rank(body.goal, k),
                                        settings.server.request_timeout_s)
    return PremisesResponse(premises=[RankedPremise(name=p.name, statement=p.statement, score=s) for s, p in ranked])
