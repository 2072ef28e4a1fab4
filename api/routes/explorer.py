"""What the graph explorer asks: ranked pages of links, the status of the nodes in view,
and what the caller's key may do."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api import policy
from api.auth import Caller, GuardedRoute
from api.deps import AsOf, StoreDep
from api.routes.entities import EntityId
from graph.vocabulary import RelType
from queries.browse import Expansion, StatusPage, expand, status_page

router = APIRouter(prefix="/v1", tags=["explorer"], route_class=GuardedRoute)

MAX_SUBJECTS = 1000


class StatusQuestion(BaseModel):
    """The nodes a view shows (entity ids, as the explorer has them) and the day."""

    subjects: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1,
        max_length=MAX_SUBJECTS,
        examples=[["91420102MA4K00010N", "91420102MA4K00029K", "phone:02780000010"]],
    )
    as_of: date | None = Field(default=None, examples=["2026-07-01"])
    purpose: str | None = Field(default=None, max_length=500, examples=["失信联合惩戒关系核查"])


class Whoami(BaseModel):
    """The key's name and role, whether it sees people's names in full, and the operations
    (ids) it may call."""

    name: str
    role: str
    full_names: bool
    operations: list[str]


@router.get(
    "/entities/{entity_id}/expand", summary="One ranked page of an entity's links, for the explorer"
)
def expand_entity(
    entity_id: EntityId,
    store: StoreDep,
    rel_type: Annotated[
        list[RelType] | None,
        Query(
            description="relation types to show (default: every entity relation)",
            examples=[["LEGAL_REPRESENTATIVE_OF", "SHAREHOLDER_OF", "HAS_PHONE"]],
        ),
    ] = None,
    as_of: AsOf = None,
    limit: Annotated[int, Query(ge=1, le=200, examples=[25])] = 25,
    offset: Annotated[int, Query(ge=0, examples=[0])] = 0,
) -> Expansion:
    """The links valid on ``as_of``, most relevant first: the other end's status (listed,
    reached, red, disputed, linked, cleared, clean), then the relation type (actual
    controller, legal representative, principal, shareholder, executive, directly
    responsible, the others, shared phones and addresses last), then the stake (larger
    first), the other end's name and id. ``by_type`` counts the links per type over every
    page; ``next_offset`` asks for the next page."""
    return expand(store, entity_id, rel_types=rel_type, as_of=as_of, limit=limit, offset=offset)


@router.post("/statuses", summary="Credit status of the nodes in a view")
def post_statuses(body: StatusQuestion, store: StoreDep) -> StatusPage:
    """Each node's status (listed, reached, red, disputed, linked, cleared or clean) and its
    count of list entries and penalties in force, from its records and its neighbours';
    in the order asked, unknown ids under ``missing``. A node with very many links (a hub)
    is judged by its own records only."""
    return status_page(store, body.subjects, as_of=body.as_of)


@router.get("/whoami", summary="Who the key is and what it may ask")
async def get_whoami(request: Request) -> Whoami:
    """The key's name and role, whether it sees names in full, and the operations it may
    call: the explorer offers only those."""
    caller: Caller = request.state.caller
    operations = sorted(op for op in policy.ACCESS if policy.allowed(caller.role, op))
    return Whoami(
        name=caller.name,
        role=str(caller.role),
        full_names=caller.role in policy.FULL_NAMES,
        operations=operations,
    )
