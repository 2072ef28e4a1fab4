"""The risk-cluster job: read the risk graph, find clusters, score and explain them.

``data_version`` is a hash of everything the run read (the risky subjects' records, the
nodes with their names and founding dates, the relations and the degrees): equal for
unchanged data on either store, changed by any change the run could see; ``loaded_at``
and data the run does not read (licences, other relations) do not change it.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import networkx as nx

from graph.store.protocol import GraphStore, RiskGraph
from queries.clusters.model import Cluster, ClusterRun, Params, RiskStatus
from queries.clusters.risk import Pair, Projection, project
from queries.clusters.score import build

Progress = Callable[[str, int, int], None]
#: Louvain's seed: two runs on the same data split a large component the same way.
LOUVAIN_SEED = 20261126


def data_version(graph: RiskGraph) -> str:
    """A hash of a (normalised) risk graph."""
    digest = hashlib.blake2b(digest_size=16)
    for r in graph.records:
        digest.update(
            f"r\x1f{r.id}\x1f{r.subject_id}\x1f{r.status}\x1f{r.since}\x1f{r.name}\n".encode()
        )
    for node_id, node in graph.nodes.items():
        digest.update(
            f"n\x1f{node_id}\x1f{node.label}\x1f{node.name}\x1f{node.established}\n".encode()
        )
    for rel in graph.relations:
        digest.update(f"e\x1f{rel[0]}\x1f{rel[1]}\x1f{rel[2]}\x1f{rel[3]}\n".encode())
    for node_id, degree in graph.degrees.items():
        digest.update(f"d\x1f{node_id}\x1f{degree}\n".encode())
    return digest.hexdigest()


def groups(proj: Projection, params: Params, progress: Progress | None = None) -> list[set[str]]:
    """Connected components of the linked pairs; a component larger than
    ``community_size`` split into Louvain communities (fixed seed). Groups of one left out."""
    # nodes are numbered in id order: networkx keeps some nodes in sets, and a set of
    # strings iterates in an order that changes from one process to the next
    ids = sorted({n for pair in proj.edges for n in pair})
    number = {node_id: k for k, node_id in enumerate(ids)}
    graph = nx.Graph()
    graph.add_nodes_from(range(len(ids)))
    for (a, b), weight in sorted(proj.edges.items()):
        graph.add_edge(number[a], number[b], weight=weight)
    components = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: c[0])
    found: list[set[str]] = []
    for done, component in enumerate(components, 1):
        if len(component) > params.community_size:
            sub = nx.Graph()
            sub.add_nodes_from(component)
            sub.add_edges_from(sorted(graph.subgraph(component).edges(data=True)))
            parts = nx.community.louvain_communities(sub, weight="weight", seed=LOUVAIN_SEED)
            found.extend({ids[k] for k in p} for p in parts if len(p) > 1)
        else:
            found.append({ids[k] for k in component})
        if progress is not None and (done % 1000 == 0 or done == len(components)):
            progress("cluster", done, len(components))
    return found


def _keep(ids: set[str], proj: Projection, params: Params) -> bool:
    risky = sum(1 for i in ids if proj.status[i] is not RiskStatus.LINKED)
    return risky >= params.min_risky


def find_clusters(
    store: GraphStore, params: Params, *, progress: Progress | None = None
) -> ClusterRun:
    """One run of the job on ``params.as_of`` (see the package and queries/clusters/risk.py):
    clusters with at least ``min_risky`` listed or penalised members or an evasion signal,
    highest score first (then key)."""
    started = datetime.now(UTC)
    run_id = f"{started:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
    stages: dict[str, float] = {}
    clock = time.perf_counter()
    if progress is not None:
        progress("read", 0, 1)
    since = params.as_of - timedelta(days=params.penalty_days)
    graph = store.risk_graph(as_of=params.as_of, penalty_since=since, cap=params.hub_cap)
    version = data_version(graph)
    if progress is not None:
        progress("read", 1, 1)
    stages["read"] = time.perf_counter() - clock

    clock = time.perf_counter()
    proj = project(graph, params)
    found = groups(proj, params, progress)
    stages["cluster"] = time.perf_counter() - clock

    clock = time.perf_counter()
    group_of = {node_id: k for k, ids in enumerate(found) for node_id in ids}
    pairs: list[list[Pair]] = [[] for _ in found]
    for pair in sorted(proj.links):  # each pair to the group holding both ends, in one pass
        k = group_of.get(pair[0])
        if k is not None and group_of.get(pair[1]) == k:
            pairs[k].append(pair)
    clusters: list[Cluster] = []
    for done, ids in enumerate(found, 1):
        cluster = build(ids, pairs[done - 1], graph, proj, params.as_of)
        if _keep(ids, proj, params) or cluster.evasion:
            clusters.append(cluster)
        if progress is not None and (done % 500 == 0 or done == len(found)):
            progress("score", done, len(found))
    clusters.sort(key=lambda c: (-c.score, c.key))
    stages["score"] = time.perf_counter() - clock

    statuses = [s for s in proj.status.values()]
    counts = {
        "records": len(graph.records),
        "risky": sum(1 for s in statuses if s is not RiskStatus.LINKED),
        "listed": statuses.count(RiskStatus.LISTED),
        "penalised": statuses.count(RiskStatus.PENALISED),
        "linked": statuses.count(RiskStatus.LINKED),
        "nodes_read": len(graph.nodes),
        "relations_read": len(graph.relations),
        "hubs": len(proj.hubs),
        "hubs_capped": len(graph.capped),
        "pairs": len(proj.links),
        "edges": len(proj.edges),
        "groups": len(found),
        "clusters": len(clusters),
        "members": sum(len(c.members) for c in clusters),
    }
    return ClusterRun(
        run_id=run_id,
        started_at=started,
        finished_at=datetime.now(UTC),
        params=params,
        data_version=version,
        clusters=clusters,
        stages={k: round(v, 3) for k, v in stages.items()},
        counts=counts,
    )
