"""Evasion: listed parties resurfacing behind new organisations (both stores)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from graph.errors import InvalidInput
from graph.model import ContactKind, Enterprise, Relation, contact_point
from graph.records import ListEntry, ListKind, ListType, RecordStatus
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType
from queries.evasion import evasion, evasion_scan
from tests import factories as f

ZHOU, WU = f.ZHOU.id, f.WU.id
PHONE = contact_point(ContactKind.PHONE, "027-80000010")
ADDRESS = contact_point(ContactKind.ADDRESS, "武汉市某区某路10号")
LISTED_ON = date(2024, 3, 1)


def listing(record_id: str, subject: str, **extra: Any) -> ListEntry:
    values: dict[str, Any] = {
        "list_type": ListType.BLACK,
        "list_kind": ListKind.SERIOUS_VIOLATION,
        "list_name": "严重违法失信名单",
        "decision_date": LISTED_ON,
        "valid_from": LISTED_ON,
        "document_number": "某市监列严〔2024〕3号",
        **extra,
    }
    return ListEntry(
        id=record_id, subject_id=subject, issuing_authority="某区市场监督管理局", **values
    )


def rel(kind: RelType, source: str, target: str, start: date | None = None) -> Relation:
    return Relation(type=kind, source_id=source, target_id=target, valid_from=start)


@pytest.fixture
def shells(store: GraphStore) -> GraphStore:
    """LISTED (black-listed 2024-03-01): 周明 its legal rep., 吴芳 a shareholder, phone, address.

    NEW (2024-06-01) has 周明 and the phone; OLD (2020) has 周明 and the address; MOVED (2019)
    takes 吴芳 on as legal rep. on 2024-08-01; CLEAN has a red-list entry only.
    """
    companies = [
        Enterprise(id="LISTED", name="甲建设有限公司", established=date(2018, 1, 1)),
        Enterprise(id="NEW", name="乙建设有限公司", established=date(2024, 6, 1)),
        Enterprise(id="OLD", name="丙贸易有限公司", established=date(2020, 1, 1)),
        Enterprise(id="MOVED", name="丁物流有限公司", established=date(2019, 1, 1)),
        Enterprise(id="CLEAN", name="戊科技有限公司", established=date(2019, 1, 1)),
    ]
    lr = RelType.LEGAL_REPRESENTATIVE_OF
    relations = [
        rel(lr, ZHOU, "LISTED", date(2018, 1, 1)),
        rel(RelType.SHAREHOLDER_OF, WU, "LISTED"),
        rel(RelType.HAS_PHONE, "LISTED", PHONE.id),
        rel(RelType.HAS_ADDRESS, "LISTED", ADDRESS.id),
        rel(lr, ZHOU, "NEW", date(2024, 6, 1)),
        rel(RelType.HAS_PHONE, "NEW", PHONE.id),
        rel(RelType.EXECUTIVE_OF, ZHOU, "OLD", date(2020, 1, 1)),
        rel(RelType.HAS_ADDRESS, "OLD", ADDRESS.id),
        rel(lr, WU, "MOVED", date(2024, 8, 1)),
    ]
    records = [
        listing("list:listed", "LISTED"),
        ListEntry(
            id="list:clean",
            subject_id="CLEAN",
            issuing_authority="国家税务总局某区税务局",
            list_type=ListType.RED,
            list_kind=ListKind.TAX_A_GRADE,
            list_name="纳税信用A级纳税人",
            decision_date=date(2024, 4, 1),
        ),
    ]
    entities = [*companies, f.ZHOU, f.WU, PHONE, ADDRESS]
    f.load(store, {"entities": entities, "relations": relations, "records": records})
    return store


def test_a_new_company_sharing_person_and_phone_is_found(shells: GraphStore) -> None:
    answer = evasion(shells, "LISTED", as_of=date(2025, 1, 1))
    assert [(x.organisation.id, x.suspicious_date, x.because) for x in answer.findings] == [
        ("NEW", date(2024, 6, 1), "established"),
        ("MOVED", date(2024, 8, 1), "relation_start"),
    ]
    new = answer.findings[0]
    assert new.established == date(2024, 6, 1)
    assert [(s.kind, s.via.id) for s in new.shared] == [("person", ZHOU), ("phone", PHONE.id)]
    person = new.shared[0]
    assert [r.type for r in person.listed_links] == [RelType.LEGAL_REPRESENTATIVE_OF]
    assert [(r.type, r.target_id) for r in person.new_links] == [
        (RelType.LEGAL_REPRESENTATIVE_OF, "NEW")
    ]
    assert new.listing.list_name == "严重违法失信名单"
    assert new.listing.decision_date == LISTED_ON
    assert new.listing.issuing_authority == "某区市场监督管理局"
    assert new.listing.document_number == "某市监列严〔2024〕3号"
    moved = answer.findings[1]
    assert [(s.kind, s.via.id, [r.type for r in s.listed_links]) for s in moved.shared] == [
        ("person", WU, [RelType.SHAREHOLDER_OF])
    ]
    assert [x.record_id for x in answer.listings] == ["list:listed"]


def test_only_what_happened_by_as_of_counts(shells: GraphStore) -> None:
    answer = evasion(shells, "LISTED", as_of=date(2024, 7, 1))
    assert [x.organisation.id for x in answer.findings] == ["NEW"]
    assert answer.as_of == date(2024, 7, 1)


def test_no_in_force_black_listing_is_invalid(shells: GraphStore) -> None:
    for subject in ("CLEAN", "OLD"):
        with pytest.raises(InvalidInput) as bad:
            evasion(shells, subject)
        assert bad.value.field == "listed_id"
    with pytest.raises(InvalidInput):
        evasion(shells, "LISTED", as_of=date(2024, 2, 1))  # before the listing


def test_a_repaired_listing_no_longer_counts(shells: GraphStore) -> None:
    shells.upsert_records([listing("list:listed", "LISTED", status=RecordStatus.REPAIRED)])
    with pytest.raises(InvalidInput):
        evasion(shells, "LISTED", as_of=date(2025, 1, 1))


def test_a_listed_person_founding_a_company(shells: GraphStore) -> None:
    shells.upsert_records(
        [
            listing(
                "list:zhou",
                ZHOU,
                list_kind=ListKind.DISHONEST_JUDGMENT_DEBTOR,
                list_name="失信被执行人",
            )
        ]
    )
    answer = evasion(shells, ZHOU, as_of=date(2025, 1, 1))
    assert [(x.organisation.id, x.because) for x in answer.findings] == [("NEW", "established")]
    [shared] = answer.findings[0].shared
    assert (shared.kind, shared.via.id, shared.listed_links) == ("person", ZHOU, [])


def test_scan_over_many_subjects(shells: GraphStore) -> None:
    scan = evasion_scan(shells, ["LISTED", "CLEAN", "nobody", "LISTED"], as_of=date(2025, 1, 1))
    assert [a.subject.id for a in scan.answers] == ["LISTED"]
    assert len(scan.answers[0].findings) == 2
    assert (scan.not_listed, scan.not_found) == (["CLEAN"], ["nobody"])
