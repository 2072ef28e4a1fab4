"""Contract: the risk graph in one bulk read: seeds and their records, two levels of links
valid on the date, organisations followed by their holdings only, capped hubs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from graph.errors import InvalidInput
from graph.model import Authority, ContactKind, Enterprise, Person, Relation, contact_point
from graph.records import AdministrativePenalty, ListEntry, ListKind, ListType, RecordStatus
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType

DAY = date(2025, 6, 30)
SINCE = date(2024, 6, 30)
PHONE = contact_point(ContactKind.PHONE, "027-80000001")
HUB = contact_point(ContactKind.ADDRESS, "某区代理记账中心1号")
R = RelType


def org(i: int, established: date | None = None) -> Enterprise:
    return Enterprise(id=f"org{i}", name=f"企业{i}", established=established)


def rel(kind: RelType, source: str, target: str, **extra: Any) -> Relation:
    return Relation(type=kind, source_id=source, target_id=target, **extra)


def black(i: str, subject: str, **extra: Any) -> ListEntry:
    fields: dict[str, Any] = {
        "list_type": ListType.BLACK,
        "list_kind": ListKind.SERIOUS_VIOLATION,
        "list_name": "严重违法失信名单",
        "valid_from": date(2024, 1, 1),
    }
    fields |= extra
    return ListEntry(
        id=i, subject_id=subject, issuer_id="auth", issuing_authority="市监局", **fields
    )


def penalty(i: str, subject: str, decided: date, **extra: Any) -> AdministrativePenalty:
    return AdministrativePenalty(
        id=i,
        subject_id=subject,
        issuer_id="auth",
        issuing_authority="市监局",
        decision_date=decided,
        violation_type="无照经营",
        **extra,
    )


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    people = [Person(id=f"p{i}", name=f"人{i}") for i in range(4)]
    firms = [org(i, date(2020, 1, 1)) for i in range(1, 12)] + [org(20 + i) for i in range(4)]
    store.upsert_entities([Authority(id="auth", name="市监局"), *people, *firms, PHONE, HUB])
    store.upsert_relations(
        [
            rel(R.LEGAL_REPRESENTATIVE_OF, "p0", "org1"),  # seed org1's legal rep
            rel(R.LEGAL_REPRESENTATIVE_OF, "p0", "org2", valid_from=date(2025, 1, 1)),
            rel(R.EXECUTIVE_OF, "p0", "org3", valid_to=date(2025, 1, 31)),  # ended: not read
            rel(R.SHAREHOLDER_OF, "org4", "org1", ratio=0.5),  # a holder of the seed...
            rel(R.SHAREHOLDER_OF, "org4", "org5", ratio=0.5),  # ...holds org5: level 2
            rel(R.LEGAL_REPRESENTATIVE_OF, "p1", "org4"),  # the holder's own people: not
            rel(R.HAS_PHONE, "org1", PHONE.id),
            rel(R.HAS_PHONE, "org6", PHONE.id),
            rel(R.HAS_PHONE, "org7", PHONE.id, valid_from=date(2025, 7, 1)),  # not yet
            rel(R.LEGAL_REPRESENTATIVE_OF, "p2", "org9"),  # org9: penalised recently
            rel(R.HAS_ADDRESS, "org9", HUB.id),
            *[rel(R.HAS_ADDRESS, f"org2{i}", HUB.id) for i in range(4)],  # 5 on the hub
            rel(R.LEGAL_REPRESENTATIVE_OF, "p3", "org10"),  # org10: old penalty only
            rel(R.LEGAL_REPRESENTATIVE_OF, "p3", "org11"),
        ]
    )
    store.upsert_records(
        [
            black("e1", "org1", decision_date=date(2024, 1, 1)),
            black("e2", "org8", status=RecordStatus.REPAIRED, status_since=date(2025, 1, 1)),
            black("e3", "org11", valid_to=date(2025, 1, 1)),  # expired
            black("e4", "p3", list_type=ListType.RED, list_kind=ListKind.TAX_A_GRADE),
            penalty("x1", "org9", date(2025, 3, 1)),
            penalty("x2", "org10", date(2023, 3, 1)),  # before the look-back
            penalty("x3", "org11", date(2025, 2, 1), status=RecordStatus.REVOKED),
        ]
    )
    return store


def test_seeds_are_in_force_black_entries_and_recent_penalties(graph: GraphStore) -> None:
    risk = graph.risk_graph(as_of=DAY, penalty_since=SINCE, cap=3)
    assert [(r.id, r.subject_id, r.status, r.since) for r in risk.records] == [
        ("e1", "org1", "listed", date(2024, 1, 1)),
        ("x1", "org9", "penalised", date(2025, 3, 1)),
    ]
    assert risk.records[0].name == "严重违法失信名单"
    # the same entry before its repair took effect counts
    before = graph.risk_graph(as_of=date(2024, 12, 31), penalty_since=SINCE, cap=3)
    assert {r.subject_id for r in before.records} == {"org1", "org8", "org11"}


def test_two_levels_of_links_valid_on_the_date(graph: GraphStore) -> None:
    risk = graph.risk_graph(as_of=DAY, penalty_since=SINCE, cap=3)
    assert [r[:3] for r in risk.relations] == [
        ("HAS_ADDRESS", "org9", HUB.id),
        ("HAS_PHONE", "org1", PHONE.id),
        ("HAS_PHONE", "org6", PHONE.id),
        ("LEGAL_REPRESENTATIVE_OF", "p0", "org1"),
        ("LEGAL_REPRESENTATIVE_OF", "p0", "org2"),
        ("LEGAL_REPRESENTATIVE_OF", "p2", "org9"),
        ("SHAREHOLDER_OF", "org4", "org1"),
        ("SHAREHOLDER_OF", "org4", "org5"),
    ]
    assert dict(((r[0], r[1], r[2]), r[3]) for r in risk.relations)[
        ("LEGAL_REPRESENTATIVE_OF", "p0", "org2")
    ] == date(2025, 1, 1)
    assert risk.capped == [HUB.id]
    assert risk.degrees[HUB.id] == 5 and risk.degrees["p0"] == 2 and risk.degrees["org1"] == 3
    assert risk.degrees["org4"] == 2  # its holdings only
    assert risk.nodes["org2"].name == "企业2" and risk.nodes["org2"].label == "Enterprise"
    assert risk.nodes["org1"].established == date(2020, 1, 1)
    assert risk.nodes[PHONE.id].label == "ContactPoint"
    assert risk.nodes[PHONE.id].name == PHONE.value
    assert "org3" not in risk.nodes and "p1" not in risk.nodes and "org7" not in risk.nodes


def test_a_higher_cap_sends_the_hubs_links(graph: GraphStore) -> None:
    risk = graph.risk_graph(as_of=DAY, penalty_since=SINCE, cap=5)
    assert risk.capped == []
    assert {r[1] for r in risk.relations if r[2] == HUB.id} == {
        "org9",
        *(f"org2{i}" for i in range(4)),
    }


def test_bad_arguments_are_refused(graph: GraphStore) -> None:
    with pytest.raises(InvalidInput):
        graph.risk_graph(as_of=SINCE, penalty_since=DAY, cap=3)
    with pytest.raises(InvalidInput):
        graph.risk_graph(as_of=DAY, penalty_since=SINCE, cap=0)
