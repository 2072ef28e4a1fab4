"""Conflict of interest (回避) for staff members and for an authority's records, both stores."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from graph.errors import InvalidInput, NotFound
from graph.model import Authority, ContactKind, Enterprise, Person, Relation, contact_point
from graph.records import AdministrativePenalty
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType
from queries.conflict import authority_conflicts, conflicts

HOME = contact_point(ContactKind.ADDRESS, "武汉市某区某小区1栋101")
PHONE = contact_point(ContactKind.PHONE, "139-0000-0001")


def rel(kind: RelType, source: str, target: str, **extra: Any) -> Relation:
    return Relation(type=kind, source_id=source, target_id=target, **extra)


def ids(path: Any) -> list[str]:
    return [n.id for n in path.nodes]


@pytest.fixture
def court(store: GraphStore) -> GraphStore:
    """A judge whose housemate holds shares in a litigant's parent; a colleague's company."""
    entities: list[Any] = [
        Authority(id="court", name="某区人民法院"),
        Person(id="judge", name="王法官"),
        Person(id="spouse", name="李某"),
        Person(id="colleague", name="赵法官"),
        Person(id="nobody", name="钱某"),
        Enterprise(id="parent", name="某某控股有限公司"),
        Enterprise(id="litigant", name="某某建设有限公司"),
        Enterprise(id="other", name="某某商贸有限公司"),
        Enterprise(id="stranger", name="无关公司"),
        HOME,
    ]
    relations = [
        rel(
            RelType.SERVES_IN,
            "judge",
            "court",
            role="judge",
            post="审判员",
            valid_from=date(2015, 1, 1),
        ),
        rel(RelType.SERVES_IN, "colleague", "court", role="judge"),
        rel(RelType.HAS_ADDRESS, "judge", HOME.id),
        rel(RelType.HAS_ADDRESS, "spouse", HOME.id),
        rel(RelType.SHAREHOLDER_OF, "spouse", "parent", ratio=0.3),
        rel(RelType.SHAREHOLDER_OF, "parent", "litigant", ratio=1.0),
        rel(RelType.LEGAL_REPRESENTATIVE_OF, "colleague", "other"),
    ]
    assert store.upsert_entities(entities).rejected == []
    assert store.upsert_relations(relations).rejected == []
    return store


def test_a_judge_linked_to_a_litigant_through_a_shared_address_and_shares(
    court: GraphStore,
) -> None:
    answer = conflicts(court, "judge", ["litigant", "stranger"], max_hops=4)
    assert answer.conflict
    [service] = answer.services
    assert (service.organisation.id, service.role, service.post) == ("court", "judge", "审判员")
    linked, stranger = answer.parties
    assert linked.linked and [ids(p) for p in linked.paths] == [
        ["judge", HOME.id, "spouse", "parent", "litigant"]
    ]
    assert [s.type for s in linked.paths[0].steps] == [
        RelType.HAS_ADDRESS,
        RelType.HAS_ADDRESS,
        RelType.SHAREHOLDER_OF,
        RelType.SHAREHOLDER_OF,
    ]
    assert not stranger.linked and stranger.paths == []
    assert not conflicts(court, "judge", ["litigant"], max_hops=3).conflict


def test_a_link_through_the_staff_members_own_court_is_flagged_not_counted(
    court: GraphStore,
) -> None:
    answer = conflicts(court, "judge", ["other"], max_hops=3)
    [party] = answer.parties
    [path] = party.paths
    assert ids(path) == ["judge", "court", "colleague", "other"]
    assert path.via_own_organisation and not party.linked and not answer.conflict


def test_staff_must_serve_somewhere_on_the_date(court: GraphStore) -> None:
    for staff, as_of in (("nobody", None), ("judge", date(2014, 12, 31)), ("court", None)):
        with pytest.raises(InvalidInput) as bad:
            conflicts(court, staff, ["litigant"], as_of=as_of)
        assert bad.value.field == "staff"
    with pytest.raises(InvalidInput) as same:
        conflicts(court, "judge", ["judge"])
    assert same.value.field == "party"
    with pytest.raises(NotFound):
        conflicts(court, "judge", ["no-such-party"])
    with pytest.raises(NotFound):
        conflicts(court, "no-such-judge", ["litigant"])


@pytest.fixture
def bureau(store: GraphStore) -> GraphStore:
    """A bureau fined a company whose legal representative shares a phone with its official."""
    entities: list[Any] = [
        Authority(id="bureau", name="某区市场监督管理局"),
        Person(id="official", name="孙科员"),
        Person(id="former", name="周前科员"),
        Person(id="colleague", name="吴科员"),
        Person(id="rep", name="郑某"),
        Enterprise(id="company", name="某某餐饮有限公司"),
        Enterprise(id="clean", name="清白公司"),
        PHONE,
    ]
    relations = [
        rel(
            RelType.SERVES_IN,
            "official",
            "bureau",
            role="civil_servant",
            valid_from=date(2018, 1, 1),
        ),
        rel(
            RelType.SERVES_IN, "former", "bureau", role="civil_servant", valid_to=date(2024, 12, 31)
        ),
        rel(RelType.SERVES_IN, "colleague", "bureau", role="civil_servant", post="科长"),
        rel(RelType.HAS_PHONE, "official", PHONE.id),
        rel(RelType.HAS_PHONE, "rep", PHONE.id),
        rel(RelType.LEGAL_REPRESENTATIVE_OF, "rep", "company"),
        rel(RelType.EXECUTIVE_OF, "former", "company", post="监事"),
        rel(RelType.SHAREHOLDER_OF, "colleague", "company", ratio=0.1, valid_from=date(2025, 8, 1)),
    ]
    records = [
        AdministrativePenalty(
            id=f"penalty:{subject}",
            subject_id=subject,
            issuer_id="bureau",
            issuing_authority="某区市场监督管理局",
            document_number=f"某市监处罚〔2025〕{number}号",
            decision_date=date(2025, 7, 8),
        )
        for subject, number in (("company", 101), ("clean", 102))
    ]
    assert store.upsert_entities(entities).rejected == []
    assert store.upsert_relations(relations).rejected == []
    assert store.upsert_records(records).rejected == []
    return store


def test_authority_records_to_parties_linked_to_its_staff(bureau: GraphStore) -> None:
    found = authority_conflicts(bureau, "bureau", max_hops=3)
    assert (found.records_checked, found.staff_checked, found.records_truncated) == (2, 3, False)
    [finding] = found.findings  # former left before the decision; colleague's shares came after
    assert (finding.staff.id, finding.subject.id, finding.hops) == ("official", "company", 3)
    assert finding.record.document_number == "某市监处罚〔2025〕101号"
    assert finding.record.decision_date == date(2025, 7, 8) == finding.checked_on
    assert finding.service.organisation.id == "bureau" and finding.service.role == "civil_servant"
    assert [ids(p) for p in finding.paths] == [["official", PHONE.id, "rep", "company"]]
    assert authority_conflicts(bureau, "bureau", max_hops=2).findings == []


def test_authority_conflicts_checked_on_another_date(bureau: GraphStore) -> None:
    then = authority_conflicts(bureau, "bureau", max_hops=3, as_of=date(2024, 6, 1))
    assert [(f.staff.id, f.hops) for f in then.findings] == [("former", 1), ("official", 3)]
    later = authority_conflicts(bureau, "bureau", max_hops=3, as_of=date(2025, 9, 1))
    assert [(f.staff.id, f.hops) for f in later.findings] == [("colleague", 1), ("official", 3)]
    official = later.findings[1]  # official -> bureau -> colleague -> company is never counted
    assert [ids(p) for p in official.paths] == [["official", PHONE.id, "rep", "company"]]
    assert authority_conflicts(bureau, "bureau", limit=1).records_truncated
    with pytest.raises(NotFound):
        authority_conflicts(bureau, "company")
