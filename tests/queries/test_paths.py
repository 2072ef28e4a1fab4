"""Relationship paths and connecting subgraphs, on both stores, against known answers."""

from __future__ import annotations

import random
from datetime import date
from itertools import combinations, pairwise
from typing import Any

import networkx as nx
import pytest

from graph.errors import InvalidInput, NotFound
from graph.model import ContactKind, Enterprise, Person, Relation, contact_point
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType
from queries.paths import connect, find_paths
from tests import factories as f

LR, SH, EX = RelType.LEGAL_REPRESENTATIVE_OF, RelType.SHAREHOLDER_OF, RelType.EXECUTIVE_OF
PHONE = contact_point(ContactKind.PHONE, "027-80000010")


def rel(kind: RelType, source: str, target: str, **extra: Any) -> Relation:
    return Relation(type=kind, source_id=source, target_id=target, **extra)


def load(store: GraphStore, entities: list[Any], relations: list[Relation]) -> None:
    assert store.upsert_entities(entities).rejected == []
    assert store.upsert_relations(relations).rejected == []


def chains(answer: Any) -> list[list[str]]:
    return [[n.id for n in p.nodes] for p in answer.paths]


@pytest.fixture
def pair(store: GraphStore) -> GraphStore:
    """Two companies with a shared legal representative (until 2023) and a phone route."""
    entities = [
        Enterprise(id="x", name="武汉某某建设工程有限公司"),
        Enterprise(id="y", name="武汉某某商贸有限公司"),
        Person(id="p", name="周明"),
        Person(id="q", name="吴芳"),
        PHONE,
    ]
    relations = [
        rel(LR, "p", "x", valid_from=date(2016, 5, 20)),
        rel(SH, "p", "x", ratio=0.6),
        rel(LR, "p", "y", valid_from=date(2020, 9, 1), valid_to=date(2023, 12, 31)),
        rel(RelType.HAS_PHONE, "x", PHONE.id),
        rel(RelType.HAS_PHONE, "q", PHONE.id),
        rel(EX, "q", "y", post="监事"),
    ]
    load(store, entities, relations)
    return store


def test_two_companies_sharing_a_legal_representative_are_two_hops_apart(
    pair: GraphStore,
) -> None:
    answer = find_paths(pair, "x", "y")
    assert chains(answer) == [["x", "p", "y"]]
    assert (answer.truncated, answer.hubs_not_followed, answer.mode) == (False, [], "shortest")
    first, second = answer.paths[0].steps
    assert (first.type, first.from_id, first.to_id, first.direction) == (LR, "x", "p", "backward")
    assert [r.type for r in first.parallel] == [SH] and first.parallel[0].ratio == 0.6
    assert (second.direction, second.relation.valid_to) == ("forward", date(2023, 12, 31))
    assert answer.paths[0].hops == 2 and answer.paths[0].nodes[1].name == "周明"


def test_a_relation_ended_before_as_of_breaks_the_path(pair: GraphStore) -> None:
    answer = find_paths(pair, "x", "y", as_of=date(2024, 6, 1))
    assert chains(answer) == [["x", PHONE.id, "q", "y"]]
    assert [s.direction for s in answer.paths[0].steps] == ["forward", "backward", "forward"]
    assert find_paths(pair, "x", "y", as_of=date(2016, 1, 1), rel_types=[LR]).paths == []
    assert find_paths(pair, "x", "y", as_of=date(2024, 6, 1), max_hops=2).paths == []


def test_relation_types_filter(pair: GraphStore) -> None:
    assert chains(find_paths(pair, "x", "y", rel_types=[LR])) == [["x", "p", "y"]]
    only = find_paths(pair, "x", "y", rel_types=[RelType.HAS_PHONE, EX])
    assert chains(only) == [["x", PHONE.id, "q", "y"]] and only.rel_types == [EX, "HAS_PHONE"]
    assert find_paths(pair, "x", "y", rel_types=[SH]).paths == []


def test_all_paths_shortest_first_within_max_hops(pair: GraphStore) -> None:
    answer = find_paths(pair, "x", "y", mode="all", max_hops=3)
    assert chains(answer) == [["x", "p", "y"], ["x", PHONE.id, "q", "y"]]
    assert chains(find_paths(pair, "x", "y", mode="all", max_hops=2)) == [["x", "p", "y"]]


def test_unknown_or_bad_arguments(pair: GraphStore) -> None:
    with pytest.raises(NotFound, match="source"):
        find_paths(pair, "nobody", "y")
    with pytest.raises(NotFound, match="target"):
        find_paths(pair, "x", "nobody")
    for kwargs, field in (
        ({"max_hops": 0}, "max_hops"),
        ({"max_hops": 9}, "max_hops"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"mode": "some"}, "mode"),
    ):
        with pytest.raises(InvalidInput) as bad:
            find_paths(pair, "x", "y", **kwargs)
        assert bad.value.field == field
    with pytest.raises(InvalidInput) as same:
        find_paths(pair, "x", "x")
    assert same.value.field == "target"


def test_a_hub_over_the_cap_is_not_followed_and_is_reported(store: GraphStore) -> None:
    address = contact_point(ContactKind.ADDRESS, "武汉市某区某路10号")
    companies = [Enterprise(id=f"c{i}", name=f"公司{i}") for i in range(6)]
    load(
        store,
        [*companies, address, Person(id="p", name="周明"), Person(id="q", name="吴芳")],
        [
            *(rel(RelType.HAS_ADDRESS, c.id, address.id) for c in companies),
            rel(LR, "p", "c0"),
            rel(LR, "q", "c1"),
            rel(RelType.POSSIBLY_SAME_AS, "p", "q", reason="同名同出生年"),
        ],
    )
    capped = find_paths(store, "c0", "c1", hub_cap=5)
    assert chains(capped) == [["c0", "p", "q", "c1"]]
    assert [h.id for h in capped.hubs_not_followed] == [address.id]
    open_ = find_paths(store, "c0", "c1", hub_cap=6)
    assert chains(open_) == [["c0", address.id, "c1"]] and open_.hubs_not_followed == []
    ends = find_paths(store, "c0", address.id, hub_cap=1)  # endpoints are always expanded
    assert chains(ends) == [["c0", address.id]]


