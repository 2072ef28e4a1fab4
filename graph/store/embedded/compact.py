"""The embedded store's graph in memory, kept small: a few bytes per property, not a dict.

* A node is one ``bytes``: a 6-byte prefix (its layout: label and property names; its
  ``loaded_at`` as an index into the batch stamps) and the JSON array of its other values.
  Names, addresses and codes cost their UTF-8 bytes, not a Python object each.
* A relation is one tuple ``(source, target, type, key, layout, *values, loaded_at)`` whose
  strings are interned (authorities, posts, file names and the stamp are shared). Each node's
  relations out and in: the tuple itself when there is one, else a list of them.
* A record's CONCERNS and ISSUED_BY links are no objects at all: the records by subject
  (an id, or a list of ids) and by issuer (few issuers with many records: an ordered dict).
* Node ids are interned, so every reference to a node (relations, links, lookups) shares it.

Reads decode a node or relation into a fresh dict of its stored form.
"""

from __future__ import annotations

import struct
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any, NamedTuple

import orjson

from graph.store.protocol import Outcome, Props

Rel = tuple[Any, ...]  # (source, target, type, key, layout, *values, loaded_at)
Adjacent = Rel | list[Rel]
Ids = str | list[str]
Getter = Callable[[Props], tuple[Any, ...]]

_PREFIX = struct.Struct("<HI")  # node layout, loaded_at stamp
_SKIP_NODE = ("id", "loaded_at")
_SKIP_REL = ("source_id", "target_id", "type", "key", "loaded_at")
CONCERNS = "CONCERNS"
ISSUED_BY = "ISSUED_BY"
CODE_FIELDS = ("org_code", "registration_number")
PERSON = "Person"
intern = sys.intern


class NodeLayout(NamedTuple):
    """What a node's prefix stands for: its label (held in ``field``) and value names."""

    field: str  # "label" (entities, contact points) or "kind" (records)
    label: str
    keys: tuple[str, ...]


def _getter(keys: Sequence[str]) -> Getter:
    if len(keys) == 1:
        key = keys[0]
        return lambda item: (item[key],)
    if not keys:
        return lambda item: ()
    get: Getter = itemgetter(*keys)
    return get


