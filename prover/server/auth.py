"""The optional bearer token, as pure ASGI middleware: when `server.token` is set, every
request but `GET /health` needs `Authorization: Bearer <token>`, checked before the body is
read (an unauthenticated request gets 401, whatever its body), and the API docs
(/docs, /redoc, /openapi.json) are behind it too."""

from __future__ import annotations

import secrets

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

OPEN_PATHS = frozenset({"/health"})


def has_token(headers: Headers, expected: str) -> bool:
    """Whether `headers` carry `Authorization: Bearer <expected>` (scheme case-insensitive)."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    # Starlette decodes header bytes as latin-1: encoding back gives the bytes the client sent
    return scheme.lower() == "bearer" and secrets.compare_digest(value.encode("latin-1"), expected.encode())


class TokenGate:
    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (self.token is None or scope["type"] != "http" or scope["path"] in OPEN_PATHS
                or has_token(Headers(scope=scope), self.token)):
            await self.app(scope, receive, send)
            return
        await JSONResponse({"error": "missing or wrong bearer token"}, status_code=401,
                           headers={"WWW-Authenticate": "Bearer"})(scope, receive, send)
