"""Traversal reads of the embedded store: links of many nodes, and the records about them."""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from datetime import date
from typing import Any

import networkx as nx

from graph.errors import NotFound
from graph.records import RECORD_ADAPTER
from graph.store import common
from graph.store.protocol import Direction, NodeSummary, RecordItem, RecordView, Subgraph
from graph.vocabulary import ENTITY_LABELS, Label, RelType

_ENTITY_OR_CONTACT = {str(x) for x in ENTITY_LABELS} | {str(Label.CONTACT_POINT)}
_CONCERNS = f"{RelType.CONCERNS}{common.SEP}"
_ISSUED_BY = f"{RelType.ISSUED_BY}{common.SEP}"


def node_label(props: dict[str, Any]) -> str:
    """The concrete label of a stored node."""
    return str(props.get("label") or props.get("kind"))


def summary(node_id: str, props: dict[str, Any]) -> NodeSummary:
    """The NodeSummary of a stored node."""
    return NodeSummary(
        id=node_id, label=Label(node_label(props)), name=common.neighbour_name(props)
    )


class EmbeddedTraversal:
    """Mixed into EmbeddedStore: reads that follow many links at once."""

    _graph: nx.MultiDiGraph
    _mutex: threading.RLock

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
        with self._mutex:
            graph = self._graph
            for node_id in dict.fromkeys(ids):
                props = graph.nodes.get(node_id)
                if props is None or node_label(props) not in _ENTITY_OR_CONTACT:
                    continue
                out.nodes[node_id] = summary(node_id, props)
                found = []
                if direction in ("out", "both"):
                    found += [(node_id, m, d) for _, m, d in graph.out_edges(node_id, data=True)]
                if direction in ("in", "both"):
                    found += [(m, node_id, d) for m, _, d in graph.in_edges(node_id, data=True)]
                found = [f for f in found if f[2]["type"] in types and holds(f[2], day)]
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
                        out.nodes[other] = summary(other, graph.nodes[other])
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
        with self._mutex:
            graph = self._graph
            for node_id in dict.fromkeys(ids):
                if node_id not in graph:
                    continue
                rows = [
                    dict(graph.nodes[rid])
                    for rid, _, key in graph.in_edges(node_id, keys=True)
                    if key == _CONCERNS and node_label(graph.nodes[rid]) in wanted
                ]
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
        with self._mutex:
            graph = self._graph
            props = graph.nodes.get(authority_id)
            if props is None or node_label(props) != Label.AUTHORITY:
                raise NotFound(f"no authority with id {authority_id!r}")
            rows = [
                dict(graph.nodes[rid])
                for rid, _, key in graph.in_edges(authority_id, keys=True)
                if key == _ISSUED_BY
            ]
        return [RECORD_ADAPTER.validate_python(p) for p in common.sort_records(rows)[:limit]]


def holds(data: dict[str, Any], day: str | None) -> bool:
    """Whether stored edge properties are valid on ``day`` (ISO text; None: always)."""
    if day is None:
        return True
    start, end = data.get("valid_from"), data.get("valid_to")
    return (start is None or start <= day) and (end is None or day <= end)
