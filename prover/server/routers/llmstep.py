"""llmstep's protocol: `POST /` with {"tactic_state", "prefix", "context"} answers
{"suggestions": [...]}, each suggestion a whole tactic starting with the prefix."""

from __future__ import annotations

from fastapi import APIRouter

from prover.server.deps import ServicesDep, SettingsDep, sample_count
from prover.server.schemas import LlmstepRequest, LlmstepResponse, error_responses

router = APIRouter(tags=["llmstep"], responses=error_responses(400, 401, 413, 422, 503, 504))


@router.post("/")
async def suggest(body: LlmstepRequest, settings: SettingsDep, services: ServicesDep) -> LlmstepResponse:
    n = sample_count(body.n, settings)
    candidates = await services.suggest(body.tactic_state, body.prefix, n, settings.server.request_timeout_s)
    return LlmstepResponse(suggestions=[c.tactic for c in candidates])
