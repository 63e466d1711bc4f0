"""The request-body size limit, as pure ASGI middleware: a body over the limit gets a 413
JSON error, whether its Content-Length says so up front or it streams (chunked) past it.
(Starlette's own limiter answers a declared oversize body in plain text, which llmstep's
and LeanCopilot's clients cannot parse.)"""

from __future__ import annotations

from starlette.datastructures import Headers
from fastapi import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> str:
        return f"request body larger than this server's limit of {self.max_bytes} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await JSONResponse({"error": self._too_large()}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # raised inside the body read, so the app's HTTPException handler answers
                    raise HTTPException(413, self._too_large())
            return message

        await self.app(scope, counted, send)
