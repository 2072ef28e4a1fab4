"""How list entries reach subjects: listed, bound by a named role, or only linked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from itertools import pairwise

import networkx as nx
from pydantic import BaseModel, Field

from graph.measures import REACH_RELATIONS, Catalogue, Effect, Matter, Measure, Reach, SubjectKind
from graph.model import Relation
from graph.records import FACTS, ListEntry, ListKind, ListType, RecordStatus
from graph.store.protocol import GraphStore, NodeSummary, Subgraph
from graph.vocabulary import ENTITY_REL_TYPES, Label, RelType

#: Relations a measure can name, person -> organisation.
ROLE_TYPES = frozenset(t for types in REACH_RELATIONS.values() for t in types)
#: The links a check follows from the subject: every entity relation but a lifting (which
#: records that a restriction no longer reaches someone, not a tie to the listed party).
LINK_TYPES = sorted(ENTITY_REL_TYPES - {RelType.RELEASED_FROM})
ORGANIZATION_LABELS = frozenset({Label.ENTERPRISE, Label.SOCIAL_ORGANIZATION, Label.AUTHORITY})


class Tier(StrEnum):
    """How a subject is touched by a measure; the tiers are never mixed."""

    LISTED = "listed"  # the subject itself is on the list
    BINDING = "binding"  # reached through a relation the measure names (e.g. its legal rep)
    ADVISORY = "advisory"  # only linked to a listed entity: review at most, never restrict


class Step(BaseModel):
    """One relation on the way from the subject to the listed entity."""

    type: RelType
    source_id: str
    source_name: str
    target_id: str
    target_name: str
    valid_from: date | None = None
    valid_to: date | None = None


class TriggerRecord(BaseModel):
    """The list entry behind a reason, with what an auditor needs to find the source."""

    id: str
    list_kind: ListKind
    list_name: str
    issuing_authority: str
    document_number: str | None = None
    decision_date: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    status: RecordStatus
    status_since: date | None = None
    legal_basis: str | None = None
    subject: NodeSummary

    @classmethod
    def of(cls, entry: ListEntry, subject: NodeSummary) -> TriggerRecord:
        """The trigger view of a list entry."""
        return cls(
            id=entry.id,
            list_kind=entry.list_kind,
            list_name=entry.list_name,
            issuing_authority=entry.issuing_authority,
            document_number=entry.document_number,
            decision_date=entry.decision_date,
            valid_from=entry.valid_from,
            valid_to=entry.valid_to,
            status=entry.status,
            status_since=entry.status_since,
            legal_basis=entry.legal_basis,
            subject=subject,
        )


class MeasureRef(BaseModel):
    """A catalogued measure as cited in an answer: title, legal basis, implementing authority."""

    id: str
    title: str
    effect: Effect
    legal_basis: str
    authority: str
    authority_name: str
    memorandum: str
    document_number: str

    @classmethod
    def of(cls, measure: Measure, catalogue: Catalogue) -> MeasureRef:
        """Cite ``measure`` from ``catalogue``."""
        memo = catalogue.memoranda[measure.memorandum]
        return cls(
            id=measure.id,
            title=measure.title,
            effect=measure.effect,
            legal_basis=measure.legal_basis,
            authority=measure.authority,
            authority_name=catalogue.authorities[measure.authority].name,
            memorandum=memo.title,
            document_number=memo.document_number,
        )


class Reason(BaseModel):
    """One measure that touches the subject, through one record, on one tier.

    ``measure`` is None for an entry of a black list the catalogue has no measures for: it
    gives review on every matter (never restrict), and ``note`` says so. ``since`` and
    ``rule`` say from when and by which rule a binding reason binds the subject;
    ``conditions`` the measure's conditions the entry meets and ``missing_facts`` those the
    source does not say (the effect is then review, never restrict)."""

    tier: Tier
    effect: Effect  # as applied: an advisory reason is at most review
    measure: MeasureRef | None
    record: TriggerRecord
    reach: Reach  # subject for listed and advisory tiers; the named role for binding
    path: list[Step]  # from the subject to the listed entity; empty when listed
    since: date | None = None
    rule: str | None = None
    conditions: list[str] = Field(default_factory=list)
    missing_facts: list[str] = Field(default_factory=list)
    note: str | None = None


class Ignored(BaseModel):
    """A list entry that was found but has no effect on the date asked about, and why."""

    record: TriggerRecord
    why: str


def subject_kind(label: Label) -> SubjectKind | None:
    """Which kind of listed subject a node is for applies_to; None for contact points."""
    if label is Label.PERSON:
        return SubjectKind.PERSON
    return SubjectKind.ORGANIZATION if label in ORGANIZATION_LABELS else None


def step(rel: Relation, nodes: Mapping[str, NodeSummary]) -> Step:
    """A path step from a relation, with the names of its ends."""
    return Step(
        type=rel.type,
        source_id=rel.source_id,
        source_name=nodes[rel.source_id].name if rel.source_id in nodes else rel.source_id,
        target_id=rel.target_id,
        target_name=nodes[rel.target_id].name if rel.target_id in nodes else rel.target_id,
        valid_from=rel.valid_from,
        valid_to=rel.valid_to,
    )


@dataclass
class Neighbourhood:
    """The subject's surroundings up to ``hops`` links, valid on the date asked about."""

    subject: str
    graph: Subgraph
    hubs: list[str] = field(default_factory=list)
    undirected: nx.MultiGraph = field(default_factory=nx.MultiGraph)

    def path(self, target: str) -> list[Step]:
        """A shortest chain of relations from the subject to ``target`` (deterministic)."""
        nodes = nx.shortest_path(self.undirected, self.subject, target)
        steps = []
        for a, b in pairwise(nodes):
            rels = [d["rel"] for d in self.undirected.get_edge_data(a, b).values()]
            steps.append(step(min(rels, key=lambda r: r.identity), self.graph.nodes))
        return steps


