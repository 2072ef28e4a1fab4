"""Relationship paths (找关系): how two entities are linked; how a set of them hangs together."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations, pairwise
from typing import Any, Literal

import networkx as nx
from pydantic import BaseModel, Field

from graph.errors import InvalidInput, NotFound
from graph.model import Relation
from graph.store.protocol import GraphStore, NodeSummary
from graph.vocabulary import RelType

Mode = Literal["shortest", "all"]
#: Links an endpoint may have and still be expanded: the caller asked about it by name.
ENDPOINT_CAP = 10_000
_CHUNK = 10_000  # ids per store.links call
_TYPE_RANK = {t: i for i, t in enumerate(RelType)}


def _rank(rel: Relation) -> tuple[int, tuple[str, str, str, str]]:
    """Which of parallel relations a step shows first: by type (vocabulary order), identity."""
    return _TYPE_RANK[rel.type], rel.identity


class PathStep(BaseModel):
    """One hop, walked from ``from_id`` to ``to_id``; ``direction`` is ``forward`` when the
    relation points the way of the walk. ``parallel``: other relations between the same two."""

    type: RelType
    from_id: str
    to_id: str
    direction: Literal["forward", "backward"]
    relation: Relation
    parallel: list[Relation] = Field(default_factory=list)


class Path(BaseModel):
    """A chain of distinct nodes from the source to the target, with the relation of each hop."""

    hops: int
    nodes: list[NodeSummary]
    steps: list[PathStep]


class Search(BaseModel):
    """What a search followed: links of ``rel_types`` (None: all) valid on ``as_of``; hubs
    (more than ``hub_cap`` links) were reached but not passed through."""

    as_of: date | None
    max_hops: int
    rel_types: list[RelType] | None
    hub_cap: int
    hubs_not_followed: list[NodeSummary]


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


@dataclass
class Explorer:
    """The part of the graph a search has seen: links of the asked types valid on ``as_of``.

    An expanded node has all its links known. A hub (more than ``hub_cap`` links) or a
    ``blocked`` node may be reached, never expanded: no path passes through it.
    """

    store: GraphStore
    rel_types: Sequence[RelType] | None = None
    as_of: date | None = None
    hub_cap: int = 200
    blocked: set[str] = field(default_factory=set)
    graph: Any = field(default_factory=nx.Graph)  # edge attribute "relations": {identity: Relation}
    names: dict[str, NodeSummary] = field(default_factory=dict)
    expanded: set[str] = field(default_factory=set)
    hubs: set[str] = field(default_factory=set)

    def expand(self, ids: Iterable[str], *, cap: int | None = None) -> None:
        """Fetch the links of the nodes not seen yet, a whole frontier per store call."""
        done = self.expanded | self.hubs | self.blocked
        todo = sorted({i for i in ids if i not in done})
        for start in range(0, len(todo), _CHUNK):
            chunk = todo[start : start + _CHUNK]
            sub = self.store.links(
                chunk, rel_types=self.rel_types, as_of=self.as_of, cap=cap or self.hub_cap
            )
            self.names.update(sub.nodes)
            self.hubs.update(sub.hubs)
            self.expanded.update(i for i in chunk if i in sub.nodes and i not in self.hubs)
            self.graph.add_nodes_from(i for i in chunk if i in sub.nodes)
            for rel in sub.relations:
                self.graph.add_edge(rel.source_id, rel.target_id)
                edge = self.graph.edges[rel.source_id, rel.target_id]
                edge.setdefault("relations", {})[rel.identity] = rel

    def echo(self, max_hops: int) -> dict[str, Any]:
        """The fields of a Search answer."""
        types = sorted(set(self.rel_types)) if self.rel_types is not None else None
        hubs = [self.names[h] for h in sorted(self.hubs) if h in self.names]
        values = (self.as_of, max_hops, types, self.hub_cap, hubs)
        return dict(zip(Search.model_fields, values, strict=True))

    def path(self, nodes: Sequence[str], day: date | None = None) -> Path:
        """The Path model of a node chain; with ``day``, only relations valid on it."""
        steps = []
        for u, v in pairwise(nodes):
            found = self.graph.edges[u, v]["relations"].values()
            r, *more = sorted((r for r in found if r.holds_on(day)), key=_rank)
            way = "forward" if r.source_id == u else "backward"
            steps.append(
                PathStep(type=r.type, from_id=u, to_id=v, direction=way, relation=r, parallel=more)
            )
        return Path(hops=len(steps), nodes=[self.names[n] for n in nodes], steps=steps)


class Ball:
    """Breadth-first levels around start nodes: ``dist`` of every node within ``level`` hops."""

    def __init__(self, starts: Iterable[str]) -> None:
        self.frontier = sorted(set(starts))
        self.dist = dict.fromkeys(self.frontier, 0)
        self.level = 0

    def grow(self, explorer: Explorer) -> None:
        """Expand the frontier (hubs and blocked nodes are not expanded): one level more."""
        explorer.expand(self.frontier)
        reached: set[str] = set()
        for u in self.frontier:
            if u in explorer.expanded:
                reached.update(v for v in explorer.graph.adj[u] if v not in self.dist)
        self.level += 1
        self.frontier = sorted(reached)
        self.dist.update(dict.fromkeys(self.frontier, self.level))


def distances(graph: Any, start: str, passable: set[str], cutoff: int) -> dict[str, int]:
    """Hops from ``start`` within ``cutoff``, walking on only through ``passable`` nodes."""
    dist, frontier = {start: 0}, [start]
    for level in range(1, cutoff + 1):
        nxt = []
        for u in frontier:
            if u == start or u in passable:
                for v in graph.adj[u]:
                    if v not in dist:
                        dist[v] = level
                        nxt.append(v)
        frontier = nxt
    return dist


def simple_paths(
    graph: Any, source: str, target: str, passable: set[str], lengths: range, limit: int
) -> tuple[list[list[str]], bool]:
    """Simple paths whose inner nodes are passable, by length then node ids; at most ``limit``.

    >>> g = nx.Graph([("a", "b"), ("b", "d"), ("a", "c"), ("c", "d"), ("a", "d")])
    >>> simple_paths(g, "a", "d", {"b", "c"}, range(1, 3), 2)
    ([['a', 'd'], ['a', 'b', 'd']], True)
    """
    to_target = distances(graph, target, passable, max(lengths, default=0))
    order: dict[str, list[str]] = {}
    found: list[list[str]] = []

    def walk(path: list[str], left: int) -> Iterator[list[str]]:
        u = path[-1]
        if u not in order:
            order[u] = sorted(graph.adj[u])
        for v in order[u]:
            if v == target:
                if left == 1:
                    yield [*path, v]
            elif v in passable and v not in path and to_target.get(v, left) < left:
                path.append(v)
                yield from walk(path, left - 1)
                path.pop()

    for length in lengths:
        for found_path in walk([source], length):
            found.append(found_path)
            if len(found) > limit:
                return found[:limit], True
    return found, False


def check_bounds(**bounds: tuple[int, int]) -> None:
    """Raise InvalidInput for a value out of its range, given as ``name=(value, top)``."""
    for name, (value, top) in bounds.items():
        if not 1 <= value <= top:
            raise InvalidInput(f"{name}: must be between 1 and {top}, got {value}", field=name)


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