class CompactGraph:
    """Nodes, relations, record links and code lookups in compact form (see the module)."""

    def __init__(self) -> None:
        self.nodes: dict[str, bytes] = {}
        self.out: dict[str, Adjacent] = {}
        self.into: dict[str, Adjacent] = {}
        self.concerns: dict[str, Ids] = {}  # subject id -> record ids
        self.issued: dict[str, dict[str, None]] = {}  # issuer id -> record ids, in order
        self.codes: dict[str, dict[str, Ids]] = {f: {} for f in (*CODE_FIELDS, "person_name")}
        self.node_layouts: list[NodeLayout] = []
        self.rel_layouts: list[tuple[str, ...]] = []
        self.stamps: list[str] = []
        self.node_counts: Counter[str] = Counter()
        self.rel_counts: Counter[str] = Counter()
        self._node_layout_ids: dict[NodeLayout, int] = {}
        self._rel_layout_ids: dict[tuple[str, ...], int] = {}
        self._stamp_ids: dict[str, int] = {}
        self._node_codecs: dict[
            tuple[str, ...], tuple[str, tuple[str, ...], Getter, dict[str, int]]
        ] = {}
        self._rel_codecs: dict[tuple[str, ...], tuple[int, Getter]] = {}

    # -- nodes -----------------------------------------------------------------------------
    def label(self, node_id: str) -> str | None:
        """The node's concrete label (records: their kind), or None when there is none."""
        blob = self.nodes.get(node_id)
        return None if blob is None else self.node_layouts[blob[0] | blob[1] << 8].label

    def labels(self, ids: Iterable[str]) -> dict[str, str]:
        """The labels of those ``ids`` that are nodes."""
        nodes, layouts = self.nodes, self.node_layouts
        return {
            node_id: layouts[blob[0] | blob[1] << 8].label
            for node_id in ids
            if (blob := nodes.get(node_id)) is not None
        }

    def node(self, node_id: str) -> dict[str, Any] | None:
        """The node's properties in their stored form (a fresh dict), or None."""
        blob = self.nodes.get(node_id)
        return None if blob is None else self.decode_node(node_id, blob)

    def decode_node(self, node_id: str, blob: bytes) -> dict[str, Any]:
        """A node's properties from its bytes."""
        layout_id, stamp = _PREFIX.unpack_from(blob)
        layout = self.node_layouts[layout_id]
        props = dict(zip(layout.keys, orjson.loads(memoryview(blob)[_PREFIX.size :]), strict=True))
        props["id"] = node_id
        props[layout.field] = layout.label
        props["loaded_at"] = self.stamps[stamp]
        return props

    def stamp_id(self, stamp: str) -> int:
        """The index of a ``loaded_at`` text among the stamps (added when new)."""
        found = self._stamp_ids.get(stamp)
        if found is None:
            found = self._stamp_ids[stamp] = len(self.stamps)
            self.stamps.append(stamp)
        return found

    def encode_node(self, props: Props, stamp: int) -> bytes:
        """A node's bytes from its stored properties (``id`` and ``loaded_at`` left out)."""
        shape = tuple(props)
        codec = self._node_codecs.get(shape)
        if codec is None:
            field = "label" if "label" in props else "kind"
            keys = tuple(k for k in shape if k not in _SKIP_NODE and k != field)
            codec = self._node_codecs[shape] = (field, keys, _getter(keys), {})
        field, keys, get, layout_ids = codec
        layout_id = layout_ids.get(props[field])
        if layout_id is None:
            layout = NodeLayout(field, intern(props[field]), keys)
            layout_id = self._node_layout_ids.get(layout)
            if layout_id is None:
                layout_id = self._node_layout_ids[layout] = len(self.node_layouts)
                self.node_layouts.append(layout)
            layout_ids[props[field]] = layout_id
        return _PREFIX.pack(layout_id, stamp) + orjson.dumps(get(props))

    def put_node(
        self, props: Props, stamp: int, create_only: bool
    ) -> tuple[Outcome, dict[str, Any] | None]:
        """Create or merge a node; the outcome and the properties it had before (or None)."""
        node_id = props["id"]
        blob = self.nodes.get(node_id)
        if blob is None:
            given = props.get("loaded_at")
            if given is not None:
                stamp = self.stamp_id(given)
            node_id = intern(node_id)
            new = self.nodes[node_id] = self.encode_node(props, stamp)
            self.node_counts[self.node_layouts[new[0] | new[1] << 8].label] += 1
            self._index(node_id, props, add=True)
            return "created", None
        if create_only:
            return "unchanged", None
        current = self.decode_node(node_id, blob)
        if all(current.get(k) == v for k, v in props.items() if k != "loaded_at"):
            return "unchanged", current
        merged = {**current, **props, "loaded_at": current["loaded_at"]}
        stamp = _PREFIX.unpack_from(blob)[1]
        self.nodes[node_id] = self.encode_node(merged, stamp)
        self._index(node_id, current, add=False)
        self._index(node_id, merged, add=True)
        return "updated", current

    def _index(self, node_id: str, props: Props, *, add: bool) -> None:
        """Keep the lookups (legacy codes, person names) in step with a node's properties."""
        for field in CODE_FIELDS:
            value = props.get(field)
            if value:
                _ids_change(self.codes[field], value, node_id, add)
        if props.get("label") == PERSON and props.get("name"):
            _ids_change(self.codes["person_name"], props["name"], node_id, add)

    def lookup(self, field: str, value: str) -> list[str]:
        """Ids of the nodes whose ``field`` (a code field or person_name) is ``value``."""
        return _ids_list(self.codes[field].get(value))

    # -- relations -------------------------------------------------------------------------
    def out_rels(self, node_id: str) -> Sequence[Rel]:
        """The node's relations out (not the record links)."""
        return _rels(self.out.get(node_id))

    def in_rels(self, node_id: str) -> Sequence[Rel]:
        """The node's relations in (not the record links)."""
        return _rels(self.into.get(node_id))

    def rel_props(self, rel: Rel) -> dict[str, Any]:
        """A relation's properties (type, key, the others, loaded_at) as a fresh dict."""
        props = dict(zip(self.rel_layouts[rel[4]], rel[5:], strict=True))
        props["type"] = rel[2]
        props["key"] = rel[3]
        return props

    def find_rel(self, source: str, target: str, rel_type: str, key: str) -> Rel | None:
        """The relation with this identity, looked for among the fewer of the two ends'."""
        outs, ins = self.out.get(source), self.into.get(target)
        if outs is None or ins is None:
            return None
        if not isinstance(outs, list):
            outs = [outs]
        if not isinstance(ins, list):
            ins = [ins]
        for rel in outs if len(outs) <= len(ins) else ins:
            if rel[0] == source and rel[1] == target and rel[2] == rel_type and rel[3] == key:
                return rel
        return None

    def encode_rel(self, item: Props, source: str, target: str, stamp: str) -> Rel:
        """A relation's tuple from its stored form; strings interned."""
        shape = tuple(item)
        codec = self._rel_codecs.get(shape)
        if codec is None:
            keys = tuple(k for k in shape if k not in _SKIP_REL)
            layout = (*keys, "loaded_at")
            layout_id = self._rel_layout_ids.get(layout)
            if layout_id is None:
                layout_id = self._rel_layout_ids[layout] = len(self.rel_layouts)
                self.rel_layouts.append(layout)
            codec = self._rel_codecs[shape] = (layout_id, _getter(keys))
        layout_id, get = codec
        values = [intern(v) if type(v) is str else v for v in get(item)]
        return (
            source,
            target,
            intern(item["type"]),
            intern(item.get("key", "")),
            layout_id,
            *values,
            intern(item.get("loaded_at") or stamp),
        )

    def put_rel(self, item: Props, stamp: str, create_only: bool) -> Outcome:
        """Create or merge a relation keyed by (type, source, target, key)."""
        source, target = intern(item["source_id"]), intern(item["target_id"])
        outs, ins = self.out.get(source), self.into.get(target)
        rel = None
        if outs is not None and ins is not None:
            rel = self.find_rel(source, target, item["type"], item.get("key", ""))
        if rel is None:
            rel = self.encode_rel(item, source, target, stamp)
            if outs is None:
                self.out[source] = rel
            elif isinstance(outs, list):
                outs.append(rel)
            else:
                self.out[source] = [outs, rel]
            if ins is None:
                self.into[target] = rel
            elif isinstance(ins, list):
                ins.append(rel)
            else:
                self.into[target] = [ins, rel]
            self.rel_counts[rel[2]] += 1
            return "created"
        if create_only:
            return "unchanged"
        current = self.rel_props(rel)
        props = {k: v for k, v in item.items() if k not in ("source_id", "target_id")}
        props.setdefault("key", "")
        if all(current.get(k) == v for k, v in props.items() if k != "loaded_at"):
            return "unchanged"
        merged = {**current, **props, "loaded_at": current["loaded_at"]}
        new = self.encode_rel(merged, source, target, current["loaded_at"])
        _adjacent_swap(self.out, source, rel, new)
        _adjacent_swap(self.into, target, rel, new)
        return "updated"

    def add_rel(self, rel: Rel) -> None:
        """Put a relation tuple in the adjacency (loading a snapshot)."""
        _adjacent_add(self.out, rel[0], rel)
        _adjacent_add(self.into, rel[1], rel)
        self.rel_counts[rel[2]] += 1

    # -- record links ----------------------------------------------------------------------
    def link_record(
        self, record_id: str, subject: str, issuer: str | None, before: Props | None
    ) -> bool:
        """Point the record's CONCERNS at ``subject`` and ISSUED_BY at ``issuer`` (or none);
        ``before``: the record's properties before this write. True if a link moved."""
        record_id = intern(record_id)
        moved = False
        old_subject = before.get("subject_id") if before is not None else None
        if old_subject != subject:
            if old_subject is not None and _ids_change(
                self.concerns, old_subject, record_id, add=False
            ):
                self.rel_counts[CONCERNS] -= 1
            _ids_change(self.concerns, intern(subject), record_id, add=True)
            self.rel_counts[CONCERNS] += 1
            moved = True
        old_issuer = before.get("issuer_id") if before is not None else None
        if old_issuer is not None and record_id not in self.issued.get(old_issuer, ()):
            old_issuer = None  # a later write without an issuer removed the link
        if old_issuer != issuer:
            if old_issuer is not None:
                del self.issued[old_issuer][record_id]
                self.rel_counts[ISSUED_BY] -= 1
            if issuer is not None:
                self.issued.setdefault(intern(issuer), {})[record_id] = None
                self.rel_counts[ISSUED_BY] += 1
            moved = True
        return moved

    def add_link(self, rel_type: str, record_id: str, target: str) -> None:
        """Add one record link (the legacy format's operations)."""
        record_id, target = intern(record_id), intern(target)
        if rel_type == CONCERNS:
            if record_id not in self.records_concerning(target):
                _ids_change(self.concerns, target, record_id, add=True)
                self.rel_counts[CONCERNS] += 1
        elif record_id not in self.issued.setdefault(target, {}):
            self.issued[target][record_id] = None
            self.rel_counts[ISSUED_BY] += 1

    def remove_link(self, rel_type: str, record_id: str, target: str) -> None:
        """Remove one record link (the legacy format's operations)."""
        if rel_type == CONCERNS:
            if _ids_change(self.concerns, target, record_id, add=False):
                self.rel_counts[CONCERNS] -= 1
        elif self.issued.get(target, {}).pop(record_id, 0) is None:
            self.rel_counts[ISSUED_BY] -= 1

    def records_concerning(self, node_id: str) -> list[str]:
        """Ids of the records whose subject is the node."""
        return _ids_list(self.concerns.get(node_id))

    def records_issued_by(self, node_id: str) -> list[str]:
        """Ids of the records the node issued."""
        return list(self.issued.get(node_id, ()))

    # -- everything ------------------------------------------------------------------------
    def iter_nodes(self, labels: frozenset[str] | None = None) -> Iterator[tuple[str, Props]]:
        """Every node (or those of ``labels``) with its properties."""
        layouts = self.node_layouts
        for node_id, blob in self.nodes.items():
            if labels is None or layouts[blob[0] | blob[1] << 8].label in labels:
                yield node_id, self.decode_node(node_id, blob)

    def iter_rels(self) -> Iterator[Rel]:
        """Every relation tuple (not the record links)."""
        for adjacent in self.out.values():
            if isinstance(adjacent, list):
                yield from adjacent
            else:
                yield adjacent

    def iter_links(self) -> Iterator[tuple[str, str, str]]:
        """Every record link as (type, record id, subject or issuer id)."""
        for subject, ids in self.concerns.items():
            for record_id in _ids_list(ids):
                yield CONCERNS, record_id, subject
        for issuer, records in self.issued.items():
            for record_id in records:
                yield ISSUED_BY, record_id, issuer

    def chunks(self, head: dict[str, Any], size: int = 200_000) -> Iterator[Any]:
        """The graph as snapshot chunks: a head, then nodes, relations, links and lookups."""
        yield {
            **head,
            "node_layouts": [tuple(x) for x in self.node_layouts],
            "rel_layouts": self.rel_layouts,
            "stamps": self.stamps,
        }
        ids = list(self.nodes)
        for at in range(0, len(ids), size):
            part = ids[at : at + size]
            yield ("nodes", part, [self.nodes[i] for i in part])
        del ids
        rels: list[Rel] = []
        for rel in self.iter_rels():
            rels.append(rel)
            if len(rels) == size:
                yield ("rels", rels)
                rels = []
        yield ("rels", rels)
        yield ("concerns", self.concerns)
        yield ("issued", self.issued)
        yield ("codes", self.codes)

    @classmethod
    def from_chunks(cls, chunks: Iterator[Any]) -> tuple[CompactGraph, dict[str, Any]]:
        """A graph from snapshot chunks (see ``chunks``); and the head."""
        graph = cls()
        head: dict[str, Any] = next(chunks)
        graph.node_layouts = [NodeLayout(*x) for x in head.pop("node_layouts")]
        graph._node_layout_ids = {x: i for i, x in enumerate(graph.node_layouts)}
        graph.rel_layouts = [tuple(x) for x in head.pop("rel_layouts")]
        graph._rel_layout_ids = {x: i for i, x in enumerate(graph.rel_layouts)}
        graph.stamps = head.pop("stamps")
        graph._stamp_ids = {x: i for i, x in enumerate(graph.stamps)}
        layouts = graph.node_layouts
        for chunk in chunks:
            if chunk[0] == "nodes":
                graph.nodes.update(zip(chunk[1], chunk[2], strict=True))
                graph.node_counts.update(layouts[b[0] | b[1] << 8].label for b in chunk[2])
            elif chunk[0] == "rels":
                out, into = graph.out, graph.into
                for rel in chunk[1]:  # _adjacent_add, inlined: millions of relations
                    have = out.get(rel[0])
                    if have is None:
                        out[rel[0]] = rel
                    elif isinstance(have, list):
                        have.append(rel)
                    else:
                        out[rel[0]] = [have, rel]
                    have = into.get(rel[1])
                    if have is None:
                        into[rel[1]] = rel
                    elif isinstance(have, list):
                        have.append(rel)
                    else:
                        into[rel[1]] = [have, rel]
                graph.rel_counts.update(rel[2] for rel in chunk[1])
            elif chunk[0] == "concerns":
                graph.concerns = chunk[1]
                graph.rel_counts[CONCERNS] = sum(len(_ids_list(v)) for v in chunk[1].values())
            elif chunk[0] == "issued":
                graph.issued = chunk[1]
                graph.rel_counts[ISSUED_BY] = sum(len(v) for v in chunk[1].values())
            elif chunk[0] == "codes":
                graph.codes = chunk[1]
        graph.rel_counts = +graph.rel_counts
        return graph, head


