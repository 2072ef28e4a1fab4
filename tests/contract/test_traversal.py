"""Contract: links of many nodes at once, hubs, records about nodes, records an authority issued."""

from __future__ import annotations

import random
from datetime import date, datetime
from typing import Any

import pytest

from graph.errors import InvalidInput, NotFound
from graph.model import Enterprise, Relation
from graph.store.protocol import GraphStore, Subgraph
from graph.vocabulary import Label, RelType
from tests import factories as f


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    f.load(store, f.county())
    return store


def _ids(rels: list[Relation]) -> list[tuple[str, str, str]]:
    return [(str(r.type), r.source_id, r.target_id) for r in rels]


def test_links_of_several_nodes_with_both_ends(loaded: GraphStore) -> None:
    sub = loaded.links([f.ZHOU.id, f.WU.id, "no-such-node"])
    assert set(sub.nodes) == {f.ZHOU.id, f.WU.id, f.COMPANY_A, f.COMPANY_B}
    assert sub.nodes[f.COMPANY_A].label is Label.ENTERPRISE
    assert sub.nodes[f.ZHOU.id].name == "周明"
    assert _ids(sub.relations) == sorted(
        [
            ("EXECUTIVE_OF", f.WU.id, f.COMPANY_A),
            ("LEGAL_REPRESENTATIVE_OF", f.ZHOU.id, f.COMPANY_A),
            ("LEGAL_REPRESENTATIVE_OF", f.ZHOU.id, f.COMPANY_B),
            ("SHAREHOLDER_OF", f.WU.id, f.COMPANY_A),
            ("SHAREHOLDER_OF", f.ZHOU.id, f.COMPANY_A),
        ]
    )
    assert sub.hubs == []
    ratio = next(r for r in sub.relations if r.type is RelType.SHAREHOLDER_OF and r.ratio == 0.6)
    assert ratio.source_id == f.ZHOU.id


def test_links_filter_by_type_direction_and_date(loaded: GraphStore) -> None:
    sub = loaded.links(
        [f.ZHOU.id], rel_types=[RelType.LEGAL_REPRESENTATIVE_OF], as_of=date(2025, 1, 1)
    )
    assert _ids(sub.relations) == [("LEGAL_REPRESENTATIVE_OF", f.ZHOU.id, f.COMPANY_A)]
    inbound = loaded.links([f.COMPANY_B], direction="in", rel_types=[RelType.SHAREHOLDER_OF])
    assert _ids(inbound.relations) == [("SHAREHOLDER_OF", f.COMPANY_A, f.COMPANY_B)]
    outbound = loaded.links([f.COMPANY_B], direction="out")
    assert _ids(outbound.relations) == [("HAS_PHONE", f.COMPANY_B, "phone:02780000010")]


def test_a_node_over_the_cap_is_a_hub_and_its_links_are_left_out(loaded: GraphStore) -> None:
    sub = loaded.links([f.COMPANY_A, f.WU.id], cap=2)
    assert sub.hubs == [f.COMPANY_A]  # four links: ZHOU x2, WU x2, B, phone
    assert {r.source_id for r in sub.relations} == {f.WU.id}


def test_links_reject_record_relations_and_bad_caps(loaded: GraphStore) -> None:
    with pytest.raises(InvalidInput) as bad:
        loaded.links([f.COMPANY_A], rel_types=[RelType.CONCERNS])
    assert bad.value.field == "rel_types"
    with pytest.raises(InvalidInput):
        loaded.links([f.COMPANY_A], cap=0)


def test_records_of_several_nodes_flagged_in_force(loaded: GraphStore) -> None:
    found = loaded.records_of([f.COMPANY_A, f.COMPANY_B, f.ZHOU.id], as_of=date(2026, 8, 1))
    assert set(found) == {f.COMPANY_A, f.COMPANY_B}
    [penalty] = found[f.COMPANY_A]
    assert penalty.record.document_number == "某市监处罚〔2025〕101号"
    assert penalty.in_force is False  # valid until 2026-07-08
    [listed] = found[f.COMPANY_B]
    assert listed.in_force is True
    only_lists = loaded.records_of([f.COMPANY_A, f.COMPANY_B], kinds=[Label.LIST_ENTRY])
    assert set(only_lists) == {f.COMPANY_B}
    with pytest.raises(InvalidInput):
        loaded.records_of([f.COMPANY_A], kinds=[Label.PERSON])


def test_records_issued_by_an_authority(loaded: GraphStore) -> None:
    [record] = loaded.records_issued_by(f.AUTHORITY_ID)
    assert record.subject_id == f.COMPANY_A
    with pytest.raises(NotFound):
        loaded.records_issued_by(f.COMPANY_A)


