"""Scoring and explaining a cluster: statuses, evidence, strongest links, evasion signals.

Score = 3 per listed + 2 per penalised + 0.5 per linked member, plus the total weight of
the links between members, times 1.5 when the cluster has an evasion signal; rounded to
3 decimals (so equal data gives equal scores on both stores).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date

from graph.store.protocol import RiskGraph
from graph.vocabulary import Label
from queries.clusters.model import Cluster, EvasionSignal, Evidence, Link, Member, RiskStatus
from queries.clusters.risk import CONTACT, ORGS, PERSON, Pair, Projection

STATUS_POINTS = {RiskStatus.LISTED: 3.0, RiskStatus.PENALISED: 2.0, RiskStatus.LINKED: 0.5}
EVASION_BOOST = 1.5
STRONGEST = 10
EVIDENCE_TEXT = {
    Evidence.LEGAL_ROLE: "共同法定代表人/负责人/高管",
    Evidence.SHAREHOLDER: "共同股东",
    Evidence.EQUITY: "股权关系",
    Evidence.ACTUAL_CONTROLLER: "共同实际控制人或控制关系",
    Evidence.PHONE: "共用电话",
    Evidence.ADDRESS: "共用地址",
}
STATUS_TEXT = {RiskStatus.LISTED: "列入黑名单", RiskStatus.PENALISED: "近期受行政处罚"}


def cluster_key(member_ids: list[str]) -> str:
    """The key of a set of members: a hash of their sorted ids (same members, same key).

    >>> cluster_key(["b", "a"]) == cluster_key(["a", "b"])
    True
    """
    text = "\x1f".join(sorted(member_ids))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def evasion(
    ids: set[str], graph: RiskGraph, proj: Projection, pairs: list[Pair], as_of: date
) -> list[EvasionSignal]:
    """Listed members resurfacing: a person, phone or address of a listed member shared with
    an organisation of the cluster established, or joined by the shared person, on or after
    the listing (the latest listing the date follows; hubs do not count), by ``as_of``."""
    found = []
    for a, b in pairs:
        for listed, other in ((a, b), (b, a)):
            if proj.status[listed] is not RiskStatus.LISTED or graph.nodes[other].label not in ORGS:
                continue
            shared = sorted(
                {
                    via
                    for _, via, _ in proj.links[(a, b)]
                    if via is not None
                    and via not in proj.hubs
                    and graph.nodes[via].label in (PERSON, CONTACT)
                }
            )
            if graph.nodes[listed].label == PERSON:
                shared = [listed, *shared]  # a listed person shares themself
            if not shared:
                continue
            signal = _signal(listed, other, shared, graph, proj, as_of)
            if signal is not None:
                found.append(signal)
    return sorted(found, key=lambda s: (s.suspicious_date, s.listed_id, s.organisation_id))


def _signal(
    listed: str, org: str, shared: list[str], graph: RiskGraph, proj: Projection, as_of: date
) -> EvasionSignal | None:
    sinces = sorted(
        {r.since for r in proj.records.get(listed, []) if r.status == "listed" and r.since},
        reverse=True,
    )
    established = graph.nodes[org].established
    for since in sinces:
        starts = [
            start for via in shared for start in proj.ties.get((via, org), ()) if start >= since
        ]
        if established is not None and established >= since:
            when = established
        elif starts:
            when = min(starts)
        else:
            continue
        if when > as_of:
            continue
        return EvasionSignal(
            listed_id=listed, organisation_id=org, since=since, suspicious_date=when, shared=shared
        )
    return None


def build(
    ids: set[str], pairs: list[Pair], graph: RiskGraph, proj: Projection, as_of: date
) -> Cluster:
    """The scored, explained cluster of the members ``ids``, whose pairs with links among
    them are ``pairs`` (sorted)."""
    order = sorted(ids)
    members = [
        Member(
            id=i,
            label=Label(graph.nodes[i].label),
            name=graph.nodes[i].name,
            status=proj.status[i],
            records=sorted(r.id for r in proj.records.get(i, [])),
        )
        for i in order
    ]
    links = [
        Link(source_id=a, target_id=b, evidence=kind, via=via, weight=round(weight, 6))
        for a, b in pairs
        for kind, via, weight in proj.links[(a, b)]
    ]
    statuses = Counter(m.status for m in members)
    evidence = Counter(link.evidence for link in links)
    signals = evasion(ids, graph, proj, pairs, as_of)
    base = sum(STATUS_POINTS[m.status] for m in members) + sum(x.weight for x in links)
    score = round(base * (EVASION_BOOST if signals else 1.0), 3)
    strongest = sorted(
        links, key=lambda x: (-x.weight, x.source_id, x.target_id, x.evidence, x.via or "")
    )[:STRONGEST]
    listed = [m.id for m in members if m.status is RiskStatus.LISTED]
    cluster = Cluster(
        key=cluster_key(order),
        members=members,
        score=score,
        statuses={s: statuses[s] for s in RiskStatus if statuses[s]},
        evidence={e: evidence[e] for e in Evidence if evidence[e]},
        strongest=strongest,
        listed=listed,
        evasion=signals,
        explanation="",
    )
    cluster.explanation = explain(cluster, graph)
    return cluster


def explain(cluster: Cluster, graph: RiskGraph) -> str:
    """One paragraph (Chinese) an investigator can read."""
    names = {m.id: m.name for m in cluster.members}

    def name(node_id: str | None) -> str:
        if node_id is None:
            return ""
        return names.get(node_id) or (
            graph.nodes[node_id].name if node_id in graph.nodes else node_id
        )

    counts = "、".join(
        f"{STATUS_TEXT.get(s, '关联主体')}{n}个" for s, n in cluster.statuses.items()
    )
    evidence = "、".join(f"{EVIDENCE_TEXT[e]}{n}条" for e, n in cluster.evidence.items())
    text = f"该风险集群共{len(cluster.members)}个主体（{counts}），由{evidence}相互关联。"
    if cluster.strongest:
        top = cluster.strongest[0]
        via = f"（经{name(top.via)}）" if top.via else ""
        text += (
            f"最强关联为{name(top.source_id)}与{name(top.target_id)}之间的"
            f"{EVIDENCE_TEXT[top.evidence]}{via}，权重{top.weight:g}。"
        )
    for signal in cluster.evasion[:3]:
        shared = "、".join(name(v) for v in signal.shared)
        text += (
            f"疑似换壳逃避惩戒：{name(signal.listed_id)}于{signal.since}列入黑名单后，"
            f"{name(signal.organisation_id)}于{signal.suspicious_date}成立或由共同人员加入，"
            f"共用{shared}。"
        )
    return text + f"评分{cluster.score:g}。"
