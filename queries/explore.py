"""The search engine under paths and conflicts: what a search has seen, levels, walks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any, Literal

import networkx as nx
from pydantic import BaseModel, Field

from graph.errors import InvalidInput
from graph.model import Relation
from graph.store.protocol import GraphStore, NodeSummary
from graph.vocabulary import RelType

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
