"""The FastAPI application factory: ``create_app(settings, store)``."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from api import errors
from api.alerts import Alerts
from api.audit import Observer
from api.auth import SECURITY_SCHEMES, StoreGuard
from api.jobs import parse_schedule, scheduler
from api.keys import KeyRing
from api.ops import BodyLimit, Metrics
from api.ops import router as ops_router
from api.routes import admin, checks, clusters, entities, explorer, ownership, paths, search
from api.web import mount_explorer
from graph.measures import load_catalogue
from graph.settings import Settings
from graph.store import open_store
from graph.store.protocol import GraphStore

LOG = logging.getLogger("credgraph.api")

DESCRIPTION = """\
Questions about the social-credit graph: entity profiles and records, approval checks under
the joint-punishment measures (联合惩戒), relationships, equity and evasion.

**Keys.** Send `Authorization: Bearer KEY` (or `X-API-Key: KEY`); keys are made with
`credgraph keys create --name NAME --role ROLE`. Each route says which roles may call it:
`public` (profiles, in-force public records, people masked), `approver` (checks, the
catalogue), `investigator` (everything that reads the graph, names in full), `admin` (keys,
the audit trail). A service without keys serves only on a loopback address, every caller
being the local investigator.

**Purpose.** A question about a natural person (a citizen ID number or person id as subject,
the person view, conflicts) must say why: `purpose` parameter or `X-Purpose` header. Every
question is written to the audit trail with the key's name and the purpose; ID numbers are
never shown in full nor logged.

**Errors** have one shape: `{"error": {"code", "message", "field"}}`.
"""


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """Build the app; without ``store`` one is opened from the settings at start-up.

    The store's schema is checked at start: a Neo4j without constraints refuses to serve.
    """
    settings = settings or Settings()
    schedule = parse_schedule(settings.cluster_schedule) if settings.cluster_schedule else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        app.state.store = store if store is not None else open_store(settings)
        missing = app.state.store.check_schema()
        if missing:
            raise RuntimeError(
                f"graph schema incomplete, run `credgraph db init`: missing {missing}"
            )
        alerts = Alerts(settings)
        task = None
        if schedule is not None:  # the risk-cluster job, one run per slot across workers
            job = scheduler(app.state.store, settings, schedule, alerts)
            task = asyncio.create_task(job, name="credgraph-cluster-schedule")
        app.state.cluster_task = task
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
            await asyncio.to_thread(alerts.close, 5.0)
            if owned:
                app.state.store.close()

    app = FastAPIOffline(
        title="credgraph",
        summary="Knowledge graph of social-credit entity relationships (社会信用关系图谱)",
        description=DESCRIPTION,
        version="1.0.0",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.catalogue = load_catalogue(settings.catalogue_dir)  # fails fast when invalid
    app.state.keyring = KeyRing(settings.keys_path)
    app.state.guard = StoreGuard(time.monotonic)
    app.state.retry_after = errors.RETRY_AFTER
    app.state.metrics = Metrics()
    if store is not None:
        app.state.store = store
    errors.install(app)
    app.include_router(ops_router)
    for module in (entities, checks, search, ownership, paths, clusters, explorer, admin):
        app.include_router(module.router)
    mount_explorer(app)
    document = app.openapi

    def openapi() -> dict[str, Any]:  # the key schemes every guarded route refers to
        schema = document()
        schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(Observer, settings=settings, metrics=app.state.metrics)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app
