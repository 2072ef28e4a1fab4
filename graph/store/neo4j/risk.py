"""The Neo4j store's risk graph: the candidate records in one read, then two levels of links
by UNWIND batches of ids (no per-node round trips)."""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from graph.store import common
from graph.store.neo4j.cypher import statement, with_types
from graph.store.neo4j.traverse import concrete, native
from graph.store.protocol import HOLDING_TYPES, RISK_TYPES, RiskGraph, RiskNode

BATCH = 5000  # ids per read
_HOLDING = [str(t) for t in HOLDING_TYPES]


def _date(value: Any) -> date | None:
    native_value: date | None = value.to_native() if hasattr(value, "to_native") else value
    return native_value


class Neo4jRisk:
    """Mixed into Neo4jStore: ``risk_graph`` in a few streamed reads."""

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        raise NotImplementedError  # provided by Neo4jStore

    def risk_graph(self, *, as_of: date, penalty_since: date, cap: int) -> RiskGraph:
        """See GraphStore.risk_graph."""
        common.check_risk_graph(as_of, penalty_since, cap)
        out = RiskGraph()
        for row in self._read(statement("risk_graph_records"), as_of=as_of, since=penalty_since):
            found = common.risk_record(native(row["record"]), as_of, penalty_since)
            if found is not None:
                out.records.append(found)
        seeds = sorted({r.subject_id for r in out.records})
        reached = self._level(out, seeds, as_of, 1, cap)
        self._level(out, sorted(reached - set(seeds)), as_of, 2, cap)
        return out.normalised()

    def _level(self, out: RiskGraph, ids: list[str], as_of: date, level: int, cap: int) -> set[str]:
        """Read one level for ``ids`` into ``out``; the other ends its links reached."""
        query = with_types("risk_graph", sorted(str(t) for t in RISK_TYPES))
        reached: set[str] = set()
        nodes, relations = out.nodes, out.relations
        for at in range(0, len(ids), BATCH):
            rows = self._read(
                query,
                ids=ids[at : at + BATCH],
                as_of=as_of,
                level=level,
                holding=_HOLDING,
                cap=cap,
            )
            for row in rows:
                node_id = row["id"]
                if node_id not in nodes:
                    established = _date(row["established"])
                    nodes[node_id] = RiskNode(concrete(row["label"]), row["name"], established)
                out.degrees[node_id] = row["degree"]
                if level == 2 and row["degree"] > cap:
                    out.capped.append(node_id)
                for kind, source, target, start, other, labels, name, est in row["links"]:
                    relations.append((kind, source, target, _date(start)))
                    reached.add(other)
                    if other not in nodes:
                        nodes[other] = RiskNode(concrete(labels), name, _date(est))
        return reached
