"""The GraphStore protocol that the embedded and the Neo4j store both implement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from graph.model import AnyEntity, Person, Relation
from graph.records import AnyRecord
from graph.vocabulary import Label, RelType

Direction = Literal["out", "in", "both"]
CodeField = Literal["org_code", "registration_number"]
CODE_FIELDS: tuple[CodeField, ...] = ("org_code", "registration_number")
EntityItem = AnyEntity
RecordItem = AnyRecord
#: An item in its stored form, as ``Model.properties()`` gives it: JSON values (dates as ISO
#: text, enums as their value), no ``None``; ``label`` (entities), ``kind`` (records) or
#: ``type``/``source_id``/``target_id``/``key`` (relations) say what it is. The load path
#: makes these directly, without model objects; the models stay their schema.
Props = dict[str, Any]


class Rejection(BaseModel):
    """One item of a batch that was not written, and why."""

    index: int  # position in the batch
    id: str
    field: str | None = None
    reason: str


Outcome = Literal["created", "updated", "unchanged", "rejected"]


class UpsertResult(BaseModel):
    """What a batch upsert did: created + updated + unchanged + rejected = batch size.

    ``outcomes[i]`` says what happened to the i-th item of the batch.
    """

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(default_factory=list)

    @classmethod
    def of(cls, outcomes: list[Outcome], rejected: list[Rejection]) -> UpsertResult:
        """Counts from per-item outcomes."""
        return cls(
            created=outcomes.count("created"),
            updated=outcomes.count("updated"),
            unchanged=outcomes.count("unchanged"),
            rejected=rejected,
            outcomes=outcomes,
        )

    def __add__(self, other: UpsertResult) -> UpsertResult:
        """Two results one after the other (indexes of the second are not shifted)."""
        return UpsertResult(
            created=self.created + other.created,
            updated=self.updated + other.updated,
            unchanged=self.unchanged + other.unchanged,
            rejected=[*self.rejected, *other.rejected],
            outcomes=[*self.outcomes, *other.outcomes],
        )


class NodeSummary(BaseModel):
    """The few fields that identify a node in a list."""

    id: str
    label: Label
    name: str


class NameMatch(BaseModel):
    """A node whose name or a former name contains the text a name search asked for."""

    id: str
    label: Label
    name: str
    uscc: str | None = None
    field: Literal["name", "former_name"]
    text: str  # the name or former name that matched, as stored
    rank: int  # 0: equal to the text, 1: starts with it, 2: contains it (compared folded)


class Neighbour(BaseModel):
    """One link of a neighbourhood: the relation, its direction seen from the centre, the node."""

    relation: Relation
    direction: Literal["out", "in"]
    node: NodeSummary


class NeighbourPage(BaseModel):
    """One page of a neighbourhood; pass ``next_cursor`` back to get the next page."""

    entity_id: str
    total: int  # links that match the filters, over all pages
    items: list[Neighbour]
    next_cursor: str | None = None


class RecordView(BaseModel):
    """A record and whether it is in force on the date asked about."""

    record: AnyRecord
    in_force: bool


class EntityDetail(BaseModel):
    """An entity (or contact point) with the records that concern it, newest first."""

    entity: AnyEntity
    records: list[RecordView]
    record_total: int
    as_of: date | None = None


class Subgraph(BaseModel):
    """Nodes and the relations found by following links from some nodes.

    ``hubs`` are nodes that have more matching links than the cap asked for: their links
    were left out, so a question can say what it did not follow.
    """

    nodes: dict[str, NodeSummary] = Field(default_factory=dict)
    relations: list[Relation] = Field(default_factory=list)
    hubs: list[str] = Field(default_factory=list)
    records: dict[str, list[RecordView]] = Field(default_factory=dict)


#: One relation of a risk graph: (type, source id, target id, valid_from or None).
RiskRelation = tuple[str, str, str, date | None]


@dataclass(frozen=True, slots=True)
class RiskNode:
    """A node of a risk graph: concrete label, display name, 成立日期 (organisations)."""

    label: str
    name: str
    established: date | None = None


@dataclass(frozen=True, slots=True)
class RiskRecord:
    """A record that makes its subject risky on the date asked: an in-force black-list entry
    (``listed``) or a penalty decided in the look-back (``penalised``); ``since`` is the
    decision date, else valid_from."""

    id: str
    subject_id: str
    status: Literal["listed", "penalised"]
    since: date | None
    name: str  # the list's name, or the penalty's violation type / title


@dataclass
class RiskGraph:
    """What ``risk_graph`` reads: the risky subjects' records, and the relations of the
    given types valid on the date within two hops of them (see ``GraphStore.risk_graph``).

    ``degrees`` has, for every node whose links were followed, the number of distinct
    nodes those links reach; ``capped`` the nodes of the second level with more than the
    cap (their links were not sent, only their degree)."""

    records: list[RiskRecord] = field(default_factory=list)
    nodes: dict[str, RiskNode] = field(default_factory=dict)
    relations: list[RiskRelation] = field(default_factory=list)
    degrees: dict[str, int] = field(default_factory=dict)
    capped: list[str] = field(default_factory=list)

    def normalised(self) -> RiskGraph:
        """The same graph in one order (records, relations once each, capped sorted)."""
        return RiskGraph(
            records=sorted(set(self.records), key=lambda r: (r.subject_id, r.id)),
            nodes=dict(sorted(self.nodes.items())),
            relations=sorted(set(self.relations), key=lambda r: (*r[:3], r[3] or date.min)),
            degrees=dict(sorted(self.degrees.items())),
            capped=sorted(set(self.capped)),
        )


#: The relations a risk graph follows (people in roles, shareholders, actual controllers,
#: shared phones and addresses), and those an organisation is followed by on the second level.
RISK_TYPES: tuple[RelType, ...] = (
    RelType.LEGAL_REPRESENTATIVE_OF,
    RelType.PRINCIPAL_OF,
    RelType.EXECUTIVE_OF,
    RelType.SHAREHOLDER_OF,
    RelType.ACTUAL_CONTROLLER_OF,
    RelType.HAS_PHONE,
    RelType.HAS_ADDRESS,
)
HOLDING_TYPES: tuple[RelType, ...] = (RelType.SHAREHOLDER_OF, RelType.ACTUAL_CONTROLLER_OF)


class GraphStats(BaseModel):
    """Counts of nodes by concrete label and of relations by type."""

    nodes: dict[str, int]
    relations: dict[str, int]


@runtime_checkable
class GraphStore(Protocol):
    """Storage and the basic questions; every method behaves the same on both stores."""

    backend: str

    def close(self) -> None:
        """Release files, locks and connections."""

    def init_schema(self) -> list[str]:
        """Apply constraints and indexes idempotently; return the names of the schema items."""

    def check_schema(self) -> list[str]:
        """Return the names of schema items that are missing or not online ([] = ready)."""

    def upsert_entities(
        self, items: Sequence[EntityItem], *, create_only: bool = False
    ) -> UpsertResult:
        """Create or update entities and contact points, keyed by id.

        With ``create_only`` an existing item is left as it is (``unchanged``): for entities
        a source merely mentions, which must not overwrite what their own registry says.
        """

    def upsert_relations(
        self, items: Sequence[Relation], *, create_only: bool = False
    ) -> UpsertResult:
        """Create or update relations keyed by (type, source, target, key); endpoints must exist.

        ``create_only`` as for entities.
        """

    def upsert_records(self, items: Sequence[RecordItem]) -> UpsertResult:
        """Create or update records keyed by id, linked to their subject and issuer."""

    def write_entities(self, items: Sequence[Props], *, create_only: bool = False) -> UpsertResult:
        """``upsert_entities`` for items in their stored form (the load path's batches)."""

    def write_relations(self, items: Sequence[Props], *, create_only: bool = False) -> UpsertResult:
        """``upsert_relations`` for items in their stored form."""

    def write_records(self, items: Sequence[Props]) -> UpsertResult:
        """``upsert_records`` for items in their stored form."""

    def get_entity(
        self, entity_id: str, *, as_of: date | None = None, record_limit: int = 100
    ) -> EntityDetail:
        """The entity with its records; raises NotFound."""

    def get_record(self, record_id: str) -> RecordItem:
        """One record by id; raises NotFound."""

    def neighbourhood(
        self,
        entity_id: str,
        *,
        rel_types: Sequence[RelType] | None = None,
        direction: Direction = "both",
        as_of: date | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> NeighbourPage:
        """One page of the entity's links, ordered by (type, other id, key, direction)."""

    def links(
        self,
        ids: Sequence[str],
        *,
        rel_types: Sequence[RelType] | None = None,
        direction: Direction = "both",
        as_of: date | None = None,
        cap: int = 500,
        record_kinds: Sequence[Label] | None = None,
    ) -> Subgraph:
        """The links of each entity or contact point among ``ids`` (unknown ids are ignored),
        of the given entity relation types, valid on ``as_of``. ``nodes`` has the given nodes
        that exist and the other ends; a node with more than ``cap`` links is a hub: listed
        in ``hubs``, its links left out. Relations are sorted by identity.

        With ``record_kinds``, ``records`` also has the records of those kinds concerning
        every node in ``nodes`` (as ``records_of`` gives them, at most 200 per node): one
        round trip where a question needs both, e.g. the approval check."""

    def expand(
        self,
        ids: Sequence[str],
        *,
        hops: int = 2,
        rel_types: Sequence[RelType] | None = None,
        direction: Direction = "both",
        as_of: date | None = None,
        cap: int = 500,
        record_kinds: Sequence[Label] | None = None,
        to_records: bool = False,
    ) -> Subgraph:
        """``links`` followed level by level, ``hops`` (1-3) levels: level 1 is ``links(ids)``,
        each next level the links of the nodes first reached on the level before that are
        not hubs. The merged answer: every node reached, each relation once (sorted by
        identity), all hubs met (sorted), and with ``record_kinds`` the records of every node.

        ``to_records`` (with ``record_kinds``) keeps only what leads to records: the answer
        of ``common.prune_to_records`` (the approval check needs nothing else, and most of a
        neighbourhood leads nowhere). Neo4j answers two levels in one read."""

    def records_of(
        self,
        ids: Sequence[str],
        *,
        as_of: date | None = None,
        kinds: Sequence[Label] | None = None,
        limit: int = 200,
    ) -> dict[str, list[RecordView]]:
        """Records concerning each node (of the given kinds), newest decision first, at most
        ``limit`` per node, each flagged in force on ``as_of``; nodes without any are left out."""

    def records_issued_by(self, authority_id: str, *, limit: int = 1000) -> list[RecordItem]:
        """Records an authority issued, newest decision first; raises NotFound."""

    def find_persons(self, names: Sequence[str]) -> dict[str, list[Person]]:
        """Persons by exact name (for entity resolution); names without any are left out."""

    def find_by_code(self, field: CodeField, values: Sequence[str]) -> dict[str, list[str]]:
        """Ids of organisations by a legacy code (组织机构代码 or 工商注册号)."""

    def search_names(self, text: str, labels: Sequence[Label], limit: int) -> list[NameMatch]:
        """Enterprises, social organisations, authorities or persons (those of ``labels``)
        whose name or a former name contains ``text`` (1-100 characters), compared as
        ``names.fold`` folds them (any case, full-width brackets as half-width): equal
        first, then starting with it, then containing it; shorter text, then id; one match
        per node and field; at most ``limit`` (1-1000). Candidates for a ranked search."""

    def stats(self) -> GraphStats:
        """Counts of nodes and relations."""

    def risk_graph(self, *, as_of: date, penalty_since: date, cap: int) -> RiskGraph:
        """The risk graph on ``as_of`` in one bulk read (the risk-cluster job's input).

        Seeds: entities with a black-list entry in force on ``as_of`` or an administrative
        penalty decided in [``penalty_since``, ``as_of``] and not revoked by then (records
        in ``records``). Level 1: every relation of ``RISK_TYPES`` at a seed valid on
        ``as_of``. Level 2: from each node level 1 reached that is not a seed, a person's or
        contact point's relations of those types, an organisation's outgoing
        ``HOLDING_TYPES`` (it may hold or control others too), valid on ``as_of``; a node
        with more than ``cap`` such distinct neighbours sends only its degree (``capped``).
        ``nodes`` has every node of a relation and every seed; ``degrees`` the seeds' and
        the level-2 nodes'. Answers in ``RiskGraph.normalised`` order."""
