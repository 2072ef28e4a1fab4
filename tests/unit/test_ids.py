"""Unit tests for graph.ids: USCC and citizen ID validation, masked IDs and person keys."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import random
import re
from datetime import date, timedelta

import pytest

from graph.ids import (
    USCC_CHARSET,
    USCC_PLACEHOLDER,
    InvalidIdentifier,
    MaskedId,
    citizen_id_check_char,
    clean_text,
    echo_safe,
    is_masked_id,
    keyed_hash,
    looks_like_citizen_id,
    looks_like_uscc,
    mask_citizen_ids,
    mask_id,
    mask_id_like,
    org_code_check_char,
    parse_citizen_id,
    parse_masked_id,
    parse_uscc,
    person_key,
    strip_invisible,
    uscc_category,
    uscc_check_char,
    uscc_entity_kind,
)

# Published codes from REFERENCE.md §1 (pos-18 and pos-17 checks both recomputed there).
REAL_USCCS = [
    "914403001922038216",
    "91440300708461136T",
    "9144030071526726XG",
    "91110000710925462X",
    "91110108551385082Q",
    "91350100M000100Y43",
]
VALID_IDS = ["11010519491231002X", "440524188001010014", "110105195001010039"]
# (authority, category) pairs allowed by the GB 32100 table in REFERENCE.md §1.
ALLOWED_CATEGORIES = {"1": "1239", "2": "19", "3": "123459", "4": "19", "5": "1239", "6": "129"}
ALLOWED_CATEGORIES |= {"7": "129", "8": "19", "9": "123", "A": "19", "N": "1239", "Y": "1"}
CATEGORY_PAIRS = [auth + cat for auth, cats in ALLOWED_CATEGORIES.items() for cat in cats]
KEY = b"test-key-not-secret"


def make_uscc(pair: str, division: str, org8: str) -> str:
    """Build a USCC with a correct org-code check char and a correct pos-18 check char."""
    first17 = pair + division + org8 + org_code_check_char(org8)
    return first17 + uscc_check_char(first17)


def make_id(address: str, born: date, seq: str) -> str:
    """Build an 18-digit citizen ID number with a correct check digit."""
    first17 = address + born.strftime("%Y%m%d") + seq
    return first17 + citizen_id_check_char(first17)


def reason_of(exc_info: pytest.ExceptionInfo[InvalidIdentifier]) -> str:
    return exc_info.value.reason


# --- USCC -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", REAL_USCCS)
def test_real_uscc_passes_normal_and_strict(code: str) -> None:
    assert parse_uscc(code) == code
    assert parse_uscc(code, strict=True) == code
    assert uscc_check_char(code[:17]) == code[17]
    assert org_code_check_char(code[8:16]) == code[16]
    assert uscc_category(code) == ("工商", "企业")
    assert uscc_entity_kind(code) == "enterprise"


def _structurally_valid(code: str) -> bool:
    try:
        uscc_category(code)
    except InvalidIdentifier:
        return False
    return all(c in USCC_CHARSET for c in code) and code[2:8].isdigit()


@pytest.mark.parametrize("code", REAL_USCCS)
def test_every_single_character_corruption_is_rejected(code: str) -> None:
    checked = 0
    for idx in range(18):
        for alt in USCC_CHARSET:
            if alt == code[idx]:
                continue
            corrupted = code[:idx] + alt + code[idx + 1 :]
            with pytest.raises(InvalidIdentifier) as exc_info:
                parse_uscc(corrupted)
            if _structurally_valid(corrupted):
                checked += 1
                if idx == 17:
                    assert reason_of(exc_info) == f"check digit is {alt}, expected {code[17]}"
                else:
                    assert reason_of(exc_info).startswith(f"check digit is {code[17]}, expected ")
    assert checked > 300


def test_check_digit_message_names_field_and_expected_char() -> None:
    with pytest.raises(InvalidIdentifier) as exc_info:
        parse_uscc("914403001922038217")
    exc = exc_info.value
    assert isinstance(exc, ValueError)
    assert (exc.field, exc.value) == ("uscc", "914403001922038217")
    assert exc.reason == "check digit is 7, expected 6"
    assert str(exc) == "统一社会信用代码 (uscc) '9144…': check digit is 7, expected 6"


@pytest.mark.parametrize(
    ("value", "reason_part"),
    [
        ("91440300192203821", "wrong length: 17 characters"),
        ("9144030019220382166", "wrong length: 19 characters"),
        ("", "empty value"),
        ("   ", "empty value"),
        *((f"91440300192{c}038216", f"bad character '{c}' at position 12") for c in "IOSVZ"),
        ("91440300192o038216", "bad character 'O' at position 12"),
        ("9144030019220382-6", "bad character '-' at position 17"),
        ("91A40300192203821" + "6", "position 3 (division code: digits only)"),
        (make_uscc("01", "440300", "19220382"), "bad category: unknown registration authority '0'"),
        (make_uscc("B1", "440300", "19220382"), "unknown registration authority 'B'"),
        (make_uscc("94", "440300", "19220382"), "bad category: category '4' at position 2"),
        (make_uscc("99", "440300", "19220382"), "not valid for 9 (工商)"),
        (make_uscc("Y2", "440300", "19220382"), "bad category"),
        (make_uscc("1A", "440300", "19220382"), "bad category"),
    ],
)
def test_malformed_uscc_rejected_with_reason(value: str, reason_part: str) -> None:
    with pytest.raises(InvalidIdentifier) as exc_info:
        parse_uscc(value)
    assert reason_part in reason_of(exc_info)
    assert exc_info.value.field == "uscc"
    assert "(uscc)" in str(exc_info.value)


def test_custom_field_name_appears_in_message() -> None:
    with pytest.raises(InvalidIdentifier) as exc_info:
        parse_uscc("9144030019220382", field="penalty.authority_uscc")
    assert exc_info.value.field == "penalty.authority_uscc"
    assert str(exc_info.value).startswith("统一社会信用代码 (penalty.authority_uscc) '9144…': ")
    with pytest.raises(InvalidIdentifier, match=r"^source_code '9144…': wrong length"):
        parse_uscc("9144030019220382", field="source_code")


@pytest.mark.parametrize(
    "raw",
    [
        "９１４４０３００７０８４６１１３６Ｔ",
        " 91440300708461136t ",
        "\u3000９１４４０３００７０８４６１１３６ｔ\t",
    ],
)
def test_uscc_full_width_and_case_normalised(raw: str) -> None:
    assert parse_uscc(raw) == "91440300708461136T"


def test_placeholder_rejected_unless_allowed() -> None:
    with pytest.raises(InvalidIdentifier) as exc_info:
        parse_uscc(USCC_PLACEHOLDER)
    assert "placeholder for a sole trader" in reason_of(exc_info)
    assert parse_uscc("00000000000000000x", allow_placeholder=True) == USCC_PLACEHOLDER
    assert uscc_entity_kind(USCC_PLACEHOLDER) == "sole_trader"


def test_strict_checks_embedded_org_code() -> None:
    first17 = "9144030019220382" + "2"  # org-code check char should be 1
    code = first17 + uscc_check_char(first17)
    assert parse_uscc(code) == code
    with pytest.raises(InvalidIdentifier) as exc_info:
        parse_uscc(code, strict=True)
    assert reason_of(exc_info) == "org code check char (position 17) is 2, expected 1"


def _with_weighted_sum_residue(residue: int) -> str:
    """Return a 17-char prefix whose weighted sum is ``residue`` mod 31 (last weight is 28)."""
    for last in USCC_CHARSET:
        first17 = "9144030019220382" + last
        weights = [pow(3, i, 31) for i in range(17)]
        total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, weights, strict=True))
        if total % 31 == residue:
            return first17
    raise AssertionError("unreachable: the last weight is invertible mod 31")


def test_hutool_rule_sum_divisible_by_31_gives_zero() -> None:
    first17 = _with_weighted_sum_residue(0)
    assert uscc_check_char(first17) == "0"
    assert parse_uscc(first17 + "0") == first17 + "0"
    assert uscc_check_char(_with_weighted_sum_residue(1)) == "Y"


@pytest.mark.parametrize("bad", ["9144030019220382", "9144030019220382I", "91440300192203821 "])
def test_uscc_check_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        uscc_check_char(bad)


@pytest.mark.parametrize(
    ("pair", "kind", "names"),
    [
        ("11", "government_organ", ("机构编制", "机关")),
        ("12", "public_institution", ("机构编制", "事业单位")),
        ("31", "law_firm", ("司法行政", "律师执业机构")),
        ("51", "social_organization", ("民政", "社会团体")),
        ("52", "social_organization", ("民政", "民办非企业单位")),
        ("53", "social_organization", ("民政", "基金会")),
        ("91", "enterprise", ("工商", "企业")),
        ("92", "sole_trader", ("工商", "个体工商户")),
        ("93", "cooperative", ("工商", "农民专业合作社")),
        ("N2", "rural_collective", ("农业", "村级集体经济组织")),
        ("32", "legal_service", ("司法行政", "公证处")),
        ("34", "legal_service", ("司法行政", "司法鉴定机构")),
        ("Y1", "other", ("其他", "其他")),
    ],
)
def test_category_and_entity_kind(pair: str, kind: str, names: tuple[str, str]) -> None:
    code = make_uscc(pair, "110000", "MA01X2Q7")
    assert parse_uscc(code, strict=True) == code
    assert uscc_entity_kind(code) == kind
    assert uscc_category(code) == names


def test_category_table_matches_reference_exactly() -> None:
    for first in USCC_CHARSET:
        for second in USCC_CHARSET:
            pair = first + second
            if pair in CATEGORY_PAIRS:
                assert uscc_category(pair)
            else:
                with pytest.raises(InvalidIdentifier, match="bad category"):
                    uscc_category(pair)


# --- citizen ID -----------------------------------------------------------------------------


@pytest.mark.parametrize("id_number", VALID_IDS)
def test_valid_citizen_ids_pass(id_number: str) -> None:
    assert parse_citizen_id(id_number) == id_number
    assert citizen_id_check_char(id_number[:17]) == id_number[17]


@pytest.mark.parametrize(
    "raw", ["11010519491231002x", " 11010519491231002X\n", "１１０１０５１９４９１２３１００２ｘ"]
)
def test_citizen_id_normalised(raw: str) -> None:
    assert parse_citizen_id(raw) == "11010519491231002X"


@pytest.mark.parametrize("id_number", VALID_IDS)
def test_corrupted_citizen_id_digits_fail(id_number: str) -> None:
    for idx in range(18):
        for alt in "0123456789X":
            if alt == id_number[idx] or (alt == "X" and idx < 17):
                continue
            corrupted = id_number[:idx] + alt + id_number[idx + 1 :]
            with pytest.raises(InvalidIdentifier) as exc_info:
                parse_citizen_id(corrupted)
            if idx == 17:
                assert reason_of(exc_info) == f"check digit is {alt}, expected {id_number[17]}"


@pytest.mark.parametrize("ymd", ["19990230", "19991301", "19990001", "20230229", "19000229"])
def test_invalid_birth_dates_fail(ymd: str) -> None:
    first17 = "110105" + ymd + "002"
    with pytest.raises(InvalidIdentifier) as exc_info:
        parse_citizen_id(first17 + citizen_id_check_char(first17))
    assert reason_of(exc_info) == f"invalid birth date {ymd}"


def test_leap_day_birth_date_passes() -> None:
    id_number = make_id("110105", date(2000, 2, 29), "002")
    assert parse_citizen_id(id_number) == id_number


@pytest.mark.parametrize("days_ahead", [1, 400])
def test_future_birth_date_fails(days_ahead: int) -> None:
    born = date.today() + timedelta(days=days_ahead)
    with pytest.raises(InvalidIdentifier) as exc_info:
        parse_citizen_id(make_id("110105", born, "002"))
    assert reason_of(exc_info) == f"birth date {born.isoformat()} is in the future"


def test_birth_year_before_1880_fails() -> None:
    with pytest.raises(InvalidIdentifier, match="birth year 1879 is before 1880"):
        parse_citizen_id(make_id("440524", date(1879, 12, 31), "001"))


@pytest.mark.parametrize(
    ("value", "reason_part"),
    [
        ("1101051949123100", "wrong length: 16 characters"),
        ("11010519491231002XX", "wrong length: 19 characters"),
        ("11010A19491231002X", "bad character 'A' at position 6 (expected a digit)"),
        ("1101051949123100X2", "bad character 'X' at position 17"),
        ("11010519491231002Y", "bad character 'Y' at position 18 (expected a digit or X)"),
        ("110105********002X", "masked ID number; use parse_masked_id"),
        (None, "expected a string, got NoneType"),
        (11010519500101003, "expected a string, got int"),
    ],
)
def test_malformed_citizen_id_rejected(value: str, reason_part: str) -> None:
    with pytest.raises(InvalidIdentifier) as exc_info:
        parse_citizen_id(value, field="party.id_number")
    assert reason_part in reason_of(exc_info)
    assert str(exc_info.value).startswith("公民身份号码 (party.id_number) ")


def test_error_message_does_not_leak_full_id() -> None:
    with pytest.raises(InvalidIdentifier) as exc_info:
        parse_citizen_id("110105194912310021")
    assert "110105194912310021" not in str(exc_info.value)
    assert exc_info.value.value == "110105194912310021"


def test_legacy_15_digit_rejected_by_default() -> None:
    with pytest.raises(InvalidIdentifier) as exc_info:
        parse_citizen_id("110105491231002")
    assert reason_of(exc_info) == "15-digit legacy number; convert to 18 digits"


@pytest.mark.parametrize(
    ("legacy", "converted"),
    [("110105491231002", "11010519491231002X"), ("110105500101003", "110105195001010039")],
)
def test_legacy_15_digit_converted_when_allowed(legacy: str, converted: str) -> None:
    assert parse_citizen_id(legacy, allow_legacy=True) == converted


def test_legacy_with_bad_date_still_rejected() -> None:
    with pytest.raises(InvalidIdentifier, match="invalid birth date 19990230"):
        parse_citizen_id("110105990230002", allow_legacy=True)


# --- masked IDs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [("110105********002X", True), ("4201021985＊＊＊＊0026", True), (VALID_IDS[0], False)],
)
def test_is_masked_id(value: str, masked: bool) -> None:
    assert is_masked_id(value) is masked


def test_mask_round_trip() -> None:
    masked = mask_id("11010519491231002x")
    assert masked == "110105********002X"
    parsed = parse_masked_id(masked)
    assert (parsed.prefix, parsed.suffix, parsed.length) == ("110105", "002X", 18)
    assert parsed.matches("11010519491231002X")
    assert parsed.matches("11010519491231002x")


def test_mask_id_validates_input() -> None:
    with pytest.raises(InvalidIdentifier, match="check digit"):
        mask_id("110105194912310021")


def test_court_list_mask_with_visible_birth_year() -> None:
    mask = parse_masked_id("4201021985****0026")
    assert (mask.text, mask.prefix, mask.suffix) == ("4201021985****0026", "4201021985", "0026")
    assert mask.matches("420102198507150026")
    assert not mask.matches("420102198607150026")  # birth year differs
    assert not mask.matches("420102198507150027")  # last digit differs
    assert not mask.matches("42010219850715002")  # too short
    assert not mask.matches("4201021985****0026")  # a mask is not a full ID


def test_mask_in_the_middle_and_full_width() -> None:
    mask = parse_masked_id("４２０１０２＊＊＊＊0715**26")
    assert mask.text == "420102****0715**26"
    assert (mask.prefix, mask.suffix) == ("420102", "26")
    assert mask.matches("420102198507150026")
    assert not mask.matches("420102198507160026")


@pytest.mark.parametrize(
    ("value", "reason_part"),
    [
        ("110105*******002X", "wrong length: 17"),
        ("11010519491231002X", "nothing is masked"),
        ("*" * 18, "every character is masked"),
        ("110105****A***002X", "bad character 'A' at position 11"),
        ("110105****X***0026", "bad character 'X' at position 11"),
    ],
)
def test_bad_masked_ids_rejected(value: str, reason_part: str) -> None:
    with pytest.raises(InvalidIdentifier) as exc_info:
        parse_masked_id(value, field="debtor.id_number")
    assert reason_part in reason_of(exc_info)
    assert exc_info.value.field == "debtor.id_number"


def test_masked_id_is_frozen() -> None:
    mask = parse_masked_id("110105********002X")
    with pytest.raises(dataclasses.FrozenInstanceError):
        mask.text = "x"  # type: ignore[misc]
    assert mask == MaskedId("110105********002X")


# --- person keys ----------------------------------------------------------------------------


@pytest.mark.parametrize("id_number", VALID_IDS)
def test_person_key_properties(id_number: str) -> None:
    key = person_key(id_number, KEY)
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert key == person_key(id_number, KEY)
    assert key != person_key(id_number, b"another-key")
    assert id_number not in key and id_number[:14] not in key and id_number[6:14] not in key
    expected = hmac.new(KEY, id_number.encode(), hashlib.sha256).hexdigest()[:32]
    assert key == expected == keyed_hash(id_number, KEY)


def test_person_key_is_stable_across_spellings() -> None:
    key = person_key("11010519491231002X", KEY)
    assert person_key("11010519491231002x", KEY) == key
    assert person_key("１１０１０５１９４９１２３１００２Ｘ", KEY) == key
    assert person_key("110105491231002", KEY) == key  # legacy 15-digit form


@pytest.mark.parametrize("masked", ["110105********002X", "4201021985＊＊＊＊0026"])
def test_person_key_rejects_masked_ids(masked: str) -> None:
    with pytest.raises(InvalidIdentifier) as exc_info:
        person_key(masked, KEY)
    assert reason_of(exc_info) == "masked ID numbers cannot produce a person key"


def test_person_key_rejects_invalid_id_and_empty_key() -> None:
    with pytest.raises(InvalidIdentifier, match="check digit"):
        person_key("110105194912310021", KEY)
    with pytest.raises(ValueError, match="key must not be empty"):
        person_key(VALID_IDS[0], b"")


# --- property-style: random valid identifiers -----------------------------------------------


def test_random_valid_citizen_ids_parse_and_check_char_substitutions_fail() -> None:
    rng = random.Random(20240601)
    start, span = date(1900, 1, 1), (date(2020, 12, 31) - date(1900, 1, 1)).days
    for _ in range(200):
        address = f"{rng.randint(1, 6)}{rng.randrange(10**5):05d}"
        born = start + timedelta(days=rng.randrange(span + 1))
        id_number = make_id(address, born, f"{rng.randrange(1000):03d}")
        assert parse_citizen_id(id_number) == id_number
        assert parse_masked_id(mask_id(id_number)).matches(id_number)
        for alt in "0123456789X":
            if alt != id_number[17]:
                with pytest.raises(InvalidIdentifier, match="check digit"):
                    parse_citizen_id(id_number[:17] + alt)


def test_random_valid_usccs_parse_and_check_char_substitutions_fail() -> None:
    rng = random.Random(20240602)
    for _ in range(200):
        pair = rng.choice(CATEGORY_PAIRS)
        division = "".join(rng.choices("0123456789", k=6))
        code = make_uscc(pair, division, "".join(rng.choices(USCC_CHARSET, k=8)))
        assert parse_uscc(code, strict=True) == code
        assert parse_uscc(code.lower()) == code
        for alt in USCC_CHARSET:
            if alt != code[17]:
                with pytest.raises(InvalidIdentifier, match="check digit"):
                    parse_uscc(code[:17] + alt)


# --- invisible characters, echoes and masking -------------------------------------------------

#: Zero-width space / non-joiner / joiner, word joiner, BOM, soft hyphen, and two more of
#: category Cf (left-to-right mark, left-to-right isolate).
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u2066"]


def sprinkle(text: str, char: str) -> str:
    """``text`` with ``char`` before, after and in the middle."""
    return char + text[:7] + char + text[7:] + char


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_characters_are_dropped_from_usccs(char: str) -> None:
    assert parse_uscc(sprinkle("91440300708461136t", char)) == "91440300708461136T"
    full_width = sprinkle("９１４４０３００７０８４６１１３６Ｔ", char)
    assert parse_uscc(full_width) == "91440300708461136T"
    assert uscc_entity_kind(sprinkle("914403001922038216", char)) == "enterprise"


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_characters_are_dropped_from_citizen_ids(char: str) -> None:
    assert parse_citizen_id(sprinkle("11010519491231002x", char)) == "11010519491231002X"
    assert parse_citizen_id(sprinkle("110105491231002", char), allow_legacy=True) == (
        "11010519491231002X"
    )
    assert parse_masked_id(sprinkle("110105********002X", char)).text == "110105********002X"
    assert parse_masked_id("110105********002X").matches(sprinkle("11010519491231002X", char))
    assert person_key(sprinkle(VALID_IDS[0], char), KEY) == person_key(VALID_IDS[0], KEY)


def test_only_invisible_characters_is_an_empty_value() -> None:
    with pytest.raises(InvalidIdentifier, match="empty value"):
        parse_uscc("\u200b\ufeff \u00ad")


def test_strip_invisible_keeps_visible_text() -> None:
    assert strip_invisible("周\u200b明 (X)") == "周明 (X)"
    assert strip_invisible("plain") == "plain"
    assert clean_text("\ufeff １１０１０５ \u3000") == "110105"


def test_error_preview_does_not_show_invisible_characters() -> None:
    with pytest.raises(InvalidIdentifier) as exc_info:
        parse_uscc("\u200b914403001922038217")
    assert "'9144…'" in str(exc_info.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("91420102MA4K00010N", True),
        ("91420102MA4K00010X", True),  # wrong check character: still the shape
        ("914403001922038216", True),
        ("91420102MA4K0001", False),  # too short
        ("42420102MA4K00010N", False),  # 4 (文化) has categories 1 and 9 only
        ("9I420102MA4K00010N", False),  # no category I
        ("9142A102MA4K00010N", False),  # division code not digits
        ("person:abcdef012345", False),
        ("phone:02780000010xx", False),
    ],
)
def test_looks_like_uscc(value: str, expected: bool) -> None:
    assert looks_like_uscc(value) is expected


@pytest.mark.parametrize(
    ("value", "birth_date", "expected"),
    [
        ("110105194912310022", True, True),  # wrong check digit: still the shape
        ("\u200b11010519491231002x", True, True),
        ("110105491231002", True, True),
        ("110105194913310022", True, False),  # month 13
        ("110105194913310022", False, True),
        ("914403001922038216", True, False),
        ("420102********0026", False, False),
        ("1101051949123100", False, False),
        ("11010519491231002Y", False, False),
    ],
)
def test_looks_like_citizen_id(value: str, birth_date: bool, expected: bool) -> None:
    assert looks_like_citizen_id(value, birth_date=birth_date) is expected


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("42010219800101001X", "420102********001X"),
        ("42010219800101001x", "420102********001x"),
        ("420102198001010012", "420102********0012"),  # invalid too: masked all the same
        ("４２０１０２１９８００１０１００１Ｘ", "420102********001X"),
        ("4201\u200b02198001010012", "420102********0012"),
        ("42010219800101001", "420102*******1001"),  # one digit short
        ("4201021980010100123", "420102*********0123"),  # one digit too many
        ("42010219800101001Y", "420102********001Y"),
        ("420102800101001", "420102*****1001"),  # 15-digit legacy, or a 工商注册号
        ("person:42010219800101001X", "person:420102********001X"),
        ("no entity 42010219800101001X here", "no entity 420102********001X here"),
        ("914403001922038216", "914403001922038216"),  # an all-digit USCC
        ("91440300708461136T", "91440300708461136T"),
        ("91420102MA4K00010N", "91420102MA4K00010N"),
        ("phone:02780000010", "phone:02780000010"),
        ("420102********001X", "420102********001X"),
        ("penalty:0123456789abcdef0123", "penalty:0123456789abcdef0123"),
    ],
)
def test_echo_safe_masks_what_looks_like_an_id_number(text: str, shown: str) -> None:
    assert echo_safe(text) == shown


def test_echo_safe_shortens_long_input() -> None:
    assert echo_safe("x" * 500) == "x" * 100 + "…"


def test_mask_citizen_ids_masks_only_valid_numbers_and_keeps_the_rest() -> None:
    assert mask_citizen_ids(VALID_IDS[0]) == "110105********002X"
    assert mask_citizen_ids("\ufeff１１０１０５１９４９１２３１００２Ｘ") == "110105********002X"
    text = "（公民身份号码：440524188001010014，另见110105195001010039）"
    assert mask_citizen_ids(text) == "（公民身份号码：440524********0014，另见110105********0039）"
    assert mask_citizen_ids("110105194912310022") == "110105194912310022"  # not valid
    assert mask_citizen_ids("914403001922038216") == "914403001922038216"
    assert mask_citizen_ids("某区市场监督管理局") == "某区市场监督管理局"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (VALID_IDS[0], "110105********002X"),
        ("110105194912310022", "110105********0022"),  # wrong check digit: still masked
        ("110105194913310022", "110105********0022"),  # no real birth date: still masked
        ("110105491231002", "110105*****1002"),
        (" 11010519491231002x ", "110105********002X"),
        ("914403001922038216", "914403001922038216"),  # a USCC in a 证照号码 column
        ("91440300708461136T", "91440300708461136T"),
        ("4201021985****0026", "4201021985****0026"),  # masked already
        ("", ""),
    ],
)
def test_mask_id_like_masks_id_shaped_values(value: str, shown: str) -> None:
    assert mask_id_like(value) == shown
