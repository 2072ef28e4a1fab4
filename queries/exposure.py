"""Propagation (whom a listing reaches) and exposure (which listings reach an entity)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from pydantic import BaseModel, Field

from graph.errors import NotFound
from graph.measures import Catalogue, Matter, Measure, Reach
from graph.model import Relation
from graph.store.protocol import GraphStore, NodeSummary
from graph.vocabulary import Label, RelType
from queries.reach import (
    ROLE_TYPES,
    Ignored,
    MeasureRef,
    Step,
    Tier,
    TriggerRecord,
    applies,
    bindings,
    entries,
    role_history,
    step,
    subject_kind,
    surroundings,
    triggers,
    why_not,
)


class Reached(BaseModel):
    """One entity a record reaches: on which tier, through which relation, by which measures."""

    entity: NodeSummary
    tier: Tier
    reach: Reach
    path: list[Step]
    measures: list[MeasureRef]
    matters: list[Matter]


class RecordReach(BaseModel):
    """A list entry and everyone it reaches."""

    record: TriggerRecord
    reached: list[Reached]


class Propagation(BaseModel):
    """From a listed entity: everyone its in-force entries reach, by measure and path."""

    listed: NodeSummary
    as_of: date
    records: list[RecordReach]
    ignored: list[Ignored] = Field(default_factory=list)
    catalogue_version: str


class Linked(BaseModel):
    """An in-force black-list entry of an entity only linked to the one asked about."""

    record: TriggerRecord
    path: list[Step]


class Exposure(BaseModel):
    """For any entity: every entry that reaches it (listed, binding), and linked ones."""

    entity: NodeSummary
    as_of: date
    reaching: list[RecordReach]  # each with the single Reached entry for this entity
    linked: list[Linked]
    ignored: list[Ignored] = Field(default_factory=list)
    catalogue_version: str


def propagation(
    store: GraphStore, catalogue: Catalogue, listed_id: str, *, as_of: date | None = None
) -> Propagation:
    """Everyone the listed entity's in-force entries reach on ``as_of`` (default today)."""
    day = as_of or date.today()
    # roles on any date: a role held when an entry took effect binds after leaving the post
    types = sorted(ROLE_TYPES | {RelType.RELEASED_FROM})  # and liftings recorded since
    hood = store.links([listed_id], rel_types=types, direction="in")
    listed = hood.nodes.get(listed_id)
    if listed is None:
        raise NotFound(f"no entity with id {listed_id!r}")
    kind = subject_kind(listed.label)
    found = store.records_of([listed_id], as_of=day, kinds=[Label.LIST_ENTRY])
    out = Propagation(listed=listed, as_of=day, records=[], catalogue_version=catalogue.version)
    kinds = catalogue.trigger_kinds()
    for entry, in_force in entries(found.get(listed_id, [])):
        if entry.list_kind not in kinds:
            continue
        record = TriggerRecord.of(entry, listed)
        if not in_force:
            out.ignored.append(Ignored(record=record, why=why_not(entry, day)))
            continue
        measures = [m for m in catalogue.measures_for(entry.list_kind) if applies(m, None, kind)]
        reached = [_reached(listed, Tier.LISTED, Reach.SUBJECT, [], measures, catalogue)]
        for person_id in sorted({r.source_id for r in hood.relations}):
            person = hood.nodes[person_id]
            for bound in bindings(hood.relations, person_id, listed_id, entry, day):
                named = [m for m in measures if bound.reach in m.reaches]
                if named:
                    path = [step(bound.relation, hood.nodes)]
                    reached.append(
                        _reached(person, Tier.BINDING, bound.reach, path, named, catalogue)
                    )
        out.records.append(RecordReach(record=record, reached=reached))
    return out


def exposure(
    store: GraphStore,
    catalogue: Catalogue,
    entity_id: str,
    *,
    as_of: date | None = None,
    hops: int = 2,
) -> Exposure:
    """Every in-force entry that reaches ``entity_id``: its own, those of organisations where
    it holds a role a measure names, and (as ``linked``) those of entities within ``hops``."""
    day = as_of or date.today()
    hood = surroundings(store, entity_id, day, hops, 200)
    entity = hood.graph.nodes.get(entity_id)
    if entity is None:
        raise NotFound(f"no entity with id {entity_id!r}")
    history = role_history(store, entity_id, 200) if entity.label is Label.PERSON else None
    found, ignored = triggers(hood, entity_id, catalogue, day, history)
    out = Exposure(
        entity=entity,
        as_of=day,
        reaching=[],
        linked=[],
        ignored=ignored,
        catalogue_version=catalogue.version,
    )
    for t in found:
        measures = catalogue.measures_for(t.entry.list_kind)
        measures = [m for m in measures if applies(m, None, t.kind)]
        nodes = {**hood.graph.nodes, t.node_id: t.record.subject}
        reached = _reach_of(entity, t.node_id, t.roles, measures, catalogue, nodes)
        if reached is not None:
            out.reaching.append(RecordReach(record=t.record, reached=[reached]))
        elif t.entry.list_type == "black" and t.node_id in hood.graph.nodes:
            out.linked.append(Linked(record=t.record, path=hood.path(t.node_id)))
    return out


def _reach_of(
    entity: NodeSummary,
    node_id: str,
    roles: list[tuple[Reach, Relation]],
    measures: list[Measure],
    catalogue: Catalogue,
    nodes: Mapping[str, NodeSummary],
) -> Reached | None:
    if node_id == entity.id:
        return _reached(entity, Tier.LISTED, Reach.SUBJECT, [], measures, catalogue)
    for reach, rel in roles:
        named = [m for m in measures if reach in m.reaches]
        if named:
            return _reached(entity, Tier.BINDING, reach, [step(rel, nodes)], named, catalogue)
    return None


def _reached(
    entity: NodeSummary,
    tier: Tier,
    reach: Reach,
    path: list[Step],
    measures: list[Measure],
    catalogue: Catalogue,
) -> Reached:
    matters = sorted({m for measure in measures for m in measure.matters}, key=list(Matter).index)
    refs = [MeasureRef.of(m, catalogue) for m in measures]
    return Reached(entity=entity, tier=tier, reach=reach, path=path, measures=refs, matters=matters)
