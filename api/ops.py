"""Operations: Prometheus metrics, the request-body limit, and the health and readiness routes.

Metrics go through prometheus_client; under ``credgraph serve --workers N`` the workers share
them through ``PROMETHEUS_MULTIPROC_DIR`` (set by ``serve``). ``/healthz`` answers from the
event loop (never behind queries); ``/readyz`` asks the store on its own thread with a time
limit.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import RETRY_AFTER, body, error_response, responses
from graph.errors import StoreUnavailable

READY_TIMEOUT = 2.0  # seconds /readyz waits for the store


class Metrics:
    """The service's metrics, in a registry of its own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "credgraph_http_request_duration_seconds",
            "HTTP request latency by route template, method and status",
            ["method", "route", "status"],
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.verdicts = Counter(
            "credgraph_check_verdicts_total",
            "Approval check verdicts",
            ["verdict"],
            registry=self.registry,
        )
        self.store_errors = Counter(
            "credgraph_store_errors_total",
            "Store calls that failed, by kind",
            ["kind"],
            registry=self.registry,
        )
        self.audit_lines = Counter(
            "credgraph_audit_lines_total",
            "Lines written to the audit trail",
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        """The metrics in the Prometheus text format (all workers' when multi-process)."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413 (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            body("payload_too_large", f"the request body is over {self.limit:,} bytes"), 413
        )
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


router = APIRouter(tags=["operations"])


class Liveness(BaseModel):
    """The process answers."""

    status: str = "ok"


class Readiness(BaseModel):
    """The store answers and its schema is complete."""

    status: str
    backend: str
    missing_schema: list[str]


@router.get("/healthz", summary="The process is alive", operation_id="healthz")
async def healthz() -> Liveness:
    """Answers from the event loop, without the store: never waits behind questions."""
    return Liveness()


@router.get(
    "/readyz",
    summary="The store is reachable and its schema present",
    operation_id="readyz",
    responses=responses(503),
)
async def readyz(request: Request) -> Any:
    """``ready`` when the store answers within 2 s and its schema is complete; else 503 with
    ``Retry-After``. A ready answer also ends the fast-fail period after a store error."""
    store = request.app.state.store
    try:
        missing = await asyncio.wait_for(asyncio.to_thread(store.check_schema), READY_TIMEOUT)
    except Exception as exc:  # any failure to answer in time means not ready
        request.app.state.metrics.store_errors.labels("readiness").inc()
        return error_response(StoreUnavailable(f"readiness: {type(exc).__name__}: {exc}"))
    if missing:
        return JSONResponse(
            body(
                "schema_missing",
                f"graph schema incomplete: run `credgraph db init` ({len(missing)} missing)",
            ),
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER)},
        )
    request.app.state.guard.reset()
    return Readiness(status="ready", backend=store.backend, missing_schema=[])


@router.get(
    "/metrics",
    summary="Metrics in the Prometheus text format",
    operation_id="metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
)
async def metrics(request: Request) -> Response:
    """Latency by route, verdict counts, store errors, audit lines written."""
    data = request.app.state.metrics.exposition()
    return Response(data, media_type=CONTENT_TYPE_LATEST)
