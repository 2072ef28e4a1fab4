"""What the graph explorer shows: a credit status per node, and an entity's links ranked
most relevant first, one page at a time.

A status sums up, for one node on one day, its own list entries and penalties and those of
the nodes one link away, so a view can colour every node it draws from one read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel

from graph.errors import InvalidInput, NotFound
from graph.ids import echo_safe
from graph.model import Relation, valid_on
from graph.records import CreditRecord, ListEntry, ListType, RecordStatus, record_in_force
from graph.store.common import MAX_PAGE
from graph.store.protocol import GraphStore, Neighbour, NodeSummary, RecordView, Subgraph
from graph.vocabulary import ENTITY_REL_TYPES, ORGANIZATION_LABELS, Label, RelType
from queries.reach import LINK_TYPES, ROLE_TYPES, bindings, entries, role_history


class Status(StrEnum):
    """A node's credit standing on a day (see ``PRECEDENCE`` for which one it shows)."""

    LISTED = "listed"  # an in-force black-list entry concerns it
    REACHED = "reached"  # holds a named role (ROLE_TYPES) in a listed organisation
    RED = "red"  # an in-force red-list entry concerns it
    DISPUTED = "disputed"  # a black-list entry suspended while an objection is handled
    LINKED = "linked"  # some relation to a listed node
    CLEARED = "cleared"  # a black-list entry or a penalty no longer in force
    CLEAN = "clean"  # none of these


#: Strongest first: a node shows the first status that holds for it.
PRECEDENCE: tuple[Status, ...] = (
    Status.LISTED,
    Status.REACHED,
    Status.RED,
    Status.DISPUTED,
    Status.LINKED,
    Status.CLEARED,
    Status.CLEAN,
)
_STATUS_RANK = {status: rank for rank, status in enumerate(PRECEDENCE)}

_ROLES = (
    RelType.ACTUAL_CONTROLLER_OF,
    RelType.LEGAL_REPRESENTATIVE_OF,
    RelType.PRINCIPAL_OF,
    RelType.SHAREHOLDER_OF,
    RelType.EXECUTIVE_OF,
    RelType.DIRECTLY_RESPONSIBLE_FOR,
)
_CONTACTS = (RelType.HAS_PHONE, RelType.HAS_ADDRESS)
#: The order of relation types in an expansion: control and named roles first, contact
#: points (shared phones and addresses) last, the others between in vocabulary order.
TYPE_PRIORITY: tuple[RelType, ...] = (
    *_ROLES,
    *(t for t in RelType if t in ENTITY_REL_TYPES and t not in _ROLES + _CONTACTS),
    *_CONTACTS,
)
_TYPE_RANK = {rel_type: rank for rank, rel_type in enumerate(TYPE_PRIORITY)}

#: The records a status is made of.
KINDS = (Label.LIST_ENTRY, Label.ADMINISTRATIVE_PENALTY)
#: A node with more links than this is a hub: its status comes from its own records only.
HUB_CAP = 2000
#: Links of the expanded entity that are ranked at most.
EXPAND_CAP = 5000
_ENDED = frozenset({RecordStatus.REPAIRED, RecordStatus.EXPIRED, RecordStatus.REVOKED})


class ViewNode(BaseModel):
    """A node as a view draws it; ``in_force`` counts its list entries and penalties in force.

    ``label`` stays so that persons are masked for the roles that see them masked."""

    id: str
    label: Label
    name: str
    status: Status
    in_force: int


class ExpandItem(BaseModel):
    """One link of the expanded entity: the relation, its direction seen from the entity,
    and the node at the other end with its status."""

    relation: Relation
    direction: Literal["out", "in"]
    node: ViewNode


class Expansion(BaseModel):
    """One ranked page of an entity's links.

    ``total`` links match the filters; ``hidden`` of them come after this page; ``by_type``
    counts the ranked links per relation type (over every page). ``truncated``: the entity
    has more than the cap of links and only the first cap (in neighbourhood order) were
    ranked, so paging ends there and ``by_type`` covers those only."""

    entity_id: str
    entity: ViewNode  # the entity expanded, with its own status (one page draws it all)
    as_of: date
    total: int
    offset: int
    items: list[ExpandItem]
    next_offset: int | None
    hidden: int
    by_type: dict[str, int]
    truncated: bool


class StatusPage(BaseModel):
    """The statuses of the nodes asked about, in the order asked; unknown ids under
    ``missing``."""

    as_of: date
    items: list[ViewNode]
    missing: list[str]


