"""Changes between runs on a change of the data itself, on both stores: a new listing joins
two clusters into one, a repair dissolves one, and unchanged data changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from graph.model import Enterprise, Relation
from graph.records import ListEntry, ListKind, ListType, RecordStatus, record_id
from graph.store.protocol import GraphStore
from graph.vocabulary import Label, RelType
from queries.clusters.find import find_clusters
from queries.clusters.history import RunHistory
from queries.clusters.model import ChangeKind, ClusterRun, Params, RunDiff
from queries.clusters.params import load_params
from tests import factories
from tests.factories import person

DAY = date(2025, 9, 1)
A1, A2, J = (Enterprise(id=f"91420102MA4KA000{n}X", name=f"甲{n}公司") for n in (1, 2, 3))
B1, B2, L = (Enterprise(id=f"91420102MA4KB000{n}X", name=f"乙{n}公司") for n in (1, 2, 3))
P = person("周甲", "420102197001010015")  # legal rep of A1, A2 and J
R = person("吴乙", "420102198512120026")  # legal rep of B1, B2 and L
Q = person("郑丙", "420102197006060038")  # legal rep of J and L: seen only once J is listed


def entry(subject: Enterprise, **extra: Any) -> ListEntry:
    return ListEntry(
        id=record_id(Label.LIST_ENTRY, "失信被执行人名单", subject.id),
        subject_id=subject.id,
        issuing_authority="某区人民法院",
        list_type=ListType.BLACK,
        list_kind=ListKind.DISHONEST_JUDGMENT_DEBTOR,
        list_name="失信被执行人名单",
        decision_date=date(2024, 1, 1),
        valid_from=date(2024, 1, 1),
        **extra,
    )


def reps(holder: Any, *companies: Enterprise) -> list[Relation]:
    return [
        Relation(type=RelType.LEGAL_REPRESENTATIVE_OF, source_id=holder.id, target_id=c.id)
        for c in companies
    ]


@pytest.fixture
def params() -> Params:
    return load_params(DAY, min_weight=1.0, min_risky=2)


@pytest.fixture
def county(store: GraphStore) -> GraphStore:
    factories.load(
        store,
        {
            "entities": [A1, A2, J, B1, B2, L, P, R, Q],
            "relations": [*reps(P, A1, A2, J), *reps(R, B1, B2, L), *reps(Q, J, L)],
            "records": [entry(A1), entry(A2), entry(B1), entry(B2)],
        },
    )
    return store


def run(store: GraphStore, params: Params, history: RunHistory) -> tuple[ClusterRun, RunDiff]:
    return history.save(find_clusters(store, params))


def member_sets(found: ClusterRun) -> dict[str, set[str]]:
    return {str(c.id): {m.id for m in c.members} for c in found.clusters}


def test_a_new_listing_joins_two_clusters_and_a_repair_dissolves_one(
    county: GraphStore, params: Params, tmp_path: Path
) -> None:
    history = RunHistory(tmp_path / "clusters")
    first, diff = run(county, params, history)
    clusters = member_sets(first)
    assert sorted(clusters.values(), key=sorted) == [{A1.id, A2.id, J.id}, {B1.id, B2.id, L.id}]
    assert {c.kind for c in diff.changes} == {ChangeKind.NEW}
    _, unchanged = run(county, params, history)
    assert unchanged.changes == []  # the same data: no change

    factories.load(county, {"entities": [], "relations": [], "records": [entry(J)]})
    merged_run, merged = run(county, params, history)
    [(cluster_id, members)] = member_sets(merged_run).items()
    assert members == {A1.id, A2.id, J.id, B1.id, B2.id, L.id}
    [change] = merged.changes
    assert change.kind is ChangeKind.MERGED and change.cluster_id == cluster_id
    assert {cluster_id, *change.previous_ids} == set(clusters)

    repaired = [
        entry(c, status=RecordStatus.REPAIRED, status_since=date(2025, 6, 1)) for c in (A1, A2, J)
    ]
    factories.load(county, {"entities": [], "relations": [], "records": repaired})
    after, dissolved = run(county, params, history)
    # 甲's side is no longer risky: what is left is 乙's cluster, under the merged id
    assert member_sets(after) == {cluster_id: {B1.id, B2.id, L.id}}
    assert [c.kind for c in dissolved.changes] == [ChangeKind.SHRUNK]
    assert set(dissolved.changes[0].removed) == {A1.id, A2.id, J.id}


def test_a_repair_dissolves_a_cluster(county: GraphStore, params: Params, tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "clusters")
    first, _ = run(county, params, history)
    b_side = next(k for k, v in member_sets(first).items() if B1.id in v)
    repaired = [
        entry(c, status=RecordStatus.REPAIRED, status_since=date(2025, 6, 1)) for c in (B1, B2)
    ]
    factories.load(county, {"entities": [], "relations": [], "records": repaired})
    after, diff = run(county, params, history)
    assert b_side not in member_sets(after)
    assert [(c.kind, c.cluster_id) for c in diff.changes] == [(ChangeKind.DISSOLVED, b_side)]
