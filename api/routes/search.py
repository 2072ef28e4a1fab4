"""Finding entities by name, former name, code or citizen ID number."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import GuardedRoute
from api.deps import SettingsDep, StoreDep
from queries import search as searching
from queries.search import SearchKind, SearchPage

router = APIRouter(prefix="/v1", tags=["search"], route_class=GuardedRoute)


@router.get("/search", summary="Find enterprises, organisations, authorities and people")
def search(
    store: StoreDep,
    settings: SettingsDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            description="part of a name or former name, a USCC, 组织机构代码, 工商注册号, or a "
            "citizen ID number (exact)",
            examples=["某某建设"],
        ),
    ],
    kind: Annotated[SearchKind | None, Query(examples=["enterprise"])] = None,
    limit: Annotated[int, Query(ge=1, le=100, examples=[20])] = 20,
    cursor: Annotated[
        str | None,
        Query(
            max_length=500,
            description="next_cursor of the page before",
            examples=["WzAuNSwgMTQsICI5MTQyMDEwMk1BNEswMDAyOUsiXQ"],
        ),
    ] = None,
) -> SearchPage:
    """Ranked: exact codes first, then exact names, name prefixes, other matches; follow
    ``next_cursor`` for more."""
    return searching.search(store, q, settings.hash_key(), kind=kind, limit=limit, cursor=cursor)