@dataclass
class _Own:
    """What a node's own records say on the day."""

    black: list[ListEntry]  # its in-force black-list entries
    red: bool = False
    disputed: bool = False
    cleared: bool = False
    in_force: int = 0

    @classmethod
    def of(cls, views: Iterable[RecordView], day: date) -> _Own:
        own = cls(black=[])
        for view in views:
            record = view.record
            colour = record.list_type if isinstance(record, ListEntry) else None
            if view.in_force:
                own.in_force += 1
                if isinstance(record, ListEntry) and colour is ListType.BLACK:
                    own.black.append(record)
                own.red = own.red or colour is ListType.RED
            elif colour is ListType.RED:
                continue  # a red entry out of force says nothing
            elif _ended(record, day):
                own.cleared = True
            elif colour is ListType.BLACK and _suspended(record, day):
                own.disputed = True
        return own

    def statuses(self) -> set[Status]:
        found = {Status.RED} if self.red else set()
        found |= {Status.LISTED} if self.black else set()
        found |= {Status.DISPUTED} if self.disputed else set()
        return found | ({Status.CLEARED} if self.cleared else set())


def _taken_effect(record: CreditRecord, day: date) -> bool:
    """Whether the record's status had taken effect by ``day`` (undated: always)."""
    return record.status_since is None or record.status_since <= day


def _ended(record: CreditRecord, day: date) -> bool:
    """No longer in force: repaired, expired or revoked by then, or past its validity (a
    record not yet in force has not ended)."""
    if record.status in _ENDED and _taken_effect(record, day):
        return True
    return record.valid_to is not None and record.valid_to < day


def _suspended(record: CreditRecord, day: date) -> bool:
    """Disputed by ``day`` and inside its validity: in force but for the objection."""
    return (
        record.status is RecordStatus.DISPUTED
        and _taken_effect(record, day)
        and valid_on(record.valid_from, record.valid_to, day)
    )


def _reaches(
    rel: Relation, node: str, other: NodeSummary, black: list[ListEntry], day: date
) -> bool:
    """Whether ``rel`` binds ``node`` for an entry of ``other``, a listed organisation, by
    the check's own rule (``reach.bindings``: a role a measure names, held on the day; a
    directly-responsible relation only for the entry it names)."""
    if other.label not in ORGANIZATION_LABELS:
        return False
    return any(bindings([rel], node, other.id, entry, day) for entry in black)


def _derive(found: Subgraph, ids: Sequence[str], day: date) -> dict[str, ViewNode]:
    """The status of each of ``ids`` present in ``found`` (a ``links`` answer with records)."""
    own = {node: _Own.of(found.records.get(node, []), day) for node in found.nodes}
    asked = {node for node in ids if node in found.nodes} - set(found.hubs)
    near: dict[str, set[Status]] = {node: set() for node in asked}
    for rel in found.relations:
        for node, other in ((rel.source_id, rel.target_id), (rel.target_id, rel.source_id)):
            if node not in asked or not own[other].black:
                continue
            near[node].add(Status.LINKED)
            if _reaches(rel, node, found.nodes[other], own[other].black, day):
                near[node].add(Status.REACHED)
    out = {}
    for node in dict.fromkeys(ids):
        summary = found.nodes.get(node)
        if summary is None:
            continue
        held = own[node].statuses() | near.get(node, set())
        status = next((s for s in PRECEDENCE if s in held), Status.CLEAN)
        out[node] = ViewNode(
            id=node,
            label=summary.label,
            name=summary.name,
            status=status,
            in_force=own[node].in_force,
        )
    return out


def statuses(
    store: GraphStore, ids: Sequence[str], *, as_of: date | None = None
) -> dict[str, ViewNode]:
    """The status of each node among ``ids`` on ``as_of`` (default today), in the order
    given; unknown ids are left out. At most 10 000 ids (the store's limit).

    One read: the links of every node (valid that day; a lifting is not a tie) with the
    list entries and penalties of both ends; and for the people not yet reached, one more:
    the roles they held before (see ``_former_roles``). A hub (more than ``HUB_CAP`` links) has its
    links left out by the store, so its status comes from its own records only: it may be
    ``clean`` although some neighbour is listed."""
    day = as_of or date.today()
    found = store.links(
        list(dict.fromkeys(ids)), rel_types=LINK_TYPES, as_of=day, cap=HUB_CAP, record_kinds=KINDS
    )
    views = _derive(found, ids, day)
    _former_roles(store, views, day)
    return views


