"""The person view: roles over time, current flags, records during tenure (both stores)."""

from __future__ import annotations

from datetime import date

import pytest

from graph.errors import InvalidInput, NotFound
from graph.model import Authority, Enterprise, Person, Relation, ServiceRole
from graph.records import AdministrativePenalty, ListEntry, ListKind, ListType
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType
from queries.person import person_view
from tests import factories as f

ZHOU = f.ZHOU.id
ALIAS = Person(id="person:unverified:zhou", name="周明", id_masked="420102********001X")


def penalty(record_id: str, subject: str, decided: date) -> AdministrativePenalty:
    return AdministrativePenalty(
        id=record_id,
        subject_id=subject,
        issuing_authority="某区市场监督管理局",
        document_number=f"某市监处罚〔{decided.year}〕{record_id[-1]}号",
        decision_date=decided,
        valid_from=decided,
    )


@pytest.fixture
def career(store: GraphStore) -> GraphStore:
    """周明: civil servant until 2015, legal rep. of A 2016-2020 then of B, director of A."""
    a = Enterprise(id="A", name="甲建设有限公司")
    b = Enterprise(id="B", name="乙商贸有限公司")
    bureau = Authority(id="BUREAU", name="某区住房和城乡建设局")

    def rel(
        kind: RelType, target: str, start: date | None, end: date | None = None, **kw: object
    ) -> Relation:
        return Relation(
            type=kind, source_id=ZHOU, target_id=target, valid_from=start, valid_to=end, **kw
        )

    relations = [
        rel(
            RelType.SERVES_IN,
            "BUREAU",
            date(2010, 1, 1),
            date(2015, 12, 31),
            role=ServiceRole.CIVIL_SERVANT,
            post="科员",
        ),
        rel(RelType.LEGAL_REPRESENTATIVE_OF, "A", date(2016, 5, 20), date(2020, 12, 31)),
        rel(RelType.EXECUTIVE_OF, "A", date(2016, 5, 20), post="董事"),
        rel(RelType.SHAREHOLDER_OF, "A", None, ratio=0.6, subscribed_amount=600),
        rel(RelType.LEGAL_REPRESENTATIVE_OF, "B", date(2021, 1, 1)),
        Relation(
            type=RelType.POSSIBLY_SAME_AS,
            source_id=ALIAS.id,
            target_id=ZHOU,
            reason="same name and masked ID",
        ),
    ]
    records = [
        penalty("penalty:a1", "A", date(2019, 6, 1)),
        penalty("penalty:a2", "A", date(2022, 3, 1)),
        penalty("penalty:b1", "B", date(2020, 5, 1)),  # before 周明 came to B
        ListEntry(
            id="list:zhou",
            subject_id=ZHOU,
            issuing_authority="某区人民法院",
            list_type=ListType.BLACK,
            list_kind=ListKind.DISHONEST_JUDGMENT_DEBTOR,
            list_name="失信被执行人",
            decision_date=date(2023, 2, 1),
            valid_from=date(2023, 2, 1),
        ),
    ]
    entities = [a, b, bureau, f.ZHOU, ALIAS]
    f.load(store, {"entities": entities, "relations": relations, "records": records})
    return store


def test_roles_sorted_by_organisation_then_start(career: GraphStore) -> None:
    view = person_view(career, ZHOU, as_of=date(2019, 1, 1))
    assert view.person.name == "周明" and view.as_of == date(2019, 1, 1)
    assert [(r.organisation.id, r.type, r.valid_from) for r in view.roles] == [
        ("B", RelType.LEGAL_REPRESENTATIVE_OF, date(2021, 1, 1)),  # 乙商贸有限公司 (U+4E59)
        ("BUREAU", RelType.SERVES_IN, date(2010, 1, 1)),  # 某区住房和城乡建设局 (U+67D0)
        ("A", RelType.SHAREHOLDER_OF, None),  # 甲建设有限公司 (U+7532)
        ("A", RelType.EXECUTIVE_OF, date(2016, 5, 20)),
        ("A", RelType.LEGAL_REPRESENTATIVE_OF, date(2016, 5, 20)),
    ]
    serving = view.roles[1]
    assert (serving.role, serving.post, serving.valid_to) == (
        ServiceRole.CIVIL_SERVANT,
        "科员",
        date(2015, 12, 31),
    )
    share = view.roles[2]
    assert (share.ratio, share.subscribed_amount) == (0.6, 600)


def test_current_flags_follow_as_of(career: GraphStore) -> None:
    def current(day: date) -> set[tuple[str, RelType]]:
        view = person_view(career, ZHOU, as_of=day)
        return {(r.organisation.id, r.type) for r in view.roles if r.current}

    assert current(date(2012, 1, 1)) == {
        ("BUREAU", RelType.SERVES_IN),
        ("A", RelType.SHAREHOLDER_OF),
    }
    assert current(date(2019, 1, 1)) == {
        ("A", RelType.LEGAL_REPRESENTATIVE_OF),
        ("A", RelType.EXECUTIVE_OF),
        ("A", RelType.SHAREHOLDER_OF),
    }
    assert current(date(2022, 1, 1)) == {
        ("A", RelType.EXECUTIVE_OF),
        ("A", RelType.SHAREHOLDER_OF),
        ("B", RelType.LEGAL_REPRESENTATIVE_OF),
    }


def test_records_of_the_person_and_during_tenure(career: GraphStore) -> None:
    view = person_view(career, ZHOU, as_of=date(2024, 1, 1))
    assert [v.record.id for v in view.records] == ["list:zhou"]
    assert view.records[0].in_force
    assert [(t.record.id, t.organisation.id, t.roles) for t in view.tenure_records] == [
        ("penalty:a2", "A", [RelType.EXECUTIVE_OF, RelType.SHAREHOLDER_OF]),
        (
            "penalty:a1",
            "A",
            [RelType.EXECUTIVE_OF, RelType.LEGAL_REPRESENTATIVE_OF, RelType.SHAREHOLDER_OF],
        ),
    ]


def test_possibly_same_persons_with_reason(career: GraphStore) -> None:
    view = person_view(career, ZHOU)
    assert [(s.person.id, s.reason) for s in view.possibly_same_as] == [
        (ALIAS.id, "same name and masked ID")
    ]
    alias = person_view(career, ALIAS.id)
    assert alias.roles == [] and [s.person.id for s in alias.possibly_same_as] == [ZHOU]
    assert view.complete


def test_only_persons_have_a_person_view(career: GraphStore) -> None:
    with pytest.raises(InvalidInput) as bad:
        person_view(career, "A")
    assert bad.value.field == "person_id"
    with pytest.raises(NotFound):
        person_view(career, "person:nobody")
