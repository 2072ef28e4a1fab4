"""Entities, their records and their neighbourhoods."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import StoreDep
from graph.records import AnyRecord
from graph.store.protocol import Direction, EntityDetail, NeighbourPage
from graph.vocabulary import RelType

router = APIRouter(tags=["entities"])

AsOf = Annotated[date | None, Query(description="answer as of this date (YYYY-MM-DD)")]


@router.get("/entities/{entity_id}", summary="An entity with its credit records")
def get_entity(
    entity_id: str,
    store: StoreDep,
    as_of: AsOf = None,
    record_limit: Annotated[int, Query(ge=0, le=1000)] = 100,
) -> EntityDetail:
    """The entity (enterprise, organisation, authority, person or contact point) and its
    records newest first, each flagged with whether it is in force on ``as_of``."""
    return store.get_entity(entity_id, as_of=as_of, record_limit=record_limit)


@router.get("/entities/{entity_id}/neighbours", summary="One page of an entity's links")
def get_neighbours(
    entity_id: str,
    store: StoreDep,
    rel_type: Annotated[list[RelType] | None, Query(description="relation types to follow")] = None,
    direction: Direction = "both",
    as_of: AsOf = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: str | None = None,
) -> NeighbourPage:
    """Links ordered by (type, other id, key, direction); follow ``next_cursor`` for more."""
    return store.neighbourhood(
        entity_id, rel_types=rel_type, direction=direction, as_of=as_of, limit=limit, cursor=cursor
    )


@router.get("/records/{record_id}", summary="One credit record with its provenance")
def get_record(record_id: str, store: StoreDep) -> AnyRecord:
    """A licence, penalty, list entry, commitment, integrity record or enforcement case."""
    return store.get_record(record_id)
