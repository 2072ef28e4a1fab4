"""The embedded store: a networkx MultiDiGraph in memory, made durable by a journal on disk."""

from __future__ import annotations

import fcntl
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx

from graph.errors import InvalidInput, NotFound, StoreUnavailable
from graph.ids import echo_safe
from graph.model import ENTITY_ADAPTER, Person, Relation
from graph.records import RECORD_ADAPTER, record_in_force
from graph.store import common
from graph.store.embedded.journal import Journal
from graph.store.embedded.search import EmbeddedSearch
from graph.store.embedded.traverse import EmbeddedTraversal, holds, node_label
from graph.store.protocol import (
    CODE_FIELDS,
    CodeField,
    Direction,
    EntityDetail,
    EntityItem,
    GraphStats,
    Neighbour,
    NeighbourPage,
    NodeSummary,
    Outcome,
    Props,
    RecordItem,
    RecordView,
    Rejection,
    UpsertResult,
)
from graph.vocabulary import ENTITY_LABELS, RECORD_LABELS, Label, RelType

Op = list[Any]
_ENTITY_OR_CONTACT = {str(x) for x in ENTITY_LABELS} | {str(Label.CONTACT_POINT)}
_RECORD_KINDS = {str(x) for x in RECORD_LABELS}
_PERSON = str(Label.PERSON)


def _ekey(rel_type: str, key: str) -> str:
    return f"{rel_type}{common.SEP}{key}"


