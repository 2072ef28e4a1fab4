"""Every error answers one shape, ``{"error": {"code", "message", "field"}}``, mapped here.

The graph's errors (not found, invalid input, store unavailable) and the API's own (no key,
forbidden, purpose missing, body too large) get their status codes in one place; request
validation errors name the field without echoing the value; a store that is down answers
503 with ``Retry-After`` and no internals; anything unexpected is a 500 without a trace.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from graph.errors import CredgraphError, InvalidInput, NotFound, QueryTimeout, StoreUnavailable

LOG = logging.getLogger("credgraph.api")
RETRY_AFTER = 5  # seconds a caller should wait when the store is down


class ErrorDetail(BaseModel):
    """What went wrong: a stable code, a message for people, the field at fault if any."""

    code: str = Field(examples=["invalid_input"])
    message: str = Field(examples=["subject: USCC check digit is 1, expected N"])
    field: str | None = Field(default=None, examples=["subject"])


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


class ApiError(CredgraphError):
    """An error of the HTTP layer, with its status and code."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.status_code = status
        self.code = code
        self.field = field


CODES: dict[type[CredgraphError], str] = {
    NotFound: "not_found",
    InvalidInput: "invalid_input",
    StoreUnavailable: "store_unavailable",
    QueryTimeout: "timeout",
}

#: What each status means, for the OpenAPI page (every route lists the ones it can answer).
DESCRIPTIONS = {
    400: "A question about a natural person without a stated purpose",
    401: "No API key, or an unknown or revoked one",
    403: "The key's role may not ask this",
    404: "No such entity, record or key",
    413: "The request body is too large",
    422: "Invalid input: the field and the reason",
    503: "The graph store is unavailable; retry after Retry-After seconds",
    504: "The question ran past the time limit and was cut",
}


def body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these error statuses."""
    return {s: {"model": ErrorBody, "description": DESCRIPTIONS[s]} for s in statuses}


def error_response(exc: CredgraphError) -> JSONResponse:
    """The response for one of our errors."""
    if isinstance(exc, ApiError):
        return JSONResponse(body(exc.code, str(exc), exc.field), status_code=exc.status_code)
    if isinstance(exc, StoreUnavailable):
        LOG.warning("store unavailable: %s", exc)  # the detail stays in the service's log
        return JSONResponse(
            body("store_unavailable", "the graph store is unavailable; retry later"),
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER)},
        )
    code = next((c for t, c in CODES.items() if isinstance(exc, t)), "error")
    field = exc.field if isinstance(exc, InvalidInput) else None
    return JSONResponse(body(code, str(exc), field), status_code=exc.status_code)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""

    @app.exception_handler(CredgraphError)
    async def handle(_: Request, exc: CredgraphError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        field = _field(tuple(first.get("loc", ())))
        if first.get("type") == "json_invalid":  # its loc is a character position
            field = "body"
        message = f"{field}: {first.get('msg', 'invalid')}"  # never the value given
        return JSONResponse(body("invalid_input", message, field), status_code=422)

    @app.exception_handler(HTTPException)
    async def http(_: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI could not parse the body (e.g. not UTF-8)
            return JSONResponse(body("invalid_input", "body: not valid JSON", "body"), 422)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(
            body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        LOG.exception("unexpected error")
        return JSONResponse(body("internal", "internal error; see the service log"), 500)
