"""`GET /stats`: model-call batch sizes and latencies (BatchingPolicy), per-route request
latencies and the admitted sample-work (Workers.admission); `GET /health`: liveness, without
authentication."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from prover.server.deps import ServicesDep, SettingsDep

router = APIRouter(tags=["stats"])


@router.get("/stats")
def stats(services: ServicesDep) -> dict[str, Any]:
    return {"batching": services.policy.stats(), "requests": services.requests.snapshot(),
            "admission": services.workers.admission()}


@router.get("/health")
def health(settings: SettingsDep, services: ServicesDep) -> dict[str, Any]:
    return {"status": "ok", "model": settings.model.get("path") or settings.model.get("policy"),
            "encoder": services.encoder is not None, "prove": settings.env["name"] if settings.env else None}
