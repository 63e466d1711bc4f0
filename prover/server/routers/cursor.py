"""`POST /suggest/coq`: a Coq file's text and a cursor inside a proof in; the goals there, the
policy's suggestions each already run against them (closes / leaves N goals / fails) and, with
`"prove": true`, a checked proof of the rest out. For editors (prover/editor/emacs)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from prover.cursor import BadPosition
from prover.server.at_cursor import Refused, cursor_of, suggest_at
from prover.server.deps import ServicesDep, SettingsDep, sample_count
from prover.server.routers.prove import SEARCH_GRACE_S, on_prover
from prover.server.schemas import CoqSuggestRequest, CoqSuggestResponse, error_responses

router = APIRouter(tags=["editor"], responses=error_responses(400, 401, 413, 422, 503, 504))


@router.post("/suggest/coq")
async def suggest_coq(body: CoqSuggestRequest, settings: SettingsDep, services: ServicesDep) -> CoqSuggestResponse:
    prover = services.prover
    if prover is None or prover.system != "coq":
        raise HTTPException(503, "no Coq environment configured: start the server with env=coq")
    n = sample_count(body.n, settings)
    budget = body.budget if body.prove else None
    timeout_s = (settings.server.request_timeout_s if budget is None
                 else prover.config(budget).wall_time_s + SEARCH_GRACE_S)
    try:
        cursor = cursor_of(body)
        return await on_prover(services, lambda: suggest_at(prover, cursor, n, timeout_s, budget), timeout_s, n)
    except (BadPosition, Refused) as exc:
        raise HTTPException(422, str(exc)) from None
