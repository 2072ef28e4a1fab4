"""Entities, their records and their neighbourhoods."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.auth import GuardedRoute
from api.deps import AsOf, StoreDep
from graph.records import AnyRecord
from graph.store.protocol import Direction, EntityDetail, GraphStats, NeighbourPage
from graph.vocabulary import RelType

router = APIRouter(prefix="/v1", tags=["entities"], route_class=GuardedRoute)

EntityId = Annotated[
    str,
    Path(description="an entity id: a USCC, person:…, phone:…", examples=["91420102MA4K00010N"]),
]


@router.get("/entities/{entity_id}", summary="An entity with its credit records")
def get_entity(
    entity_id: EntityId,
    store: StoreDep,
    as_of: AsOf = None,
    record_limit: Annotated[int, Query(ge=0, le=1000, examples=[20])] = 100,
) -> EntityDetail:
    """The entity (enterprise, organisation, authority, person or contact point) and its
    records newest first, each flagged with whether it is in force on ``as_of``."""
    return store.get_entity(entity_id, as_of=as_of, record_limit=record_limit)


@router.get("/entities/{entity_id}/neighbours", summary="One page of an entity's links")
def list_neighbours(
    entity_id: EntityId,
    store: StoreDep,
    rel_type: Annotated[
        list[RelType] | None,
        Query(
            description="relation types to follow",
            examples=[["LEGAL_REPRESENTATIVE_OF", "SHAREHOLDER_OF", "HAS_PHONE"]],
        ),
    ] = None,
    direction: Annotated[Direction, Query(examples=["in"])] = "both",
    as_of: AsOf = None,
    limit: Annotated[int, Query(ge=1, le=1000, examples=[20])] = 50,
    cursor: Annotated[
        str | None,
        Query(
            examples=[
                "eyJhZnRlciI6ICJIQVNfUEhPTkVcdTAwMWZwaG9uZTowMjc4MDAwMDAxMFx1MDAxZlx1MDAxZm91dCJ9"
            ]
        ),
    ] = None,
) -> NeighbourPage:
    """Links ordered by (type, other id, key, direction); follow ``next_cursor`` for more."""
    return store.neighbourhood(
        entity_id, rel_types=rel_type, direction=direction, as_of=as_of, limit=limit, cursor=cursor
    )


@router.get("/records/{record_id}", summary="One credit record with its provenance")
def get_record(
    record_id: Annotated[str, Path(examples=["list:5f0c2a9e41d7b3c8"])], store: StoreDep
) -> AnyRecord:
    """A licence, penalty, list entry, commitment, integrity record or enforcement case."""
    return store.get_record(record_id)


@router.get("/stats", summary="Counts of nodes by label and relations by type")
def get_stats(store: StoreDep) -> GraphStats:
    """Node and relation counts."""
    return store.stats()
