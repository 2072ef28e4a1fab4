"""A small hand-written county for the demo command, built from the shared sample rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from graph.ids import parse_uscc
from graph.model import (
    Authority,
    ContactKind,
    Enterprise,
    OrganizationType,
    Person,
    Relation,
    ServiceRole,
    SocialOrganization,
    contact_point,
    make_person,
)
from graph.records import (
    AdministrativeLicence,
    AdministrativePenalty,
    IntegrityRecord,
    ListEntry,
    ListKind,
    ListType,
    RecordStatus,
)
from graph.records import record_id as rid
from graph.store.protocol import GraphStore, UpsertResult
from graph.vocabulary import Label, RelType

SOURCE = "demo"


def _person(name: str, id_number: str, key: bytes) -> Person:
    return make_person(name, id_number, key, id_type="身份证", source_file=SOURCE)


def build(key: bytes) -> dict[str, list[Any]]:
    """The demo graph: two linked companies, an association, a law firm, officials, records."""
    smr = Authority(
        id=parse_uscc("1142010201100017X0"),
        uscc="1142010201100017X0",
        name="某区市场监督管理局",
        source_file=SOURCE,
    )
    tax = Authority(
        id=parse_uscc("1142010201100025XK"),
        uscc="1142010201100025XK",
        name="国家税务总局某区税务局",
        source_file=SOURCE,
    )
    hr = Authority(
        id="114201020110005912",
        uscc="114201020110005912",
        name="某区人力资源和社会保障局",
        source_file=SOURCE,
    )
    a = Enterprise(
        id=parse_uscc("91420102MA4K00010N"),
        uscc="91420102MA4K00010N",
        name="武汉某某建设工程有限公司",
        enterprise_type="有限责任公司(自然人投资或控股)",
        established=date(2016, 5, 20),
        registration_status="存续",
        address="武汉市某区某路10号",
        source_file=SOURCE,
    )
    b = Enterprise(
        id=parse_uscc("91420102MA4K00029K"),
        uscc="91420102MA4K00029K",
        name="武汉某某商贸有限公司",
        enterprise_type="有限责任公司(法人独资)",
        established=date(2020, 9, 1),
        registration_status="存续",
        address="武汉市某区某路10号",
        source_file=SOURCE,
    )
    assoc = SocialOrganization(
        id=parse_uscc("51420102MJ0A00033N"),
        uscc="51420102MJ0A00033N",
        name="某区建筑业协会",
        org_type=OrganizationType.SOCIAL_GROUP,
        supervising_unit="某区住房和城乡建设局",
        source_file=SOURCE,
    )
    firm = SocialOrganization(
        id=parse_uscc("31420102MD0A00066T"),
        uscc="31420102MD0A00066T",
        name="湖北某某律师事务所",
        org_type=OrganizationType.LEGAL_SERVICE,
        source_file=SOURCE,
    )
    zhou = _person("周明", "42010219800101001X", key)
    wu = _person("吴芳", "420102198512120026", key)
    li = _person("李华", "420102199203030048", key)
    zheng = _person("郑强", "420102197006060038", key)
    phone = contact_point(ContactKind.PHONE, "027-80000010", source_file=SOURCE)
    address = contact_point(ContactKind.ADDRESS, "武汉市某区某路10号", source_file=SOURCE)

    def rel(kind: RelType, src: Any, dst: Any, **extra: Any) -> Relation:
        return Relation(type=kind, source_id=src.id, target_id=dst.id, source_file=SOURCE, **extra)

    relations = [
        rel(RelType.LEGAL_REPRESENTATIVE_OF, zhou, a, valid_from=date(2016, 5, 20)),
        rel(RelType.LEGAL_REPRESENTATIVE_OF, zhou, b, valid_from=date(2020, 9, 1)),
        rel(RelType.SHAREHOLDER_OF, zhou, a, subscribed_amount=600, ratio=0.6),
        rel(RelType.SHAREHOLDER_OF, wu, a, subscribed_amount=400, ratio=0.4),
        rel(RelType.SHAREHOLDER_OF, a, b, subscribed_amount=100, ratio=1.0),
        rel(RelType.EXECUTIVE_OF, zhou, a, post="执行董事兼总经理"),
        rel(RelType.EXECUTIVE_OF, wu, a, post="监事"),
        rel(RelType.LEGAL_REPRESENTATIVE_OF, zheng, assoc, valid_from=date(2011, 3, 15)),
        rel(RelType.SERVES_IN, li, hr, role=ServiceRole.CIVIL_SERVANT, post="科员"),
        rel(RelType.SERVES_IN, zheng, firm, role=ServiceRole.LAWYER),
        rel(RelType.HAS_PHONE, a, phone),
        rel(RelType.HAS_PHONE, b, phone),
        rel(RelType.HAS_ADDRESS, a, address),
        rel(RelType.HAS_ADDRESS, b, address),
    ]
    doc = "某市监处罚〔2025〕101号"
    records = [
        AdministrativePenalty(
            id=rid(Label.ADMINISTRATIVE_PENALTY, smr.name, doc),
            subject_id=a.id,
            issuer_id=smr.id,
            issuing_authority=smr.name,
            document_number=doc,
            violation_type="违反建筑市场管理规定",
            penalty_category="罚款",
            fine_amount=5,
            legal_basis="《建筑工程施工许可管理办法》第十二条",
            decision_date=date(2025, 7, 8),
            valid_from=date(2025, 7, 8),
            valid_to=date(2026, 7, 8),
            source_file=SOURCE,
        ),
        AdministrativeLicence(
            id=rid(Label.ADMINISTRATIVE_LICENCE, smr.name, "JY14201020000001"),
            subject_id=b.id,
            issuer_id=smr.id,
            issuing_authority=smr.name,
            document_number="JY14201020000001",
            title="食品经营许可决定书",
            licence_category="普通",
            licence_name="食品经营许可证",
            decision_date=date(2024, 2, 1),
            valid_from=date(2024, 2, 1),
            valid_to=date(2029, 1, 31),
            source_file=SOURCE,
        ),
        ListEntry(
            id=rid(Label.LIST_ENTRY, "重大税收违法失信主体", b.id, "2025-09-10"),
            subject_id=b.id,
            issuer_id=tax.id,
            issuing_authority=tax.name,
            list_type=ListType.BLACK,
            list_kind=ListKind.MAJOR_TAX_VIOLATION,
            list_name="重大税收违法失信主体",
            reason="虚开增值税专用发票",
            legal_basis="《重大税收违法失信主体信息公布管理办法》",
            decision_date=date(2025, 9, 10),
            valid_from=date(2025, 9, 10),
            source_file=SOURCE,
        ),
        ListEntry(
            id=rid(Label.LIST_ENTRY, "旅游不文明行为记录", zheng.id, "2024-08-01"),
            subject_id=zheng.id,
            issuing_authority="某区文化和旅游局",
            list_type=ListType.BLACK,
            list_kind=ListKind.TOURISM_UNCIVILISED,
            list_name="旅游不文明行为记录",
            decision_date=date(2024, 8, 1),
            valid_from=date(2024, 8, 1),
            valid_to=date(2025, 8, 1),
            status=RecordStatus.EXPIRED,
            status_since=date(2025, 8, 2),
            source_file=SOURCE,
        ),
        IntegrityRecord(
            id=rid(Label.INTEGRITY_RECORD, "中共某区委组织部", li.id, "2025-03-01"),
            subject_id=li.id,
            issuing_authority="中共某区委组织部",
            record_type="个人有关事项报告",
            content="配偶持有武汉某某商贸有限公司股份",
            result="如实报告",
            decision_date=date(2025, 3, 1),
            source_file=SOURCE,
        ),
    ]
    return {
        "entities": [smr, tax, hr, a, b, assoc, firm, zhou, wu, li, zheng, phone, address],
        "relations": relations,
        "records": records,
    }


def load_demo(store: GraphStore, key: bytes) -> UpsertResult:
    """Write the demo graph (idempotent) and return the combined result."""
    graph = build(key)
    return (
        store.upsert_entities(graph["entities"])
        + store.upsert_relations(graph["relations"])
        + store.upsert_records(graph["records"])
    )
