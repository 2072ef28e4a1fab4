"""Validate USCCs and citizen ID numbers, handle masked IDs and derive keyed person keys."""

from __future__ import annotations

import hmac
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from functools import lru_cache
from operator import mul

from graph.errors import InvalidInput

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_PLACEHOLDER = "0" * 17 + "X"
_USCC_VALUES = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_ID_CHECK = "10X98765432"
_ID_ZERO = ord("0") * sum(_ID_WEIGHTS)
_MIN_BIRTH_YEAR = 1880
# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space map to plain ASCII.
_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# What echo_safe masks: a run of 15-20 digits, perhaps ending in one letter (X, or a typo),
# that is not part of a longer code.
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9]{14,20}[A-Z]?(?![0-9A-Z])", re.IGNORECASE)
_ECHO_LIMIT = 100

# GB 32100-2015: registration authority (pos 1), its name, then "category (pos 2) + name" items.
_CATEGORY_TABLE = """
1 机构编制 1机关 2事业单位 3编办直接管理机构编制的群众团体 9其他
2 外交 1外国常驻新闻机构 9其他
3 司法行政 1律师执业机构 2公证处 3基层法律服务所 4司法鉴定机构 5仲裁委员会 9其他
4 文化 1外国在华文化中心 9其他
5 民政 1社会团体 2民办非企业单位 3基金会 9其他
6 旅游 1外国旅游部门常驻代表机构 2港澳台地区旅游部门常驻内地（大陆）代表机构 9其他
7 宗教 1宗教活动场所 2宗教院校 9其他
8 工会 1基层工会 9其他
9 工商 1企业 2个体工商户 3农民专业合作社
A 中央军委改革和编制办公室 1军队事业单位 9其他
N 农业 1组级集体经济组织 2村级集体经济组织 3乡镇级集体经济组织 9其他
Y 其他 1其他
"""
_CATEGORIES: dict[str, tuple[str, dict[str, str]]] = {
    row[0]: (row[1], {item[0]: item[1:] for item in row[2:]})
    for row in (line.split() for line in _CATEGORY_TABLE.strip().splitlines())
}
_ENTITY_KINDS = (
    {"91": "enterprise", "92": "sole_trader", "93": "cooperative", "31": "law_firm"}
    | dict.fromkeys(("32", "33", "34", "35"), "legal_service")
    | {"11": "government_organ", "12": "public_institution"}
    | dict.fromkeys(("51", "52", "53"), "social_organization")
    | dict.fromkeys(("N1", "N2", "N3"), "rural_collective")
)
_FIELD_LABELS = {"uscc": "统一社会信用代码", "id_number": "公民身份号码"}


