"""Contract: batch upserts are idempotent, update in place and reject bad items with reasons."""

from __future__ import annotations

from datetime import date

import pytest

from graph.model import Enterprise, Person, Relation
from graph.records import AdministrativePenalty, RecordStatus
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType
from tests import factories as f


def test_loading_the_same_graph_twice_changes_nothing(store: GraphStore) -> None:
    graph = f.county()
    f.load(store, graph)
    before = store.stats()
    detail = store.get_entity(f.COMPANY_A)

    again = store.upsert_entities(graph["entities"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(graph["entities"]))
    rels = store.upsert_relations(graph["relations"])
    assert (rels.created, rels.updated, rels.unchanged) == (0, 0, len(graph["relations"]))
    recs = store.upsert_records(graph["records"])
    assert (recs.created, recs.updated, recs.unchanged) == (0, 0, len(graph["records"]))

    assert store.stats() == before
    assert store.get_entity(f.COMPANY_A) == detail


def test_first_load_counts_and_stats(store: GraphStore) -> None:
    graph = f.county()
    result = store.upsert_entities(graph["entities"])
    assert (result.created, result.updated, result.unchanged) == (6, 0, 0)
    f.load(store, graph)
    stats = store.stats()
    assert stats.nodes == {
        "AdministrativePenalty": 1,
        "Authority": 1,
        "ContactPoint": 1,
        "Enterprise": 2,
        "ListEntry": 1,
        "Person": 2,
    }
    assert stats.relations == {
        "CONCERNS": 2,
        "EXECUTIVE_OF": 1,
        "HAS_PHONE": 2,
        "ISSUED_BY": 1,
        "LEGAL_REPRESENTATIVE_OF": 2,
        "SHAREHOLDER_OF": 3,
    }


def test_a_changed_entity_is_updated_not_duplicated(store: GraphStore) -> None:
    f.load(store, f.county())
    first = store.get_entity(f.COMPANY_A).entity
    changed = Enterprise(
        id=f.COMPANY_A,
        uscc=f.COMPANY_A,
        name="武汉某某建设工程有限公司",
        registration_status="吊销",
    )
    result = store.upsert_entities([changed])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    after = store.get_entity(f.COMPANY_A).entity
    assert isinstance(after, Enterprise)
    assert after.registration_status == "吊销"
    assert after.established == date(2016, 5, 20), "a field the update leaves out is kept"
    assert after.loaded_at == first.loaded_at, "loaded_at records the first acceptance"
    assert store.stats().nodes["Enterprise"] == 2


def test_an_id_used_by_another_label_is_rejected_and_the_rest_written(store: GraphStore) -> None:
    f.load(store, f.county())
    clash = Person(id=f.COMPANY_A, name="张三")
    fresh = f.person("张三", "110105195001010039")
    result = store.upsert_entities([clash, fresh])
    assert result.created == 1
    assert [(r.index, r.field) for r in result.rejected] == [(0, "id")]
    assert "Enterprise" in result.rejected[0].reason
    assert store.get_entity(fresh.id).entity.name == "张三"


def test_same_id_twice_in_one_batch_with_two_labels(store: GraphStore) -> None:
    a = Person(id="x:1", name="甲")
    b = Enterprise(id="x:1", name="乙")
    result = store.upsert_entities([a, b])
    assert result.created == 1 and len(result.rejected) == 1
    assert store.get_entity("x:1").entity.name == "甲"


def test_relations_update_in_place_and_parallel_keys_stay_apart(store: GraphStore) -> None:
    f.load(store, f.county())
    rel = Relation(
        type=RelType.SHAREHOLDER_OF,
        source_id=f.ZHOU.id,
        target_id=f.COMPANY_A,
        subscribed_amount=700,
        ratio=0.7,
    )
    result = store.upsert_relations([rel])
    assert (result.created, result.updated) == (0, 1)
    terms = [
        Relation(
            type=RelType.EXECUTIVE_OF,
            source_id=f.WU.id,
            target_id=f.COMPANY_A,
            key="2019",
            post="董事",
            valid_from=date(2019, 1, 1),
            valid_to=date(2020, 12, 31),
        ),
        Relation(
            type=RelType.EXECUTIVE_OF,
            source_id=f.WU.id,
            target_id=f.COMPANY_A,
            key="2021",
            post="董事",
            valid_from=date(2021, 1, 1),
        ),
    ]
    assert store.upsert_relations(terms).created == 2
    page = store.neighbourhood(f.WU.id, rel_types=[RelType.EXECUTIVE_OF, RelType.SHAREHOLDER_OF])
    assert [(n.relation.type, n.relation.key) for n in page.items] == [
        (RelType.EXECUTIVE_OF, ""),
        (RelType.EXECUTIVE_OF, "2019"),
        (RelType.EXECUTIVE_OF, "2021"),
        (RelType.SHAREHOLDER_OF, ""),
    ]
    zhou = store.neighbourhood(f.ZHOU.id, rel_types=[RelType.SHAREHOLDER_OF]).items
    assert [(n.relation.ratio, n.relation.subscribed_amount) for n in zhou] == [(0.7, 700)]


@pytest.mark.parametrize(
    ("rel", "field", "words"),
    [
        (
            Relation(
                type=RelType.SHAREHOLDER_OF, source_id="person:missing", target_id=f.COMPANY_A
            ),
            "source_id",
            "no node",
        ),
        (
            Relation(type=RelType.SHAREHOLDER_OF, source_id=f.COMPANY_A, target_id=f.WU.id),
            "target_id",
            "cannot end at a Person",
        ),
        (
            Relation(
                type=RelType.LEGAL_REPRESENTATIVE_OF, source_id=f.COMPANY_B, target_id=f.COMPANY_A
            ),
            "source_id",
            "cannot start at a Enterprise",
        ),
    ],
)
def test_bad_relations_are_rejected_with_field_and_reason(
    store: GraphStore, rel: Relation, field: str, words: str
) -> None:
    f.load(store, f.county())
    good = Relation(
        type=RelType.EXECUTIVE_OF, source_id=f.ZHOU.id, target_id=f.COMPANY_B, post="经理"
    )
    result = store.upsert_relations([rel, good])
    assert result.created == 1
    [rejection] = result.rejected
    assert (rejection.index, rejection.field) == (0, field)
    assert words in rejection.reason


def test_records_link_to_subject_and_issuer_and_update_in_place(store: GraphStore) -> None:
    graph = f.county()
    f.load(store, graph)
    penalty = graph["records"][0]
    assert isinstance(penalty, AdministrativePenalty)
    assert store.get_record(penalty.id) == store.get_record(penalty.id)
    assert store.get_record(penalty.id).document_number == "某市监处罚〔2025〕101号"

    repaired = penalty.model_copy(
        update={"status": RecordStatus.REPAIRED, "status_since": date(2025, 12, 1)}
    )
    result = store.upsert_records([repaired])
    assert (result.created, result.updated) == (0, 1)
    assert store.get_record(penalty.id).status is RecordStatus.REPAIRED
    assert store.stats().nodes["AdministrativePenalty"] == 1

    moved = repaired.model_copy(update={"subject_id": f.COMPANY_B, "issuer_id": None})
    store.upsert_records([moved])
    assert store.get_entity(f.COMPANY_A).record_total == 0
    assert [v.record.id for v in store.get_entity(f.COMPANY_B).records] == [
        graph["records"][1].id,
        penalty.id,
    ]
    assert store.stats().relations.get("ISSUED_BY", 0) == 0


def test_records_with_a_missing_subject_or_issuer_are_rejected(store: GraphStore) -> None:
    graph = f.county()
    f.load(store, graph)
    penalty = graph["records"][0]
    bad_subject = penalty.model_copy(update={"id": "penalty:x1", "subject_id": "nobody"})
    bad_issuer = penalty.model_copy(update={"id": "penalty:x2", "issuer_id": f.COMPANY_B})
    result = store.upsert_records([bad_subject, bad_issuer])
    assert [(r.index, r.field) for r in result.rejected] == [(0, "subject_id"), (1, "issuer_id")]
    assert "no authority or public body" in result.rejected[1].reason
    assert store.stats().nodes["AdministrativePenalty"] == 1


def test_repeats_within_a_batch_count_as_if_written_one_by_one(store: GraphStore) -> None:
    graph = f.county()
    f.load(store, graph)
    fresh = Enterprise(id="org:new", name="新公司")
    changed = Enterprise(id="org:new", name="新公司", registration_status="存续")
    result = store.upsert_entities([fresh, fresh, changed, changed])
    assert result.outcomes == ["created", "unchanged", "updated", "unchanged"]
    rel = Relation(type=RelType.EXECUTIVE_OF, source_id=f.WU.id, target_id="org:new", post="监事")
    assert store.upsert_relations([rel, rel]).outcomes == ["created", "unchanged"]
    assert store.get_entity("org:new").entity.registration_status == "存续"  # type: ignore[union-attr]


def test_outcomes_line_up_with_the_batch(store: GraphStore) -> None:
    graph = f.county()
    f.load(store, graph)
    clash = Person(id=f.COMPANY_A, name="张三")
    new = f.person("张三", "110105195001010039")
    result = store.upsert_entities([graph["entities"][0], clash, new])
    assert result.outcomes == ["unchanged", "rejected", "created"]
    assert (result.created, result.unchanged, len(result.rejected)) == (1, 1, 1)
