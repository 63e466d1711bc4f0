"""LeanCopilot's external-model protocol: `POST /generate` {"name", "input", "prefix"} answers
{"outputs": [{"output", "score"}]} (score = the tactic's log-probability), and
`POST /encode` {"name", "input"} answers {"outputs": [floats]}. Any model name is served by
the one model this server loaded."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from prover.server.deps import ServicesDep, SettingsDep, sample_count
from prover.server.schemas import (EncodeRequest, EncodeResponse, GenerateRequest, GenerateResponse, Generation,
                                   error_responses)

router = APIRouter(tags=["LeanCopilot"], responses=error_responses(400, 401, 413, 422, 503, 504))


@router.post("/generate")
async def generate(body: GenerateRequest, settings: SettingsDep, services: ServicesDep) -> GenerateResponse:
    n = sample_count(body.n, settings)
    candidates = await services.suggest(body.input, body.prefix, n, settings.server.request_timeout_s)
    return GenerateResponse(outputs=[Generation(output=c.tactic, score=c.logprob) for c in candidates])


@router.post("/encode")
async def encode(body: EncodeRequest, settings: SettingsDep, services: ServicesDep) -> EncodeResponse:
    encoder = services.encoder
    if encoder is None:
        raise HTTPException(503, "this server has no encoder (the model has no weights, or server.encoder=false)")
    vector = await services.workers.run(lambda: encoder.encode(body.input), settings.server.request_timeout_s)
    return EncodeResponse(outputs=vector)