class InvalidIdentifier(InvalidInput, ValueError):
    """An identifier failed validation; ``field``, ``value`` (raw input) and ``reason`` say why.

    The message shows only the first 4 characters of the value, so ID numbers do not leak into logs.

    >>> str(InvalidIdentifier("uscc", "914403001922038217", "check digit is 7, expected 6"))
    "统一社会信用代码 (uscc) '9144…': check digit is 7, expected 6"
    """

    def __init__(self, field: str, value: str, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        shown = strip_invisible(value).strip()
        preview = shown if len(shown) <= 4 else shown[:4] + "…"
        tail = "_" + field.replace(".", "_")
        label = next((v for k, v in _FIELD_LABELS.items() if tail.endswith("_" + k)), None)
        named = f"{label} ({field})" if label else field
        super().__init__(f"{named} '{preview}': {reason}", field=field)


def strip_invisible(text: str) -> str:
    """Drop invisible format characters (Unicode category Cf: zero-width spaces and joiners,
    word joiner, BOM, soft hyphen, direction marks) that copying from web pages and Word
    leaves inside identifiers.

    >>> strip_invisible("\ufeff9142\u200b0102\u00adMA4K\u2060")
    '91420102MA4K'
    """
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def clean_text(text: str) -> str:
    """What an identifier is read from: invisible characters dropped, full-width characters
    made half-width, outer whitespace stripped (case kept).

    >>> clean_text(" ９１４２０１０２\u200bma4k00010n\u3000")
    '91420102ma4k00010n'
    """
    return strip_invisible(text).translate(_HALFWIDTH).strip()


def _normalise(value: object, field: str) -> str:
    """Strip, convert full-width to half-width and upper-case; reject non-strings and blanks."""
    if not isinstance(value, str):
        reason = f"expected a string, got {type(value).__name__}"
        raise InvalidIdentifier(field, repr(value), reason)
    text = clean_text(value).upper()
    if not text:
        raise InvalidIdentifier(field, value, "empty value")
    return text


def _uscc_sum_char(first17: str) -> str:
    total = sum(_USCC_VALUES[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100 check character (pos 18) for the first 17 characters; 31 maps to '0'.

    >>> uscc_check_char("91440300192203821")
    '6'
    """
    if len(first17) != 17 or any(c not in _USCC_VALUES for c in first17):
        raise ValueError(f"need 17 characters from {USCC_CHARSET}, got {first17!r}")
    return _uscc_sum_char(first17)


def org_code_check_char(first8: str) -> str:
    """Return the GB 11714 organisation-code check character for its first 8 characters.

    >>> org_code_check_char("19220382")
    '1'
    """
    if len(first8) != 8 or any(c not in _ORG_VALUES for c in first8):
        raise ValueError(f"need 8 characters 0-9/A-Z, got {first8!r}")
    check = 11 - sum(_ORG_VALUES[c] * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _category(code: str, field: str, value: str) -> tuple[str, str]:
    authority = _CATEGORIES.get(code[:1])
    if authority is None:
        reason = f"unknown registration authority {code[:1]!r} at position 1 (1-9, A, N or Y)"
        raise InvalidIdentifier(field, value, "bad category: " + reason)
    name, categories = authority
    if code[1:2] not in categories:
        reason = f"category {code[1:2]!r} at position 2 is not valid for {code[0]} ({name})"
        raise InvalidIdentifier(field, value, "bad category: " + reason)
    return name, categories[code[1]]


def _parse_uscc(
    value: str, field: str = "uscc", *, strict: bool = False, allow_placeholder: bool = False
) -> str:
    """Validate a USCC and return it normalised; ``strict`` also checks the org-code char (pos 17).

    >>> parse_uscc(" ９１４４０３００７０８４６１１３６ｔ ")
    '91440300708461136T'
    >>> parse_uscc("914403001922038217")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    graph.ids.InvalidIdentifier: 统一社会信用代码 (uscc) '9144…': check digit is 7, expected 6
    """
    code = _normalise(value, field)
    if code == USCC_PLACEHOLDER:
        if allow_placeholder:
            return code
        reason = "17 zeros + X is the placeholder for a sole trader (个体工商户) without a code"
        raise InvalidIdentifier(field, value, reason)
    if len(code) != 18:
        raise InvalidIdentifier(field, value, f"wrong length: {len(code)} characters, expected 18")
    for pos, char in enumerate(code, start=1):
        if char not in _USCC_VALUES:
            reason = f"bad character {char!r} at position {pos} (I, O, S, V, Z are never used)"
            raise InvalidIdentifier(field, value, reason)
        if 3 <= pos <= 8 and not char.isdigit():
            reason = f"bad character {char!r} at position {pos} (division code: digits only)"
            raise InvalidIdentifier(field, value, reason)
    _category(code, field, value)
    if code[17] != (expected := _uscc_sum_char(code[:17])):
        raise InvalidIdentifier(field, value, f"check digit is {code[17]}, expected {expected}")
    if strict and code[16] != (org_expected := org_code_check_char(code[8:16])):
        reason = f"org code check char (position 17) is {code[16]}, expected {org_expected}"
        raise InvalidIdentifier(field, value, reason)
    return code


def uscc_category(code: str) -> tuple[str, str]:
    """Return (registration authority, organisation category) in Chinese from positions 1-2.

    >>> uscc_category("914403001922038216")
    ('工商', '企业')
    >>> uscc_category("51110000500000728X")
    ('民政', '社会团体')
    """
    text = _normalise(code, "uscc")
    return _category(text, "uscc", code)


def uscc_entity_kind(code: str) -> str:
    """Map a USCC to a coarse entity kind ("other" if unmapped; the placeholder is a sole trader).

    >>> uscc_entity_kind("914403001922038216"), uscc_entity_kind("92440300MA5F2X3K33")
    ('enterprise', 'sole_trader')
    >>> uscc_entity_kind("Y1110000MA0000015C")
    'other'
    """
    text = _normalise(code, "uscc")
    if text == USCC_PLACEHOLDER:
        return "sole_trader"
    return _ENTITY_KINDS.get(text[:2], "other")


def looks_like_uscc(value: str) -> bool:
    """True for 18 letters and digits with a known category at positions 1-2 and digits at
    3-8 (the shape of a USCC, whatever its check character; entity ids have a prefix).

    >>> looks_like_uscc("91420102MA4K00010X"), looks_like_uscc("person:91420102MA4K0")
    (True, False)
    """
    text = clean_text(value).upper()
    if len(text) != 18 or not (text.isascii() and text.isalnum()):
        return False
    authority = _CATEGORIES.get(text[0])
    return authority is not None and text[1] in authority[1] and text[2:8].isdigit()


def citizen_id_check_char(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character for the first 17 digits of an ID number.

    >>> citizen_id_check_char("11010519491231002")
    'X'
    """
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"need 17 ASCII digits, got {first17!r}")
    # the digits' code points times the weights, less what the code point of "0" adds
    return _ID_CHECK[(sum(map(mul, first17.encode(), _ID_WEIGHTS)) - _ID_ZERO) % 11]


def _parse_citizen_id(value: str, field: str = "id_number", *, allow_legacy: bool = False) -> str:
    """Validate an 18-digit citizen ID and return it normalised; ``allow_legacy`` converts 15-digit.

    >>> parse_citizen_id("11010519491231002x")
    '11010519491231002X'
    >>> parse_citizen_id("110105491231002", allow_legacy=True)
    '11010519491231002X'
    """
    text = _normalise(value, field)
    if is_masked_id(text):
        raise InvalidIdentifier(field, value, "masked ID number; use parse_masked_id")
    if len(text) == 15 and text.isascii() and text.isdigit():
        if not allow_legacy:
            raise InvalidIdentifier(field, value, "15-digit legacy number; convert to 18 digits")
        first17 = text[:6] + "19" + text[6:]
        text = first17 + citizen_id_check_char(first17)
    if len(text) != 18:
        raise InvalidIdentifier(field, value, f"wrong length: {len(text)} characters, expected 18")
    digits = text.isascii() and text[:17].isdigit() and (text[17].isdigit() or text[17] == "X")
    for pos, char in enumerate("" if digits else text, start=1):  # only to say what is wrong
        if char not in "0123456789" and not (pos == 18 and char == "X"):
            allowed = "a digit or X" if pos == 18 else "a digit"
            reason = f"bad character {char!r} at position {pos} (expected {allowed})"
            raise InvalidIdentifier(field, value, reason)
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise InvalidIdentifier(field, value, f"invalid birth date {text[6:14]}") from None
    if born.year < _MIN_BIRTH_YEAR:
        raise InvalidIdentifier(field, value, f"birth year {born.year} is before {_MIN_BIRTH_YEAR}")
    if born > _today():
        raise InvalidIdentifier(field, value, f"birth date {born.isoformat()} is in the future")
    if text[17] != (expected := citizen_id_check_char(text[:17])):
        raise InvalidIdentifier(field, value, f"check digit is {text[17]}, expected {expected}")
    return text


def _today() -> date:
    """Today, looked up once a minute at most (a load checks millions of birth dates)."""
    now = time.monotonic()
    if now - float(_TODAY[1]) > 60:  # type: ignore[arg-type]
        _TODAY[:] = [date.today(), now]
    day = _TODAY[0]
    assert isinstance(day, date)
    return day


_TODAY: list[object] = [date.min, -1e9]


def is_masked_id(value: str) -> bool:
    """Return True if the value contains a mask character ('*' or full-width '＊').

    >>> is_masked_id("110105********002X"), is_masked_id("11010519491231002X")
    (True, False)
    """
    return "*" in value or "＊" in value


def mask_digits(text: str) -> str:
    """Mask what looks like an ID number without validating it: first 6, last 4 kept.

    >>> mask_digits("110105194912310021")
    '110105********0021'
    """
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def mask_id(id_number: str) -> str:
    """Validate an ID number and mask it as the first 6 + 8 asterisks + last 4 characters.

    >>> mask_id("11010519491231002X")
    '110105********002X'
    """
    text = parse_citizen_id(id_number)
    return text[:6] + "*" * 8 + text[-4:]


def looks_like_citizen_id(value: str, *, birth_date: bool = True) -> bool:
    """True for 18 digits (the last may be X) or 15 digits, whatever the check digit;
    ``birth_date`` also wants a real birth date from 1880 to today at positions 7-14 (7-12).

    >>> looks_like_citizen_id("110105194912310022"), looks_like_citizen_id("914403001922038216")
    (True, False)
    >>> looks_like_citizen_id("914403001922038216", birth_date=False)
    True
    """
    text = clean_text(value).upper()
    if not text.isascii():
        return False
    if len(text) == 18 and text[:17].isdigit() and text[17] in "0123456789X":
        ymd = text[6:14]
    elif len(text) == 15 and text.isdigit():
        ymd = "19" + text[6:12]
    else:
        return False
    if not birth_date:
        return True
    try:
        born = date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:]))
    except ValueError:
        return False
    return born.year >= _MIN_BIRTH_YEAR and born <= date.today()


