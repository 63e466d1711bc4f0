"""The dependencies handlers declare (`Annotated` aliases), and the per-request sample
limit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from prover.server.services import Services
from prover.server.settings import Settings, get_settings


def get_services(request: Request) -> Services:
    return request.app.state.services


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServicesDep = Annotated[Services, Depends(get_services)]


def sample_count(requested: int | None, settings: Settings, field: str = "n") -> int:
    """The number of suggestions (or premises) to produce: the request's `n` (`field`), or the
    server default."""
    n = settings.server.default_samples if requested is None else requested
    if n > settings.server.max_samples:
        raise HTTPException(422, f"{field}: {n} exceeds this server's max_samples={settings.server.max_samples}")
    return n
