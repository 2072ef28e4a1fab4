"""Logic both stores share: batch checks, neighbourhood ordering and cursors, property codecs."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, get_args

from graph.errors import InvalidInput
from graph.model import AnyEntity, Relation
from graph.records import AnyRecord, record_in_force
from graph.store.protocol import (
    Direction,
    Props,
    Rejection,
    RiskRecord,
    Subgraph,
    UpsertResult,
)
from graph.vocabulary import (
    ENDPOINTS,
    ENTITY_LABELS,
    ENTITY_REL_TYPES,
    RECORD_LABELS,
    Label,
    RelType,
)

SEP = "\x1f"


def _date_fields() -> frozenset[str]:
    models = [Relation, *get_args(get_args(AnyEntity)[0]), *get_args(get_args(AnyRecord)[0])]
    return frozenset(
        name
        for model in models
        for name, info in model.model_fields.items()
        if info.annotation in (date, date | None)
    )


#: Properties that hold a date (ISO text in the stored form; Neo4j keeps them as dates).
DATE_FIELDS = _date_fields()
MAX_PAGE = 1000


def now() -> datetime:
    """The current time in UTC, to the microsecond."""
    return datetime.now(UTC)


class ModelUpserts:
    """The model upserts of the GraphStore protocol, for a store that writes items in their
    stored form (``write_*``): each model becomes its ``properties()``, one path for both."""

    def write_entities(self, items: Sequence[Props], *, create_only: bool = False) -> UpsertResult:
        raise NotImplementedError

    def write_relations(self, items: Sequence[Props], *, create_only: bool = False) -> UpsertResult:
        raise NotImplementedError

    def write_records(self, items: Sequence[Props]) -> UpsertResult:
        raise NotImplementedError

    def upsert_entities(
        self, items: Sequence[AnyEntity], *, create_only: bool = False
    ) -> UpsertResult:
        """Create or update entities and contact points, keyed by id."""
        return self.write_entities([item.properties() for item in items], create_only=create_only)

    def upsert_relations(
        self, items: Sequence[Relation], *, create_only: bool = False
    ) -> UpsertResult:
        """Create or update relations keyed by (type, source, target, key)."""
        return self.write_relations([rel.properties() for rel in items], create_only=create_only)

    def upsert_records(self, items: Sequence[AnyRecord]) -> UpsertResult:
        """Create or update records, linked to their subject and issuer."""
        return self.write_records([record.properties() for record in items])


def check_page(limit: int, direction: Direction, rel_types: Sequence[RelType] | None) -> list[str]:
    """Validate neighbourhood arguments; return the relation types to follow, sorted."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit: must be between 1 and {MAX_PAGE}, got {limit}", field="limit")
    if direction not in ("out", "in", "both"):
        raise InvalidInput(
            f"direction: must be out, in or both, got {direction!r}", field="direction"
        )
    types = ENTITY_REL_TYPES if rel_types is None else set(rel_types)
    unknown = [str(t) for t in types if t not in ENTITY_REL_TYPES]
    if unknown:
        raise InvalidInput(f"rel_types: not entity relation types: {unknown}", field="rel_types")
    return sorted(str(t) for t in types)


def sort_key(rel_type: str, other_id: str, key: str, direction: str) -> str:
    """The order of a neighbourhood page; identical in Python and in Cypher."""
    return SEP.join((rel_type, other_id, key, direction))


def encode_cursor(key: str) -> str:
    """An opaque cursor that resumes after ``key``."""
    return base64.urlsafe_b64encode(json.dumps({"after": key}).encode()).decode()