def _is_valid(parse: Callable[[str], str], text: str) -> bool:
    try:
        parse(text)
    except InvalidInput:
        return False
    return True


def _is_public_code(text: str) -> bool:
    """A valid USCC that cannot be taken for a citizen ID number (no real birth date)."""
    return _is_valid(parse_uscc, text) and not looks_like_citizen_id(text)


def _mask_run(match: re.Match[str]) -> str:
    run = match.group()
    if len(run) < 15 or _is_public_code(run):
        return run
    return mask_digits(run)


def echo_safe(text: str) -> str:
    """What a caller's input may be echoed as in a message or log: invisible characters
    dropped, full-width made half-width, every run of 15-20 digits (an ID number, valid or
    not; one trailing letter included) masked unless it is a valid USCC, and at most 100
    characters.

    >>> echo_safe("42010219800101001X"), echo_safe("person:42010219800101001x")
    ('420102********001X', 'person:420102********001x')
    >>> echo_safe("914403001922038216"), echo_safe("91440300708461136T")
    ('914403001922038216', '91440300708461136T')
    >>> echo_safe("42010219800101001Y"), echo_safe("91420102MA4K00010N")
    ('420102********001Y', '91420102MA4K00010N')
    """
    masked = _DIGIT_RUN.sub(_mask_run, clean_text(text))
    return masked if len(masked) <= _ECHO_LIMIT else masked[:_ECHO_LIMIT] + "…"