def surroundings(
    store: GraphStore, subject: str, as_of: date, hops: int, hub_cap: int
) -> Neighbourhood:
    """The ways of up to ``hops`` entity links from the subject to nodes with list entries,
    with those entries (one read for two levels on Neo4j); hubs are not passed through."""
    merged = store.expand(
        [subject],
        hops=hops,
        rel_types=LINK_TYPES,
        as_of=as_of,
        cap=hub_cap,
        record_kinds=[Label.LIST_ENTRY],
        to_records=True,  # only the ways to list entries matter to a check
    )
    hood = Neighbourhood(subject=subject, graph=merged, hubs=list(merged.hubs))
    hood.undirected.add_nodes_from(sorted(merged.nodes))  # sorted: one answer on both stores
    for rel in sorted(merged.relations, key=lambda r: r.identity):
        hood.undirected.add_edge(rel.source_id, rel.target_id, key=rel.identity, rel=rel)
    return hood


def role_history(store: GraphStore, subjects: str | Sequence[str], hub_cap: int) -> Subgraph:
    """Every role the subject (or each of several) has held, on any date, in an organisation
    a measure can name, with the organisations' list entries: a role held when an entry took
    effect binds even after the person has left the post."""
    return store.expand(
        [subjects] if isinstance(subjects, str) else list(subjects),
        hops=1,
        rel_types=sorted(ROLE_TYPES | {RelType.RELEASED_FROM}),
        direction="out",
        cap=hub_cap,
        record_kinds=[Label.LIST_ENTRY],
    )


def role_links(
    relations: Iterable[Relation], person: str, org: str
) -> list[tuple[Reach, Relation]]:
    """The named-role relations from ``person`` to ``org`` among ``relations``."""
    found = []
    for reach, types in REACH_RELATIONS.items():
        for rel in relations:
            if rel.type in types and rel.source_id == person and rel.target_id == org:
                found.append((reach, rel))
    return found


#: The rule by which a person who has left a named role stays bound (the SPC's rules on
#: restricting the consumption of judgment debtors, as applied by 法发〔2019〕35号 第十七条).
FORMER_ROLE_RULE = (
    "held the role when the entry took effect on {start}: bound after leaving the post until "
    "the entry ends or a lifting is recorded (法发〔2019〕35号 第十七条: a former legal "
    "representative must apply and show they are neither the actual controller nor directly "
    "responsible)"
)
CURRENT_ROLE_RULE = "holds the role on {day}"


@dataclass(frozen=True)
class Binding:
    """A role that binds the subject for one entry: which, through which relation, from
    when, and by which rule."""

    reach: Reach
    relation: Relation
    since: date | None
    rule: str


def entry_start(entry: ListEntry) -> date | None:
    """When an entry took effect: its validity start, else its decision date."""
    return entry.valid_from or entry.decision_date


def released(
    relations: Iterable[Relation], person: str, org: str, entry: ListEntry, day: date
) -> date | None:
    """The day a lifting of ``entry`` for ``person`` took effect, if one is recorded by then."""
    days = [
        r.valid_from
        for r in relations
        if r.type is RelType.RELEASED_FROM
        and (r.source_id, r.target_id, r.key) == (person, org, entry.id)
        and r.valid_from is not None
        and r.valid_from <= day
    ]
    return min(days, default=None)


def bindings(
    relations: Iterable[Relation], person: str, org: str, entry: ListEntry, day: date
) -> list[Binding]:
    """The roles of ``person`` in ``org`` that bind it for ``entry`` on ``day``: held on
    ``day`` (a new legal representative too), or held when the entry took effect (a former
    one stays bound until a lifting is recorded). A directly-responsible relation binds only
    for the entry it names."""
    start = entry_start(entry)
    relations = list(relations)
    lifted = released(relations, person, org, entry, day)
    found = []
    for reach, rel in role_links(relations, person, org):
        if rel.type is RelType.DIRECTLY_RESPONSIBLE_FOR and rel.key != entry.id:
            continue
        if rel.holds_on(day):
            since = max((d for d in (rel.valid_from, start) if d), default=None)
            found.append(Binding(reach, rel, since, CURRENT_ROLE_RULE.format(day=day)))
        elif start is not None and rel.holds_on(start) and lifted is None:
            found.append(Binding(reach, rel, start, FORMER_ROLE_RULE.format(start=start)))
    return found


