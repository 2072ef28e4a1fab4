"""Traversal reads of the embedded store: links of many nodes, and the records about them."""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import date
from typing import Any

from graph.errors import NotFound
from graph.records import RECORD_ADAPTER
from graph.store import common
from graph.store.embedded.compact import CompactGraph
from graph.store.protocol import Direction, NodeSummary, RecordItem, RecordView, Subgraph
from graph.vocabulary import ENTITY_LABELS, Label, RelType

_ENTITY_OR_CONTACT = {str(x) for x in ENTITY_LABELS} | {str(Label.CONTACT_POINT)}


def summary(node_id: str, props: dict[str, Any]) -> NodeSummary:
    """The NodeSummary of a stored node."""
    label = str(props.get("label") or props.get("kind"))
    return NodeSummary(id=node_id, label=Label(label), name=common.neighbour_name(props))


class EmbeddedTraversal:
    """Mixed into EmbeddedStore: reads that follow many links at once."""

    _mutex: threading.RLock

    def _reading(self) -> AbstractContextManager[CompactGraph]:
        raise NotImplementedError

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
        """Links of each node, valid on as_of; nodes with more than ``cap`` are hubs."""
        types = set(common.check_links(direction, rel_types, cap, len(ids)))
        if record_kinds is not None:
            common.check_records_of(record_kinds, 200)
        day = common.as_date(as_of)
        out = Subgraph()
        seen: set[tuple[str, str, str, str]] = set()
        with self._reading() as g:
            for node_id in dict.fromkeys(ids):
                if g.label(node_id) not in _ENTITY_OR_CONTACT:
                    continue
                out.nodes[node_id] = summary(node_id, g.node(node_id) or {})
                rels = []
                if direction in ("out", "both"):
                    rels += [r for r in g.out_rels(node_id) if r[2] in types]
                if direction in ("in", "both"):
                    rels += [r for r in g.in_rels(node_id) if r[2] in types]
                found = [(r[0], r[1], d) for r in rels if holds(d := g.rel_props(r), day)]
                if len(found) > cap:
                    out.hubs.append(node_id)
                    continue
                for source, target, data in found:
                    identity = (data["type"], source, target, data["key"])
                    if identity in seen:
                        continue
                    seen.add(identity)
                    out.relations.append(common.relation_from(data, source, target))
                    other = target if source == node_id else source
                    if other not in out.nodes:
                        out.nodes[other] = summary(other, g.node(other) or {})
        out.relations.sort(key=lambda r: r.identity)
        if record_kinds is not None:
            out.records = self.records_of(list(out.nodes), as_of=as_of, kinds=record_kinds)
        return out

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
        """Levels of links, one ``links`` call per level."""
        common.check_to_records(to_records, record_kinds)

        level = functools.partial(
            self.links,
            rel_types=rel_types,
            direction=direction,
            as_of=as_of,
            cap=cap,
            record_kinds=record_kinds,
        )

        out = common.expand_levels(level, ids, hops)
        return common.prune_to_records(out, ids, hops) if to_records else out

    def records_of(
        self,
        ids: Sequence[str],
        *,
        as_of: date | None = None,
        kinds: Sequence[Label] | None = None,
        limit: int = 200,
    ) -> dict[str, list[RecordView]]:
        """Records concerning each node, newest first, flagged in force on as_of."""
        wanted = set(common.check_records_of(kinds, limit))
        found: dict[str, list[RecordView]] = {}
        with self._reading() as g:
            for node_id in dict.fromkeys(ids):
                labels = g.labels(g.records_concerning(node_id))
                rows = [g.node(rid) or {} for rid, label in labels.items() if label in wanted]
                if not rows:
                    continue
                views = []
                for props in common.sort_records(rows)[:limit]:
                    record = RECORD_ADAPTER.validate_python(props)
                    views.append(RecordView(record=record, in_force=record.in_force_on(as_of)))
                found[node_id] = views
        return found

    def records_issued_by(self, authority_id: str, *, limit: int = 1000) -> list[RecordItem]:
        """Records an authority issued, newest decision first."""
        with self._reading() as g:
            if g.label(authority_id) != Label.AUTHORITY:
                raise NotFound(f"no authority with id {authority_id!r}")
            rows = [g.node(rid) or {} for rid in g.records_issued_by(authority_id)]
        return [RECORD_ADAPTER.validate_python(p) for p in common.sort_records(rows)[:limit]]


def holds(data: dict[str, Any], day: str | None) -> bool:
    """Whether stored edge properties are valid on ``day`` (ISO text; None: always)."""
    if day is None:
        return True
    start, end = data.get("valid_from"), data.get("valid_to")
    return (start is None or start <= day) and (end is None or day <= end)