def test_links_of_an_isolated_node(store: GraphStore) -> None:
    lone = Enterprise(id=f.COMPANY_A, uscc=f.COMPANY_A, name="孤立公司")
    store.upsert_entities([lone])
    sub = store.links([f.COMPANY_A])
    assert list(sub.nodes) == [f.COMPANY_A] and sub.relations == []


def test_links_can_bring_the_records_of_every_node(loaded: GraphStore) -> None:
    sub = loaded.links([f.ZHOU.id], as_of=date(2024, 6, 1), record_kinds=[Label.LIST_ENTRY])
    assert set(sub.nodes) == {f.ZHOU.id, f.COMPANY_A, f.COMPANY_B}
    assert list(sub.records) == [f.COMPANY_B]  # A has a penalty only, ZHOU nothing
    [view] = sub.records[f.COMPANY_B]
    assert view.record.kind == Label.LIST_ENTRY and view.in_force is False  # listed 2025
    every = loaded.links([f.COMPANY_A], direction="out", record_kinds=None)
    assert every.records == {}
    penalties = loaded.links([f.WU.id], record_kinds=[Label.ADMINISTRATIVE_PENALTY])
    assert [v.record.document_number for v in penalties.records[f.COMPANY_A]] == [
        "某市监处罚〔2025〕101号"
    ]
    with pytest.raises(InvalidInput):
        loaded.links([f.WU.id], record_kinds=[Label.PERSON])


# --- expand: levels of links (Neo4j answers two in one read) ---------------------------------


def test_expand_follows_levels_of_links(loaded: GraphStore) -> None:
    one = loaded.expand([f.ZHOU.id], hops=1)
    assert set(one.nodes) == {f.ZHOU.id, f.COMPANY_A, f.COMPANY_B}
    two = loaded.expand([f.ZHOU.id], hops=2, record_kinds=[Label.LIST_ENTRY])
    phone = "phone:02780000010"
    assert set(two.nodes) == {f.ZHOU.id, f.COMPANY_A, f.COMPANY_B, f.WU.id, phone}
    assert _ids(two.relations) == sorted(
        [
            ("EXECUTIVE_OF", f.WU.id, f.COMPANY_A),
            ("HAS_PHONE", f.COMPANY_A, phone),
            ("HAS_PHONE", f.COMPANY_B, phone),
            ("LEGAL_REPRESENTATIVE_OF", f.ZHOU.id, f.COMPANY_A),
            ("LEGAL_REPRESENTATIVE_OF", f.ZHOU.id, f.COMPANY_B),
            ("SHAREHOLDER_OF", f.COMPANY_A, f.COMPANY_B),
            ("SHAREHOLDER_OF", f.WU.id, f.COMPANY_A),
            ("SHAREHOLDER_OF", f.ZHOU.id, f.COMPANY_A),
        ]
    )  # each relation once, though both levels meet A-ZHOU and B-A
    assert list(two.records) == [f.COMPANY_B]
    assert two.records[f.COMPANY_B][0].record.kind == Label.LIST_ENTRY
    three = loaded.expand([f.ZHOU.id], hops=3)
    assert set(three.nodes) == set(two.nodes) and three.relations == two.relations


def test_expand_does_not_go_through_hubs(loaded: GraphStore) -> None:
    sub = loaded.expand([f.WU.id], hops=2, cap=3)
    assert sub.hubs == [f.COMPANY_A]  # reached at level 1, six links: not expanded
    assert f.COMPANY_B not in sub.nodes and "phone:02780000010" not in sub.nodes
    assert set(sub.nodes) == {f.WU.id, f.COMPANY_A}


def test_expand_rejects_bad_hops(loaded: GraphStore) -> None:
    for hops in (0, 4):
        with pytest.raises(InvalidInput) as bad:
            loaded.expand([f.ZHOU.id], hops=hops)
        assert bad.value.field == "hops"