def mask_citizen_ids(text: str) -> str:
    """``text`` with every valid 18-digit citizen ID number in it masked (the whole value, or
    one inside longer text); returned as given when there is none.

    >>> mask_citizen_ids("当事人（身份证号 11010519491231002X）未按期整改")
    '当事人（身份证号 110105********002X）未按期整改'
    >>> mask_citizen_ids("110105194912310022")  # wrong check digit: not a valid ID number
    '110105194912310022'
    """
    if _is_valid(parse_citizen_id, text):
        return mask_id(text)
    parts, done = [], 0
    # full-width to half-width keeps every position, so a match is also a span of ``text``
    for match in _DIGIT_RUN.finditer(text.translate(_HALFWIDTH)):
        run = match.group()
        if len(run) == 18 and _is_valid(parse_citizen_id, run):
            parts += [text[done : match.start()], mask_digits(run)]
            done = match.end()
    return "".join([*parts, text[done:]])


def mask_id_like(value: str) -> str:
    """A value of an ID-number column as it may be shown: masked when it is shaped like a
    citizen ID number (18 digits, the last may be X, or 15 digits), valid or not, unless it
    is a valid USCC; valid ID numbers inside longer text masked too.

    >>> mask_id_like("110105194912310022"), mask_id_like("914403001922038216")
    ('110105********0022', '914403001922038216')
    >>> mask_id_like("110105491231002"), mask_id_like("4201021985****0026")
    ('110105*****1002', '4201021985****0026')
    """
    text = clean_text(value).upper()
    if looks_like_citizen_id(text, birth_date=False):
        return value if _is_public_code(text) else mask_digits(text)
    return mask_citizen_ids(value)


