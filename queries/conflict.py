"""Conflict of interest (回避): links between officials or judicial staff and the parties."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import networkx as nx
from pydantic import BaseModel

from graph.errors import InvalidInput
from graph.model import Relation, ServiceRole
from graph.records import AnyRecord
from graph.store.protocol import GraphStore, NodeSummary
from graph.vocabulary import Label, RelType
from queries.explore import ENDPOINT_CAP, Ball, Explorer, Path, distances, simple_paths
from queries.paths import find_paths
from queries.subject import summary


class Service(BaseModel):
    """任职: where a person serves, in which role and post, and since / until when."""

    organisation: NodeSummary
    role: ServiceRole
    post: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None


class ConflictPath(Path):
    """A path from the staff member to a party. ``via_own_organisation``: it passes through
    an organisation the staff member serves in (through a colleague), so it is shown for
    review but does not count as a conflict by itself."""

    via_own_organisation: bool = False


class PartyLinks(BaseModel):
    """Every path within max_hops from the staff member to one party, shortest first."""

    party: NodeSummary
    linked: bool  # some path does not go through the staff member's own organisation
    paths: list[ConflictPath]
    truncated: bool
    hubs_not_followed: list[NodeSummary]


class ConflictAnswer(BaseModel):
    """Whether a civil servant or judicial staff member (司法执法人员) should recuse (回避)."""

    staff: NodeSummary
    as_of: date | None
    max_hops: int
    services: list[Service]
    parties: list[PartyLinks]
    conflict: bool  # some party is linked other than through the staff member's organisation


class RecordRef(BaseModel):
    """The record behind a finding: what an auditor needs to find the decision."""

    id: str
    kind: Label
    document_number: str | None = None
    decision_date: date | None = None
    issuing_authority: str
    title: str | None = None


class ConflictFinding(BaseModel):
    """A record issued to a subject linked within max_hops to a member of the issuer's staff."""

    record: RecordRef
    subject: NodeSummary
    staff: NodeSummary
    service: Service
    checked_on: date | None  # the date service and links were checked on
    hops: int
    paths: list[Path]
    truncated: bool


class AuthorityConflicts(BaseModel):
    """Records an authority issued to parties linked to its own staff."""

    authority: NodeSummary
    as_of: date | None
    max_hops: int
    records_checked: int
    records_truncated: bool  # the authority issued more records than ``limit``
    staff_checked: int
    findings: list[ConflictFinding]
    hubs_not_followed: list[NodeSummary]


def _service(rel: Relation, organisation: NodeSummary) -> Service:
    assert rel.role is not None  # SERVES_IN always has a role
    return Service(
        organisation=organisation,
        role=rel.role,
        post=rel.post,
        valid_from=rel.valid_from,
        valid_to=rel.valid_to,
    )


def services_of(store: GraphStore, person_id: str, as_of: date | None = None) -> list[Service]:
    """Where a person serves on ``as_of`` (SERVES_IN), by organisation id."""
    sub = store.links(
        [person_id], rel_types=[RelType.SERVES_IN], direction="out", as_of=as_of, cap=ENDPOINT_CAP
    )
    rels = sorted(sub.relations, key=lambda r: (r.target_id, str(r.valid_from), r.key))
    return [_service(r, sub.nodes[r.target_id]) for r in rels]


def conflicts(
    store: GraphStore,
    staff_id: str,
    party_ids: Sequence[str],
    *,
    max_hops: int = 3,
    as_of: date | None = None,
    limit: int = 50,
    hub_cap: int = 200,
) -> ConflictAnswer:
    """Every path within ``max_hops`` between a staff member and each party (mode "all").

    Paths through an organisation the staff member serves in are kept and flagged
    ``via_own_organisation``: a shared employer is not a link by itself, but a colleague
    tied to the party is worth a look. Raises InvalidInput (field ``staff``) when the person
    serves nowhere on ``as_of``.
    """
    parties = list(dict.fromkeys(party_ids))
    if not 1 <= len(parties) <= 20:
        raise InvalidInput(f"party: between 1 and 20 parties, got {len(parties)}", field="party")
    if staff_id in parties:
        raise InvalidInput("party: the staff member cannot be a party", field="party")
    staff = summary(store, staff_id)
    if staff.label is not Label.PERSON:
        raise InvalidInput(f"staff: {staff.name} is not a person", field="staff")
    services = services_of(store, staff_id, as_of)
    if not services:
        when = f" on {as_of}" if as_of else ""
        raise InvalidInput(f"staff: {staff.name} serves in no organisation{when}", field="staff")
    own = {s.organisation.id for s in services}
    for party in parties:
        summary(store, party)  # NotFound names the party
    found = []
    for party in parties:
        answer = find_paths(
            store,
            staff_id,
            party,
            max_hops=max_hops,
            as_of=as_of,
            limit=limit,
            mode="all",
            hub_cap=hub_cap,
        )
        paths = [
            ConflictPath(**dict(p), via_own_organisation=any(n.id in own for n in p.nodes[1:-1]))
            for p in answer.paths
        ]
        found.append(
            PartyLinks(
                party=answer.target,
                linked=any(not p.via_own_organisation for p in paths),
                paths=paths,
                truncated=answer.truncated,
                hubs_not_followed=answer.hubs_not_followed,
            )
        )
    return ConflictAnswer(
        staff=staff,
        as_of=as_of,
        max_hops=max_hops,
        services=services,
        parties=found,
        conflict=any(p.linked for p in found),
    )


