"""The FastAPI application factory: ``create_app(settings, store)``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import audit, errors
from api.routes import checks, entities, health, ownership, paths
from graph.measures import load_catalogue
from graph.settings import Settings
from graph.store import open_store
from graph.store.protocol import GraphStore


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """Build the app; without ``store`` one is opened from the settings at start-up.

    The store's schema is checked at start: a Neo4j without constraints refuses to serve.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        app.state.store = store if store is not None else open_store(settings)
        missing = app.state.store.check_schema()
        if missing:
            raise RuntimeError(
                f"graph schema incomplete, run `credgraph db init`: missing {missing}"
            )
        try:
            yield
        finally:
            if owned:
                app.state.store.close()

    app = FastAPI(
        title="credgraph",
        summary="Knowledge graph of social-credit entity relationships (社会信用关系图谱)",
        description=(
            "Every question is written to the audit trail (CREDGRAPH_AUDIT_LOG, default "
            "data_dir/audit.jsonl) with the caller (`X-Caller` header) and the purpose "
            "(`purpose` query parameter or `X-Purpose` header); ID numbers are logged as keyed "
            "person ids, never as given."
        ),
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.catalogue = load_catalogue(settings.catalogue_dir)  # fails fast when invalid
    if store is not None:
        app.state.store = store
    errors.install(app)
    audit.install(app, settings)
    app.include_router(health.router)
    app.include_router(entities.router)
    app.include_router(checks.router)
    app.include_router(ownership.router)
    app.include_router(paths.router)
    return app
