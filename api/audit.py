"""Every HTTP question goes to the audit trail and the metrics: caller, purpose, status, time.

A pure ASGI middleware (no response buffering): it times the request, reads the status as it
is sent, and afterwards writes one audit line for question routes (the key's name as the
caller, ``X-Caller`` kept as ``declared_caller``, the purpose, the parameters with ID numbers
keyed, the checks' verdicts and receipts) and records latency and verdicts in the metrics.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import unquote

from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.ops import Metrics
from graph import audit
from graph.settings import Settings

#: Routes that ask nothing about anyone.
QUIET = frozenset(
    {
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
        "/docs",
        "/redoc",
        "/v1/stats",
        "/v1/catalogue/measures",
    }
)


class Observer:
    """Audit lines and metrics for each request (see the module docstring)."""

    def __init__(self, app: ASGIApp, settings: Settings, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.key = settings.hash_key()
        audit.configure(settings.audit_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            elapsed = time.perf_counter() - started
            self._observe(scope, status, elapsed)

    def _observe(self, scope: Scope, status: int, elapsed: float) -> None:
        template = getattr(scope.get("route"), "path", None)
        state: dict[str, Any] = scope.get("state") or {}
        self.metrics.latency.labels(scope["method"], template or "(none)", str(status)).observe(
            elapsed
        )
        answer = state.get("answer")
        for item in answer if isinstance(answer, list) else [answer] if answer else []:
            self.metrics.verdicts.labels(item["verdict"]).inc()
        if template is None or template in QUIET:
            return
        params: dict[str, Any] = dict(scope.get("path_params") or {})
        query = QueryParams(scope.get("query_string", b""))
        for name in query:
            values = query.getlist(name)
            params[name] = values if len(values) > 1 else values[0]
        params.pop("purpose", None)
        headers = dict(scope.get("headers") or [])
        caller = state.get("caller")
        declared = headers.get(b"x-caller")
        header = _text(headers.get(b"x-purpose"))
        purpose = state.get("purpose") or (unquote(header) if header else None)
        if "subjects" in state:
            params["subjects"] = state["subjects"]
        audit.record(
            "api",
            f"{scope['method']} {template}",
            params,
            self.key,
            caller=caller.name if caller is not None else None,
            purpose=(purpose or "")[:500] or None,
            status=status,
            ms=elapsed * 1000,
            answer=answer,
            extra={
                "role": str(caller.role) if caller is not None else None,
                "declared_caller": declared.decode("latin-1")[:200] if declared else None,
            },
        )
        self.metrics.audit_lines.inc()


def _text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value is not None else None
