"""Contract: entity detail, records in force as of a date, typed paged time-aware neighbourhoods."""

from __future__ import annotations

from datetime import date

import pytest

from graph.errors import InvalidInput, NotFound
from graph.model import ContactKind, Enterprise, Relation, contact_point
from graph.store.protocol import GraphStore
from graph.vocabulary import Label, RelType
from tests import factories as f


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    f.load(store, f.county())
    return store


def test_get_entity_returns_the_entity_and_its_records_newest_first(loaded: GraphStore) -> None:
    detail = loaded.get_entity(f.COMPANY_A, as_of=date(2025, 8, 1))
    assert isinstance(detail.entity, Enterprise)
    assert detail.entity.name == "武汉某某建设工程有限公司"
    assert detail.entity.loaded_at is not None
    assert detail.record_total == 1
    [view] = detail.records
    assert view.record.document_number == "某市监处罚〔2025〕101号"
    assert view.in_force is True


@pytest.mark.parametrize(
    ("as_of", "in_force"),
    [
        (date(2025, 7, 7), False),
        (date(2025, 7, 8), True),
        (date(2026, 7, 8), True),
        (date(2026, 7, 9), False),
    ],
)
def test_a_record_is_in_force_only_inside_its_validity(
    loaded: GraphStore, as_of: date, in_force: bool
) -> None:
    [view] = loaded.get_entity(f.COMPANY_A, as_of=as_of).records
    assert view.in_force is in_force


def test_record_limit_pages_records_but_counts_them_all(loaded: GraphStore) -> None:
    detail = loaded.get_entity(f.COMPANY_A, record_limit=0)
    assert detail.records == [] and detail.record_total == 1


@pytest.mark.parametrize("missing", ["nobody", "penalty:nothing"])
def test_unknown_ids_raise_not_found(loaded: GraphStore, missing: str) -> None:
    with pytest.raises(NotFound):
        loaded.get_entity(missing)
    with pytest.raises(NotFound):
        loaded.get_record(missing)
    with pytest.raises(NotFound):
        loaded.neighbourhood(missing)


def test_a_record_id_is_not_an_entity(loaded: GraphStore) -> None:
    record = loaded.get_entity(f.COMPANY_A).records[0].record
    with pytest.raises(NotFound):
        loaded.get_entity(record.id)


def test_neighbourhood_is_typed_and_directed(loaded: GraphStore) -> None:
    page = loaded.neighbourhood(f.COMPANY_A)
    holders = sorted([f.ZHOU.id, f.WU.id])
    assert [(n.relation.type, n.direction, n.node.id) for n in page.items] == [
        (RelType.EXECUTIVE_OF, "in", f.WU.id),
        (RelType.HAS_PHONE, "out", "phone:02780000010"),
        (RelType.LEGAL_REPRESENTATIVE_OF, "in", f.ZHOU.id),
        (RelType.SHAREHOLDER_OF, "out", f.COMPANY_B),
        (RelType.SHAREHOLDER_OF, "in", holders[0]),
        (RelType.SHAREHOLDER_OF, "in", holders[1]),
    ]
    assert page.total == 6 and page.next_cursor is None
    shareholders = loaded.neighbourhood(
        f.COMPANY_A, rel_types=[RelType.SHAREHOLDER_OF], direction="in"
    )
    assert {n.node.id for n in shareholders.items} == {f.ZHOU.id, f.WU.id}
    assert {n.relation.ratio for n in shareholders.items} == {0.6, 0.4}
    assert all(n.relation.target_id == f.COMPANY_A for n in shareholders.items)
    owned = loaded.neighbourhood(f.COMPANY_A, rel_types=[RelType.SHAREHOLDER_OF], direction="out")
    assert [(n.node.id, n.node.label, n.relation.source_id) for n in owned.items] == [
        (f.COMPANY_B, Label.ENTERPRISE, f.COMPANY_A)
    ]