class EmbeddedStore(EmbeddedTraversal, EmbeddedSearch):
    """GraphStore on networkx; every acknowledged batch is in the fsynced journal.

    One process owns a data directory at a time (an exclusive lock file).
    """

    backend = "embedded"

    def __init__(self, directory: Path, *, fsync: bool = True, compact_bytes: int = 256 << 20):
        directory.mkdir(parents=True, exist_ok=True)
        self._lock_handle = open(directory / "LOCK", "a+")  # noqa: SIM115
        try:
            fcntl.flock(self._lock_handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self._lock_handle.close()
            raise StoreUnavailable(f"{directory} is in use by another credgraph process") from exc
        self._mutex = threading.RLock()
        self._compact_bytes = compact_bytes
        self._journal = Journal(directory, fsync=fsync)
        self._graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self._seq = 0
        self._restore()

    def _restore(self) -> None:
        """Rebuild memory from the snapshot and the journal (at open, or after a failed write)."""
        self._seq, state = self._journal.load_snapshot()
        self._graph = state if state is not None else nx.MultiDiGraph()
        self._lookup: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._forget_names()
        for node_id, props in self._graph.nodes(data=True):
            self._index(node_id, props, add=True)
        for entry in self._journal.replay(self._seq):
            self._apply(entry["ops"])
            self._seq = entry["seq"]

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        """Snapshot what the journal holds, then release the files and the lock."""
        with self._mutex:
            if self._journal.size():
                self._journal.compact(self._seq, self._graph)
            self._journal.close()
            self._lock_handle.close()

    def init_schema(self) -> list[str]:
        """Nothing to create: ids are unique by construction of the graph's node keys."""
        return []

    def check_schema(self) -> list[str]:
        """Always ready."""
        return []

    # -- writes ----------------------------------------------------------------------------
    def upsert_entities(
        self, items: Sequence[EntityItem], *, create_only: bool = False
    ) -> UpsertResult:
        """Create or update entities and contact points, keyed by id."""
        return self.write_entities([item.properties() for item in items], create_only=create_only)

    def upsert_relations(
        self, items: Sequence[Relation], *, create_only: bool = False
    ) -> UpsertResult:
        """Create or update relations keyed by (type, source, target, key)."""
        return self.write_relations([rel.properties() for rel in items], create_only=create_only)

    def upsert_records(self, items: Sequence[RecordItem]) -> UpsertResult:
        """Create or update records, then (re)link them to their subject and issuer."""
        return self.write_records([record.properties() for record in items])

    def write_entities(self, items: Sequence[Props], *, create_only: bool = False) -> UpsertResult:
        """``upsert_entities`` for items in their stored form."""
        with self._mutex:
            labels = self._labels([item["id"] for item in items])
            ok, rejected = common.check_entity_labels(items, labels)
            outcomes: list[Outcome] = ["rejected"] * len(items)
            ops: list[Op] = []
            for index, item in ok:
                props = dict(item)
                if not create_only:
                    self._keep_former_names(props)
                outcomes[index] = self._put_node(props["id"], props, ops, create_only)
            self._commit(ops)
            return UpsertResult.of(outcomes, rejected)

    def write_relations(self, items: Sequence[Props], *, create_only: bool = False) -> UpsertResult:
        """``upsert_relations`` for items in their stored form."""
        with self._mutex:
            labels = self._labels(common.relation_ids(items))
            ok, rejected = common.check_relations(items, labels)
            outcomes: list[Outcome] = ["rejected"] * len(items)
            ops: list[Op] = []
            for index, rel in ok:
                props = dict(rel)
                source, target = props.pop("source_id"), props.pop("target_id")
                props.setdefault("key", "")
                outcomes[index] = self._put_edge(source, target, props, ops, create_only)
            self._commit(ops)
            return UpsertResult.of(outcomes, rejected)

    def write_records(self, items: Sequence[Props]) -> UpsertResult:
        """``upsert_records`` for items in their stored form."""
        with self._mutex:
            labels = self._labels(common.record_ids(items))
            ok, rejected = common.check_records(items, labels)
            outcomes: list[Outcome] = ["rejected"] * len(items)
            ops: list[Op] = []
            for index, record in ok:
                props = dict(record)
                outcome = self._put_node(props["id"], props, ops)
                moved = self._relink(props["id"], RelType.CONCERNS, props["subject_id"], ops)
                moved |= self._relink(props["id"], RelType.ISSUED_BY, props.get("issuer_id"), ops)
                outcomes[index] = "updated" if outcome == "unchanged" and moved else outcome
            self._commit(ops)
            return UpsertResult.of(outcomes, rejected)

    def _put_node(
        self, node_id: str, props: dict[str, Any], ops: list[Op], create_only: bool = False
    ) -> Outcome:
        current = self._graph.nodes.get(node_id)
        return self._put(current, props, ops, ["node", node_id], create_only)

    def _put_edge(
        self,
        src: str,
        dst: str,
        props: dict[str, Any],
        ops: list[Op],
        create_only: bool = False,
    ) -> Outcome:
        ekey = _ekey(props["type"], props["key"])
        current = self._graph.get_edge_data(src, dst, ekey)
        return self._put(current, props, ops, ["edge", src, dst, ekey], create_only)

    def _put(
        self,
        current: dict[str, Any] | None,
        props: dict[str, Any],
        ops: list[Op],
        op: Op,
        create_only: bool,
    ) -> Outcome:
        """Merge ``props`` into a node or edge: new ones get loaded_at, equal ones are left."""
        loaded_at = props.pop("loaded_at", None)
        outcome: Outcome = "updated"
        if current is None:
            props["loaded_at"] = _iso(loaded_at or common.now())
            outcome = "created"
        elif create_only or all(current.get(k) == v for k, v in props.items()):
            return "unchanged"
        self._do(ops, [*op, props])
        return outcome

    def _relink(self, record_id: str, rel_type: RelType, target: str | None, ops: list[Op]) -> bool:
        """Point the record's single ``rel_type`` link at ``target``; True if anything moved."""
        ekey = _ekey(rel_type, "")
        moved = False
        succ = self._graph.succ
        if record_id in succ:
            for other, keys in list(succ[record_id].items()):
                if ekey in keys and other != target:
                    self._do(ops, ["del_edge", record_id, other, ekey])
                    moved = True
        if target is not None and not self._graph.has_edge(record_id, target, ekey):
            self._do(ops, ["edge", record_id, target, ekey, {"type": str(rel_type), "key": ""}])
            moved = True
        return moved

    def _do(self, ops: list[Op], op: Op) -> None:
        """Apply one operation now (later items see it) and queue it for the journal."""
        ops.append(op)
        self._apply([op])

    def _commit(self, ops: list[Op]) -> None:
        if not ops:
            return
        try:
            self._journal.append({"seq": self._seq + 1, "ops": ops})
        except OSError as exc:  # memory is ahead of the disk: roll back by reloading
            self._restore()
            raise StoreUnavailable(f"journal write failed, batch not accepted: {exc}") from exc
        self._seq += 1
        if self._journal.size() > self._compact_bytes:
            self._journal.compact(self._seq, self._graph)

    def _apply(self, ops: list[Op]) -> None:
        graph = self._graph
        for op in ops:
            if op[0] == "node":
                current = graph.nodes.get(op[1])
                named = None
                if current is None:
                    graph.add_node(op[1])
                    current = graph.nodes[op[1]]
                else:
                    self._index(op[1], current, add=False)
                    named = (current.get("name"), current.get("former_names"))
                current.update(op[2])
                self._index(op[1], current, add=True)
                if named != (current.get("name"), current.get("former_names")):
                    self._names_changed(op[1], current)
            elif op[0] == "edge":
                data = graph.get_edge_data(op[1], op[2], op[3])
                if data is None:
                    graph.add_edge(op[1], op[2], key=op[3])
                    data = graph.get_edge_data(op[1], op[2], op[3])
                data.update(op[4])
            elif op[0] == "del_edge":
                graph.remove_edge(op[1], op[2], op[3])

    def _index(self, node_id: str, props: dict[str, Any], *, add: bool) -> None:
        """Keep the lookups (person names, legacy codes) in step with a node's properties."""
        keys = [
            ("org_code", props.get("org_code")),
            ("registration_number", props.get("registration_number")),
        ]
        if props.get("label") == _PERSON:
            keys.append(("person_name", props.get("name")))
        for field, value in keys:
            if value:
                if add:
                    self._lookup[(field, value)].add(node_id)
                else:
                    self._lookup[(field, value)].discard(node_id)

    def _labels(self, ids: Sequence[str]) -> dict[str, str]:
        nodes = self._graph.nodes
        return {node_id: node_label(nodes[node_id]) for node_id in ids if node_id in nodes}

    # -- reads -----------------------------------------------------------------------------
    def _entity_props(self, entity_id: str) -> dict[str, Any]:
        props = self._graph.nodes.get(entity_id)
        if props is None or node_label(props) not in _ENTITY_OR_CONTACT:
            raise NotFound(f"no entity with id {echo_safe(entity_id)!r}")
        return dict(props)

    def get_entity(
        self, entity_id: str, *, as_of: date | None = None, record_limit: int = 100
    ) -> EntityDetail:
        """The entity with its records, newest decision first."""
        if record_limit < 0:
            raise InvalidInput("record_limit: must not be negative", field="record_limit")
        with self._mutex:
            entity = ENTITY_ADAPTER.validate_python(self._entity_props(entity_id))
            rows = [
                dict(self._graph.nodes[rid])
                for rid, _, key in self._graph.in_edges(entity_id, keys=True)
                if key == _ekey(RelType.CONCERNS, "")
            ]
        rows.sort(key=lambda p: p["id"])
        rows.sort(key=lambda p: p.get("decision_date") or "", reverse=True)
        views = []
        for props in rows[:record_limit]:
            record = RECORD_ADAPTER.validate_python(props)
            views.append(RecordView(record=record, in_force=record.in_force_on(as_of)))
        return EntityDetail(entity=entity, records=views, record_total=len(rows), as_of=as_of)

    def get_record(self, record_id: str) -> RecordItem:
        """One record by id."""
        with self._mutex:
            props = self._graph.nodes.get(record_id)
            if props is None or node_label(props) not in _RECORD_KINDS:
                raise NotFound(f"no record with id {echo_safe(record_id)!r}")
            return RECORD_ADAPTER.validate_python(dict(props))

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
        """One page of the entity's links, in sort-key order."""
        types = set(common.check_page(limit, direction, rel_types))
        after = common.decode_cursor(cursor)
        day = common.as_date(as_of)
        with self._mutex:
            self._entity_props(entity_id)
            found: list[tuple[str, str, str, dict[str, Any]]] = []
            edges = []
            if direction in ("out", "both"):
                edges += [(d, "out", m) for _, m, d in self._graph.out_edges(entity_id, data=True)]
            if direction in ("in", "both"):
                edges += [(d, "in", m) for m, _, d in self._graph.in_edges(entity_id, data=True)]
            for data, way, other in edges:
                if data["type"] in types and holds(data, day):
                    found.append(
                        (common.sort_key(data["type"], other, data["key"], way), way, other, data)
                    )
            page = sorted(f for f in found if after is None or f[0] > after)
            items = [
                self._neighbour(entity_id, way, other, data) for _, way, other, data in page[:limit]
            ]
        more = common.encode_cursor(page[limit - 1][0]) if len(page) > limit else None
        return NeighbourPage(entity_id=entity_id, total=len(found), items=items, next_cursor=more)

    def _neighbour(self, centre: str, way: str, other: str, data: dict[str, Any]) -> Neighbour:
        source, target = (centre, other) if way == "out" else (other, centre)
        props = self._graph.nodes[other]
        node = NodeSummary(
            id=other, label=Label(node_label(props)), name=common.neighbour_name(props)
        )
        return Neighbour(
            relation=common.relation_from(data, source, target), direction=way, node=node
        )

    def find_persons(self, names: Sequence[str]) -> dict[str, list[Person]]:
        """Persons by exact name, from an in-memory name index."""
        found: dict[str, list[Person]] = {}
        with self._mutex:
            for name in set(names):
                ids = sorted(self._lookup.get(("person_name", name), ()))
                if ids:
                    found[name] = [Person.model_validate(self._graph.nodes[i]) for i in ids]
        return found

    def find_by_code(self, field: CodeField, values: Sequence[str]) -> dict[str, list[str]]:
        """Ids of organisations by a legacy code, from the in-memory lookup."""
        if field not in CODE_FIELDS:
            raise InvalidInput(f"field: not a code field: {field!r}", field="field")
        with self._mutex:
            found = {v: sorted(self._lookup.get((field, v), ())) for v in set(values)}
        return {v: ids for v, ids in found.items() if ids}

    def iter_items(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every node as ("node", props) and every relation as ("edge", props with source_id
        and target_id), in their stored form (for export, e.g. a Neo4j bulk import)."""
        with self._mutex:
            for _, props in self._graph.nodes(data=True):
                yield "node", dict(props)
            for source, target, props in self._graph.edges(data=True):
                yield "edge", {**props, "source_id": source, "target_id": target}

    def stats(self) -> GraphStats:
        """Counts of nodes by label and relations by type."""
        with self._mutex:
            nodes = Counter(node_label(props) for _, props in self._graph.nodes(data=True))
            rels = Counter(data["type"] for _, _, data in self._graph.edges(data=True))
        return GraphStats(nodes=dict(sorted(nodes.items())), relations=dict(sorted(rels.items())))


def _iso(value: Any) -> str:
    return value if isinstance(value, str) else str(value.isoformat()).replace("+00:00", "Z")


__all__ = ["EmbeddedStore", "Rejection", "record_in_force"]
