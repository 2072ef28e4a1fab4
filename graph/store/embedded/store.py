"""The embedded store: a compact graph in memory (compact.py), made durable by a journal on disk.

Open modes: the owner of a data directory (an exclusive lock; journal and snapshots),
``read_only`` beside an owner in another process (no lock; it follows the journal before each
read), and ``in_memory()`` (no directory: a staging area, nothing on disk).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import itertools
import threading
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

from graph.errors import InvalidInput, NotFound, StoreInUse, StoreUnavailable
from graph.ids import echo_safe
from graph.model import ENTITY_ADAPTER, Person
from graph.records import RECORD_ADAPTER, record_in_force
from graph.store import common
from graph.store.embedded import journal as files
from graph.store.embedded.compact import CONCERNS, ISSUED_BY, CompactGraph
from graph.store.embedded.journal import FileId, Journal, Tail
from graph.store.embedded.risk import EmbeddedRisk
from graph.store.embedded.search import EmbeddedSearch
from graph.store.embedded.traverse import EmbeddedTraversal, holds
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
    Rejection,
    UpsertResult,
)
from graph.vocabulary import ENTITY_LABELS, RECORD_LABELS, Label, RelType

_ENTITY_OR_CONTACT = {str(x) for x in ENTITY_LABELS} | {str(Label.CONTACT_POINT)}
_RECORD_KINDS = {str(x) for x in RECORD_LABELS}
_SNAPSHOT_VERSION = 2


class EmbeddedStore(common.ModelUpserts, EmbeddedTraversal, EmbeddedSearch, EmbeddedRisk):
    """GraphStore in memory; every acknowledged batch is in the fsynced journal.

    One process owns a data directory at a time (an exclusive lock file); others may open
    it ``read_only`` and see every batch the owner committed (never half of one).
    """

    backend = "embedded"

    def __init__(
        self,
        directory: Path | None,
        *,
        fsync: bool = True,
        compact_bytes: int = 256 << 20,
        read_only: bool = False,
    ):
        self._directory = directory
        self._read_only = read_only
        self._mutex = threading.RLock()
        self._compact_bytes = compact_bytes
        self._journal: Journal | None = None
        self._tail: Tail | None = None
        self._lock_handle: IO[str] | None = None
        self._g = CompactGraph()
        self._seq = 0
        self._snapshot_bytes = 0
        if directory is None:
            return
        if read_only:
            if not directory.is_dir():
                raise StoreUnavailable(f"{directory}: no graph here to open read-only")
            self._reload()
            return
        directory.mkdir(parents=True, exist_ok=True)
        self._owned = directory.resolve()
        with _OWNED_LOCK:
            if self._owned in _OWNED:
                raise StoreInUse(f"{directory} is in use by another credgraph process")
            self._lock_handle = open(directory / "LOCK", "a+")  # noqa: SIM115
            try:
                # a POSIX record lock: held by this process only, not by processes it forks
                # (a load's parse workers), and released when it dies; a POSIX lock does not
                # keep out the same process, hence the set of directories it owns
                fcntl.lockf(self._lock_handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                self._lock_handle.close()
                message = f"{directory} is in use by another credgraph process"
                raise StoreInUse(message) from exc
            _OWNED.add(self._owned)
        self._journal = Journal(directory, fsync=fsync)
        self._snapshot_bytes = _size(directory / files.SNAPSHOT)
        self._restore()

    @classmethod
    def in_memory(cls) -> EmbeddedStore:
        """A store with no directory: no journal, no fsync, gone when closed (for staging)."""
        return cls(None)

    @property
    def read_only(self) -> bool:
        """Whether this store only reads what another process writes."""
        return self._read_only

    def _restore(self) -> None:
        """Rebuild memory from the snapshot and the journal (at open, or after a failed write)."""
        assert self._directory is not None and self._journal is not None
        self._forget_names()
        with _no_gc():
            self._load_snapshot()
            entries, good_end = self._journal.read()
            for entry in entries:
                self._replay(entry)
        self._journal.cut(good_end)

    def _load_snapshot(self) -> None:
        assert self._directory is not None
        chunks = files.read_snapshot(self._directory)
        head = next(chunks, None)
        if head is None:
            self._g, self._seq = CompactGraph(), 0
            if (self._directory / files.LEGACY_SNAPSHOT).exists():
                self._load_legacy_snapshot()
            return
        if head.get("version") != _SNAPSHOT_VERSION:
            raise StoreUnavailable(f"{self._directory}: snapshot version {head.get('version')}")
        self._g, head = CompactGraph.from_chunks(itertools.chain([head], chunks))
        self._seq = int(head["seq"])

    def _replay(self, entry: dict[str, Any]) -> None:
        """Apply one journal batch written after the snapshot (older ones are in it)."""
        if entry["seq"] <= self._seq:
            return
        if entry["seq"] != self._seq + 1:
            raise StoreUnavailable(f"journal: batch {entry['seq']} after {self._seq}")
        if "ops" in entry:
            self._apply_legacy(entry["ops"])
        else:
            write, at, items = entry["write"], entry["at"], entry["items"]
            create_only = bool(entry.get("create_only"))
            stamp = self._g.stamp_id(at)
            for item in items:
                if write == "entities":
                    self._put_entity(item, create_only, stamp)
                elif write == "relations":
                    self._g.put_rel(item, at, create_only)
                else:
                    self._put_record(item, stamp)
        self._seq = entry["seq"]

    # -- read-only: follow the owner -------------------------------------------------------
    def _reload(self) -> None:
        """(read-only) Load the snapshot and the journal after it, as the owner left them."""
        assert self._directory is not None
        for _ in range(20):  # the owner may replace the files while we read them
            if self._tail is not None:
                self._tail.close()
            self._forget_names()
            snapshot = FileId.of(self._directory / files.SNAPSHOT)
            with _no_gc():
                self._load_snapshot()
            self._tail = Tail(self._directory)
            if FileId.of(self._directory / files.SNAPSHOT) != snapshot:
                continue
            try:
                self._follow()
            except StoreUnavailable:
                if self._tail.replaced():
                    continue
                raise
            return
        raise StoreUnavailable(f"{self._directory}: changing too fast to open read-only")

    def _follow(self) -> None:
        """(read-only) Apply the batches appended since the last look."""
        assert self._tail is not None
        for entry in self._tail.read():
            self._replay(entry)

    def _sync(self) -> None:
        """(read-only) Catch up with the owner before a read: new batches, or new files."""
        if self._tail is None:
            return
        assert self._directory is not None
        self._follow()
        if not self._tail.replaced():
            return
        self._follow()  # the rest of the old journal, then the new one if it follows on
        head = next(files.read_snapshot(self._directory), None)
        if head is not None and head.get("seq") == self._seq:
            self._tail.close()
            self._tail = Tail(self._directory)
            with contextlib.suppress(StoreUnavailable):
                self._follow()
                return
        self._reload()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[CompactGraph]:
        """The mutex, held while the graph is read, after catching up (read-only)."""
        with self._mutex:
            self._sync()
            yield self._g

    def _writable(self) -> None:
        if self._read_only:
            raise StoreUnavailable(
                "the store is open read-only (another process owns the data directory)"
            )

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        """Snapshot what the journal holds, then release the files and the lock."""
        with self._mutex:
            if self._journal is not None:
                if self._journal.size():
                    self._compact()
                self._journal.close()
            if self._tail is not None:
                self._tail.close()
            if self._lock_handle is not None and not self._lock_handle.closed:
                self._lock_handle.close()
                with _OWNED_LOCK:
                    _OWNED.discard(self._owned)

    def _abandon(self) -> None:
        """Let go of the files as a crash would: no snapshot (for tests of recovery)."""
        if self._journal is not None:
            self._journal.close()
        if self._lock_handle is not None:
            self._lock_handle.close()
            with _OWNED_LOCK:
                _OWNED.discard(self._owned)

    def _compact(self) -> None:
        """Snapshot the graph and start an empty journal. Between compactions the journal may
        grow to twice the last snapshot, so a long load snapshots a few times, not once per
        compact_bytes (each snapshot writes the whole graph: amortised, linear in the load)."""
        assert self._journal is not None and self._directory is not None
        self._journal.compact(self._g.chunks({"version": _SNAPSHOT_VERSION, "seq": self._seq}))
        self._snapshot_bytes = _size(self._directory / files.SNAPSHOT)

    def init_schema(self) -> list[str]:
        """Nothing to create: ids are unique by construction of the graph's node keys."""
        return []

    def check_schema(self) -> list[str]:
        """Always ready."""
        return []

    # -- writes ----------------------------------------------------------------------------
    def write_entities(self, items: Sequence[Props], *, create_only: bool = False) -> UpsertResult:
        """``upsert_entities`` for items in their stored form."""
        with self._mutex:
            self._writable()
            labels = self._g.labels([item["id"] for item in items])
            ok, rejected = common.check_entity_labels(items, labels)
            at = _iso(common.now())
            outcomes: list[Outcome] = ["rejected"] * len(items)
            done: list[Props] = []
            with self._rollback():
                stamp = self._g.stamp_id(at)
                for index, item in ok:
                    outcome = outcomes[index] = self._put_entity(item, create_only, stamp)
                    if outcome != "unchanged":
                        done.append(item)
                self._commit("entities", done, at, create_only)
            return UpsertResult.of(outcomes, rejected)

    def write_relations(self, items: Sequence[Props], *, create_only: bool = False) -> UpsertResult:
        """``upsert_relations`` for items in their stored form."""
        with self._mutex:
            self._writable()
            labels = self._g.labels(common.relation_ids(items))
            ok, rejected = common.check_relations(items, labels)
            at = _iso(common.now())
            outcomes: list[Outcome] = ["rejected"] * len(items)
            done: list[Props] = []
            put = self._g.put_rel
            with self._rollback():
                for index, rel in ok:
                    outcome = outcomes[index] = put(rel, at, create_only)
                    if outcome != "unchanged":
                        done.append(rel)
                self._commit("relations", done, at, create_only)
            return UpsertResult.of(outcomes, rejected)

    def write_records(self, items: Sequence[Props]) -> UpsertResult:
        """``upsert_records`` for items in their stored form."""
        with self._mutex:
            self._writable()
            labels = self._g.labels(common.record_ids(items))
            ok, rejected = common.check_records(items, labels)
            at = _iso(common.now())
            outcomes: list[Outcome] = ["rejected"] * len(items)
            done: list[Props] = []
            with self._rollback():
                stamp = self._g.stamp_id(at)
                for index, record in ok:
                    outcome = outcomes[index] = self._put_record(record, stamp)
                    if outcome != "unchanged":
                        done.append(record)
                self._commit("records", done, at, False)
            return UpsertResult.of(outcomes, rejected)

    def _put_entity(self, item: Props, create_only: bool, stamp: int) -> Outcome:
        props = item
        if not create_only and self._renamable(item):
            props = dict(item)
            self._keep_former_names(props)
        outcome, before = self._g.put_node(props, stamp, create_only)
        renamed = before is None or any(
            k in props and props[k] != before.get(k) for k in ("name", "former_names")
        )
        if self._name_index is not None and outcome != "unchanged" and renamed:
            self._names_changed(props["id"], props)
        return outcome

    def _put_record(self, record: Props, stamp: int) -> Outcome:
        outcome, before = self._g.put_node(record, stamp, False)
        moved = self._g.link_record(
            record["id"], record["subject_id"], record.get("issuer_id"), before
        )
        return "updated" if outcome == "unchanged" and moved else outcome

    @contextlib.contextmanager
    def _rollback(self) -> Iterator[None]:
        """A batch that fails half way leaves memory as the disk has it (reloaded)."""
        try:
            yield
        except Exception:
            if self._journal is not None:
                self._restore()
            raise

    def _commit(self, write: str, items: list[Props], at: str, create_only: bool) -> None:
        if not items or self._journal is None:
            return
        entry = {"seq": self._seq + 1, "write": write, "at": at, "items": items}
        if create_only:
            entry["create_only"] = True
        try:
            self._journal.append(entry)
        except OSError as exc:  # memory is ahead of the disk: roll back by reloading
            self._restore()
            raise StoreUnavailable(f"journal write failed, batch not accepted: {exc}") from exc
        self._seq += 1
        if self._journal.size() > max(self._compact_bytes, 2 * self._snapshot_bytes):
            self._compact()

    # -- the format before the compact graph (networkx; a journal of physical operations) --
    def _load_legacy_snapshot(self) -> None:
        import pickle

        assert self._directory is not None
        with open(self._directory / files.LEGACY_SNAPSHOT, "rb") as handle:
            seq, state = pickle.load(handle)
        ops: list[list[Any]] = [["node", n, p] for n, p in state.nodes(data=True)]
        ops += [["edge", s, t, k, p] for s, t, k, p in state.edges(keys=True, data=True)]
        self._apply_legacy(ops)
        self._seq = int(seq)

    def _apply_legacy(self, ops: list[list[Any]]) -> None:
        g = self._g
        for op in ops:
            if op[0] == "node":
                props = {"id": op[1], **op[2]}
                g.put_node(props, g.stamp_id(props.get("loaded_at") or ""), False)
            elif op[0] == "edge" and op[4]["type"] in (CONCERNS, ISSUED_BY):
                g.add_link(op[4]["type"], op[1], op[2])
            elif op[0] == "edge":
                g.put_rel({**op[4], "source_id": op[1], "target_id": op[2]}, "", False)
            elif op[0] == "del_edge":
                g.remove_link(op[3].split(common.SEP)[0], op[1], op[2])

    # -- reads -----------------------------------------------------------------------------
    def _entity_props(self, g: CompactGraph, entity_id: str) -> dict[str, Any]:
        props = g.node(entity_id) if g.label(entity_id) in _ENTITY_OR_CONTACT else None
        if props is None:
            raise NotFound(f"no entity with id {echo_safe(entity_id)!r}")
        return props

    def get_entity(
        self, entity_id: str, *, as_of: date | None = None, record_limit: int = 100
    ) -> EntityDetail:
        """The entity with its records, newest decision first."""
        if record_limit < 0:
            raise InvalidInput("record_limit: must not be negative", field="record_limit")
        with self._reading() as g:
            entity = ENTITY_ADAPTER.validate_python(self._entity_props(g, entity_id))
            rows = [g.node(rid) or {} for rid in g.records_concerning(entity_id)]
        rows.sort(key=lambda p: p["id"])
        rows.sort(key=lambda p: p.get("decision_date") or "", reverse=True)
        views = []
        for props in rows[:record_limit]:
            record = RECORD_ADAPTER.validate_python(props)
            views.append(RecordView(record=record, in_force=record.in_force_on(as_of)))
        return EntityDetail(entity=entity, records=views, record_total=len(rows), as_of=as_of)

    def get_record(self, record_id: str) -> RecordItem:
        """One record by id."""
        with self._reading() as g:
            props = g.node(record_id) if g.label(record_id) in _RECORD_KINDS else None
            if props is None:
                raise NotFound(f"no record with id {echo_safe(record_id)!r}")
            return RECORD_ADAPTER.validate_python(props)

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
        with self._reading() as g:
            self._entity_props(g, entity_id)
            found: list[tuple[str, str, str, dict[str, Any]]] = []
            edges = []
            if direction in ("out", "both"):
                edges += [(r, "out", r[1]) for r in g.out_rels(entity_id) if r[2] in types]
            if direction in ("in", "both"):
                edges += [(r, "in", r[0]) for r in g.in_rels(entity_id) if r[2] in types]
            for rel, way, other in edges:
                data = g.rel_props(rel)
                if holds(data, day):
                    found.append(
                        (common.sort_key(data["type"], other, data["key"], way), way, other, data)
                    )
            page = sorted(found, key=lambda f: f[0])
            page = [f for f in page if after is None or f[0] > after]
            items = [
                self._neighbour(g, entity_id, way, other, data)
                for _, way, other, data in page[:limit]
            ]
        more = common.encode_cursor(page[limit - 1][0]) if len(page) > limit else None
        return NeighbourPage(entity_id=entity_id, total=len(found), items=items, next_cursor=more)

    def _neighbour(
        self, g: CompactGraph, centre: str, way: str, other: str, data: dict[str, Any]
    ) -> Neighbour:
        source, target = (centre, other) if way == "out" else (other, centre)
        props = g.node(other) or {}
        node = NodeSummary(
            id=other,
            label=Label(str(props.get("label") or props.get("kind"))),
            name=common.neighbour_name(props),
        )
        return Neighbour(
            relation=common.relation_from(data, source, target), direction=way, node=node
        )

    def find_persons(self, names: Sequence[str]) -> dict[str, list[Person]]:
        """Persons by exact name, from an in-memory name index."""
        found: dict[str, list[Person]] = {}
        with self._reading() as g:
            for name in set(names):
                ids = sorted(g.lookup("person_name", name))
                if ids:
                    found[name] = [Person.model_validate(g.node(i)) for i in ids]
        return found

    def find_by_code(self, field: CodeField, values: Sequence[str]) -> dict[str, list[str]]:
        """Ids of organisations by a legacy code, from the in-memory lookup."""
        if field not in CODE_FIELDS:
            raise InvalidInput(f"field: not a code field: {field!r}", field="field")
        with self._reading() as g:
            found = {v: sorted(g.lookup(field, v)) for v in set(values)}
        return {v: ids for v, ids in found.items() if ids}

    def iter_items(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every node as ("node", props) and every relation as ("edge", props with source_id
        and target_id), in their stored form (for export, e.g. a Neo4j bulk import)."""
        with self._reading() as g:
            yield from (("node", props) for _, props in g.iter_nodes())
            for rel in g.iter_rels():
                yield "edge", {**g.rel_props(rel), "source_id": rel[0], "target_id": rel[1]}
            for rel_type, record_id, target in g.iter_links():
                link = {"type": rel_type, "key": "", "source_id": record_id, "target_id": target}
                yield "edge", link

    def stats(self) -> GraphStats:
        """Counts of nodes by label and relations by type."""
        with self._reading() as g:
            nodes, rels = +g.node_counts, +g.rel_counts
        return GraphStats(nodes=dict(sorted(nodes.items())), relations=dict(sorted(rels.items())))


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """No cyclic garbage collection while millions of objects are loaded (none is garbage;
    each collection would walk them all again)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_OWNED: set[Path] = set()  # data directories a store of this process owns
_OWNED_LOCK = threading.Lock()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _iso(value: Any) -> str:
    return value if isinstance(value, str) else str(value.isoformat()).replace("+00:00", "Z")


__all__ = ["EmbeddedStore", "Rejection", "record_in_force"]
