"""Equity penetration (股权穿透): ownership chains up to ultimate holders or down to holdings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import BaseModel

from graph.errors import InvalidInput
from graph.model import Relation
from graph.store.protocol import Direction, GraphStore, NodeSummary
from graph.vocabulary import RelType
from queries.subject import summary

EquityDirection = Literal["up", "down"]
#: Why a chain stops: nobody further, every next hop revisits a node or falls below the
#: threshold, the depth limit, a hub whose links were left out, or the limit on chains.
ChainEnd = Literal["top", "cycle", "threshold", "max_depth", "hub", "limit"]
CHUNK = 10_000  # ids per store.links call
CAP = 2_000  # a node with more shareholdings than this is a hub
MAX_CHAINS = 20_000
_EPSILON = 1e-9
_TYPES = [RelType.SHAREHOLDER_OF]


class Chain(BaseModel):
    """One ownership route from the subject (first node) to where it stops (last node).

    ``ratios[i]`` is the hop between ``nodes[i]`` and ``nodes[i + 1]``; ``stake`` is their
    product, None when some hop has no ratio.
    """

    nodes: list[str]
    ratios: list[float | None]
    stake: float | None
    end: ChainEnd


class Stake(BaseModel):
    """A holder (up) or holding (down) reached, with its total effective stake over all chains.

    ``stake`` sums the chains whose stake is known (None when none is); with ``unknown_chains``
    > 0 it is a lower bound. ``ultimate``: the ownership ends there (up: a person or an
    organisation nobody holds; down: an entity that holds nothing).
    """

    node: NodeSummary
    depth: int  # hops on the shortest chain
    stake: float | None
    chains: int
    unknown_chains: int
    ultimate: bool


class Equity(BaseModel):
    """The answer of :func:`penetrate`: maximal chains, totals per node, cycles and gaps."""

    subject: NodeSummary
    direction: EquityDirection
    as_of: date
    max_depth: int
    threshold: float
    nodes: dict[str, NodeSummary]
    chains: list[Chain]
    stakes: list[Stake]  # largest known stake first
    cycles: list[list[str]]  # loops in walk order, each closing back to its first node
    hubs: list[str]
    truncated: bool  # some chain stopped at max_depth or at the chain limit


class Controller(BaseModel):
    """An ultimate beneficial holder (最终受益人), or a declared actual controller (实际控制人)."""

    node: NodeSummary
    stake: float | None
    chains: int = 0
    unknown_chains: int = 0
    declared: bool = False  # has an ACTUAL_CONTROLLER_OF relation to the company
    declared_ratio: float | None = None


class Controllers(BaseModel):
    """The answer of :func:`ultimate_controllers`.

    ``undetermined``: ultimate holders below the threshold on their known chains that have
    chains of unknown stake, so they may reach it.
    """

    subject: NodeSummary
    as_of: date
    threshold: float
    controllers: list[Controller]
    undetermined: list[Controller]
    cycles: list[list[str]]
    hubs: list[str]
    truncated: bool


@dataclass
class _Total:
    depth: int
    stake: float = 0.0
    known: int = 0
    chains: int = 0


_Partial = tuple[tuple[str, ...], tuple[float | None, ...], float | None]


@dataclass
class _Walk:
    """The state of one penetration: links fetched so far, totals per node, cycles, hubs."""

    store: GraphStore
    up: bool
    as_of: date
    threshold: float
    nodes: dict[str, NodeSummary] = field(default_factory=dict)
    links: dict[str, list[Relation]] = field(default_factory=dict)
    hubs: set[str] = field(default_factory=set)
    cycles: set[tuple[str, ...]] = field(default_factory=set)
    totals: dict[str, _Total] = field(default_factory=dict)

    def fetch(self, ids: Iterable[str]) -> None:
        todo = sorted({i for i in ids if i not in self.links})
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start : start + CHUNK]
            way: Direction = "in" if self.up else "out"
            sub = self.store.links(
                chunk, rel_types=_TYPES, direction=way, as_of=self.as_of, cap=CAP
            )
            self.nodes.update(sub.nodes)
            self.hubs.update(sub.hubs)
            self.links.update({node_id: [] for node_id in chunk})
            for rel in sub.relations:
                self.links[rel.target_id if self.up else rel.source_id].append(rel)

    def grow(
        self, chain: _Partial, last_level: bool, grown: list[_Partial], done: int
    ) -> ChainEnd | None:
        """Extend a chain by one hop into ``grown``; return why it stops, None when it grew."""
        nodes, ratios, stake = chain
        if nodes[-1] in self.hubs:
            return "hub"
        rels = self.links[nodes[-1]]
        if not rels:
            return "top"
        if last_level:
            return "max_depth"
        if done + len(grown) + len(rels) > MAX_CHAINS:
            return "limit"
        looped, before = False, len(grown)
        for rel in rels:
            other = rel.source_id if self.up else rel.target_id
            if other in nodes:
                loop = nodes[nodes.index(other) :]
                first = loop.index(min(loop))
                self.cycles.add(loop[first:] + loop[:first])
                looped = True
                continue
            next_stake = None if stake is None or rel.ratio is None else stake * rel.ratio
            if next_stake is not None and not _reaches(next_stake, self.threshold):
                continue
            grown.append(((*nodes, other), (*ratios, rel.ratio), next_stake))
            total = self.totals.setdefault(other, _Total(depth=len(nodes)))
            total.chains += 1
            if next_stake is not None:
                total.stake += next_stake
                total.known += 1
        if len(grown) > before:
            return None
        return "cycle" if looped else "threshold"

    def stakes(self) -> list[Stake]:
        found = [
            Stake(
                node=self.nodes[node_id],
                depth=t.depth,
                stake=round(t.stake, 9) if t.known else None,
                chains=t.chains,
                unknown_chains=t.chains - t.known,
                ultimate=node_id not in self.hubs and self.links.get(node_id) == [],
            )
            for node_id, t in self.totals.items()
        ]
        return sorted(found, key=lambda s: (s.stake is None, -(s.stake or 0.0), s.depth, s.node.id))


def penetrate(
    store: GraphStore,
    entity_id: str,
    *,
    direction: EquityDirection = "up",
    max_depth: int = 10,
    as_of: date | None = None,
    threshold: float = 0.0,
) -> Equity:
    """Ownership chains along SHAREHOLDER_OF valid on ``as_of`` (default today).

    ``up``: who holds the entity, through holding companies, to the ultimate holders; ``down``:
    what it holds, directly and indirectly. A chain never revisits a node (cycles are
    reported); a chain whose known stake falls below ``threshold`` is neither followed nor
    listed, so totals add up the chains at or above it. Raises NotFound, InvalidInput.
    """
    _check(direction, max_depth, threshold)
    subject = summary(store, entity_id)
    walk = _Walk(store, direction == "up", as_of or date.today(), threshold)
    walk.nodes[subject.id] = subject
    partial: list[_Partial] = [((subject.id,), (), 1.0)]
    done: list[Chain] = []
    for depth in range(max_depth + 1):
        if not partial:
            break
        walk.fetch(p[0][-1] for p in partial)
        grown: list[_Partial] = []
        for chain in partial:
            end = walk.grow(chain, depth == max_depth, grown, len(done))
            if end is not None and depth > 0:
                nodes, ratios, stake = chain
                known = None if stake is None else round(stake, 9)
                done.append(Chain(nodes=list(nodes), ratios=list(ratios), stake=known, end=end))
        partial = grown
    done.sort(key=lambda c: (c.stake is None, -(c.stake or 0.0), c.nodes))
    used = {node_id for chain in done for node_id in chain.nodes} | {subject.id}
    return Equity(
        subject=subject,
        direction=direction,
        as_of=walk.as_of,
        max_depth=max_depth,
        threshold=threshold,
        nodes={k: v for k, v in sorted(walk.nodes.items()) if k in used},
        chains=done,
        stakes=walk.stakes(),
        cycles=sorted(list(c) for c in walk.cycles),
        hubs=sorted(walk.hubs),
        truncated=any(c.end in ("max_depth", "limit") for c in done),
    )


def ultimate_controllers(
    store: GraphStore, entity_id: str, *, threshold: float = 0.25, as_of: date | None = None
) -> Controllers:
    """Ultimate holders whose total effective stake reaches ``threshold``, and anyone declared
    actual controller (ACTUAL_CONTROLLER_OF) of the company, largest stake first."""
    _check("up", 1, threshold)
    equity = penetrate(store, entity_id, direction="up", as_of=as_of, max_depth=50)
    every = {
        s.node.id: Controller(
            node=s.node, stake=s.stake, chains=s.chains, unknown_chains=s.unknown_chains
        )
        for s in equity.stakes
    }
    tops = [s.node.id for s in equity.stakes if s.ultimate]
    found = {k: every[k] for k in tops if _reaches(every[k].stake, threshold)}
    declared = store.links(
        [equity.subject.id],
        rel_types=[RelType.ACTUAL_CONTROLLER_OF],
        direction="in",
        as_of=equity.as_of,
        cap=CAP,
    )
    for rel in declared.relations:
        controller = every.get(rel.source_id) or Controller(
            node=declared.nodes[rel.source_id], stake=None
        )
        controller.declared, controller.declared_ratio = True, rel.ratio
        found[rel.source_id] = controller
    undetermined = [every[k] for k in tops if k not in found and every[k].unknown_chains]
    ordered = sorted(found.values(), key=lambda c: (c.stake is None, -(c.stake or 0.0), c.node.id))
    return Controllers(
        subject=equity.subject,
        as_of=equity.as_of,
        threshold=threshold,
        controllers=ordered,
        undetermined=undetermined,
        cycles=equity.cycles,
        hubs=sorted({*equity.hubs, *declared.hubs}),
        truncated=equity.truncated,
    )


def _check(direction: str, max_depth: int, threshold: float) -> None:
    for name, ok, rule, got in (
        ("direction", direction in ("up", "down"), "up or down", repr(direction)),
        ("max_depth", 1 <= max_depth <= 50, "between 1 and 50", max_depth),
        ("threshold", 0.0 <= threshold <= 1.0, "between 0 and 1", threshold),
    ):
        if not ok:
            raise InvalidInput(f"{name}: must be {rule}, got {got}", field=name)


def _reaches(stake: float | None, threshold: float) -> bool:
    return stake is not None and stake >= threshold - _EPSILON