@dataclass(frozen=True)
class MaskedId:
    """A partly masked 18-character ID number; ``prefix``/``suffix`` are the visible ends.

    >>> MaskedId("4201021985****0026").prefix
    '4201021985'
    """

    text: str
    prefix: str = dc_field(init=False)
    suffix: str = dc_field(init=False)
    length: int = dc_field(init=False)

    def __post_init__(self) -> None:
        first, last = self.text.find("*"), self.text.rfind("*")
        object.__setattr__(self, "prefix", self.text if first < 0 else self.text[:first])
        object.__setattr__(self, "suffix", "" if first < 0 else self.text[last + 1 :])
        object.__setattr__(self, "length", len(self.text))

    def matches(self, full_id: str) -> bool:
        """Return True if ``full_id`` has the same length and agrees at every visible position.

        >>> m = MaskedId("4201021985****0026")
        >>> m.matches("420102198501010026"), m.matches("420102198601010026")
        (True, False)
        """
        other = clean_text(full_id).upper()
        if len(other) != self.length or "*" in other:
            return False
        return all(m == "*" or m == c for m, c in zip(self.text, other, strict=True))


def parse_masked_id(value: str, field: str = "id_number") -> MaskedId:
    """Validate a masked ID number (any mask position) and return it as a MaskedId.

    >>> parse_masked_id("110105＊＊＊＊＊＊＊＊002x").text
    '110105********002X'
    """
    text = _normalise(value, field)
    if len(text) != 18:
        raise InvalidIdentifier(field, value, f"wrong length: {len(text)} characters, expected 18")
    if "*" not in text:
        raise InvalidIdentifier(field, value, "nothing is masked; use parse_citizen_id")
    if text == "*" * 18:
        raise InvalidIdentifier(field, value, "every character is masked")
    for pos, char in enumerate(text, start=1):
        if char not in "*0123456789" and not (pos == 18 and char == "X"):
            reason = f"bad character {char!r} at position {pos} (expected a digit, '*' or final X)"
            raise InvalidIdentifier(field, value, reason)
    return MaskedId(text)


def keyed_hash(value: str, key: bytes) -> str:
    """Return HMAC-SHA256(key, UTF-8 value) as hex, truncated to 32 chars (128 bits).

    128 bits keeps keys short while collisions stay negligible (birthday bound ~2**64 values).

    >>> keyed_hash("abc", b"k") == keyed_hash("abc", b"k") != keyed_hash("abc", b"j")
    True
    """
    if not key:
        raise ValueError("key must not be empty")
    return hmac.digest(key, value.encode("utf-8"), "sha256").hex()[:32]


def person_key(id_number: str, key: bytes) -> str:
    """Return the keyed hash of the normalised 18-digit ID (15-digit ones are converted first).

    >>> len(person_key("11010519491231002X", b"secret"))
    32
    """
    if isinstance(id_number, str) and is_masked_id(id_number):
        reason = "masked ID numbers cannot produce a person key"
        raise InvalidIdentifier("id_number", id_number, reason)
    return keyed_hash(parse_citizen_id(id_number, allow_legacy=True), key)


_CACHE = 1 << 20


@lru_cache(maxsize=_CACHE)
def _cached_uscc(value: str, field: str, strict: bool, allow_placeholder: bool) -> str:
    return _parse_uscc(value, field, strict=strict, allow_placeholder=allow_placeholder)


def parse_uscc(
    value: str, field: str = "uscc", *, strict: bool = False, allow_placeholder: bool = False
) -> str:
    """Validate a USCC and return it normalised (cached: sources repeat the same codes).

    >>> parse_uscc(" 91420102ma4k00010n ")
    '91420102MA4K00010N'
    """
    if isinstance(value, str):
        return _cached_uscc(value, field, strict, allow_placeholder)
    return _parse_uscc(value, field, strict=strict, allow_placeholder=allow_placeholder)


@lru_cache(maxsize=_CACHE)
def _cached_citizen_id(value: str, field: str, allow_legacy: bool) -> str:
    return _parse_citizen_id(value, field, allow_legacy=allow_legacy)


def parse_citizen_id(value: str, field: str = "id_number", *, allow_legacy: bool = False) -> str:
    """Validate a citizen ID number and return it normalised (cached).

    >>> parse_citizen_id("11010519491231002x")
    '11010519491231002X'
    """
    if isinstance(value, str):
        return _cached_citizen_id(value, field, allow_legacy)
    return _parse_citizen_id(value, field, allow_legacy=allow_legacy)
