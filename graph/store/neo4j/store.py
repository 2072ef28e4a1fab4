"""The Neo4j store: the official driver, named parameterised Cypher, batched UNWIND upserts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar

import neo4j
from neo4j import GraphDatabase, ManagedTransaction
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConstraintError,
    ServiceUnavailable,
    SessionExpired,
)

from graph.errors import InvalidInput, NotFound, QueryTimeout, StoreUnavailable
from graph.ids import echo_safe
from graph.model import ENTITY_ADAPTER, Person
from graph.records import RECORD_ADAPTER
from graph.schema import RETIRED, SCHEMA, drop_statement
from graph.store import common
from graph.store.common import DATE_FIELDS
from graph.store.neo4j.cypher import statement, with_labels, with_type
from graph.store.neo4j.risk import Neo4jRisk
from graph.store.neo4j.search import Neo4jSearch
from graph.store.neo4j.traverse import Neo4jTraversal, concrete, native
from graph.store.protocol import (
    CODE_FIELDS,
    CodeField,
    Direction,
    EntityDetail,
    GraphStats,
    Neighbour,
    NeighbourPage,
    NodeSummary,
    Outcome,
    Props,
    RecordItem,
    RecordView,
    UpsertResult,
)
from graph.vocabulary import NODE_LABELS, Label, RelType, umbrella_labels

S = TypeVar("S")
_UMBRELLA = [str(Label.NODE), str(Label.ENTITY), str(Label.RECORD)]
_RENAMABLE = (str(Label.ENTERPRISE), str(Label.SOCIAL_ORGANIZATION))
_STRUCTURAL = ("source_id", "target_id", "loaded_at")


@lru_cache(maxsize=64)
def _iso(moment: datetime) -> str:
    """A timestamp as ISO text for Cypher's datetime(): the driver's own temporal packing
    costs ~0.2 ms per value (measured), and a load stamps every item with the same moment."""
    return moment.isoformat()


def _stored(item: Props) -> dict[str, Any]:
    """An item's properties as Neo4j keeps them: dates as dates (Cypher compares them with
    ``$as_of``), no endpoints, no loaded_at (set once, on create)."""
    props = {k: v for k, v in item.items() if k not in _STRUCTURAL}
    for key in DATE_FIELDS.intersection(props):
        props[key] = date.fromisoformat(props[key])
    return props


@dataclass(frozen=True)
class _Node:
    """A node as nodes_of read it: concrete label, properties, a record's link targets."""

    label: str
    props: dict[str, Any]
    concerns: list[str] | None
    issued_by: list[str] | None

    def links(self) -> list[str | None]:
        """[subject id, issuer id or None] when the record has exactly one of each at most."""
        concerns, issued_by = self.concerns or [], self.issued_by or []
        if len(concerns) != 1 or len(issued_by) > 1:
            return ["", ""]  # never equal to a record's links: relink
        return [concerns[0], issued_by[0] if issued_by else None]


def _same(old: dict[str, Any], props: dict[str, Any]) -> bool:
    """Whether writing ``props`` onto ``old`` (SET +=) would change nothing."""
    return all(k in old and old[k] == v for k, v in props.items())


@dataclass
class _Copies:
    """An item of a chunk with its repeats: the first copy's index and properties, the
    properties of all copies merged in order, and the last copy (whose links win)."""

    index: int
    first: dict[str, Any]
    merged: dict[str, Any]
    last: Props


def _unique(
    ok: Sequence[tuple[int, Props]],
    key: Callable[[Props], Any],
    stored: Callable[[int, Props], dict[str, Any]],
    create_only: bool,
) -> dict[Any, _Copies]:
    """The chunk's items by key, repeats merged (create_only: the first copy wins)."""
    unique: dict[Any, _Copies] = {}
    for index, item in ok:
        props = stored(index, item)
        copies = unique.get(key(item))
        if copies is None:
            unique[key(item)] = _Copies(index, props, dict(props), item)
        elif not create_only:
            copies.merged.update(props)
            copies.last = item
    return unique