def _rels(adjacent: Adjacent | None) -> Sequence[Rel]:
    if adjacent is None:
        return ()
    return adjacent if isinstance(adjacent, list) else (adjacent,)


def _adjacent_add(adjacency: dict[str, Adjacent], node_id: str, rel: Rel) -> None:
    have = adjacency.get(node_id)
    if have is None:
        adjacency[node_id] = rel
    elif type(have) is list:
        have.append(rel)
    else:
        adjacency[node_id] = [have, rel]  # type: ignore[list-item]


def _adjacent_swap(adjacency: dict[str, Adjacent], node_id: str, old: Rel, new: Rel) -> None:
    have = adjacency[node_id]
    if type(have) is list:
        have[next(i for i, rel in enumerate(have) if rel is old)] = new
    else:
        adjacency[node_id] = new


def _ids_list(ids: Ids | None) -> list[str]:
    if ids is None:
        return []
    return list(ids) if type(ids) is list else [ids]  # type: ignore[list-item]


def _ids_change(index: dict[str, Ids], key: str, node_id: str, add: bool) -> bool:
    """Add ``node_id`` to (or take it from) the ids under ``key``; True if that changed them.

    An id is only added where it is not (a new node, or after taking it from there): no
    membership test, which would cost a scan of a common name's ids."""
    have = index.get(key)
    if add:
        if have is None:
            index[key] = node_id
        elif type(have) is list:
            have.append(node_id)
        else:
            index[key] = [have, node_id]  # type: ignore[list-item]
        return True
    if have is None:
        return False
    if type(have) is list:
        if node_id not in have:
            return False
        have.remove(node_id)
        if len(have) == 1:
            index[key] = have[0]
    elif have == node_id:
        del index[key]
    else:
        return False
    return True