def authority_conflicts(
    store: GraphStore,
    authority_id: str,
    *,
    max_hops: int = 2,
    as_of: date | None = None,
    limit: int = 1000,
    hub_cap: int = 200,
    paths_per_finding: int = 10,
) -> AuthorityConflicts:
    """Records the authority issued to subjects linked within ``max_hops`` to its own staff.

    Each record is checked on ``as_of`` or, without it, on its decision date: the staff
    serving in the authority then, and the links valid then. Paths through the authority
    itself are left out (every member of its staff has them; a colleague's own link to the
    subject is a finding of its own). Hubs count the links of every date.
    """
    if not 1 <= max_hops <= 6:
        raise InvalidInput(f"max_hops: must be between 1 and 6, got {max_hops}", field="max_hops")
    records = store.records_issued_by(authority_id, limit=limit)
    authority = summary(store, authority_id)
    serving = store.links(
        [authority_id], rel_types=[RelType.SERVES_IN], direction="in", cap=ENDPOINT_CAP
    )
    staff_rels: dict[str, list[Relation]] = {}
    for rel in serving.relations:
        staff_rels.setdefault(rel.source_id, []).append(rel)
    explorer = Explorer(store, hub_cap=hub_cap, blocked={authority_id})
    subjects = {r.subject_id for r in records}
    explorer.expand(staff_rels.keys() | subjects, cap=ENDPOINT_CAP)
    near_staff, near_subjects = Ball(staff_rels), Ball(subjects)
    for ball, depth in ((near_staff, (max_hops + 1) // 2), (near_subjects, max_hops // 2)):
        while ball.level < depth and ball.frontier:
            ball.grow(explorer)
    explorer.expand(near_staff.dist.keys() & near_subjects.dist.keys())
    views: dict[date | None, Any] = {}
    findings = []
    for record in records:
        day = as_of or record.decision_date
        if day not in views:
            views[day] = _on(explorer.graph, day)
        findings += _findings(
            explorer, views[day], record, day, authority, staff_rels, max_hops, paths_per_finding
        )
    return AuthorityConflicts(
        authority=authority,
        as_of=as_of,
        max_hops=max_hops,
        records_checked=len(records),
        records_truncated=len(records) == limit,
        staff_checked=len(staff_rels),
        findings=findings,
        hubs_not_followed=[explorer.names[h] for h in sorted(explorer.hubs)],
    )


def _on(graph: Any, day: date | None) -> Any:
    """The graph with only the relations valid on ``day``."""

    def valid(u: str, v: str) -> bool:
        return any(r.holds_on(day) for r in graph[u][v]["relations"].values())

    return nx.subgraph_view(graph, filter_edge=valid)


def _findings(
    explorer: Explorer,
    graph: Any,
    record: AnyRecord,
    day: date | None,
    authority: NodeSummary,
    staff_rels: dict[str, list[Relation]],
    max_hops: int,
    per_finding: int,
) -> list[ConflictFinding]:
    subject = record.subject_id
    if subject not in explorer.names:
        return []
    near = distances(graph, subject, explorer.expanded, max_hops)
    ref = RecordRef.model_validate(record, from_attributes=True)
    found = []
    for person in sorted(staff_rels):
        serves = [r for r in staff_rels[person] if r.holds_on(day)]
        if person == subject or person not in near or not serves:
            continue
        lengths = range(near[person], max_hops + 1)
        chains, truncated = simple_paths(
            graph, person, subject, explorer.expanded, lengths, per_finding
        )
        if not chains:
            continue
        found.append(
            ConflictFinding(
                record=ref,
                subject=explorer.names[subject],
                staff=explorer.names[person],
                service=_service(serves[0], authority),
                checked_on=day,
                hops=len(chains[0]) - 1,
                paths=[explorer.path(c, day) for c in chains],
                truncated=truncated,
            )
        )
    return found
