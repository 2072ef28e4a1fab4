"""Hand-built graphs for the joint-punishment scenarios, with the dates the rules turn on."""

from __future__ import annotations

from datetime import date
from typing import Any

from graph.model import Authority, ContactKind, Enterprise, Relation, contact_point
from graph.records import ListEntry, ListKind, ListType, RecordStatus, record_id
from graph.vocabulary import Label, RelType
from tests.factories import person

COURT = Authority(id="11420102MB1234567X", name="武汉市江岸区人民法院")
DEBTOR = Enterprise(id="91420102MA4K00010N", uscc="91420102MA4K00010N", name="武汉甲建设有限公司")
SECOND = Enterprise(id="91420102MA4K00029K", uscc="91420102MA4K00029K", name="武汉乙商贸有限公司")
REPAIRED = Enterprise(id="91420102MA4K0003XN", name="武汉丙科技有限公司")
EXPIRED = Enterprise(id="91420102MA4K0004XN", name="武汉丁物流有限公司")
MODEL = Enterprise(id="91420102MA4K0005XN", name="武汉戊诚信有限公司")
NEIGHBOUR = Enterprise(id="91420102MA4K0006XN", name="武汉己贸易有限公司")
CLEAN = Enterprise(id="91420102MA4K0007XN", name="武汉庚服务有限公司")
LEGAL_REP = person("周明", "42010219800101001X")
FORMER_REP = person("李强", "420102197001010015")
SHAREHOLDER = person("吴芳", "420102198512120026")
SUPERVISOR = person("郑红", "420102199001010022")
CONTROLLER = person("王刚", "420102197505050010")
PHONE = contact_point(ContactKind.PHONE, "027-80000010")

LISTED_ON = date(2022, 5, 10)
REP_FROM = date(2024, 1, 1)
REPAIRED_ON = date(2025, 6, 1)


def _entry(subject: Enterprise, kind: ListKind, name: str, on: date, **extra: Any) -> ListEntry:
    red = kind in (ListKind.MODEL_TRUSTWORTHY, ListKind.TAX_A_GRADE)
    return ListEntry(
        id=record_id(Label.LIST_ENTRY, name, subject.id, on.isoformat()),
        subject_id=subject.id,
        issuer_id=COURT.id if kind is ListKind.DISHONEST_JUDGMENT_DEBTOR else None,
        issuing_authority=COURT.name if not red else "武汉市发展和改革委员会",
        document_number=f"（{on.year}）鄂0102执{on.month}{on.day}号",
        list_type=ListType.RED if red else ListType.BLACK,
        list_kind=kind,
        list_name=name,
        decision_date=on,
        valid_from=on,
        legal_basis="《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
        **extra,
    )


def rel(kind: RelType, source: Any, target: Any, **extra: Any) -> Relation:
    """A relation between two nodes of this module."""
    return Relation(type=kind, source_id=source.id, target_id=target.id, **extra)


def graph() -> dict[str, list[Any]]:
    """A debtor company with its people, a second company, and companies in every state."""
    entities = [COURT, DEBTOR, SECOND, REPAIRED, EXPIRED, MODEL, NEIGHBOUR, CLEAN]
    entities += [LEGAL_REP, FORMER_REP, SHAREHOLDER, SUPERVISOR, CONTROLLER, PHONE]
    relations = [
        rel(RelType.LEGAL_REPRESENTATIVE_OF, LEGAL_REP, DEBTOR, valid_from=REP_FROM),
        rel(
            RelType.LEGAL_REPRESENTATIVE_OF,
            FORMER_REP,
            DEBTOR,
            valid_from=date(2015, 1, 1),
            valid_to=date(2023, 12, 31),
        ),
        rel(RelType.LEGAL_REPRESENTATIVE_OF, LEGAL_REP, SECOND, valid_from=date(2020, 9, 1)),
        rel(RelType.SHAREHOLDER_OF, SHAREHOLDER, DEBTOR, ratio=0.4),
        rel(RelType.EXECUTIVE_OF, SUPERVISOR, DEBTOR, post="监事"),
        rel(RelType.ACTUAL_CONTROLLER_OF, CONTROLLER, DEBTOR),
        rel(RelType.HAS_PHONE, DEBTOR, PHONE),
        rel(RelType.HAS_PHONE, NEIGHBOUR, PHONE),
    ]
    records = [
        _entry(DEBTOR, ListKind.DISHONEST_JUDGMENT_DEBTOR, "失信被执行人名单", LISTED_ON),
        _entry(
            REPAIRED,
            ListKind.DISHONEST_JUDGMENT_DEBTOR,
            "失信被执行人名单",
            date(2024, 3, 1),
            status=RecordStatus.REPAIRED,
            status_since=REPAIRED_ON,
        ),
        _entry(
            EXPIRED,
            ListKind.SERIOUS_VIOLATION,
            "严重违法失信名单",
            date(2024, 1, 1),
            valid_to=date(2024, 12, 31),
        ),
        _entry(MODEL, ListKind.MODEL_TRUSTWORTHY, "诚信典型企业名单", date(2025, 1, 1)),
    ]
    return {"entities": entities, "relations": relations, "records": records}