def test_the_limit_truncates_and_says_so(store: GraphStore) -> None:
    people = [Person(id=f"p{i}", name=f"人{i}") for i in range(5)]
    load(
        store,
        [Enterprise(id="x", name="甲"), Enterprise(id="y", name="乙"), *people],
        [r for p in people for r in (rel(EX, p.id, "x"), rel(SH, p.id, "y"))],
    )
    three = find_paths(store, "x", "y", limit=3)
    assert chains(three) == [["x", f"p{i}", "y"] for i in range(3)] and three.truncated
    assert not find_paths(store, "x", "y", limit=5).truncated


def test_connect_a_set_of_entities(pair: GraphStore) -> None:
    pair.upsert_entities([Enterprise(id="w", name="孤立公司")])
    found = connect(pair, ["x", "y", "q", "w"], max_hops=4)
    hops = {(p.source_id, p.target_id): p.hops for p in found.pairs}
    assert hops == {
        ("x", "y"): 2,
        ("x", "q"): 2,
        ("x", "w"): None,
        ("y", "q"): 1,
        ("y", "w"): None,
        ("q", "w"): None,
    }
    assert [n.id for n in found.nodes] == sorted(["x", "y", "q", "w", "p", PHONE.id])
    assert {(r.type, r.source_id, r.target_id) for r in found.relations} == {
        (LR, "p", "x"),
        (SH, "p", "x"),
        (LR, "p", "y"),
        (RelType.HAS_PHONE, "x", PHONE.id),
        (RelType.HAS_PHONE, "q", PHONE.id),
        (EX, "q", "y"),
    }
    with pytest.raises(InvalidInput):
        connect(pair, ["x"])
    with pytest.raises(InvalidInput):
        connect(pair, ["x", "x"])
    with pytest.raises(NotFound):
        connect(pair, ["x", "nobody"])


# --- property: the same answers as networkx over the same random graph -----------------------


def expected_graph(
    relations: list[Relation], as_of: date | None, types: Any, cap: int, ends: set[str]
) -> tuple[Any, set[str]]:
    """The graph networkx sees, without the hubs (more than ``cap`` links) but the ends."""
    multi = nx.MultiGraph()
    for r in relations:
        if r.holds_on(as_of) and (types is None or r.type in types):
            multi.add_edge(r.source_id, r.target_id)
    hubs = {n for n in multi if multi.degree(n) > cap and n not in ends}
    return nx.Graph(multi).subgraph(set(multi) - hubs), hubs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_paths_match_networkx_on_a_random_graph(store: GraphStore, seed: int) -> None:
    entities, relations, _ = f.random_graph(seed)
    load(store, entities, relations)
    rng = random.Random(seed)
    ids = sorted(e.id for e in entities)
    cases = [
        (None, None, 100),
        (date(2024, 1, 1), None, 100),
        (None, None, 4),
        (None, {SH, RelType.HAS_PHONE}, 100),
    ]
    for as_of, types, cap in cases:
        for _ in range(6):
            s, t = rng.sample(ids, 2)
            g, hubs = expected_graph(relations, as_of, types, cap, {s, t})
            kwargs: dict[str, Any] = {"as_of": as_of, "hub_cap": cap, "limit": 1000}
            kwargs["rel_types"] = sorted(types) if types else None
            every = find_paths(store, s, t, mode="all", max_hops=5, **kwargs)
            want = [] if s not in g or t not in g else nx.all_simple_paths(g, s, t, cutoff=5)
            assert chains(every) == sorted(want, key=lambda p: (len(p), p)), (s, t, as_of)
            short = find_paths(store, s, t, max_hops=6, **kwargs)
            reach = s in g and t in g and nx.has_path(g, s, t)
            best = sorted(nx.all_shortest_paths(g, s, t)) if reach else []
            assert chains(short) == [p for p in best if len(p) <= 7], (s, t, as_of)
            assert {h.id for h in short.hubs_not_followed} <= hubs
            assert {h.id for h in every.hubs_not_followed} <= hubs


@pytest.mark.parametrize("seed", [4, 5])
def test_connect_matches_networkx_on_a_random_graph(store: GraphStore, seed: int) -> None:
    entities, relations, _ = f.random_graph(seed)
    load(store, entities, relations)
    terminals = random.Random(seed).sample(sorted(e.id for e in entities), 5)
    found = connect(store, terminals, max_hops=4, hub_cap=1000)
    g, _ = expected_graph(relations, None, None, 1000, set())
    want_edges, want_hops = set(), {}
    for a, b in combinations(terminals, 2):
        hops = nx.shortest_path_length(g, a, b) if nx.has_path(g, a, b) else None
        want_hops[(a, b)] = hops if hops is not None and hops <= 4 else None
        if want_hops[(a, b)] is not None:
            for path in nx.all_shortest_paths(g, a, b):
                want_edges |= {frozenset(e) for e in pairwise(path)}
    assert {(p.source_id, p.target_id): p.hops for p in found.pairs} == want_hops
    assert {frozenset((r.source_id, r.target_id)) for r in found.relations} == want_edges