def test_neighbourhood_order_is_the_same_on_every_store(loaded: GraphStore) -> None:
    page = loaded.neighbourhood(f.COMPANY_A)
    keys = [(n.relation.type, n.node.id, n.relation.key, n.direction) for n in page.items]
    assert keys == sorted(keys)


def test_shared_phone_links_two_companies(loaded: GraphStore) -> None:
    page = loaded.neighbourhood("phone:02780000010")
    assert {n.node.id for n in page.items} == {f.COMPANY_A, f.COMPANY_B}
    assert all(n.node.label is Label.ENTERPRISE for n in page.items)


def test_neighbourhood_as_of_counts_only_relations_valid_that_day(loaded: GraphStore) -> None:
    reps = [RelType.LEGAL_REPRESENTATIVE_OF]
    assert loaded.neighbourhood(f.ZHOU.id, rel_types=reps).total == 2
    assert loaded.neighbourhood(f.ZHOU.id, rel_types=reps, as_of=date(2016, 5, 19)).total == 0
    assert loaded.neighbourhood(f.ZHOU.id, rel_types=reps, as_of=date(2016, 5, 20)).total == 1
    assert loaded.neighbourhood(f.ZHOU.id, rel_types=reps, as_of=date(2024, 12, 31)).total == 2
    later = loaded.neighbourhood(f.ZHOU.id, rel_types=reps, as_of=date(2025, 1, 1))
    assert [n.node.id for n in later.items] == [f.COMPANY_A]


def test_neighbourhood_pages_through_a_hub_without_a_huge_answer(store: GraphStore) -> None:
    hub = contact_point(ContactKind.ADDRESS, "武汉市某区某路10号")
    companies = [Enterprise(id=f"org:{i:05d}", name=f"空壳公司{i}") for i in range(1200)]
    store.upsert_entities([hub, *companies])
    links = [
        Relation(type=RelType.HAS_ADDRESS, source_id=c.id, target_id=hub.id) for c in companies
    ]
    assert store.upsert_relations(links).created == 1200

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = store.neighbourhood(hub.id, limit=500, cursor=cursor)
        assert page.total == 1200 and len(page.items) <= 500
        seen += [n.node.id for n in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted(c.id for c in companies)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 5000}, "limit"),
        ({"cursor": "garbage"}, "cursor"),
        ({"direction": "sideways"}, "direction"),
        ({"rel_types": [RelType.CONCERNS]}, "rel_types"),
    ],
)
def test_bad_neighbourhood_arguments_name_the_field(
    loaded: GraphStore, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        loaded.neighbourhood(f.COMPANY_A, **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_schema_init_is_idempotent_and_checked(store: GraphStore) -> None:
    first = store.init_schema()
    assert store.init_schema() == first
    assert store.check_schema() == []


def test_a_hub_with_50000_links_answers_one_small_page(store: GraphStore) -> None:
    hub = contact_point(ContactKind.PHONE, "027-88888888")
    companies = [Enterprise(id=f"org:{i:06d}", name=f"公司{i}") for i in range(50_000)]
    store.upsert_entities([hub, *companies])
    links = [Relation(type=RelType.HAS_PHONE, source_id=c.id, target_id=hub.id) for c in companies]
    assert store.upsert_relations(links).created == 50_000
    page = store.neighbourhood(hub.id, limit=50)
    assert page.total == 50_000
    assert [n.node.id for n in page.items] == [c.id for c in companies[:50]]
    last = store.neighbourhood(hub.id, limit=50, cursor=page.next_cursor)
    assert [n.node.id for n in last.items] == [c.id for c in companies[50:100]]


def test_find_persons_by_exact_name(loaded: GraphStore) -> None:
    found = loaded.find_persons(["周明", "吴芳", "无此人"])
    assert set(found) == {"周明", "吴芳"}
    assert [p.id for p in found["周明"]] == [f.ZHOU.id]
    renamed = f.ZHOU.model_copy(update={"name": "周明明"})
    loaded.upsert_entities([renamed])
    assert set(loaded.find_persons(["周明", "周明明"])) == {"周明明"}