def decode_cursor(cursor: str | None) -> str | None:
    """The sort key a cursor resumes after; InvalidInput for a cursor we did not make."""
    if cursor is None:
        return None
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor.encode()))["after"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(
            "cursor: not a cursor returned by a previous page", field="cursor"
        ) from exc
    if not isinstance(after, str):
        raise InvalidInput("cursor: not a cursor returned by a previous page", field="cursor")
    return after


def check_entity_labels(
    items: Sequence[Props], existing: Mapping[str, str]
) -> tuple[list[tuple[int, Props]], list[Rejection]]:
    """Split entity items into writable ones and those whose id belongs to another label."""
    ok: list[tuple[int, Props]] = []
    rejected: list[Rejection] = []
    seen = dict(existing)
    for index, item in enumerate(items):
        node_id, label = item["id"], item["label"]
        have = seen.setdefault(node_id, label)
        if have != label:
            reason = f"id already belongs to a {have}, not a {label}"
            rejected.append(Rejection(index=index, id=node_id, field="id", reason=reason))
        else:
            ok.append((index, item))
    return ok, rejected


_ENDPOINT_LABELS = {
    str(rel): ({str(x) for x in sources}, {str(x) for x in targets})
    for rel, (sources, targets) in ENDPOINTS.items()
}


def check_relations(
    items: Sequence[Props], labels: Mapping[str, str]
) -> tuple[list[tuple[int, Props]], list[Rejection]]:
    """Split relations into writable ones and those with a missing or wrong-kind endpoint."""
    ok: list[tuple[int, Props]] = []
    rejected: list[Rejection] = []
    for index, rel in enumerate(items):
        sources, targets = _ENDPOINT_LABELS[rel["type"]]
        problem = _endpoint_problem("source_id", rel["source_id"], labels, sources, rel["type"])
        problem = problem or _endpoint_problem(
            "target_id", rel["target_id"], labels, targets, rel["type"]
        )
        if problem:
            field, reason = problem
            rejected.append(Rejection(index=index, id=_rel_label(rel), field=field, reason=reason))
        else:
            ok.append((index, rel))
    return ok, rejected


def _endpoint_problem(
    field: str, node_id: str, labels: Mapping[str, str], allowed: set[str], rel: str
) -> tuple[str, str] | None:
    label = labels.get(node_id)
    if label is None:
        return field, f"no node with id {node_id!r}"
    if label not in allowed:
        return field, f"{rel} cannot {'start' if field == 'source_id' else 'end'} at a {label}"
    return None


_ENTITY_LABELS = frozenset(str(label) for label in ENTITY_LABELS)
_ISSUERS = (str(Label.AUTHORITY), str(Label.SOCIAL_ORGANIZATION))


def check_records(
    items: Sequence[Props], labels: Mapping[str, str]
) -> tuple[list[tuple[int, Props]], list[Rejection]]:
    """Split records into writable ones and those whose subject, issuer or id is wrong."""
    ok: list[tuple[int, Props]] = []
    rejected: list[Rejection] = []
    seen = dict(labels)
    for index, record in enumerate(items):
        issuer_id = record.get("issuer_id")
        subject = labels.get(record["subject_id"])
        issuer = labels.get(issuer_id) if issuer_id else _ISSUERS[0]
        have = seen.setdefault(record["id"], record["kind"])
        if subject not in _ENTITY_LABELS:
            field, reason = "subject_id", f"no entity with id {record['subject_id']!r}"
        elif issuer not in _ISSUERS:
            field, reason = "issuer_id", f"no authority or public body with id {issuer_id!r}"
        elif have != record["kind"]:
            field, reason = "id", f"id already belongs to a {have}, not a {record['kind']}"
        else:
            ok.append((index, record))
            continue
        rejected.append(Rejection(index=index, id=record["id"], field=field, reason=reason))
    return ok, rejected


def relation_ids(items: Sequence[Props]) -> list[str]:
    """Every node id the relations reference."""
    return sorted({node for rel in items for node in (rel["source_id"], rel["target_id"])})


def record_ids(items: Sequence[Props]) -> list[str]:
    """Every node id the records reference, their own ids included."""
    ids = {r["subject_id"] for r in items} | {r["id"] for r in items}
    return sorted(ids | {r["issuer_id"] for r in items if r.get("issuer_id")})


def identity(rel: Props) -> tuple[str, str, str, str]:
    """A relation's natural key from its stored form: (type, source, target, key)."""
    return (rel["type"], rel["source_id"], rel["target_id"], rel.get("key", ""))


def _rel_label(rel: Props) -> str:
    key = rel.get("key")
    return f"{rel['type']}:{rel['source_id']}->{rel['target_id']}" + (f"#{key}" if key else "")


def neighbour_name(props: Mapping[str, Any]) -> str:
    """Display name of a node from its stored properties."""
    return str(props.get("name") or props.get("value") or props.get("id"))


def relation_from(props: Mapping[str, Any], source_id: str, target_id: str) -> Relation:
    """Rebuild a Relation from stored edge properties and its endpoints."""
    data = {k: v for k, v in props.items() if k not in ("source_id", "target_id")}
    return Relation.model_validate({**data, "source_id": source_id, "target_id": target_id})


def check_to_records(to_records: bool, record_kinds: Sequence[Label] | None) -> None:
    """``to_records`` needs the record kinds that count."""
    if to_records and not record_kinds:
        raise InvalidInput("to_records: needs record_kinds", field="to_records")


def check_hops(hops: int) -> None:
    """``expand`` follows 1 to 3 levels."""
    if not 1 <= hops <= 3:
        raise InvalidInput(f"hops: must be 1, 2 or 3, got {hops}", field="hops")


def expand_levels(
    links: Callable[[list[str]], Subgraph],
    ids: Sequence[str],
    hops: int,
    start: tuple[Subgraph, set[str], list[str]] | None = None,
) -> Subgraph:
    """``expand`` by one ``links`` call per level (``start``: levels already answered, the
    nodes seen and the next frontier). Relations are kept once, by identity."""
    check_hops(hops)
    out, seen, frontier = start or (Subgraph(), set(ids), list(dict.fromkeys(ids)))
    relations = {r.identity: r for r in out.relations}
    levels = 0 if start is None else 2
    for _ in range(hops - levels):
        if not frontier:
            break
        sub = links(frontier)
        for node_id, node in sub.nodes.items():
            out.nodes.setdefault(node_id, node)
        for rel in sub.relations:
            relations.setdefault(rel.identity, rel)
        for node_id, views in sub.records.items():
            out.records.setdefault(node_id, views)
        out.hubs += sub.hubs
        hubs = set(sub.hubs)
        frontier = sorted(n for n in sub.nodes if n not in seen and n not in hubs)
        seen.update(sub.nodes)
    out.relations = sorted(relations.values(), key=lambda r: r.identity)
    out.hubs = sorted(set(out.hubs))
    out.records = dict(sorted(out.records.items()))
    return out


def prune_to_records(sub: Subgraph, starts: Sequence[str], hops: int) -> Subgraph:
    """Keep only the relations on a way of at most ``hops`` links from a start node to another
    node that has records, passing through neither start nodes nor hubs; the nodes they join
    (and the start nodes) with their records; every hub met stays listed."""
    begin = {n for n in starts if n in sub.nodes}
    hubs = set(sub.hubs)
    targets = {n for n, views in sub.records.items() if views and n not in begin}
    adjacent: dict[str, set[str]] = {}
    for rel in sub.relations:
        adjacent.setdefault(rel.source_id, set()).add(rel.target_id)
        adjacent.setdefault(rel.target_id, set()).add(rel.source_id)

    def passable(node: str) -> bool:
        return node not in begin and node not in hubs

    def distances(sources: set[str]) -> dict[str, int]:
        dist = dict.fromkeys(sources, 0)
        frontier = list(sources)  # distances do not depend on the order
        for depth in range(1, hops + 1):
            reached = []
            for node in frontier:
                if dist[node] and not passable(node):
                    continue
                for other in adjacent.get(node, ()):
                    if other not in dist:
                        dist[other] = depth
                        reached.append(other)
            frontier = reached
        return dist

    from_start, to_target = distances(begin), distances(targets)

    def way(u: str, v: str) -> bool:
        if u not in from_start or v not in to_target:
            return False
        ends_ok = (from_start[u] == 0 or passable(u)) and (to_target[v] == 0 or passable(v))
        return ends_ok and from_start[u] + 1 + to_target[v] <= hops

    kept = [
        r for r in sub.relations if way(r.source_id, r.target_id) or way(r.target_id, r.source_id)
    ]
    nodes = begin | {n for r in kept for n in (r.source_id, r.target_id)}
    return Subgraph(
        nodes={n: node for n, node in sub.nodes.items() if n in nodes},
        relations=kept,
        hubs=sub.hubs,
        records={n: views for n, views in sub.records.items() if n in nodes},
    )


def as_date(value: date | str | None) -> str | None:
    """ISO text of a date (the embedded store compares dates as ISO strings)."""
    return value.isoformat() if isinstance(value, date) else value


def check_links(
    direction: Direction, rel_types: Sequence[RelType] | None, cap: int, count: int
) -> list[str]:
    """Validate ``links`` arguments; return the relation types to follow, sorted."""
    if not 1 <= cap <= 100_000:
        raise InvalidInput(f"cap: must be between 1 and 100000, got {cap}", field="cap")
    if count > 10_000:
        raise InvalidInput(f"ids: at most 10000 nodes at once, got {count}", field="ids")
    return check_page(1, direction, rel_types)


def check_records_of(kinds: Sequence[Label] | None, limit: int) -> list[str]:
    """Validate ``records_of`` arguments; return the record kinds asked for, sorted."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit: must be between 1 and {MAX_PAGE}, got {limit}", field="limit")
    chosen = RECORD_LABELS if kinds is None else set(kinds)
    unknown = [str(k) for k in chosen if k not in RECORD_LABELS]
    if unknown:
        raise InvalidInput(f"kinds: not record kinds: {unknown}", field="kinds")
    return sorted(str(k) for k in chosen)


def sort_records(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Newest decision first, undated last, then by id (the order both stores use)."""
    rows.sort(key=lambda p: p["id"])
    rows.sort(key=lambda p: str(p.get("decision_date") or ""), reverse=True)
    return rows


def _day(value: Any) -> date | None:
    """A stored date (ISO text in the embedded store, a date from Neo4j) as a date."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def risk_record(props: Mapping[str, Any], as_of: date, penalty_since: date) -> RiskRecord | None:
    """The RiskRecord of a stored record, or None when it does not make its subject risky on
    ``as_of``: a black-list entry in force, or a penalty decided in [penalty_since, as_of]
    and not revoked by as_of (both stores decide with this one function)."""
    kind = props.get("kind")
    status = str(props.get("status") or "active")
    status_since = _day(props.get("status_since"))
    decision = _day(props.get("decision_date"))
    start = _day(props.get("valid_from"))
    if kind == Label.LIST_ENTRY:
        if props.get("list_type") != "black":
            return None
        if not record_in_force(status, status_since, start, _day(props.get("valid_to")), as_of):
            return None
        name = str(props.get("list_name") or "")
        return RiskRecord(props["id"], props["subject_id"], "listed", decision or start, name)
    if kind == Label.ADMINISTRATIVE_PENALTY:
        if decision is None or not penalty_since <= decision <= as_of:
            return None
        if status == "revoked" and (status_since is None or status_since <= as_of):
            return None
        name = str(props.get("violation_type") or props.get("title") or "行政处罚")
        return RiskRecord(props["id"], props["subject_id"], "penalised", decision, name)
    return None


def check_risk_graph(as_of: date, penalty_since: date, cap: int) -> None:
    """Validate ``risk_graph`` arguments."""
    if penalty_since > as_of:
        raise InvalidInput("penalty_since: after as_of", field="penalty_since")
    if not 1 <= cap <= 1_000_000:
        raise InvalidInput(f"cap: must be between 1 and 1000000, got {cap}", field="cap")
