"""The person view (人员画像): every role of a person over time, and the records around them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from graph.errors import InvalidInput
from graph.model import Relation, ServiceRole, valid_on
from graph.records import AnyRecord
from graph.store.protocol import GraphStore, NodeSummary, RecordView
from graph.vocabulary import Label, RelType
from queries.subject import summary

#: Relations from a person to an organisation that make a role.
ROLE_TYPES = (
    RelType.LEGAL_REPRESENTATIVE_OF,
    RelType.PRINCIPAL_OF,
    RelType.EXECUTIVE_OF,
    RelType.SHAREHOLDER_OF,
    RelType.ACTUAL_CONTROLLER_OF,
    RelType.SERVES_IN,
)
CAP = 10_000  # more links than this and the person's links are left out (``complete`` false)
RECORD_LIMIT = 1000  # records read per person or organisation


class Role(BaseModel):
    """One role in one organisation for one period; ``current`` when valid on the view's date."""

    type: RelType
    organisation: NodeSummary
    key: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    current: bool
    post: str | None = None  # 职务 (EXECUTIVE_OF, PRINCIPAL_OF, SERVES_IN)
    role: ServiceRole | None = None  # SERVES_IN
    ratio: float | None = None  # SHAREHOLDER_OF, ACTUAL_CONTROLLER_OF
    subscribed_amount: float | None = None  # SHAREHOLDER_OF (万元)


class TenureRecord(BaseModel):
    """A record about an organisation decided while the person held ``roles`` there."""

    organisation: NodeSummary
    roles: list[RelType]
    record: AnyRecord
    in_force: bool


class SameAs(BaseModel):
    """Another person entity resolution could not tell apart from this one."""

    person: NodeSummary
    reason: str | None = None


class PersonView(BaseModel):
    """The answer of :func:`person_view`."""

    person: NodeSummary
    as_of: date
    roles: list[Role]  # by organisation name, then start date
    records: list[RecordView]  # records concerning the person, newest first
    tenure_records: list[TenureRecord]  # newest decision first
    possibly_same_as: list[SameAs]
    complete: bool = True  # False when the person had too many links to list


def person_view(store: GraphStore, person_id: str, *, as_of: date | None = None) -> PersonView:
    """All roles of a person across organisations over time, flagged current on ``as_of``
    (default today), with the records about the person and about the organisations decided
    during a role there. Raises NotFound, or InvalidInput when the node is not a Person."""
    person = summary(store, person_id)
    if person.label is not Label.PERSON:
        raise InvalidInput(
            f"person_id: {person_id!r} is a {person.label}, not a Person", field="person_id"
        )
    day = as_of or date.today()
    sub = store.links(
        [person.id], rel_types=[*ROLE_TYPES, RelType.POSSIBLY_SAME_AS], as_of=None, cap=CAP
    )
    held = [r for r in sub.relations if r.type in ROLE_TYPES and r.source_id == person.id]
    roles = [_role(r, sub.nodes[r.target_id], day) for r in held]
    roles.sort(
        key=lambda r: (r.organisation.name, r.organisation.id, r.valid_from or date.min, r.type)
    )
    same = [
        SameAs(
            person=sub.nodes[r.target_id if r.source_id == person.id else r.source_id],
            reason=r.reason,
        )
        for r in sub.relations
        if r.type is RelType.POSSIBLY_SAME_AS
    ]
    org_ids = sorted({r.target_id for r in held})
    found = store.records_of([person.id, *org_ids], as_of=day, limit=RECORD_LIMIT)
    return PersonView(
        person=person,
        as_of=day,
        roles=roles,
        records=found.get(person.id, []),
        tenure_records=_during(roles, {k: v for k, v in found.items() if k != person.id}),
        possibly_same_as=sorted(same, key=lambda s: s.person.id),
        complete=person.id not in sub.hubs,
    )


def _role(rel: Relation, organisation: NodeSummary, day: date) -> Role:
    return Role(
        type=rel.type,
        organisation=organisation,
        key=rel.key,
        valid_from=rel.valid_from,
        valid_to=rel.valid_to,
        current=rel.holds_on(day),
        post=rel.post,
        role=rel.role,
        ratio=rel.ratio,
        subscribed_amount=rel.subscribed_amount,
    )


def _during(roles: list[Role], found: dict[str, list[RecordView]]) -> list[TenureRecord]:
    """Records about each organisation whose decision date falls in a role's validity."""
    out: list[TenureRecord] = []
    for org_id, views in found.items():
        held = [r for r in roles if r.organisation.id == org_id]
        for view in views:
            decided = view.record.decision_date
            if decided is None:
                continue
            during = sorted({r.type for r in held if valid_on(r.valid_from, r.valid_to, decided)})
            if during:
                out.append(
                    TenureRecord(
                        organisation=held[0].organisation,
                        roles=during,
                        record=view.record,
                        in_force=view.in_force,
                    )
                )
    out.sort(key=lambda t: (t.record.decision_date or date.min, t.record.id), reverse=True)
    return out
