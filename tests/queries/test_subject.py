"""What a caller types as a subject: codes, ID numbers, entity ids, typos (both stores)."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInput, NotFound
from graph.ids import citizen_id_check_char, mask_digits, uscc_check_char
from graph.model import Enterprise, make_person
from graph.store.protocol import GraphStore
from queries.subject import subject_id, subject_ids, summary
from tests import factories as f

KEY = f.KEY
DIGIT_USCC = "914403001922038216"  # a USCC whose 18 characters are all digits
REGISTRATION = "420102000012345"  # a 工商注册号: positions 7-12 are no date
DATED_REGISTRATION = "420102850101123"  # a 工商注册号 that parses as a legacy ID number
LEGACY_ID = "110105491231002"  # 15-digit ID number of 11010519491231002X
ORG_CODE = "MA5F2X3K3"
UNKNOWN_ID = "110105195001010039"  # valid, but no one in the graph has it
BAD_ID = f.ZHOU_ID[:17] + "9"  # 周明's number with a wrong check digit (X expected)
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    """The factories' county, plus organisations known by legacy codes and a legacy person."""
    f.load(store, f.county())
    extra = [
        Enterprise(id=DIGIT_USCC, uscc=DIGIT_USCC, name="深圳某某有限公司"),
        Enterprise(id="org:reg", name="某某厂", registration_number=REGISTRATION),
        Enterprise(id="org:dated", name="某某店", registration_number=DATED_REGISTRATION),
        Enterprise(id="org:code", name="某某社", org_code=ORG_CODE),
        make_person("王五", LEGACY_ID, KEY),
    ]
    assert store.upsert_entities(extra).rejected == []
    return store


def resolve(store: GraphStore, text: str) -> str:
    return subject_id(store, text, KEY)


def invalid(store: GraphStore, text: str) -> str:
    """The message of the InvalidInput that ``text`` raises (field: subject)."""
    with pytest.raises(InvalidInput) as caught:
        resolve(store, text)
    assert caught.value.field == "subject"
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f.COMPANY_A, f.COMPANY_A),
        (f.COMPANY_A.lower(), f.COMPANY_A),
        ("９１４２０１０２ＭＡ４Ｋ００010Ｎ", f.COMPANY_A),
        (DIGIT_USCC, DIGIT_USCC),
        (f.AUTHORITY_ID, f.AUTHORITY_ID),
        (f.ZHOU_ID, f.ZHOU.id),
        (f.ZHOU_ID.lower(), f.ZHOU.id),
        (LEGACY_ID, make_person("王五", LEGACY_ID, KEY).id),
        (REGISTRATION, "org:reg"),
        (DATED_REGISTRATION, "org:dated"),  # no such person: the registration number
        (ORG_CODE, "org:code"),
        (f.ZHOU.id, f.ZHOU.id),
        ("phone:02780000010", "phone:02780000010"),
    ],
)
def test_codes_numbers_and_entity_ids_resolve(graph: GraphStore, text: str, expected: str) -> None:
    assert resolve(graph, f" {text}\n") == expected


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_characters_are_ignored(graph: GraphStore, char: str) -> None:
    for text, expected in ((f.COMPANY_A, f.COMPANY_A), (f.ZHOU_ID, f.ZHOU.id)):
        assert resolve(graph, char + text[:9] + char + text[9:] + char) == expected
    assert resolve(graph, "phone:" + char + "02780000010") == "phone:02780000010"


def test_a_wrong_uscc_check_character_is_invalid_not_unknown(graph: GraphStore) -> None:
    message = invalid(graph, f.COMPANY_A[:17] + "X")
    assert message == f"subject: USCC check digit is X, expected N ({f.COMPANY_A[:17]}X)"
    wrong = DIGIT_USCC[:17] + "7"
    assert "subject: USCC check digit is 7, expected 6" in invalid(graph, wrong)


def test_a_wrong_id_check_digit_is_invalid_and_masked(graph: GraphStore) -> None:
    message = invalid(graph, BAD_ID)
    assert message.startswith("subject: citizen ID check digit is 9, expected X")
    assert BAD_ID not in message and mask_digits(BAD_ID) in message
    assert BAD_ID[:14] not in message and BAD_ID[6:14] not in message


def test_an_id_number_that_is_also_a_valid_uscc_is_an_id_typo_unless_that_org_exists(
    graph: GraphStore,
) -> None:
    """18 digits with a real birth date, a wrong ID check digit and a right USCC one."""
    first17 = next(
        first17
        for seq in range(1000)
        if (first17 := f"11010519800101{seq:03}")
        and uscc_check_char(first17) in "0123456789"
        and uscc_check_char(first17) != citizen_id_check_char(first17)
    )
    both = first17 + uscc_check_char(first17)
    assert invalid(graph, both).startswith("subject: citizen ID check digit is")
    graph.upsert_entities([Enterprise(id=both, uscc=both, name="北京某某机关服务中心")])
    assert resolve(graph, both) == both


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("91420102MA4KOOO10N", "subject: USCC bad character 'O' at position 13"),
        ("91420102MA4K0001N", "subject: USCC has 17 characters, expected 18"),
        ("42010219800101001", "subject: 17 digits; a citizen ID number has 18"),
        ("4201021980010100199", "subject: 19 digits"),
        ("420102198013010012", "subject: neither a citizen ID number"),  # month 13
    ],
)
def test_near_misses_say_what_is_wrong(graph: GraphStore, text: str, part: str) -> None:
    message = invalid(graph, text)
    assert part in message
    if text[:15].isdigit():
        assert text not in message and text[:14] not in message


def test_empty_is_invalid(graph: GraphStore) -> None:
    assert invalid(graph, " \u200b\ufeff ") == "subject: empty"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("91110000710925462X", "'91110000710925462X'"),  # a valid USCC no one has
        (UNKNOWN_ID, f"'{mask_digits(UNKNOWN_ID)}'"),
        ("420102000099999", "'420102*****9999'"),  # a 15-digit number no one has
        ("nobody", "'nobody'"),
    ],
)
def test_unknown_subjects_are_not_found_and_echoed_masked(
    graph: GraphStore, text: str, shown: str
) -> None:
    with pytest.raises(NotFound) as caught:
        resolve(graph, text)
    assert str(caught.value) == f"no entity for subject {shown}"


def test_record_ids_are_entity_ids_not_codes(graph: GraphStore) -> None:
    penalty = f.county()["records"][0].id
    assert penalty.startswith("penalty:")
    with pytest.raises(NotFound):
        resolve(graph, penalty)


def test_subject_ids_lists_unknown_and_invalid_subjects_masked(graph: GraphStore) -> None:
    found, missing = subject_ids(
        graph, [f.COMPANY_A, BAD_ID, "nobody", f.ZHOU_ID, UNKNOWN_ID, "", "91420102MA4K00010X"], KEY
    )
    assert found == [f.COMPANY_A, f.ZHOU.id]
    assert missing == [
        mask_digits(BAD_ID),
        "nobody",
        mask_digits(UNKNOWN_ID),
        "",
        "91420102MA4K00010X",
    ]


def test_store_and_summary_not_found_messages_mask_id_numbers(graph: GraphStore) -> None:
    for ask in (
        lambda: graph.get_entity(UNKNOWN_ID),
        lambda: graph.get_record(UNKNOWN_ID),
        lambda: graph.neighbourhood(UNKNOWN_ID),
        lambda: summary(graph, UNKNOWN_ID),
    ):
        with pytest.raises(NotFound) as caught:
            ask()
        assert UNKNOWN_ID not in str(caught.value)
        assert mask_digits(UNKNOWN_ID) in str(caught.value)
