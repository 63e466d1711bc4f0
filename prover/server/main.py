"""Builds the FastAPI app: routers, error handlers, the bearer token, the body-size limit,
request timing, and the lifespan that loads the policy (never at import) unless the caller
loaded it first (`prove serve` does, to refuse a bad model before binding)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

import anyio.to_thread
from fastapi import FastAPI

from prover.server.auth import TokenGate
from prover.server.errors import install_error_handlers
from prover.server.limits import BodyLimit
from prover.server.metrics import RequestTimer
from prover.server.routers import copilot, cursor, llmstep, premises, prove, stats
from prover.server.services import Services, load_services
from prover.server.settings import Settings, get_settings

_DRAIN_S = 300.0  # longest wait at shutdown for abandoned work


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = app.dependency_overrides.get(get_settings, get_settings)()
    services = getattr(app.state, "services", None) or await anyio.to_thread.run_sync(load_services, settings)
    app.state.services = services
    yield
    # requests that timed out may have left a model call or search running
    await anyio.to_thread.run_sync(services.workers.drain, _DRAIN_S)
    await anyio.to_thread.run_sync(services.close)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The server app; `settings` (default: get_settings()) also overrides the dependency;
    `services` already loaded from them, or None to load them at startup."""
    resolved = settings or get_settings()
    app = FastAPI(title="llemma-prover tactic server", lifespan=lifespan)
    if settings is not None:
        app.dependency_overrides[get_settings] = lambda: settings
    if services is not None:
        app.state.services = services
    install_error_handlers(app)
    # the last added is the outermost: timing, then the token (before any body byte is read), then the size limit
    app.add_middleware(BodyLimit, max_bytes=resolved.server.max_body_bytes)
    app.add_middleware(TokenGate, token=resolved.server.token)
    app.add_middleware(RequestTimer)  # times the 401s and 413s too
    for module in (llmstep, copilot, prove, cursor, premises, stats):
        app.include_router(module.router)
    return app
