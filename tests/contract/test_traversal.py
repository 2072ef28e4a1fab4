"""Contract: links of many nodes at once, hubs, records about nodes, records an authority issued."""

from __future__ import annotations

from datetime import date

import pytest

from graph.errors import InvalidInput, NotFound
from graph.model import Enterprise, Relation
from graph.store.protocol import GraphStore
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