def _former_roles(store: GraphStore, views: dict[str, ViewNode], day: date) -> None:
    """Mark ``reached`` the people bound by a role they held when an organisation's entry
    took effect and have left since (法发〔2019〕35号 第十七条, as the approval check binds
    them): one more read, of every role the people in view ever held, with the
    organisations' list entries."""
    people = [
        v.id
        for v in views.values()
        if v.label is Label.PERSON and _STATUS_RANK[v.status] > _STATUS_RANK[Status.REACHED]
    ]
    if not people:
        return
    history = role_history(store, people, HUB_CAP)
    held: dict[str, set[str]] = {}
    for rel in history.relations:
        if rel.source_id in views and rel.type in ROLE_TYPES:
            held.setdefault(rel.source_id, set()).add(rel.target_id)
    for person, orgs in held.items():
        for org in sorted(orgs):
            listed = [
                entry
                for entry, _ in entries(history.records.get(org, []))
                if entry.list_type is ListType.BLACK
                and record_in_force(
                    entry.status, entry.status_since, entry.valid_from, entry.valid_to, day
                )
            ]
            if any(bindings(history.relations, person, org, e, day) for e in listed):
                views[person] = views[person].model_copy(update={"status": Status.REACHED})
                break


def status_page(store: GraphStore, ids: Sequence[str], *, as_of: date | None = None) -> StatusPage:
    """``statuses`` as an answer: the known nodes in the order asked (once each), and the
    unknown ids."""
    day = as_of or date.today()
    asked = list(dict.fromkeys(ids))
    found = statuses(store, asked, as_of=day)
    return StatusPage(
        as_of=day,
        items=[found[node] for node in asked if node in found],
        missing=[node for node in asked if node not in found],
    )


def _all_links(
    store: GraphStore,
    entity_id: str,
    rel_types: Sequence[RelType] | None,
    day: date,
    cap: int,
) -> tuple[list[Neighbour], int]:
    """The entity's links and how many there are: one read, or for an entity with more than
    ``cap`` the first ``cap`` in neighbourhood order, a page at a time. Raises NotFound."""
    found = store.links([entity_id], rel_types=rel_types, as_of=day, cap=cap)
    if entity_id not in found.nodes:
        raise NotFound(f"no entity with id {echo_safe(entity_id)!r}")
    links: list[Neighbour] = []
    if entity_id not in found.hubs:
        for rel in found.relations:
            out = rel.source_id == entity_id
            node = found.nodes[rel.target_id if out else rel.source_id]
            links.append(Neighbour(relation=rel, direction="out" if out else "in", node=node))
        return links, len(links)
    cursor: str | None = None
    total = 0
    while len(links) < cap:
        page = store.neighbourhood(
            entity_id,
            rel_types=rel_types,
            as_of=day,
            limit=min(MAX_PAGE, cap - len(links)),
            cursor=cursor,
        )
        links += page.items
        total, cursor = page.total, page.next_cursor
        if cursor is None:
            break
    return links, total


def _rank(item: ExpandItem) -> tuple[int, int, bool, float, str, str, tuple[str, ...]]:
    """Most relevant first: status, relation type, stake (known, larger first), name, id."""
    rel, node = item.relation, item.node
    stake = rel.ratio
    return (
        _STATUS_RANK[node.status],
        _TYPE_RANK[rel.type],
        stake is None,
        -(stake or 0.0),
        node.name,
        node.id,
        rel.identity,
    )


def expand(
    store: GraphStore,
    entity_id: str,
    *,
    rel_types: Sequence[RelType] | None = None,
    as_of: date | None = None,
    limit: int = 25,
    offset: int = 0,
    cap: int = EXPAND_CAP,
) -> Expansion:
    """One page of the entity's links valid on ``as_of`` (default today), of ``rel_types``
    (default every entity relation), ranked by the other end's status (``PRECEDENCE``), the
    relation type (``TYPE_PRIORITY``), the stake (ratio, larger first, unknown last), the
    other end's name and id, and the relation's identity. Parallel relations to one node
    are separate items. Raises NotFound for an unknown entity."""
    if limit < 1 or offset < 0:
        field = "limit" if limit < 1 else "offset"
        raise InvalidInput(f"{field}: limit must be at least 1, offset not negative", field=field)
    day = as_of or date.today()
    links, total = _all_links(store, entity_id, rel_types, day, cap)
    views = statuses(store, [entity_id, *(link.node.id for link in links)], as_of=day)
    ranked = sorted(
        (
            ExpandItem(relation=link.relation, direction=link.direction, node=views[link.node.id])
            for link in links
        ),
        key=_rank,
    )
    counts = Counter(str(item.relation.type) for item in ranked)
    page = ranked[offset : offset + limit]
    end = offset + len(page)
    return Expansion(
        entity_id=entity_id,
        entity=views[entity_id],
        as_of=day,
        total=total,
        offset=offset,
        items=page,
        next_offset=end if end < len(ranked) else None,
        hidden=max(total - end, 0),
        by_type={str(t): counts[str(t)] for t in TYPE_PRIORITY if counts[str(t)]},
        truncated=len(links) < total,
    )
