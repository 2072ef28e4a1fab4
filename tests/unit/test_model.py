"""Model rules: relation attributes and endpoints, record colours and effect over time."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from graph.model import ENTITY_ADAPTER, Relation, ServiceRole
from graph.records import ListEntry, ListKind, ListType, RecordStatus, record_in_force
from graph.vocabulary import RelType


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"type": RelType.EXECUTIVE_OF, "ratio": 0.5}, "ratio: not an attribute of EXECUTIVE_OF"),
        ({"type": RelType.SERVES_IN}, "role: SERVES_IN needs the role"),
        ({"type": RelType.SHAREHOLDER_OF, "ratio": 1.5}, "ratio"),
        (
            {
                "type": RelType.SHAREHOLDER_OF,
                "valid_from": date(2024, 1, 2),
                "valid_to": date(2024, 1, 1),
            },
            "valid_to: ends before valid_from",
        ),
        ({"type": RelType.CONCERNS}, "subject_id / issuer_id"),
        ({"type": RelType.SHAREHOLDER_OF, "target_id": "a"}, "cannot link a node to itself"),
    ],
)
def test_bad_relations_name_the_field(kwargs: dict[str, object], words: str) -> None:
    data = {"source_id": "a", "target_id": "b", **kwargs}
    with pytest.raises(ValidationError, match=words.replace("(", r"\(")):
        Relation.model_validate(data)


def test_serves_in_with_role_is_valid() -> None:
    rel = Relation(type=RelType.SERVES_IN, source_id="p", target_id="o", role=ServiceRole.JUDGE)
    assert rel.role is not None and rel.role.judicial


def test_list_colour_must_match_kind() -> None:
    with pytest.raises(ValidationError, match="list_kind"):
        ListEntry(
            id="l",
            subject_id="s",
            issuing_authority="a",
            list_type=ListType.RED,
            list_kind=ListKind.DISHONEST_JUDGMENT_DEBTOR,
            list_name="失信被执行人",
        )


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="id_number"):
        ENTITY_ADAPTER.validate_python(
            {"label": "Person", "id": "p", "name": "x", "id_number": "110105194912310021"}
        )


@pytest.mark.parametrize(
    ("status", "since", "as_of", "expected"),
    [
        (RecordStatus.ACTIVE, None, date(2025, 1, 1), True),
        (RecordStatus.DISPUTED, date(2025, 3, 1), date(2025, 2, 28), True),
        (RecordStatus.DISPUTED, date(2025, 3, 1), date(2025, 3, 1), False),
        (RecordStatus.REVOKED, None, date(2025, 1, 1), False),
        (RecordStatus.ACTIVE, None, date(2023, 12, 31), False),
        (RecordStatus.ACTIVE, None, date(2027, 1, 1), False),
    ],
)
def test_record_effect_over_time(
    status: RecordStatus, since: date | None, as_of: date, expected: bool
) -> None:
    valid = (date(2024, 1, 1), date(2026, 12, 31))
    assert record_in_force(status, since, *valid, as_of) is expected
