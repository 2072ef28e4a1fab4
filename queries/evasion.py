"""Evasion (换壳逃避惩戒): black-listed parties resurfacing behind another organisation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel

from graph.errors import InvalidInput, NotFound
from graph.model import Relation
from graph.records import ListEntry, ListKind, ListType
from graph.store.protocol import Direction, GraphStore, NodeSummary
from graph.vocabulary import Label, RelType
from queries.subject import summary

#: Relations that tie a person to an organisation and are shared on the way to a new one.
PEOPLE_TYPES = (
    RelType.LEGAL_REPRESENTATIVE_OF,
    RelType.PRINCIPAL_OF,
    RelType.EXECUTIVE_OF,
    RelType.ACTUAL_CONTROLLER_OF,
    RelType.SHAREHOLDER_OF,
)
CONTACT_TYPES = (RelType.HAS_PHONE, RelType.HAS_ADDRESS)
CANDIDATE_LABELS = frozenset({Label.ENTERPRISE, Label.SOCIAL_ORGANIZATION})
SharedKind = Literal["person", "phone", "address"]
#: What dates a finding: the organisation was established, or a shared person joined it.
Because = Literal["established", "relation_start"]


class Listing(BaseModel):
    """A black-list entry in force; ``since`` (decision date, else valid_from) anchors findings."""

    record_id: str
    list_name: str
    list_kind: ListKind
    issuing_authority: str
    document_number: str | None = None
    decision_date: date | None = None
    valid_from: date | None = None
    since: date | None = None

    @classmethod
    def of(cls, entry: ListEntry) -> Listing:
        """The listing view of a list entry."""
        return cls(
            record_id=entry.id,
            list_name=entry.list_name,
            list_kind=entry.list_kind,
            issuing_authority=entry.issuing_authority,
            document_number=entry.document_number,
            decision_date=entry.decision_date,
            valid_from=entry.valid_from,
            since=entry.decision_date or entry.valid_from,
        )


class Shared(BaseModel):
    """A person or contact point the listed subject and the other organisation share.

    ``listed_links`` tie the listed subject to it (empty when it is the listed person);
    ``new_links`` tie the other organisation to it.
    """

    kind: SharedKind
    via: NodeSummary
    listed_links: list[Relation]
    new_links: list[Relation]


class Finding(BaseModel):
    """An organisation established, or joined by a shared person, on or after a listing."""

    organisation: NodeSummary
    suspicious_date: date
    because: Because
    established: date | None = None
    shared: list[Shared]
    listing: Listing  # the latest listing the date follows


class EvasionAnswer(BaseModel):
    """The answer of :func:`evasion`: the listings in force and the findings, oldest first."""

    subject: NodeSummary
    as_of: date
    listings: list[Listing]
    findings: list[Finding]
    hubs: list[str]  # nodes whose links were too many to follow


class EvasionScan(BaseModel):
    """The answer of :func:`evasion_scan`: one answer per subject with an in-force listing."""

    as_of: date
    answers: list[EvasionAnswer]
    not_listed: list[str]  # no black-list entry in force on as_of
    not_found: list[str]


_Tie = tuple[str, Relation]  # (shared node, its relation to a candidate organisation)


def evasion(store: GraphStore, listed_id: str, *, as_of: date | None = None) -> EvasionAnswer:
    """Organisations that share the listed subject's people (legal representative, principal,
    executive, actual controller, shareholder) or phone / address and that were established,
    or joined by a shared person, on or after a black listing in force on ``as_of`` (default
    today). Raises NotFound, or InvalidInput when no black listing is in force."""
    subject = summary(store, listed_id)
    day = as_of or date.today()
    views = store.records_of([subject.id], as_of=day, kinds=[Label.LIST_ENTRY], limit=1000)
    listings = [
        Listing.of(v.record)
        for v in views.get(subject.id, [])
        if isinstance(v.record, ListEntry) and v.record.list_type is ListType.BLACK and v.in_force
    ]
    if not listings:
        raise InvalidInput(
            f"listed_id: {subject.id!r} has no black-list entry in force on {day}",
            field="listed_id",
        )
    nodes, ties, hubs = _ties(store, subject)
    candidates = _candidates(store, subject.id, ties, nodes, hubs)
    findings = []
    for org_id, links in sorted(candidates.items()):
        entity = store.get_entity(org_id, record_limit=0).entity
        established: date | None = getattr(entity, "established", None)
        found = _finding(nodes, ties, nodes[org_id], established, links, listings, day)
        if found is not None:
            findings.append(found)
    findings.sort(key=lambda f: (f.suspicious_date, f.organisation.id))
    return EvasionAnswer(
        subject=subject, as_of=day, listings=listings, findings=findings, hubs=sorted(hubs)
    )


def evasion_scan(
    store: GraphStore, listed_ids: Sequence[str], *, as_of: date | None = None
) -> EvasionScan:
    """:func:`evasion` for many subjects; those not listed or not found are named, not raised."""
    scan = EvasionScan(as_of=as_of or date.today(), answers=[], not_listed=[], not_found=[])
    for listed_id in dict.fromkeys(listed_ids):
        try:
            scan.answers.append(evasion(store, listed_id, as_of=scan.as_of))
        except NotFound:
            scan.not_found.append(listed_id)
        except InvalidInput:
            scan.not_listed.append(listed_id)
    return scan


def _ties(
    store: GraphStore, subject: NodeSummary
) -> tuple[dict[str, NodeSummary], dict[str, list[Relation]], set[str]]:
    """The subject's people and contact points, each with the relations that tie it to them."""
    sub = store.links([subject.id], rel_types=[*PEOPLE_TYPES, *CONTACT_TYPES], as_of=None)
    nodes = dict(sub.nodes)
    ties: dict[str, list[Relation]] = {}
    if subject.label is Label.PERSON:
        ties[subject.id] = []  # a listed person shares themself
    for rel in sub.relations:
        if rel.type in CONTACT_TYPES and rel.source_id == subject.id:
            ties.setdefault(rel.target_id, []).append(rel)
        elif rel.target_id == subject.id and nodes[rel.source_id].label is Label.PERSON:
            ties.setdefault(rel.source_id, []).append(rel)
    return nodes, ties, set(sub.hubs)


