"""Liveness and store statistics."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import StoreDep
from graph.store.protocol import GraphStats

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """Which store answers and whether its schema is complete."""

    status: str
    backend: str
    missing_schema: list[str]


@router.get("/health", summary="Service and store health")
def get_health(store: StoreDep) -> Health:
    """``ok`` when the store answers and its schema is complete."""
    missing = store.check_schema()
    return Health(
        status="ok" if not missing else "degraded", backend=store.backend, missing_schema=missing
    )


@router.get("/stats", summary="Counts of nodes by label and relations by type")
def get_stats(store: StoreDep) -> GraphStats:
    """Node and relation counts."""
    return store.stats()
