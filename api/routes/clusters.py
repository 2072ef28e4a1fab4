"""Risk clusters (风险团伙): the latest run's clusters, one cluster's history, what changed."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from api.auth import GuardedRoute
from api.deps import SettingsDep
from graph.errors import InvalidInput, NotFound
from graph.settings import Settings
from queries.clusters.history import ChangeLog, ClusterHistory, RunHistory
from queries.clusters.model import Cluster

router = APIRouter(prefix="/v1", tags=["clusters"], route_class=GuardedRoute)


class ClusterPage(BaseModel):
    """One page of a run's clusters, highest score first; ``next_cursor`` stays on the same
    run even when a newer one is kept meanwhile. Before the first run: no run, no items."""

    run_id: str | None
    as_of: date | None
    finished_at: datetime | None
    data_version: str | None
    total: int  # clusters in the run
    items: list[Cluster]
    next_cursor: str | None = None


def history_of(settings: Settings) -> RunHistory:
    return RunHistory(settings.clusters_path, threshold=settings.cluster_match_threshold)


def cursor_of(run_id: str, offset: int) -> str:
    text = json.dumps([run_id, offset]).encode()
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def parse_cursor(cursor: str) -> tuple[str, int]:
    try:
        run_id, offset = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(run_id, str) and isinstance(offset, int) and offset >= 0:
            return run_id, offset
    except (ValueError, TypeError, binascii.Error):
        pass
    raise InvalidInput("cursor: not a cursor of this list", field="cursor")


@router.get("/clusters", summary="Risk clusters of the latest run, highest score first")
def list_clusters(
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=100, examples=[20])] = 20,
    cursor: Annotated[
        str | None,
        Query(
            max_length=500,
            description="next_cursor of the page before",
            examples=["WyJydW4tMjAyNjA3MDEtMDIzMCIsIDIwXQ"],
        ),
    ] = None,
) -> ClusterPage:
    """Each cluster with its stable id, members (status and records), score, the kinds of
    evidence joining them, the strongest links, evasion signals and an explanation."""
    history = history_of(settings)
    if cursor is not None:
        run_id, offset = parse_cursor(cursor)
        try:
            run = history.get_run(run_id)
        except NotFound:
            raise InvalidInput("cursor: its run is not kept", field="cursor") from None
    else:
        offset = 0
        latest = history.latest()
        if latest is None:
            return ClusterPage(
                run_id=None, as_of=None, finished_at=None, data_version=None, total=0, items=[]
            )
        run = latest
    ranked = sorted(run.clusters, key=lambda c: (-c.score, c.id or ""))
    items = ranked[offset : offset + limit]
    more = offset + limit < len(ranked)
    return ClusterPage(
        run_id=run.run_id,
        as_of=run.params.as_of,
        finished_at=run.finished_at,
        data_version=run.data_version,
        total=len(ranked),
        items=items,
        next_cursor=cursor_of(run.run_id, offset + limit) if more else None,
    )


@router.get("/clusters/changes", summary="What changed in the clusters since a date")
def list_cluster_changes(
    settings: SettingsDep,
    since: Annotated[
        datetime,
        Query(
            description="runs finished at or after this moment (YYYY-MM-DD: from its "
            "midnight; a time without a zone: UTC)",
            examples=["2026-07-01T00:00:00+08:00"],
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=1000, description="runs", examples=[100])] = 100,
) -> ChangeLog:
    """Every run since, oldest first, with its changes: new, grown, shrunk, merged, split
    and dissolved clusters by stable id, with the members added and removed."""
    return history_of(settings).changes_since(since, limit=limit)


@router.get("/clusters/{cluster_id}", summary="One risk cluster by stable id, with its history")
def get_cluster(
    settings: SettingsDep,
    cluster_id: Annotated[str, Path(max_length=100, examples=["cl-000001"])],
) -> ClusterHistory:
    """The cluster as the latest run holding it found it (``current`` is false once it is
    dissolved or merged into another), and every change it went through, oldest first."""
    return history_of(settings).get_cluster(cluster_id)
