"""The explorer's queries on both stores: a status per node, ranked and paged expansions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from graph.errors import NotFound
from graph.model import ContactKind, Enterprise, Person, Relation, contact_point
from graph.records import (
    AdministrativePenalty,
    ListEntry,
    ListKind,
    ListType,
    record_id,
)
from graph.store.protocol import GraphStore
from graph.vocabulary import ENTITY_REL_TYPES, Label, RelType
from queries import browse
from queries.browse import Expansion, Status, expand, status_page, statuses

DAY = date(2026, 7, 1)
COMPANIES = {
    "listed": "武汉甲建设有限公司",
    "red": "武汉戊诚信有限公司",
    "disputed": "武汉乙商贸有限公司",
    "repaired": "武汉丙科技有限公司",
    "penalised": "武汉丁物流有限公司",
    "future": "武汉庚服务有限公司",
    "neighbour": "武汉己贸易有限公司",
    "clean": "武汉辛建材有限公司",
    "centre": "武汉中心控股有限公司",
}
PEOPLE = {
    "rep": "周明",  # legal representative of the listed company since 2024
    "former": "李强",  # its legal representative until 2023, when it was listed in 2022
    "early": "钱进",  # its legal representative until 2019, before that listing
    "lifted": "孙立",  # its legal representative until 2023, the restriction lifted in 2024
    "holder": "吴芳",  # its shareholder: linked, not reached
    "named": "郑红",  # directly responsible for its entry
    "other-entry": "王刚",  # directly responsible for another entry of it
    "centre-rep": "陈静",  # the centre's legal representative (and an executive)
    "big": "刘洋",  # the centre's shareholders: 0.6, 0.3, unknown stake
    "small": "杨帆",
    "unknown": "赵磊",
}
PHONE = contact_point(ContactKind.PHONE, "027-80000010")
PHONE_2 = contact_point(ContactKind.PHONE, "027-80000020")


def c(name: str) -> str:
    return f"c-{name}"


def p(name: str) -> str:
    return f"person:{name}"


def entry(subject: str, on: date, **extra: Any) -> ListEntry:
    red = extra.pop("red", False)
    return ListEntry(
        id=record_id(Label.LIST_ENTRY, "名单", subject, on.isoformat()),
        subject_id=subject,
        issuing_authority="武汉市江岸区人民法院",
        list_type=ListType.RED if red else ListType.BLACK,
        list_kind=ListKind.MODEL_TRUSTWORTHY if red else ListKind.DISHONEST_JUDGMENT_DEBTOR,
        list_name="诚信典型企业名单" if red else "失信被执行人名单",
        decision_date=on,
        valid_from=on,
        **extra,
    )


LISTING = entry(c("listed"), date(2022, 5, 10))
OLD_LISTING = entry(c("listed"), date(2018, 1, 1), valid_to=date(2019, 12, 31))


def rel(kind: RelType, source: str, target: str, **extra: Any) -> Relation:
    return Relation(type=kind, source_id=source, target_id=target, **extra)


def graph() -> dict[str, list[Any]]:
    entities: list[Any] = [Enterprise(id=c(k), name=v) for k, v in COMPANIES.items()]
    entities += [Person(id=p(k), name=v) for k, v in PEOPLE.items()] + [PHONE, PHONE_2]
    lr, dr = RelType.LEGAL_REPRESENTATIVE_OF, RelType.DIRECTLY_RESPONSIBLE_FOR
    relations = [
        rel(lr, p("rep"), c("listed"), valid_from=date(2024, 1, 1)),
        rel(lr, p("former"), c("listed"), valid_from=date(2015, 1, 1), valid_to=date(2023, 12, 31)),
        rel(lr, p("early"), c("listed"), valid_from=date(2010, 1, 1), valid_to=date(2019, 12, 31)),
        rel(lr, p("lifted"), c("listed"), valid_from=date(2015, 1, 1), valid_to=date(2023, 6, 30)),
        rel(
            RelType.RELEASED_FROM,
            p("lifted"),
            c("listed"),
            key=LISTING.id,
            valid_from=date(2024, 1, 1),
        ),
        rel(RelType.SHAREHOLDER_OF, p("holder"), c("listed"), ratio=0.4),
        rel(dr, p("named"), c("listed"), key=LISTING.id),
        rel(dr, p("other-entry"), c("listed"), key=OLD_LISTING.id),
        rel(RelType.HAS_PHONE, c("listed"), PHONE.id),
        rel(RelType.HAS_PHONE, c("neighbour"), PHONE.id),
        # the centre: a stake in the listed company, its people and a phone of its own
        rel(RelType.SHAREHOLDER_OF, c("centre"), c("listed"), ratio=0.1),
        rel(lr, p("centre-rep"), c("centre")),
        rel(RelType.EXECUTIVE_OF, p("centre-rep"), c("centre"), post="董事"),
        rel(RelType.SHAREHOLDER_OF, p("small"), c("centre"), ratio=0.3),
        rel(RelType.SHAREHOLDER_OF, p("big"), c("centre"), ratio=0.6),
        rel(RelType.SHAREHOLDER_OF, p("unknown"), c("centre")),
        rel(RelType.HAS_PHONE, c("centre"), PHONE_2.id),
    ]
    penalty = AdministrativePenalty(
        id=record_id(Label.ADMINISTRATIVE_PENALTY, "武汉市江岸区市场监督管理局", "罚〔2025〕1号"),
        subject_id=c("penalised"),
        issuing_authority="武汉市江岸区市场监督管理局",
        decision_date=date(2025, 1, 1),
        valid_from=date(2025, 1, 1),
        valid_to=date(2025, 12, 31),
    )
    records = [
        LISTING,
        OLD_LISTING,
        entry(c("red"), date(2025, 1, 1), red=True),
        entry(c("disputed"), date(2025, 1, 1), status="disputed", status_since=date(2026, 1, 1)),
        entry(c("repaired"), date(2024, 3, 1), status="repaired", status_since=date(2025, 6, 1)),
        entry(c("future"), date(2027, 1, 1)),
        penalty,
    ]
    return {"entities": entities, "relations": relations, "records": records}


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    built = graph()
    for method, items in (
        ("upsert_entities", built["entities"]),
        ("upsert_relations", built["relations"]),
        ("upsert_records", built["records"]),
    ):
        assert getattr(store, method)(items).rejected == []
    return store


def status_of(store: GraphStore, day: date) -> dict[str, Status]:
    ids = [c(k) for k in COMPANIES] + [p(k) for k in PEOPLE] + [PHONE.id, PHONE_2.id]
    return {k: v.status for k, v in statuses(store, ids, as_of=day).items()}


def test_every_status_is_derived(loaded: GraphStore) -> None:
    assert status_of(loaded, DAY) == {
        c("listed"): Status.LISTED,
        c("red"): Status.RED,
        c("disputed"): Status.DISPUTED,
        c("repaired"): Status.CLEARED,
        c("penalised"): Status.CLEARED,  # the penalty expired
        c("future"): Status.CLEAN,  # listed only from 2027: not cleared either
        c("neighbour"): Status.CLEAN,  # shares a phone with the listed: two links away
        c("clean"): Status.CLEAN,
        c("centre"): Status.LINKED,  # a shareholder of the listed
        p("rep"): Status.REACHED,
        # held the role when the entry took effect: still bound (法发〔2019〕35号 第十七条),
        # as the approval check binds them
        p("former"): Status.REACHED,
        p("early"): Status.CLEAN,  # left before the listing
        p("lifted"): Status.CLEAN,  # a lifting is recorded
        p("holder"): Status.LINKED,  # a shareholding is not a role a measure names
        p("named"): Status.REACHED,
        p("other-entry"): Status.LINKED,  # responsible for an entry no longer in force
        p("centre-rep"): Status.CLEAN,
        p("big"): Status.CLEAN,
        p("small"): Status.CLEAN,
        p("unknown"): Status.CLEAN,
        PHONE.id: Status.LINKED,  # the listed company's phone
        PHONE_2.id: Status.CLEAN,
    }


def test_the_day_changes_the_status(loaded: GraphStore) -> None:
    before = status_of(loaded, date(2023, 6, 1))
    assert before[p("former")] is Status.REACHED  # still legal representative then
    assert before[p("rep")] is Status.CLEAN  # not yet its representative
    assert before[c("repaired")] is Status.CLEAN  # listed from 2024, repaired in 2025
    assert status_of(loaded, date(2025, 1, 1))[c("repaired")] is Status.LISTED
    assert before[c("disputed")] is Status.CLEAN  # listed only from 2025
    assert status_of(loaded, date(2025, 12, 1))[c("disputed")] is Status.LISTED  # no objection yet
    assert status_of(loaded, date(2025, 6, 1))[c("penalised")] is Status.CLEAN  # in force
    later = status_of(loaded, date(2027, 6, 1))
    assert later[c("future")] is Status.LISTED


def test_in_force_counts_list_entries_and_penalties(loaded: GraphStore) -> None:
    ids = [c("listed"), c("penalised"), c("red"), c("disputed")]
    on = statuses(loaded, ids, as_of=date(2025, 6, 1))
    assert {k: v.in_force for k, v in on.items()} == {
        c("listed"): 1,  # the 2018 entry ended
        c("penalised"): 1,
        c("red"): 1,
        c("disputed"): 1,
    }
    assert statuses(loaded, [c("penalised")], as_of=DAY)[c("penalised")].in_force == 0


def test_a_status_page_keeps_the_order_and_names_the_unknown(loaded: GraphStore) -> None:
    page = status_page(loaded, [p("rep"), "nobody", c("listed"), p("rep"), LISTING.id], as_of=DAY)
    assert [(n.id, n.label, n.name, n.status) for n in page.items] == [
        (p("rep"), Label.PERSON, "周明", Status.REACHED),
        (c("listed"), Label.ENTERPRISE, "武汉甲建设有限公司", Status.LISTED),
    ]
    assert page.missing == ["nobody", LISTING.id]  # a record is not a node of a view
    assert page.as_of == DAY


def test_a_hub_is_judged_by_its_own_records(
    loaded: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browse, "HUB_CAP", 3)
    found = statuses(loaded, [c("centre"), c("listed"), p("holder")], as_of=DAY)
    assert found[c("centre")].status is Status.CLEAN  # seven links: not followed
    assert found[c("listed")].status is Status.LISTED
    assert found[p("holder")].status is Status.LINKED


def order(expansion: Expansion) -> list[tuple[str, str, str]]:
    return [(str(i.relation.type), i.direction, i.node.id) for i in expansion.items]


CENTRE_ORDER = [
    ("SHAREHOLDER_OF", "out", c("listed")),  # the listed company first, whatever its stake
    ("LEGAL_REPRESENTATIVE_OF", "in", p("centre-rep")),
    ("SHAREHOLDER_OF", "in", p("big")),  # stake descending, unknown last
    ("SHAREHOLDER_OF", "in", p("small")),
    ("SHAREHOLDER_OF", "in", p("unknown")),
    ("EXECUTIVE_OF", "in", p("centre-rep")),  # a parallel relation: an item of its own
    ("HAS_PHONE", "out", PHONE_2.id),  # contact points last
]


def test_expand_ranks_the_most_relevant_first(loaded: GraphStore) -> None:
    found = expand(loaded, c("centre"), as_of=DAY)
    assert order(found) == CENTRE_ORDER
    assert found.items[0].node.status is Status.LISTED
    assert found.items[0].relation.ratio == 0.1
    assert (found.total, found.hidden, found.next_offset, found.truncated) == (7, 0, None, False)
    assert found.by_type == {
        "LEGAL_REPRESENTATIVE_OF": 1,
        "SHAREHOLDER_OF": 4,
        "EXECUTIVE_OF": 1,
        "HAS_PHONE": 1,
    }


def test_expand_ranks_by_status_then_relation_type(loaded: GraphStore) -> None:
    found = expand(loaded, c("listed"), as_of=DAY)
    assert (found.entity.id, found.entity.status) == (c("listed"), Status.LISTED)
    assert expand(loaded, c("centre"), as_of=DAY).entity.status is Status.LINKED
    assert order(found) == [
        ("LEGAL_REPRESENTATIVE_OF", "in", p("rep")),  # reached
        ("DIRECTLY_RESPONSIBLE_FOR", "in", p("named")),
        ("SHAREHOLDER_OF", "in", p("holder")),  # linked: stake 0.4, then 0.1
        ("SHAREHOLDER_OF", "in", c("centre")),
        ("DIRECTLY_RESPONSIBLE_FOR", "in", p("other-entry")),
        ("HAS_PHONE", "out", PHONE.id),  # linked, a contact point
        ("RELEASED_FROM", "in", p("lifted")),  # clean: a lifting is shown, not a tie
    ]  # the former legal representatives' relations are not valid on the day


def test_pages_cover_every_link_once(loaded: GraphStore) -> None:
    seen, offset, pages = [], 0, 0
    while True:
        page = expand(loaded, c("centre"), as_of=DAY, limit=3, offset=offset)
        pages += 1
        assert (page.total, page.offset) == (7, offset)
        assert page.hidden == page.total - offset - len(page.items)
        assert page.by_type["SHAREHOLDER_OF"] == 4  # over all pages
        seen += order(page)
        if page.next_offset is None:
            break
        assert page.next_offset == offset + 3
        offset = page.next_offset
    assert pages == 3 and seen == CENTRE_ORDER
    beyond = expand(loaded, c("centre"), as_of=DAY, offset=10)
    assert (beyond.items, beyond.next_offset, beyond.hidden) == ([], None, 0)


def test_rel_type_filter(loaded: GraphStore) -> None:
    found = expand(
        loaded, c("centre"), rel_types=[RelType.SHAREHOLDER_OF, RelType.HAS_PHONE], as_of=DAY
    )
    assert order(found) == [CENTRE_ORDER[0], *CENTRE_ORDER[2:5], CENTRE_ORDER[6]]
    assert found.total == 5 and found.by_type == {"SHAREHOLDER_OF": 4, "HAS_PHONE": 1}


def test_expand_as_of_a_day(loaded: GraphStore) -> None:
    found = expand(loaded, c("listed"), as_of=date(2023, 6, 1))
    assert set(order(found)[:2]) == {
        ("LEGAL_REPRESENTATIVE_OF", "in", p("former")),
        ("LEGAL_REPRESENTATIVE_OF", "in", p("lifted")),
    }
    assert p("rep") not in {i.node.id for i in found.items}
    before = expand(loaded, c("centre"), as_of=date(2017, 1, 1))
    assert before.items[0].node.status is Status.CLEAN  # never listed yet: ranked by type
    assert order(before)[0] == ("LEGAL_REPRESENTATIVE_OF", "in", p("centre-rep"))


def test_an_entity_with_more_links_than_the_cap_is_truncated(loaded: GraphStore) -> None:
    found = expand(loaded, c("centre"), as_of=DAY, cap=3, limit=2)
    assert found.truncated and found.total == 7
    # the first three in neighbourhood order (type, other id), then ranked
    assert order(found) == [CENTRE_ORDER[1], CENTRE_ORDER[5]]
    assert found.by_type == {"EXECUTIVE_OF": 1, "LEGAL_REPRESENTATIVE_OF": 1, "HAS_PHONE": 1}
    rest = expand(loaded, c("centre"), as_of=DAY, cap=3, limit=2, offset=2)
    assert order(rest) == [CENTRE_ORDER[6]] and rest.next_offset is None and rest.hidden == 4


@pytest.mark.parametrize("missing", ["nobody", LISTING.id])
def test_expand_an_unknown_entity(loaded: GraphStore, missing: str) -> None:
    with pytest.raises(NotFound):
        expand(loaded, missing)


def test_the_type_priority_covers_every_entity_relation() -> None:
    assert set(browse.TYPE_PRIORITY) == ENTITY_REL_TYPES
    assert len(browse.TYPE_PRIORITY) == len(ENTITY_REL_TYPES)
    assert browse.TYPE_PRIORITY[-2:] == (RelType.HAS_PHONE, RelType.HAS_ADDRESS)
    assert browse.PRECEDENCE[0] is Status.LISTED and browse.PRECEDENCE[-1] is Status.CLEAN
    assert set(browse.PRECEDENCE) == set(Status)


def test_a_penalty_in_force_is_counted_not_a_status(loaded: GraphStore) -> None:
    [node] = statuses(loaded, [c("penalised")], as_of=date(2025, 6, 1)).values()
    assert (node.status, node.in_force) == (Status.CLEAN, 1)
