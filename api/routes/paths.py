"""Relationship paths (找关系), connecting subgraphs and conflicts of interest (回避)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.auth import GuardedRoute
from api.deps import SettingsDep, StoreDep
from graph.vocabulary import RelType
from queries.conflict import AuthorityConflicts, ConflictAnswer, authority_conflicts, conflicts
from queries.paths import ENDPOINT_CAP, Connection, Mode, PathAnswer, connect, find_paths
from queries.subject import subject_id

router = APIRouter(prefix="/v1", tags=["paths"], route_class=GuardedRoute)

Subject = "a USCC, citizen ID number (never stored) or entity id"
AsOf = Annotated[
    date | None,
    Query(description="count only relations valid on this date", examples=["2026-07-01"]),
]
RelTypes = Annotated[
    list[RelType] | None,
    Query(
        description="relation types to follow (default: all)",
        examples=[["LEGAL_REPRESENTATIVE_OF", "SHAREHOLDER_OF", "EXECUTIVE_OF"]],
    ),
]
HubCap = Annotated[
    int,
    Query(
        ge=1,
        le=ENDPOINT_CAP,
        description="do not pass through nodes with more links",
        examples=[100],
    ),
]
Hops = Annotated[int, Query(ge=1, le=8, examples=[4])]
Limit = Annotated[int, Query(ge=1, le=1000, examples=[10])]
Parties = Annotated[
    list[str],
    Query(
        min_length=1,
        max_length=20,
        description=Subject,
        examples=[["91420102MA4K00010N", "91420102MA4K00029K"]],
    ),
]


@router.get("/paths", summary="How two entities are linked (找关系)")
def get_paths(
    store: StoreDep,
    settings: SettingsDep,
    source: Annotated[str, Query(description=Subject, examples=["91420102MA4K00010N"])],
    target: Annotated[str, Query(description=Subject, examples=["91420102MA4K00029K"])],
    max_hops: Hops = 6,
    mode: Annotated[
        Mode, Query(description="all shortest paths, or all paths", examples=["all"])
    ] = "shortest",
    rel_type: RelTypes = None,
    as_of: AsOf = None,
    limit: Limit = 20,
    hub_cap: HubCap = 200,
) -> PathAnswer:
    """Shortest paths (or every simple path within ``max_hops``), shortest first; each step
    gives the relation and its direction. Hubs reached but not passed through are listed."""
    key = settings.hash_key()
    return find_paths(
        store,
        subject_id(store, source, key),
        subject_id(store, target, key),
        max_hops=max_hops,
        rel_types=rel_type,
        as_of=as_of,
        limit=limit,
        mode=mode,
        hub_cap=hub_cap,
    )


@router.get("/connect", summary="How a set of entities hangs together")
def get_connection(
    store: StoreDep,
    settings: SettingsDep,
    id: Annotated[
        list[str],
        Query(
            min_length=2,
            max_length=20,
            description=Subject,
            examples=[["91420102MA4K00010N", "91420102MA4K00029K", "phone:02780000010"]],
        ),
    ],
    max_hops: Hops = 4,
    rel_type: RelTypes = None,
    as_of: AsOf = None,
    hub_cap: HubCap = 200,
) -> Connection:
    """The union of the shortest paths between every pair, and which pairs are not linked."""
    key = settings.hash_key()
    ids = [subject_id(store, text, key) for text in id]
    return connect(store, ids, max_hops=max_hops, rel_types=rel_type, as_of=as_of, hub_cap=hub_cap)


@router.get("/conflicts", summary="Should a staff member recuse (回避)?")
def get_conflicts(
    store: StoreDep,
    settings: SettingsDep,
    staff: Annotated[
        str,
        Query(
            description="a civil servant or judicial staff member",
            examples=["person:a59d78390661ef55591e69f5f00c5916"],
        ),
    ],
    party: Parties,
    max_hops: Hops = 3,
    as_of: AsOf = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="paths per party", examples=[10])] = 50,
) -> ConflictAnswer:
    """Every path within ``max_hops`` from the staff member to each party; paths through the
    staff member's own organisation are flagged and do not count as a conflict."""
    key = settings.hash_key()
    parties = [subject_id(store, text, key) for text in party]
    person = subject_id(store, staff, key)
    return conflicts(store, person, parties, max_hops=max_hops, as_of=as_of, limit=limit)


@router.get(
    "/authorities/{authority_id}/conflicts",
    summary="Records an authority issued to its staff's links",
)
def get_authority_conflicts(
    store: StoreDep,
    settings: SettingsDep,
    authority_id: Annotated[str, Path(examples=["11420102MB1234567X"])],
    max_hops: Annotated[int, Query(ge=1, le=6, examples=[3])] = 2,
    as_of: Annotated[
        date | None,
        Query(
            description="check on this date (default: each decision date)",
            examples=["2026-07-01"],
        ),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=10_000, description="records to check", examples=[500])
    ] = 1000,
) -> AuthorityConflicts:
    """Records issued to subjects linked within ``max_hops`` to staff serving in the
    authority on the decision date, with the path of each link."""
    auth = subject_id(store, authority_id, settings.hash_key())
    return authority_conflicts(store, auth, max_hops=max_hops, as_of=as_of, limit=limit)
