"""Traversal reads of the Neo4j store: links of many nodes, and the records about them."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date
from typing import Any

import neo4j

from graph.errors import NotFound
from graph.records import RECORD_ADAPTER
from graph.store import common
from graph.store.neo4j.cypher import statement, with_types
from graph.store.protocol import Direction, NodeSummary, RecordItem, RecordView, Subgraph
from graph.vocabulary import Label, RelType

LIMIT = 200  # records per node that links brings along
_UMBRELLA = {str(Label.NODE), str(Label.ENTITY), str(Label.RECORD)}


def native(props: dict[str, Any]) -> dict[str, Any]:
    """Neo4j temporal values back to Python ones."""
    return {k: (v.to_native() if hasattr(v, "to_native") else v) for k, v in props.items()}


def concrete(labels: Sequence[str]) -> str:
    """The concrete label among a node's labels."""
    return next(label for label in labels if label not in _UMBRELLA)


def _summary(props: dict[str, Any], labels: Sequence[str]) -> NodeSummary:
    return NodeSummary(
        id=props["id"], label=Label(concrete(labels)), name=common.neighbour_name(props)
    )


def _subgraph(
    rows: list[neo4j.Record], as_of: date | None, record_kinds: Sequence[Label] | None
) -> tuple[Subgraph, set[str]]:
    """The Subgraph of links/expand rows, and the nodes the first level reached."""
    out = Subgraph()
    first: set[str] = set()
    found: dict[str, list[dict[str, Any]]] = {}
    seen: set[tuple[str, str, str, str]] = set()
    for row in rows:
        node_id = row["id"]
        level_one = row.get("level", 1) == 1
        out.nodes.setdefault(node_id, _summary(row["props"], row["labels"]))
        if row["records"] is not None:
            found.setdefault(node_id, row["records"])
        if level_one:
            first.add(node_id)
        if row["hub"]:
            out.hubs.append(node_id)
            continue
        for link in row["links"]:
            other = link["other"]
            way = link["way"]
            source, target = (node_id, other["id"]) if way == "out" else (other["id"], node_id)
            data = {**native(link["rel"]), "type": link["type"]}
            rel = common.relation_from(data, source, target)
            if level_one:
                first.add(other["id"])
            if rel.identity in seen:
                continue
            seen.add(rel.identity)
            out.relations.append(rel)
            if other["id"] not in out.nodes:
                out.nodes[other["id"]] = _summary(other, link["other_labels"])
            found.setdefault(other["id"], link["records"])
    out.relations.sort(key=lambda r: r.identity)
    if record_kinds is not None:
        out.records = {node: _views(rows, as_of) for node, rows in sorted(found.items()) if rows}
    return out, first


def _views(rows: list[dict[str, Any]], as_of: date | None) -> list[RecordView]:
    views = []
    for props in rows:
        record = RECORD_ADAPTER.validate_python(native(props))
        views.append(RecordView(record=record, in_force=record.in_force_on(as_of)))
    return views


class Neo4jTraversal:
    """Mixed into Neo4jStore: reads that follow many links at once (one read each)."""

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        raise NotImplementedError  # provided by Neo4jStore

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
        return self._levels("links", ids, rel_types, direction, as_of, cap, record_kinds)[0]

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
        """Levels of links; the first two in one read (pruned there already when only the
        ways to records are wanted), a third by ``links``."""
        common.check_hops(hops)
        common.check_to_records(to_records, record_kinds)

        level = functools.partial(
            self.links,
            rel_types=rel_types,
            direction=direction,
            as_of=as_of,
            cap=cap,
            record_kinds=record_kinds,
        )

        if hops == 1:
            out = common.expand_levels(level, ids, 1)
        else:
            prune = to_records and hops == 2
            out, first = self._levels(
                "expand", ids, rel_types, direction, as_of, cap, record_kinds, prune=prune
            )
            hubs = set(out.hubs)
            frontier = sorted(n for n in out.nodes if n not in first and n not in hubs)
            out = common.expand_levels(level, ids, hops, (out, set(out.nodes), frontier))
        return common.prune_to_records(out, ids, hops) if to_records else out

    def _levels(
        self,
        name: str,
        ids: Sequence[str],
        rel_types: Sequence[RelType] | None,
        direction: Direction,
        as_of: date | None,
        cap: int,
        record_kinds: Sequence[Label] | None,
        *,
        prune: bool = False,
    ) -> tuple[Subgraph, set[str]]:
        """Run links.cypher or expand.cypher; the Subgraph and the nodes of the first level."""
        types = common.check_links(direction, rel_types, cap, len(ids))
        kinds = [] if record_kinds is None else common.check_records_of(record_kinds, LIMIT)
        rows = self._read(
            with_types(name, types),
            ids=list(dict.fromkeys(ids)),
            direction=direction,
            as_of=as_of,
            cap=cap + 1,
            kinds=kinds,
            record_limit=LIMIT,
            prune=prune,
        )
        return _subgraph(rows, as_of, record_kinds)

    def records_of(
        self,
        ids: Sequence[str],
        *,
        as_of: date | None = None,
        kinds: Sequence[Label] | None = None,
        limit: int = 200,
    ) -> dict[str, list[RecordView]]:
        """Records concerning each node, newest first, flagged in force on as_of."""
        wanted = common.check_records_of(kinds, limit)
        rows = self._read(
            statement("records_of"), ids=list(dict.fromkeys(ids)), kinds=wanted, limit=limit
        )
        return {row["id"]: _views(row["records"], as_of) for row in rows}

    def records_issued_by(self, authority_id: str, *, limit: int = 1000) -> list[RecordItem]:
        """Records an authority issued, newest decision first."""
        rows = self._read(statement("records_issued_by"), id=authority_id, limit=limit)
        if not rows or not rows[0]["found"]:
            raise NotFound(f"no authority with id {authority_id!r}")
        return [RECORD_ADAPTER.validate_python(native(p)) for p in rows[0]["records"]]
