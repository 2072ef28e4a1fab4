"""Small hand-built graphs with known answers, shared by the test suites."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from pydantic import TypeAdapter

from graph.model import (
    ENTITY_ADAPTER,
    Authority,
    ContactKind,
    Enterprise,
    EnterpriseKind,
    Person,
    Relation,
    contact_point,
    make_person,
)
from graph.records import (
    RECORD_ADAPTER,
    AdministrativePenalty,
    ListEntry,
    ListKind,
    ListType,
    record_id,
)
from graph.vocabulary import Label, RelType

RELATION_ADAPTER = TypeAdapter(Relation)

KEY = b"test-key"


def as_models(parsed: Any) -> Any:
    """A parsed row's items as model objects, after checking that each item is exactly its
    model's stored form (the load path builds items without the models; they stay the schema).
    """
    from loaders.base import Parsed

    def model(item: dict[str, Any], adapter: Any) -> Any:
        obj = adapter.validate_python(item)
        assert obj.properties() == item, (obj.properties(), item)
        return obj

    return Parsed(
        entities=[model(e, ENTITY_ADAPTER) for e in parsed.entities],
        relations=[model(r, RELATION_ADAPTER) for r in parsed.relations],
        records=[model(r, RECORD_ADAPTER) for r in parsed.records],
        primary=parsed.primary,
    )


AUTHORITY_ID = "1142010201100017X0"
COMPANY_A = "91420102MA4K00010N"
COMPANY_B = "91420102MA4K00029K"
ZHOU_ID = "42010219800101001X"
WU_ID = "420102198512120026"


def person(name: str, id_number: str, **extra: Any) -> Person:
    """A person keyed by the hash of a (test) ID number."""
    return make_person(name, id_number, KEY, **extra)


ZHOU = person("周明", ZHOU_ID)
WU = person("吴芳", WU_ID)


def county() -> dict[str, list[Any]]:
    """Two companies sharing a legal representative and a phone, one authority, records."""
    authority = Authority(id=AUTHORITY_ID, uscc=AUTHORITY_ID, name="某区市场监督管理局")
    a = Enterprise(
        id=COMPANY_A,
        uscc=COMPANY_A,
        name="武汉某某建设工程有限公司",
        established=date(2016, 5, 20),
        registration_status="存续",
    )
    b = Enterprise(
        id=COMPANY_B,
        uscc=COMPANY_B,
        name="武汉某某商贸有限公司",
        kind=EnterpriseKind.COMPANY,
        established=date(2020, 9, 1),
    )
    phone = contact_point(ContactKind.PHONE, "027-80000010")
    relations = [
        Relation(
            type=RelType.LEGAL_REPRESENTATIVE_OF,
            source_id=ZHOU.id,
            target_id=a.id,
            valid_from=date(2016, 5, 20),
        ),
        Relation(
            type=RelType.LEGAL_REPRESENTATIVE_OF,
            source_id=ZHOU.id,
            target_id=b.id,
            valid_from=date(2020, 9, 1),
            valid_to=date(2024, 12, 31),
        ),
        Relation(
            type=RelType.SHAREHOLDER_OF,
            source_id=ZHOU.id,
            target_id=a.id,
            subscribed_amount=600,
            ratio=0.6,
        ),
        Relation(
            type=RelType.SHAREHOLDER_OF,
            source_id=WU.id,
            target_id=a.id,
            subscribed_amount=400,
            ratio=0.4,
        ),
        Relation(type=RelType.SHAREHOLDER_OF, source_id=a.id, target_id=b.id, ratio=1.0),
        Relation(type=RelType.EXECUTIVE_OF, source_id=WU.id, target_id=a.id, post="监事"),
        Relation(type=RelType.HAS_PHONE, source_id=a.id, target_id=phone.id),
        Relation(type=RelType.HAS_PHONE, source_id=b.id, target_id=phone.id),
    ]
    records = [
        AdministrativePenalty(
            id=record_id(Label.ADMINISTRATIVE_PENALTY, authority.name, "某市监处罚〔2025〕101号"),
            subject_id=a.id,
            issuer_id=authority.id,
            issuing_authority=authority.name,
            document_number="某市监处罚〔2025〕101号",
            decision_date=date(2025, 7, 8),
            valid_from=date(2025, 7, 8),
            valid_to=date(2026, 7, 8),
            penalty_category="罚款",
            fine_amount=5,
            legal_basis="《建筑工程施工许可管理办法》第十二条",
        ),
        ListEntry(
            id=record_id(Label.LIST_ENTRY, "重大税收违法失信主体", b.id, "2025-09-10"),
            subject_id=b.id,
            issuing_authority="国家税务总局某区税务局",
            list_type=ListType.BLACK,
            list_kind=ListKind.MAJOR_TAX_VIOLATION,
            list_name="重大税收违法失信主体",
            decision_date=date(2025, 9, 10),
            valid_from=date(2025, 9, 10),
            legal_basis="《重大税收违法失信主体信息公布管理办法》",
        ),
    ]
    return {
        "entities": [authority, a, b, ZHOU, WU, phone],
        "relations": relations,
        "records": records,
    }


def load(store: Any, graph: dict[str, list[Any]]) -> None:
    """Write a graph built by this module, asserting nothing was rejected."""
    for method, items in (
        ("upsert_entities", graph["entities"]),
        ("upsert_relations", graph["relations"]),
        ("upsert_records", graph["records"]),
    ):
        result = getattr(store, method)(items)
        assert result.rejected == [], result.rejected


def random_graph(seed: int) -> tuple[list[Any], list[Relation], list[ListEntry]]:
    """14 companies, 12 persons, 4 phones, 60 random relations (some valid 2018-2022 only),
    and a dishonest-debtor list entry on 4 of the companies."""
    rng = random.Random(seed)
    lr, sh, ex = RelType.LEGAL_REPRESENTATIVE_OF, RelType.SHAREHOLDER_OF, RelType.EXECUTIVE_OF
    orgs = [f"o{i:02}" for i in range(14)]
    people = [f"p{i:02}" for i in range(12)]
    phones = [contact_point(ContactKind.PHONE, f"0277000{i:04}") for i in range(4)]
    entities: list[Any] = [Enterprise(id=o, name=o) for o in orgs]
    entities += [Person(id=p, name=p) for p in people] + phones
    seen: set[tuple[RelType, str, str]] = set()
    relations: list[Relation] = []
    while len(relations) < 60:
        kind = rng.choice([lr, sh, ex, sh, RelType.HAS_PHONE])
        source = rng.choice(people + orgs if kind is sh else people)
        target = rng.choice([p.id for p in phones] if kind is RelType.HAS_PHONE else orgs)
        if kind is RelType.HAS_PHONE:
            source = rng.choice(people + orgs)
        if (kind, source, target) in seen or source == target:
            continue
        seen.add((kind, source, target))
        ends = rng.choice([(None, None), (None, None), (date(2018, 1, 1), date(2022, 12, 31))])
        relations.append(
            Relation(
                type=kind, source_id=source, target_id=target, valid_from=ends[0], valid_to=ends[1]
            )
        )
    entries = [
        ListEntry(
            id=record_id(Label.LIST_ENTRY, "失信被执行人", org, "2019-03-01"),
            subject_id=org,
            issuing_authority="某区人民法院",
            list_type=ListType.BLACK,
            list_kind=ListKind.DISHONEST_JUDGMENT_DEBTOR,
            list_name="失信被执行人",
            decision_date=date(2019, 3, 1),
            valid_from=date(2019, 3, 1),
            valid_to=date(2021, 3, 1),
        )
        for org in rng.sample(orgs, 4)
    ]
    return entities, relations, entries
