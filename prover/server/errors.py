"""Every error leaves the server as `{"error": "..."}` (llmstep's error shape) with a 4xx or
5xx status, whatever raised it: a bad body, a missing field, a size or time limit."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException


def _describe(error: dict) -> str:
    if error.get("type") == "json_invalid":
        return f"malformed JSON body: {error.get('ctx', {}).get('error', error['msg'])}"
    where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
    return f"{where}: {error['msg']}" if where else error["msg"]


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    # a body that is not JSON at all is a bad request, not an unprocessable entity
    status = 400 if any(e.get("type") == "json_invalid" for e in errors) else 422
    return JSONResponse({"error": "; ".join(_describe(e) for e in errors)}, status_code=status)


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    # the traceback still goes to the server log; the client gets the JSON error shape
    return JSONResponse({"error": f"internal error: {type(exc).__name__}: {exc}"}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _internal_error)