def _by_levels(store: GraphStore, ids: list[str], hops: int, **kw: Any) -> Subgraph:
    """The reference: links called level by level, merged as expand documents."""
    nodes: dict[str, Any] = {}
    rels: dict[Any, Relation] = {}
    records: dict[str, Any] = {}
    hubs: set[str] = set()
    seen, frontier = set(ids), list(ids)
    for _ in range(hops):
        if not frontier:
            break
        sub = store.links(frontier, **kw)
        for key, value in sub.nodes.items():
            nodes.setdefault(key, value)
        for r in sub.relations:
            rels.setdefault(r.identity, r)
        for key, views in sub.records.items():
            records.setdefault(key, views)
        hubs |= set(sub.hubs)
        frontier = sorted(n for n in sub.nodes if n not in seen and n not in sub.hubs)
        seen |= set(sub.nodes)
    return Subgraph(
        nodes=nodes,
        relations=[rels[k] for k in sorted(rels)],
        hubs=sorted(hubs),
        records=dict(sorted(records.items())),
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_expand_matches_links_level_by_level_on_a_random_graph(
    store: GraphStore, seed: int
) -> None:
    entities, relations, entries = f.random_graph(seed)
    f.load(store, {"entities": entities, "relations": relations, "records": entries})
    rng = random.Random(seed)
    starts = rng.sample(sorted(e.id for e in entities), 6)
    for i, start in enumerate(starts):
        kw: dict[str, Any] = {
            "as_of": [None, date(2020, 6, 1), date(2024, 1, 1)][i % 3],
            "cap": [3, 4, 500][i // 2 % 3],
            "record_kinds": [Label.LIST_ENTRY],
        }
        for hops in (1, 2, 3):
            got = store.expand([start, starts[(i + 1) % 6]], hops=hops, **kw)
            want = _by_levels(store, [start, starts[(i + 1) % 6]], hops, **kw)
            assert set(got.nodes) == set(want.nodes), (start, hops)
            assert [r.identity for r in got.relations] == [r.identity for r in want.relations]
            assert got.hubs == want.hubs
            assert {n: [v.record.id for v in views] for n, views in got.records.items()} == {
                n: [v.record.id for v in views] for n, views in want.records.items()
            }
            assert {n: [v.in_force for v in views] for n, views in got.records.items()} == {
                n: [v.in_force for v in views] for n, views in want.records.items()
            }


def test_relations_read_back_equal_the_written_ones(store: GraphStore) -> None:
    graph = f.county()
    entities, relations, entries = f.random_graph(5)
    f.load(store, graph)
    f.load(store, {"entities": entities, "relations": relations, "records": entries})
    written = {r.identity: r for r in graph["relations"] + relations}
    ids = [e.id for e in graph["entities"] + entities]
    read = store.links(ids, cap=10_000).relations
    assert {r.identity for r in read} == set(written)
    for rel in read:
        assert rel.model_dump(exclude={"loaded_at"}) == written[rel.identity].model_dump(
            exclude={"loaded_at"}
        )
        assert isinstance(rel.loaded_at, datetime) and rel.loaded_at.tzinfo is not None
        assert rel.valid_from is None or type(rel.valid_from) is date
        assert rel.ratio is None or isinstance(rel.ratio, float)


def _ways_to_records(full: Subgraph, starts: list[str], hops: int) -> set[Any]:
    """The oracle: every walk of at most ``hops`` links from a start to a node with records
    (not a start), through nodes that are neither starts nor hubs; the relations walked."""
    begin = {s for s in starts if s in full.nodes}
    targets = {n for n, views in full.records.items() if views and n not in begin}
    hubs = set(full.hubs)
    found: set[Any] = set()

    def walk(node: str, used: list[Relation]) -> None:
        if node in targets and used:
            found.update(r.identity for r in used)
        if len(used) == hops or (used and (node in begin or node in hubs)):
            return
        for rel in full.relations:
            if node in (rel.source_id, rel.target_id):
                other = rel.target_id if rel.source_id == node else rel.source_id
                walk(other, [*used, rel])

    for start in sorted(begin):
        walk(start, [])
    return found


@pytest.mark.parametrize("seed", [3, 4, 6])
def test_expand_to_records_keeps_exactly_the_ways_to_records(store: GraphStore, seed: int) -> None:
    entities, relations, entries = f.random_graph(seed)
    f.load(store, {"entities": entities, "relations": relations, "records": entries})
    rng = random.Random(seed)
    people = sorted(e.id for e in entities if e.id.startswith("p"))
    for i, start in enumerate(rng.sample(people, 5) + [e.subject_id for e in entries[:2]]):
        starts = [start] if i % 3 else [start, people[(i + 3) % len(people)]]
        kw: dict[str, Any] = {
            "as_of": [None, date(2020, 6, 1)][i % 2],
            "cap": [3, 5, 500][i % 3],
            "record_kinds": [Label.LIST_ENTRY],
        }
        for hops in (1, 2, 3):
            full = store.expand(starts, hops=hops, **kw)
            pruned = store.expand(starts, hops=hops, to_records=True, **kw)
            want = _ways_to_records(full, starts, hops)
            assert {r.identity for r in pruned.relations} == want, (starts, hops, kw)
            ends = {n for r in pruned.relations for n in (r.source_id, r.target_id)}
            assert set(pruned.nodes) == ends | {s for s in starts if s in full.nodes}
            assert pruned.hubs == full.hubs
            assert set(pruned.records) == {n for n in full.records if n in pruned.nodes}
    with pytest.raises(InvalidInput):
        store.expand([people[0]], to_records=True)