def _candidates(
    store: GraphStore,
    subject_id: str,
    ties: dict[str, list[Relation]],
    nodes: dict[str, NodeSummary],
    hubs: set[str],
) -> dict[str, list[_Tie]]:
    """Other organisations linked to the shared nodes, with the links that reach them."""
    persons = [v for v in ties if nodes[v].label is Label.PERSON]
    contacts = [v for v in ties if nodes[v].label is Label.CONTACT_POINT]
    found: dict[str, list[_Tie]] = {}
    steps: list[tuple[list[str], tuple[RelType, ...], Direction]] = [
        (persons, PEOPLE_TYPES, "out"),
        (contacts, CONTACT_TYPES, "in"),
    ]
    for ids, types, way in steps:
        if not ids:
            continue
        sub = store.links(ids, rel_types=types, direction=way, as_of=None)
        hubs.update(sub.hubs)
        for rel in sub.relations:
            via, org = rel.source_id, rel.target_id
            if way == "in":
                via, org = org, via
            if org == subject_id or sub.nodes[org].label not in CANDIDATE_LABELS:
                continue
            nodes[org] = sub.nodes[org]
            found.setdefault(org, []).append((via, rel))
    return found


def _finding(
    nodes: dict[str, NodeSummary],
    ties: dict[str, list[Relation]],
    organisation: NodeSummary,
    established: date | None,
    links: list[_Tie],
    listings: list[Listing],
    day: date,
) -> Finding | None:
    """The finding against the latest listing the organisation's date follows, if any."""
    dated = sorted((x for x in listings if x.since), key=lambda x: x.since or date.min)
    for listing in reversed(dated):
        since = listing.since or date.min
        alive = [
            (via, rel)
            for via, rel in links
            if not ties[via] or any(t.valid_to is None or t.valid_to >= since for t in ties[via])
        ]
        starts = [
            rel.valid_from
            for via, rel in alive
            if rel.type in PEOPLE_TYPES and rel.valid_from and rel.valid_from >= since
        ]
        because: Because
        if established and established >= since:
            when, because = established, "established"
        elif starts:
            when, because = min(starts), "relation_start"
        else:
            continue
        if not alive or when > day:
            continue
        shared = [
            Shared(
                kind=_kind(nodes[via], ties[via]),
                via=nodes[via],
                listed_links=[t for t in ties[via] if t.valid_to is None or t.valid_to >= since],
                new_links=[rel for v, rel in alive if v == via],
            )
            for via in dict.fromkeys(v for v, _ in alive)
        ]
        return Finding(
            organisation=organisation,
            suspicious_date=when,
            because=because,
            established=established,
            shared=shared,
            listing=listing,
        )
    return None


def _kind(via: NodeSummary, ties: list[Relation]) -> SharedKind:
    if via.label is Label.PERSON:
        return "person"
    return "phone" if any(t.type is RelType.HAS_PHONE for t in ties) else "address"