def entries(views: Iterable[object]) -> list[tuple[ListEntry, bool]]:
    """The list entries among record views, with their in-force flags."""
    out = []
    for view in views:
        record = getattr(view, "record", None)
        if isinstance(record, ListEntry):
            out.append((record, bool(getattr(view, "in_force", False))))
    return out


def why_not(entry: ListEntry, as_of: date) -> str:
    """Why an entry that exists has no effect on ``as_of``."""
    if entry.status is not RecordStatus.ACTIVE and (
        entry.status_since is None or entry.status_since <= as_of
    ):
        since = f" since {entry.status_since}" if entry.status_since else ""
        return f"status {entry.status}{since}"
    if entry.valid_from and as_of < entry.valid_from:
        return f"not yet valid (from {entry.valid_from})"
    return f"no longer valid (until {entry.valid_to})"


def applies(measure: Measure, matter: Matter | None, kind: SubjectKind | None) -> bool:
    """Whether a measure covers this matter (any when None) for this kind of listed subject."""
    return (matter is None or matter in measure.matters) and kind in measure.applies_to


@dataclass(frozen=True)
class ConditionState:
    """A measure's conditions against an entry's facts: met, failed, and not given."""

    met: list[str]
    failed: list[str]
    missing: list[str]


def condition_state(measure: Measure, entry: ListEntry) -> ConditionState:
    """Which of ``measure``'s conditions the entry's facts meet, fail, or do not say."""
    met, failed, missing = [], [], []
    for condition in measure.conditions:
        value = getattr(entry, condition.fact)
        if value is None:
            missing.append(f"{FACTS[condition.fact]} ({condition.fact}): {condition.title}")
        elif value == condition.equals:
            met.append(condition.title)
        else:
            failed.append(condition.title)
    return ConditionState(met, failed, missing)


@dataclass
class Trigger:
    """An in-force list entry near the subject: its node, the subject's roles that bind for
    it, and the subject's own people among the listed (when the listed node is a person in a
    role of the subject). ``catalogued`` is False for a black list the catalogue has no
    measures for."""

    node_id: str
    kind: SubjectKind | None  # the listed node's kind, for a measure's applies_to
    bindings: list[Binding]  # the subject's roles in the listed node that bind for this entry
    entry: ListEntry
    record: TriggerRecord
    catalogued: bool = True
    applicant_roles: list[tuple[Reach, Relation]] = field(default_factory=list)

    @property
    def roles(self) -> list[tuple[Reach, Relation]]:
        """The binding roles as (reach, relation)."""
        return [(b.reach, b.relation) for b in self.bindings]


def triggers(
    hood: Neighbourhood,
    subject_id: str,
    catalogue: Catalogue,
    day: date,
    history: Subgraph | None = None,
) -> tuple[list[Trigger], list[Ignored]]:
    """The in-force entries of listed entities around the subject (with ``history``, also of
    organisations where it once held a role), and the entries of the subject or its role
    organisations found without effect (and why). Entries of red lists without measures are
    left out; entries of black lists without measures come with ``catalogued`` False."""
    kinds = catalogue.trigger_kinds()
    nodes = dict(history.nodes) if history else {}
    nodes.update(hood.graph.nodes)
    relations = {r.identity: r for r in hood.graph.relations}
    records: dict[str, list[tuple[ListEntry, bool]]] = {}
    if history is not None:
        for r in history.relations:
            relations.setdefault(r.identity, r)
        for node_id, views in history.records.items():
            records[node_id] = [(e, e.in_force_on(day)) for e, _ in entries(views)]
    for node_id, views in hood.graph.records.items():
        records[node_id] = entries(views)
    between: dict[tuple[str, str], list[Relation]] = {}  # the relations of each ordered pair
    for r in relations.values():
        between.setdefault((r.source_id, r.target_id), []).append(r)
    found, ignored = [], []
    for node_id in sorted(records):
        node = nodes.get(node_id)
        kind = subject_kind(node.label) if node else None
        if node is None or kind is None:
            continue
        # the subject's own people in the listed node (hood relations: valid on the day)
        applicant = role_links(between.get((node_id, subject_id), ()), node_id, subject_id)
        held = between.get((subject_id, node_id), [])
        for entry, in_force in records[node_id]:
            catalogued = entry.list_kind in kinds
            if not catalogued and entry.list_type != ListType.BLACK:
                continue
            record = TriggerRecord.of(entry, node)
            bound = bindings(held, subject_id, node_id, entry, day) if node_id != subject_id else []
            if not in_force:
                if catalogued and (node_id == subject_id or role_links(held, subject_id, node_id)):
                    ignored.append(Ignored(record=record, why=why_not(entry, day)))
                continue
            if not bound and (day_off := released(held, subject_id, node_id, entry, day)):
                why = f"restriction lifted for the subject on {day_off}"
                ignored.append(Ignored(record=record, why=why))
            if node_id not in hood.graph.nodes and not bound:
                continue  # a role held neither when the entry took effect nor now
            found.append(Trigger(node_id, kind, bound, entry, record, catalogued, applicant))
    return found, ignored
