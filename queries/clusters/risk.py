"""The risk graph's weighted projection: subjects, the links between them, and hubs.

A **subject** is an organisation (enterprise, social organisation) or a risky person. What
joins two subjects is a **link**: a person (non-risky: a risky person is a subject itself),
contact point or holding organisation they share (one link per kind of tie both ends have to
it, e.g. the same person as legal representative and shareholder of both gives two; with no
kind in common, one link of the weaker end's kind), or a relation between them (one link per
pair and kind: equity, control, a risky person's role).
A shared node joining more than ``hub_cap`` subjects is a **hub**: its links weigh
weight / degree and count only for pairs that other evidence joins too, so a hub never
links a pair on its own. A pair is **linked** when its links weigh at least
``min_weight``; the members are the risky subjects and the organisations linked to one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

from graph.store.protocol import RiskGraph, RiskRecord
from graph.vocabulary import Label, RelType
from queries.clusters.model import Evidence, Params, RiskStatus

ORGS = frozenset({str(Label.ENTERPRISE), str(Label.SOCIAL_ORGANIZATION)})
PERSON, CONTACT = str(Label.PERSON), str(Label.CONTACT_POINT)
#: The evidence a relation gives when it ties a shared node to a subject.
TIE_KIND: dict[str, Evidence] = {
    RelType.LEGAL_REPRESENTATIVE_OF: Evidence.LEGAL_ROLE,
    RelType.PRINCIPAL_OF: Evidence.LEGAL_ROLE,
    RelType.EXECUTIVE_OF: Evidence.LEGAL_ROLE,
    RelType.SHAREHOLDER_OF: Evidence.SHAREHOLDER,
    RelType.ACTUAL_CONTROLLER_OF: Evidence.ACTUAL_CONTROLLER,
    RelType.HAS_PHONE: Evidence.PHONE,
    RelType.HAS_ADDRESS: Evidence.ADDRESS,
}
#: The evidence a relation gives when it joins two subjects directly.
DIRECT_KIND: dict[str, Evidence] = {
    RelType.LEGAL_REPRESENTATIVE_OF: Evidence.LEGAL_ROLE,
    RelType.PRINCIPAL_OF: Evidence.LEGAL_ROLE,
    RelType.EXECUTIVE_OF: Evidence.LEGAL_ROLE,
    RelType.SHAREHOLDER_OF: Evidence.EQUITY,
    RelType.ACTUAL_CONTROLLER_OF: Evidence.ACTUAL_CONTROLLER,
}
_HOLDING = frozenset({str(RelType.SHAREHOLDER_OF), str(RelType.ACTUAL_CONTROLLER_OF)})
_CONTACT_TYPES = frozenset({str(RelType.HAS_PHONE), str(RelType.HAS_ADDRESS)})

Pair = tuple[str, str]  # sorted subject ids
LinkTuple = tuple[Evidence, str | None, float]  # evidence, via, weight


@dataclass
class Projection:
    """Subjects, their statuses and records, the links of every pair, and what was damped."""

    status: dict[str, RiskStatus] = field(default_factory=dict)  # members only
    records: dict[str, list[RiskRecord]] = field(default_factory=dict)
    links: dict[Pair, list[LinkTuple]] = field(default_factory=dict)  # pairs of members
    edges: dict[Pair, float] = field(default_factory=dict)  # linked pairs: total weight
    hubs: set[str] = field(default_factory=set)
    #: (person, subject) -> the dated starts of the person's relations to the subject
    ties: defaultdict[tuple[str, str], list[date]] = field(
        default_factory=lambda: defaultdict(list)
    )


def _strongest(kinds: set[Evidence], weights: dict[Evidence, float]) -> Evidence:
    return max(sorted(kinds), key=lambda k: weights[k])


def _evidence(a: set[Evidence], b: set[Evidence], weights: dict[Evidence, float]) -> Evidence:
    common = a & b
    if common:
        return _strongest(common, weights)
    first, second = _strongest(a, weights), _strongest(b, weights)
    return first if weights[first] <= weights[second] else second


def project(graph: RiskGraph, params: Params) -> Projection:
    """The weighted projection of ``graph`` under ``params`` (see the module)."""
    out = Projection()
    risky: dict[str, RiskStatus] = {}
    for record in graph.records:
        out.records.setdefault(record.subject_id, []).append(record)
        if record.status == "listed":
            risky[record.subject_id] = RiskStatus.LISTED
        else:
            risky.setdefault(record.subject_id, RiskStatus.PENALISED)
    nodes, weights = graph.nodes, params.weights

    def subject(node_id: str) -> bool:
        return node_id in risky or nodes[node_id].label in ORGS

    # shared node -> subject -> the kinds of its ties; and direct links
    shared: dict[str, dict[str, set[Evidence]]] = defaultdict(lambda: defaultdict(set))
    direct: dict[Pair, set[Evidence]] = defaultdict(set)
    for kind, source, target, start in graph.relations:
        if kind in _CONTACT_TYPES:
            if subject(source):
                shared[target][source].add(TIE_KIND[kind])
            continue
        if not subject(target):
            continue
        if subject(source):
            direct[(min(source, target), max(source, target))].add(DIRECT_KIND[kind])
        if nodes[source].label == PERSON and start is not None:
            out.ties[(source, target)].append(start)  # when the person joined the subject
        if (nodes[source].label == PERSON and source not in risky) or (
            kind in _HOLDING and nodes[source].label in ORGS
        ):
            shared[source][target].add(TIE_KIND[kind])

    links: dict[Pair, list[LinkTuple]] = defaultdict(list)
    hub_ties: dict[str, list[tuple[str, Evidence, float]]] = defaultdict(list)
    for pair, kinds in direct.items():
        for kind in sorted(kinds):
            links[pair].append((kind, None, weights[kind]))
    for via in sorted(shared):
        ties = shared[via]
        degree = max(graph.degrees.get(via, 0), len(ties))
        if degree > params.hub_cap:
            out.hubs.add(via)
            for member, kinds in ties.items():
                kind = _strongest(kinds, weights)
                hub_ties[member].append((via, kind, weights[kind] / degree))
            continue
        for a, b in combinations(sorted(ties), 2):
            for kind in _kinds(ties[a], ties[b], weights):
                links[(a, b)].append((kind, via, weights[kind]))
    for (a, b), found in links.items():  # damped hub links only where other evidence joins
        if a in hub_ties and b in hub_ties:
            theirs = {via: (kind, w) for via, kind, w in hub_ties[b]}
            for via, kind, w in hub_ties[a]:
                if via in theirs:
                    found.append(
                        (_weaker(kind, theirs[via][0], weights), via, min(w, theirs[via][1]))
                    )

    edges = {pair: sum(w for _, _, w in found) for pair, found in links.items()}
    edges = {pair: w for pair, w in edges.items() if w >= params.min_weight}
    members = dict(risky)
    for a, b in edges:
        if a in risky or b in risky:
            members.setdefault(a, RiskStatus.LINKED)
            members.setdefault(b, RiskStatus.LINKED)
    out.status = members
    out.edges = {p: w for p, w in edges.items() if p[0] in members and p[1] in members}
    out.links = {p: f for p, f in links.items() if p[0] in members and p[1] in members}
    return out


def _kinds(a: set[Evidence], b: set[Evidence], weights: dict[Evidence, float]) -> list[Evidence]:
    """The evidence one shared node gives a pair: each kind both ends have to it (the same
    person as legal representative and shareholder of both: two links), else the weaker of
    the two ends' strongest kinds (legal representative of one, shareholder of the other)."""
    common = a & b
    return sorted(common) if common else [_evidence(a, b, weights)]


def _weaker(a: Evidence, b: Evidence, weights: dict[Evidence, float]) -> Evidence:
    return _evidence({a}, {b}, weights)
