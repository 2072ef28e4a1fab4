"""Every HTTP question goes to the audit trail: caller, purpose, question, status, answer."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response

from graph import audit
from graph.settings import Settings

#: Routes that ask nothing about anyone.
QUIET = frozenset({"/health", "/stats", "/openapi.json", "/docs", "/redoc", "/catalogue/measures"})


def install(app: FastAPI, settings: Settings) -> None:
    """Log each request to a question route: ``X-Caller`` header, ``purpose`` (query
    parameter, ``X-Purpose`` header, or what the route put in ``request.state.purpose``),
    the route and its parameters, the status, and the checks' verdicts and receipts."""
    audit.configure(settings.audit_path)
    key = settings.hash_key()

    @app.middleware("http")
    async def audit_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        template = getattr(request.scope.get("route"), "path", None)
        if template is None or template in QUIET:
            return response
        params: dict[str, Any] = dict(request.path_params)
        for name in request.query_params:
            values = request.query_params.getlist(name)
            params[name] = values if len(values) > 1 else values[0]
        purpose = params.pop("purpose", None) or request.headers.get("x-purpose")
        audit.record(
            "api",
            f"{request.method} {template}",
            params,
            key,
            caller=request.headers.get("x-caller"),
            purpose=purpose or getattr(request.state, "purpose", None),
            status=response.status_code,
            ms=(time.perf_counter() - started) * 1000,
            answer=getattr(request.state, "answer", None),
        )
        return response