class Neo4jStore(common.ModelUpserts, Neo4jTraversal, Neo4jSearch, Neo4jRisk):
    """GraphStore on a Neo4j 5 server; reads run in read transactions (cluster routing)."""

    backend = "neo4j"

    def __init__(
        self,
        uri: str,
        auth: tuple[str, str] | None,
        *,
        database: str = "neo4j",
        batch_size: int = 5000,
        fetch_size: int = 1000,
        query_timeout: float | None = None,
        connect_timeout: float = 3.0,
    ) -> None:
        # server notifications off: typed patterns name relation types a graph may not have
        # yet, and the driver would log a warning with the whole statement on every call
        self._driver = GraphDatabase.driver(
            uri,
            auth=auth,
            fetch_size=fetch_size,
            notifications_min_severity=neo4j.NotificationMinimumSeverity.OFF,
            # fail fast when the server is down: a question must not wait 30 s to hear it
            connection_timeout=connect_timeout,
            connection_acquisition_timeout=connect_timeout * 2,
        )
        self._timeout = query_timeout
        self._database = database
        self._batch_size = batch_size
        with self._errors():
            self._driver.verify_connectivity()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except (ServiceUnavailable, SessionExpired, AuthError) as exc:
            raise StoreUnavailable(f"Neo4j is not available: {exc}") from exc
        except ClientError as exc:
            if "TransactionTimedOut" in (exc.code or ""):
                raise QueryTimeout(
                    f"the question ran past the time limit of {self._timeout} s and was cut"
                ) from exc
            raise

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        """One read in an auto-commit transaction routed to a reader.

        Measured: half the round trips of a managed transaction (no BEGIN/COMMIT), which
        took an approval check from 6 to 4.4 ms. Reads are not retried on transient errors;
        a caller sees StoreUnavailable or the server's error and may ask again.
        """
        with (
            self._errors(),
            self._driver.session(
                database=self._database, default_access_mode=neo4j.READ_ACCESS
            ) as session,
        ):
            return list(session.run(neo4j.Query(query, timeout=self._timeout), params))

    def _write(
        self, items: Sequence[S], work: Callable[[ManagedTransaction, Sequence[S]], UpsertResult]
    ) -> UpsertResult:
        """Run ``work`` over chunks of batch_size items, one transaction each.

        Rejection indexes are made relative to the whole of ``items``.
        """
        total = UpsertResult()
        with self._errors(), self._driver.session(database=self._database) as session:
            for start in range(0, len(items), self._batch_size):
                chunk = items[start : start + self._batch_size]
                result = self._write_chunk(session, work, chunk)
                for rejection in result.rejected:
                    rejection.index += start
                total = total + result
        return total

    @staticmethod
    def _write_chunk(
        session: neo4j.Session,
        work: Callable[[ManagedTransaction, Sequence[S]], UpsertResult],
        chunk: Sequence[S],
    ) -> UpsertResult:
        """One chunk in one write transaction. The statements CREATE what the transaction's
        own read found absent; should another writer create one of those ids in between,
        the uniqueness constraint fails the transaction, and it runs again (reading anew)."""
        for attempt in range(3):
            try:
                return session.execute_write(work, chunk)
            except ConstraintError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the driver and its connection pool."""
        self._driver.close()

    # -- schema ----------------------------------------------------------------------------
    def init_schema(self) -> list[str]:
        """Create every constraint and index that is missing, then wait until all are online."""
        with self._errors():
            for name in RETIRED:
                self._driver.execute_query(drop_statement(name), database_=self._database)
            for item in SCHEMA:
                self._driver.execute_query(item.statement(), database_=self._database)
            self._driver.execute_query(
                statement("await_indexes"), {"seconds": 300}, database_=self._database
            )
        return [item.name for item in SCHEMA]

    def check_schema(self) -> list[str]:
        """Names of schema items missing or not ONLINE."""
        online = {
            r["name"] for r in self._read(statement("check_schema")) if r["state"] == "ONLINE"
        }
        return [item.name for item in SCHEMA if item.name not in online]

    # -- writes ----------------------------------------------------------------------------
    # Each chunk is one transaction. Entities and records: the ids found absent by the
    # chunk's own read (labels_of / nodes_of) are CREATEd (no MERGE, no comparison);
    # existing ones are compared (entities on the server, records in Python) and SET only
    # when they change. Relations: one statement per type, CREATE when absent, else compare
    # and SET. Rows are compact lists, loaded_at is parsed once per statement.

    def _labels(self, tx: ManagedTransaction, ids: Sequence[str]) -> dict[str, str]:
        record = tx.run(statement("labels_of"), ids=list(ids), umbrella=_UMBRELLA).single()
        return dict(zip(record["ids"], record["labels"], strict=True)) if record else {}

    @staticmethod
    def _nodes(
        tx: ManagedTransaction, ids: Sequence[str], *, links: bool = False
    ) -> dict[str, _Node]:
        """The existing nodes among ``ids``: concrete label, properties, record link targets."""
        record = tx.run(
            statement("nodes_of"), ids=list(dict.fromkeys(ids)), umbrella=_UMBRELLA, links=links
        ).single(strict=True)
        return {row[0]: _Node(*row[1:]) for row in record["nodes"]}

    @staticmethod
    def _repeat_outcomes(
        ok: Sequence[tuple[int, Props]],
        outcomes: list[Outcome],
        key: Callable[[Props], Any],
        create_only: bool = False,
    ) -> None:
        """Outcomes of items repeated within one batch, as if written one after another.

        The first copy of an item is compared with the stored state; a repeat is
        ``unchanged`` when it adds nothing new to what the earlier copies wrote, and
        ``updated`` otherwise (like the embedded store).
        """
        merged: dict[Any, dict[str, Any]] = {}
        for index, item in ok:
            props = {k: v for k, v in item.items() if k not in _STRUCTURAL}
            earlier = merged.get(key(item))
            if earlier is None:
                merged[key(item)] = props
                continue
            same = create_only or all(k in earlier and earlier[k] == v for k, v in props.items())
            outcomes[index] = "unchanged" if same else "updated"
            earlier.update(props)

    @staticmethod
    def _run_group(tx: ManagedTransaction, query: str, rows: list[Any], **params: Any) -> None:
        """Run one write statement over its rows (nothing is streamed back)."""
        if rows:
            tx.run(query, rows=rows, **params).consume()

    def write_entities(self, items: Sequence[Props], *, create_only: bool = False) -> UpsertResult:
        """``upsert_entities`` for items in their stored form."""
        stamp = _iso(common.now())

        def work(tx: ManagedTransaction, items: Sequence[Props]) -> UpsertResult:
            labels = self._labels(tx, [item["id"] for item in items])
            ok, rejected = common.check_entity_labels(items, labels)
            outcomes: list[Outcome] = ["rejected"] * len(items)
            former = {} if create_only else self._former_names(tx, ok, labels)

            def stored(index: int, item: Props) -> dict[str, Any]:
                props = _stored(item)
                if index in former:
                    props["former_names"] = former[index]
                return props

            created: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
            existing: dict[str, list[list[Any]]] = defaultdict(list)
            unique = _unique(ok, lambda item: item["id"], stored, create_only)
            first: dict[str, int] = {}
            for node_id, copies in unique.items():
                item = items[copies.index]
                if node_id not in labels:
                    outcomes[copies.index] = "created"
                    group = (item["label"], item.get("loaded_at") or stamp)
                    created[group].append(copies.merged)
                    continue
                outcomes[copies.index] = "unchanged"
                if not create_only:
                    first[node_id] = copies.index
                    merged = None if copies.merged == copies.first else copies.merged
                    existing[item["label"]].append([node_id, copies.first, merged])
            for (label, loaded_at), rows in created.items():
                query = with_labels("create_entities", umbrella_labels(Label(label)))
                self._run_group(tx, query, rows, loaded_at=loaded_at)
            for label, changes in existing.items():
                query = with_labels("upsert_entities", umbrella_labels(Label(label)))
                for node_id in tx.run(query, rows=changes).single(strict=True)["updated"]:
                    outcomes[first[node_id]] = "updated"
            self._repeat_outcomes(ok, outcomes, lambda item: item["id"], create_only)
            return UpsertResult.of(outcomes, rejected)

        return self._write(items, work)

    def _former_names(
        self, tx: ManagedTransaction, ok: Sequence[tuple[int, Props]], labels: dict[str, str]
    ) -> dict[int, list[str]]:
        """``_search_former_names`` with the stored names of the batch's existing organisations
        (read only when the batch has some)."""
        ids = sorted({item["id"] for _, item in ok if item["id"] in labels})
        wanted = [i for i in ids if labels[i] in _RENAMABLE]
        current = {
            row["id"]: {"name": row["name"], "former_names": row["former_names"]}
            for row in (tx.run(statement("search_former_names"), ids=wanted) if wanted else [])
        }
        return self._search_former_names(current, ok)

    def write_relations(self, items: Sequence[Props], *, create_only: bool = False) -> UpsertResult:
        """``upsert_relations`` for items in their stored form."""
        stamp = _iso(common.now())

        def stored(index: int, rel: Props) -> dict[str, Any]:
            props = _stored(rel)
            props.setdefault("key", "")
            return props

        def work(tx: ManagedTransaction, items: Sequence[Props]) -> UpsertResult:
            labels = self._labels(tx, common.relation_ids(items))
            ok, rejected = common.check_relations(items, labels)
            outcomes: list[Outcome] = ["rejected"] * len(items)
            groups: dict[tuple[str, str], list[_Copies]] = defaultdict(list)
            for copies in _unique(ok, common.identity, stored, create_only).values():
                rel = items[copies.index]
                groups[(rel["type"], rel.get("loaded_at") or stamp)].append(copies)
            for (rel_type, loaded_at), group in groups.items():
                rows = []
                for copies in group:
                    rel = items[copies.index]
                    merged = None if copies.merged == copies.first else copies.merged
                    ends = [rel["source_id"], rel["target_id"]]
                    rows.append([*ends, copies.first["key"], copies.first, merged])
                    outcomes[copies.index] = "unchanged"
                query = with_type("upsert_relations", RelType(rel_type))
                record = tx.run(
                    query, rows=rows, loaded_at=loaded_at, create_only=create_only
                ).single(strict=True)
                for i in record["created"]:
                    outcomes[group[i].index] = "created"
                for i in record["updated"]:
                    outcomes[group[i].index] = "updated"
            self._repeat_outcomes(ok, outcomes, common.identity, create_only)
            return UpsertResult.of(outcomes, rejected)

        return self._write(items, work)

    def write_records(self, items: Sequence[Props]) -> UpsertResult:
        """``upsert_records`` for items in their stored form; a record whose only change is
        its subject or issuer is ``updated`` (relinked), like the embedded store."""
        stamp = _iso(common.now())

        def work(tx: ManagedTransaction, items: Sequence[Props]) -> UpsertResult:
            record_ids = {item["id"] for item in items}
            current = self._nodes(tx, list(record_ids), links=True)
            labels = {node_id: node.label for node_id, node in current.items()}
            ends = [i for i in common.record_ids(items) if i not in record_ids]
            labels.update(self._labels(tx, ends))
            ok, rejected = common.check_records(items, labels)
            outcomes: list[Outcome] = ["rejected"] * len(items)
            created: dict[tuple[str, str], list[list[Any]]] = defaultdict(list)
            changed: list[list[Any]] = []
            unique = _unique(ok, lambda record: record["id"], lambda _, r: _stored(r), False)
            for node_id, copies in unique.items():
                record, node = items[copies.index], current.get(node_id)
                links = [copies.last["subject_id"], copies.last.get("issuer_id")]
                if node is None:
                    outcomes[copies.index] = "created"
                    group = created[(record["kind"], record.get("loaded_at") or stamp)]
                    group.append([copies.merged, *links])
                    continue
                first = [record["subject_id"], record.get("issuer_id")]
                same = _same(node.props, copies.first) and node.links() == first
                outcomes[copies.index] = "unchanged" if same else "updated"
                if not (_same(node.props, copies.merged) and node.links() == links):
                    changed.append([node_id, copies.merged, *links])
            for (kind, loaded_at), rows in created.items():
                query = with_labels("create_records", umbrella_labels(Label(kind)))
                self._run_group(tx, query, rows, loaded_at=loaded_at)
            self._run_group(tx, statement("upsert_records"), changed)
            self._repeat_outcomes(ok, outcomes, lambda record: record["id"])
            return UpsertResult.of(outcomes, rejected)

        return self._write(items, work)

    # -- reads -----------------------------------------------------------------------------
    def get_entity(
        self, entity_id: str, *, as_of: date | None = None, record_limit: int = 100
    ) -> EntityDetail:
        """The entity with its records, newest decision first."""
        if record_limit < 0:
            raise InvalidInput("record_limit: must not be negative", field="record_limit")
        rows = self._read(statement("get_entity"), id=entity_id, limit=record_limit)
        if not rows:
            raise NotFound(f"no entity with id {echo_safe(entity_id)!r}")
        entity = ENTITY_ADAPTER.validate_python(native(rows[0]["props"]))
        views = []
        for props in rows[0]["records"]:
            record = RECORD_ADAPTER.validate_python(native(props))
            views.append(RecordView(record=record, in_force=record.in_force_on(as_of)))
        return EntityDetail(
            entity=entity, records=views, record_total=rows[0]["total"], as_of=as_of
        )

    def get_record(self, record_id: str) -> RecordItem:
        """One record by id."""
        rows = self._read(statement("get_record"), id=record_id)
        if not rows:
            raise NotFound(f"no record with id {echo_safe(record_id)!r}")
        return RECORD_ADAPTER.validate_python(native(rows[0]["props"]))

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
        types = common.check_page(limit, direction, rel_types)
        after = common.decode_cursor(cursor)
        params = {"id": entity_id, "types": types, "direction": direction, "as_of": as_of}

        def work(tx: ManagedTransaction) -> tuple[list[Any], list[dict[str, Any]]]:
            count = list(tx.run(statement("neighbourhood_count"), params))
            page = tx.run(
                statement("neighbourhood"), params, after=after, limit=limit + 1, sep=common.SEP
            ).data()
            return count, page

        with (  # one explicit read transaction: no retries for 30 s while the server is down
            self._errors(),
            self._driver.session(
                database=self._database, default_access_mode=neo4j.READ_ACCESS
            ) as session,
            session.begin_transaction(timeout=self._timeout) as tx,
        ):
            count, page = work(tx)  # type: ignore[arg-type]
        if not count:
            raise NotFound(f"no entity with id {echo_safe(entity_id)!r}")
        items = []
        for link in page[:limit]:
            other = native(link["other"])
            way = link["way"]
            source, target = (entity_id, other["id"]) if way == "out" else (other["id"], entity_id)
            rel = common.relation_from(
                {**native(link["rel"]), "type": link["type"]}, source, target
            )
            label = Label(concrete(link["other_labels"]))
            node = NodeSummary(id=other["id"], label=label, name=common.neighbour_name(other))
            items.append(Neighbour(relation=rel, direction=way, node=node))
        more = common.encode_cursor(page[limit - 1]["sk"]) if len(page) > limit else None
        return NeighbourPage(
            entity_id=entity_id, total=count[0]["total"], items=items, next_cursor=more
        )

    def find_persons(self, names: Sequence[str]) -> dict[str, list[Person]]:
        """Persons by exact name (index on Entity.name)."""
        rows = self._read(statement("find_persons"), names=sorted(set(names)))
        return {r["name"]: [Person.model_validate(native(p)) for p in r["persons"]] for r in rows}

    def find_by_code(self, field: CodeField, values: Sequence[str]) -> dict[str, list[str]]:
        """Ids of organisations by a legacy code (indexed; the key is checked, then spliced)."""
        if field not in CODE_FIELDS:
            raise InvalidInput(f"field: not a code field: {field!r}", field="field")
        query = statement("find_by_code").replace("__FIELD__", field)
        rows = self._read(query, values=sorted(set(values)))
        return {r["value"]: r["ids"] for r in rows}

    def stats(self) -> GraphStats:
        """Counts of nodes by concrete label and relations by type (from the count store)."""
        nodes: dict[str, int] = {}
        for label in sorted(NODE_LABELS):
            count = self._read(with_labels("count_label", (label,)))[0]["n"]
            if count:
                nodes[str(label)] = count
        relations: dict[str, int] = {}
        for rel_type in sorted(RelType):
            count = self._read(with_type("count_type", rel_type))[0]["n"]
            if count:
                relations[str(rel_type)] = count
        return GraphStats(nodes=nodes, relations=relations)


__all__ = ["ClientError", "Neo4jStore"]
