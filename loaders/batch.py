"""One batch of parsed rows written to a store: unique items, resolution, per-row outcomes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from graph.store.common import identity
from graph.store.protocol import GraphStore, UpsertResult
from loaders.base import Parsed
from loaders.items import Item
from loaders.resolve import Resolution

_PROVENANCE = {"source_file", "source_row", "loaded_at"}


@dataclass
class Pending:
    """A parsed row waiting for its batch to be written."""

    number: int
    cells: list[str]
    parsed: Parsed


class Batch:
    """One batch written to the store: unique items, and for each row its problem or outcome."""

    def __init__(self, store: GraphStore, batch: list[Pending]) -> None:
        self.resolution = res = Resolution(
            store,
            [e for p in batch for e in p.parsed.entities],
            [(p.parsed.primary, p.parsed.relations) for p in batch],
        )
        self.problems: dict[int, tuple[str, str]] = {}
        entities = _Unique()  # the facts rows are about
        relations = _Unique()
        records = _Unique()
        mentioned = _Unique(merge=False)  # rows merely mention: created if missing
        linked = _Unique(merge=False)
        same = res.same
        for pos, pending in enumerate(batch):
            kind, key = pending.parsed.primary
            for entity in pending.parsed.entities:
                node_id = entity["id"]
                if node_id in same:
                    continue
                target = entities if (kind, key) == ("entity", node_id) else mentioned
                target.add((node_id, entity["label"]), entity, pos)
            for rel in pending.parsed.relations:
                rel_key = identity(rel)
                fact = (kind, key) == ("relation", rel_key)
                if same:
                    rel = _remap_relation(rel, res)
                    rel_key = identity(rel)
                (relations if fact else linked).add(rel_key, rel, pos)
            for record in pending.parsed.records:
                subject = same.get(record["subject_id"]) if same else None
                if subject is not None:
                    record = Item(record, subject_id=subject)
                records.add(record["id"], record, pos)
        mentioned.drop(entities.keys)
        linked.drop(relations.keys)
        updates = _Unique()  # role changes decided against the store: written as facts
        for pos, rel in res.updates:
            updates.add(identity(rel), rel, pos)
        self.results = {
            "entity": self._write(entities, store.write_entities, "entity"),
            "mentioned": self._write(
                mentioned, partial(store.write_entities, create_only=True), "entity"
            ),
            "update": self._write(updates, store.write_relations, "relation"),
            "linked": self._write(
                linked, partial(store.write_relations, create_only=True), "relation"
            ),
            "relation": self._write(relations, store.write_relations, "relation"),
            "record": self._write(records, store.write_records, "record"),
        }
        if res.possible:
            store.write_relations(res.possible, create_only=True)
        self.index: dict[str, _Unique] = {
            "entity": entities,
            "relation": relations,
            "record": records,
        }
        self.batch = batch
        self._entity_keys: dict[str, Any] | None = None

    def _write(self, unique: _Unique, upsert: Any, kind: str) -> UpsertResult:
        result: UpsertResult = upsert(unique.items)
        for rejection in result.rejected:
            for pos in unique.rows[rejection.index]:
                field = f"{kind}.{rejection.field}" if rejection.field else kind
                self.problems.setdefault(pos, (field, rejection.reason))
        return result

    def outcome(self, pos: int) -> str:
        """``loaded`` when the row's main fact was created or changed by this row, else merged."""
        kind, key = self.batch[pos].parsed.primary
        res = self.resolution
        if kind == "entity":
            if self._entity_keys is None:
                self._entity_keys = {k[0]: k for k in self.index["entity"].keys}
            key = self._entity_keys.get(res.node(key), key)
        elif kind == "relation":
            key = (key[0], res.node(key[1]), res.node(key[2]), key[3])
        unique = self.index[kind]
        item = unique.keys.get(key)
        if item is None:
            return "merged"
        first = unique.rows[item][0] == pos
        changed = self.results[kind].outcomes[item] in ("created", "updated")
        return "loaded" if first and changed else "merged"


def _remap_relation(rel: Item, res: Resolution) -> Item:
    source, target = res.node(rel["source_id"]), res.node(rel["target_id"])
    if (source, target) == (rel["source_id"], rel["target_id"]):
        return rel
    return Item(rel, source_id=source, target_id=target)


class _Unique:
    """Items of a batch made unique by key; later copies fill in fields the first lacked."""

    def __init__(self, *, merge: bool = True) -> None:
        self.merge = merge
        self.items: list[Item] = []
        self.rows: list[list[int]] = []
        self.keys: dict[Any, int] = {}

    def add(self, key: Any, item: Item, pos: int) -> None:
        index = self.keys.get(key)
        if index is None:
            self.keys[key] = len(self.items)
            self.items.append(item)
            self.rows.append([pos])
            return
        if self.rows[index][-1] != pos:
            self.rows[index].append(pos)
        first = self.items[index]
        if not self.merge or first is item:
            return
        extra = {k: v for k, v in item.items() if k not in first and k not in _PROVENANCE}
        if extra:
            self.items[index] = Item(first, **extra)

    def drop(self, keys: Iterable[Any]) -> None:
        """Forget the items under ``keys`` (another set writes them)."""
        gone = {self.keys[k] for k in keys if k in self.keys}
        if not gone:
            return
        kept = [i for i in range(len(self.items)) if i not in gone]
        renumber = {old: new for new, old in enumerate(kept)}
        self.items = [self.items[i] for i in kept]
        self.rows = [self.rows[i] for i in kept]
        self.keys = {k: renumber[i] for k, i in self.keys.items() if i in renumber}
