"""The embedded store's risk graph: one pass over the records, then two levels of links."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date
from typing import Any

from graph.store import common
from graph.store.embedded.compact import CompactGraph, Rel
from graph.store.protocol import HOLDING_TYPES, RISK_TYPES, RiskGraph, RiskNode
from graph.vocabulary import Label

_TYPES = frozenset(str(t) for t in RISK_TYPES)
_HOLDING = frozenset(str(t) for t in HOLDING_TYPES)
_RISK_KINDS = frozenset({str(Label.LIST_ENTRY), str(Label.ADMINISTRATIVE_PENALTY)})
_VIAS = frozenset({str(Label.PERSON), str(Label.CONTACT_POINT)})


class EmbeddedRisk:
    """Mixed into EmbeddedStore: ``risk_graph`` over the compact graph."""

    def _reading(self) -> AbstractContextManager[CompactGraph]:
        raise NotImplementedError

    def risk_graph(self, *, as_of: date, penalty_since: date, cap: int) -> RiskGraph:
        """See GraphStore.risk_graph."""
        common.check_risk_graph(as_of, penalty_since, cap)
        day = as_of.isoformat()
        out = RiskGraph()
        with self._reading() as g:
            layouts = g.node_layouts
            for node_id, blob in g.nodes.items():
                if layouts[blob[0] | blob[1] << 8].label not in _RISK_KINDS:
                    continue
                found = common.risk_record(g.decode_node(node_id, blob), as_of, penalty_since)
                if found is not None and g.label(found.subject_id) is not None:
                    out.records.append(found)
            seeds = {r.subject_id for r in out.records}
            nodes: set[str] = set(seeds)
            reached: set[str] = set()
            for seed in seeds:
                links = _valid(g, seed, _TYPES, day, "both")
                out.degrees[seed] = len({other for other, _ in links})
                for other, rel in links:
                    out.relations.append(_relation(g, rel))
                    reached.add(other)
            reached -= seeds
            for node_id in reached:
                label = g.label(node_id)
                if label in _VIAS:
                    links = _valid(g, node_id, _TYPES, day, "both")
                else:
                    links = _valid(g, node_id, _HOLDING, day, "out")
                degree = out.degrees[node_id] = len({other for other, _ in links})
                if degree > cap:
                    out.capped.append(node_id)
                    continue
                out.relations.extend(_relation(g, rel) for _, rel in links)
            nodes.update(n for rel in out.relations for n in rel[1:3])
            nodes.update(reached)
            for node_id in nodes:
                out.nodes[node_id] = _node(g.node(node_id) or {"id": node_id})
        return out.normalised()


def _valid(g: CompactGraph, node_id: str, types: frozenset[str], day: str, way: str) -> list[Any]:
    """(other end, relation) of the node's relations of ``types`` valid on ``day``."""
    found: list[tuple[str, Rel]] = []
    for rel in g.out_rels(node_id):
        if rel[2] in types and _holds(g, rel, day):
            found.append((rel[1], rel))
    if way == "both":
        for rel in g.in_rels(node_id):
            if rel[2] in types and _holds(g, rel, day):
                found.append((rel[0], rel))
    return found


def _holds(g: CompactGraph, rel: Rel, day: str) -> bool:
    layout = g.rel_layouts[rel[4]]
    start = end = None
    for key, value in zip(layout, rel[5:], strict=False):
        if key == "valid_from":
            start = value
        elif key == "valid_to":
            end = value
    return (start is None or start <= day) and (end is None or day <= end)


def _relation(g: CompactGraph, rel: Rel) -> tuple[str, str, str, date | None]:
    layout = g.rel_layouts[rel[4]]
    start = next((v for k, v in zip(layout, rel[5:], strict=False) if k == "valid_from"), None)
    return (rel[2], rel[0], rel[1], date.fromisoformat(start) if start else None)


def _node(props: dict[str, Any]) -> RiskNode:
    label = str(props.get("label") or props.get("kind") or "")
    established = props.get("established")
    return RiskNode(
        label=label,
        name=common.neighbour_name(props),
        established=date.fromisoformat(established) if established else None,
    )
