"""Relationship paths (找关系): how two entities are linked; how a set of them hangs together."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from itertools import combinations
from typing import Literal

from pydantic import BaseModel

from graph.errors import InvalidInput, NotFound
from graph.model import Relation
from graph.store.protocol import GraphStore, NodeSummary
from graph.vocabulary import RelType
from queries.explore import (
    ENDPOINT_CAP,
    Ball,
    Explorer,
    Path,
    PathStep,
    Search,
    check_bounds,
    distances,
    simple_paths,
)

__all__ = ["ENDPOINT_CAP", "Connection", "Mode", "Path", "PathAnswer", "PathStep", "Search"]

Mode = Literal["shortest", "all"]


class PathAnswer(Search):
    """Paths between two entities, shortest first, then by the ids of their nodes."""

    source: NodeSummary
    target: NodeSummary
    mode: Mode
    paths: list[Path]
    truncated: bool  # more paths than ``limit``


class PairLink(BaseModel):
    """Distance between two of the entities asked about; ``hops`` None: not within max_hops."""

    source_id: str
    target_id: str
    hops: int | None


class Connection(Search):
    """The union of the shortest paths between every pair of the entities asked about."""

    entities: list[NodeSummary]
    nodes: list[NodeSummary]
    relations: list[Relation]
    pairs: list[PairLink]


def _start(explorer: Explorer, ids: dict[str, str]) -> None:
    """Expand the endpoints (field name by id); raise NotFound for one that does not exist."""
    explorer.expand(ids, cap=ENDPOINT_CAP)
    for node_id, name in ids.items():
        if node_id not in explorer.names:
            raise NotFound(f"{name}: no entity with id {node_id!r}")


def find_paths(
    store: GraphStore,
    source_id: str,
    target_id: str,
    *,
    max_hops: int = 6,
    rel_types: Sequence[RelType] | None = None,
    as_of: date | None = None,
    limit: int = 20,
    mode: Mode = "shortest",
    hub_cap: int = 200,
) -> PathAnswer:
    """All shortest paths, or all simple paths within ``max_hops``, shortest first, each at
    most ``limit``; links are undirected for connectivity and reported with their direction.

    Breadth-first from both ends, one store call per frontier, the smaller frontier first.
    Mode ``all`` expands the two ends to depths adding up to ``max_hops``: every path that
    short then lies in what was seen. Nodes with more than ``hub_cap`` links are not expanded.
    """
    check_bounds(max_hops=(max_hops, 8), limit=(limit, 1000), hub_cap=(hub_cap, ENDPOINT_CAP))
    if mode not in ("shortest", "all"):
        raise InvalidInput(f"mode: 'shortest' or 'all', got {mode!r}", field="mode")
    if source_id == target_id:
        raise InvalidInput("target: must differ from the source", field="target")
    explorer = Explorer(store, rel_types=rel_types, as_of=as_of, hub_cap=hub_cap)
    _start(explorer, {source_id: "source", target_id: "target"})
    ends = Ball([source_id]), Ball([target_id])
    while ends[0].level + ends[1].level < max_hops and ends[0].frontier and ends[1].frontier:
        if mode == "shortest" and _meet(explorer, *ends):
            break
        min(ends, key=lambda b: len(b.frontier)).grow(explorer)
    _meet(explorer, *ends)
    passable = explorer.expanded
    first = distances(explorer.graph, target_id, passable, max_hops).get(source_id, max_hops + 1)
    lengths = range(first, (min(first, max_hops) if mode == "shortest" else max_hops) + 1)
    chains, truncated = simple_paths(explorer.graph, source_id, target_id, passable, lengths, limit)
    return PathAnswer(
        **explorer.echo(max_hops),
        source=explorer.names[source_id],
        target=explorer.names[target_id],
        mode=mode,
        paths=[explorer.path(chain) for chain in chains],
        truncated=truncated,
    )


def _meet(explorer: Explorer, one: Ball, other: Ball) -> bool:
    """Expand nodes both balls reached (to learn they are no hub); True when a path is known."""
    both = one.dist.keys() & other.dist.keys()
    explorer.expand(both)
    return any(n in explorer.expanded or 0 in (one.dist[n], other.dist[n]) for n in both)


def connect(
    store: GraphStore,
    ids: Sequence[str],
    *,
    max_hops: int = 4,
    rel_types: Sequence[RelType] | None = None,
    as_of: date | None = None,
    hub_cap: int = 200,
) -> Connection:
    """How 2 to 20 entities are linked: the shortest paths between each pair within max_hops.

    Every entity is expanded to half of ``max_hops`` (rounded up); nodes that two of them
    reached are expanded too, so each pair's shortest paths lie in what was seen.
    """
    check_bounds(max_hops=(max_hops, 8), hub_cap=(hub_cap, ENDPOINT_CAP))
    terminals = list(ids)
    if not 2 <= len(terminals) <= 20:
        raise InvalidInput(f"ids: between 2 and 20 entities, got {len(terminals)}", field="ids")
    if len(set(terminals)) != len(terminals):
        raise InvalidInput("ids: an entity is listed twice", field="ids")
    explorer = Explorer(store, rel_types=rel_types, as_of=as_of, hub_cap=hub_cap)
    _start(explorer, dict.fromkeys(terminals, "ids"))
    ball = Ball(terminals)
    while ball.level < (max_hops + 1) // 2 and ball.frontier:
        ball.grow(explorer)
    graph = explorer.graph
    near = Counter(n for t in terminals for n in distances(graph, t, explorer.expanded, ball.level))
    explorer.expand(n for n, count in near.items() if count >= 2)
    passable = explorer.expanded
    dist = {t: distances(graph, t, passable, max_hops) for t in terminals}
    pairs, edges = [], set[tuple[str, str]]()
    for a, b in combinations(terminals, 2):
        hops = dist[a].get(b)
        pairs.append(PairLink(source_id=a, target_id=b, hops=hops))
        if hops is None:
            continue
        for x, dx in dist[a].items():
            if dx < hops and (x == a or x in passable):
                edges.update(
                    (min(x, y), max(x, y))
                    for y in graph.adj[x]
                    if (y == b or y in passable) and dist[b].get(y) == hops - dx - 1
                )
    relations = [r for u, v in edges for r in graph.edges[u, v]["relations"].values()]
    relations.sort(key=lambda r: r.identity)
    nodes = sorted({n for edge in edges for n in edge} | set(terminals))
    return Connection(
        **explorer.echo(max_hops),
        entities=[explorer.names[t] for t in terminals],
        nodes=[explorer.names[n] for n in nodes],
        relations=relations,
        pairs=pairs,
    )
