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


def test_a_bad_uscc_is_refused_naming_the_field_and_reason() -> None:
    from graph.model import Enterprise

    with pytest.raises(ValidationError) as info:
        Enterprise(id="x", name="某公司", uscc="91420102MA4K00010X")
    error = info.value.errors()[0]
    assert error["loc"] == ("uscc",)
    assert "check digit" in error["msg"] and "统一社会信用代码" in error["msg"]


def test_a_uscc_is_normalised() -> None:
    from graph.model import Enterprise

    assert Enterprise(id="x", name="某", uscc=" ９１４２０１０２ma4k00010n ").uscc == (
        "91420102MA4K00010N"
    )


def test_make_person_never_keeps_the_raw_id_number() -> None:
    from graph.model import make_person

    person = make_person("吴芳", "420102198512120026", b"k")
    assert "198512120026" not in person.model_dump_json()
    assert person.id_masked == "420102********0026"
    assert make_person("吴芳", "420102198512120026", b"other").id != person.id


def test_make_person_with_a_masked_id_has_no_key_and_a_stable_id() -> None:
    from graph.model import make_person

    one = make_person("吴芳", "4201021985****0026", b"k")
    assert one.id_hash is None and one.id_masked == "4201021985****0026"
    assert make_person("吴芳", "4201021985****0026", b"other").id == one.id
    assert make_person("吴芳", None, b"k").id != one.id


def test_make_person_rejects_a_bad_id_number_naming_the_field() -> None:
    from graph.errors import InvalidInput
    from graph.model import make_person

    with pytest.raises(InvalidInput) as info:
        make_person("吴芳", "420102198512120027", b"k")
    assert info.value.field == "id_number" and "check digit" in str(info.value)
