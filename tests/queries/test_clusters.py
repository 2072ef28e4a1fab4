"""Risk clusters on a generated county and on hand-made graphs, on both stores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from graph.errors import InvalidInput
from graph.model import Enterprise, Person, Relation
from graph.records import ListEntry, ListKind, ListType
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType
from loaders.pipeline import Loader
from loaders.report import RejectWriter
from loaders.synthetic.county import generate_county
from queries.clusters.find import find_clusters
from queries.clusters.model import Cluster, ClusterRun, Evidence, RiskStatus
from queries.clusters.params import load_params

KEY = b"cluster-test-key"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("county")
    generate_county(folder, entities=2500, seed=3)
    truth: dict[str, Any] = json.loads((folder / "ground_truth.json").read_text("utf-8"))
    return folder, truth


def load_county(store: GraphStore, folder: Path, tmp_path: Path) -> None:
    with RejectWriter(tmp_path / "rejects.csv") as writer:
        Loader(store, KEY, writer, progress=False).load([folder])


@pytest.fixture
def loaded(
    store: GraphStore, county: tuple[Path, dict[str, Any]], tmp_path: Path
) -> tuple[GraphStore, dict[str, Any], date]:
    load_county(store, county[0], tmp_path)
    truth = county[1]
    return store, truth, date.fromisoformat(truth["reference_date"])


def cluster_of(run: ClusterRun) -> dict[str, Cluster]:
    return {m.id: c for c in run.clusters for m in c.members}


def test_planted_shell_groups_and_evasion_pairs_are_clusters(
    loaded: tuple[GraphStore, dict[str, Any], date],
) -> None:
    store, truth, day = loaded
    default = find_clusters(store, load_params(day))
    every = find_clusters(store, load_params(day, min_risky=1))
    # who is listed or penalised on the day, from the records (not from the clusters)
    since = day - timedelta(days=default.params.penalty_days)
    records = store.risk_graph(as_of=day, penalty_since=since, cap=1000).records
    listed = {r.subject_id for r in records if r.status == "listed"}
    risky = {r.subject_id for r in records}
    checked = 0
    for shell in truth["structures"]["shell_clusters"]:
        members = shell["usccs"]
        if not listed & set(members):
            continue
        checked += 1
        for run in (every, default):
            if run is default and len(risky & set(members)) < run.params.min_risky:
                continue
            found = cluster_of(run)
            assert len({found[u].key for u in members}) == 1, shell
    assert checked >= 2
    found = cluster_of(default)
    pairs = [p for p in truth["structures"]["evasion_pairs"] if p["listing_date"] <= str(day)]
    assert pairs
    for pair in pairs:
        listed, new = pair["listed_uscc"], pair["new_uscc"]
        assert found[listed] is found[new], pair
        signals = {(s.listed_id, s.organisation_id) for s in found[listed].evasion}
        assert (listed, new) in signals, pair
        assert found[listed].score > 0 and found[listed].explanation


def test_firms_sharing_only_the_agency_address_are_not_merged(
    loaded: tuple[GraphStore, dict[str, Any], date],
) -> None:
    store, truth, day = loaded
    [hub] = truth["structures"]["hub_addresses"]
    firms = set(hub["usccs"])
    assert len(firms) >= 30

    def together(**overrides: Any) -> tuple[set[frozenset[str]], ClusterRun]:
        run = find_clusters(store, load_params(day, min_risky=1, **overrides))
        groups = {frozenset(firms & {m.id for m in c.members}) for c in run.clusters}
        return {g for g in groups if len(g) > 1}, run

    # here a shared address alone links a pair: without the hub rule the agency glues its firms
    glued, _ = together(weights={"address": 1.5}, hub_cap=1000)
    assert max(len(g) for g in glued) >= 3
    damped, run = together(weights={"address": 1.5})
    assert run.counts["hubs"] >= 1
    # with it, hub firms are together only where other evidence joins them: exactly as when
    # an address alone cannot link a pair at all
    apart, _ = together()
    assert damped == apart
    assert all(len(g) <= 2 for g in damped)


def test_a_second_run_on_unchanged_data_gives_the_same_clusters(
    loaded: tuple[GraphStore, dict[str, Any], date],
) -> None:
    store, _, day = loaded
    params = load_params(day, community_size=5)  # Louvain splits the larger components
    calls: list[tuple[str, int, int]] = []
    first = find_clusters(store, params, progress=lambda *a: calls.append(a))
    second = find_clusters(store, params)
    assert first.run_id != second.run_id
    assert first.data_version == second.data_version
    assert [(c.key, c.score) for c in first.clusters] == [(c.key, c.score) for c in second.clusters]
    assert first.clusters and [c.score for c in first.clusters] == sorted(
        (c.score for c in first.clusters), reverse=True
    )
    assert {s for s, _, _ in calls} == {"read", "cluster", "score"}
    assert set(first.stages) == {"read", "cluster", "score"}
    for cluster in first.clusters:
        assert len(cluster.strongest) <= 10
        weights = [link.weight for link in cluster.strongest]
        assert weights == sorted(weights, reverse=True)
        assert cluster.listed == [m.id for m in cluster.members if m.status is RiskStatus.LISTED]
        assert sum(cluster.statuses.values()) == len(cluster.members)


@pytest.mark.neo4j
def test_both_stores_give_the_same_clusters(
    embedded_store: GraphStore,
    neo4j_store: GraphStore,
    county: tuple[Path, dict[str, Any]],
    tmp_path: Path,
) -> None:
    load_county(embedded_store, county[0], tmp_path / "embedded")
    load_county(neo4j_store, county[0], tmp_path / "neo4j")
    params = load_params(date.fromisoformat(county[1]["reference_date"]), community_size=8)
    a, b = find_clusters(embedded_store, params), find_clusters(neo4j_store, params)
    assert a.data_version == b.data_version
    assert a.counts == b.counts
    assert [c.model_dump() for c in a.clusters] == [c.model_dump() for c in b.clusters]


DAY = date(2025, 6, 30)


def listing(i: str, subject: str) -> ListEntry:
    return ListEntry(
        id=i,
        subject_id=subject,
        issuing_authority="某区市场监督管理局",
        list_type=ListType.BLACK,
        list_kind=ListKind.SERIOUS_VIOLATION,
        list_name="严重违法失信名单",
        decision_date=date(2024, 3, 1),
        valid_from=date(2024, 3, 1),
    )


@pytest.fixture
def small(store: GraphStore) -> GraphStore:
    """Listed A and B share a legal rep and shareholder whose posts at B ended before DAY;
    listed C's legal rep and shareholder founded D after C's listing (a shell: evasion)."""
    firms = [
        Enterprise(id="A", name="甲公司", established=date(2010, 1, 1)),
        Enterprise(id="B", name="乙公司", established=date(2010, 1, 1)),
        Enterprise(id="C", name="丙公司", established=date(2010, 1, 1)),
        Enterprise(id="D", name="丁公司", established=date(2024, 9, 1)),
    ]
    people = [Person(id="p1", name="张三"), Person(id="p2", name="李四")]
    store.upsert_entities([*firms, *people])
    ties = [
        ("p1", "A", {}),
        ("p1", "B", {"valid_to": date(2025, 1, 31)}),
        ("p2", "C", {}),
        ("p2", "D", {"valid_from": date(2024, 9, 1)}),
    ]
    store.upsert_relations(
        [
            Relation(type=kind, source_id=person, target_id=firm, **dates)
            for person, firm, dates in ties
            for kind in (RelType.LEGAL_REPRESENTATIVE_OF, RelType.SHAREHOLDER_OF)
        ]
    )
    store.upsert_records([listing("l1", "A"), listing("l2", "B"), listing("l3", "C")])
    return store


def test_relations_not_valid_on_the_date_do_not_count(small: GraphStore) -> None:
    now = find_clusters(small, load_params(DAY))
    assert [[m.id for m in c.members] for c in now.clusters] == [["C", "D"]]
    before = find_clusters(small, load_params(date(2025, 1, 31)))
    groups = sorted([m.id for m in c.members] for c in before.clusters)
    assert groups == [["A", "B"], ["C", "D"]]
    [ab] = [c for c in before.clusters if c.members[0].id == "A"]
    assert ab.evidence == {Evidence.LEGAL_ROLE: 1, Evidence.SHAREHOLDER: 1}
    assert ab.strongest[0].via == "p1" and ab.statuses == {RiskStatus.LISTED: 2}
    assert now.data_version != before.data_version


def test_the_evasion_signal_names_the_listed_and_the_new_firm(small: GraphStore) -> None:
    [cd] = find_clusters(small, load_params(DAY)).clusters  # one risky member: kept by it
    [signal] = cd.evasion
    assert (signal.listed_id, signal.organisation_id) == ("C", "D")
    assert signal.since == date(2024, 3, 1) and signal.suspicious_date == date(2024, 9, 1)
    assert signal.shared == ["p2"]
    assert {m.id: m.status for m in cd.members} == {"C": RiskStatus.LISTED, "D": RiskStatus.LINKED}
    assert "丁公司" in cd.explanation and "张三" not in cd.explanation


def test_a_listed_person_joining_an_older_firm_after_the_listing_is_a_signal(
    small: GraphStore,
) -> None:
    small.upsert_entities(
        [
            Person(id="p3", name="王五"),
            Enterprise(id="F", name="己公司", established=date(2000, 1, 1)),
        ]
    )
    joined = date(2024, 10, 1)
    small.upsert_relations(
        [
            Relation(type=kind, source_id="p3", target_id="F", valid_from=joined)
            for kind in (RelType.LEGAL_REPRESENTATIVE_OF, RelType.SHAREHOLDER_OF)
        ]
    )
    small.upsert_records([listing("l4", "p3")])
    run = find_clusters(small, load_params(DAY))
    [pf] = [c for c in run.clusters if {m.id for m in c.members} == {"F", "p3"}]
    [signal] = pf.evasion
    assert (signal.listed_id, signal.organisation_id, signal.shared) == ("p3", "F", ["p3"])
    assert signal.suspicious_date == joined
    assert pf.evidence == {Evidence.LEGAL_ROLE: 1, Evidence.EQUITY: 1}


def test_params_come_from_weights_yaml_validated(tmp_path: Path) -> None:
    params = load_params(DAY)
    assert params.as_of == DAY and set(params.weights) == set(Evidence)
    assert load_params(DAY, weights={"phone": 2.0}).weights[Evidence.PHONE] == 2.0
    good = (Path(__file__).parents[2] / "queries" / "clusters" / "weights.yaml").read_text()
    cases = {
        "hub_cap": good.replace("hub_cap: 20", "hub_cap: 1"),
        "weights.phone": good.replace("phone: 0.8", "phone: -1"),
        "weights": good.replace("  address: 0.8", ""),
        "colour": good + "colour: red\n",
        "min_weight": good.replace("min_weight: 1.5", "min_weight: lots"),
    }
    for field, text in cases.items():
        path = tmp_path / f"{field}.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InvalidInput) as caught:
            load_params(DAY, path)
        assert caught.value.field == field and field in str(caught.value)


RUN = """
import json, sys
from datetime import date
from pathlib import Path
from graph.store.embedded.store import EmbeddedStore
from queries.clusters.find import find_clusters
from queries.clusters.params import load_params
store = EmbeddedStore(Path(sys.argv[1]), read_only=True)
run = find_clusters(store, load_params(date.fromisoformat(sys.argv[2]), community_size=3))
print(json.dumps([[c.key, c.score] for c in run.clusters]))
"""


def test_clusters_do_not_depend_on_the_process(tmp_path: Path) -> None:
    """Louvain splits the same way in every process (string hashing differs per process;
    a county of 10,000 has components large enough for the order of nodes to matter)."""
    from graph.store.embedded.store import EmbeddedStore

    truth = generate_county(tmp_path / "county", entities=10_000, seed=3).ground_truth
    store = EmbeddedStore(tmp_path / "graph")
    load_county(store, tmp_path / "county", tmp_path)
    store.close()
    answers = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        day = truth["reference_date"]
        command = [sys.executable, "-c", RUN, str(tmp_path / "graph"), day]
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        answers.append(json.loads(out.stdout))
    assert answers[0] and answers[0] == answers[1]
